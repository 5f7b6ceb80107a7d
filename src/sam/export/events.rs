//! A function's `[[triggers]]` as SAM `Events`: HTTP routes as `HttpApi` (payload 2.0) or
//! `Api` (REST, 1.0), bucket notifications as `S3`, schedules as `Schedule` (or
//! `ScheduleV2` with a time zone), queues as `SQS`, topics as `SNS`.

use serde_json::{Map, Value, json};

use crate::model::{Function, HttpPayload, QueueConfig, Trigger, WorkspaceConfig};

use super::notes::{NoteLevel, Notes, function_subject};
use super::references::{References, bucket_name_readable};

/// The `Events` of `function` (empty when it has no trigger that carries over).
pub fn function_events(
    function: &Function,
    workspace: &WorkspaceConfig,
    references: &mut References,
    notes: &mut Notes,
) -> Map<String, Value> {
    let mut events = Map::new();
    let subject = function_subject(&function.name);
    for trigger in &function.config.triggers {
        let Some((key, event)) = trigger_event(function, trigger, workspace, references, notes)
        else {
            continue;
        };
        if !trigger.is_enabled() && !can_be_disabled(trigger) {
            notes.add(
                NoteLevel::NotCarriedOver,
                &subject,
                format!(
                    "the disabled trigger `{}` is left out: SAM's {} events cannot be created switched off",
                    trigger.summary(),
                    event["Type"].as_str().unwrap_or("")
                ),
            );
            continue;
        }
        let mut unique = key.clone();
        let mut number = 2;
        while events.contains_key(&unique) {
            unique = format!("{key}{number}");
            number += 1;
        }
        events.insert(unique, event);
    }
    events
}

/// Schedules and queue mappings have a switch in SAM; routes, notifications and
/// subscriptions do not.
fn can_be_disabled(trigger: &Trigger) -> bool {
    matches!(trigger, Trigger::Schedule { .. } | Trigger::Queue { .. })
}

fn trigger_event(
    function: &Function,
    trigger: &Trigger,
    workspace: &WorkspaceConfig,
    references: &mut References,
    notes: &mut Notes,
) -> Option<(String, Value)> {
    let subject = function_subject(&function.name);
    match trigger {
        Trigger::Http { route, .. } => http_event(route, trigger.http_payload(), &subject, notes),
        Trigger::Bucket {
            bucket,
            events,
            prefix,
            suffix,
            ..
        } => {
            let mut properties = Map::new();
            properties.insert(
                "Bucket".into(),
                json!({ "Ref": references.bucket_id(bucket) }),
            );
            properties.insert("Events".into(), json!(events));
            let rules: Vec<Value> = [("prefix", prefix), ("suffix", suffix)]
                .into_iter()
                .filter_map(|(name, value)| {
                    value
                        .as_ref()
                        .map(|value| json!({ "Name": name, "Value": value }))
                })
                .collect();
            if !rules.is_empty() {
                properties.insert("Filter".into(), json!({ "S3Key": { "Rules": rules } }));
            }
            notes.add(
                NoteLevel::Info,
                &subject,
                format!(
                    "its bucket trigger on `{bucket}` is an S3 notification of the bucket named {} on AWS",
                    bucket_name_readable(bucket)
                ),
            );
            Some((
                format!("{}Upload", pascal(bucket)),
                json!({ "Type": "S3", "Properties": properties }),
            ))
        }
        Trigger::Schedule {
            expression,
            timezone,
            enabled,
        } => Some(match timezone {
            None => {
                let mut properties = Map::new();
                properties.insert("Schedule".into(), json!(expression));
                if !enabled {
                    properties.insert("State".into(), json!("DISABLED"));
                }
                (
                    "Schedule".to_owned(),
                    json!({ "Type": "Schedule", "Properties": properties }),
                )
            }
            Some(timezone) => {
                let mut properties = Map::new();
                properties.insert("ScheduleExpression".into(), json!(expression));
                properties.insert("ScheduleExpressionTimezone".into(), json!(timezone));
                if !enabled {
                    properties.insert("State".into(), json!("DISABLED"));
                }
                notes.add(
                    NoteLevel::Info,
                    &subject,
                    format!(
                        "`{expression}` in {timezone} becomes an EventBridge Scheduler schedule (ScheduleV2: rules have no time zone); Scheduler invokes with its Input (`{{}}` here), not the \"Scheduled Event\" lambdesk sends"
                    ),
                );
                (
                    "Schedule".to_owned(),
                    json!({ "Type": "ScheduleV2", "Properties": properties }),
                )
            }
        }),
        Trigger::Queue {
            queue,
            batch_size,
            maximum_batching_window_secs,
            report_batch_item_failures,
            maximum_concurrency,
            enabled,
        } => {
            let mut properties = Map::new();
            properties.insert("Queue".into(), references.queue_arn(queue));
            properties.insert("BatchSize".into(), json!(batch_size));
            if let Some(window_secs) = maximum_batching_window_secs {
                properties.insert("MaximumBatchingWindowInSeconds".into(), json!(window_secs));
            }
            if *report_batch_item_failures {
                properties.insert(
                    "FunctionResponseTypes".into(),
                    json!(["ReportBatchItemFailures"]),
                );
            }
            if let Some(concurrency) = maximum_concurrency {
                properties.insert(
                    "ScalingConfig".into(),
                    json!({ "MaximumConcurrency": concurrency }),
                );
            }
            if !enabled {
                properties.insert("Enabled".into(), json!(false));
            }
            let visibility_timeout_secs = workspace.queues.get(queue).map_or_else(
                || QueueConfig::default().visibility_timeout_secs,
                |queue| queue.visibility_timeout_secs,
            );
            if visibility_timeout_secs < function.config.timeout_secs {
                notes.add(
                    NoteLevel::ActionNeeded,
                    &subject,
                    format!(
                        "queue `{queue}`'s visibility timeout ({visibility_timeout_secs} s) is shorter than the function's timeout ({} s): Lambda refuses to create the event source mapping; raise visibility_timeout_secs to at least {} s (AWS recommends six times the timeout)",
                        function.config.timeout_secs, function.config.timeout_secs
                    ),
                );
            }
            Some((
                format!("{}Messages", pascal(queue)),
                json!({ "Type": "SQS", "Properties": properties }),
            ))
        }
        Trigger::Topic {
            topic,
            filter_policy,
            ..
        } => {
            let mut properties = Map::new();
            properties.insert("Topic".into(), references.topic_arn(topic));
            if let Some(policy) = filter_policy {
                properties.insert("FilterPolicy".into(), policy.clone());
            }
            Some((
                format!("{}Notifications", pascal(topic)),
                json!({ "Type": "SNS", "Properties": properties }),
            ))
        }
    }
}

/// `GET /items/{id}` as an `HttpApi` (2.0) or `Api` (1.0) event; ALB targets have no SAM
/// event and are reported.
fn http_event(
    route: &str,
    payload: HttpPayload,
    subject: &str,
    notes: &mut Notes,
) -> Option<(String, Value)> {
    let method_and_path = route
        .split_once(' ')
        .map(|(method, path)| (method, path.trim()));
    match payload {
        HttpPayload::HttpApiV2 => Some(match method_and_path {
            None => (
                "HttpDefaultRoute".to_owned(),
                // Without Path and Method, SAM's HttpApi event is the `$default` route.
                json!({ "Type": "HttpApi" }),
            ),
            Some((method, path)) => (
                format!("Http{}{}", pascal(method), pascal(path)),
                json!({ "Type": "HttpApi", "Properties": { "Path": path, "Method": method } }),
            ),
        }),
        HttpPayload::RestApiV1 => {
            let (method, path) = method_and_path.unwrap_or_else(|| {
                notes.add(
                    NoteLevel::Info,
                    subject,
                    "the REST API (payload 1.0) has no `$default` route: `ANY /{proxy+}` stands for it, so the API's root path `/` is not routed",
                );
                ("ANY", "/{proxy+}")
            });
            Some((
                format!("Rest{}{}", pascal(method), pascal(path)),
                json!({ "Type": "Api", "Properties": { "Path": path, "Method": method } }),
            ))
        }
        HttpPayload::Alb { .. } => {
            notes.add(
                NoteLevel::NotCarriedOver,
                subject,
                format!(
                    "the ALB target route `{route}` is left out: SAM has no Application Load Balancer event; register the function in a target group of your load balancer (AWS::ElasticLoadBalancingV2::TargetGroup with TargetType lambda)"
                ),
            );
            None
        }
    }
}

/// Letters and digits of `text`, each word capitalised: `/items/{id}` → `ItemsId`.
fn pascal(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
            })
        })
        .collect()
}
