//! CloudWatch Logs subscription filter deliveries.
//!
//! Shape: `tests/fixtures/aws-events/cloudwatch-logs-event.json`. The event is
//! `{"awslogs": {"data": …}}` where `data` is the base64 of the gzip of a JSON
//! document listing the log events; [`encode_data`] and [`decode_data`] convert.

use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use super::{DEFAULT_ACCOUNT, EventOverrides, random_digits, random_hex, set_if};

/// Log group used when the user names none: a function's group.
pub const DEFAULT_LOG_GROUP: &str = "/aws/lambda/example-function";

/// Subscription filter used when the user names none.
pub const DEFAULT_FILTER: &str = "example-filter";

/// `messageType` of a delivery of log events (the other type,
/// `CONTROL_MESSAGE`, only checks that the destination is reachable).
pub const DATA_MESSAGE: &str = "DATA_MESSAGE";

/// One log event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// `id`: 56 decimal digits, unique within the log stream.
    pub id: String,
    /// When the event was logged, ms since the epoch (`timestamp`).
    pub timestamp_ms: i64,
    /// The logged line (`message`).
    pub message: String,
}

impl LogEvent {
    /// An event of `message` logged at `timestamp_ms`; `index` (its place in
    /// the batch) keeps ids of one millisecond distinct.
    pub fn new(timestamp_ms: i64, index: usize, message: impl Into<String>) -> Self {
        let timestamp_digits = u64::try_from(timestamp_ms).unwrap_or(0);
        Self {
            id: format!(
                "{timestamp_digits:016}{:02}{}",
                index % 100,
                random_digits(38)
            ),
            timestamp_ms,
            message: message.into(),
        }
    }
}

/// One delivery of a subscription filter: log events of one log stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsSubscriptionEvent {
    /// `messageType`, normally [`DATA_MESSAGE`].
    pub message_type: String,
    /// Account owning the log group (`owner`).
    pub owner: String,
    /// `logGroup`.
    pub log_group: String,
    /// `logStream`.
    pub log_stream: String,
    /// Names of the filters that matched (`subscriptionFilters`).
    pub subscription_filters: Vec<String>,
    /// `logEvents`, oldest first.
    pub log_events: Vec<LogEvent>,
}

impl LogsSubscriptionEvent {
    /// A delivery of `messages` logged now, one event each, to `log_group`
    /// in a Lambda-style log stream of today.
    pub fn new(log_group: impl Into<String>, messages: &[&str]) -> Self {
        let now = Utc::now();
        let mut event = Self {
            message_type: DATA_MESSAGE.to_owned(),
            owner: DEFAULT_ACCOUNT.to_owned(),
            log_group: log_group.into(),
            log_stream: format!("{}/[$LATEST]{}", now.format("%Y/%m/%d"), random_hex(32)),
            subscription_filters: vec![DEFAULT_FILTER.to_owned()],
            log_events: Vec::new(),
        };
        event.set_messages(messages);
        event
    }

    /// The generated `cloudwatch-logs` event: the two messages of AWS's sample
    /// in a function's log group.
    pub fn sample() -> Self {
        Self::new(
            DEFAULT_LOG_GROUP,
            &["[ERROR] First test message", "[ERROR] Second test message"],
        )
    }

    /// Replaces the log events with one per message, logged 1 ms apart
    /// ending now.
    pub fn set_messages(&mut self, messages: &[&str]) {
        let now_ms = Utc::now().timestamp_millis();
        let count = i64::try_from(messages.len()).unwrap_or(i64::MAX);
        let first_ms = now_ms.saturating_sub(count);
        self.log_events = messages
            .iter()
            .enumerate()
            .map(|(index, message)| {
                let offset_ms = i64::try_from(index).unwrap_or(i64::MAX);
                LogEvent::new(first_ms.saturating_add(offset_ms), index, *message)
            })
            .collect();
    }

    /// Applies account (the owner), log group and body (one event per line).
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        set_if(&mut self.owner, overrides.account.as_deref());
        set_if(&mut self.log_group, overrides.log_group.as_deref());
        if let Some(body) = overrides.body.as_deref() {
            let mut lines: Vec<&str> = body.lines().collect();
            if lines.is_empty() {
                lines.push("");
            }
            self.set_messages(&lines);
        }
        self
    }

    /// The JSON document that `awslogs.data` compresses.
    pub fn document(&self) -> Value {
        let log_events: Vec<Value> = self
            .log_events
            .iter()
            .map(|log_event| {
                json!({
                    "id": log_event.id,
                    "timestamp": log_event.timestamp_ms,
                    "message": log_event.message
                })
            })
            .collect();
        json!({
            "messageType": self.message_type,
            "owner": self.owner,
            "logGroup": self.log_group,
            "logStream": self.log_stream,
            "subscriptionFilters": self.subscription_filters,
            "logEvents": log_events
        })
    }

    /// The event as the function receives it.
    pub fn event(&self) -> Value {
        json!({ "awslogs": { "data": encode_data(&self.document()) } })
    }
}

/// `awslogs.data` that could not be read back into a JSON document.
#[derive(Debug, thiserror::Error)]
pub enum DecodeDataError {
    /// Not base64.
    #[error("awslogs.data is not valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
    /// Not gzip.
    #[error("awslogs.data is not valid gzip: {0}")]
    Gzip(#[from] std::io::Error),
    /// Not JSON once uncompressed.
    #[error("awslogs.data does not hold a JSON document: {0}")]
    Json(#[from] serde_json::Error),
}

/// The `awslogs.data` of `document`: base64 of its gzip-compressed JSON.
pub fn encode_data(document: &Value) -> String {
    let json = serde_json::to_vec(document).expect("a JSON value always serialises");
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(&json)
        .expect("writing to a Vec cannot fail");
    let compressed = encoder.finish().expect("writing to a Vec cannot fail");
    STANDARD.encode(compressed)
}

/// The JSON document inside an `awslogs.data` string (base64, gzip, JSON).
pub fn decode_data(data: &str) -> Result<Value, DecodeDataError> {
    let compressed = STANDARD.decode(data.trim())?;
    let mut json = Vec::new();
    GzDecoder::new(compressed.as_slice()).read_to_end(&mut json)?;
    Ok(serde_json::from_slice(&json)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_round_trips() {
        let event = LogsSubscriptionEvent::sample();
        let document = event.document();
        assert_eq!(decode_data(&encode_data(&document)).unwrap(), document);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            decode_data("%%%"),
            Err(DecodeDataError::Base64(_))
        ));
        let not_gzip = STANDARD.encode(b"plain text");
        assert!(matches!(
            decode_data(&not_gzip),
            Err(DecodeDataError::Gzip(_))
        ));
    }

    #[test]
    fn log_event_ids_have_56_digits() {
        let event = LogsSubscriptionEvent::sample();
        for log_event in &event.log_events {
            assert_eq!(log_event.id.len(), 56);
            assert!(log_event.id.bytes().all(|byte| byte.is_ascii_digit()));
        }
    }
}
