//! The event sources beyond storage and messaging (API Gateway REST, ALB, CloudFormation,
//! CodeCommit, Config, Cognito, Lex, Alexa, Lambda@Edge, Firehose) have the shapes of the
//! AWS samples in `tests/fixtures/aws-events` (most generated with AWS SAM CLI's
//! `sam local generate-event`), and the user's overrides land where a function reads
//! them.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use lambdesk::triggers::events::{EventOverrides, EventSource, generate};
use serde_json::{Value, json};

mod event_shape;

use event_shape::{assert_shape, sample};

/// Asserts the shape of the default event of `source` against sample `file`.
fn assert_source_shape(source: EventSource, file: &str, allowed: &[&str]) {
    let actual = generate(source, &EventOverrides::default());
    assert_shape(source.id(), &sample(file), &actual, allowed);
}

/// Where a header map is and what its values are.
type HeaderMap<'a> = (&'a str, fn(&Value) -> bool);

/// `event` with the header maps at `maps` emptied, after checking that every value
/// in them is of their type: the samples' headers are those of one
/// browser, not a part of the format.
fn without_headers(mut event: Value, maps: &[HeaderMap<'_>]) -> Value {
    for (pointer, value_type) in maps {
        let headers = event
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("no header map at {pointer}"));
        for (name, value) in headers.iter() {
            assert!(value_type(value), "{pointer}/{name}: {value}");
        }
        headers.clear();
    }
    event
}

/// The event of `source` and sample `file`, both without the header maps `maps`,
/// compared.
fn assert_shape_without_headers(
    source: EventSource,
    overrides: &EventOverrides,
    file: &str,
    maps: &[HeaderMap<'_>],
    allowed: &[&str],
) {
    let actual = without_headers(generate(source, overrides), maps);
    let expected = without_headers(sample(file), maps);
    assert_shape(source.id(), &expected, &actual, allowed);
}

/// A header value of API Gateway's and ALB's maps.
fn is_string(value: &Value) -> bool {
    value.is_string()
}

/// A value of a multi-value map: a list of strings.
fn is_string_list(value: &Value) -> bool {
    value
        .as_array()
        .is_some_and(|values| values.iter().all(Value::is_string))
}

/// A CloudFront header: a list of `{key, value}`.
fn is_edge_header(value: &Value) -> bool {
    value.as_array().is_some_and(|entries| {
        entries
            .iter()
            .all(|entry| entry["key"].is_string() && entry["value"].is_string())
    })
}

/// A POST with a query and a JSON body, like the samples' requests.
fn post_with_query(path: &str) -> EventOverrides {
    EventOverrides {
        method: Some("POST".to_owned()),
        path: Some(path.to_owned()),
        body: Some(r#"{"test":"body"}"#.to_owned()),
        ..EventOverrides::default()
    }
}

/// The string at `pointer`.
fn text<'a>(event: &'a Value, pointer: &str) -> &'a str {
    event
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {event:#}"))
}

#[test]
fn every_source_has_a_template() {
    for source in EventSource::ALL {
        let event = generate(source, &EventOverrides::default());
        assert!(event.is_object(), "{source}: {event}");
    }
}

#[test]
fn apigw_rest_has_the_sample_shape() {
    assert_shape_without_headers(
        EventSource::ApigwRest,
        &post_with_query("/path/to/resource?foo=bar"),
        "sam-apigateway-aws-proxy.json",
        &[
            ("/headers", is_string),
            ("/multiValueHeaders", is_string_list),
        ],
        &[
            // A stage without variables sends null.
            "type stageVariables: sample object, generated null",
            // Sent by API Gateway today (see AWS's proxy integration docs); SAM's
            // sample predates them.
            "extra requestContext.identity.principalOrgId",
            "extra requestContext.extendedRequestId",
            "extra requestContext.domainPrefix",
            "extra requestContext.domainName",
        ],
    );
}

#[test]
fn alb_has_the_sample_shape() {
    assert_shape_without_headers(
        EventSource::Alb,
        &post_with_query("/path/to/resource?query=1234ABCD"),
        "sam-alb-request.json",
        &[("/headers", is_string)],
        &[],
    );
}

#[test]
fn cloudformation_create_has_the_sample_shape() {
    assert_source_shape(
        EventSource::CloudformationCreate,
        "sam-cloudformation-create-request.json",
        // CloudFormation sends the function's ARN at the top and among the properties;
        // SAM's sample leaves it out.
        &[
            "extra ServiceToken",
            "extra ResourceProperties.ServiceToken",
        ],
    );
}

#[test]
fn codecommit_has_the_sample_shape() {
    assert_source_shape(
        EventSource::Codecommit,
        "sam-codecommit-repository.json",
        &[],
    );
}

#[test]
fn config_has_the_sample_shapes() {
    assert_source_shape(EventSource::Config, "sam-config-periodic-rule.json", &[]);
    assert_source_shape(EventSource::Config, "config-event.json", &[]);
}

#[test]
fn cognito_pre_signup_has_the_sample_shape() {
    assert_source_shape(
        EventSource::CognitoPreSignUp,
        "cognito-user-pool-pre-signup.json",
        &[],
    );
}

#[test]
fn lex_has_the_sample_shape() {
    // Lex sends the user's words with every code hook; SAM's sample leaves them out.
    assert_source_shape(
        EventSource::Lex,
        "sam-lex-order-flowers.json",
        &["extra inputTranscript"],
    );
}

#[test]
fn alexa_has_the_sample_shape() {
    assert_source_shape(
        EventSource::AlexaSkillsKit,
        "sam-alexa-skills-kit-intent-recipe.json",
        &[],
    );
}

#[test]
fn cloudfront_requests_have_the_sample_shape() {
    assert_shape_without_headers(
        EventSource::CloudfrontViewerRequest,
        &EventOverrides::default(),
        "sam-cloudfront-simple-remote-call.json",
        &[("/Records/0/cf/request/headers", is_edge_header)],
        &[
            // CloudFront names the distribution, the event type and the request in
            // `config`, and always sends the query string; SAM's samples predate them.
            "extra Records[0].cf.config.distributionDomainName",
            "extra Records[0].cf.config.eventType",
            "extra Records[0].cf.config.requestId",
            "extra Records[0].cf.request.querystring",
        ],
    );
}

#[test]
fn cloudfront_responses_have_the_sample_shape() {
    assert_shape_without_headers(
        EventSource::CloudfrontOriginResponse,
        &EventOverrides::default(),
        "sam-cloudfront-modify-response-header.json",
        &[("/Records/0/cf/response/headers", is_edge_header)],
        &[
            // CloudFront names the distribution, the event type and the request in
            // `config`, and always sends the query string; SAM's samples predate them.
            "extra Records[0].cf.config.distributionDomainName",
            "extra Records[0].cf.config.eventType",
            "extra Records[0].cf.config.requestId",
            // A response event carries the request it answers.
            "extra Records[0].cf.request",
        ],
    );
}

#[test]
fn firehose_has_the_sample_shape() {
    assert_source_shape(EventSource::Firehose, "sam-kinesis-firehose.json", &[]);
}

// --- values ---------------------------------------------------------------

#[test]
fn apigw_rest_overrides_fill_path_query_and_proxy_parameter() {
    let event = generate(
        EventSource::ApigwRest,
        &post_with_query("/orders/42?tag=a&tag=b%20c"),
    );
    assert_eq!(text(&event, "/httpMethod"), "POST");
    assert_eq!(text(&event, "/path"), "/orders/42");
    assert_eq!(text(&event, "/resource"), "/{proxy+}");
    assert_eq!(text(&event, "/pathParameters/proxy"), "orders/42");
    // The last value in the single-value map, every value (decoded) in the other.
    assert_eq!(text(&event, "/queryStringParameters/tag"), "b c");
    assert_eq!(
        event["multiValueQueryStringParameters"]["tag"],
        json!(["a", "b c"])
    );
    assert_eq!(text(&event, "/body"), r#"{"test":"body"}"#);
    assert_eq!(text(&event, "/requestContext/path"), "/dev/orders/42");
    assert_eq!(
        text(&event, "/requestContext/identity/sourceIp"),
        "127.0.0.1"
    );
    let without_query = generate(EventSource::ApigwRest, &EventOverrides::default());
    assert!(without_query["queryStringParameters"].is_null());
    assert!(without_query["body"].is_null());
}

#[test]
fn alb_passes_the_query_undecoded() {
    let event = generate(EventSource::Alb, &post_with_query("/a?name=b%20c"));
    assert_eq!(text(&event, "/queryStringParameters/name"), "b%20c");
    assert!(event.get("multiValueHeaders").is_none());
    let empty = generate(EventSource::Alb, &EventOverrides::default());
    assert_eq!(empty["queryStringParameters"], json!({}));
    assert_eq!(text(&empty, "/body"), "");
}

#[test]
fn cloudformation_update_and_delete_name_the_physical_resource() {
    let create = generate(
        EventSource::CloudformationCreate,
        &EventOverrides::default(),
    );
    assert_eq!(text(&create, "/RequestType"), "Create");
    assert!(create.get("PhysicalResourceId").is_none());
    let update = generate(
        EventSource::CloudformationUpdate,
        &EventOverrides::default(),
    );
    assert_eq!(text(&update, "/RequestType"), "Update");
    assert!(update["PhysicalResourceId"].is_string());
    assert_ne!(
        update["OldResourceProperties"],
        update["ResourceProperties"]
    );
    let delete = generate(
        EventSource::CloudformationDelete,
        &EventOverrides::default(),
    );
    assert_eq!(text(&delete, "/RequestType"), "Delete");
    assert!(delete["PhysicalResourceId"].is_string());
    assert!(delete.get("OldResourceProperties").is_none());
    let eu = generate(
        EventSource::CloudformationCreate,
        &EventOverrides {
            region: Some("eu-west-1".to_owned()),
            account: Some("111122223333".to_owned()),
            ..EventOverrides::default()
        },
    );
    assert!(
        text(&eu, "/StackId").starts_with("arn:aws:cloudformation:eu-west-1:111122223333:stack/")
    );
    assert_eq!(
        text(&eu, "/ServiceToken"),
        "arn:aws:lambda:eu-west-1:111122223333:function:custom-resource-handler"
    );
}

#[test]
fn cognito_triggers_name_their_trigger_source() {
    for (source, trigger_source) in [
        (EventSource::CognitoPreSignUp, "PreSignUp_SignUp"),
        (
            EventSource::CognitoPostConfirmation,
            "PostConfirmation_ConfirmSignUp",
        ),
        (
            EventSource::CognitoPreAuthentication,
            "PreAuthentication_Authentication",
        ),
        (
            EventSource::CognitoPostAuthentication,
            "PostAuthentication_Authentication",
        ),
        (
            EventSource::CognitoPreTokenGeneration,
            "TokenGeneration_Authentication",
        ),
        (EventSource::CognitoCustomMessage, "CustomMessage_SignUp"),
    ] {
        let event = generate(source, &EventOverrides::default());
        assert_eq!(text(&event, "/triggerSource"), trigger_source);
        assert!(text(&event, "/userPoolId").starts_with("us-east-1_"));
        assert!(event["request"]["userAttributes"].is_object(), "{source}");
        assert!(event["response"].is_object(), "{source}");
    }
}

#[test]
fn cloudfront_events_say_where_they_run() {
    for (source, event_type, at_origin, has_response) in [
        (
            EventSource::CloudfrontViewerRequest,
            "viewer-request",
            false,
            false,
        ),
        (
            EventSource::CloudfrontOriginRequest,
            "origin-request",
            true,
            false,
        ),
        (
            EventSource::CloudfrontOriginResponse,
            "origin-response",
            true,
            true,
        ),
        (
            EventSource::CloudfrontViewerResponse,
            "viewer-response",
            false,
            true,
        ),
    ] {
        let event = generate(source, &EventOverrides::default());
        let cf = &event["Records"][0]["cf"];
        assert_eq!(cf["config"]["eventType"], event_type);
        assert_eq!(cf["request"].get("origin").is_some(), at_origin, "{source}");
        assert_eq!(cf.get("response").is_some(), has_response, "{source}");
    }
    let event = generate(
        EventSource::CloudfrontViewerRequest,
        &EventOverrides {
            path: Some("/images/cat.png?size=small".to_owned()),
            ..EventOverrides::default()
        },
    );
    assert_eq!(text(&event, "/Records/0/cf/request/uri"), "/images/cat.png");
    assert_eq!(
        text(&event, "/Records/0/cf/request/querystring"),
        "size=small"
    );
}

#[test]
fn firehose_data_is_the_base64_body() {
    let event = generate(
        EventSource::Firehose,
        &EventOverrides {
            body: Some("hello".to_owned()),
            stream: Some("clicks".to_owned()),
            ..EventOverrides::default()
        },
    );
    assert_eq!(text(&event, "/records/0/data"), "aGVsbG8=");
    assert!(text(&event, "/deliveryStreamArn").ends_with(":deliverystream/clicks"));
    assert_eq!(text(&event, "/records/0/recordId").len(), 56);
}
