//! `[queues.<name>]` and `[topics.<name>]` in `lambdesk.toml`: the workspace's SQS-like
//! queues and SNS-like topics, with SQS's and SNS's settings and limits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::config_error::KeySegment;
use super::filter_policy::FilterPolicy;

/// SQS's defaults: 30 s visibility timeout, 4 days of retention.
const DEFAULT_VISIBILITY_TIMEOUT_SECS: u32 = 30;
const DEFAULT_MESSAGE_RETENTION_SECS: u32 = 345_600;
const MAX_VISIBILITY_TIMEOUT_SECS: u32 = 43_200;
const MESSAGE_RETENTION_SECS_RANGE: std::ops::RangeInclusive<u32> = 60..=1_209_600;
const MAX_RECEIVE_COUNT_RANGE: std::ops::RangeInclusive<u32> = 1..=1_000;

/// One queue, with SQS's attributes under lambdesk's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// How long a received message stays hidden from other consumers.
    #[serde(default = "default_visibility_timeout_secs")]
    pub visibility_timeout_secs: u32,
    /// Messages older than this are deleted, received or not.
    #[serde(default = "default_message_retention_secs")]
    pub message_retention_secs: u32,
    /// After this many receives a message moves to `dead_letter_queue` (SQS's redrive
    /// policy); both or neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_receive_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_queue: Option<String>,
    /// First-in-first-out within a message group, with deduplication; the name must end
    /// in `.fifo`, as SQS requires.
    #[serde(default, skip_serializing_if = "is_false")]
    pub fifo: bool,
    /// FIFO: a message without a deduplication id is deduplicated by its body's SHA-256.
    #[serde(default, skip_serializing_if = "is_false")]
    pub content_based_deduplication: bool,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            visibility_timeout_secs: DEFAULT_VISIBILITY_TIMEOUT_SECS,
            message_retention_secs: DEFAULT_MESSAGE_RETENTION_SECS,
            max_receive_count: None,
            dead_letter_queue: None,
            fifo: false,
            content_based_deduplication: false,
        }
    }
}

fn default_visibility_timeout_secs() -> u32 {
    DEFAULT_VISIBILITY_TIMEOUT_SECS
}
fn default_message_retention_secs() -> u32 {
    DEFAULT_MESSAGE_RETENTION_SECS
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if signature"
)]
fn is_false(value: &bool) -> bool {
    !*value
}

/// One topic and the queues subscribed to it (functions subscribe with a `topic` trigger).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<QueueSubscription>,
}

/// `{ queue = "orders", filter_policy = { … }, raw_message_delivery = false }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSubscription {
    pub queue: String,
    /// An SNS filter policy on message attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<serde_json::Value>,
    /// The message body alone instead of SNS's JSON envelope.
    #[serde(default, skip_serializing_if = "is_false")]
    pub raw_message_delivery: bool,
}

/// Problems with the queues and topics, each with the path of its key.
pub fn messaging_problems(
    queues: &BTreeMap<String, QueueConfig>,
    topics: &BTreeMap<String, TopicConfig>,
) -> Vec<(Vec<KeySegment>, String)> {
    let mut problems = Vec::new();
    for (name, queue) in queues {
        let key = |field: &str| {
            vec![
                KeySegment::key("queues"),
                KeySegment::key(name),
                KeySegment::key(field),
            ]
        };
        if let Err(message) = check_queue_name(name, queue.fifo) {
            problems.push((
                vec![KeySegment::key("queues"), KeySegment::key(name)],
                message,
            ));
        }
        if queue.visibility_timeout_secs > MAX_VISIBILITY_TIMEOUT_SECS {
            problems.push((
                key("visibility_timeout_secs"),
                format!(
                    "{} s is above SQS's limit of 43200 s (12 hours)",
                    queue.visibility_timeout_secs
                ),
            ));
        }
        if !MESSAGE_RETENTION_SECS_RANGE.contains(&queue.message_retention_secs) {
            problems.push((
                key("message_retention_secs"),
                format!(
                    "{} s is outside SQS's range of 60–1209600 s (1 minute to 14 days)",
                    queue.message_retention_secs
                ),
            ));
        }
        match (&queue.dead_letter_queue, queue.max_receive_count) {
            (Some(dlq), Some(count)) => {
                if !MAX_RECEIVE_COUNT_RANGE.contains(&count) {
                    problems.push((
                        key("max_receive_count"),
                        format!("{count} is outside SQS's range of 1–1000"),
                    ));
                }
                match queues.get(dlq) {
                    None => problems.push((
                        key("dead_letter_queue"),
                        format!(
                            "there is no queue `{dlq}`: declare {} too",
                            table_header("queues", dlq)
                        ),
                    )),
                    Some(_) if dlq == name => problems.push((
                        key("dead_letter_queue"),
                        "a queue cannot be its own dead-letter queue".to_owned(),
                    )),
                    Some(target) if target.fifo != queue.fifo => problems.push((
                        key("dead_letter_queue"),
                        "the dead-letter queue of a FIFO queue must be a FIFO queue, and of a standard queue a standard queue".to_owned(),
                    )),
                    Some(_) => {}
                }
            }
            (Some(_), None) => problems.push((
                key("dead_letter_queue"),
                "a dead-letter queue needs max_receive_count (how many receives before a message moves there)".to_owned(),
            )),
            (None, Some(_)) => problems.push((
                key("max_receive_count"),
                "max_receive_count needs a dead_letter_queue to move messages to".to_owned(),
            )),
            (None, None) => {}
        }
        if queue.content_based_deduplication && !queue.fifo {
            problems.push((
                key("content_based_deduplication"),
                "content-based deduplication is for FIFO queues (fifo = true)".to_owned(),
            ));
        }
    }
    for (name, topic) in topics {
        if let Err(message) = check_name(name, 256, "topic") {
            problems.push((
                vec![KeySegment::key("topics"), KeySegment::key(name)],
                message,
            ));
        }
        for (index, subscription) in topic.subscriptions.iter().enumerate() {
            let key = |field: &str| {
                vec![
                    KeySegment::key("topics"),
                    KeySegment::key(name),
                    KeySegment::key("subscriptions"),
                    KeySegment::Index(index),
                    KeySegment::key(field),
                ]
            };
            if let Some(Err(error)) = subscription.filter_policy.as_ref().map(FilterPolicy::parse) {
                problems.push((key("filter_policy"), error.to_string()));
            }
            if !queues.contains_key(&subscription.queue) {
                problems.push((
                    key("queue"),
                    format!(
                        "there is no queue `{}`: declare {} too",
                        subscription.queue,
                        table_header("queues", &subscription.queue)
                    ),
                ));
            }
        }
    }
    problems
}

fn check_queue_name(name: &str, fifo: bool) -> Result<(), String> {
    check_name(name, 80, "queue")?;
    match (fifo, name.ends_with(".fifo")) {
        (true, false) => Err(format!(
            "a FIFO queue's name must end in `.fifo`, as SQS requires: `{name}.fifo`"
        )),
        (false, true) => Err(format!(
            "`{name}` ends in `.fifo` but is not a FIFO queue: add fifo = true"
        )),
        _ => Ok(()),
    }
}

/// SQS queue and SNS topic names: letters, digits, `-` and `_`, optionally ending in `.fifo`.
pub fn check_name(name: &str, max_len: usize, what: &str) -> Result<(), String> {
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    let chars_ok = base
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name.is_empty() && name.len() <= max_len && !base.is_empty() && chars_ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid {what} name: 1–{max_len} letters, digits, `-` and `_` (optionally ending in `.fifo`)"
        ))
    }
}

/// The header of `name`'s table in `lambdesk.toml`, as a user can paste it: `[queues.orders]`,
/// or `[queues."work.fifo"]` where the name is no bare TOML key (a dot would nest tables).
pub fn table_header(table: &str, name: &str) -> String {
    let is_bare_key = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if is_bare_key {
        format!("[{table}.{name}]")
    } else {
        format!("[{table}.{}]", toml::Value::String(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_headers_quote_names_that_are_not_bare_keys() {
        assert_eq!(table_header("queues", "orders-dlq"), "[queues.orders-dlq]");
        assert_eq!(
            table_header("queues", "work.fifo"),
            "[queues.\"work.fifo\"]"
        );
        let pasted = format!("{}\nfifo = true\n", table_header("queues", "work.fifo"));
        let parsed: toml::Table = toml::from_str(&pasted).unwrap();
        assert!(parsed["queues"].get("work.fifo").is_some(), "{pasted}");
    }

    #[test]
    fn the_hint_for_a_missing_fifo_queue_is_valid_toml() {
        let problems = problems_of(
            "[queues.\"a.fifo\"]\nfifo = true\ndead_letter_queue = \"dlq.fifo\"\nmax_receive_count = 1\n",
        );
        assert_eq!(
            problems,
            ["there is no queue `dlq.fifo`: declare [queues.\"dlq.fifo\"] too"]
        );
    }

    fn problems_of(text: &str) -> Vec<String> {
        #[derive(Deserialize)]
        struct Doc {
            #[serde(default)]
            queues: BTreeMap<String, QueueConfig>,
            #[serde(default)]
            topics: BTreeMap<String, TopicConfig>,
        }
        let doc: Doc = toml::from_str(text).unwrap();
        messaging_problems(&doc.queues, &doc.topics)
            .into_iter()
            .map(|(_, message)| message)
            .collect()
    }

    #[test]
    fn a_queue_with_its_dead_letter_queue_is_fine() {
        let text = "[queues.orders]\nmax_receive_count = 3\ndead_letter_queue = \"orders-dlq\"\n[queues.orders-dlq]\n[topics.alerts]\nsubscriptions = [{ queue = \"orders\", filter_policy = { kind = [\"order\"] } }]\n";
        assert_eq!(problems_of(text), Vec::<String>::new());
    }

    #[test]
    fn sqs_rules_are_checked() {
        let cases = [
            ("[queues.a]\nvisibility_timeout_secs = 50000", "43200"),
            ("[queues.a]\nmessage_retention_secs = 10", "60–1209600"),
            (
                "[queues.a]\ndead_letter_queue = \"b\"\nmax_receive_count = 2",
                "no queue `b`",
            ),
            (
                "[queues.a]\nmax_receive_count = 2",
                "needs a dead_letter_queue",
            ),
            ("[queues.a]\nfifo = true", "must end in `.fifo`"),
            ("[queues.\"a.fifo\"]", "not a FIFO queue"),
            (
                "[queues.\"a.fifo\"]\nfifo = true\ndead_letter_queue = \"d\"\nmax_receive_count = 1\n[queues.d]",
                "must be a FIFO queue",
            ),
            ("[queues.\"a b\"]", "not a valid queue name"),
            (
                "[topics.t]\nsubscriptions = [{ queue = \"nope\" }]",
                "no queue `nope`",
            ),
        ];
        for (text, expected) in cases {
            let problems = problems_of(text);
            assert!(
                problems.iter().any(|problem| problem.contains(expected)),
                "{text}: {problems:?}"
            );
        }
    }
}
