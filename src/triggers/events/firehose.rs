//! Kinesis Data Firehose data transformation: a batch of records for the function to
//! transform.
//!
//! Shape: `tests/fixtures/aws-events/sam-kinesis-firehose.json`; `data` is the base64 of
//! the record's bytes, `approximateArrivalTimestamp` milliseconds since the epoch.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{EventOverrides, account_of, random_digits, region_of};

/// Delivery stream of the generated batch.
pub const DEFAULT_DELIVERY_STREAM: &str = "example-delivery-stream";

/// Data of the generated record when the user gives none.
pub const DEFAULT_DATA: &str = "Hello, this is a test 123.";

/// One record (`--body`, else [`DEFAULT_DATA`]) of delivery stream `--stream`, now.
pub fn transformation_batch(overrides: &EventOverrides) -> Value {
    let region = region_of(overrides);
    let account = account_of(overrides);
    let stream = overrides
        .stream
        .as_deref()
        .unwrap_or(DEFAULT_DELIVERY_STREAM);
    let data = overrides.body.as_deref().unwrap_or(DEFAULT_DATA);
    json!({
        "invocationId": Uuid::new_v4().to_string(),
        "deliveryStreamArn": format!("arn:aws:firehose:{region}:{account}:deliverystream/{stream}"),
        "region": region,
        "records": [{
            // Firehose record ids are 56-digit sequence numbers.
            "recordId": format!("{}{}", random_digits(38), random_digits(18)),
            "approximateArrivalTimestamp": Utc::now().timestamp_millis(),
            "data": STANDARD.encode(data)
        }]
    })
}
