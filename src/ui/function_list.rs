use crate::console::{ConsoleState, FunctionStatus};

use super::status_bar::status_color;

/// The left panel: every function with its runtime and last status. Returns the one
/// clicked.
pub fn ui(ui: &mut egui::Ui, state: &ConsoleState, selected: Option<&str>) -> Option<String> {
    ui.add_space(6.0);
    ui.heading("Functions");
    ui.add_space(4.0);
    if state.functions.is_empty() {
        ui.label("No functions in this workspace yet.");
        return None;
    }
    let mut clicked = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        for entry in &state.functions {
            let runtime = entry.runtime.map_or("invalid", |runtime| runtime.id());
            let is_selected = selected == Some(entry.name.as_str());
            let response = ui.selectable_label(is_selected, &entry.name);
            if response.clicked() {
                clicked = Some(entry.name.clone());
            }
            ui.horizontal(|ui| {
                ui.add_space(12.0);
                ui.weak(runtime);
                if entry
                    .runtime
                    .is_some_and(crate::model::Runtime::is_native_process)
                {
                    super::runtime_badge::native_process_mark_ui(ui);
                }
                let status = if entry.problem.is_some() {
                    FunctionStatus::Error
                } else {
                    entry.status
                };
                status_dot(ui, status_color(ui, status));
                ui.colored_label(status_color(ui, status), status.label());
            });
            if let Some(problem) = &entry.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem);
            }
            ui.add_space(4.0);
        }
    });
    clicked
}

/// A small filled circle in the status colour (drawn: the default fonts have no "●").
fn status_dot(ui: &mut egui::Ui, color: egui::Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(8.0, 8.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 3.5, color);
}
