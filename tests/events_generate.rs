//! Generated events have the shapes of the AWS samples in `tests/fixtures/aws-events`,
//! and the user's overrides land where a function reads them.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use chrono::{DateTime, Utc};
use lambdesk::triggers::events::cloudwatch_logs::decode_data;
use lambdesk::triggers::events::sqs::{SqsMessage, SqsMessageAttribute, md5_of_message_attributes};
use lambdesk::triggers::events::{EventOverrides, EventSource, generate};
use md5::{Digest, Md5};
use regex::Regex;
use serde_json::{Value, json};

mod event_shape;

use event_shape::{assert_shape, same_shape, sample};

/// Asserts the shape of the default event of `source` against sample `file`.
fn assert_source_shape(source: EventSource, file: &str, allowed: &[&str]) {
    let actual = generate(source, &EventOverrides::default());
    assert_shape(source.id(), &sample(file), &actual, allowed);
}

/// Asserts that `actual` holds the sample's value at each JSON `pointer`
/// (values that are constants of the AWS format).
fn assert_same_constants(reference: &Value, actual: &Value, pointers: &[&str]) {
    for pointer in pointers {
        let expected = reference
            .pointer(pointer)
            .unwrap_or_else(|| panic!("sample has no {pointer}"));
        assert_eq!(actual.pointer(pointer), Some(expected), "at {pointer}");
    }
}

/// The string at `pointer`.
fn text<'a>(event: &'a Value, pointer: &str) -> &'a str {
    event
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {event:#}"))
}

/// Hex MD5 of `bytes`, computed here independently of the generators.
fn md5_hex(bytes: &[u8]) -> String {
    let digest = Md5::digest(bytes);
    let mut hex = String::with_capacity(32);
    for byte in digest.iter() {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Asserts `millis` (ms since the epoch) is within a minute of now.
fn assert_recent_ms(millis: i64) {
    let now = Utc::now().timestamp_millis();
    assert!(
        (now - millis).abs() < 60_000,
        "{millis} is not about now ({now})"
    );
}

/// Overrides of region and account that every source but S3 uses.
fn eu_overrides() -> EventOverrides {
    EventOverrides {
        region: Some("eu-west-1".to_owned()),
        account: Some("111122223333".to_owned()),
        ..EventOverrides::default()
    }
}

// --- shapes -------------------------------------------------------------

#[test]
fn s3_put_has_the_sample_shape() {
    assert_source_shape(EventSource::S3Put, "s3-event.json", &[]);
}

#[test]
fn s3_delete_has_the_sample_shape_without_size_and_etag() {
    // AWS's removal notifications carry no size and no eTag.
    let mut expected = sample("s3-event.json");
    let object = expected["Records"][0]["s3"]["object"]
        .as_object_mut()
        .expect("sample has an object");
    object.remove("size");
    object.remove("eTag");
    let actual = generate(EventSource::S3Delete, &EventOverrides::default());
    assert_shape("s3-delete", &expected, &actual, &[]);
}

#[test]
fn sqs_has_the_sample_shape() {
    assert_source_shape(EventSource::Sqs, "sqs-event.json", &[]);
}

#[test]
fn sns_has_the_sample_shape() {
    assert_source_shape(EventSource::Sns, "sns-event.json", &[]);
}

#[test]
fn apigw_http_has_the_sample_shape() {
    assert_source_shape(
        EventSource::ApigwHttp,
        "apigw-v2-request-no-authorizer.json",
        // The sample was captured on an API with mutual TLS; without mTLS (and
        // a local gateway has none) API Gateway sends no client certificate.
        &["missing requestContext.authentication"],
    );
}

#[test]
fn apigw_http_with_body_and_query_adds_only_their_fields() {
    let overrides = EventOverrides {
        method: Some("POST".to_owned()),
        path: Some("/orders?id=7".to_owned()),
        body: Some(r#"{"item":"book"}"#.to_owned()),
        ..EventOverrides::default()
    };
    let actual = generate(EventSource::ApigwHttp, &overrides);
    assert_shape(
        "apigw-http with body",
        &sample("apigw-v2-request-no-authorizer.json"),
        &actual,
        &[
            "missing requestContext.authentication",
            // A request with a body has one, with its content type; the
            // sample request had neither.
            "extra body",
            "extra headers.content-type",
            // Present whenever the request has a query string.
            "extra queryStringParameters",
        ],
    );
}

#[test]
fn schedule_has_the_sample_shape() {
    assert_source_shape(EventSource::Schedule, "scheduled-event.json", &[]);
}

#[test]
fn dynamodb_has_the_sample_shape() {
    assert_source_shape(
        EventSource::Dynamodb,
        "dynamodb-event.json",
        // AWS adds userIdentity only to REMOVE records of items expired by TTL;
        // the sample's INSERT record carrying it is not what a stream sends.
        &["missing Records[0].userIdentity"],
    );
}

#[test]
fn kinesis_has_the_sample_shape() {
    assert_source_shape(EventSource::Kinesis, "kinesis-event.json", &[]);
}

#[test]
fn ses_has_the_sample_shape() {
    assert_source_shape(EventSource::Ses, "ses-lambda-event.json", &[]);
}

#[test]
fn cloudwatch_logs_has_the_sample_shape_outside_and_inside() {
    assert_source_shape(
        EventSource::CloudwatchLogs,
        "cloudwatch-logs-event.json",
        &[],
    );

    let expected = sample("cloudwatch-logs-event.json");
    let expected_document =
        decode_data(text(&expected, "/awslogs/data")).expect("sample data decodes");
    let actual = generate(EventSource::CloudwatchLogs, &EventOverrides::default());
    let actual_document =
        decode_data(text(&actual, "/awslogs/data")).expect("generated data decodes");
    assert_shape(
        "cloudwatch-logs data",
        &expected_document,
        &actual_document,
        &[],
    );
}

#[test]
fn same_shape_reports_every_kind_of_difference() {
    let expected = json!({ "a": 1, "b": { "c": "x" }, "list": [{ "d": true }] });
    let actual = json!({ "b": { "c": 2, "e": null }, "list": [{ "d": true }, {}], "f": [] });
    let mut differences = same_shape(&expected, &actual, "");
    differences.sort();
    assert_eq!(
        differences,
        [
            "extra b.e",
            "extra f",
            "missing a",
            "missing list[1].d",
            "type b.c: sample string, generated number",
        ]
    );
}

// --- constants of the formats --------------------------------------------

#[test]
fn constant_values_match_the_samples() {
    let none = EventOverrides::default();
    let cases: [(EventSource, &str, &[&str]); 10] = [
        (
            EventSource::S3Put,
            "s3-event.json",
            &[
                "/Records/0/eventVersion",
                "/Records/0/eventSource",
                "/Records/0/eventName",
                "/Records/0/s3/s3SchemaVersion",
            ],
        ),
        (
            EventSource::S3Delete,
            "s3-event.json",
            &["/Records/0/eventVersion", "/Records/0/eventSource"],
        ),
        (
            EventSource::Sqs,
            "sqs-event.json",
            &["/Records/0/eventSource"],
        ),
        (
            EventSource::Sns,
            "sns-event.json",
            &[
                "/Records/0/EventVersion",
                "/Records/0/EventSource",
                "/Records/0/Sns/Type",
                "/Records/0/Sns/SignatureVersion",
            ],
        ),
        (
            EventSource::ApigwHttp,
            "apigw-v2-request-no-authorizer.json",
            &[
                "/version",
                "/routeKey",
                "/rawPath",
                "/rawQueryString",
                "/isBase64Encoded",
                "/headers/accept",
                "/headers/content-length",
                "/headers/x-forwarded-port",
                "/headers/x-forwarded-proto",
                "/requestContext/accountId",
                "/requestContext/routeKey",
                "/requestContext/stage",
                "/requestContext/http/method",
                "/requestContext/http/path",
                "/requestContext/http/protocol",
            ],
        ),
        (
            EventSource::Schedule,
            "scheduled-event.json",
            &["/detail-type", "/source", "/account", "/region", "/detail"],
        ),
        (
            EventSource::Dynamodb,
            "dynamodb-event.json",
            &[
                "/Records/0/eventName",
                "/Records/0/eventVersion",
                "/Records/0/eventSource",
                "/Records/0/awsRegion",
                "/Records/0/dynamodb/Keys",
                "/Records/0/dynamodb/NewImage",
                "/Records/0/dynamodb/StreamViewType",
            ],
        ),
        (
            EventSource::Kinesis,
            "kinesis-event.json",
            &[
                "/Records/0/kinesis/kinesisSchemaVersion",
                "/Records/0/kinesis/data",
                "/Records/0/eventSource",
                "/Records/0/eventVersion",
                "/Records/0/eventName",
                "/Records/0/awsRegion",
            ],
        ),
        (
            EventSource::Ses,
            "ses-lambda-event.json",
            &[
                "/Records/0/eventVersion",
                "/Records/0/eventSource",
                "/Records/0/ses/mail/headersTruncated",
                "/Records/0/ses/mail/commonHeaders/subject",
                "/Records/0/ses/receipt/action/type",
                "/Records/0/ses/receipt/action/invocationType",
                "/Records/0/ses/receipt/spamVerdict",
                "/Records/0/ses/receipt/virusVerdict",
            ],
        ),
        (
            EventSource::CloudwatchLogs,
            "cloudwatch-logs-event.json",
            &[],
        ),
    ];
    for (source, file, pointers) in cases {
        let actual = generate(source, &none);
        assert_same_constants(&sample(file), &actual, pointers);
    }

    let expected = sample("cloudwatch-logs-event.json");
    let expected_document =
        decode_data(text(&expected, "/awslogs/data")).expect("sample data decodes");
    let actual = generate(EventSource::CloudwatchLogs, &none);
    let actual_document =
        decode_data(text(&actual, "/awslogs/data")).expect("generated data decodes");
    assert_same_constants(
        &expected_document,
        &actual_document,
        &[
            "/messageType",
            "/logEvents/0/message",
            "/logEvents/1/message",
        ],
    );
}

#[test]
fn s3_delete_is_a_removal_without_size_or_etag() {
    let event = generate(EventSource::S3Delete, &EventOverrides::default());
    assert_eq!(text(&event, "/Records/0/eventName"), "ObjectRemoved:Delete");
    let object = &event["Records"][0]["s3"]["object"];
    assert!(object.get("size").is_none());
    assert!(object.get("eTag").is_none());
    assert!(object.get("sequencer").is_some());
}

// --- overrides and computed values -----------------------------------------

#[test]
fn s3_overrides_set_bucket_arn_and_encoded_key() {
    let overrides = EventOverrides {
        bucket: Some("photos".to_owned()),
        key: Some("a b.png".to_owned()),
        size: Some(42),
        ..eu_overrides()
    };
    let event = generate(EventSource::S3Put, &overrides);
    assert_eq!(text(&event, "/Records/0/s3/bucket/name"), "photos");
    assert_eq!(
        text(&event, "/Records/0/s3/bucket/arn"),
        "arn:aws:s3:::photos"
    );
    assert_eq!(text(&event, "/Records/0/s3/object/key"), "a+b.png");
    assert_eq!(event.pointer("/Records/0/s3/object/size"), Some(&json!(42)));
    assert_eq!(text(&event, "/Records/0/awsRegion"), "eu-west-1");

    let removed = generate(EventSource::S3Delete, &overrides);
    assert_eq!(text(&removed, "/Records/0/s3/object/key"), "a+b.png");
    assert!(removed.pointer("/Records/0/s3/object/size").is_none());
}

#[test]
fn s3_keys_are_encoded_like_notifications() {
    // As S3 writes them: form-URL-encoded (a space is `+`), `/` kept.
    let overrides = EventOverrides {
        key: Some("dir/ü x+y=1:(2)~*.jpg".to_owned()),
        ..EventOverrides::default()
    };
    let event = generate(EventSource::S3Put, &overrides);
    assert_eq!(
        text(&event, "/Records/0/s3/object/key"),
        "dir/%C3%BC+x%2By%3D1%3A%282%29%7E*.jpg"
    );
}

#[test]
fn s3_event_time_and_ids_are_aws_formatted() {
    let event = generate(EventSource::S3Put, &EventOverrides::default());
    let millis_z = Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$").unwrap();
    let event_time = text(&event, "/Records/0/eventTime");
    assert!(millis_z.is_match(event_time), "{event_time}");
    assert_recent_ms(
        DateTime::parse_from_rfc3339(event_time)
            .unwrap()
            .timestamp_millis(),
    );
    let request_id = text(&event, "/Records/0/responseElements/x-amz-request-id");
    assert!(
        Regex::new("^[0-9A-F]{16}$").unwrap().is_match(request_id),
        "{request_id}"
    );
    let etag = text(&event, "/Records/0/s3/object/eTag");
    assert!(
        Regex::new("^[0-9a-f]{32}$").unwrap().is_match(etag),
        "{etag}"
    );
}

#[test]
fn sqs_body_and_its_md5_follow_the_override() {
    // MD5 of "derp" as AWS returns it (pinned by moto's SQS tests).
    let derp = EventOverrides {
        body: Some("derp".to_owned()),
        ..EventOverrides::default()
    };
    let event = generate(EventSource::Sqs, &derp);
    assert_eq!(text(&event, "/Records/0/body"), "derp");
    assert_eq!(
        text(&event, "/Records/0/md5OfBody"),
        "58fd9edd83341c29f1aebba81c31e257"
    );

    let body = r#"{"order": 7, "note": "ünïcode"}"#;
    let overrides = EventOverrides {
        body: Some(body.to_owned()),
        queue: Some("orders".to_owned()),
        ..eu_overrides()
    };
    let event = generate(EventSource::Sqs, &overrides);
    assert_eq!(text(&event, "/Records/0/body"), body);
    assert_eq!(
        text(&event, "/Records/0/md5OfBody"),
        md5_hex(body.as_bytes())
    );
    assert_eq!(
        text(&event, "/Records/0/eventSourceARN"),
        "arn:aws:sqs:eu-west-1:111122223333:orders"
    );
    assert_eq!(text(&event, "/Records/0/awsRegion"), "eu-west-1");
}

#[test]
fn sqs_ids_and_timestamps_are_fresh() {
    let first = generate(EventSource::Sqs, &EventOverrides::default());
    let second = generate(EventSource::Sqs, &EventOverrides::default());
    let id = text(&first, "/Records/0/messageId");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_ne!(id, text(&second, "/Records/0/messageId"));
    let sent = text(&first, "/Records/0/attributes/SentTimestamp");
    assert_recent_ms(sent.parse().unwrap());
    let first_received = text(
        &first,
        "/Records/0/attributes/ApproximateFirstReceiveTimestamp",
    );
    assert!(first_received.parse::<i64>().unwrap() >= sent.parse::<i64>().unwrap());
}

#[test]
fn sqs_attribute_digest_is_computed() {
    // Independently computed with a Python port of SQS's algorithm, itself
    // checked against the digest moto pins for {"timestamp": Number 1493147359900}.
    let event = generate(EventSource::Sqs, &EventOverrides::default());
    assert_eq!(
        text(&event, "/Records/0/md5OfMessageAttributes"),
        "5e245f81e602ee5aa6641584635f9a43"
    );
    assert_eq!(
        event.pointer("/Records/0/messageAttributes/Attribute3/binaryValue"),
        Some(&json!("MTEwMA=="))
    );

    let mut message = SqsMessage::new("q", "derp");
    message.message_attributes.insert(
        "timestamp".to_owned(),
        SqsMessageAttribute::number("1493147359900"),
    );
    assert_eq!(
        md5_of_message_attributes(&message.message_attributes).as_deref(),
        Some("235c5c510d26fb653d073faed50ae77c")
    );
    assert_eq!(
        text(&message.event(), "/Records/0/md5OfMessageAttributes"),
        "235c5c510d26fb653d073faed50ae77c"
    );
}

#[test]
fn sns_overrides_land_in_topic_subject_and_message() {
    let overrides = EventOverrides {
        topic: Some("alerts".to_owned()),
        subject: Some("Disk full".to_owned()),
        body: Some("disk / is 99% full".to_owned()),
        ..eu_overrides()
    };
    let event = generate(EventSource::Sns, &overrides);
    let topic_arn = "arn:aws:sns:eu-west-1:111122223333:alerts";
    assert_eq!(text(&event, "/Records/0/Sns/TopicArn"), topic_arn);
    assert_eq!(text(&event, "/Records/0/Sns/Subject"), "Disk full");
    assert_eq!(text(&event, "/Records/0/Sns/Message"), "disk / is 99% full");
    let subscription = text(&event, "/Records/0/EventSubscriptionArn");
    let subscription_id = subscription
        .strip_prefix(&format!("{topic_arn}:"))
        .unwrap_or_else(|| panic!("{subscription} is not a subscription of {topic_arn}"));
    assert!(
        uuid::Uuid::parse_str(subscription_id).is_ok(),
        "{subscription_id}"
    );
    let message_id = text(&event, "/Records/0/Sns/MessageId");
    assert!(uuid::Uuid::parse_str(message_id).is_ok(), "{message_id}");
    let timestamp = text(&event, "/Records/0/Sns/Timestamp");
    let millis_z = Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$").unwrap();
    assert!(millis_z.is_match(timestamp), "{timestamp}");
    assert!(text(&event, "/Records/0/Sns/UnsubscribeUrl").ends_with(subscription));
}

#[test]
fn apigw_method_path_and_body_follow_overrides() {
    let body = r#"{"item":"book"}"#;
    let overrides = EventOverrides {
        method: Some("post".to_owned()),
        path: Some("/orders/42?verbose=true&tag=a&tag=b%20c".to_owned()),
        body: Some(body.to_owned()),
        ..eu_overrides()
    };
    let event = generate(EventSource::ApigwHttp, &overrides);
    assert_eq!(text(&event, "/requestContext/http/method"), "POST");
    assert_eq!(text(&event, "/rawPath"), "/orders/42");
    assert_eq!(text(&event, "/requestContext/http/path"), "/orders/42");
    assert_eq!(
        text(&event, "/rawQueryString"),
        "verbose=true&tag=a&tag=b%20c"
    );
    assert_eq!(
        event["queryStringParameters"],
        json!({ "verbose": "true", "tag": "a,b c" })
    );
    assert_eq!(text(&event, "/routeKey"), "$default");
    assert_eq!(text(&event, "/body"), body);
    assert_eq!(event["isBase64Encoded"], json!(false));
    assert_eq!(
        text(&event, "/headers/content-length"),
        body.len().to_string()
    );
    assert_eq!(text(&event, "/headers/content-type"), "application/json");
    assert_eq!(text(&event, "/requestContext/accountId"), "111122223333");
    let host = text(&event, "/headers/host");
    assert!(
        host.ends_with(".execute-api.eu-west-1.amazonaws.com"),
        "{host}"
    );
    assert_eq!(text(&event, "/requestContext/domainName"), host);
    assert!(host.starts_with(text(&event, "/requestContext/domainPrefix")));
}

#[test]
fn apigw_without_body_or_query_leaves_them_out() {
    let overrides = EventOverrides {
        path: Some("health".to_owned()),
        ..EventOverrides::default()
    };
    let event = generate(EventSource::ApigwHttp, &overrides);
    assert_eq!(text(&event, "/rawPath"), "/health");
    assert!(event.get("body").is_none());
    assert!(event.get("queryStringParameters").is_none());
    assert_eq!(text(&event, "/rawQueryString"), "");
    assert_eq!(event["isBase64Encoded"], json!(false));
}

#[test]
fn apigw_times_are_aws_formatted() {
    let event = generate(EventSource::ApigwHttp, &EventOverrides::default());
    let time = text(&event, "/requestContext/time");
    let clf = Regex::new(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$").unwrap();
    assert!(clf.is_match(time), "{time}");
    let epoch_ms = event["requestContext"]["timeEpoch"].as_i64().unwrap();
    assert_recent_ms(epoch_ms);
    let parsed = DateTime::parse_from_str(time, "%d/%b/%Y:%H:%M:%S %z").unwrap();
    assert_eq!(parsed.timestamp(), epoch_ms / 1000);
}

#[test]
fn schedule_region_and_account_reach_the_rule_arn() {
    let event = generate(EventSource::Schedule, &eu_overrides());
    assert_eq!(text(&event, "/region"), "eu-west-1");
    assert_eq!(text(&event, "/account"), "111122223333");
    let resource = text(&event, "/resources/0");
    assert!(
        resource.starts_with("arn:aws:events:eu-west-1:111122223333:rule/"),
        "{resource}"
    );
    let time = text(&event, "/time");
    let seconds_z = Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").unwrap();
    assert!(seconds_z.is_match(time), "{time}");
    let id = text(&event, "/id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[test]
fn dynamodb_table_reaches_the_stream_arn() {
    let overrides = EventOverrides {
        table: Some("orders".to_owned()),
        ..eu_overrides()
    };
    let event = generate(EventSource::Dynamodb, &overrides);
    let arn = text(&event, "/Records/0/eventSourceARN");
    let arn_format = Regex::new(
        r"^arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/\d{4}-\d{2}-\d{2}T00:00:00\.000$",
    )
    .unwrap();
    assert!(arn_format.is_match(arn), "{arn}");
    assert_eq!(text(&event, "/Records/0/awsRegion"), "eu-west-1");
    let created = event
        .pointer("/Records/0/dynamodb/ApproximateCreationDateTime")
        .and_then(Value::as_i64)
        .unwrap();
    assert_recent_ms(created * 1000);
    assert!(
        event
            .pointer("/Records/0/dynamodb/SizeBytes")
            .unwrap()
            .is_u64()
    );
}

#[test]
fn kinesis_body_is_base64_data() {
    let overrides = EventOverrides {
        body: Some("Hello World".to_owned()),
        stream: Some("clicks".to_owned()),
        ..eu_overrides()
    };
    let event = generate(EventSource::Kinesis, &overrides);
    assert_eq!(text(&event, "/Records/0/kinesis/data"), "SGVsbG8gV29ybGQ=");
    assert_eq!(
        text(&event, "/Records/0/eventSourceARN"),
        "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks"
    );
    assert!(
        text(&event, "/Records/0/invokeIdentityArn").starts_with("arn:aws:iam::111122223333:role/")
    );
    let sequence = text(&event, "/Records/0/kinesis/sequenceNumber");
    assert_eq!(sequence.len(), 56);
    assert_eq!(
        text(&event, "/Records/0/eventID"),
        format!("shardId-000000000000:{sequence}")
    );
    let arrival = event
        .pointer("/Records/0/kinesis/approximateArrivalTimestamp")
        .and_then(Value::as_f64)
        .unwrap();
    assert_recent_ms((arrival * 1000.0) as i64);
}

#[test]
fn ses_subject_and_region_land_in_headers_and_function_arn() {
    let overrides = EventOverrides {
        subject: Some("Invoice 42".to_owned()),
        ..eu_overrides()
    };
    let event = generate(EventSource::Ses, &overrides);
    assert_eq!(
        text(&event, "/Records/0/ses/mail/commonHeaders/subject"),
        "Invoice 42"
    );
    let headers = event["Records"][0]["ses"]["mail"]["headers"]
        .as_array()
        .unwrap();
    assert!(headers.contains(&json!({ "name": "Subject", "value": "Invoice 42" })));
    let function_arn = text(&event, "/Records/0/ses/receipt/action/functionArn");
    assert!(
        function_arn.starts_with("arn:aws:lambda:eu-west-1:111122223333:function:"),
        "{function_arn}"
    );
    let received = headers
        .iter()
        .find(|header| header["name"] == "Received")
        .unwrap();
    assert!(
        received["value"]
            .as_str()
            .unwrap()
            .contains("inbound-smtp.eu-west-1.amazonaws.com")
    );
}

#[test]
fn cloudwatch_logs_overrides_land_in_the_decoded_document() {
    let overrides = EventOverrides {
        log_group: Some("/aws/lambda/orders".to_owned()),
        body: Some("line one\nline two\nline three".to_owned()),
        ..eu_overrides()
    };
    let event = generate(EventSource::CloudwatchLogs, &overrides);
    let document = decode_data(text(&event, "/awslogs/data")).unwrap();
    assert_eq!(text(&document, "/logGroup"), "/aws/lambda/orders");
    assert_eq!(text(&document, "/owner"), "111122223333");
    assert_eq!(text(&document, "/messageType"), "DATA_MESSAGE");
    let log_events = document["logEvents"].as_array().unwrap();
    let messages: Vec<&str> = log_events
        .iter()
        .map(|log_event| log_event["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["line one", "line two", "line three"]);
    let timestamps: Vec<i64> = log_events
        .iter()
        .map(|log_event| log_event["timestamp"].as_i64().unwrap())
        .collect();
    assert!(timestamps.windows(2).all(|pair| pair[0] <= pair[1]));
    assert_recent_ms(timestamps[0]);
}

#[test]
fn decode_data_reads_the_aws_sample() {
    let expected = sample("cloudwatch-logs-event.json");
    let document = decode_data(text(&expected, "/awslogs/data")).unwrap();
    assert_eq!(text(&document, "/logGroup"), "testLogGroup");
    assert_eq!(
        document["logEvents"][0]["timestamp"],
        json!(1_440_442_987_000_i64)
    );
}

// --- source names ------------------------------------------------------------

#[test]
fn source_ids_round_trip() {
    for source in EventSource::ALL {
        assert_eq!(source.id().parse::<EventSource>().unwrap(), source);
        assert_eq!(source.to_string(), source.id());
        assert!(!source.description().is_empty());
        assert!(!source.description().contains('\n'));
    }
    let mut ids: Vec<&str> = EventSource::ALL.iter().map(|source| source.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), EventSource::ALL.len());
    assert_eq!("S3-Put".parse::<EventSource>().unwrap(), EventSource::S3Put);
}

#[test]
fn unknown_source_error_lists_the_valid_ids() {
    let error = "s3-upload".parse::<EventSource>().unwrap_err();
    let message = error.to_string();
    assert!(message.contains("s3-upload"), "{message}");
    for source in EventSource::ALL {
        assert!(
            message.contains(source.id()),
            "{message} lacks {}",
            source.id()
        );
    }
}
