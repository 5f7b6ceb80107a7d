//! `[[triggers]]` of `function.toml`: what invokes a function by itself (HTTP routes,
//! bucket notifications, schedules, queues, topics), with their checks.

use serde::{Deserialize, Serialize};

use super::filter_policy::FilterPolicy;
use super::messaging_config::check_name;
use super::names::validate_bucket_name;
use super::route_template::RouteTemplate;
use super::schedule_expression::{ScheduleExpression, parse_time_zone};

/// `[[triggers]]`: what invokes the function by itself. Each can be switched off with
/// `enabled = false` and stays configured (the console's enable/disable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Trigger {
    /// API Gateway HTTP API route: `GET /items/{id}`, `ANY /{proxy+}`, `$default`.
    Http {
        route: String,
        /// The event the function receives: `"2.0"` (HTTP API, the default), `"1.0"`
        /// (REST API proxy integration) or `"alb"` (Application Load Balancer target);
        /// see [`HttpPayload`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<String>,
        /// With `payload = "alb"`: the target group's multi-value headers setting.
        #[serde(default, skip_serializing_if = "is_off")]
        multi_value_headers: bool,
        #[serde(default = "enabled_by_default", skip_serializing_if = "is_enabled")]
        enabled: bool,
    },
    /// S3 notifications from a bucket folder.
    Bucket {
        bucket: String,
        #[serde(default = "default_bucket_events")]
        events: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suffix: Option<String>,
        #[serde(default = "enabled_by_default", skip_serializing_if = "is_enabled")]
        enabled: bool,
    },
    /// EventBridge schedule: `rate(5 minutes)` or `cron(0 8 ? * MON-FRI *)`.
    Schedule {
        expression: String,
        /// IANA time zone the cron fields are read in (`Europe/Berlin`); UTC when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timezone: Option<String>,
        #[serde(default = "enabled_by_default", skip_serializing_if = "is_enabled")]
        enabled: bool,
    },
    /// SQS event source mapping.
    Queue {
        queue: String,
        #[serde(default = "default_batch_size")]
        batch_size: u32,
        /// How long to gather a batch before invoking (0–300 s); needed above 10 messages.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        maximum_batching_window_secs: Option<u32>,
        #[serde(default)]
        report_batch_item_failures: bool,
        /// Batches of this queue running at once (Lambda's maximum concurrency, 2–1000).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        maximum_concurrency: Option<u32>,
        #[serde(default = "enabled_by_default", skip_serializing_if = "is_enabled")]
        enabled: bool,
    },
    /// SNS subscription.
    Topic {
        topic: String,
        /// An SNS filter policy on message attributes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filter_policy: Option<serde_json::Value>,
        #[serde(default = "enabled_by_default", skip_serializing_if = "is_enabled")]
        enabled: bool,
    },
}

fn enabled_by_default() -> bool {
    true
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if signature"
)]
fn is_enabled(enabled: &bool) -> bool {
    *enabled
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if signature"
)]
fn is_off(flag: &bool) -> bool {
    !*flag
}

/// The request and response format between an HTTP trigger and its function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpPayload {
    /// API Gateway HTTP API, payload format 2.0.
    #[default]
    HttpApiV2,
    /// API Gateway REST API with the Lambda proxy integration, payload format 1.0.
    RestApiV1,
    /// Application Load Balancer with a Lambda target group.
    Alb {
        /// The target group sends and reads `multiValueHeaders`.
        multi_value_headers: bool,
    },
}

impl HttpPayload {
    /// The format a trigger's `payload` names (`None`: the default, 2.0), or a message
    /// saying which formats there are.
    pub fn parse(payload: Option<&str>, multi_value_headers: bool) -> Result<Self, String> {
        match payload {
            None | Some("2.0") => Ok(Self::HttpApiV2),
            Some("1.0") => Ok(Self::RestApiV1),
            Some("alb") => Ok(Self::Alb {
                multi_value_headers,
            }),
            Some(other) => Err(format!(
                "`{other}` is not a payload format: use \"2.0\" (API Gateway HTTP API), \"1.0\" (API Gateway REST API) or \"alb\" (Application Load Balancer)"
            )),
        }
    }
}

fn default_bucket_events() -> Vec<String> {
    vec!["s3:ObjectCreated:*".to_owned()]
}
fn default_batch_size() -> u32 {
    10
}

impl Trigger {
    /// An HTTP trigger with payload format 2.0, enabled.
    pub fn http(route: &str) -> Self {
        Self::Http {
            route: route.to_owned(),
            payload: None,
            multi_value_headers: false,
            enabled: true,
        }
    }

    /// The payload format of an HTTP trigger (2.0 for other triggers and for a `payload`
    /// the configuration loader refuses).
    pub fn http_payload(&self) -> HttpPayload {
        match self {
            Self::Http {
                payload,
                multi_value_headers,
                ..
            } => HttpPayload::parse(payload.as_deref(), *multi_value_headers).unwrap_or_default(),
            _ => HttpPayload::default(),
        }
    }

    pub fn is_enabled(&self) -> bool {
        match self {
            Self::Http { enabled, .. }
            | Self::Bucket { enabled, .. }
            | Self::Schedule { enabled, .. }
            | Self::Queue { enabled, .. }
            | Self::Topic { enabled, .. } => *enabled,
        }
    }

    pub fn set_enabled(&mut self, on: bool) {
        match self {
            Self::Http { enabled, .. }
            | Self::Bucket { enabled, .. }
            | Self::Schedule { enabled, .. }
            | Self::Queue { enabled, .. }
            | Self::Topic { enabled, .. } => *enabled = on,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Http { .. } => "http",
            Self::Bucket { .. } => "bucket",
            Self::Schedule { .. } => "schedule",
            Self::Queue { .. } => "queue",
            Self::Topic { .. } => "topic",
        }
    }

    /// A one-line description for lists: `http GET /items/{id}`, `queue orders`.
    pub fn summary(&self) -> String {
        match self {
            Self::Http { route, .. } => format!("http {route}"),
            Self::Bucket { bucket, .. } => format!("bucket {bucket}"),
            Self::Schedule { expression, .. } => format!("schedule {expression}"),
            Self::Queue { queue, .. } => format!("queue {queue}"),
            Self::Topic { topic, .. } => format!("topic {topic}"),
        }
    }

    /// The first problem the configuration loader would report about this trigger.
    pub fn problem(&self) -> Option<String> {
        self.check().err().map(|(_, message)| message)
    }

    /// The first problem found, with the name of the key it is about.
    pub(super) fn check(&self) -> Result<(), (&'static str, String)> {
        match self {
            Self::Http {
                route,
                payload,
                multi_value_headers,
                ..
            } => {
                RouteTemplate::parse(route).map_err(|error| ("route", error.to_string()))?;
                let format = HttpPayload::parse(payload.as_deref(), *multi_value_headers)
                    .map_err(|message| ("payload", message))?;
                if *multi_value_headers && !matches!(format, HttpPayload::Alb { .. }) {
                    return Err((
                        "multi_value_headers",
                        "multi-value headers are a setting of ALB target groups: use it with payload = \"alb\" (REST API events always carry multiValueHeaders)".to_owned(),
                    ));
                }
                Ok(())
            }
            Self::Bucket { bucket, events, .. } => {
                validate_bucket_name(bucket).map_err(|message| ("bucket", message))?;
                match events.iter().find(|event| !event.starts_with("s3:")) {
                    Some(event) => Err((
                        "events",
                        format!(
                            "`{event}` is not an S3 event name (for example `s3:ObjectCreated:*`)"
                        ),
                    )),
                    None if events.is_empty() => {
                        Err(("events", "name at least one S3 event".to_owned()))
                    }
                    None => Ok(()),
                }
            }
            Self::Schedule {
                expression,
                timezone,
                ..
            } => {
                ScheduleExpression::parse(expression).map_err(|error| {
                    (
                        "expression",
                        format!("`{expression}` is not a valid schedule expression: {error}"),
                    )
                })?;
                match timezone.as_deref().map(parse_time_zone) {
                    Some(Err(error)) => Err(("timezone", error.to_string())),
                    _ => Ok(()),
                }
            }
            Self::Queue {
                queue,
                batch_size,
                maximum_batching_window_secs,
                maximum_concurrency,
                ..
            } => {
                check_name(queue, 80, "queue").map_err(|message| ("queue", message))?;
                if !(1..=10_000).contains(batch_size) {
                    return Err((
                        "batch_size",
                        format!("{batch_size} is outside Lambda's range of 1–10000"),
                    ));
                }
                if queue.ends_with(".fifo") && *batch_size > 10 {
                    return Err((
                        "batch_size",
                        "a FIFO queue's batch size is at most 10".to_owned(),
                    ));
                }
                let window_secs = maximum_batching_window_secs.unwrap_or(0);
                if window_secs > 300 {
                    return Err((
                        "maximum_batching_window_secs",
                        format!("{window_secs} s is outside Lambda's range of 0–300 s"),
                    ));
                }
                if *batch_size > 10 && window_secs == 0 {
                    return Err((
                        "maximum_batching_window_secs",
                        "a batch size above 10 needs a batching window of at least 1 s, as Lambda requires".to_owned(),
                    ));
                }
                match maximum_concurrency {
                    Some(concurrency) if !(2..=1000).contains(concurrency) => Err((
                        "maximum_concurrency",
                        format!("{concurrency} is outside Lambda's range of 2–1000"),
                    )),
                    _ => Ok(()),
                }
            }
            Self::Topic {
                topic,
                filter_policy,
                ..
            } => {
                check_name(topic, 256, "topic").map_err(|message| ("topic", message))?;
                match filter_policy.as_ref().map(FilterPolicy::parse) {
                    Some(Err(error)) => Err(("filter_policy", error.to_string())),
                    _ => Ok(()),
                }
            }
        }
    }
}
