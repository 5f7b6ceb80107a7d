//! Publishing to a topic as SNS does: every subscription whose filter policy passes gets
//! the message — a function as an asynchronous invocation with SNS's record (retried
//! and sent to its destinations like any asynchronous event), a queue as an SQS message
//! holding SNS's JSON envelope (or the message alone with raw message delivery).
//! Everything is written in the workspace's state database: whoever publishes (the
//! console, `serve`, the CLI), a running engine delivers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::subscriptions::{Endpoint, Subscription, known_topics};
use crate::model::{Function, Workspace, table_header};
use crate::triggers::async_delivery::{AsyncStore, NewAsyncEvent};
use crate::triggers::events::sns::{SnsMessageAttribute, SnsNotification};
use crate::triggers::message_attribute::MessageAttributes;
use crate::triggers::queues::{NewMessage, QueueStore, known_queues};
use crate::triggers::state_db::{StoreError, state_path};

/// SNS's limits.
pub const MAX_MESSAGE_BYTES: usize = 262_144;
const MAX_SUBJECT_CHARS: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publication {
    pub topic: String,
    pub message: String,
    pub subject: Option<String>,
    pub attributes: MessageAttributes,
    /// The id to publish under (a function's `publish` already returned it); fresh when
    /// absent.
    pub message_id: Option<String>,
}

/// Where a published message went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishReport {
    pub message_id: String,
    /// `function hello`, `queue orders`.
    pub delivered_to: Vec<String>,
    /// Subscriptions whose filter policy did not match.
    pub filtered_out: Vec<String>,
    /// Subscriptions the message could not be delivered to, and why. As on SNS, one
    /// failing subscription does not stop the others.
    pub failed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "there is no topic `{name}` in this workspace (known: {}); declare it as {} in lambdesk.toml or subscribe a function to it",
        if known.is_empty() { "none".to_owned() } else { known.join(", ") },
        table_header("topics", name)
    )]
    UnknownTopic { name: String, known: Vec<String> },
    #[error("the message is {size_bytes} bytes; SNS takes at most 262144 bytes (256 KiB)")]
    TooLarge { size_bytes: usize },
    #[error("the subject is {chars} characters; SNS takes at most 100")]
    SubjectTooLong { chars: usize },
    #[error("the subscribed queue `{queue}` could not take the message: {message}")]
    Queue { queue: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The stores a publication is written to.
pub struct PublishTargets<'a> {
    pub workspace: &'a Workspace,
    pub functions: &'a [Function],
    pub async_events: &'a AsyncStore,
    pub queues: &'a QueueStore,
}

/// The workspace's queues and asynchronous backlog, opened together: what publishing and
/// sending write to.
#[derive(Debug)]
pub struct MessagingStores {
    pub queues: QueueStore,
    pub async_events: AsyncStore,
}

impl MessagingStores {
    pub fn open(workspace: &Workspace) -> Result<Self, StoreError> {
        let path = state_path(workspace);
        Ok(Self {
            queues: QueueStore::open(&path)?,
            async_events: AsyncStore::open(&path)?,
        })
    }

    /// Where a publication to `workspace`, whose functions are `functions`, goes.
    pub fn targets<'a>(
        &'a self,
        workspace: &'a Workspace,
        functions: &'a [Function],
    ) -> PublishTargets<'a> {
        PublishTargets {
            workspace,
            functions,
            async_events: &self.async_events,
            queues: &self.queues,
        }
    }
}

/// Publishes to `publication.topic`; `hops` counts the invocations that led here (a
/// destination publishing continues its chain).
pub fn publish(
    targets: &PublishTargets<'_>,
    publication: &Publication,
    hops: u32,
    now: DateTime<Utc>,
) -> Result<PublishReport, PublishError> {
    let size_bytes = publication.message.len()
        + publication
            .attributes
            .iter()
            .map(|(name, attribute)| name.len() + attribute.data_type.len() + attribute.value.len())
            .sum::<usize>();
    if size_bytes > MAX_MESSAGE_BYTES {
        return Err(PublishError::TooLarge { size_bytes });
    }
    if let Some(subject) = &publication.subject
        && subject.chars().count() > MAX_SUBJECT_CHARS
    {
        return Err(PublishError::SubjectTooLong {
            chars: subject.chars().count(),
        });
    }
    let (topics, _) = known_topics(targets.workspace, targets.functions);
    let Some(subscriptions) = topics.get(&publication.topic) else {
        return Err(PublishError::UnknownTopic {
            name: publication.topic.clone(),
            known: topics.keys().cloned().collect(),
        });
    };
    let message_id = publication
        .message_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut report = PublishReport {
        message_id: message_id.clone(),
        delivered_to: Vec::new(),
        filtered_out: Vec::new(),
        failed: Vec::new(),
    };
    for subscription in subscriptions {
        let passes = subscription
            .filter_policy
            .as_ref()
            .is_none_or(|policy| policy.matches(&publication.attributes));
        if !passes {
            report.filtered_out.push(subscription.describe());
            continue;
        }
        let notification = notification(
            targets.workspace,
            publication,
            subscription,
            &message_id,
            now,
        );
        match deliver(targets, publication, subscription, &notification, hops, now) {
            Ok(()) => report.delivered_to.push(subscription.describe()),
            Err(error) => report
                .failed
                .push(format!("{}: {error}", subscription.describe())),
        }
    }
    Ok(report)
}

fn notification(
    workspace: &Workspace,
    publication: &Publication,
    subscription: &Subscription,
    message_id: &str,
    now: DateTime<Utc>,
) -> SnsNotification {
    let mut notification = SnsNotification::new(&publication.topic, &publication.message);
    message_id.clone_into(&mut notification.message_id);
    workspace
        .config()
        .region
        .clone_into(&mut notification.region);
    subscription
        .id
        .clone_into(&mut notification.subscription_id);
    notification.subject.clone_from(&publication.subject);
    notification.timestamp = now;
    notification.message_attributes = publication
        .attributes
        .iter()
        .map(|(name, attribute)| {
            let attribute = SnsMessageAttribute {
                data_type: attribute.data_type.clone(),
                value: attribute.value.clone(),
            };
            (name.clone(), attribute)
        })
        .collect::<BTreeMap<_, _>>();
    notification
}

fn deliver(
    targets: &PublishTargets<'_>,
    publication: &Publication,
    subscription: &Subscription,
    notification: &SnsNotification,
    hops: u32,
    now: DateTime<Utc>,
) -> Result<(), PublishError> {
    let now_ms = now.timestamp_millis();
    match &subscription.endpoint {
        Endpoint::Function(function) => {
            let event = notification.event().to_string();
            let origin = format!("Topic {}", publication.topic);
            targets.async_events.enqueue(
                &NewAsyncEvent {
                    function,
                    event: &event,
                    origin: &origin,
                    hops,
                },
                now_ms,
            )?;
        }
        Endpoint::Queue {
            name,
            raw_message_delivery,
        } => {
            let queue_error = |message: String| PublishError::Queue {
                queue: name.clone(),
                message,
            };
            let queues = known_queues(targets.workspace, targets.functions);
            let settings = queues
                .get(name)
                .ok_or_else(|| queue_error("the queue is not declared".to_owned()))?;
            let mut message = if *raw_message_delivery {
                NewMessage {
                    body: publication.message.clone(),
                    attributes: publication.attributes.clone(),
                    ..NewMessage::default()
                }
            } else {
                NewMessage::with_body(notification.sqs_envelope().to_string())
            };
            message.hops = hops;
            if settings.fifo {
                // SNS FIFO topics pass the group on; one group per topic here.
                message.group_id = Some(publication.topic.clone());
                message.deduplication_id = Some(notification.message_id.clone());
            }
            targets
                .queues
                .send(settings, &[message], now_ms)
                .map_err(|error| queue_error(error.to_string()))?;
        }
    }
    Ok(())
}
