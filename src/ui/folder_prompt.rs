//! A folder typed by hand, where no native folder dialog answered (a desktop without a
//! portal, a remote session): File > Open/New workspace then asks for the path instead
//! of silently doing nothing.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderPrompt {
    /// What the folder is for ("Open a lambdesk workspace").
    pub title: String,
    pub path: String,
}

impl FolderPrompt {
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            path: String::new(),
        }
    }

    /// Draws the prompt. Returns the folder when the user confirms; `keep` turns false
    /// when the prompt is done (confirmed or cancelled).
    pub fn ui(&mut self, ctx: &egui::Context, keep: &mut bool) -> Option<PathBuf> {
        let mut chosen = None;
        egui::Window::new(self.title.as_str())
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(
                    "No folder was chosen in a dialog (this system may have no folder dialog): \
                     type the folder's path.",
                );
                let label = ui.label("Folder path");
                let field = ui
                    .add(egui::TextEdit::singleline(&mut self.path).desired_width(360.0))
                    .labelled_by(label.id);
                let entered =
                    field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                let path = self.path.trim();
                ui.horizontal(|ui| {
                    let ready = !path.is_empty();
                    if (ui.add_enabled(ready, egui::Button::new("Open")).clicked() || entered)
                        && ready
                    {
                        chosen = Some(expand_home(path));
                        *keep = false;
                    }
                    if ui.button("Cancel").clicked() {
                        *keep = false;
                    }
                });
            });
        chosen
    }
}

/// `~/work` as the user means it.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}
