use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::TryRecvError;

use crate::console::{
    Command, Console, FunctionStatus, InvocationHistory, LogEntry, MapFunction,
    invocations_from_source,
};
use crate::model::NodeId;

use super::dialogs::Dialogs;
use super::log_rows::{LEVELS, LogRows, Row, SourceFilter, level_of};
use super::status_bar::status_color;

/// Lines the view keeps; older ones are in `.lambdesk/logs/`.
const MAX_LINES: usize = 100_000;

/// The live log of every invocation, grouped by invocation (click one to expand it) or
/// as a flat tail; filters by function, level and text; follows the tail unless paused.
/// Only the visible rows are laid out.
pub struct LogsView {
    rows: LogRows,
    receiver: Receiver<LogEntry>,
    /// Lines missed because the view fell behind (shown, not silently dropped).
    missed_lines: u64,
    follow: bool,
    /// The source card whose invocations the view shows, with the functions and triggers
    /// it was matched against (read when the filter was set).
    source: Option<(NodeId, Vec<MapFunction>)>,
    /// The history (its length and newest request id) the source filter was worked out
    /// from: it is walked again only when an invocation was recorded, not every frame.
    source_counted_for: Option<(usize, Option<String>)>,
}

impl LogsView {
    pub fn new(console: &Console) -> Self {
        let mut rows = LogRows::new(MAX_LINES);
        for entry in console.logs().recent() {
            rows.push(entry);
        }
        Self {
            rows,
            receiver: console.subscribe_logs(),
            missed_lines: 0,
            follow: true,
            source: None,
            source_counted_for: None,
        }
    }

    /// Shows only `function`'s lines (an overview card's Logs link), keeping the rest of
    /// the filter.
    pub fn filter_to_function(&mut self, function: &str) {
        let mut filter = self.rows.filter().clone();
        filter.function = function.to_owned();
        filter.source = None;
        self.source = None;
        self.rows.set_filter(filter);
    }

    /// Shows only the invocations `source` (a map card: a route, bucket, queue, topic or
    /// schedule) caused, from any function, keeping the level and text filters.
    pub fn filter_to_source(&mut self, source: &NodeId, console: &Console) {
        let functions = console
            .workspace()
            .functions()
            .into_iter()
            .filter_map(|(name, function)| Some(MapFunction::new(&name, &function.ok()?.config)))
            .collect();
        self.source = Some((source.clone(), functions));
        self.source_counted_for = None;
        let mut filter = self.rows.filter().clone();
        filter.function = "All".to_owned();
        self.rows.set_filter(filter);
        self.update_source_filter(console);
    }

    /// Brings the source filter's invocations up to date with the history: an
    /// invocation's lines may arrive before it is recorded.
    fn update_source_filter(&mut self, console: &Console) {
        let Some((source, functions)) = &self.source else {
            return;
        };
        let ledger = console.ledger();
        let counted_for = (
            ledger.history.len(),
            ledger
                .history
                .iter()
                .next_back()
                .map(|summary| summary.request_id.clone()),
        );
        if self.source_counted_for.as_ref() == Some(&counted_for) {
            return;
        }
        let request_ids = invocations_from_source(&ledger.history, functions, source);
        drop(ledger);
        self.source_counted_for = Some(counted_for);
        let mut filter = self.rows.filter().clone();
        let unchanged = filter
            .source
            .as_ref()
            .is_some_and(|shown| *shown.request_ids == request_ids);
        if !unchanged {
            filter.source = Some(SourceFilter {
                label: source.describe(),
                request_ids: std::sync::Arc::new(request_ids),
            });
            self.rows.set_filter(filter);
        }
    }

    /// Takes in new lines; runs every frame, shown or not.
    pub fn poll(&mut self) {
        loop {
            match self.receiver.try_recv() {
                Ok(entry) => self.rows.push(entry),
                Err(TryRecvError::Lagged(missed)) => self.missed_lines += missed,
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            }
        }
    }

    /// Lines as Lambda writes them, one per line, with time and function.
    fn as_text<'a>(entries: impl Iterator<Item = &'a LogEntry>) -> String {
        let mut text = String::new();
        for entry in entries {
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
        console: &Console,
        dialogs: &dyn Dialogs,
        commands: &mut Vec<Command>,
    ) {
        self.update_source_filter(console);
        // The toolbar may open a file dialog: it runs without the ledger locked, since
        // triggers record into the ledger meanwhile.
        self.toolbar_ui(ui, functions, dialogs, commands);
        let row_count = self.rows.rows().len();
        let invocations = self.rows.invocation_count();
        ui.weak(format!(
            "{invocations} {}, {} lines{}",
            if invocations == 1 {
                "invocation"
            } else {
                "invocations"
            },
            self.rows.line_count(),
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
        if row_count == 0 {
            if self.rows.line_count() == 0 {
                ui.weak("No log lines yet: run a function from its Test tab.");
            } else {
                ui.weak("No line matches the filters.");
            }
            return;
        }
        let row_height = ui
            .text_style_height(&egui::TextStyle::Monospace)
            .max(ui.spacing().interact_size.y);
        let mut toggled = None;
        let ledger = console.ledger();
        let history = &ledger.history;
        egui::ScrollArea::vertical()
            .id_salt("logs_scroll")
            .auto_shrink([false, false])
            .stick_to_bottom(self.follow)
            .show_rows(ui, row_height, row_count, |ui, visible_rows| {
                let rows = self.rows.rows();
                let shown: Vec<Row> = visible_rows
                    .filter_map(|index| rows.get(index).copied())
                    .collect();
                for row in shown {
                    match row {
                        Row::Header(group) => {
                            if self.header_ui(ui, group, row_height, history) {
                                toggled = Some(group);
                            }
                        }
                        Row::Actions(group) => self.actions_ui(ui, group, history, commands),
                        Row::Line(line) => self.line_ui(ui, line),
                    }
                }
            });
        drop(ledger);
        if let Some(group) = toggled {
            self.rows.toggle(group);
        }
    }

    fn toolbar_ui(
        &mut self,
        ui: &mut egui::Ui,
        functions: &[String],
        dialogs: &dyn Dialogs,
        commands: &mut Vec<Command>,
    ) {
        let mut filter = self.rows.filter().clone();
        ui.horizontal(|ui| {
            ui.heading("Logs");
            ui.separator();
            ui.label("Function");
            egui::ComboBox::from_id_salt("logs_function")
                .selected_text(&filter.function)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut filter.function, "All".to_owned(), "All");
                    for name in functions {
                        ui.selectable_value(&mut filter.function, name.clone(), name);
                    }
                })
                .response
                .accessible_name("Function");
            ui.label("Level");
            egui::ComboBox::from_id_salt("logs_level")
                .selected_text(filter.level)
                .show_ui(ui, |ui| {
                    for level in LEVELS {
                        ui.selectable_value(&mut filter.level, level, level);
                    }
                })
                .response
                .accessible_name("Level");
            let label = ui.label("Filter");
            ui.add(egui::TextEdit::singleline(&mut filter.text).desired_width(180.0))
                .labelled_by(label.id)
                .on_hover_text("Lines containing this text (any case)");
        });
        if let Some(source) = &filter.source {
            // A row of its own: the filters above fill a 1000-point window already.
            let mut clear = false;
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new(format!("From {}", source.label)).strong())
                    .on_hover_text("Only the invocations this source caused");
                clear = ui.button("All sources").clicked();
            });
            if clear {
                filter.source = None;
                self.source = None;
            }
        }
        ui.horizontal(|ui| {
            ui.checkbox(&mut filter.grouped, "Group by invocation")
                .on_hover_text("One row per invocation; click it to see its lines");
            ui.add_enabled(
                filter.grouped,
                egui::Checkbox::new(&mut filter.expand_all, "Expand all"),
            );
            ui.checkbox(&mut self.follow, "Follow")
                .on_hover_text("Keep the newest lines in view; off pauses scrolling");
            ui.separator();
            if ui
                .button("Copy")
                .on_hover_text("Copy the lines shown")
                .clicked()
            {
                ui.ctx().copy_text(Self::as_text(self.rows.shown_lines()));
            }
            if ui
                .button("Export...")
                .on_hover_text("Save the lines shown to a file")
                .clicked()
                && let Some(path) = dialogs.pick_save_file("lambdesk-logs.txt")
            {
                commands.push(Command::ExportLogs {
                    path,
                    text: Self::as_text(self.rows.shown_lines()),
                });
            }
        });
        self.rows.set_filter(filter);
    }

    /// An invocation's one-line summary; returns whether it was clicked (to expand it).
    fn header_ui(
        &self,
        ui: &mut egui::Ui,
        group: u64,
        row_height: f32,
        history: &InvocationHistory,
    ) -> bool {
        let Some(invocation) = self.rows.group(group) else {
            return false;
        };
        let first_line = invocation
            .lines
            .first()
            .and_then(|line| self.rows.line(*line));
        let time = first_line.map_or_else(String::new, |entry| {
            entry.time.format("%H:%M:%S%.3f").to_string()
        });
        let summary = history.get(&invocation.request_id);
        let (status, color) = match summary {
            Some(summary) if summary.is_success() => {
                ("OK".to_owned(), status_color(ui, FunctionStatus::Ok))
            }
            Some(summary) => (
                summary.error_type.clone().unwrap_or_default(),
                status_color(ui, FunctionStatus::Error),
            ),
            None => (String::new(), ui.visuals().text_color()),
        };
        let duration = summary.map_or_else(
            || self.reported_duration(group).unwrap_or_default(),
            |summary| format!("{:.2} ms", summary.duration_ms),
        );
        let source = summary.map_or("", |summary| summary.source.as_str());
        let mut clicked = false;
        ui.horizontal(|ui| {
            let (_, icon) = ui.allocate_exact_size(
                egui::vec2(row_height * 0.7, row_height),
                egui::Sense::click(),
            );
            let openness = if self.rows.is_expanded(group) {
                1.0
            } else {
                0.0
            };
            egui::collapsing_header::paint_default_icon(ui, openness, &icon);
            let mut text = egui::text::LayoutJob::default();
            let monospace = egui::TextStyle::Monospace.resolve(ui.style());
            let plain = egui::TextFormat::simple(monospace.clone(), ui.visuals().text_color());
            text.append(
                &format!("{time}  {:<16} ", invocation.function),
                0.0,
                plain.clone(),
            );
            text.append(
                &format!("{status:<16}"),
                0.0,
                egui::TextFormat::simple(monospace, color),
            );
            // The source before the request id: in a narrow window the row is cut at
            // its end, and what started an invocation matters more than its id.
            text.append(
                &format!(
                    " {duration:>11}  {:<SOURCE_COLUMN_CHARS$}  {}",
                    shortened(source, SOURCE_COLUMN_CHARS),
                    invocation.request_id
                ),
                0.0,
                plain,
            );
            let label = ui.add(
                egui::Label::new(text)
                    .sense(egui::Sense::click())
                    .truncate(),
            );
            clicked = icon.clicked() || label.clicked();
        });
        clicked
    }

    /// Duration from the REPORT line, for invocations of an earlier session.
    fn reported_duration(&self, group: u64) -> Option<String> {
        self.rows.group_lines(group).find_map(|entry| {
            let rest = entry.message.strip_prefix("REPORT RequestId: ")?;
            let duration = rest
                .split('\t')
                .find_map(|field| field.strip_prefix("Duration: "))?;
            Some(duration.to_owned())
        })
    }

    fn actions_ui(
        &self,
        ui: &mut egui::Ui,
        group: u64,
        history: &InvocationHistory,
        commands: &mut Vec<Command>,
    ) {
        let Some(invocation) = self.rows.group(group) else {
            return;
        };
        ui.horizontal(|ui| {
            ui.add_space(24.0);
            let event_kept = history
                .get(&invocation.request_id)
                .is_some_and(|summary| summary.event.is_some());
            let rerun = ui
                .add_enabled(
                    event_kept,
                    egui::Button::new("Re-run with this event").small(),
                )
                .on_hover_text(format!(
                    "Invoke {} again with the same event",
                    invocation.function
                ))
                .on_disabled_hover_text(
                    "The event of this invocation is not kept (an earlier session, or dropped \
                     to bound memory)",
                );
            if rerun.clicked() {
                commands.push(Command::Rerun {
                    request_id: invocation.request_id.to_string(),
                });
            }
            if ui
                .small_button("Copy invocation")
                .on_hover_text("Copy this invocation's lines")
                .clicked()
            {
                ui.ctx()
                    .copy_text(Self::as_text(self.rows.group_lines(group)));
            }
        });
    }

    fn line_ui(&self, ui: &mut egui::Ui, line: u64) {
        let Some(entry) = self.rows.line(line) else {
            return;
        };
        let color = match level_of(&entry.message) {
            "ERROR" => ui.visuals().error_fg_color,
            "WARN" => ui.visuals().warn_fg_color,
            "Platform" => ui.visuals().weak_text_color(),
            _ => ui.visuals().text_color(),
        };
        let indent = if self.rows.filter().grouped {
            "    "
        } else {
            ""
        };
        let text = format!(
            "{indent}{}  {:<16} {}",
            entry.time.format("%H:%M:%S%.3f"),
            entry.function,
            entry.message.replace('\t', "  ").replace('\r', " ")
        );
        ui.add(egui::Label::new(egui::RichText::new(text).monospace().color(color)).truncate());
    }
}

/// How many characters the source column ("HTTP GET /items/{id}", "Schedule nightly")
/// shows before it is shortened.
const SOURCE_COLUMN_CHARS: usize = 28;

/// `text` in at most `max_chars` characters, ending in "…" when shortened.
fn shortened(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(max_chars - 1).collect();
    kept.push('…');
    kept
}
