//! The Queues & Topics view, like the SQS and SNS consoles in one page: each queue with
//! its messages available, in flight and in its dead-letter queue; a message browser with
//! send, purge and redrive; each topic with its subscriptions and a publish form. Counts
//! refresh twice a second while the view is open.

use chrono::{DateTime, Local, Utc};

use crate::console::{Command, MessagingSnapshot, QueueRow, TopicRow};

/// Characters of a message body shown in the browser's table.
const BODY_PREVIEW_CHARS: usize = 64;

#[derive(Debug, Default)]
pub struct MessagingView {
    /// The queue whose messages and send form are shown.
    queue: Option<String>,
    body: String,
    attributes: String,
    group_id: String,
    /// The queue whose purge waits for confirmation.
    confirm_purge: Option<String>,
    topic: Option<String>,
    message: String,
    subject: String,
    publish_attributes: String,
}

impl MessagingView {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        snapshot: &MessagingSnapshot,
        commands: &mut Vec<Command>,
    ) {
        ui.heading("Queues & Topics");
        ui.weak("Queues with SQS semantics and topics with SNS fan-out, kept in the workspace's state; `lambdesk queue` and `lambdesk topic` work on the same ones.");
        if let Some(problem) = &snapshot.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        ui.add_space(6.0);
        egui::ScrollArea::vertical()
            .id_salt("messaging_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.queues_ui(ui, &snapshot.queues, commands);
                if let Some(name) = self.queue.clone()
                    && let Some(row) = snapshot.queues.iter().find(|row| row.name == name)
                {
                    ui.add_space(8.0);
                    self.queue_detail_ui(ui, row, snapshot, commands);
                }
                ui.add_space(12.0);
                ui.separator();
                self.topics_ui(ui, &snapshot.topics, commands);
            });
        self.confirm_purge_ui(ui.ctx(), commands);
    }

    fn queues_ui(&mut self, ui: &mut egui::Ui, queues: &[QueueRow], commands: &mut Vec<Command>) {
        ui.strong("Queues");
        if queues.is_empty() {
            ui.weak("No queues yet: declare one as [queues.<name>] in lambdesk.toml, or give a function a queue trigger.");
            return;
        }
        egui::Grid::new("queues_grid")
            .striped(true)
            .spacing([18.0, 6.0])
            .show(ui, |ui| {
                for heading in ["Queue", "Type", "Available", "In flight", "Dead-letter queue", "Consumers"] {
                    ui.strong(heading);
                }
                ui.end_row();
                for row in queues {
                    let selected = self.queue.as_deref() == Some(row.name.as_str());
                    if ui
                        .selectable_label(selected, &row.name)
                        .on_hover_text("Browse its messages and send one")
                        .clicked()
                    {
                        let queue = (!selected).then(|| row.name.clone());
                        self.queue.clone_from(&queue);
                        commands.push(Command::BrowseQueue { queue });
                    }
                    let kind = if row.fifo { "FIFO" } else { "Standard" };
                    if row.declared {
                        ui.label(kind);
                    } else {
                        ui.label(format!("{kind}, defaults"))
                            .on_hover_text("Not declared in lambdesk.toml: a trigger or destination names it, so it has SQS's default settings");
                    }
                    ui.label(row.counts.visible.to_string());
                    ui.label(row.counts.in_flight.to_string());
                    match &row.dead_letter {
                        Some((dlq, max_receive_count, waiting)) => ui.label(format!(
                            "{dlq}: {waiting} (after {max_receive_count} receives)"
                        )),
                        None => ui.weak("none"),
                    };
                    if row.consumers.is_empty() {
                        ui.weak("none");
                    } else {
                        ui.label(row.consumers.join(", "));
                    }
                    ui.end_row();
                }
            });
    }

    fn queue_detail_ui(
        &mut self,
        ui: &mut egui::Ui,
        row: &QueueRow,
        snapshot: &MessagingSnapshot,
        commands: &mut Vec<Command>,
    ) {
        ui.group(|ui| {
            ui.horizontal(|ui| {
                ui.strong(format!("Send and receive: {}", row.name));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .button("Purge")
                        .on_hover_text("Delete every message of this queue")
                        .clicked()
                    {
                        self.confirm_purge = Some(row.name.clone());
                    }
                    if !row.dead_letter_of.is_empty()
                        && ui
                            .button("Start DLQ redrive")
                            .on_hover_text(format!(
                                "Move these messages back to {}",
                                row.dead_letter_of.join(", ")
                            ))
                            .clicked()
                    {
                        commands.push(Command::RedriveQueue {
                            queue: row.name.clone(),
                        });
                    }
                });
            });
            let label = ui.label("Message body");
            ui.add(
                egui::TextEdit::multiline(&mut self.body)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .code_editor(),
            )
            .labelled_by(label.id);
            let label = ui.label("Message attributes (one a line: name=value, name:Number=42)");
            ui.add(
                egui::TextEdit::multiline(&mut self.attributes)
                    .desired_rows(1)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            ui.horizontal(|ui| {
                if row.fifo {
                    let label = ui.label("Message group id");
                    ui.add(egui::TextEdit::singleline(&mut self.group_id).desired_width(160.0))
                        .labelled_by(label.id);
                }
                let ready = !self.body.is_empty() && (!row.fifo || !self.group_id.is_empty());
                if ui
                    .add_enabled(ready, egui::Button::new("Send message"))
                    .clicked()
                {
                    commands.push(Command::SendMessage {
                        queue: row.name.clone(),
                        body: self.body.clone(),
                        attributes: self.attributes.clone(),
                        group_id: row.fifo.then(|| self.group_id.clone()),
                    });
                }
            });
            ui.add_space(6.0);
            let messages = snapshot
                .browsed
                .as_ref()
                .filter(|(queue, _)| *queue == row.name)
                .map(|(_, messages)| messages.as_slice())
                .unwrap_or_default();
            if messages.is_empty() {
                ui.weak("No messages waiting.");
                return;
            }
            ui.weak(format!(
                "The oldest {} messages, without receiving them:",
                messages.len()
            ));
            egui::Grid::new("messages_grid")
                .striped(true)
                .spacing([14.0, 4.0])
                .show(ui, |ui| {
                    for heading in ["Sent", "Message id", "Receives", "State", "Body"] {
                        ui.strong(heading);
                    }
                    ui.end_row();
                    for message in messages {
                        ui.label(local_time(message.sent_at_ms));
                        ui.monospace(short_id(&message.message_id));
                        ui.label(message.receive_count.to_string());
                        let mut state = if message.in_flight {
                            "in flight"
                        } else {
                            "available"
                        }
                        .to_owned();
                        if let Some(source) = &message.source_queue {
                            state.push_str(&format!(", from {source}"));
                        }
                        ui.label(state);
                        let preview: String =
                            message.body.chars().take(BODY_PREVIEW_CHARS).collect();
                        ui.monospace(preview).on_hover_text(&message.body);
                        ui.end_row();
                    }
                });
        });
    }

    fn topics_ui(&mut self, ui: &mut egui::Ui, topics: &[TopicRow], commands: &mut Vec<Command>) {
        ui.strong("Topics");
        if topics.is_empty() {
            ui.weak("No topics yet: declare one as [topics.<name>] in lambdesk.toml, or give a function a topic trigger.");
            return;
        }
        egui::Grid::new("topics_grid")
            .striped(true)
            .spacing([18.0, 6.0])
            .show(ui, |ui| {
                ui.strong("Topic");
                ui.strong("Subscriptions");
                ui.end_row();
                for row in topics {
                    let selected = self.topic.as_deref() == Some(row.name.as_str());
                    if ui
                        .selectable_label(selected, &row.name)
                        .on_hover_text("Publish a message to it")
                        .clicked()
                    {
                        self.topic = (!selected).then(|| row.name.clone());
                    }
                    if row.subscriptions.is_empty() {
                        ui.weak("none");
                    } else {
                        ui.label(row.subscriptions.join(", "));
                    }
                    ui.end_row();
                }
            });
        let Some(topic) = self.topic.clone() else {
            return;
        };
        ui.add_space(8.0);
        ui.group(|ui| {
            ui.strong(format!("Publish message: {topic}"));
            ui.horizontal(|ui| {
                let label = ui.label("Subject");
                ui.add(egui::TextEdit::singleline(&mut self.subject).desired_width(240.0))
                    .labelled_by(label.id);
            });
            let label = ui.label("Message");
            ui.add(
                egui::TextEdit::multiline(&mut self.message)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .code_editor(),
            )
            .labelled_by(label.id);
            let label = ui.label("Publish attributes (one a line: name=value, name:Number=42)");
            ui.add(
                egui::TextEdit::multiline(&mut self.publish_attributes)
                    .desired_rows(1)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            if ui
                .add_enabled(
                    !self.message.is_empty(),
                    egui::Button::new("Publish message"),
                )
                .clicked()
            {
                commands.push(Command::Publish {
                    topic,
                    message: self.message.clone(),
                    subject: self.subject.clone(),
                    attributes: self.publish_attributes.clone(),
                });
            }
        });
    }

    fn confirm_purge_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let Some(queue) = self.confirm_purge.clone() else {
            return;
        };
        egui::Window::new("Purge queue")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(format!(
                    "Delete every message of {queue}, available and in flight? This cannot be undone."
                ));
                ui.horizontal(|ui| {
                    if ui.button("Purge messages").clicked() {
                        commands.push(Command::PurgeQueue { queue: queue.clone() });
                        self.confirm_purge = None;
                    }
                    if ui.button("Cancel").clicked() {
                        self.confirm_purge = None;
                    }
                });
            });
    }
}

fn local_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&Local)
        .format("%H:%M:%S%.3f")
        .to_string()
}

/// The first block of a message id: enough to tell messages apart at a glance.
fn short_id(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}
