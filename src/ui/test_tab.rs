use crate::console::{
    Command, Console, ConsoleState, RuntimePreparation, TestResult, event_template,
    event_templates, format_usd, invocation_log_lines,
};
use crate::model::Outcome;

use super::highlight::highlighted_layout;

/// The Test tab: an event editor, the Test button, and the last result with its summary
/// and log output.
#[derive(Debug, Default)]
pub struct TestTab {
    events: Vec<String>,
    event_file: Option<String>,
    event: String,
    /// The name typed for "Save event".
    save_name: String,
    /// "Delete event" was clicked once; the second click confirms.
    confirm_delete: bool,
}

impl TestTab {
    /// Rereads the saved events after one was saved or deleted, keeping the editor's text.
    pub fn reload_events(&mut self, console: &Console, function: &str) {
        let text = std::mem::take(&mut self.event);
        let file = self.event_file.take();
        self.open_function(console, function);
        self.event = text;
        self.event_file = file.filter(|file| self.events.contains(file));
        self.confirm_delete = false;
    }

    pub fn open_function(&mut self, console: &Console, function: &str) {
        let events_dir = console
            .workspace()
            .functions_dir()
            .join(function)
            .join("events");
        let mut events: Vec<String> = std::fs::read_dir(&events_dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .filter(|name| name.ends_with(".json"))
                    .collect()
            })
            .unwrap_or_default();
        events.sort();
        self.events = events;
        let first = self.events.first().cloned();
        self.load_event(console, function, first);
    }

    fn load_event(&mut self, console: &Console, function: &str, file: Option<String>) {
        self.event = file
            .as_ref()
            .and_then(|file| console.read_file(function, &format!("events/{file}")).ok())
            .unwrap_or_else(|| "{}".to_owned());
        self.event_file = file;
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        function: &str,
        console: &Console,
        state: &ConsoleState,
        commands: &mut Vec<Command>,
    ) {
        let running = state.is_running(function);
        let json_error = serde_json::from_str::<serde_json::Value>(&self.event)
            .err()
            .map(|error| {
                format!(
                    "Invalid JSON at line {}, column {}: {error}",
                    error.line(),
                    error.column()
                )
            });
        let mut switch_to = None;
        ui.horizontal(|ui| {
            let current = self
                .event_file
                .clone()
                .unwrap_or_else(|| "(new event)".to_owned());
            egui::ComboBox::from_label("Saved event")
                .selected_text(&current)
                .show_ui(ui, |ui| {
                    for file in &self.events {
                        if ui.selectable_label(*file == current, file).clicked() {
                            switch_to = Some(file.clone());
                        }
                    }
                });
            let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Enter);
            let can_run = json_error.is_none() && !running;
            let clicked = ui
                .add_enabled(can_run, egui::Button::new("Test"))
                .on_hover_text(format!(
                    "Invoke with this event ({})",
                    ui.ctx().format_shortcut(&shortcut)
                ))
                .clicked();
            let pressed = ui.input_mut(|input| input.consume_shortcut(&shortcut));
            if (clicked || pressed) && can_run {
                commands.push(Command::Invoke {
                    function: function.to_owned(),
                    event: self.event.clone(),
                });
            }
            if running {
                ui.spinner();
                ui.label("Running...");
                if ui.button("Cancel").clicked() {
                    commands.push(Command::Cancel {
                        function: function.to_owned(),
                    });
                }
            }
        });
        // The function's language's, shown while it runs, whether a Test, a code check or
        // a trigger started it.
        let runtime = state
            .functions
            .iter()
            .find(|entry| entry.name == function)
            .and_then(|entry| entry.runtime);
        if let Some(preparation) = runtime.and_then(|runtime| console.runtime_preparation(runtime))
        {
            runtime_preparation_ui(ui, &preparation);
        }
        if let Some(file) = switch_to {
            self.load_event(console, function, Some(file));
        }
        let label = ui.label("Event JSON");
        let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap_width: f32| {
            highlighted_layout(ui, text, wrap_width, "json")
        };
        // A long event scrolls inside its editor, so the result stays in view below it.
        let max_editor_height = (ui.available_height() * 0.4).max(120.0);
        egui::ScrollArea::vertical()
            .id_salt("event_scroll")
            .max_height(max_editor_height)
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut self.event)
                        .id_salt("event_editor")
                        .code_editor()
                        .desired_width(f32::INFINITY)
                        .desired_rows(8)
                        .layouter(&mut layouter),
                )
                .labelled_by(label.id);
            });
        if let Some(error) = &json_error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        self.event_tools_ui(ui, function, json_error.is_none(), commands);
        ui.separator();
        match state.results.get(function) {
            None => {
                ui.weak("Choose or write an event, then click Test (Ctrl+Enter).");
            }
            Some(TestResult::NotRun { message }) => {
                ui.colored_label(ui.visuals().error_fg_color, "The function could not run");
                ui.label(message);
            }
            Some(TestResult::Finished { record, cost_usd }) => {
                egui::ScrollArea::vertical()
                    .id_salt("result_scroll")
                    .show(ui, |ui| {
                        result_ui(ui, record, *cost_usd);
                    });
            }
        }
    }
}

impl TestTab {
    /// Templates, save and delete: the row under the event editor.
    fn event_tools_ui(
        &mut self,
        ui: &mut egui::Ui,
        function: &str,
        valid: bool,
        commands: &mut Vec<Command>,
    ) {
        ui.horizontal(|ui| {
            let mut template = None;
            egui::ComboBox::from_label("Event template")
                .selected_text("Choose a source")
                .show_ui(ui, |ui| {
                    for (id, description) in event_templates() {
                        if ui
                            .selectable_label(false, id)
                            .on_hover_text(description)
                            .clicked()
                        {
                            template = Some(id);
                        }
                    }
                });
            if let Some(text) = template.and_then(event_template) {
                self.event = text;
                self.event_file = None;
            }
            ui.separator();
            let label = ui.label("Event name");
            ui.add(egui::TextEdit::singleline(&mut self.save_name).desired_width(140.0))
                .labelled_by(label.id);
            let can_save = valid && !self.save_name.trim().is_empty();
            if ui
                .add_enabled(can_save, egui::Button::new("Save event"))
                .clicked()
            {
                let name = self.save_name.trim().trim_end_matches(".json").to_owned();
                commands.push(Command::SaveEvent {
                    function: function.to_owned(),
                    name: name.clone(),
                    json: self.event.clone(),
                });
                self.event_file = Some(format!("{name}.json"));
                self.save_name.clear();
            }
            if let Some(file) = self.event_file.clone() {
                let text = if self.confirm_delete {
                    format!("Really delete {file}?")
                } else {
                    "Delete event".to_owned()
                };
                if ui.button(text).clicked() {
                    if self.confirm_delete {
                        commands.push(Command::DeleteEvent {
                            function: function.to_owned(),
                            name: file,
                        });
                    }
                    self.confirm_delete = !self.confirm_delete;
                }
            }
        });
    }
}

fn result_ui(ui: &mut egui::Ui, record: &crate::model::InvocationRecord, cost_usd: f64) {
    let (title, color, payload) = match &record.outcome {
        Outcome::Success(response) => (
            "Succeeded",
            egui::Color32::from_rgb(0x3f, 0xb9, 0x50),
            response.clone(),
        ),
        Outcome::Failure(_) => ("Failed", ui.visuals().error_fg_color, record.payload()),
    };
    ui.colored_label(color, egui::RichText::new(title).heading());
    let pretty = serde_json::to_string_pretty(&payload).unwrap_or_default();
    egui_extras::syntax_highlighting::code_view_ui(
        ui,
        &egui_extras::syntax_highlighting::CodeTheme::from_memory(ui.ctx(), ui.style()),
        &pretty,
        "json",
    );
    ui.add_space(8.0);
    ui.strong("Summary");
    egui::Grid::new("summary")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let build = record
                .build_duration_ms
                .map(|ms| ("Build (not billed)", format!("{:.1} s", ms / 1000.0)));
            let rows = [
                ("Request ID", record.request_id.clone()),
                ("Duration", format!("{:.2} ms", record.duration_ms)),
                (
                    "Billed duration",
                    format!("{} ms", record.billed_duration_ms),
                ),
                ("Memory size", format!("{} MB", record.memory_size_mb)),
                (
                    "Max memory used",
                    format!("{} MB", record.max_memory_used_mb),
                ),
                (
                    "Init duration",
                    record.init_duration_ms.map_or_else(
                        || "none (warm start)".to_owned(),
                        |ms| format!("{ms:.2} ms"),
                    ),
                ),
                ("Cost", format_usd(cost_usd)),
            ];
            // A compiled function's build before this run: shown apart, never billed.
            for (name, value) in rows.into_iter().chain(build) {
                ui.label(name);
                ui.monospace(value);
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.strong("Log output");
    let log = invocation_log_lines(record);
    ui.add(egui::Label::new(egui::RichText::new(log.join("\n")).monospace()).selectable(true));
}

/// Why the first JavaScript or Python run of a machine takes seconds: the step of the
/// language's one-time preparation, as a progress bar with the time so far.
fn runtime_preparation_ui(ui: &mut egui::Ui, preparation: &RuntimePreparation) {
    #[expect(clippy::cast_precision_loss, reason = "a handful of steps")]
    let done = (preparation.step_number - 1) as f32 / preparation.step_count as f32;
    ui.add(
        egui::ProgressBar::new(done)
            .text(format!(
                "Preparing the {} runtime, once per machine (step {} of {}): {} — {:.1} s",
                preparation.language,
                preparation.step_number,
                preparation.step_count,
                preparation.description,
                preparation.elapsed.as_secs_f64()
            ))
            .animate(true),
    );
    ui.weak("Later runs start in milliseconds.");
    // The step changes without an event to wake the UI: look again soon.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(100));
}
