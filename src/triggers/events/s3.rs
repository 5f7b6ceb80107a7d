//! S3 bucket notifications for created and removed objects.
//!
//! Shape: `tests/fixtures/aws-events/s3-event.json`. A removal notification has no
//! `size` and no `eTag` in `s3.object`, as AWS sends it.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{
    DEFAULT_REGION, EventOverrides, form_urlencode, iso8601_millis, random_bytes, random_hex,
    set_if,
};

/// `eventName` of an object uploaded with PUT.
pub const OBJECT_CREATED_PUT: &str = "ObjectCreated:Put";

/// `eventName` of an object deleted with DELETE.
pub const OBJECT_REMOVED_DELETE: &str = "ObjectRemoved:Delete";

/// Bucket used when the user names none.
pub const DEFAULT_BUCKET: &str = "example-bucket";

/// Key used when the user names none.
pub const DEFAULT_KEY: &str = "test/key";

/// One S3 notification record: something happened to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3ObjectEvent {
    /// `eventName`, e.g. [`OBJECT_CREATED_PUT`] or [`OBJECT_REMOVED_DELETE`].
    pub event_name: String,
    /// Region of the bucket (`awsRegion`).
    pub region: String,
    /// When the request that caused the event finished (`eventTime`).
    pub event_time: DateTime<Utc>,
    /// Who made the request (`userIdentity.principalId`).
    pub requester_principal_id: String,
    /// Client address of the request (`requestParameters.sourceIPAddress`).
    pub source_ip: String,
    /// S3 request id, 16 upper-case hex digits (`x-amz-request-id`).
    pub request_id: String,
    /// S3 host id of the request (`x-amz-id-2`).
    pub host_id: String,
    /// Name of the bucket's notification configuration (`configurationId`).
    pub configuration_id: String,
    /// Bucket name (`s3.bucket.name`; the ARN is derived from it).
    pub bucket: String,
    /// Owner of the bucket (`s3.bucket.ownerIdentity.principalId`).
    pub bucket_owner_principal_id: String,
    /// Object key, unencoded; [`encode_key`] gives the notification form.
    pub key: String,
    /// Object size (`size`); `None` for removal events, which carry none.
    pub size_bytes: Option<u64>,
    /// Entity tag, hex without quotes (`eTag`); `None` for removal events.
    pub etag: Option<String>,
    /// Version of the object in a versioned bucket (`versionId`).
    pub version_id: Option<String>,
    /// Orders the events of one key (`sequencer`): later events compare greater.
    pub sequencer: String,
}

impl S3ObjectEvent {
    /// An `ObjectCreated:Put` notification for an object of an unversioned
    /// bucket, happening now. A bucket watcher fills it from a real file, the
    /// `etag` being the hex MD5 of the file's bytes (S3's eTag of a
    /// single-part upload).
    pub fn object_created(
        bucket: impl Into<String>,
        key: impl Into<String>,
        size_bytes: u64,
        etag: impl Into<String>,
    ) -> Self {
        let event_time = Utc::now();
        Self {
            event_name: OBJECT_CREATED_PUT.to_owned(),
            region: DEFAULT_REGION.to_owned(),
            event_time,
            requester_principal_id: "AWS:AIDAEXAMPLEUSERID12".to_owned(),
            source_ip: "127.0.0.1".to_owned(),
            request_id: random_hex(16).to_ascii_uppercase(),
            host_id: STANDARD.encode(random_bytes(48)),
            configuration_id: "lambdesk-notification".to_owned(),
            bucket: bucket.into(),
            bucket_owner_principal_id: "A3NL1KOZZKEXAMPLE".to_owned(),
            key: key.into(),
            size_bytes: Some(size_bytes),
            etag: Some(etag.into()),
            version_id: None,
            sequencer: sequencer_at(event_time),
        }
    }

    /// An `ObjectRemoved:Delete` notification for an object of an unversioned
    /// bucket, happening now: no size, no eTag.
    pub fn object_removed(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            event_name: OBJECT_REMOVED_DELETE.to_owned(),
            size_bytes: None,
            etag: None,
            ..Self::object_created(bucket, key, 0, String::new())
        }
    }

    /// The generated `s3-put` event: a 1 KiB object `test/key` in a versioned
    /// `example-bucket`. There is no content, so the eTag is random MD5-shaped hex.
    pub fn sample() -> Self {
        Self {
            version_id: Some(random_version_id()),
            ..Self::object_created(DEFAULT_BUCKET, DEFAULT_KEY, 1024, random_hex(32))
        }
    }

    /// The generated `s3-delete` event: `test/key` removed from a versioned
    /// `example-bucket` (deleting a specific version keeps its `versionId`).
    pub fn sample_removed() -> Self {
        Self {
            version_id: Some(random_version_id()),
            ..Self::object_removed(DEFAULT_BUCKET, DEFAULT_KEY)
        }
    }

    /// Applies region, bucket, key and (for created objects) size.
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        set_if(&mut self.region, overrides.region.as_deref());
        set_if(&mut self.bucket, overrides.bucket.as_deref());
        set_if(&mut self.key, overrides.key.as_deref());
        if let Some(size_bytes) = overrides.size
            && self.size_bytes.is_some()
        {
            self.size_bytes = Some(size_bytes);
        }
        self
    }

    /// `arn:aws:s3:::<bucket>`.
    pub fn bucket_arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.bucket)
    }

    /// The notification: `{"Records": [record]}`.
    pub fn event(&self) -> Value {
        json!({ "Records": [self.record()] })
    }

    /// One element of `Records`.
    pub fn record(&self) -> Value {
        let mut object = Map::new();
        object.insert("key".to_owned(), Value::from(encode_key(&self.key)));
        if let Some(size_bytes) = self.size_bytes {
            object.insert("size".to_owned(), Value::from(size_bytes));
        }
        if let Some(version_id) = &self.version_id {
            object.insert("versionId".to_owned(), Value::from(version_id.as_str()));
        }
        if let Some(etag) = &self.etag {
            object.insert("eTag".to_owned(), Value::from(etag.as_str()));
        }
        object.insert("sequencer".to_owned(), Value::from(self.sequencer.as_str()));

        json!({
            "eventVersion": "2.0",
            "eventSource": "aws:s3",
            "awsRegion": self.region,
            "eventTime": iso8601_millis(self.event_time),
            "eventName": self.event_name,
            "userIdentity": {
                "principalId": self.requester_principal_id
            },
            "requestParameters": {
                "sourceIPAddress": self.source_ip
            },
            "responseElements": {
                "x-amz-request-id": self.request_id,
                "x-amz-id-2": self.host_id
            },
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": self.configuration_id,
                "bucket": {
                    "name": self.bucket,
                    "ownerIdentity": {
                        "principalId": self.bucket_owner_principal_id
                    },
                    "arn": self.bucket_arn()
                },
                "object": Value::Object(object)
            }
        })
    }
}

/// The key as S3 writes it in notifications: form-URL-encoded ("red flower.jpg"
/// becomes "red+flower.jpg", S3's documentation says, `=` becomes `%3D` and `:`
/// `%3A`), with `/` kept as S3 keeps it. The `Happy%20Face.jpg` of the aws-lambda-go
/// sample is hand-written: handlers that only turn `+` back into spaces break on `%20`.
pub fn encode_key(key: &str) -> String {
    form_urlencode(key, b"/")
}

/// A sequencer for an event at `time`: 18 upper-case hex digits, like AWS's,
/// growing with time so later events of a key compare greater.
fn sequencer_at(time: DateTime<Utc>) -> String {
    format!("{:018X}", time.timestamp_micros())
}

/// A random 32-character version id in S3's URL-safe alphabet.
fn random_version_id() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(24))
}
