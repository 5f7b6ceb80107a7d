//! SQS messages as an event source mapping delivers them (a batch of records).
//!
//! Shape: `tests/fixtures/aws-events/sqs-event.json`. `md5OfBody` and
//! `md5OfMessageAttributes` are the digests SQS itself computes.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeDelta, Utc};
use md5::{Digest, Md5};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{
    DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, hex_lower, md5_hex, random_bytes, set_if,
};

/// Queue used when the user names none.
pub const DEFAULT_QUEUE: &str = "example-queue";

/// Body used when the user gives none.
pub const DEFAULT_BODY: &str = "Hello from SQS!";

/// Transport type byte SQS hashes for string (and number) attribute values.
const STRING_TRANSPORT: u8 = 1;

/// Transport type byte SQS hashes for binary attribute values.
const BINARY_TRANSPORT: u8 = 2;

/// The value of a message attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqsAttributeValue {
    /// Text, for the `String` and `Number` data types (`stringValue`).
    String(String),
    /// Bytes, for the `Binary` data type (`binaryValue`, base64 in the event).
    Binary(Vec<u8>),
}

/// A message attribute: a data type (`String`, `Number`, `Binary`, optionally
/// with a custom `.suffix`) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsMessageAttribute {
    /// `dataType`, e.g. `String`, `Number`, `Binary` or `Number.float`.
    pub data_type: String,
    /// The value.
    pub value: SqsAttributeValue,
}

impl SqsMessageAttribute {
    /// A `String` attribute.
    pub fn string(value: impl Into<String>) -> Self {
        Self {
            data_type: "String".to_owned(),
            value: SqsAttributeValue::String(value.into()),
        }
    }

    /// A `Number` attribute; SQS keeps numbers as their decimal text.
    pub fn number(value: impl Into<String>) -> Self {
        Self {
            data_type: "Number".to_owned(),
            value: SqsAttributeValue::String(value.into()),
        }
    }

    /// A `Binary` attribute.
    pub fn binary(value: impl Into<Vec<u8>>) -> Self {
        Self {
            data_type: "Binary".to_owned(),
            value: SqsAttributeValue::Binary(value.into()),
        }
    }

    /// The attribute as it appears in `messageAttributes`. The list values are
    /// reserved by SQS and always empty.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        match &self.value {
            SqsAttributeValue::String(text) => {
                out.insert("stringValue".to_owned(), Value::from(text.as_str()));
            }
            SqsAttributeValue::Binary(bytes) => {
                out.insert(
                    "binaryValue".to_owned(),
                    Value::from(STANDARD.encode(bytes)),
                );
            }
        }
        out.insert("stringListValues".to_owned(), Value::Array(Vec::new()));
        out.insert("binaryListValues".to_owned(), Value::Array(Vec::new()));
        out.insert("dataType".to_owned(), Value::from(self.data_type.as_str()));
        Value::Object(out)
    }
}

/// The `md5OfMessageAttributes` SQS computes, or `None` without attributes
/// (AWS then sends `null`).
///
/// SQS hashes the attributes in order of name; for each it feeds the name,
/// the data type, a transport type byte (1 string, 2 binary) and the value,
/// every variable-length part preceded by its length as a big-endian `u32`.
pub fn md5_of_message_attributes(
    attributes: &BTreeMap<String, SqsMessageAttribute>,
) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    let mut hasher = Md5::new();
    for (name, attribute) in attributes {
        update_length_prefixed(&mut hasher, name.as_bytes());
        update_length_prefixed(&mut hasher, attribute.data_type.as_bytes());
        match &attribute.value {
            SqsAttributeValue::String(text) => {
                hasher.update([STRING_TRANSPORT]);
                update_length_prefixed(&mut hasher, text.as_bytes());
            }
            SqsAttributeValue::Binary(bytes) => {
                hasher.update([BINARY_TRANSPORT]);
                update_length_prefixed(&mut hasher, bytes);
            }
        }
    }
    Some(hex_lower(&hasher.finalize()))
}

/// Feeds `bytes` preceded by their length as a big-endian `u32`.
fn update_length_prefixed(hasher: &mut Md5, bytes: &[u8]) {
    let length = u32::try_from(bytes.len())
        .expect("SQS limits a message to 256 KiB, far below u32::MAX bytes");
    hasher.update(length.to_be_bytes());
    hasher.update(bytes);
}

/// One received SQS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsMessage {
    /// `messageId`: a UUID.
    pub message_id: String,
    /// `receiptHandle`: the opaque token a consumer deletes the message with.
    pub receipt_handle: String,
    /// `body`, as sent.
    pub body: String,
    /// Region of the queue (`awsRegion`, and in the ARN).
    pub region: String,
    /// Account owning the queue (in the ARN).
    pub account: String,
    /// Queue name (in the ARN).
    pub queue: String,
    /// When the message was sent (`SentTimestamp`, ms since the epoch).
    pub sent_at: DateTime<Utc>,
    /// When it was first received (`ApproximateFirstReceiveTimestamp`).
    pub first_received_at: DateTime<Utc>,
    /// How many times it has been received (`ApproximateReceiveCount`).
    pub receive_count: u32,
    /// Who sent it (`SenderId`): an IAM user id or `role-id:session`.
    pub sender_id: String,
    /// `messageAttributes`, by name.
    pub message_attributes: BTreeMap<String, SqsMessageAttribute>,
    /// A FIFO queue's `SequenceNumber`, `MessageGroupId` and `MessageDeduplicationId`.
    pub fifo: Option<FifoAttributes>,
}

/// The attributes a message of a FIFO queue carries besides the standard ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FifoAttributes {
    pub sequence_number: String,
    pub group_id: String,
    pub deduplication_id: String,
}

impl SqsMessage {
    /// A message with `body` sent to `queue` just now and received once, with
    /// no attributes.
    pub fn new(queue: impl Into<String>, body: impl Into<String>) -> Self {
        let sent_at = Utc::now();
        Self {
            message_id: Uuid::new_v4().to_string(),
            receipt_handle: format!("AQEB{}", STANDARD.encode(random_bytes(120))),
            body: body.into(),
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            queue: queue.into(),
            sent_at,
            first_received_at: sent_at + TimeDelta::milliseconds(12),
            receive_count: 1,
            sender_id: "AROAEXAMPLEROLEID1234:lambdesk".to_owned(),
            message_attributes: BTreeMap::new(),
            fifo: None,
        }
    }

    /// The generated `sqs` event's message. Its attributes mirror those of
    /// AWS's sample (a String, a Number and a Binary one).
    pub fn sample() -> Self {
        let mut message = Self::new(DEFAULT_QUEUE, DEFAULT_BODY);
        message.message_attributes = BTreeMap::from([
            (
                "Attribute1".to_owned(),
                SqsMessageAttribute::string("AttributeValue1"),
            ),
            ("Attribute2".to_owned(), SqsMessageAttribute::number("123")),
            (
                "Attribute3".to_owned(),
                SqsMessageAttribute::binary(b"1100".to_vec()),
            ),
        ]);
        message
    }

    /// Applies region, account, queue and body.
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        set_if(&mut self.region, overrides.region.as_deref());
        set_if(&mut self.account, overrides.account.as_deref());
        set_if(&mut self.queue, overrides.queue.as_deref());
        set_if(&mut self.body, overrides.body.as_deref());
        self
    }

    /// `arn:aws:sqs:<region>:<account>:<queue>`.
    pub fn queue_arn(&self) -> String {
        format!(
            "arn:aws:sqs:{}:{}:{}",
            self.region, self.account, self.queue
        )
    }

    /// An event holding just this message.
    pub fn event(&self) -> Value {
        batch(std::slice::from_ref(self))
    }

    /// One element of `Records`.
    pub fn record(&self) -> Value {
        let message_attributes: Map<String, Value> = self
            .message_attributes
            .iter()
            .map(|(name, attribute)| (name.clone(), attribute.to_json()))
            .collect();
        let mut attributes = json!({
            "ApproximateReceiveCount": self.receive_count.to_string(),
            "SentTimestamp": self.sent_at.timestamp_millis().to_string(),
            "SenderId": self.sender_id,
            "ApproximateFirstReceiveTimestamp":
                self.first_received_at.timestamp_millis().to_string()
        });
        if let (Some(fifo), Some(fields)) = (&self.fifo, attributes.as_object_mut()) {
            fields.insert("SequenceNumber".to_owned(), json!(fifo.sequence_number));
            fields.insert("MessageGroupId".to_owned(), json!(fifo.group_id));
            fields.insert(
                "MessageDeduplicationId".to_owned(),
                json!(fifo.deduplication_id),
            );
        }
        json!({
            "messageId": self.message_id,
            "receiptHandle": self.receipt_handle,
            "body": self.body,
            "md5OfBody": md5_hex(self.body.as_bytes()),
            "md5OfMessageAttributes": md5_of_message_attributes(&self.message_attributes),
            "eventSourceARN": self.queue_arn(),
            "eventSource": "aws:sqs",
            "awsRegion": self.region,
            "attributes": attributes,
            "messageAttributes": Value::Object(message_attributes)
        })
    }
}

/// The event of a batch of messages, as one invocation receives them.
pub fn batch(messages: &[SqsMessage]) -> Value {
    let records: Vec<Value> = messages.iter().map(SqsMessage::record).collect();
    json!({ "Records": records })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Digests moto's SQS tests pin as what AWS returns for these attributes.
    #[test]
    fn attribute_digest_matches_aws() {
        let attributes = BTreeMap::from([(
            "timestamp".to_owned(),
            SqsMessageAttribute::number("1493147359900"),
        )]);
        assert_eq!(
            md5_of_message_attributes(&attributes).as_deref(),
            Some("235c5c510d26fb653d073faed50ae77c")
        );
    }

    #[test]
    fn no_attributes_digest_to_null() {
        assert_eq!(md5_of_message_attributes(&BTreeMap::new()), None);
        let record = SqsMessage::new("q", "b").record();
        assert_eq!(record["md5OfMessageAttributes"], Value::Null);
    }
}
