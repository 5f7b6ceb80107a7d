//! The map's resource palette, as AWS Infrastructure Composer has one: a search box and
//! the kinds of resource a workspace holds. A queue, topic or bucket is made here with its
//! settings (checked as the configuration loader checks them); a function opens the
//! Create function dialog; a route or schedule belongs to a function, so it opens that
//! function's "+ Add trigger" form, filled in.

use super::map_connect::MapRequest;
use crate::console::Command;
use crate::model::{QueueConfig, Trigger, check_messaging_name, validate_bucket_name};

/// Longest visibility timeout SQS allows: 12 hours.
const MAX_VISIBILITY_TIMEOUT_SECS: u32 = 43_200;

/// The kinds of resource the palette adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PaletteKind {
    Function,
    Route,
    Schedule,
    Queue,
    Topic,
    Bucket,
}

impl PaletteKind {
    const ALL: [Self; 6] = [
        Self::Function,
        Self::Route,
        Self::Schedule,
        Self::Queue,
        Self::Topic,
        Self::Bucket,
    ];

    fn title(self) -> &'static str {
        match self {
            Self::Function => "Function",
            Self::Route => "HTTP route",
            Self::Schedule => "Schedule",
            Self::Queue => "Queue",
            Self::Topic => "Topic",
            Self::Bucket => "Bucket",
        }
    }

    /// What it is, in the words a user may search for.
    fn description(self) -> &'static str {
        match self {
            Self::Function => "Lambda function from a blueprint",
            Self::Route => "API Gateway HTTP API route that invokes a function",
            Self::Schedule => "EventBridge schedule (rate or cron) that invokes a function",
            Self::Queue => "SQS queue: messages a function polls in batches",
            Self::Topic => "SNS topic: fan-out to functions and queues",
            Self::Bucket => "S3 bucket folder: object events invoke functions",
        }
    }

    fn matches(self, search: &str) -> bool {
        let search = search.trim().to_lowercase();
        search.is_empty()
            || self.title().to_lowercase().contains(&search)
            || self.description().to_lowercase().contains(&search)
    }
}

/// The palette's state between frames.
#[derive(Debug, Clone, Default)]
pub struct MapPalette {
    pub open: bool,
    search: String,
    chosen: Option<PaletteKind>,
    name: String,
    visibility_timeout_secs: Option<u32>,
    /// The function a route or schedule will invoke.
    function: String,
}

/// What adding from the palette asks for.
pub enum PaletteAction {
    /// Write this (create a queue, topic or bucket).
    Command(Command),
    /// Open a form or dialog.
    Request(MapRequest),
}

impl MapPalette {
    /// The palette, in a panel at the map's left; what the user chose to add.
    pub fn ui(&mut self, ui: &mut egui::Ui, functions: &[String]) -> Option<PaletteAction> {
        ui.heading("Add resource");
        ui.add(
            egui::TextEdit::singleline(&mut self.search)
                .hint_text("Search resources")
                .desired_width(f32::INFINITY),
        )
        .accessible_name("Search resources");
        ui.separator();
        let mut action = None;
        let mut shown = 0;
        for kind in PaletteKind::ALL {
            if !kind.matches(&self.search) {
                continue;
            }
            shown += 1;
            let chosen = self.chosen == Some(kind);
            let response = ui
                .selectable_label(chosen, egui::RichText::new(kind.title()).strong())
                .on_hover_text(kind.description());
            ui.label(egui::RichText::new(kind.description()).small().weak());
            if response.clicked() {
                if kind == PaletteKind::Function {
                    action = Some(PaletteAction::Request(MapRequest::CreateFunction));
                } else {
                    self.chosen = if chosen { None } else { Some(kind) };
                    self.name.clear();
                }
            }
            if self.chosen == Some(kind) {
                action = action.or_else(|| self.form_ui(ui, kind, functions));
            }
            ui.add_space(4.0);
        }
        if shown == 0 {
            ui.weak("No resource matches; try another word.");
        }
        action
    }

    /// The settings of the chosen kind, checked as the user types.
    fn form_ui(
        &mut self,
        ui: &mut egui::Ui,
        kind: PaletteKind,
        functions: &[String],
    ) -> Option<PaletteAction> {
        let mut action = None;
        egui::Frame::group(ui.style()).show(ui, |ui| match kind {
            PaletteKind::Route | PaletteKind::Schedule => {
                if !functions.contains(&self.function) {
                    self.function = functions.first().cloned().unwrap_or_default();
                }
                if functions.is_empty() {
                    ui.weak("Create a function first: a trigger invokes one.");
                    return;
                }
                ui.label("Invokes function");
                egui::ComboBox::from_id_salt("palette_function")
                    .selected_text(&self.function)
                    .show_ui(ui, |ui| {
                        for name in functions {
                            ui.selectable_value(&mut self.function, name.clone(), name);
                        }
                    })
                    .response
                    .accessible_name("Invokes function");
                if ui.button("Add trigger...").clicked() {
                    let trigger = if kind == PaletteKind::Route {
                        Trigger::http(&format!("GET /{}", self.function))
                    } else {
                        Trigger::Schedule {
                            expression: "rate(5 minutes)".to_owned(),
                            timezone: None,
                            enabled: true,
                        }
                    };
                    action = Some(PaletteAction::Request(MapRequest::AddTrigger {
                        function: self.function.clone(),
                        trigger,
                    }));
                }
            }
            PaletteKind::Queue | PaletteKind::Topic | PaletteKind::Bucket => {
                let label = format!("{} name", kind.title());
                ui.label("Name");
                ui.add(egui::TextEdit::singleline(&mut self.name))
                    .accessible_name(&label);
                let name = self.name.trim().to_owned();
                let problem = match kind {
                    PaletteKind::Queue => check_messaging_name(&name, 80, "queue").err(),
                    PaletteKind::Topic => check_messaging_name(&name, 256, "topic").err(),
                    _ => validate_bucket_name(&name).err(),
                };
                if kind == PaletteKind::Queue {
                    let secs = self
                        .visibility_timeout_secs
                        .get_or_insert(QueueConfig::default().visibility_timeout_secs);
                    ui.horizontal(|ui| {
                        ui.label("Visibility timeout (s)");
                        ui.add(egui::DragValue::new(secs).range(0..=MAX_VISIBILITY_TIMEOUT_SECS))
                            .accessible_name("Visibility timeout (s)");
                    });
                }
                if !name.is_empty()
                    && let Some(problem) = &problem
                {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                let create = ui.add_enabled(
                    problem.is_none(),
                    egui::Button::new(format!("Create {}", kind.title().to_lowercase())),
                );
                if create.clicked() {
                    let command = match kind {
                        PaletteKind::Queue => Command::CreateQueue {
                            queue: name,
                            visibility_timeout_secs: self
                                .visibility_timeout_secs
                                .unwrap_or(QueueConfig::default().visibility_timeout_secs),
                        },
                        PaletteKind::Topic => Command::CreateTopic { topic: name },
                        _ => Command::CreateBucket { bucket: name },
                    };
                    self.name.clear();
                    action = Some(PaletteAction::Command(command));
                }
            }
            PaletteKind::Function => {}
        });
        action
    }
}
