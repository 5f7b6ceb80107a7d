use crate::console::{Command, Console, ConsoleState, FunctionEntry};
use crate::model::DiagnosticLevel;

use super::build_bar::{build_bar_ui, is_compiled, markers_of};
use super::code_editing::{indent_like_previous_line, next_match, unindent_line};
use super::code_gutter::{line_numbers, line_start_char, syntax_error_line};
use super::highlight::{highlighted_layout, language_of};

/// The Code tab: pick a file of the function, edit it with highlighting, save with Ctrl+S.
#[derive(Debug, Default)]
pub struct CodeTab {
    files: Vec<String>,
    file: Option<String>,
    text: String,
    saved_text: String,
    load_error: Option<String>,
    /// The highlighted layout of `text` and the text it was made from: reused while the
    /// text is unchanged, so a long file costs a comparison per frame, not a relayout.
    layout_cache: Option<(String, std::sync::Arc<egui::Galley>)>,
    /// A file operation being typed or confirmed.
    file_action: Option<FileAction>,
    /// After a file command: the file to open once the console has applied it.
    reopen: Option<Option<String>>,
    /// The Ctrl+F bar: shown, what to find, what to put instead.
    find_open: bool,
    find: String,
    replace: String,
    /// "Find next" was clicked: select the next match after the cursor this frame.
    find_next: bool,
    /// A problem was clicked: put the cursor at the start of this (1-based) line.
    jump_to_line: Option<usize>,
    /// Unsaved changes from an earlier session, offered back.
    recovered: Option<String>,
    /// When the unsaved text was last copied aside.
    last_autosave: Option<std::time::Instant>,
    /// The gutter's layout and what it was made for.
    gutter_cache: Option<(GutterKey, std::sync::Arc<egui::Galley>)>,
    /// The console's count of disk changes when the file was last compared with disk.
    disk_generation: u64,
    /// The file changed on disk while the editor had unsaved changes: the user chooses.
    disk_changed: bool,
    /// A save was sent: the text it replaced as saved, restored if the save is refused.
    pending_save_previous: Option<String>,
}

/// What the gutter shows: the number of lines and the marked lines (`true`: an error,
/// `false`: a warning).
type GutterKey = (usize, Vec<(usize, bool)>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum FileAction {
    New(String),
    Rename(String),
    ConfirmDelete,
}

impl CodeTab {
    /// Picks up the function's files after a file command was applied.
    pub fn after_commands(&mut self, console: &Console, entry: Option<&FunctionEntry>) {
        let Some(entry) = entry else {
            return;
        };
        if let Some(target) = self.reopen.take() {
            self.files = entry.files.clone();
            let target = target.filter(|file| self.files.contains(file));
            let target = target.or_else(|| entry.main_file().map(str::to_owned));
            self.open_file(console, &entry.name, target);
            return;
        }
        let state = console.state();
        if let (Some(previous), Some(file)) = (self.pending_save_previous.take(), &self.file)
            && state
                .save_conflicts
                .contains(&(entry.name.clone(), file.clone()))
        {
            // Refused: the file changed on disk. The text is unsaved again.
            self.saved_text = previous;
            self.disk_changed = true;
        }
        if state.disk_generation != self.disk_generation {
            self.disk_generation = state.disk_generation;
            self.files = entry.files.clone();
            self.follow_disk(console, &entry.name);
        }
    }

    /// Shows what the open file says on disk now, unless the user has unsaved changes
    /// (then they choose: reload, or save theirs over it).
    fn follow_disk(&mut self, console: &Console, function: &str) {
        let Some(file) = &self.file else {
            return;
        };
        // A file removed on disk keeps its text in the editor, to be saved again.
        let Ok(on_disk) = console.read_file(function, file) else {
            return;
        };
        if on_disk == self.saved_text {
            return;
        }
        if !self.is_dirty() {
            self.text.clone_from(&on_disk);
            self.saved_text = on_disk;
        } else if on_disk == self.text {
            self.saved_text = on_disk;
        } else {
            self.disk_changed = true;
        }
    }

    /// "Changed on disk": Reload (the user's changes go) or save theirs over it.
    fn disk_changed_ui(
        &mut self,
        ui: &mut egui::Ui,
        console: &Console,
        function: &str,
        commands: &mut Vec<Command>,
    ) {
        let (true, Some(file)) = (self.disk_changed, self.file.clone()) else {
            return;
        };
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{file} changed on disk since you opened it."),
            );
            if ui.button("Reload from disk").clicked() {
                self.open_file(console, function, Some(file.clone()));
                commands.push(Command::DismissSaveConflict {
                    function: function.to_owned(),
                    relative_path: file.clone(),
                });
            }
            if ui.button("Save mine over it").clicked() {
                self.save(function, None, commands);
            }
        });
    }

    /// Saves the editor's text; with `expected`, only over that text on disk.
    fn save(&mut self, function: &str, expected: Option<String>, commands: &mut Vec<Command>) {
        let Some(file) = &self.file else {
            return;
        };
        commands.push(Command::SaveFile {
            function: function.to_owned(),
            relative_path: file.clone(),
            contents: self.text.clone(),
            expected,
        });
        commands.push(Command::Autosave {
            function: function.to_owned(),
            relative_path: file.clone(),
            contents: None,
        });
        self.pending_save_previous =
            Some(std::mem::replace(&mut self.saved_text, self.text.clone()));
        self.disk_changed = false;
    }

    /// New, Rename and Delete for the function's files.
    fn file_buttons_ui(&mut self, ui: &mut egui::Ui) {
        if ui.button("New file").clicked() {
            self.file_action = Some(FileAction::New(String::new()));
        }
        if let Some(file) = &self.file {
            if ui.button("Rename file").clicked() {
                self.file_action = Some(FileAction::Rename(file.clone()));
            }
            if ui.button("Delete file").clicked() {
                self.file_action = Some(FileAction::ConfirmDelete);
            }
        }
    }

    /// The name being typed for a new or renamed file, or the delete confirmation.
    fn file_action_ui(&mut self, ui: &mut egui::Ui, function: &str, commands: &mut Vec<Command>) {
        let Some(action) = self.file_action.as_mut() else {
            return;
        };
        let mut done = false;
        ui.horizontal(|ui| match action {
            FileAction::New(name) | FileAction::Rename(name) => {
                let label = ui.label("File name");
                ui.add(egui::TextEdit::singleline(name).desired_width(220.0))
                    .labelled_by(label.id);
                if ui
                    .add_enabled(!name.trim().is_empty(), egui::Button::new("OK"))
                    .clicked()
                {
                    let name = name.trim().to_owned();
                    match (&*action, &self.file) {
                        (FileAction::Rename(_), Some(file)) => commands.push(Command::RenameFile {
                            function: function.to_owned(),
                            from: file.clone(),
                            to: name.clone(),
                        }),
                        _ => commands.push(Command::NewFile {
                            function: function.to_owned(),
                            relative_path: name.clone(),
                        }),
                    }
                    self.reopen = Some(Some(name));
                    done = true;
                }
                if ui.button("Cancel").clicked() {
                    done = true;
                }
            }
            FileAction::ConfirmDelete => {
                let file = self.file.clone().unwrap_or_default();
                ui.label(format!("Delete {file}?"));
                if ui.button("Delete it").clicked() {
                    commands.push(Command::DeleteFile {
                        function: function.to_owned(),
                        relative_path: file,
                    });
                    self.reopen = Some(None);
                    done = true;
                }
                if ui.button("Keep it").clicked() {
                    done = true;
                }
            }
        });
        if done {
            self.file_action = None;
        }
    }

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
        self.disk_changed = false;
        self.pending_save_previous = None;
        self.disk_generation = console.state().disk_generation;
        self.recovered = file
            .as_ref()
            .and_then(|file| console.unsaved_copy(function, file));
        self.last_autosave = None;
        self.file = file;
    }

    /// Copies unsaved text aside every few seconds, so a crash loses at most that.
    fn autosave(&mut self, function: &str, commands: &mut Vec<Command>) {
        const AUTOSAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
        let Some(file) = &self.file else {
            return;
        };
        let due = self
            .last_autosave
            .is_none_or(|last| last.elapsed() >= AUTOSAVE_EVERY);
        if self.is_dirty() && due && self.recovered.is_none() {
            commands.push(Command::Autosave {
                function: function.to_owned(),
                relative_path: file.clone(),
                contents: Some(self.text.clone()),
            });
            self.last_autosave = Some(std::time::Instant::now());
        }
    }

    /// Ctrl+F: find (next match is selected) and replace all.
    fn find_bar_ui(&mut self, ui: &mut egui::Ui) {
        let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::F);
        let focus_find = ui.input_mut(|input| input.consume_shortcut(&shortcut));
        if focus_find {
            self.find_open = true;
        }
        if !self.find_open {
            return;
        }
        ui.horizontal(|ui| {
            let label = ui.label("Find");
            let find = ui
                .add(egui::TextEdit::singleline(&mut self.find).desired_width(200.0))
                .labelled_by(label.id);
            // Ctrl+F moves the typing into the find field, out of the code.
            if focus_find {
                find.request_focus();
            }
            let enter = find.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
            if (ui.button("Find next").clicked() || enter) && !self.find.is_empty() {
                self.find_next = true;
            }
            let label = ui.label("Replace with");
            ui.add(egui::TextEdit::singleline(&mut self.replace).desired_width(200.0))
                .labelled_by(label.id);
            let matches = if self.find.is_empty() {
                0
            } else {
                self.text.matches(self.find.as_str()).count()
            };
            if ui
                .add_enabled(matches > 0, egui::Button::new("Replace all"))
                .clicked()
            {
                self.text = self.text.replace(self.find.as_str(), &self.replace);
            }
            ui.weak(format!("{matches} matches"));
            if ui.button("Close").clicked() {
                self.find_open = false;
            }
        });
    }

    /// "Unsaved changes from an earlier session": Restore or Discard.
    fn recovered_ui(&mut self, ui: &mut egui::Ui, function: &str, commands: &mut Vec<Command>) {
        let (Some(recovered), Some(file)) = (&self.recovered, &self.file) else {
            return;
        };
        let mut decided = None;
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{file} has unsaved changes from an earlier session."),
            );
            if ui.button("Restore").clicked() {
                decided = Some(true);
            }
            if ui.button("Discard").clicked() {
                decided = Some(false);
            }
        });
        match decided {
            Some(true) => {
                self.text = recovered.clone();
                self.recovered = None;
            }
            Some(false) => {
                commands.push(Command::Autosave {
                    function: function.to_owned(),
                    relative_path: file.clone(),
                    contents: None,
                });
                self.recovered = None;
            }
            None => {}
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.text != self.saved_text
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        function: &str,
        console: &Console,
        state: &ConsoleState,
        commands: &mut Vec<Command>,
    ) {
        let mut switch_to = None;
        let mut save_now = None;
        egui::Panel::left("code_files")
            .resizable(true)
            .default_size(170.0)
            .show(ui, |ui| {
                ui.strong("Files");
                egui::ScrollArea::vertical()
                    .id_salt("file_tree_scroll")
                    .show(ui, |ui| {
                        switch_to = super::file_tree::ui(
                            ui,
                            &self.files,
                            self.file.as_deref(),
                            self.is_dirty(),
                        );
                    });
            });
        ui.horizontal(|ui| {
            if let Some(file) = &self.file {
                ui.strong(file);
            }
            let save_shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
            let save_clicked = ui
                .add_enabled(self.is_dirty(), egui::Button::new("Save"))
                .on_hover_text(format!(
                    "Save ({})",
                    ui.ctx().format_shortcut(&save_shortcut)
                ))
                .clicked();
            let save_pressed = ui.input_mut(|input| input.consume_shortcut(&save_shortcut));
            if (save_clicked || save_pressed) && self.is_dirty() {
                let expected = Some(self.saved_text.clone());
                save_now = Some(expected);
            }
            if self.is_dirty() {
                ui.weak("(unsaved changes)");
            }
            ui.separator();
            self.file_buttons_ui(ui);
        });
        if let Some(expected) = save_now {
            self.save(function, expected, commands);
        }
        if let Some(file) = switch_to {
            self.open_file(console, function, Some(file));
        }
        self.disk_changed_ui(ui, console, function, commands);
        if let Some(error) = &self.load_error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        self.file_action_ui(ui, function, commands);
        self.recovered_ui(ui, function, commands);
        self.find_bar_ui(ui);
        self.autosave(function, commands);
        let compiled = is_compiled(state, function);
        let build_status = compiled.then(|| console.build_status(function)).flatten();
        if compiled
            && let Some(jump) = build_bar_ui(ui, function, state, build_status.as_ref(), commands)
        {
            if self.file.as_deref() != Some(jump.file.as_str()) {
                self.open_file(console, function, Some(jump.file));
            }
            self.jump_to_line = Some(jump.line);
        }
        let language = language_of(self.file.as_deref().unwrap_or_default());
        // Code does not wrap: the line numbers stay aligned with the rows.
        let layout_cache = &mut self.layout_cache;
        let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, _wrap_width: f32| {
            if let Some((cached_text, galley)) = layout_cache.as_ref()
                && cached_text == text.as_str()
            {
                return std::sync::Arc::clone(galley);
            }
            let galley = highlighted_layout(ui, text, f32::INFINITY, language);
            *layout_cache = Some((text.as_str().to_owned(), std::sync::Arc::clone(&galley)));
            galley
        };
        let error_line = self
            .file
            .as_deref()
            .and_then(|file| syntax_error_line(state, function, file));
        let mut marked_lines: Vec<(usize, bool)> = self
            .file
            .as_deref()
            .map(|file| markers_of(build_status.as_ref(), file))
            .unwrap_or_default()
            .into_iter()
            .map(|(line, level)| (line, level == DiagnosticLevel::Error))
            .collect();
        marked_lines.extend(error_line.as_ref().map(|(line, _)| (*line, true)));
        if let Some((line, message)) = &error_line {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Line {line}: {message}"),
            );
        }
        let label = ui.label("Code editor");
        // Fill the tab's height: the editor is where the user works.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a small positive row count"
        )]
        let editor_rows = ((ui.available_height() - 12.0)
            / ui.text_style_height(&egui::TextStyle::Monospace))
        .max(10.0) as usize;
        egui::ScrollArea::both()
            .id_salt("code_scroll")
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    let key = (self.text.split('\n').count(), marked_lines);
                    let gutter = match &self.gutter_cache {
                        Some((cached_key, galley)) if *cached_key == key => {
                            std::sync::Arc::clone(galley)
                        }
                        _ => {
                            let galley = line_numbers(ui, key.0, &key.1);
                            self.gutter_cache = Some((key, std::sync::Arc::clone(&galley)));
                            galley
                        }
                    };
                    ui.vertical(|ui| {
                        // The editor's text starts below its frame's inner margin.
                        ui.add_space(2.0);
                        ui.add(egui::Label::new(gutter).selectable(false));
                    });
                    let editor_id = ui.scope_id().with("code_editor");
                    let focused = ui.memory(|memory| memory.has_focus(editor_id));
                    let enter = focused
                        && ui.input(|input| {
                            input.key_pressed(egui::Key::Enter) && input.modifiers.is_none()
                        });
                    let unindent = focused
                        && ui.input_mut(|input| {
                            input.consume_key(egui::Modifiers::SHIFT, egui::Key::Tab)
                        });
                    let output = egui::TextEdit::multiline(&mut self.text)
                        .id(editor_id)
                        .code_editor()
                        .desired_width(f32::INFINITY)
                        .desired_rows(editor_rows)
                        .layouter(&mut layouter)
                        .show(ui);
                    output.response.response.clone().labelled_by(label.id);
                    let cursor = output.cursor_range.map(|range| range.primary.index.0);
                    let edited = match cursor {
                        Some(cursor) if enter && output.response.response.changed() => {
                            indent_like_previous_line(&mut self.text, cursor)
                        }
                        Some(cursor) if unindent => unindent_line(&mut self.text, cursor),
                        _ => None,
                    };
                    if let Some(line) = self.jump_to_line.take() {
                        let start = line_start_char(&self.text, line);
                        let mut state = output.state.clone();
                        state
                            .cursor
                            .set_char_range(Some(egui::text::CCursorRange::one(
                                egui::text::CCursor::new(start),
                            )));
                        state.store(ui.ctx(), editor_id);
                        ui.memory_mut(|memory| memory.request_focus(editor_id));
                    }
                    if self.find_next {
                        self.find_next = false;
                        let from = cursor.unwrap_or(0);
                        if let Some((start, end)) = next_match(&self.text, &self.find, from) {
                            let mut state = output.state.clone();
                            state
                                .cursor
                                .set_char_range(Some(egui::text::CCursorRange::two(
                                    egui::text::CCursor::new(start),
                                    egui::text::CCursor::new(end),
                                )));
                            state.store(ui.ctx(), editor_id);
                            ui.memory_mut(|memory| memory.request_focus(editor_id));
                        }
                    }
                    if let Some(new_cursor) = edited {
                        let mut state = output.state;
                        state
                            .cursor
                            .set_char_range(Some(egui::text::CCursorRange::one(
                                egui::text::CCursor::new(new_cursor),
                            )));
                        state.store(ui.ctx(), editor_id);
                    }
                });
            });
    }
}
