//! DynamoDB stream records.
//!
//! Shape: `tests/fixtures/aws-events/dynamodb-event.json`. Items are written in
//! DynamoDB JSON (`{"S": "text"}`, `{"N": "12"}`, …). `userIdentity` appears only
//! on records of items removed by TTL, as AWS sends it; AWS's sample has it on
//! an INSERT record, which a real stream never produces.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, random_digits, random_hex, set_if};

/// Table used when the user names none.
pub const DEFAULT_TABLE: &str = "example-table";

/// One attribute value of an item, in DynamoDB's type system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// `S`: text.
    String(String),
    /// `N`: a number, kept as its decimal text as DynamoDB does.
    Number(String),
    /// `B`: bytes (base64 in JSON).
    Binary(Vec<u8>),
    /// `BOOL`.
    Bool(bool),
    /// `NULL`.
    Null,
    /// `SS`: a set of strings.
    StringSet(Vec<String>),
    /// `NS`: a set of numbers.
    NumberSet(Vec<String>),
    /// `BS`: a set of byte strings.
    BinarySet(Vec<Vec<u8>>),
    /// `L`: a list of values.
    List(Vec<AttributeValue>),
    /// `M`: a map of values.
    Map(BTreeMap<String, AttributeValue>),
}

impl AttributeValue {
    /// The value in DynamoDB JSON, e.g. `{"S": "text"}`.
    pub fn to_json(&self) -> Value {
        match self {
            Self::String(text) => json!({ "S": text }),
            Self::Number(number) => json!({ "N": number }),
            Self::Binary(bytes) => json!({ "B": STANDARD.encode(bytes) }),
            Self::Bool(flag) => json!({ "BOOL": flag }),
            Self::Null => json!({ "NULL": true }),
            Self::StringSet(items) => json!({ "SS": items }),
            Self::NumberSet(items) => json!({ "NS": items }),
            Self::BinarySet(items) => {
                let encoded: Vec<String> =
                    items.iter().map(|bytes| STANDARD.encode(bytes)).collect();
                json!({ "BS": encoded })
            }
            Self::List(items) => {
                let values: Vec<Value> = items.iter().map(Self::to_json).collect();
                json!({ "L": values })
            }
            Self::Map(entries) => json!({ "M": item_json(entries) }),
        }
    }

    /// Approximate stored size, following DynamoDB's item size rules (UTF-8
    /// length of strings, bytes of binaries, about one byte per two digits of
    /// numbers, one byte for booleans and nulls, 3 bytes of overhead plus one
    /// per element for lists and maps).
    pub fn size_bytes(&self) -> usize {
        match self {
            Self::String(text) => text.len(),
            Self::Number(number) => number_size_bytes(number),
            Self::Binary(bytes) => bytes.len(),
            Self::Bool(_) | Self::Null => 1,
            Self::StringSet(items) => items.iter().map(String::len).sum(),
            Self::NumberSet(items) => items
                .iter()
                .map(String::as_str)
                .map(number_size_bytes)
                .sum(),
            Self::BinarySet(items) => items.iter().map(Vec::len).sum(),
            Self::List(items) => {
                3 + items
                    .iter()
                    .map(|item| item.size_bytes() + 1)
                    .sum::<usize>()
            }
            Self::Map(entries) => 3 + item_size_bytes(entries) + entries.len(),
        }
    }
}

/// An item (or key) in DynamoDB JSON: `{"name": {"S": "text"}, …}`.
pub fn item_json(item: &BTreeMap<String, AttributeValue>) -> Value {
    let entries: Map<String, Value> = item
        .iter()
        .map(|(name, value)| (name.clone(), value.to_json()))
        .collect();
    Value::Object(entries)
}

/// Approximate size of an item: names plus values.
pub fn item_size_bytes(item: &BTreeMap<String, AttributeValue>) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value.size_bytes())
        .sum()
}

/// DynamoDB stores a number in about one byte per two significant digits plus one.
fn number_size_bytes(number: &str) -> usize {
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    digits.div_ceil(2) + 1
}

/// One stream record: a change to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamodbStreamRecord {
    /// `eventID`: 32 hex digits.
    pub event_id: String,
    /// `eventName`: `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    /// Region of the table (`awsRegion`, and in the ARN).
    pub region: String,
    /// Account owning the table (in the ARN).
    pub account: String,
    /// Table name (in the ARN).
    pub table: String,
    /// Label of the stream, the time it was enabled (`2016-12-01T00:00:00.000`).
    pub stream_label: String,
    /// When the change was made (`ApproximateCreationDateTime`, whole seconds).
    pub approximate_creation_time: DateTime<Utc>,
    /// Primary key of the item (`Keys`).
    pub keys: BTreeMap<String, AttributeValue>,
    /// The item after the change (`NewImage`), if the stream view includes it.
    pub new_image: Option<BTreeMap<String, AttributeValue>>,
    /// The item before the change (`OldImage`), if the stream view includes it.
    pub old_image: Option<BTreeMap<String, AttributeValue>>,
    /// `SequenceNumber`: a decimal string, growing within a shard.
    pub sequence_number: String,
    /// `StreamViewType`, e.g. `NEW_AND_OLD_IMAGES`.
    pub stream_view_type: String,
    /// The item expired by TTL: adds `userIdentity` (the DynamoDB service) to a
    /// `REMOVE` record.
    pub removed_by_ttl: bool,
}

impl DynamodbStreamRecord {
    /// An `INSERT` of `new_image` (whose key is `keys`) into `table`, now, on a
    /// `NEW_AND_OLD_IMAGES` stream enabled today.
    pub fn insert(
        table: impl Into<String>,
        keys: BTreeMap<String, AttributeValue>,
        new_image: BTreeMap<String, AttributeValue>,
    ) -> Self {
        let now = Utc::now();
        Self {
            event_id: random_hex(32),
            event_name: "INSERT".to_owned(),
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            table: table.into(),
            stream_label: now.format("%Y-%m-%dT00:00:00.000").to_string(),
            approximate_creation_time: now,
            keys,
            new_image: Some(new_image),
            old_image: None,
            sequence_number: sequence_number_at(now),
            stream_view_type: "NEW_AND_OLD_IMAGES".to_owned(),
            removed_by_ttl: false,
        }
    }

    /// The generated `dynamodb` event's record: an INSERT of the item of the
    /// first record of AWS's sample.
    pub fn sample() -> Self {
        let keys = BTreeMap::from([
            (
                "key".to_owned(),
                AttributeValue::String("binary".to_owned()),
            ),
            ("val".to_owned(), AttributeValue::String("data".to_owned())),
        ]);
        let mut new_image = keys.clone();
        new_image.insert(
            "asdf1".to_owned(),
            AttributeValue::Binary(vec![0x00, 0x01, 0x2a, 0x41]),
        );
        new_image.insert(
            "asdf2".to_owned(),
            AttributeValue::BinarySet(vec![
                vec![0x00, 0x01, 0x2a, 0x41],
                vec![0x41, 0x2a, 0x01, 0x00],
            ]),
        );
        Self::insert(DEFAULT_TABLE, keys, new_image)
    }

    /// Applies region, account and table.
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        set_if(&mut self.region, overrides.region.as_deref());
        set_if(&mut self.account, overrides.account.as_deref());
        set_if(&mut self.table, overrides.table.as_deref());
        self
    }

    /// `arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>`.
    pub fn stream_arn(&self) -> String {
        format!(
            "arn:aws:dynamodb:{}:{}:table/{}/stream/{}",
            self.region, self.account, self.table, self.stream_label
        )
    }

    /// `SizeBytes`: approximate size of the keys and images.
    pub fn size_bytes(&self) -> usize {
        item_size_bytes(&self.keys)
            + self.new_image.as_ref().map_or(0, item_size_bytes)
            + self.old_image.as_ref().map_or(0, item_size_bytes)
    }

    /// An event holding just this record.
    pub fn event(&self) -> Value {
        batch(std::slice::from_ref(self))
    }

    /// One element of `Records`.
    pub fn record(&self) -> Value {
        let mut change = Map::new();
        change.insert(
            "ApproximateCreationDateTime".to_owned(),
            Value::from(self.approximate_creation_time.timestamp()),
        );
        change.insert("Keys".to_owned(), item_json(&self.keys));
        if let Some(new_image) = &self.new_image {
            change.insert("NewImage".to_owned(), item_json(new_image));
        }
        if let Some(old_image) = &self.old_image {
            change.insert("OldImage".to_owned(), item_json(old_image));
        }
        change.insert(
            "SequenceNumber".to_owned(),
            Value::from(self.sequence_number.as_str()),
        );
        change.insert("SizeBytes".to_owned(), Value::from(self.size_bytes()));
        change.insert(
            "StreamViewType".to_owned(),
            Value::from(self.stream_view_type.as_str()),
        );

        let mut record = Map::new();
        record.insert("eventID".to_owned(), Value::from(self.event_id.as_str()));
        record.insert(
            "eventName".to_owned(),
            Value::from(self.event_name.as_str()),
        );
        record.insert("eventVersion".to_owned(), Value::from("1.1"));
        record.insert("eventSource".to_owned(), Value::from("aws:dynamodb"));
        record.insert("awsRegion".to_owned(), Value::from(self.region.as_str()));
        if self.removed_by_ttl {
            record.insert(
                "userIdentity".to_owned(),
                json!({ "type": "Service", "principalId": "dynamodb.amazonaws.com" }),
            );
        }
        record.insert("dynamodb".to_owned(), Value::Object(change));
        record.insert("eventSourceARN".to_owned(), Value::from(self.stream_arn()));
        Value::Object(record)
    }
}

/// The event of a batch of records, as one invocation receives them.
pub fn batch(records: &[DynamodbStreamRecord]) -> Value {
    let records: Vec<Value> = records.iter().map(DynamodbStreamRecord::record).collect();
    json!({ "Records": records })
}

/// A 25-digit sequence number that grows with `time`, like DynamoDB's.
fn sequence_number_at(time: DateTime<Utc>) -> String {
    let micros = u64::try_from(time.timestamp_micros()).unwrap_or(0);
    format!("{micros:016}{}", random_digits(9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_use_dynamodb_json() {
        let value = AttributeValue::Map(BTreeMap::from([
            (
                "tags".to_owned(),
                AttributeValue::List(vec![
                    AttributeValue::String("a".to_owned()),
                    AttributeValue::Number("3.5".to_owned()),
                ]),
            ),
            ("gone".to_owned(), AttributeValue::Null),
        ]));
        assert_eq!(
            value.to_json(),
            json!({ "M": {
                "gone": { "NULL": true },
                "tags": { "L": [{ "S": "a" }, { "N": "3.5" }] }
            }})
        );
    }

    #[test]
    fn binary_values_are_base64() {
        let value = AttributeValue::BinarySet(vec![vec![0x00, 0x01, 0x2a, 0x41]]);
        assert_eq!(value.to_json(), json!({ "BS": ["AAEqQQ=="] }));
    }

    #[test]
    fn sequence_numbers_have_25_digits() {
        let number = DynamodbStreamRecord::sample().sequence_number;
        assert_eq!(number.len(), 25);
        assert!(number.bytes().all(|byte| byte.is_ascii_digit()));
    }
}
