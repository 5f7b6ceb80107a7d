//! A queue trigger is an event source mapping, as Lambda runs one for SQS: pollers
//! receive batches, invoke the function with them, delete what succeeded; on an error the
//! batch comes back after the visibility timeout (and in time to the dead-letter queue);
//! with `report_batch_item_failures` only the listed messages come back.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::{Notify, watch};

use super::known_queues::known_queues;
use super::store::{QueueSettings, QueueStore, ReceivedMessage};
use crate::model::{Function, Outcome, Trigger, table_header};
use crate::triggers::async_delivery::MAX_HOPS;
use crate::triggers::context::{FinishedInvocation, TriggerContext};
use crate::triggers::events::sqs::{
    FifoAttributes, SqsAttributeValue, SqsMessage, SqsMessageAttribute, batch,
};
use crate::triggers::supervisor::TaskFuture;
use crate::triggers::trigger_source::TriggerSource;

/// Lambda starts an SQS mapping with five pollers, each with a batch in flight.
const DEFAULT_CONCURRENT_BATCHES: usize = 5;

/// How often an idle mapping looks for messages sent by another process (the CLI).
const IDLE_POLL: Duration = Duration::from_millis(200);

/// One queue trigger, resolved against the workspace's queues.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueMapping {
    pub function: Function,
    pub queue: QueueSettings,
    pub batch_size: usize,
    pub batching_window: Duration,
    pub report_batch_item_failures: bool,
    pub concurrent_batches: usize,
}

/// The enabled queue triggers of `functions` (every queue a trigger names is known:
/// declared, or with SQS's defaults).
pub fn queue_mappings_of(
    functions: &[Function],
    queues: &BTreeMap<String, QueueSettings>,
) -> (Vec<QueueMapping>, Vec<String>) {
    let mut mappings = Vec::new();
    let mut problems = Vec::new();
    for function in functions {
        for trigger in &function.config.triggers {
            let Trigger::Queue {
                queue,
                batch_size,
                maximum_batching_window_secs,
                report_batch_item_failures,
                maximum_concurrency,
                enabled: true,
            } = trigger
            else {
                continue;
            };
            // Every queue a trigger names is known (declared or with defaults).
            let Some(settings) = queues.get(queue) else {
                continue;
            };
            // Lambda refuses such a mapping: a message would come back while the function
            // still runs with it, and run twice at once.
            let timeout_ms = i64::from(function.config.timeout_secs) * 1000;
            if settings.visibility_timeout_ms < timeout_ms {
                problems.push(format!(
                    "{}: its queue trigger is off: Queue visibility timeout: {} seconds is less than Function timeout: {} seconds (raise visibility_timeout_secs of {})",
                    function.name,
                    settings.visibility_timeout_ms / 1000,
                    function.config.timeout_secs,
                    table_header("queues", queue)
                ));
                continue;
            }
            let reserved = function
                .config
                .reserved_concurrency
                .map_or(usize::MAX, |limit| {
                    usize::try_from(limit).unwrap_or(usize::MAX)
                });
            let concurrent_batches = maximum_concurrency
                .map_or(DEFAULT_CONCURRENT_BATCHES, |limit| {
                    usize::try_from(limit).unwrap_or(DEFAULT_CONCURRENT_BATCHES)
                })
                .min(reserved)
                .max(1);
            mappings.push(QueueMapping {
                function: function.clone(),
                queue: settings.clone(),
                batch_size: usize::try_from(*batch_size).unwrap_or(10).max(1),
                batching_window: Duration::from_secs(u64::from(
                    maximum_batching_window_secs.unwrap_or(0),
                )),
                report_batch_item_failures: *report_batch_item_failures,
                concurrent_batches,
            });
        }
    }
    (mappings, problems)
}

/// The queue triggers as an engine runs them: one poller task per mapping, in every
/// process on the workspace (SQS shares the messages out).
pub struct QueueSource {
    pub context: Arc<TriggerContext>,
    pub store: Arc<QueueStore>,
    /// Woken when a message is sent from this process.
    pub sent: Arc<Notify>,
}

impl TriggerSource for QueueSource {
    type Rule = QueueMapping;

    /// The old pollers stop taking batches at a reload; batches in flight finish on
    /// their own (a reload must not wait for a long function), and a stop waits for them.
    const WAITS_FOR_STOP: bool = false;

    fn rules(&self, functions: &[Function]) -> (Vec<QueueMapping>, Vec<String>) {
        queue_mappings_of(functions, &known_queues(&self.context.workspace, functions))
    }

    fn unchanged(old: &QueueMapping, new: &QueueMapping) -> bool {
        old == new
    }

    fn describe(mapping: &QueueMapping) -> String {
        format!(
            "the queue trigger of `{}` on `{}`",
            mapping.function.name, mapping.queue.name
        )
    }

    fn run(&self, mapping: &QueueMapping, stop: watch::Receiver<bool>) -> TaskFuture {
        Box::pin(run_mapping(
            mapping.clone(),
            Arc::clone(&self.context),
            Arc::clone(&self.store),
            Arc::clone(&self.sent),
            stop,
        ))
    }
}

/// Runs one mapping until `stop`; batches in flight then finish (and are deleted or
/// left to come back).
pub async fn run_mapping(
    mapping: QueueMapping,
    context: Arc<TriggerContext>,
    store: Arc<QueueStore>,
    sent: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let mapping = Arc::new(mapping);
    let mut running = tokio::task::JoinSet::new();
    loop {
        if *stop.borrow() {
            break;
        }
        while running.try_join_next().is_some() {}
        if running.len() < mapping.concurrent_batches {
            let messages = gather_batch(&mapping, &store, &context, &mut stop).await;
            if !messages.is_empty() {
                let (mapping, context, store) = (
                    Arc::clone(&mapping),
                    Arc::clone(&context),
                    Arc::clone(&store),
                );
                running.spawn(
                    async move { process_batch(&mapping, &context, &store, messages).await },
                );
                continue;
            }
        }
        tokio::select! {
            () = sent.notified() => {}
            () = tokio::time::sleep(IDLE_POLL) => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = stop.changed() => {}
        }
    }
    while running.join_next().await.is_some() {}
}

/// Receives up to a batch; with a batching window, keeps receiving until the batch is
/// full or the window has passed since the first message.
async fn gather_batch(
    mapping: &QueueMapping,
    store: &QueueStore,
    context: &TriggerContext,
    stop: &mut watch::Receiver<bool>,
) -> Vec<ReceivedMessage> {
    let mut messages = Vec::new();
    let window_ends = tokio::time::Instant::now() + mapping.batching_window;
    loop {
        let wanted = mapping.batch_size - messages.len();
        match store.receive(&mapping.queue, wanted, Utc::now().timestamp_millis()) {
            Ok(received) => {
                // A message held past its visibility timeout while the batch gathers can
                // come round again: keep it once, with its newest receipt handle.
                for message in received {
                    messages.retain(|held: &ReceivedMessage| held.message_id != message.message_id);
                    messages.push(message);
                }
            }
            Err(error) => {
                report_problem(context, mapping, &error.to_string());
                return messages;
            }
        }
        let full = messages.len() >= mapping.batch_size;
        if full || messages.is_empty() || tokio::time::Instant::now() >= window_ends {
            return messages;
        }
        tokio::select! {
            () = tokio::time::sleep(IDLE_POLL.min(window_ends - tokio::time::Instant::now())) => {}
            _ = stop.changed() => return messages,
        }
    }
}

async fn process_batch(
    mapping: &QueueMapping,
    context: &TriggerContext,
    store: &QueueStore,
    received: Vec<ReceivedMessage>,
) {
    // Lambda's recursive loop detection: a message sent by the 16th invocation of a chain
    // is not delivered; it goes to the dead-letter queue (or is dropped without one).
    let (looping, messages): (Vec<ReceivedMessage>, Vec<ReceivedMessage>) = received
        .into_iter()
        .partition(|message| message.hops >= MAX_HOPS);
    if !looping.is_empty() {
        stop_loop(mapping, context, store, &looping);
    }
    if messages.is_empty() {
        return;
    }
    let hops = messages
        .iter()
        .map(|message| message.hops)
        .max()
        .unwrap_or(0);
    let region = &context.workspace.config().region;
    let records: Vec<SqsMessage> = messages
        .iter()
        .map(|message| sqs_message(message, &mapping.queue.name, mapping.queue.fifo, region))
        .collect();
    let event = batch(&records).to_string();
    let origin = format!("Queue {}", mapping.queue.name);
    let result = context
        .invoke(&mapping.function, Arc::from(event), origin, hops, None)
        .await;
    let succeeded: Vec<&str> = match result {
        Ok(record) => match &record.outcome {
            Outcome::Success(response) if mapping.report_batch_item_failures => {
                match failed_message_ids(response, &messages) {
                    Some(failed) => messages
                        .iter()
                        .filter(|message| !failed.contains(message.message_id.as_str()))
                        .map(|message| message.receipt_handle.as_str())
                        .collect(),
                    // An answer Lambda cannot read fails the whole batch.
                    None => Vec::new(),
                }
            }
            Outcome::Success(_) => messages
                .iter()
                .map(|message| message.receipt_handle.as_str())
                .collect(),
            // A function error: the batch comes back after the visibility timeout.
            Outcome::Failure(_) => Vec::new(),
        },
        Err(_) => Vec::new(),
    };
    if !succeeded.is_empty()
        && let Err(error) = store.delete(&mapping.queue.name, &succeeded)
    {
        report_problem(
            context,
            mapping,
            &format!("processed messages could not be deleted and will be received again: {error}"),
        );
    }
}

fn stop_loop(
    mapping: &QueueMapping,
    context: &TriggerContext,
    store: &QueueStore,
    looping: &[ReceivedMessage],
) {
    let handles: Vec<&str> = looping
        .iter()
        .map(|message| message.receipt_handle.as_str())
        .collect();
    let dead_letter_queue = mapping.queue.redrive.as_ref().map(|(dlq, _)| dlq.as_str());
    let now_ms = Utc::now().timestamp_millis();
    let what_happened =
        match store.dead_letter(&mapping.queue.name, dead_letter_queue, &handles, now_ms) {
            Ok(_) => match dead_letter_queue {
                Some(dlq) => format!("moved to the dead-letter queue {dlq}"),
                None => "dropped (the queue has no dead-letter queue)".to_owned(),
            },
            Err(error) => format!("left in the queue: {error}"),
        };
    report_problem(
        context,
        mapping,
        &format!(
            "Lambda stopped a recursive invocation loop: {} message(s) sent by a chain of {MAX_HOPS} invocations were not delivered to {}, {what_happened}",
            looping.len(),
            mapping.function.name
        ),
    );
}

/// `{"batchItemFailures": [{"itemIdentifier": "<messageId>"}]}`: the ids that failed,
/// or `None` when the answer is malformed or names a message not in the batch (Lambda
/// then fails the whole batch). No answer, `null` or an empty list: nothing failed.
fn failed_message_ids<'a>(
    response: &Value,
    messages: &'a [ReceivedMessage],
) -> Option<HashSet<&'a str>> {
    let failures = match response.get("batchItemFailures") {
        None | Some(Value::Null) => return Some(HashSet::new()),
        Some(Value::Array(failures)) => failures,
        Some(_) => return None,
    };
    let mut failed = HashSet::new();
    for failure in failures {
        let id = failure.get("itemIdentifier").and_then(Value::as_str)?;
        let message = messages.iter().find(|message| message.message_id == id)?;
        failed.insert(message.message_id.as_str());
    }
    Some(failed)
}

fn report_problem(context: &TriggerContext, mapping: &QueueMapping, message: &str) {
    context.sink.finished(FinishedInvocation {
        function: mapping.function.name.clone(),
        origin: format!("Queue {}", mapping.queue.name),
        event: Arc::from(""),
        result: Err(message.to_owned()),
    });
}

/// The record Lambda's poller builds from a received message.
pub fn sqs_message(message: &ReceivedMessage, queue: &str, fifo: bool, region: &str) -> SqsMessage {
    let time = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    let mut record = SqsMessage::new(queue, message.body.clone());
    record.message_id.clone_from(&message.message_id);
    record.receipt_handle.clone_from(&message.receipt_handle);
    region.clone_into(&mut record.region);
    record.sent_at = time(message.sent_at_ms);
    record.first_received_at = time(message.first_receive_at_ms);
    record.receive_count = message.receive_count;
    record.message_attributes = message
        .attributes
        .iter()
        .map(|(name, attribute)| {
            let value = if attribute.is_binary() {
                SqsAttributeValue::Binary(STANDARD.decode(&attribute.value).unwrap_or_default())
            } else {
                SqsAttributeValue::String(attribute.value.clone())
            };
            let attribute = SqsMessageAttribute {
                data_type: attribute.data_type.clone(),
                value,
            };
            (name.clone(), attribute)
        })
        .collect();
    record.fifo = message
        .group_id
        .as_ref()
        .filter(|_| fifo)
        .map(|group_id| FifoAttributes {
            sequence_number: format!("{:020}", message.sequence_number),
            group_id: group_id.clone(),
            deduplication_id: message.deduplication_id.clone().unwrap_or_default(),
        });
    record
}
