//! Delivers what a function sent through its `/outbox` once its invocation ended: each
//! message to its queue (SQS `SendMessage`) or topic (SNS `Publish`), if the function's
//! `[permissions]` allow it. Used by every way of invoking: triggers, the console's Test
//! button, `lambdesk invoke`.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;

use super::context::load_functions;
use super::message_attribute::{MessageAttribute, MessageAttributes};
use super::queues::{NewMessage, QueueSettings, known_queues, queue_settings};
use super::state_db::process_is_running;
use super::topics::{MessagingStores, Publication, publish};
use crate::model::{
    Function, FunctionError, InvocationRecord, Outcome, OutgoingAttribute, OutgoingMessage,
    Workspace, error_types,
};
use crate::runtime::{orphaned_outboxes, take_messages};

/// What the workspace has, read once per delivery.
struct Known<'a> {
    functions: &'a [Function],
    queues: &'a std::collections::BTreeMap<String, QueueSettings>,
}

pub struct OutboxDelivery {
    workspace: Workspace,
    /// Opened on the first message, kept for the next ones (a failure is tried again
    /// with the next message).
    stores: Mutex<Option<Arc<MessagingStores>>>,
}

impl OutboxDelivery {
    pub fn new(workspace: Workspace) -> Self {
        Self {
            workspace,
            stores: Mutex::new(None),
        }
    }

    fn stores(&self) -> Result<Arc<MessagingStores>, String> {
        let mut stores = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(opened) = stores.as_ref() {
            return Ok(Arc::clone(opened));
        }
        let opened =
            Arc::new(MessagingStores::open(&self.workspace).map_err(|error| error.to_string())?);
        *stores = Some(Arc::clone(&opened));
        Ok(opened)
    }

    /// Sends what functions wrote to outboxes of processes that are gone (killed between
    /// an invocation's end and the sending); returns a message for each problem.
    pub fn deliver_orphans(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let state_dir = self.workspace.state_dir();
        for (name, dir) in orphaned_outboxes(&state_dir, |pid| {
            pid != std::process::id() && process_is_running(pid)
        }) {
            let (messages, bad_files) = take_messages(&dir);
            problems.extend(bad_files);
            match self.workspace.function(&name) {
                Ok(function) => problems.extend(self.deliver(&function, &messages, 0)),
                Err(error) if !messages.is_empty() => problems.push(format!(
                    "lambdesk: {} message(s) {name} sent before lambdesk stopped were not sent: {error}",
                    messages.len()
                )),
                Err(_) => {}
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
        problems
    }

    /// Sends what the invocation in `record` put in its outbox. A message that could not
    /// be sent fails the invocation (as an SDK call that threw would), so a trigger retries
    /// it: nothing a function sent is lost without its event coming back.
    pub fn deliver_from(&self, function: &Function, record: &mut InvocationRecord, hops: u32) {
        let problems = self.deliver(function, &record.outbox, hops);
        if problems.is_empty() {
            return;
        }
        if record.is_success() {
            record.outcome = Outcome::Failure(FunctionError::new(
                error_types::MESSAGE_NOT_SENT,
                problems
                    .iter()
                    .map(|problem| problem.trim_start_matches("lambdesk: "))
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        record.log_lines.extend(problems);
    }

    /// Sends `function`'s messages; `hops` counts the invocations that led to it (a topic's
    /// subscribers continue the chain). Returns a log line for each message not sent.
    pub fn deliver(
        &self,
        function: &Function,
        messages: &[OutgoingMessage],
        hops: u32,
    ) -> Vec<String> {
        if messages.is_empty() {
            return Vec::new();
        }
        let stores = match self.stores() {
            Ok(stores) => stores,
            Err(error) => {
                return vec![format!(
                    "lambdesk: {} message(s) from the outbox were not sent: {error}",
                    messages.len()
                )];
            }
        };
        // Read once for all the messages: the functions (for topics' subscribers) and the
        // queues they name.
        let (functions, _) = load_functions(&self.workspace);
        let queues = known_queues(&self.workspace, &functions);
        let known = Known {
            functions: &functions,
            queues: &queues,
        };
        let mut problems = Vec::new();
        for message in messages {
            if let Err(problem) = self.deliver_one(&stores, &known, function, message, hops) {
                problems.push(format!("lambdesk: {problem}"));
            }
        }
        problems
    }

    fn deliver_one(
        &self,
        stores: &MessagingStores,
        known: &Known<'_>,
        function: &Function,
        message: &OutgoingMessage,
        hops: u32,
    ) -> Result<(), String> {
        let permissions = &function.config.permissions;
        match message {
            OutgoingMessage::Queue {
                message_id,
                queue,
                body,
                attributes,
                group_id,
                deduplication_id,
            } => {
                if !permissions.queues.contains(queue) {
                    return Err(access_denied(
                        &function.name,
                        "sqs:SendMessage",
                        "queue",
                        queue,
                    ));
                }
                let settings =
                    queue_settings(known.queues, queue).map_err(|error| error.to_string())?;
                let new = NewMessage {
                    body: body.clone(),
                    attributes: attributes_of(attributes),
                    group_id: group_id.clone(),
                    deduplication_id: deduplication_id.clone(),
                    message_id: message_id.clone(),
                    hops: hops + 1,
                };
                stores
                    .queues
                    .send(&settings, &[new], Utc::now().timestamp_millis())
                    .map(|_| ())
                    .map_err(|error| {
                        format!("the message to queue `{queue}` was not sent: {error}")
                    })
            }
            OutgoingMessage::Topic {
                message_id,
                topic,
                message,
                subject,
                attributes,
            } => {
                if !permissions.topics.contains(topic) {
                    return Err(access_denied(&function.name, "sns:Publish", "topic", topic));
                }
                let targets = stores.targets(&self.workspace, known.functions);
                let publication = Publication {
                    topic: topic.clone(),
                    message: message.clone(),
                    subject: subject.clone(),
                    attributes: attributes_of(attributes),
                    message_id: message_id.clone(),
                };
                publish(&targets, &publication, hops + 1, Utc::now())
                    .map(|_| ())
                    .map_err(|error| {
                        format!("the message to topic `{topic}` was not published: {error}")
                    })
            }
        }
    }
}

/// Lambda's words when an execution role lacks a permission.
fn access_denied(function: &str, action: &str, kind: &str, name: &str) -> String {
    format!(
        "AccessDeniedException: the function `{function}` is not authorized to perform {action} on {kind} `{name}`: add it to [permissions] {kind}s in its function.toml"
    )
}

fn attributes_of(
    attributes: &std::collections::BTreeMap<String, OutgoingAttribute>,
) -> MessageAttributes {
    attributes
        .iter()
        .map(|(name, attribute)| {
            let attribute = MessageAttribute {
                data_type: attribute.data_type.clone(),
                value: attribute.value.clone(),
            };
            (name.clone(), attribute)
        })
        .collect()
}
