//! File > Import SAM project…: the confirmation before an import replaces functions,
//! queues or topics, and the window listing what the import did and what did not come
//! over.

use std::path::PathBuf;

use crate::sam::import::ImportReport;

/// An import that would replace what the workspace has, waiting for the user's answer.
#[derive(Debug, Clone)]
pub struct PendingReplace {
    pub template: PathBuf,
    pub root: PathBuf,
    /// `function \`x\``, `queue \`y\``: what would be replaced.
    pub clashes: Vec<String>,
}

/// The import flow's windows.
#[derive(Debug, Default)]
pub struct SamImportWindows {
    /// The template whose target folder is being typed (no folder dialog answered).
    pub waiting_for_folder: Option<PathBuf>,
    pub confirm: Option<PendingReplace>,
    pub report: Option<ImportReport>,
}

impl SamImportWindows {
    /// Draws the open windows; returns the import to run again with replacing allowed
    /// when the user confirmed it.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<PendingReplace> {
        let mut confirmed = None;
        if let Some(pending) = &self.confirm {
            let mut answered = false;
            egui::Window::new("Replace with the SAM project's?")
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
                .show(ctx, |ui| {
                    ui.label(format!(
                        "{} already has {}.",
                        pending.root.display(),
                        pending.clashes.join(", ")
                    ));
                    ui.label(
                        "Replacing moves the old function folders to .lambdesk/replaced/; \
                         queues and topics take the template's settings.",
                    );
                    ui.horizontal(|ui| {
                        if ui.button("Replace").clicked() {
                            confirmed = Some(pending.clone());
                            answered = true;
                        }
                        if ui.button("Cancel").clicked() {
                            answered = true;
                        }
                    });
                });
            if answered {
                self.confirm = None;
            }
        }
        if let Some(report) = &self.report {
            let mut open = true;
            // Centred, so it covers neither the menu nor the function list's top.
            egui::Window::new("SAM import report")
                .open(&mut open)
                .pivot(egui::Align2::CENTER_CENTER)
                .default_pos(ctx.content_rect().center())
                .default_size([760.0, 440.0])
                .show(ctx, |ui| report_ui(ui, report));
            if !open {
                self.report = None;
            }
        }
        confirmed
    }
}

fn report_ui(ui: &mut egui::Ui, report: &ImportReport) {
    ui.label(format!("Imported into {}", report.workspace));
    ui.add_space(4.0);
    ui.strong("Functions");
    for function in &report.functions {
        match (&function.runtime, &function.not_runnable) {
            (Some(runtime), _) => {
                ui.label(format!(
                    "{}: {}, runs as {runtime}",
                    function.name, function.lambda_runtime
                ));
            }
            (None, reason) => {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "{}: {}, not runnable here: {}",
                        function.name,
                        function.lambda_runtime,
                        reason.as_deref().unwrap_or("")
                    ),
                );
            }
        }
    }
    for (kind, names) in [
        ("Buckets", &report.buckets),
        ("Queues", &report.queues),
        ("Topics", &report.topics),
    ] {
        if !names.is_empty() {
            ui.label(format!("{kind}: {}", names.join(", ")));
        }
    }
    ui.separator();
    if report.not_carried_over.is_empty() {
        ui.label("Everything was carried over.");
        return;
    }
    ui.strong(format!(
        "Not carried over ({})",
        report.not_carried_over.len()
    ));
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("sam_import_not_carried_over")
                .num_columns(3)
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    ui.strong("Resource");
                    ui.strong("Property");
                    ui.strong("Why");
                    ui.end_row();
                    for item in &report.not_carried_over {
                        ui.label(&item.resource);
                        ui.label(&item.property);
                        ui.add(egui::Label::new(&item.reason).wrap());
                        ui.end_row();
                    }
                });
        });
}
