use crate::blueprints::{self, TriggerNote};
use crate::console::{Blueprint, Command};
use crate::model::{Runtime, Trigger, Workspace, validate_function_name};

/// The Create function dialog: a searchable list of blueprints, then the names the
/// blueprint's triggers need (route, bucket, queue, topic, schedule), a name and memory.
#[derive(Debug)]
pub struct CreateFunctionDialog {
    pub open: bool,
    search: String,
    chosen: Option<String>,
    /// The chosen blueprint's triggers, their names as typed.
    triggers: Vec<Trigger>,
    /// The check of `triggers`, redone only when they or the name change: it reads
    /// every function.toml of the workspace.
    checked: Option<TriggerCheck>,
    name: String,
    memory_mb: u32,
    /// The languages whose pack is still to be prepared, asked once per opening (it reads
    /// the cache).
    missing_packs: Option<Vec<Runtime>>,
}

/// What a Python or Ruby card says while its language pack is not prepared here.
fn pack_note(runtime: Runtime) -> &'static str {
    match runtime {
        Runtime::Ruby => "Ruby prepares on first use (~30 MB, once per machine)",
        _ => "Python prepares on first use (~20 MB, once per machine)",
    }
}

#[derive(Debug)]
struct TriggerCheck {
    triggers: Vec<Trigger>,
    name: String,
    notes: Vec<Option<TriggerNote>>,
    /// For a route that conflicts: one that does not (under the function's name).
    suggestions: Vec<Option<String>>,
}

impl TriggerCheck {
    fn new(workspace: &Workspace, triggers: &[Trigger], name: &str) -> Self {
        let notes = blueprints::check_triggers(workspace, triggers);
        let suggestions = notes
            .iter()
            .enumerate()
            .map(|(index, note)| match (note, &triggers[index]) {
                (Some(TriggerNote::Problem(_)), Trigger::Http { .. }) => {
                    blueprints::suggested_route(workspace, name, triggers, index)
                }
                _ => None,
            })
            .collect();
        Self {
            triggers: triggers.to_vec(),
            name: name.to_owned(),
            notes,
            suggestions,
        }
    }
}

impl Default for CreateFunctionDialog {
    fn default() -> Self {
        Self {
            open: false,
            search: String::new(),
            chosen: None,
            triggers: Vec::new(),
            checked: None,
            name: String::new(),
            memory_mb: 128,
            missing_packs: None,
        }
    }
}

/// Columns of the blueprint grid.
const GRID_COLUMNS: usize = 3;

impl CreateFunctionDialog {
    /// The blueprints matching the search as cards; clicking a card chooses it.
    fn blueprint_grid_ui(&mut self, ui: &mut egui::Ui, blueprints: &[Blueprint]) {
        let matching: Vec<&Blueprint> = blueprints
            .iter()
            .filter(|blueprint| blueprint.matches(&self.search))
            .collect();
        if matching.is_empty() {
            ui.weak("No blueprint matches; try fewer words.");
            return;
        }
        let spacing = ui.spacing().item_spacing.x;
        #[expect(clippy::cast_precision_loss, reason = "a small column count")]
        let card_width = ((ui.available_width() - spacing * (GRID_COLUMNS as f32 - 1.0))
            / GRID_COLUMNS as f32
            - 18.0)
            .max(160.0);
        for row in matching.chunks(GRID_COLUMNS) {
            ui.horizontal_top(|ui| {
                for blueprint in row {
                    if self.card_ui(ui, blueprint, card_width)
                        && self.chosen.as_deref() != Some(blueprint.id.as_str())
                    {
                        self.chosen = Some(blueprint.id.clone());
                        self.triggers.clone_from(&blueprint.triggers);
                        if self.name.is_empty() {
                            self.name = blueprint.id.clone();
                        }
                    }
                }
            });
            ui.add_space(spacing);
        }
    }

    /// One blueprint: name, runtime and tags, description. Returns whether it was clicked.
    fn card_ui(&self, ui: &mut egui::Ui, blueprint: &Blueprint, width: f32) -> bool {
        let chosen = self.chosen.as_deref() == Some(blueprint.id.as_str());
        let visuals = ui.visuals();
        let stroke = if chosen {
            visuals.selection.stroke
        } else {
            visuals.widgets.noninteractive.bg_stroke
        };
        let fill = if chosen {
            visuals.selection.bg_fill.gamma_multiply(0.35)
        } else {
            visuals.faint_bg_color
        };
        let frame = egui::Frame::group(ui.style())
            .stroke(stroke)
            .fill(fill)
            .inner_margin(8.0)
            .show(ui, |ui| {
                ui.vertical(|ui| {
                    ui.set_width(width);
                    ui.set_min_height(92.0);
                    let name = ui
                        .horizontal(|ui| {
                            super::runtime_badge::runtime_badge_ui(ui, blueprint.runtime);
                            ui.selectable_label(
                                chosen,
                                egui::RichText::new(&blueprint.name).strong(),
                            )
                        })
                        .inner;
                    ui.weak(format!(
                        "{} · {}",
                        blueprint.runtime,
                        blueprint.tags.join(", ")
                    ));
                    if self
                        .missing_packs
                        .as_ref()
                        .is_some_and(|missing| missing.contains(&blueprint.runtime))
                    {
                        ui.label(
                            egui::RichText::new(pack_note(blueprint.runtime))
                                .small()
                                .color(ui.visuals().warn_fg_color),
                        );
                    }
                    ui.add(egui::Label::new(&blueprint.description).wrap());
                    name.clicked()
                })
                .inner
            });
        let card = ui.interact(
            frame.response.rect,
            ui.scope_id().with(("blueprint_card", &blueprint.id)),
            egui::Sense::click(),
        );
        frame.inner || card.clicked()
    }

    /// One field per name the chosen blueprint's triggers need, prefilled with the
    /// blueprint's, each with its problem under it. Returns whether any problem remains.
    fn trigger_fields_ui(&mut self, ui: &mut egui::Ui, workspace: &Workspace) -> bool {
        if self.triggers.is_empty() {
            return false;
        }
        let stale = self
            .checked
            .as_ref()
            .is_none_or(|checked| checked.triggers != self.triggers || checked.name != self.name);
        if stale {
            self.checked = Some(TriggerCheck::new(workspace, &self.triggers, &self.name));
        }
        let Some(checked) = &self.checked else {
            return false;
        };
        ui.label(egui::RichText::new("Triggers").strong());
        let labels = blueprints::field_labels(&self.triggers);
        let mut edited: Option<(usize, String)> = None;
        egui::Grid::new("blueprint_trigger_fields")
            .num_columns(2)
            .show(ui, |ui| {
                for (index, label) in labels.iter().enumerate() {
                    let label = ui.label(label);
                    let mut value = blueprints::field_value(&self.triggers[index]).to_owned();
                    let field = ui
                        .add(egui::TextEdit::singleline(&mut value).desired_width(320.0))
                        .labelled_by(label.id);
                    if field.changed() {
                        edited = Some((index, value));
                    }
                    ui.end_row();
                    let Some(note) = &checked.notes[index] else {
                        continue;
                    };
                    ui.label("");
                    ui.vertical(|ui| {
                        if note.is_problem() {
                            ui.colored_label(ui.visuals().error_fg_color, note.message());
                        } else {
                            ui.weak(note.message());
                        }
                        if let Some(suggestion) = &checked.suggestions[index]
                            && ui.button(format!("Use {suggestion}")).clicked()
                        {
                            edited = Some((index, suggestion.clone()));
                        }
                    });
                    ui.end_row();
                }
            });
        let has_problem = checked.notes.iter().flatten().any(TriggerNote::is_problem);
        if let Some((index, value)) = edited {
            self.triggers[index] = blueprints::with_field_value(&self.triggers[index], &value);
        }
        has_problem
    }

    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        workspace: &Workspace,
        blueprints: &[Blueprint],
        missing_packs: impl FnOnce() -> Vec<Runtime>,
        commands: &mut Vec<Command>,
    ) {
        if !self.open {
            return;
        }
        if self.missing_packs.is_none() {
            self.missing_packs = Some(missing_packs());
        }
        let mut open = self.open;
        let mut created = false;
        egui::Window::new("Create function")
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .default_size([780.0, 560.0])
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    let label = ui.label("Search blueprints");
                    ui.add(egui::TextEdit::singleline(&mut self.search).desired_width(260.0))
                        .labelled_by(label.id)
                        .on_hover_text("Words of a name, description, runtime or tag");
                });
                ui.add_space(6.0);
                // Room below for the trigger fields when the blueprint has some.
                let grid_height = if self.triggers.is_empty() {
                    380.0
                } else {
                    260.0
                };
                egui::ScrollArea::vertical()
                    .max_height(grid_height)
                    .show(ui, |ui| self.blueprint_grid_ui(ui, blueprints));
                ui.separator();
                let name_problem = validate_function_name(&self.name).err();
                ui.horizontal(|ui| {
                    let label = ui.label("Function name");
                    ui.add(egui::TextEdit::singleline(&mut self.name).desired_width(220.0))
                        .labelled_by(label.id);
                    ui.label("Memory (MB)");
                    let memory = egui::DragValue::new(&mut self.memory_mb)
                        .range(128..=10_240)
                        .speed(16);
                    ui.add(memory).accessible_name("Memory (MB)");
                });
                if let (Some(problem), false) = (&name_problem, self.name.is_empty()) {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                let trigger_problem = self.trigger_fields_ui(ui, workspace);
                let ready = self.chosen.is_some() && name_problem.is_none() && !trigger_problem;
                if ui.add_enabled(ready, egui::Button::new("Create")).clicked()
                    && let Some(blueprint) = &self.chosen
                {
                    commands.push(Command::CreateFunction {
                        blueprint: blueprint.clone(),
                        name: self.name.clone(),
                        memory_mb: self.memory_mb,
                        triggers: self.triggers.clone(),
                    });
                    created = true;
                }
            });
        self.open = open && !created;
        if created {
            *self = Self::default();
        }
    }
}
