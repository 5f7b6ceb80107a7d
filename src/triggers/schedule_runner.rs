//! Fires every enabled `schedule` trigger of a workspace: at each fire time it queues a
//! Scheduled Event for its function as an asynchronous invocation. Like EventBridge, a
//! schedule does not catch up on times missed while nothing ran.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::async_delivery::AsyncDelivery;
use super::events::schedule::ScheduledEvent;
use super::push_sources_owner::{Ownership, wait_until_owner};
use super::schedule::{Schedule, ScheduleExpression, parse_time_zone};
use super::supervisor::TaskFuture;
use super::trigger_source::TriggerSource;
use crate::model::{Function, Trigger};

/// One schedule trigger, ready to fire.
#[derive(Debug, Clone)]
pub struct ScheduledRule {
    pub function: String,
    /// The EventBridge rule's name (in the event's `resources`): `<function>-schedule-<n>`.
    pub rule: String,
    pub expression: String,
    pub schedule: Schedule,
}

impl ScheduledRule {
    /// The event this rule sends when it fires at `time`.
    pub fn event(&self, region: &str, time: DateTime<Utc>) -> serde_json::Value {
        let mut event = ScheduledEvent::new(self.rule.clone());
        region.clone_into(&mut event.region);
        event.time = time;
        event.event()
    }
}

/// The enabled schedules of the functions, from `start` on; a malformed expression or
/// time zone is a message, and the other schedules still run.
pub fn schedules_of(
    functions: &[Function],
    start: DateTime<Utc>,
) -> (Vec<ScheduledRule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    for function in functions {
        let name = &function.name;
        for (index, trigger) in function.config.triggers.iter().enumerate() {
            let Trigger::Schedule {
                expression,
                timezone,
                enabled: true,
            } = trigger
            else {
                continue;
            };
            let parsed = ScheduleExpression::parse(expression).map_err(|error| error.to_string());
            let zone = timezone
                .as_deref()
                .map(|zone| parse_time_zone(zone).map_err(|error| error.to_string()))
                .transpose();
            match (parsed, zone) {
                (Ok(parsed), Ok(zone)) => rules.push(ScheduledRule {
                    function: name.clone(),
                    rule: format!("{name}-schedule-{}", index + 1),
                    expression: expression.clone(),
                    schedule: Schedule::new(parsed, zone, start),
                }),
                (Err(message), _) | (_, Err(message)) => problems.push(format!(
                    "{name}: triggers[{}]: `{expression}`: {message}",
                    index + 1
                )),
            }
        }
    }
    (rules, problems)
}

/// The fires due in `(after, now]`, in time order, with their rules.
pub fn due_fires(
    rules: &[ScheduledRule],
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, &ScheduledRule)> {
    let mut fires: Vec<(DateTime<Utc>, &ScheduledRule)> = rules
        .iter()
        .flat_map(|rule| {
            rule.schedule
                .fire_times_after(after)
                .take_while(move |time| *time <= now)
                .map(move |time| (time, rule))
        })
        .collect();
    fires.sort_by_key(|(time, _)| *time);
    fires
}

/// Queues each rule's events at its fire times until `stop` turns true.
pub async fn run_schedules(
    rules: Vec<ScheduledRule>,
    delivery: Arc<AsyncDelivery>,
    region: String,
    mut stop: watch::Receiver<bool>,
) {
    if rules.is_empty() {
        return;
    }
    let mut last = Utc::now();
    loop {
        let next = rules
            .iter()
            .filter_map(|rule| rule.schedule.next_after(last))
            .min();
        let Some(next) = next else {
            return;
        };
        let wait = (next - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        let now = Utc::now();
        for (time, rule) in due_fires(&rules, last, now) {
            let event = rule.event(&region, time).to_string();
            let origin = format!("Schedule {}", rule.expression);
            // A failure to queue is reported by `enqueue`; the next fire tries again.
            let _ = delivery.enqueue(&rule.function, &event, &origin, 0);
        }
        last = now;
    }
}

/// The schedules as an engine runs them: one task per rule, on the owner of the
/// workspace's push sources only.
pub struct ScheduleSource {
    pub delivery: Arc<AsyncDelivery>,
    pub region: String,
    pub ownership: Arc<Ownership>,
}

impl TriggerSource for ScheduleSource {
    type Rule = ScheduledRule;

    fn rules(&self, functions: &[Function]) -> (Vec<ScheduledRule>, Vec<String>) {
        schedules_of(functions, Utc::now())
    }

    /// The start time is left out: a rule that did not change keeps the one it started
    /// with, as EventBridge counts a rate from when the rule was created.
    fn unchanged(old: &ScheduledRule, new: &ScheduledRule) -> bool {
        old.function == new.function
            && old.rule == new.rule
            && old.expression == new.expression
            && old.schedule.time_zone() == new.schedule.time_zone()
    }

    fn describe(rule: &ScheduledRule) -> String {
        format!("the schedule `{}` of `{}`", rule.expression, rule.function)
    }

    fn run(&self, rule: &ScheduledRule, mut stop: watch::Receiver<bool>) -> TaskFuture {
        let owner = self.ownership.subscribe();
        let delivery = Arc::clone(&self.delivery);
        let region = self.region.clone();
        let rule = rule.clone();
        // A schedule taken over starts from the takeover: missed times are not caught
        // up on, as when nothing ran.
        Box::pin(async move {
            if wait_until_owner(owner, &mut stop).await {
                run_schedules(vec![rule], delivery, region, stop).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn rule(expression: &str, start: DateTime<Utc>) -> ScheduledRule {
        ScheduledRule {
            function: "job".to_owned(),
            rule: "job-schedule-1".to_owned(),
            expression: expression.to_owned(),
            schedule: Schedule::new(ScheduleExpression::parse(expression).unwrap(), None, start),
        }
    }

    #[test]
    fn fires_in_order_within_the_window() {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 30).unwrap();
        let rules = [
            rule("rate(1 minute)", start),
            rule("cron(0/2 * * * ? *)", start),
        ];
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 10, 3, 0).unwrap();
        let fires: Vec<String> = due_fires(&rules, start, now)
            .into_iter()
            .map(|(time, rule)| format!("{} {}", time.format("%H:%M:%S"), rule.expression))
            .collect();
        assert_eq!(
            fires,
            vec![
                "10:01:30 rate(1 minute)",
                "10:02:00 cron(0/2 * * * ? *)",
                "10:02:30 rate(1 minute)",
            ]
        );
    }

    #[test]
    fn the_event_is_a_scheduled_event_at_the_fire_time() {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
        let event = rule("rate(5 minutes)", start).event("eu-west-1", start);
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["source"], "aws.events");
        assert_eq!(event["time"], "2026-11-26T10:00:00Z");
        assert_eq!(event["region"], "eu-west-1");
        assert_eq!(
            event["resources"][0],
            "arn:aws:events:eu-west-1:123456789012:rule/job-schedule-1"
        );
    }
}
