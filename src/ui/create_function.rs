use crate::console::{Blueprint, Command};
use crate::model::validate_function_name;

/// The Create function dialog: a searchable list of blueprints, then a name and memory.
#[derive(Debug)]
pub struct CreateFunctionDialog {
    pub open: bool,
    search: String,
    chosen: Option<String>,
    name: String,
    memory_mb: u32,
}

impl Default for CreateFunctionDialog {
    fn default() -> Self {
        Self {
            open: false,
            search: String::new(),
            chosen: None,
            name: String::new(),
            memory_mb: 128,
        }
    }
}

impl CreateFunctionDialog {
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        blueprints: &[Blueprint],
        commands: &mut Vec<Command>,
    ) {
        if !self.open {
            return;
        }
        let mut open = self.open;
        let mut created = false;
        egui::Window::new("Create function")
            .open(&mut open)
            .collapsible(false)
            .default_size([640.0, 480.0])
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    let label = ui.label("Search blueprints");
                    ui.add(egui::TextEdit::singleline(&mut self.search).desired_width(260.0))
                        .labelled_by(label.id);
                });
                ui.add_space(6.0);
                egui::ScrollArea::vertical()
                    .max_height(260.0)
                    .show(ui, |ui| {
                        let matching: Vec<&Blueprint> = blueprints
                            .iter()
                            .filter(|blueprint| blueprint.matches(&self.search))
                            .collect();
                        if matching.is_empty() {
                            ui.weak("No blueprint matches; try fewer words.");
                        }
                        for blueprint in matching {
                            let chosen = self.chosen.as_deref() == Some(blueprint.id.as_str());
                            ui.horizontal(|ui| {
                                if ui.selectable_label(chosen, &blueprint.name).clicked() {
                                    self.chosen = Some(blueprint.id.clone());
                                    if self.name.is_empty() {
                                        self.name = blueprint.id.clone();
                                    }
                                }
                                ui.weak(format!(
                                    "{} | {}",
                                    blueprint.runtime,
                                    blueprint.tags.join(", ")
                                ));
                            });
                            ui.label(&blueprint.description);
                            ui.add_space(4.0);
                        }
                    });
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
                let ready = self.chosen.is_some() && name_problem.is_none();
                if ui.add_enabled(ready, egui::Button::new("Create")).clicked()
                    && let Some(blueprint) = &self.chosen
                {
                    commands.push(Command::CreateFunction {
                        blueprint: blueprint.clone(),
                        name: self.name.clone(),
                        memory_mb: self.memory_mb,
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
