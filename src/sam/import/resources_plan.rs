//! Buckets, queues, topics and subscriptions of a template as the workspace's own:
//! `buckets/<name>/` folders and `[queues.*]`/`[topics.*]` in `lambdesk.toml`.

use serde_json::{Map, Value};

use super::plan::{Created, Local, Planner, properties_of};
use crate::model::{QueueConfig, QueueSubscription, Trigger};

/// Properties a resource can have that lambdesk keeps.
const BUCKET_PROPERTIES: &[&str] = &["BucketName"];
const QUEUE_PROPERTIES: &[&str] = &[
    "QueueName",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
];
/// `FifoTopic` and `ContentBasedDeduplication` are kept as the name's `.fifo`.
const TOPIC_PROPERTIES: &[&str] = &[
    "TopicName",
    "Subscription",
    "FifoTopic",
    "ContentBasedDeduplication",
];

impl Planner {
    /// Evaluated properties of a resource; the ones outside `kept` are reported.
    fn kept_properties(
        &mut self,
        resource: &Created<'_>,
        kept: &[&str],
        why: &str,
    ) -> Map<String, Value> {
        let properties = properties_of(resource.definition);
        let mut evaluated = Map::new();
        for (key, value) in &properties {
            if !kept.contains(&key.as_str()) {
                self.plan.report.skip(
                    resource.logical_id,
                    &format!("Properties.{key}"),
                    format!("`{key}`: {why}"),
                );
                continue;
            }
            if let Some(value) =
                self.evaluate_lenient(value, resource.logical_id, &format!("Properties.{key}"))
            {
                evaluated.insert(key.clone(), value);
            }
        }
        evaluated
    }

    pub(super) fn plan_bucket(&mut self, resource: &Created<'_>) {
        self.kept_properties(
            resource,
            BUCKET_PROPERTIES,
            "a local bucket is a folder; this setting is not emulated",
        );
        if let Some(Local::Bucket(name)) = self.locals.get(resource.logical_id).cloned() {
            if let Err(problem) = crate::model::validate_bucket_name(&name) {
                self.plan
                    .report
                    .skip(resource.logical_id, "Properties.BucketName", problem);
                self.locals.remove(resource.logical_id);
                return;
            }
            self.plan.buckets.insert(name);
        }
    }

    pub(super) fn plan_queue(&mut self, resource: &Created<'_>) {
        let id = resource.logical_id;
        let properties = self.kept_properties(
            resource,
            QUEUE_PROPERTIES,
            "not emulated by lambdesk's queues",
        );
        let Some(Local::Queue(name)) = self.locals.get(id).cloned() else {
            return;
        };
        let mut config = QueueConfig::default();
        if let Some(secs) = properties.get("VisibilityTimeout").and_then(as_u32) {
            config.visibility_timeout_secs = secs;
        }
        if let Some(secs) = properties.get("MessageRetentionPeriod").and_then(as_u32) {
            config.message_retention_secs = secs;
        }
        config.fifo = properties.get("FifoQueue").is_some_and(as_bool);
        config.content_based_deduplication = properties
            .get("ContentBasedDeduplication")
            .is_some_and(as_bool);
        if let Some(redrive) = properties.get("RedrivePolicy") {
            let redrive = match redrive {
                // CloudFormation also takes the policy as a JSON string.
                Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                other => other.clone(),
            };
            let target = redrive.get("deadLetterTargetArn").and_then(Value::as_str);
            match target.map(|arn| self.local_of(arn)) {
                Some(Some(Local::Queue(dlq))) => {
                    config.dead_letter_queue = Some(dlq);
                    config.max_receive_count = redrive.get("maxReceiveCount").and_then(as_u32);
                }
                _ => self.plan.report.skip(
                    id,
                    "Properties.RedrivePolicy",
                    format!(
                        "the dead-letter queue `{}` is not a queue of this template",
                        target.unwrap_or("(none)")
                    ),
                ),
            }
        }
        let mut queues = std::collections::BTreeMap::new();
        // The queue alone against SQS's rules (the redrive target is checked once all
        // queues are known).
        let mut alone = config.clone();
        alone.dead_letter_queue = None;
        alone.max_receive_count = None;
        queues.insert(name.clone(), alone);
        if let Some((_, problem)) = (crate::model::WorkspaceConfig {
            queues,
            ..Default::default()
        })
        .problems()
        .into_iter()
        .next()
        {
            self.plan.report.skip(
                id,
                "Properties",
                format!("queue `{name}` is not valid: {problem}"),
            );
            self.locals.remove(id);
            return;
        }
        self.plan.queues.insert(name, config);
    }

    pub(super) fn plan_topic(&mut self, resource: &Created<'_>) {
        let id = resource.logical_id;
        let properties = self.kept_properties(
            resource,
            TOPIC_PROPERTIES,
            "not emulated by lambdesk's topics",
        );
        let Some(Local::Topic(name)) = self.locals.get(id).cloned() else {
            return;
        };
        if let Err(problem) = crate::model::check_messaging_name(&name, 256, "topic") {
            self.plan.report.skip(id, "Properties.TopicName", problem);
            self.locals.remove(id);
            return;
        }
        self.plan.topics.entry(name.clone()).or_default();
        if let Some(Value::Array(subscriptions)) = properties.get("Subscription") {
            for (index, subscription) in subscriptions.iter().enumerate() {
                let protocol = subscription
                    .get("Protocol")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let endpoint = subscription
                    .get("Endpoint")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                self.subscribe(
                    id,
                    &format!("Properties.Subscription[{index}]"),
                    &name,
                    protocol,
                    endpoint,
                    None,
                    false,
                );
            }
        }
    }

    /// `AWS::SNS::Subscription` of a queue or function to a topic of the template.
    pub(super) fn plan_subscription(&mut self, resource: &Created<'_>) {
        let id = resource.logical_id;
        let properties = self.kept_properties(
            resource,
            &[
                "TopicArn",
                "Protocol",
                "Endpoint",
                "FilterPolicy",
                "RawMessageDelivery",
                "FilterPolicyScope",
            ],
            "not emulated by lambdesk's subscriptions",
        );
        let topic_arn = properties
            .get("TopicArn")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(Local::Topic(topic)) = self.local_of(topic_arn) else {
            self.plan.report.skip(
                id,
                "Properties.TopicArn",
                format!("`{topic_arn}` is not a topic of this template"),
            );
            return;
        };
        if properties.get("FilterPolicyScope").and_then(Value::as_str) == Some("MessageBody") {
            self.plan.report.skip(
                id,
                "Properties.FilterPolicyScope",
                "filter policies on the message body are not emulated: lambdesk filters on message attributes",
            );
            return;
        }
        let protocol = properties
            .get("Protocol")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let endpoint = properties
            .get("Endpoint")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let filter_policy = properties.get("FilterPolicy").map(|policy| match policy {
            Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            other => other.clone(),
        });
        let raw = properties.get("RawMessageDelivery").is_some_and(as_bool);
        self.subscribe(
            id,
            "Properties",
            &topic,
            protocol,
            endpoint,
            filter_policy,
            raw,
        );
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one subscription's parts, from two kinds of resource"
    )]
    fn subscribe(
        &mut self,
        id: &str,
        path: &str,
        topic: &str,
        protocol: &str,
        endpoint: &str,
        filter_policy: Option<Value>,
        raw_message_delivery: bool,
    ) {
        match (protocol, self.local_of(endpoint)) {
            ("sqs", Some(Local::Queue(queue))) => {
                let subscription = QueueSubscription {
                    queue,
                    filter_policy,
                    raw_message_delivery,
                };
                self.plan
                    .topics
                    .entry(topic.to_owned())
                    .or_default()
                    .subscriptions
                    .push(subscription);
            }
            ("lambda", Some(Local::Function(function))) => {
                self.pending_function_triggers.push((
                    function,
                    id.to_owned(),
                    Trigger::Topic {
                        topic: topic.to_owned(),
                        filter_policy,
                        enabled: true,
                    },
                ));
            }
            _ => self.plan.report.skip(
                id,
                path,
                format!("a `{protocol}` subscription to `{endpoint}` is not emulated: lambdesk topics deliver to the template's queues and functions"),
            ),
        }
    }

    /// A redrive to a queue that did not come over is dropped and reported.
    pub(super) fn check_redrives(&mut self) {
        let names: Vec<String> = self.plan.queues.keys().cloned().collect();
        for (name, config) in &mut self.plan.queues {
            if let Some(dlq) = &config.dead_letter_queue
                && !names.contains(dlq)
            {
                self.plan.report.skip(
                    name,
                    "Properties.RedrivePolicy",
                    format!("its dead-letter queue `{dlq}` was not imported"),
                );
                config.dead_letter_queue = None;
                config.max_receive_count = None;
            }
        }
    }
}

/// A number, or a number written as text (CloudFormation takes both).
pub(super) fn as_u32(value: &Value) -> Option<u32> {
    match value {
        Value::Number(number) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn as_bool(value: &Value) -> bool {
    match value {
        Value::Bool(flag) => *flag,
        Value::String(text) => text.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A queue policy whose every statement allows SNS to send to the queue.
pub(super) fn only_lets_topics_deliver(definition: &Map<String, Value>) -> bool {
    let statements = definition
        .get("Properties")
        .and_then(|properties| properties.pointer("/PolicyDocument/Statement"))
        .map(|statement| match statement {
            Value::Array(statements) => statements.clone(),
            single => vec![single.clone()],
        })
        .unwrap_or_default();
    !statements.is_empty()
        && statements.iter().all(|statement| {
            let allows = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
            let from_sns = statement
                .pointer("/Principal/Service")
                .and_then(Value::as_str)
                == Some("sns.amazonaws.com");
            let actions = match statement.get("Action") {
                Some(Value::String(action)) => vec![action.as_str()],
                Some(Value::Array(actions)) => actions.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            allows
                && from_sns
                && !actions.is_empty()
                && actions.iter().all(|action| *action == "sqs:SendMessage")
        })
}
