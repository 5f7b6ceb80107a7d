use crate::console::{Command, Console, FunctionEntry};

use super::highlight::{highlighted_layout, language_of};

/// The Code tab: pick a file of the function, edit it with highlighting, save with Ctrl+S.
#[derive(Debug, Default)]
pub struct CodeTab {
    files: Vec<String>,
    file: Option<String>,
    text: String,
    saved_text: String,
    load_error: Option<String>,
}

impl CodeTab {
    pub fn open_function(&mut self, console: &Console, entry: Option<&FunctionEntry>) {
        let Some(entry) = entry else {
            *self = Self::default();
            return;
        };
        self.files = entry.files.clone();
        let first = entry.main_file().map(str::to_owned);
        self.open_file(console, &entry.name, first);
    }

    fn open_file(&mut self, console: &Console, function: &str, file: Option<String>) {
        self.load_error = None;
        self.text.clear();
        if let Some(file) = &file {
            match console.read_file(function, file) {
                Ok(text) => self.text = text,
                Err(error) => self.load_error = Some(format!("Could not open {file}: {error}")),
            }
        }
        self.saved_text = self.text.clone();
        self.file = file;
    }

    pub fn is_dirty(&self) -> bool {
        self.text != self.saved_text
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        function: &str,
        console: &Console,
        commands: &mut Vec<Command>,
    ) {
        let mut switch_to = None;
        ui.horizontal(|ui| {
            let current = self.file.clone().unwrap_or_default();
            egui::ComboBox::from_label("File")
                .selected_text(&current)
                .show_ui(ui, |ui| {
                    for file in &self.files {
                        if ui.selectable_label(*file == current, file).clicked() && *file != current
                        {
                            switch_to = Some(file.clone());
                        }
                    }
                });
            let save_shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
            let save_clicked = ui
                .add_enabled(self.is_dirty(), egui::Button::new("Save"))
                .on_hover_text(format!(
                    "Save ({})",
                    ui.ctx().format_shortcut(&save_shortcut)
                ))
                .clicked();
            let save_pressed = ui.input_mut(|input| input.consume_shortcut(&save_shortcut));
            if (save_clicked || save_pressed)
                && self.is_dirty()
                && let Some(file) = &self.file
            {
                commands.push(Command::SaveFile {
                    function: function.to_owned(),
                    relative_path: file.clone(),
                    contents: self.text.clone(),
                });
                self.saved_text = self.text.clone();
            }
            if self.is_dirty() {
                ui.weak("(unsaved changes)");
            }
        });
        if let Some(file) = switch_to {
            self.open_file(console, function, Some(file));
        }
        if let Some(error) = &self.load_error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        let language = language_of(self.file.as_deref().unwrap_or_default());
        let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap_width: f32| {
            highlighted_layout(ui, text, wrap_width, language)
        };
        egui::ScrollArea::both()
            .id_salt("code_scroll")
            .show(ui, |ui| {
                let label = ui.label("Code editor");
                ui.add(
                    egui::TextEdit::multiline(&mut self.text)
                        .id_salt("code_editor")
                        .code_editor()
                        .desired_width(f32::INFINITY)
                        .desired_rows(30)
                        .layouter(&mut layouter),
                )
                .labelled_by(label.id);
            });
    }
}
