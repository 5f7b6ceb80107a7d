//! Delivers the durable backlog as Lambda delivers asynchronous invocations: in order of
//! arrival, retried on a function error (`maximum_retry_attempts`, with backoff), dropped
//! when older than `maximum_event_age_secs`, then sent to `on_failure` (or `on_success`);
//! a chain that comes back to itself more than 16 times is stopped.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::Value;
use tokio::sync::{Notify, Semaphore, watch};

use super::destination_record::{Condition, LastResponse, destination_record};
use super::store::{AsyncEvent, AsyncStore, NewAsyncEvent, StoreError};
use crate::model::{Destination, Function, Outcome, write_atomically};
use crate::runtime::InvokeError;
use crate::triggers::context::{FinishedInvocation, TriggerContext, load_functions};
use crate::triggers::queues::{NewMessage, QueueStore, known_queues, queue_settings};
use crate::triggers::state_db::state_path;
use crate::triggers::topics::{Publication, PublishError, PublishReport, PublishTargets, publish};

/// Lambda's recursive loop detection stops a chain after this many invocations.
pub const MAX_HOPS: u32 = 16;

#[derive(Debug, Clone)]
pub struct AsyncOptions {
    /// Waits before the first and the second retry (Lambda: 1 and 2 minutes).
    pub retry_delays: Vec<Duration>,
    /// A throttled event is tried again after this long (it does not count as an attempt).
    pub throttle_delay: Duration,
    /// Events run at the same time.
    pub max_concurrent: usize,
    /// How long an event stays leased while it runs; longer than any function timeout.
    pub lease: Duration,
}

impl Default for AsyncOptions {
    fn default() -> Self {
        Self {
            retry_delays: vec![Duration::from_secs(60), Duration::from_secs(120)],
            throttle_delay: Duration::from_secs(1),
            max_concurrent: 8,
            lease: Duration::from_secs(16 * 60),
        }
    }
}

impl AsyncOptions {
    /// Lambda's defaults, with the retry delays of `lambdesk.toml` if it sets them.
    pub fn for_workspace(workspace: &crate::model::Workspace) -> Self {
        let mut options = Self::default();
        if let Some(delays) = &workspace.config().async_retry_delays_secs {
            // A value that is not a duration (negative, NaN, infinite) keeps the default.
            let parsed: Option<Vec<Duration>> = delays
                .iter()
                .map(|secs| Duration::try_from_secs_f64(*secs).ok())
                .collect();
            if let Some(parsed) = parsed.filter(|parsed| !parsed.is_empty()) {
                options.retry_delays = parsed;
            }
        }
        options
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

pub struct AsyncDelivery {
    store: AsyncStore,
    /// The workspace's queues (same database): destinations send to them, queue
    /// triggers receive from them.
    queues: Arc<QueueStore>,
    /// Wakes the queue pollers when a message is sent from this process.
    queue_sent: Arc<Notify>,
    context: Arc<TriggerContext>,
    options: AsyncOptions,
    /// Wakes the delivery loop when an event is queued.
    queued: Notify,
}

impl AsyncDelivery {
    /// Opens the workspace's backlog (to queue events; `run` delivers them).
    pub fn open(
        context: Arc<TriggerContext>,
        options: AsyncOptions,
    ) -> Result<Arc<Self>, StoreError> {
        let store = AsyncStore::open(&state_path(&context.workspace))?;
        let queues = Arc::new(QueueStore::open(&state_path(&context.workspace))?);
        Ok(Arc::new(Self {
            store,
            queues,
            queue_sent: Arc::new(Notify::new()),
            context,
            options,
            queued: Notify::new(),
        }))
    }

    pub fn context(&self) -> &Arc<TriggerContext> {
        &self.context
    }

    pub fn store(&self) -> &AsyncStore {
        &self.store
    }

    pub fn queues(&self) -> &Arc<QueueStore> {
        &self.queues
    }

    pub fn queue_sent(&self) -> &Arc<Notify> {
        &self.queue_sent
    }

    /// Sends one message to a queue of the workspace and wakes its pollers.
    pub fn send_to_queue(&self, queue: &str, message: NewMessage) -> Result<(), String> {
        let (functions, _) = load_functions(&self.context.workspace);
        let queues = known_queues(&self.context.workspace, &functions);
        let settings = queue_settings(&queues, queue).map_err(|error| error.to_string())?;
        self.queues
            .send(&settings, &[message], Utc::now().timestamp_millis())
            .map_err(|error| error.to_string())?;
        self.queue_sent.notify_waiters();
        Ok(())
    }

    /// Publishes to a topic of the workspace and wakes whoever delivers.
    pub fn publish(
        &self,
        publication: &Publication,
        hops: u32,
    ) -> Result<PublishReport, PublishError> {
        let (functions, _) = load_functions(&self.context.workspace);
        let targets = PublishTargets {
            workspace: &self.context.workspace,
            functions: &functions,
            async_events: &self.store,
            queues: &self.queues,
        };
        let report = publish(&targets, publication, hops, Utc::now())?;
        self.queued.notify_one();
        self.queue_sent.notify_waiters();
        Ok(report)
    }

    /// Queues an asynchronous invocation of `function` (Lambda's `InvocationType=Event`).
    pub fn enqueue(
        &self,
        function: &str,
        event: &str,
        origin: &str,
        hops: u32,
    ) -> Result<i64, StoreError> {
        let queued = self.store.enqueue(
            &NewAsyncEvent {
                function,
                event,
                origin,
                hops,
            },
            Utc::now().timestamp_millis(),
        );
        match &queued {
            Ok(_) => self.queued.notify_one(),
            // The event is lost: say so where the user looks.
            Err(error) => self.report_problem(
                function,
                origin,
                &format!("an asynchronous event could not be queued and is lost: {error}"),
            ),
        }
        queued
    }

    /// Delivers until `stop` turns true; events in flight then finish, queued ones stay
    /// queued for the next start. Events a stopped or crashed process was running are
    /// due again first (at least once). Only the owner of the workspace's push sources
    /// runs this: releasing leases here, not in `open`, keeps a second engine from taking
    /// back the events the owner is running.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        if let Err(error) = self.store.release_leases() {
            self.report_problem("", "async delivery", &error.to_string());
        }
        let slots = Arc::new(Semaphore::new(self.options.max_concurrent.max(1)));
        let mut running = tokio::task::JoinSet::new();
        loop {
            if *stop.borrow() {
                break;
            }
            let now_ms = Utc::now().timestamp_millis();
            let free = slots.available_permits();
            let leased = if free == 0 {
                Vec::new()
            } else {
                match self
                    .store
                    .lease_due(now_ms, free, millis(self.options.lease))
                {
                    Ok(leased) => leased,
                    Err(error) => {
                        self.report_problem("", "async delivery", &error.to_string());
                        Vec::new()
                    }
                }
            };
            for event in leased {
                let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
                    break;
                };
                let delivery = Arc::clone(&self);
                running.spawn(async move {
                    delivery.deliver(event).await;
                    drop(permit);
                });
            }
            while running.try_join_next().is_some() {}
            let wait = match self.store.next_due_ms() {
                Ok(Some(due_ms)) => Duration::from_millis(
                    u64::try_from((due_ms - Utc::now().timestamp_millis()).max(5)).unwrap_or(5),
                ),
                _ => Duration::from_secs(1),
            }
            .min(Duration::from_secs(1));
            tokio::select! {
                () = self.queued.notified() => {}
                () = tokio::time::sleep(wait) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
                _ = stop.changed() => {}
            }
        }
        while running.join_next().await.is_some() {}
    }

    fn report_problem(&self, function: &str, origin: &str, message: &str) {
        self.context.sink.finished(FinishedInvocation {
            function: function.to_owned(),
            origin: origin.to_owned(),
            event: Arc::from(""),
            result: Err(message.to_owned()),
        });
    }

    fn done(&self, event: &AsyncEvent) {
        if let Err(error) = self.store.remove(event.id) {
            self.report_problem(&event.function, &event.origin, &error.to_string());
        }
    }

    async fn deliver(self: &Arc<Self>, event: AsyncEvent) {
        let function = match self.context.workspace.function(&event.function) {
            Ok(function) => function,
            Err(error) => {
                self.report_problem(
                    &event.function,
                    &event.origin,
                    &format!("dropped an asynchronous event: {error}"),
                );
                self.done(&event);
                return;
            }
        };
        let async_config = function.config.async_config.unwrap_or_default();
        let now_ms = Utc::now().timestamp_millis();
        let age_ms = now_ms - event.enqueued_at_ms;
        if age_ms > i64::from(async_config.maximum_event_age_secs) * 1000 {
            self.send_to_destination(&function, &event, Condition::EventAgeExceeded, None);
            self.done(&event);
            return;
        }
        if event.hops >= MAX_HOPS {
            self.report_problem(
                &event.function,
                &event.origin,
                &format!(
                    "Lambda stopped a recursive invocation loop: this event is the {}th invocation of a chain that keeps invoking itself (limit {MAX_HOPS})",
                    event.hops + 1
                ),
            );
            self.send_to_destination(&function, &event, Condition::RecursiveInvocationLoop, None);
            self.done(&event);
            return;
        }
        let attempt = event.attempts + 1;
        let origin = if attempt > 1 {
            format!("{} (retry {})", event.origin, attempt - 1)
        } else {
            event.origin.clone()
        };
        let result = self
            .context
            .invoke(
                &function,
                Arc::from(event.event.as_str()),
                origin,
                event.hops,
                Some(&event.request_id),
            )
            .await;
        // An event Lambda would refuse outright (not JSON, too large) is not retried.
        let retryable = !matches!(
            result,
            Err(InvokeError::RequestTooLarge { .. } | InvokeError::InvalidEvent(_))
        );
        let (payload, function_error) = match &result {
            Ok(record) => match &record.outcome {
                Outcome::Success(response) => {
                    self.send_to_destination(
                        &function,
                        &event,
                        Condition::Success,
                        Some(&LastResponse {
                            payload: response,
                            function_error: None,
                        }),
                    );
                    self.done(&event);
                    return;
                }
                Outcome::Failure(_) => (record.payload(), Some("Unhandled")),
            },
            Err(InvokeError::TooManyRequests { .. }) => {
                // Throttled: tried again later without using up an attempt.
                let due = Utc::now().timestamp_millis() + millis(self.options.throttle_delay);
                if let Err(error) = self.store.retry_later(event.id, event.attempts, due) {
                    self.report_problem(&event.function, &event.origin, &error.to_string());
                }
                return;
            }
            Err(error) => (
                serde_json::json!({ "errorType": error.error_type(), "errorMessage": error.to_string() }),
                Some("Unhandled"),
            ),
        };
        if !retryable || attempt > async_config.maximum_retry_attempts {
            self.send_to_destination(
                &function,
                &event,
                Condition::RetriesExhausted,
                Some(&LastResponse {
                    payload: &payload,
                    function_error,
                }),
            );
            self.done(&event);
            return;
        }
        let delay = self
            .options
            .retry_delays
            .get(usize::try_from(event.attempts).unwrap_or(usize::MAX))
            .or(self.options.retry_delays.last())
            .copied()
            .unwrap_or(Duration::from_secs(60));
        let due = Utc::now().timestamp_millis() + millis(delay);
        if let Err(error) = self.store.retry_later(event.id, attempt, due) {
            self.report_problem(&event.function, &event.origin, &error.to_string());
        }
    }

    /// Sends the record of how `event` ended to the function's `on_success` or
    /// `on_failure` destination, if it has one.
    fn send_to_destination(
        &self,
        function: &Function,
        event: &AsyncEvent,
        condition: Condition,
        response: Option<&LastResponse<'_>>,
    ) {
        let destinations = &function.config.destinations;
        let destination = if condition == Condition::Success {
            destinations.on_success.as_ref()
        } else {
            destinations.on_failure.as_ref()
        };
        let Some(destination) = destination else {
            if condition != Condition::Success {
                self.report_problem(
                    &event.function,
                    &event.origin,
                    &format!(
                        "dropped an asynchronous event ({}) after {} attempt(s); set [destinations] on_failure to keep such events",
                        condition.id(),
                        event.attempts + u32::from(response.is_some())
                    ),
                );
            }
            return;
        };
        let region = &self.context.workspace.config().region;
        let invoke_count = event.attempts + u32::from(response.is_some());
        let record = destination_record(
            region,
            &function.name,
            &event.request_id,
            condition,
            invoke_count,
            &event.event,
            response,
        );
        let origin = format!("Destination of {} ({})", function.name, condition.id());
        let result = match destination {
            // Sending the record of a stopped loop to a function could start the loop anew.
            Destination::Function(target) if condition == Condition::RecursiveInvocationLoop => {
                Err(format!(
                    "the record of the stopped loop is not sent to the function `{target}`, which could start it again"
                ))
            }
            Destination::Function(target) => self
                .enqueue(target, &record.to_string(), &origin, event.hops + 1)
                .map(|_| ())
                .map_err(|error| error.to_string()),
            Destination::Bucket(bucket) => {
                // A function watching that bucket continues this event's chain.
                let writer = self
                    .context
                    .write_chains
                    .started(std::slice::from_ref(bucket), event.hops);
                let written =
                    self.write_to_bucket(bucket, &function.name, &event.request_id, &record);
                self.context.write_chains.ended(writer);
                written
            }
            Destination::Queue(queue) => {
                let message = NewMessage {
                    hops: event.hops + 1,
                    ..NewMessage::with_body(record.to_string())
                };
                self.send_to_queue(queue, message)
            }
            Destination::Topic(topic) => {
                let publication = Publication {
                    topic: topic.clone(),
                    message: record.to_string(),
                    ..Publication::default()
                };
                match self.publish(&publication, event.hops + 1) {
                    Ok(report) if report.failed.is_empty() => Ok(()),
                    Ok(report) => Err(format!(
                        "the record was not delivered to {}",
                        report.failed.join("; ")
                    )),
                    Err(error) => Err(error.to_string()),
                }
            }
        };
        if let Err(message) = result {
            self.report_problem(&event.function, &origin, &message);
        }
    }

    /// `buckets/<bucket>/aws/lambda/async/<function>/YYYY/MM/DD/<time>-<request id>`, the
    /// key layout of Lambda's S3 destinations.
    fn write_to_bucket(
        &self,
        bucket: &str,
        function: &str,
        request_id: &str,
        record: &Value,
    ) -> Result<(), String> {
        let now = Utc::now();
        let key = format!(
            "aws/lambda/async/{function}/{}/{}-{request_id}",
            now.format("%Y/%m/%d"),
            now.format("%Y-%m-%dT%H.%M.%S")
        );
        let path = self
            .context
            .workspace
            .root()
            .join("buckets")
            .join(bucket)
            .join(&key);
        write_atomically(&path, record.to_string().as_bytes())
            .map_err(|error| format!("could not write {}: {error}", path.display()))
    }
}
