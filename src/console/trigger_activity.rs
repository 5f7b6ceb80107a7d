//! Live activity on the function overview: how many events each trigger passed to the
//! function in the last minute, how many of those failed, and when the last one passed.
//! Read from the session's invocation history by function and origin (the text each
//! trigger source records as an invocation's `source`).

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Destination, FunctionConfig, Trigger};

use super::invocation_history::{InvocationHistory, InvocationSummary};

/// The window the counts cover.
const WINDOW: TimeDelta = TimeDelta::seconds(60);

/// History is kept in the order invocations finished, give or take the time to write
/// their logs: the walk back from the newest stops this far past the window.
const ORDER_SLACK: TimeDelta = TimeDelta::seconds(5);

/// What one card of the overview shows about the events that passed through it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TriggerActivity {
    /// Invocations that finished in the last minute.
    pub per_minute: usize,
    /// Of those, the ones that returned an error.
    pub errors_last_minute: usize,
    /// When the newest of them finished.
    pub last_at: Option<DateTime<Utc>>,
}

impl TriggerActivity {
    pub(super) fn count(&mut self, summary: &InvocationSummary, finished_at: DateTime<Utc>) {
        self.per_minute += 1;
        if !summary.is_success() {
            self.errors_last_minute += 1;
        }
        self.last_at = self.last_at.max(Some(finished_at));
    }

    /// Whether an event passed within `within` before `now` (the overview's pulse).
    pub fn is_fresh(&self, now: DateTime<Utc>, within: TimeDelta) -> bool {
        self.last_at.is_some_and(|last_at| now - last_at <= within)
    }
}

/// The activity of every card of a function's overview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverviewActivity {
    /// One per trigger, in the configuration's order.
    pub triggers: Vec<TriggerActivity>,
    /// Deliveries to the destination; counted only for a function destination, whose
    /// invocations name this function as their origin (a queue, topic or bucket keeps
    /// no record of what this function sent it).
    pub on_success: TriggerActivity,
    pub on_failure: TriggerActivity,
}

/// The origin without what delivery adds to it: " (retry N)" or " (test event)".
fn base_origin(origin: &str) -> &str {
    if let Some(base) = origin.strip_suffix(" (test event)") {
        return base;
    }
    if let Some((base, retry)) = origin.rsplit_once(" (retry ")
        && retry
            .strip_suffix(')')
            .is_some_and(|number| number.parse::<u32>().is_ok())
    {
        return base;
    }
    origin
}

/// Whether an invocation with `origin` came through `trigger` (of the same function).
pub fn trigger_origin_matches(trigger: &Trigger, origin: &str) -> bool {
    let origin = base_origin(origin);
    match trigger {
        Trigger::Http { route, .. } => origin.strip_prefix("HTTP ") == Some(route.as_str()),
        Trigger::Bucket { bucket, events, .. } => origin
            .strip_prefix("Bucket ")
            .and_then(|rest| rest.strip_prefix(bucket.as_str()))
            .and_then(|rest| rest.strip_prefix(' '))
            .is_some_and(|event_name| {
                // As the bucket watcher matches: "ObjectCreated:Put" or "ObjectCreated:*".
                let kind = event_name.split(':').next().unwrap_or_default();
                events.iter().any(|wanted| {
                    let wanted = wanted.strip_prefix("s3:").unwrap_or(wanted);
                    wanted == event_name
                        || wanted
                            .strip_suffix(":*")
                            .is_some_and(|wanted| wanted == kind)
                })
            }),
        Trigger::Schedule { expression, .. } => {
            origin.strip_prefix("Schedule ") == Some(expression.as_str())
        }
        Trigger::Queue { queue, .. } => origin.strip_prefix("Queue ") == Some(queue.as_str()),
        Trigger::Topic { topic, .. } => origin.strip_prefix("Topic ") == Some(topic.as_str()),
    }
}

/// The condition a destination invocation of `target` delivered from `function`, from
/// its origin ("Destination of orders (Success)"), if it is one.
fn destination_condition<'a>(function: &str, origin: &'a str) -> Option<&'a str> {
    origin
        .strip_prefix("Destination of ")?
        .strip_prefix(function)?
        .strip_prefix(" (")?
        .strip_suffix(')')
}

/// The invocations of the last minute before `now`, newest first.
pub(super) fn last_minute(
    history: &InvocationHistory,
    now: DateTime<Utc>,
) -> impl Iterator<Item = (&InvocationSummary, DateTime<Utc>)> {
    let window_start = now - WINDOW;
    history
        .iter()
        .rev()
        .map(|summary| {
            #[expect(clippy::cast_possible_truncation, reason = "durations fit in i64 ms")]
            let duration = TimeDelta::milliseconds(summary.duration_ms as i64);
            (summary, summary.started_at + duration)
        })
        .take_while(move |(_, finished_at)| *finished_at >= window_start - ORDER_SLACK)
        .filter(move |(_, finished_at)| *finished_at >= window_start && *finished_at <= now)
}

/// The activity of one trigger of `function`.
pub fn trigger_activity(
    history: &InvocationHistory,
    function: &str,
    trigger: &Trigger,
    now: DateTime<Utc>,
) -> TriggerActivity {
    let mut activity = TriggerActivity::default();
    for (summary, finished_at) in last_minute(history, now) {
        if summary.function == function && trigger_origin_matches(trigger, &summary.source) {
            activity.count(summary, finished_at);
        }
    }
    activity
}

/// The activity of every card of `function`'s overview, in one walk over the last minute.
pub fn overview_activity(
    history: &InvocationHistory,
    function: &str,
    config: &FunctionConfig,
    now: DateTime<Utc>,
) -> OverviewActivity {
    let target = |destination: &Option<Destination>| match destination {
        Some(Destination::Function(target)) => Some(target.clone()),
        _ => None,
    };
    let success_target = target(&config.destinations.on_success);
    let failure_target = target(&config.destinations.on_failure);
    let mut activity = OverviewActivity {
        triggers: vec![TriggerActivity::default(); config.triggers.len()],
        ..OverviewActivity::default()
    };
    for (summary, finished_at) in last_minute(history, now) {
        if summary.function == function {
            // One invocation came through one trigger; two alike triggers count it once.
            if let Some(index) = config
                .triggers
                .iter()
                .position(|trigger| trigger_origin_matches(trigger, &summary.source))
            {
                activity.triggers[index].count(summary, finished_at);
            }
        }
        let Some(condition) = destination_condition(function, &summary.source) else {
            continue;
        };
        let (slot, target) = if condition == "Success" {
            (&mut activity.on_success, &success_target)
        } else {
            (&mut activity.on_failure, &failure_target)
        };
        if target.as_deref() == Some(summary.function.as_str()) {
            slot.count(summary, finished_at);
        }
    }
    activity
}

#[cfg(test)]
#[path = "trigger_activity_tests.rs"]
mod tests;
