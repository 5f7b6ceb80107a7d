//! Kinesis data stream records.
//!
//! Shape: `tests/fixtures/aws-events/kinesis-event.json`; `data` is the base64 of the
//! record's bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, random_digits, set_if};

/// Stream used when the user names none.
pub const DEFAULT_STREAM: &str = "example-stream";

/// Data used when the user gives none (that of AWS's sample).
pub const DEFAULT_DATA: &str = "Hello World";

/// Shard the generated records come from.
pub const DEFAULT_SHARD_ID: &str = "shardId-000000000000";

/// One record read from a shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KinesisRecord {
    /// The record's bytes (`data`, base64 in the event).
    pub data: Vec<u8>,
    /// `partitionKey` the producer chose.
    pub partition_key: String,
    /// `sequenceNumber`: 56 decimal digits, growing within a shard.
    pub sequence_number: String,
    /// Shard the record was read from (in `eventID`).
    pub shard_id: String,
    /// When the stream accepted the record (`approximateArrivalTimestamp`,
    /// seconds with millisecond fraction).
    pub approximate_arrival: DateTime<Utc>,
    /// Region of the stream (`awsRegion`, and in the ARN).
    pub region: String,
    /// Account owning the stream and the function's role (in the ARNs).
    pub account: String,
    /// Stream name (in `eventSourceARN`).
    pub stream: String,
    /// Name of the function's execution role (in `invokeIdentityArn`).
    pub invoke_role: String,
}

impl KinesisRecord {
    /// A record of `data` put on `stream` just now.
    pub fn new(stream: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        let now = Utc::now();
        Self {
            data: data.into(),
            partition_key: "partition-1".to_owned(),
            sequence_number: sequence_number_at(now),
            shard_id: DEFAULT_SHARD_ID.to_owned(),
            approximate_arrival: now,
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            stream: stream.into(),
            invoke_role: "example-function-role".to_owned(),
        }
    }

    /// The generated `kinesis` event's record: `Hello World` on `example-stream`.
    pub fn sample() -> Self {
        Self::new(DEFAULT_STREAM, DEFAULT_DATA)
    }

    /// Applies region, account, stream and body (the data).
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        set_if(&mut self.region, overrides.region.as_deref());
        set_if(&mut self.account, overrides.account.as_deref());
        set_if(&mut self.stream, overrides.stream.as_deref());
        if let Some(body) = &overrides.body {
            self.data = body.clone().into_bytes();
        }
        self
    }

    /// `arn:aws:kinesis:<region>:<account>:stream/<stream>`.
    pub fn stream_arn(&self) -> String {
        format!(
            "arn:aws:kinesis:{}:{}:stream/{}",
            self.region, self.account, self.stream
        )
    }

    /// `arn:aws:iam::<account>:role/<role>`: the role the function reads with.
    pub fn invoke_identity_arn(&self) -> String {
        format!("arn:aws:iam::{}:role/{}", self.account, self.invoke_role)
    }

    /// An event holding just this record.
    pub fn event(&self) -> Value {
        batch(std::slice::from_ref(self))
    }

    /// One element of `Records`.
    pub fn record(&self) -> Value {
        // Seconds since the epoch with the milliseconds as fraction, as AWS sends it.
        let arrival_seconds = self.approximate_arrival.timestamp_millis() as f64 / 1000.0;
        json!({
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": self.partition_key,
                "sequenceNumber": self.sequence_number,
                "data": STANDARD.encode(&self.data),
                "approximateArrivalTimestamp": arrival_seconds
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": format!("{}:{}", self.shard_id, self.sequence_number),
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": self.invoke_identity_arn(),
            "awsRegion": self.region,
            "eventSourceARN": self.stream_arn()
        })
    }
}

/// The event of a batch of records, as one invocation receives them.
pub fn batch(records: &[KinesisRecord]) -> Value {
    let records: Vec<Value> = records.iter().map(KinesisRecord::record).collect();
    json!({ "Records": records })
}

/// A 56-digit sequence number that grows with `time`, like Kinesis's
/// (`49` + microseconds + random digits).
fn sequence_number_at(time: DateTime<Utc>) -> String {
    let micros = u64::try_from(time.timestamp_micros()).unwrap_or(0);
    format!("49{micros:016}{}", random_digits(38))
}
