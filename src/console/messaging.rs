//! What the Queues & Topics view shows and does: every queue with its counts, the
//! messages of the queue being browsed, every topic with its subscriptions; sending,
//! purging, redriving and publishing. It works on the workspace's state database, as the
//! CLI does; the trigger engine picks new messages and events up from there.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::model::{Trigger, Workspace};
use crate::triggers::context::load_functions;
use crate::triggers::message_attribute::{MessageAttributes, parse_attribute};
use crate::triggers::queues::{
    NewMessage, PeekedMessage, QueueCounts, QueueStore, known_queues, queue_settings,
};
use crate::triggers::topics::{MessagingStores, Publication, known_topics, publish};

/// Counts are read again at most this often while the view is open.
const REFRESH_EVERY: Duration = Duration::from_millis(500);
/// Messages the browser shows.
const BROWSED_MESSAGES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub name: String,
    pub fifo: bool,
    pub counts: QueueCounts,
    /// Its dead-letter queue, after how many receives, and how many messages wait there.
    pub dead_letter: Option<(String, u32, u64)>,
    /// Functions with an enabled trigger on this queue.
    pub consumers: Vec<String>,
    /// The queues whose dead-letter queue this is (it can be redriven to them).
    pub dead_letter_of: Vec<String>,
    /// Declared in lambdesk.toml, or implied by a trigger or destination (SQS defaults).
    pub declared: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRow {
    pub name: String,
    /// `function hello`, `queue orders (raw)`, with `(filter policy)` when it has one.
    pub subscriptions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessagingSnapshot {
    pub queues: Vec<QueueRow>,
    pub topics: Vec<TopicRow>,
    /// The queue being browsed and its oldest messages.
    pub browsed: Option<(String, Vec<PeekedMessage>)>,
    /// Why the counts could not be read, if they could not.
    pub problem: Option<String>,
}

pub struct Messaging {
    workspace: Workspace,
    /// Opened when the view is first shown.
    stores: Option<Arc<MessagingStores>>,
    snapshot: MessagingSnapshot,
    browsing: Option<String>,
    refreshed_at: Option<Instant>,
}

impl Messaging {
    pub fn new(workspace: Workspace) -> Self {
        Self {
            workspace,
            stores: None,
            snapshot: MessagingSnapshot::default(),
            browsing: None,
            refreshed_at: None,
        }
    }

    pub fn snapshot(&self) -> &MessagingSnapshot {
        &self.snapshot
    }

    fn stores(&mut self) -> Result<Arc<MessagingStores>, String> {
        if let Some(stores) = &self.stores {
            return Ok(Arc::clone(stores));
        }
        let stores =
            Arc::new(MessagingStores::open(&self.workspace).map_err(|error| error.to_string())?);
        self.stores = Some(Arc::clone(&stores));
        Ok(stores)
    }

    /// Shows `queue`'s messages in the browser (`None` closes it).
    pub fn browse(&mut self, queue: Option<String>) {
        self.browsing = queue;
        self.refresh(true);
    }

    /// Reads the counts again if they are older than half a second (or `now` is set).
    pub fn refresh(&mut self, now: bool) {
        let due = self
            .refreshed_at
            .is_none_or(|at| at.elapsed() >= REFRESH_EVERY);
        if !(now || due) {
            return;
        }
        self.refreshed_at = Some(Instant::now());
        self.snapshot = match self.stores() {
            Ok(stores) => self.read(&stores.queues),
            Err(problem) => MessagingSnapshot {
                problem: Some(problem),
                ..MessagingSnapshot::default()
            },
        };
    }

    fn read(&self, store: &QueueStore) -> MessagingSnapshot {
        let (functions, _) = load_functions(&self.workspace);
        let queues = known_queues(&self.workspace, &functions);
        let now_ms = Utc::now().timestamp_millis();
        let mut snapshot = MessagingSnapshot::default();
        for settings in queues.values() {
            if let Err(error) = store.expire(settings, now_ms) {
                snapshot.problem = Some(error.to_string());
            }
        }
        let mut counts_of = |name: &str| match store.counts(name, now_ms) {
            Ok(counts) => counts,
            Err(error) => {
                snapshot.problem = Some(error.to_string());
                QueueCounts::default()
            }
        };
        let mut rows = Vec::new();
        for (name, settings) in &queues {
            let dead_letter = settings.redrive.as_ref().map(|(dlq, max_receive_count)| {
                let waiting = counts_of(dlq);
                (
                    dlq.clone(),
                    *max_receive_count,
                    waiting.visible + waiting.in_flight,
                )
            });
            rows.push(QueueRow {
                name: name.clone(),
                fifo: settings.fifo,
                counts: counts_of(name),
                dead_letter,
                consumers: functions
                    .iter()
                    .filter(|function| {
                        function.config.triggers.iter().any(|trigger| {
                            matches!(trigger, Trigger::Queue { queue, enabled: true, .. } if queue == name)
                        })
                    })
                    .map(|function| function.name.clone())
                    .collect(),
                dead_letter_of: queues
                    .values()
                    .filter(|other| other.redrive.as_ref().is_some_and(|(dlq, _)| dlq == name))
                    .map(|other| other.name.clone())
                    .collect(),
                declared: self.workspace.config().queues.contains_key(name),
            });
        }
        snapshot.queues = rows;
        let (topics, _) = known_topics(&self.workspace, &functions);
        snapshot.topics = topics
            .into_iter()
            .map(|(name, subscriptions)| TopicRow {
                name,
                subscriptions: subscriptions
                    .iter()
                    .map(|subscription| {
                        let filtered = if subscription.filter_policy.is_some() {
                            " (filter policy)"
                        } else {
                            ""
                        };
                        format!("{}{filtered}", subscription.describe())
                    })
                    .collect(),
            })
            .collect();
        if let Some(queue) = &self.browsing {
            match store.peek(queue, BROWSED_MESSAGES, now_ms) {
                Ok(messages) => snapshot.browsed = Some((queue.clone(), messages)),
                Err(error) => snapshot.problem = Some(error.to_string()),
            }
        }
        snapshot
    }

    /// Sends one message; returns what to tell the user.
    pub fn send(
        &mut self,
        queue: &str,
        body: &str,
        attributes: &str,
        group_id: Option<&str>,
    ) -> Result<String, String> {
        let stores = self.stores()?;
        let (functions, _) = load_functions(&self.workspace);
        let settings = queue_settings(&known_queues(&self.workspace, &functions), queue)
            .map_err(|error| error.to_string())?;
        let message = NewMessage {
            body: body.to_owned(),
            attributes: parse_attributes(attributes)?,
            group_id: group_id
                .filter(|group| !group.is_empty())
                .map(str::to_owned),
            deduplication_id: None,
            message_id: None,
            hops: 0,
        };
        let sent = stores
            .queues
            .send(&settings, &[message], Utc::now().timestamp_millis())
            .map_err(|error| error.to_string())?;
        self.refresh(true);
        Ok(match sent.first() {
            Some(sent) if sent.duplicate => format!(
                "{queue}: a duplicate of message {} within 5 minutes, not delivered again",
                sent.message_id
            ),
            Some(sent) => format!("Sent message {} to {queue}", sent.message_id),
            None => format!("Nothing sent to {queue}"),
        })
    }

    pub fn purge(&mut self, queue: &str) -> Result<String, String> {
        let stores = self.stores()?;
        let purged = stores
            .queues
            .purge(queue)
            .map_err(|error| error.to_string())?;
        self.refresh(true);
        Ok(format!("Purged {purged} message(s) from {queue}"))
    }

    pub fn redrive(&mut self, dead_letter_queue: &str) -> Result<String, String> {
        let stores = self.stores()?;
        let moved = stores
            .queues
            .redrive(dead_letter_queue, Utc::now().timestamp_millis())
            .map_err(|error| error.to_string())?;
        self.refresh(true);
        Ok(format!(
            "Moved {moved} message(s) from {dead_letter_queue} back to their source queues"
        ))
    }

    pub fn publish(
        &mut self,
        topic: &str,
        message: &str,
        subject: &str,
        attributes: &str,
    ) -> Result<String, String> {
        let stores = self.stores()?;
        let (functions, _) = load_functions(&self.workspace);
        let targets = stores.targets(&self.workspace, &functions);
        let publication = Publication {
            topic: topic.to_owned(),
            message: message.to_owned(),
            subject: Some(subject.to_owned()).filter(|subject| !subject.is_empty()),
            attributes: parse_attributes(attributes)?,
            message_id: None,
        };
        let report =
            publish(&targets, &publication, 0, Utc::now()).map_err(|error| error.to_string())?;
        self.refresh(true);
        let mut said = format!("Published message {} to {topic}", report.message_id);
        if report.delivered_to.is_empty() {
            said.push_str(": no subscriber took it");
        } else {
            said.push_str(&format!(
                ", delivered to {}",
                report.delivered_to.join(", ")
            ));
        }
        if !report.failed.is_empty() {
            said.push_str(&format!("; not delivered: {}", report.failed.join("; ")));
        }
        if !report.filtered_out.is_empty() {
            said.push_str(&format!(
                " (filtered out: {})",
                report.filtered_out.join(", ")
            ));
        }
        Ok(said)
    }
}

/// One attribute a line: `name=value`, `name:Number=42`, `name:String.Array=["a","b"]`.
fn parse_attributes(text: &str) -> Result<MessageAttributes, String> {
    text.lines()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(parse_attribute)
        .collect()
}
