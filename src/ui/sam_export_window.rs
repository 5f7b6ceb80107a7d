//! The window of File > Export SAM application: while it runs, then what was written
//! (template, code folders, bootstrap) and every note, most pressing first, with the
//! commands that deploy it.

use crate::console::{Command, SamExportState};
use crate::sam::export::{ExportNote, NoteLevel};

/// Draws the window while there is an export to show.
pub fn ui(ctx: &egui::Context, export: Option<&SamExportState>, commands: &mut Vec<Command>) {
    let Some(export) = export else {
        return;
    };
    let mut open = true;
    egui::Window::new("Export SAM application")
        .open(&mut open)
        .collapsible(false)
        .default_width(640.0)
        .default_height(420.0)
        .show(ctx, |ui| match export {
            SamExportState::Running { out_dir } => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Exporting into {}…", out_dir.display()));
                });
            }
            SamExportState::Failed { out_dir, message } => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Nothing was exported to {}: {message}", out_dir.display()),
                );
            }
            SamExportState::Finished(report) => {
                ui.label(format!(
                    "Wrote {} ({} files). Deploy it with:",
                    report.template_path().display(),
                    report.written.len()
                ));
                ui.code(format!(
                    "cd {} && sam build && sam deploy --guided",
                    report.out_dir.display()
                ));
                egui::ScrollArea::vertical().show(ui, |ui| {
                    for level in [
                        NoteLevel::NotCarriedOver,
                        NoteLevel::ActionNeeded,
                        NoteLevel::Info,
                    ] {
                        let notes: Vec<&ExportNote> = report
                            .notes
                            .iter()
                            .filter(|note| note.level == level)
                            .collect();
                        if notes.is_empty() {
                            continue;
                        }
                        ui.add_space(6.0);
                        ui.strong(match level {
                            NoteLevel::NotCarriedOver => "Not carried over",
                            NoteLevel::ActionNeeded => "Action needed",
                            NoteLevel::Info => "Good to know",
                        });
                        for note in notes {
                            ui.label(format!("{}: {}", note.subject, note.message));
                        }
                    }
                    ui.add_space(6.0);
                    egui::CollapsingHeader::new("Files written").show(ui, |ui| {
                        for path in &report.written {
                            ui.monospace(path.display().to_string());
                        }
                    });
                });
            }
        });
    if !open {
        commands.push(Command::DismissSamExport);
    }
}
