//! Which topics a workspace has and who subscribes to each: functions through `topic`
//! triggers, queues through `[topics.<name>] subscriptions`. A topic a function names
//! (a trigger, a destination) exists even when `lambdesk.toml` does not declare it.

use std::collections::BTreeMap;

use sha2::{Digest as _, Sha256};

use super::filter_policy::FilterPolicy;
use crate::model::{Destination, Function, Trigger, Workspace};

#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Function(String),
    Queue {
        name: String,
        /// The message alone, not SNS's JSON envelope.
        raw_message_delivery: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub endpoint: Endpoint,
    pub filter_policy: Option<FilterPolicy>,
    /// The last part of the subscription ARN: the same for the same topic and endpoint
    /// on every run, as a real subscription's is.
    pub id: String,
}

impl Subscription {
    /// `function hello`, `queue orders (raw)`.
    pub fn describe(&self) -> String {
        match &self.endpoint {
            Endpoint::Function(name) => format!("function {name}"),
            Endpoint::Queue {
                name,
                raw_message_delivery,
            } => format!(
                "queue {name}{}",
                if *raw_message_delivery { " (raw)" } else { "" }
            ),
        }
    }
}

/// Topics by name with their subscriptions, and a message for each subscription whose
/// filter policy is not valid (that subscription is left out).
pub fn known_topics(
    workspace: &Workspace,
    functions: &[Function],
) -> (BTreeMap<String, Vec<Subscription>>, Vec<String>) {
    let mut topics: BTreeMap<String, Vec<Subscription>> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut parse_policy = |topic: &str, who: &str, policy: Option<&serde_json::Value>| match policy
        .map(FilterPolicy::parse)
        .transpose()
    {
        Ok(policy) => Some(policy),
        Err(error) => {
            problems.push(format!(
                "the subscription of {who} to topic `{topic}` is off: {error}"
            ));
            None
        }
    };
    for (name, config) in &workspace.config().topics {
        let subscriptions = topics.entry(name.clone()).or_default();
        for subscription in &config.subscriptions {
            let who = format!("queue {}", subscription.queue);
            if let Some(filter_policy) =
                parse_policy(name, &who, subscription.filter_policy.as_ref())
            {
                subscriptions.push(Subscription {
                    endpoint: Endpoint::Queue {
                        name: subscription.queue.clone(),
                        raw_message_delivery: subscription.raw_message_delivery,
                    },
                    filter_policy,
                    id: subscription_id(name, &who),
                });
            }
        }
    }
    for function in functions {
        for trigger in &function.config.triggers {
            if let Trigger::Topic {
                topic,
                filter_policy,
                enabled,
            } = trigger
            {
                let subscriptions = topics.entry(topic.clone()).or_default();
                let who = format!("function {}", function.name);
                if !enabled {
                    continue;
                }
                if let Some(filter_policy) = parse_policy(topic, &who, filter_policy.as_ref()) {
                    subscriptions.push(Subscription {
                        endpoint: Endpoint::Function(function.name.clone()),
                        filter_policy,
                        id: subscription_id(topic, &who),
                    });
                }
            }
        }
        let destinations = [
            &function.config.destinations.on_success,
            &function.config.destinations.on_failure,
        ];
        for destination in destinations.into_iter().flatten() {
            if let Destination::Topic(topic) = destination {
                topics.entry(topic.clone()).or_default();
            }
        }
    }
    (topics, problems)
}

/// A UUID-shaped id from the topic and the endpoint.
fn subscription_id(topic: &str, endpoint: &str) -> String {
    let digest = Sha256::digest(format!("{topic}\n{endpoint}").as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
