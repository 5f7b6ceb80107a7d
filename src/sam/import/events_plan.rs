//! A function's SAM `Events` as lambdesk triggers: `Api`/`HttpApi` → http, `S3` → bucket,
//! `Schedule`/`ScheduleV2` → schedule, `SQS` → queue, `SNS` → topic. What an event sets
//! that lambdesk does not emulate is reported, property by property.

use serde_json::{Map, Value};

use super::plan::{Local, Planner};
use super::resources_plan::{as_bool, as_u32};
use crate::model::{FunctionConfig, Trigger};

impl Planner {
    pub(super) fn plan_event(
        &mut self,
        config: &mut FunctionConfig,
        id: &str,
        name: &str,
        event: &Value,
    ) {
        let path = format!("Events.{name}");
        let kind = event
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let empty = Map::new();
        let properties = event
            .get("Properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let built = match kind {
            "Api" => Ok((api_trigger(properties, "1.0"), API_KEYS)),
            "HttpApi" => Ok((api_trigger(properties, "2.0"), HTTP_API_KEYS)),
            "S3" => self
                .bucket_trigger(properties)
                .map(|trigger| (trigger, S3_KEYS)),
            "Schedule" => schedule_trigger(properties, "Schedule", None)
                .map(|trigger| (trigger, SCHEDULE_KEYS)),
            "ScheduleV2" => schedule_trigger(
                properties,
                "ScheduleExpression",
                Some("ScheduleExpressionTimezone"),
            )
            .map(|trigger| (trigger, SCHEDULE_V2_KEYS)),
            "SQS" => self
                .queue_trigger(properties)
                .map(|trigger| (trigger, SQS_KEYS)),
            "SNS" => self
                .topic_trigger(properties)
                .map(|trigger| (trigger, SNS_KEYS)),
            other => Err(format!(
                "`{other}` events are not emulated: lambdesk's triggers are Api/HttpApi, S3, Schedule/ScheduleV2, SQS and SNS"
            )),
        };
        let (trigger, used) = match built {
            Ok(built) => built,
            Err(reason) => {
                self.plan
                    .report
                    .skip(id, &format!("Properties.{path}"), reason);
                return;
            }
        };
        for key in properties.keys() {
            if !used.contains(&key.as_str()) {
                self.plan.report.skip(
                    id,
                    &format!("Properties.{path}.Properties.{key}"),
                    unused_event_key_reason(kind, key),
                );
            }
        }
        if let Some(problem) = trigger.problem() {
            self.plan
                .report
                .skip(id, &format!("Properties.{path}"), problem);
            return;
        }
        self.apply(config, id, &path, |config| config.triggers.push(trigger));
    }

    fn bucket_trigger(&self, properties: &Map<String, Value>) -> Result<Trigger, String> {
        let bucket = properties
            .get("Bucket")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !self.plan.buckets.contains(bucket) {
            return Err(format!(
                "`{bucket}` is not a bucket of this template (SAM requires S3 events' buckets in the same template)"
            ));
        }
        let events = match properties.get("Events") {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(many)) => many
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => {
                return Err(
                    "an S3 event names its `Events` (for example s3:ObjectCreated:*)".to_owned(),
                );
            }
        };
        let (mut prefix, mut suffix) = (None, None);
        let rules = properties
            .get("Filter")
            .and_then(|filter| filter.get("S3Key"))
            .and_then(|key| key.get("Rules"))
            .and_then(Value::as_array);
        for rule in rules.into_iter().flatten() {
            let value = rule.get("Value").and_then(Value::as_str).map(str::to_owned);
            match rule
                .get("Name")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("prefix") => prefix = value,
                Some("suffix") => suffix = value,
                other => {
                    return Err(format!(
                        "`{}` is not an S3 filter rule (prefix or suffix)",
                        other.unwrap_or("")
                    ));
                }
            }
        }
        Ok(Trigger::Bucket {
            bucket: bucket.to_owned(),
            events,
            prefix,
            suffix,
            enabled: true,
        })
    }

    fn queue_trigger(&self, properties: &Map<String, Value>) -> Result<Trigger, String> {
        let pointer = properties
            .get("Queue")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(Local::Queue(queue)) = self.local_of(pointer) else {
            return Err(format!("`{pointer}` is not a queue of this template"));
        };
        let report_batch_item_failures = properties
            .get("FunctionResponseTypes")
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|kind| kind == "ReportBatchItemFailures"));
        Ok(Trigger::Queue {
            queue,
            batch_size: properties.get("BatchSize").and_then(as_u32).unwrap_or(10),
            maximum_batching_window_secs: properties
                .get("MaximumBatchingWindowInSeconds")
                .and_then(as_u32),
            report_batch_item_failures,
            maximum_concurrency: properties
                .get("ScalingConfig")
                .and_then(|scaling| scaling.get("MaximumConcurrency"))
                .and_then(as_u32),
            enabled: properties.get("Enabled").is_none_or(as_bool),
        })
    }

    fn topic_trigger(&self, properties: &Map<String, Value>) -> Result<Trigger, String> {
        let pointer = properties
            .get("Topic")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(Local::Topic(topic)) = self.local_of(pointer) else {
            return Err(format!("`{pointer}` is not a topic of this template"));
        };
        if properties.get("FilterPolicyScope").and_then(Value::as_str) == Some("MessageBody") {
            return Err("filter policies on the message body are not emulated: lambdesk filters on message attributes".to_owned());
        }
        Ok(Trigger::Topic {
            topic,
            filter_policy: properties.get("FilterPolicy").cloned(),
            enabled: true,
        })
    }
}

/// The SAM event types lambdesk has triggers for.
pub(super) const EVENT_TYPES: &[&str] = &[
    "Api",
    "HttpApi",
    "S3",
    "Schedule",
    "ScheduleV2",
    "SQS",
    "SNS",
];
const API_KEYS: &[&str] = &["Path", "Method"];
const HTTP_API_KEYS: &[&str] = &["Path", "Method", "PayloadFormatVersion"];
const S3_KEYS: &[&str] = &["Bucket", "Events", "Filter"];
const SCHEDULE_KEYS: &[&str] = &["Schedule", "Enabled", "State", "Name", "Description"];
const SCHEDULE_V2_KEYS: &[&str] = &[
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "State",
    "Name",
    "Description",
];
const SQS_KEYS: &[&str] = &[
    "Queue",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FunctionResponseTypes",
    "ScalingConfig",
    "Enabled",
];
const SNS_KEYS: &[&str] = &["Topic", "FilterPolicy", "FilterPolicyScope"];

/// `Api` (REST API, payload 1.0) or `HttpApi` (payload 2.0 unless it says 1.0): the route
/// `METHOD /path`, or `$default` for an HttpApi event without path and method.
fn api_trigger(properties: &Map<String, Value>, default_payload: &str) -> Trigger {
    let method = properties.get("Method").and_then(Value::as_str);
    let path = properties.get("Path").and_then(Value::as_str);
    let route = match (method, path) {
        (None, None) => "$default".to_owned(),
        (method, path) => format!(
            "{} {}",
            method.unwrap_or("ANY").to_ascii_uppercase(),
            path.unwrap_or("/")
        ),
    };
    let payload = match properties
        .get("PayloadFormatVersion")
        .and_then(Value::as_str)
    {
        Some(version) => version.to_owned(),
        None => default_payload.to_owned(),
    };
    Trigger::Http {
        route,
        payload: (payload != "2.0").then_some(payload),
        multi_value_headers: false,
        enabled: true,
    }
}

fn schedule_trigger(
    properties: &Map<String, Value>,
    expression_key: &str,
    timezone_key: Option<&str>,
) -> Result<Trigger, String> {
    let Some(expression) = properties.get(expression_key).and_then(Value::as_str) else {
        return Err(format!("the schedule has no `{expression_key}`"));
    };
    let disabled = properties
        .get("Enabled")
        .is_some_and(|enabled| !as_bool(enabled))
        || properties.get("State").and_then(Value::as_str) == Some("DISABLED");
    Ok(Trigger::Schedule {
        expression: expression.to_owned(),
        timezone: timezone_key
            .and_then(|key| properties.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned),
        enabled: !disabled,
    })
}

fn unused_event_key_reason(kind: &str, key: &str) -> String {
    match (kind, key) {
        ("Api" | "HttpApi", "Auth") => "authorizers are not emulated: the local gateway lets every request in".to_owned(),
        ("Api" | "HttpApi", _) => format!("`{key}` is not emulated by the local gateway"),
        (_, "Input" | "InputPath" | "InputTransformer") => {
            "a custom input is not emulated: the function receives EventBridge's scheduled event".to_owned()
        }
        ("SQS", "FilterCriteria") => "event filtering is not emulated: every message reaches the function".to_owned(),
        ("SNS", "SqsSubscription") => "SAM's queue between the topic and the function is not made: the topic invokes the function directly".to_owned(),
        _ => format!("`{key}` is not emulated for {kind} events"),
    }
}
