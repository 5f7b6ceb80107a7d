//! A function's `Policies` as `[permissions]`: the bucket, queue and topic access they
//! grant (SAM policy templates, AWS managed policies, inline statements). Access to other
//! services is reported: lambdesk does not emulate them.

use serde_json::Value;

use super::plan::{Local, Planner};
use crate::model::{BucketAccess, FunctionConfig};

/// The SAM policy templates that grant what lambdesk emulates.
pub(super) const POLICY_TEMPLATES: &[&str] = &[
    "S3ReadPolicy",
    "S3CrudPolicy",
    "S3WritePolicy",
    "S3FullAccessPolicy",
    "SQSSendMessagePolicy",
    "SQSPollerPolicy",
    "SNSPublishMessagePolicy",
    "SNSCrudPolicy",
];

/// What a policy grants that lambdesk keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Grant {
    Bucket(String, BucketAccess),
    Queue(String),
    Topic(String),
    /// Logs: lambdesk always writes them.
    Nothing,
}

impl Planner {
    pub(super) fn plan_policies(
        &mut self,
        config: &mut FunctionConfig,
        id: &str,
        policies: &Value,
    ) {
        let items = match policies {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for (index, policy) in items.iter().enumerate() {
            let path = format!("Policies[{index}]");
            match self.grants_of(config, policy) {
                Ok(grants) => {
                    for grant in grants {
                        self.apply(config, id, &path, |config| grant_into(config, grant));
                    }
                }
                Err(reason) => self
                    .plan
                    .report
                    .skip(id, &format!("Properties.{path}"), reason),
            }
        }
        // Buckets named by policies but not declared in the template are folders too.
        for bucket in config.permissions.buckets.keys() {
            self.plan.buckets.insert(bucket.clone());
        }
    }

    fn grants_of(&self, config: &FunctionConfig, policy: &Value) -> Result<Vec<Grant>, String> {
        match policy {
            Value::String(managed) => {
                self.managed_policy(managed.rsplit('/').next().unwrap_or(managed))
            }
            Value::Object(object) if object.contains_key("Statement") => {
                self.statements(object.get("Statement"))
            }
            Value::Object(object) if object.len() == 1 => {
                let (template, arguments) = object.iter().next().ok_or("an empty policy")?;
                let argument = |key: &str| {
                    arguments
                        .get(key)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| format!("`{template}` needs `{key}`"))
                };
                Ok(vec![match template.as_str() {
                    "S3ReadPolicy" => Grant::Bucket(
                        self.local_bucket_name(&argument("BucketName")?),
                        BucketAccess::Read,
                    ),
                    "S3CrudPolicy" | "S3WritePolicy" | "S3FullAccessPolicy" => Grant::Bucket(
                        self.local_bucket_name(&argument("BucketName")?),
                        BucketAccess::ReadWrite,
                    ),
                    "SQSSendMessagePolicy" => Grant::Queue(argument("QueueName")?),
                    "SNSPublishMessagePolicy" | "SNSCrudPolicy" => {
                        Grant::Topic(argument("TopicName")?)
                    }
                    "SQSPollerPolicy" => {
                        let queue = argument("QueueName")?;
                        let triggered = config.triggers.iter().any(|trigger| {
                            matches!(trigger, crate::model::Trigger::Queue { queue: name, .. } if *name == queue)
                        });
                        if !triggered {
                            return Err(format!(
                                "`SQSPollerPolicy` lets code receive from `{queue}` itself, which is not emulated: give the function a queue trigger instead"
                            ));
                        }
                        Grant::Nothing
                    }
                    other => {
                        return Err(format!(
                            "the policy template `{other}` grants access to a service lambdesk does not emulate"
                        ));
                    }
                }])
            }
            other => Err(format!("`{other}` is not a policy SAM takes")),
        }
    }

    fn managed_policy(&self, name: &str) -> Result<Vec<Grant>, String> {
        let all = |make: &dyn Fn(&Local) -> Option<Grant>| {
            self.locals.values().filter_map(make).collect()
        };
        Ok(match name {
            "AWSLambdaBasicExecutionRole" => vec![Grant::Nothing],
            "AmazonS3ReadOnlyAccess" => all(&|local| match local {
                Local::Bucket(name) => Some(Grant::Bucket(name.clone(), BucketAccess::Read)),
                _ => None,
            }),
            "AmazonS3FullAccess" | "AWSLambdaExecute" => all(&|local| match local {
                Local::Bucket(name) => Some(Grant::Bucket(name.clone(), BucketAccess::ReadWrite)),
                _ => None,
            }),
            "AmazonSQSFullAccess" => all(&|local| match local {
                Local::Queue(name) => Some(Grant::Queue(name.clone())),
                _ => None,
            }),
            "AmazonSNSFullAccess" => all(&|local| match local {
                Local::Topic(name) => Some(Grant::Topic(name.clone())),
                _ => None,
            }),
            other => {
                return Err(format!(
                    "the managed policy `{other}` grants access to services lambdesk does not emulate"
                ));
            }
        })
    }

    /// An inline policy's `Allow` statements on buckets, queues and topics.
    fn statements(&self, statements: Option<&Value>) -> Result<Vec<Grant>, String> {
        let statements = match statements {
            Some(Value::Array(items)) => items.clone(),
            Some(one) => vec![one.clone()],
            None => Vec::new(),
        };
        let list = |value: Option<&Value>| -> Vec<String> {
            match value {
                Some(Value::String(one)) => vec![one.clone()],
                Some(Value::Array(many)) => many
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut grants = Vec::new();
        for statement in &statements {
            if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
                return Err("Deny statements are not emulated".to_owned());
            }
            let resources = list(statement.get("Resource"));
            for action in list(statement.get("Action")) {
                let lowered = action.to_ascii_lowercase();
                let (service, verb) = lowered.split_once(':').unwrap_or((lowered.as_str(), "*"));
                let grant_for = |resource: &str| -> Vec<Grant> {
                    let locals: Vec<Local> = if resource == "*" {
                        self.locals.values().cloned().collect()
                    } else {
                        let arn = resource
                            .split('/')
                            .next()
                            .unwrap_or(resource)
                            .trim_end_matches('*');
                        self.local_of(arn).into_iter().collect()
                    };
                    locals
                        .into_iter()
                        .filter_map(|local| match (service, local) {
                            ("s3", Local::Bucket(name)) => {
                                let read_only = verb.starts_with("get")
                                    || verb.starts_with("list")
                                    || verb.starts_with("head");
                                let access = if read_only {
                                    BucketAccess::Read
                                } else {
                                    BucketAccess::ReadWrite
                                };
                                Some(Grant::Bucket(name, access))
                            }
                            ("sqs", Local::Queue(name))
                                if verb == "*" || verb.starts_with("sendmessage") =>
                            {
                                Some(Grant::Queue(name))
                            }
                            ("sns", Local::Topic(name)) if verb == "*" || verb == "publish" => {
                                Some(Grant::Topic(name))
                            }
                            _ => None,
                        })
                        .collect()
                };
                if service == "logs" {
                    continue;
                }
                let granted: Vec<Grant> = resources
                    .iter()
                    .flat_map(|resource| grant_for(resource))
                    .collect();
                if granted.is_empty() {
                    return Err(format!(
                        "`{action}` on {} is not access to a bucket, queue or topic of this template",
                        resources.join(", ")
                    ));
                }
                grants.extend(granted);
            }
        }
        Ok(grants)
    }
}

fn grant_into(config: &mut FunctionConfig, grant: Grant) {
    let permissions = &mut config.permissions;
    match grant {
        Grant::Bucket(name, access) => {
            let entry = permissions.buckets.entry(name).or_insert(access);
            if access == BucketAccess::ReadWrite {
                *entry = BucketAccess::ReadWrite;
            }
        }
        Grant::Queue(name) if !permissions.queues.contains(&name) => permissions.queues.push(name),
        Grant::Topic(name) if !permissions.topics.contains(&name) => permissions.topics.push(name),
        Grant::Queue(_) | Grant::Topic(_) | Grant::Nothing => {}
    }
}
