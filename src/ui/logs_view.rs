use std::collections::VecDeque;

use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::TryRecvError;

use crate::console::{Command, Console, LogEntry};

use super::dialogs::Dialogs;

/// Lines the view keeps; older ones are in `.lambdesk/logs/`.
const MAX_LINES: usize = 100_000;

/// Levels a line can be filtered by.
const LEVELS: [&str; 6] = ["All", "INFO", "WARN", "ERROR", "DEBUG", "Platform"];

/// The live log of every invocation: filters by function, level and text; follows the
/// tail unless paused. Only the visible rows are laid out.
pub struct LogsView {
    lines: VecDeque<LogEntry>,
    receiver: Receiver<LogEntry>,
    /// Lines missed because the view fell behind (shown, not silently dropped).
    missed_lines: u64,
    function: String,
    level: &'static str,
    text: String,
    follow: bool,
    /// Indexes into `lines` that pass the filters, recomputed when something changes.
    visible: Vec<usize>,
    stale: bool,
}

impl LogsView {
    pub fn new(console: &Console) -> Self {
        Self {
            lines: console.logs().recent().into(),
            receiver: console.subscribe_logs(),
            missed_lines: 0,
            function: "All".to_owned(),
            level: "All",
            text: String::new(),
            follow: true,
            visible: Vec::new(),
            stale: true,
        }
    }

    /// Takes in new lines; runs every frame, shown or not.
    pub fn poll(&mut self) {
        loop {
            match self.receiver.try_recv() {
                Ok(entry) => {
                    if self.lines.len() == MAX_LINES {
                        self.lines.pop_front();
                    }
                    self.lines.push_back(entry);
                    self.stale = true;
                }
                Err(TryRecvError::Lagged(missed)) => self.missed_lines += missed,
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            }
        }
    }

    fn level_of(message: &str) -> &'static str {
        for level in ["INFO", "WARN", "ERROR", "DEBUG", "TRACE"] {
            if message.contains(&format!("\t{level}\t")) {
                return if level == "TRACE" { "DEBUG" } else { level };
            }
        }
        let platform = ["START RequestId", "END RequestId", "REPORT RequestId"]
            .iter()
            .any(|prefix| message.starts_with(prefix));
        if platform { "Platform" } else { "INFO" }
    }

    fn refilter(&mut self) {
        let text = self.text.to_lowercase();
        self.visible = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, entry)| self.function == "All" || entry.function == self.function)
            .filter(|(_, entry)| {
                self.level == "All" || Self::level_of(&entry.message) == self.level
            })
            .filter(|(_, entry)| text.is_empty() || entry.message.to_lowercase().contains(&text))
            .map(|(index, _)| index)
            .collect();
        self.stale = false;
    }

    /// The filtered lines as text, one per line, as Lambda writes them.
    fn visible_text(&self) -> String {
        let mut text = String::new();
        for entry in self
            .visible
            .iter()
            .filter_map(|index| self.lines.get(*index))
        {
            text.push_str(
                &entry
                    .time
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            );
            text.push('\t');
            text.push_str(&entry.function);
            text.push('\t');
            text.push_str(&entry.message);
            text.push('\n');
        }
        text
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        functions: &[String],
        dialogs: &dyn Dialogs,
        commands: &mut Vec<Command>,
    ) {
        ui.horizontal(|ui| {
            ui.heading("Logs");
            ui.separator();
            let before = (self.function.clone(), self.level, self.text.clone());
            ui.label("Function");
            egui::ComboBox::from_id_salt("logs_function")
                .selected_text(&self.function)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.function, "All".to_owned(), "All");
                    for name in functions {
                        ui.selectable_value(&mut self.function, name.clone(), name);
                    }
                })
                .response
                .accessible_name("Function");
            ui.label("Level");
            egui::ComboBox::from_id_salt("logs_level")
                .selected_text(self.level)
                .show_ui(ui, |ui| {
                    for level in LEVELS {
                        ui.selectable_value(&mut self.level, level, level);
                    }
                })
                .response
                .accessible_name("Level");
            let label = ui.label("Filter");
            ui.add(egui::TextEdit::singleline(&mut self.text).desired_width(200.0))
                .labelled_by(label.id);
            ui.checkbox(&mut self.follow, "Follow");
            if ui
                .button("Copy")
                .on_hover_text("Copy the lines shown")
                .clicked()
            {
                ui.ctx().copy_text(self.visible_text());
            }
            if ui
                .button("Export...")
                .on_hover_text("Save the lines shown to a file")
                .clicked()
                && let Some(path) = dialogs.pick_save_file("lambdesk-logs.txt")
            {
                commands.push(Command::ExportLogs {
                    path,
                    text: self.visible_text(),
                });
            }
            if before != (self.function.clone(), self.level, self.text.clone()) {
                self.stale = true;
            }
        });
        if self.stale {
            self.refilter();
        }
        ui.weak(format!(
            "{} of {} lines{}",
            self.visible.len(),
            self.lines.len(),
            if self.missed_lines > 0 {
                format!(
                    " ({} lines arrived too fast to show; they are in .lambdesk/logs)",
                    self.missed_lines
                )
            } else {
                String::new()
            }
        ));
        ui.separator();
        if self.visible.is_empty() {
            ui.weak("No log lines yet: run a function from its Test tab.");
            return;
        }
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
        egui::ScrollArea::vertical()
            .id_salt("logs_scroll")
            .auto_shrink([false, false])
            .stick_to_bottom(self.follow)
            .show_rows(ui, row_height, self.visible.len(), |ui, rows| {
                for row in rows {
                    let Some(entry) = self
                        .visible
                        .get(row)
                        .and_then(|index| self.lines.get(*index))
                    else {
                        continue;
                    };
                    let color = match Self::level_of(&entry.message) {
                        "ERROR" => ui.visuals().error_fg_color,
                        "WARN" => ui.visuals().warn_fg_color,
                        "Platform" => ui.visuals().weak_text_color(),
                        _ => ui.visuals().text_color(),
                    };
                    let line = format!(
                        "{}  {:<16} {}",
                        entry.time.format("%H:%M:%S%.3f"),
                        entry.function,
                        entry.message.replace('\t', "  ").replace('\r', " ")
                    );
                    ui.add(
                        egui::Label::new(egui::RichText::new(line).monospace().color(color))
                            .truncate(),
                    );
                }
            });
    }
}
