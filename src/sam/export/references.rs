//! How the template names the workspace's resources: logical ids for what it declares,
//! CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Sub`) to reach them.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::logical_ids::{LogicalIds, ResourceKind};

/// S3 bucket names are global: `photos` is created as `photos-<account>-<region>`, unless
/// that would pass S3's 63 characters. `-` + 12 digits + `-` + the longest region (14).
const BUCKET_SUFFIX_MAX_LEN: usize = 1 + 12 + 1 + 14;
const BUCKET_NAME_MAX_LEN: usize = 63;

/// The resources the template declares, by lambdesk name, and their logical ids.
#[derive(Debug)]
pub struct References {
    pub ids: LogicalIds,
    pub functions: BTreeSet<String>,
    pub queues: BTreeSet<String>,
    pub topics: BTreeSet<String>,
    pub buckets: BTreeSet<String>,
}

impl References {
    pub fn function_id(&mut self, name: &str) -> String {
        self.ids.of(ResourceKind::Function, name)
    }
    pub fn queue_id(&mut self, name: &str) -> String {
        self.ids.of(ResourceKind::Queue, name)
    }
    pub fn topic_id(&mut self, name: &str) -> String {
        self.ids.of(ResourceKind::Topic, name)
    }
    pub fn bucket_id(&mut self, name: &str) -> String {
        self.ids.of(ResourceKind::Bucket, name)
    }

    pub fn queue_arn(&mut self, name: &str) -> Value {
        get_att(&self.queue_id(name), "Arn")
    }
    pub fn queue_name(&mut self, name: &str) -> Value {
        get_att(&self.queue_id(name), "QueueName")
    }
    /// A topic's `Ref` is its ARN.
    pub fn topic_arn(&mut self, name: &str) -> Value {
        reference(&self.topic_id(name))
    }
    pub fn topic_name(&mut self, name: &str) -> Value {
        get_att(&self.topic_id(name), "TopicName")
    }
    pub fn function_arn(&mut self, name: &str) -> Value {
        get_att(&self.function_id(name), "Arn")
    }
}

pub fn reference(logical_id: &str) -> Value {
    json!({ "Ref": logical_id })
}

pub fn get_att(logical_id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [logical_id, attribute] })
}

/// Whether the bucket gets the account and region after its name on AWS.
pub fn bucket_name_is_suffixed(name: &str) -> bool {
    name.len() + BUCKET_SUFFIX_MAX_LEN <= BUCKET_NAME_MAX_LEN
}

/// The bucket's name on AWS as an expression. Policies name it this way rather than with
/// `Ref`: a function whose policy points at a bucket whose notifications point at the
/// function is a circular dependency CloudFormation refuses.
pub fn bucket_name(name: &str) -> Value {
    if bucket_name_is_suffixed(name) {
        json!({ "Fn::Sub": format!("{name}-${{AWS::AccountId}}-${{AWS::Region}}") })
    } else {
        Value::String(name.to_owned())
    }
}

/// The bucket's name on AWS as the user reads it (`photos-<account id>-<region>`).
pub fn bucket_name_readable(name: &str) -> String {
    if bucket_name_is_suffixed(name) {
        format!("{name}-<account id>-<region>")
    } else {
        name.to_owned()
    }
}

pub fn bucket_arn(name: &str) -> Value {
    let bucket = if bucket_name_is_suffixed(name) {
        format!("{name}-${{AWS::AccountId}}-${{AWS::Region}}")
    } else {
        name.to_owned()
    };
    json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::{bucket}") })
}
