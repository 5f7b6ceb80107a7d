//! The workspace's queues, topics (with their queue subscriptions) and buckets as
//! CloudFormation resources, and the layer that carries lambdesk as a custom runtime.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::model::{Architecture, QueueConfig, WorkspaceConfig};

use super::notes::{NoteLevel, Notes};
use super::references::{References, bucket_name, bucket_name_readable, reference};

/// The runtime lambdesk's custom runtime functions are declared with.
pub const PROVIDED_RUNTIME: &str = "provided.al2023";

/// `AWS::SQS::Queue` per queue (declared in `lambdesk.toml` or only named by a function,
/// which gets SQS's defaults), with its redrive policy; `AWS::SNS::Topic` per topic, an
/// `AWS::SNS::Subscription` per queue subscription and the `AWS::SQS::QueuePolicy` that
/// lets the topics deliver to the queue; `AWS::S3::Bucket` per bucket.
pub fn messaging_and_bucket_resources(
    workspace: &WorkspaceConfig,
    references: &mut References,
    bucket_folders_with_objects: &[String],
    notes: &mut Notes,
) -> Map<String, Value> {
    let mut resources = Map::new();
    let queue_names: Vec<String> = references.queues.iter().cloned().collect();
    for name in &queue_names {
        let declared = workspace.queues.get(name);
        if declared.is_none() {
            notes.add(
                NoteLevel::Info,
                format!("queue {name}"),
                "a function names it but lambdesk.toml does not declare it: created with SQS's defaults",
            );
        }
        let queue = declared.cloned().unwrap_or_else(|| QueueConfig {
            fifo: name.ends_with(".fifo"),
            ..QueueConfig::default()
        });
        let mut properties = Map::new();
        properties.insert("QueueName".into(), json!(name));
        if queue.fifo {
            properties.insert("FifoQueue".into(), json!(true));
        }
        if queue.content_based_deduplication {
            properties.insert("ContentBasedDeduplication".into(), json!(true));
        }
        properties.insert(
            "VisibilityTimeout".into(),
            json!(queue.visibility_timeout_secs),
        );
        properties.insert(
            "MessageRetentionPeriod".into(),
            json!(queue.message_retention_secs),
        );
        if let (Some(dead_letter_queue), Some(max_receive_count)) =
            (&queue.dead_letter_queue, queue.max_receive_count)
        {
            properties.insert(
                "RedrivePolicy".into(),
                json!({
                    "deadLetterTargetArn": references.queue_arn(dead_letter_queue),
                    "maxReceiveCount": max_receive_count,
                }),
            );
        }
        resources.insert(
            references.queue_id(name),
            json!({ "Type": "AWS::SQS::Queue", "Properties": properties }),
        );
    }

    // Which topics deliver to each queue: one queue policy per queue names them all.
    let mut topics_of_queue: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let topic_names: Vec<String> = references.topics.iter().cloned().collect();
    for name in &topic_names {
        let topic_id = references.topic_id(name);
        let mut properties = Map::new();
        properties.insert("TopicName".into(), json!(name));
        if name.ends_with(".fifo") {
            properties.insert("FifoTopic".into(), json!(true));
        }
        resources.insert(
            topic_id.clone(),
            json!({ "Type": "AWS::SNS::Topic", "Properties": properties }),
        );
        let subscriptions = workspace
            .topics
            .get(name)
            .map(|topic| topic.subscriptions.as_slice())
            .unwrap_or_default();
        for subscription in subscriptions {
            let queue_id = references.queue_id(&subscription.queue);
            let mut properties = Map::new();
            properties.insert("Protocol".into(), json!("sqs"));
            properties.insert("TopicArn".into(), reference(&topic_id));
            properties.insert("Endpoint".into(), references.queue_arn(&subscription.queue));
            if let Some(policy) = &subscription.filter_policy {
                properties.insert("FilterPolicy".into(), policy.clone());
            }
            if subscription.raw_message_delivery {
                properties.insert("RawMessageDelivery".into(), json!(true));
            }
            resources.insert(
                format!("{topic_id}{queue_id}Subscription"),
                json!({ "Type": "AWS::SNS::Subscription", "Properties": properties }),
            );
            topics_of_queue
                .entry(subscription.queue.clone())
                .or_default()
                .push(name.clone());
        }
    }
    for (queue, topics) in topics_of_queue {
        let queue_id = references.queue_id(&queue);
        let topic_arns: Vec<Value> = topics
            .iter()
            .map(|topic| references.topic_arn(topic))
            .collect();
        resources.insert(
            format!("{queue_id}Policy"),
            json!({
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [reference(&queue_id)],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": { "Service": "sns.amazonaws.com" },
                            "Action": "sqs:SendMessage",
                            "Resource": references.queue_arn(&queue),
                            "Condition": { "ArnEquals": { "aws:SourceArn": topic_arns } },
                        }],
                    },
                },
            }),
        );
    }

    let bucket_names: Vec<String> = references.buckets.iter().cloned().collect();
    for name in &bucket_names {
        resources.insert(
            references.bucket_id(name),
            json!({
                "Type": "AWS::S3::Bucket",
                "Properties": { "BucketName": bucket_name(name) },
            }),
        );
        let subject = format!("bucket {name}");
        notes.add(
            NoteLevel::Info,
            &subject,
            format!(
                "S3 bucket names are global: it is created as {}; code that names the bucket must use that name on AWS",
                bucket_name_readable(name)
            ),
        );
        if bucket_folders_with_objects.contains(name) {
            notes.add(
                NoteLevel::NotCarriedOver,
                &subject,
                format!(
                    "the objects in buckets/{name}/ are not part of the template: after deploying, copy them with `aws s3 sync buckets/{name} s3://{}`",
                    bucket_name_readable(name)
                ),
            );
        }
    }
    resources
}

/// The logical id of the layer holding lambdesk's `bootstrap` for `architecture`.
pub fn bootstrap_layer_id(architecture: Architecture) -> &'static str {
    match architecture {
        Architecture::X86_64 => "LambdeskRuntimeX8664Layer",
        Architecture::Arm64 => "LambdeskRuntimeArm64Layer",
    }
}

/// The folder of that layer in the export, relative to the template.
pub fn bootstrap_layer_dir(architecture: Architecture) -> String {
    format!("layers/lambdesk-{}", architecture.id())
}

/// `AWS::Serverless::LayerVersion` with lambdesk's headless build as `bootstrap`: Lambda
/// runs `/opt/bootstrap` of a `provided` function that has none of its own.
pub fn bootstrap_layer(architecture: Architecture) -> Value {
    json!({
        "Type": "AWS::Serverless::LayerVersion",
        "Properties": {
            "Description": format!(
                "lambdesk as a custom runtime (lambdesk lambda-bootstrap) for {}: runs WebAssembly functions in wasmtime",
                architecture.id()
            ),
            "ContentUri": format!("{}/", bootstrap_layer_dir(architecture)),
            "CompatibleRuntimes": [PROVIDED_RUNTIME],
            "CompatibleArchitectures": [architecture.id()],
        },
    })
}
