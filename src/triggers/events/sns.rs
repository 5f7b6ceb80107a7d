//! SNS topic notifications delivered to a subscribed function.
//!
//! Shape: `tests/fixtures/aws-events/sns-event.json`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{
    DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, iso8601_millis, random_bytes, random_hex,
    set_if,
};

/// Topic used when the user names none.
pub const DEFAULT_TOPIC: &str = "example-topic";

/// Message used when the user gives none (AWS's sample message).
pub const DEFAULT_MESSAGE: &str = "Hello from SNS!";

/// Subject used when the user gives none (AWS's sample subject).
pub const DEFAULT_SUBJECT: &str = "TestInvoke";

/// A message attribute as SNS delivers it to Lambda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsMessageAttribute {
    /// `Type`: `String`, `String.Array`, `Number` or `Binary`.
    pub data_type: String,
    /// `Value`, as delivered: text, or base64 for `Binary`.
    pub value: String,
}

impl SnsMessageAttribute {
    /// A `String` attribute.
    pub fn string(value: impl Into<String>) -> Self {
        Self {
            data_type: "String".to_owned(),
            value: value.into(),
        }
    }

    /// A `Binary` attribute holding `bytes`.
    pub fn binary(bytes: &[u8]) -> Self {
        Self {
            data_type: "Binary".to_owned(),
            value: STANDARD.encode(bytes),
        }
    }
}

/// One SNS notification to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsNotification {
    /// `MessageId`: a UUID.
    pub message_id: String,
    /// Region of the topic (in the ARNs and URLs).
    pub region: String,
    /// Account owning the topic (in the ARNs).
    pub account: String,
    /// Topic name (in `TopicArn`).
    pub topic: String,
    /// The subscription's id, the last part of `EventSubscriptionArn` (a UUID).
    pub subscription_id: String,
    /// `Subject`; AWS sends `null` when the publisher gave none.
    pub subject: Option<String>,
    /// `Message`, as published.
    pub message: String,
    /// When it was published (`Timestamp`).
    pub timestamp: DateTime<Utc>,
    /// `MessageAttributes`, by name.
    pub message_attributes: BTreeMap<String, SnsMessageAttribute>,
    /// `Signature`: base64 RSA signature (random here: nothing can verify it).
    pub signature: String,
    /// Hex id of the signing certificate, in `SigningCertUrl`.
    pub signing_cert_id: String,
}

impl SnsNotification {
    /// A notification of `message` published to `topic` just now, without
    /// subject or attributes.
    pub fn new(topic: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            message_id: Uuid::new_v4().to_string(),
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            topic: topic.into(),
            subscription_id: Uuid::new_v4().to_string(),
            subject: None,
            message: message.into(),
            timestamp: Utc::now(),
            message_attributes: BTreeMap::new(),
            signature: STANDARD.encode(random_bytes(256)),
            signing_cert_id: random_hex(32),
        }
    }

    /// The generated `sns` event's notification; its subject and attributes
    /// are those of AWS's sample.
    pub fn sample() -> Self {
        let mut notification = Self::new(DEFAULT_TOPIC, DEFAULT_MESSAGE);
        notification.subject = Some(DEFAULT_SUBJECT.to_owned());
        notification.message_attributes = BTreeMap::from([
            ("Test".to_owned(), SnsMessageAttribute::string("TestString")),
            (
                "TestBinary".to_owned(),
                SnsMessageAttribute::binary(b"TestBinary"),
            ),
        ]);
        notification
    }

    /// Applies region, account, topic, subject and body (the message).
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        set_if(&mut self.region, overrides.region.as_deref());
        set_if(&mut self.account, overrides.account.as_deref());
        set_if(&mut self.topic, overrides.topic.as_deref());
        set_if(&mut self.message, overrides.body.as_deref());
        if let Some(subject) = &overrides.subject {
            self.subject = Some(subject.clone());
        }
        self
    }

    /// `arn:aws:sns:<region>:<account>:<topic>`.
    pub fn topic_arn(&self) -> String {
        format!(
            "arn:aws:sns:{}:{}:{}",
            self.region, self.account, self.topic
        )
    }

    /// `<topic ARN>:<subscription id>`.
    pub fn subscription_arn(&self) -> String {
        format!("{}:{}", self.topic_arn(), self.subscription_id)
    }

    /// The notification: `{"Records": [record]}`.
    pub fn event(&self) -> Value {
        json!({ "Records": [self.record()] })
    }

    /// The JSON body SNS puts in an SQS message for a subscribed queue (without raw
    /// message delivery). `Subject` and `MessageAttributes` appear only when set.
    pub fn sqs_envelope(&self) -> Value {
        let endpoint = format!("https://sns.{}.amazonaws.com", self.region);
        let mut envelope = Map::new();
        let mut put = |key: &str, value: Value| {
            envelope.insert(key.to_owned(), value);
        };
        put("Type", json!("Notification"));
        put("MessageId", json!(self.message_id));
        put("TopicArn", json!(self.topic_arn()));
        if let Some(subject) = &self.subject {
            put("Subject", json!(subject));
        }
        put("Message", json!(self.message));
        put("Timestamp", json!(iso8601_millis(self.timestamp)));
        put("SignatureVersion", json!("1"));
        put("Signature", json!(self.signature));
        put(
            "SigningCertURL",
            json!(format!(
                "{endpoint}/SimpleNotificationService-{}.pem",
                self.signing_cert_id
            )),
        );
        put(
            "UnsubscribeURL",
            json!(format!(
                "{endpoint}/?Action=Unsubscribe&SubscriptionArn={}",
                self.subscription_arn()
            )),
        );
        if !self.message_attributes.is_empty() {
            put("MessageAttributes", self.attributes_json());
        }
        Value::Object(envelope)
    }

    fn attributes_json(&self) -> Value {
        let attributes: Map<String, Value> = self
            .message_attributes
            .iter()
            .map(|(name, attribute)| {
                let value = json!({ "Type": attribute.data_type, "Value": attribute.value });
                (name.clone(), value)
            })
            .collect();
        Value::Object(attributes)
    }

    /// One element of `Records`.
    pub fn record(&self) -> Value {
        let endpoint = format!("https://sns.{}.amazonaws.com", self.region);
        json!({
            "EventVersion": "1.0",
            "EventSubscriptionArn": self.subscription_arn(),
            "EventSource": "aws:sns",
            "Sns": {
                "Signature": self.signature,
                "MessageId": self.message_id,
                "Type": "Notification",
                "TopicArn": self.topic_arn(),
                "MessageAttributes": self.attributes_json(),
                "SignatureVersion": "1",
                "Timestamp": iso8601_millis(self.timestamp),
                "SigningCertUrl":
                    format!("{endpoint}/SimpleNotificationService-{}.pem", self.signing_cert_id),
                "Message": self.message,
                "UnsubscribeUrl": format!(
                    "{endpoint}/?Action=Unsubscribe&SubscriptionArn={}",
                    self.subscription_arn()
                ),
                "Subject": self.subject
            }
        })
    }
}
