//! AWS-shaped sample events, like `sam local generate-event`.
//!
//! Every source has its own module with a typed description of one event (for
//! example [`s3::S3ObjectEvent`]) whose `event()` builds the JSON exactly as the
//! AWS service delivers it to a function: same field names, nesting and value
//! types as the samples in `tests/fixtures/aws-events`. Values AWS computes (MD5 digests,
//! ARNs, base64 and gzip payloads) are computed for real; identifiers are fresh
//! and timestamps are the current time, in each service's own format.
//!
//! [`generate`] builds a source's sample event and applies the user's
//! [`EventOverrides`] (the `--bucket`, `--body`, … options of the CLI).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use md5::{Digest, Md5};
use serde_json::Value;
use uuid::Uuid;

pub mod alb;
pub mod alexa;
pub mod apigw_http;
pub mod apigw_rest;
pub mod cloudformation;
pub mod cloudfront;
pub mod cloudwatch_logs;
pub mod codecommit;
pub mod cognito_user_pool;
pub mod config_rule;
pub mod dynamodb;
pub mod firehose;
pub mod kinesis;
pub mod lex;
pub mod s3;
pub mod schedule;
pub mod ses;
pub mod sns;
pub mod sqs;

use cloudformation::RequestType;
use cloudfront::EdgeEventType;
use cognito_user_pool::UserPoolTrigger;

/// Region used when the user gives none: the one AWS's own samples use.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Account id used when the user gives none: the one AWS documentation uses.
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// A kind of event lambdesk can generate, named like the AWS trigger it imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventSource {
    /// S3 bucket notification for an uploaded object.
    S3Put,
    /// S3 bucket notification for a deleted object.
    S3Delete,
    /// SQS queue message, as an event source mapping delivers it.
    Sqs,
    /// SNS topic notification.
    Sns,
    /// API Gateway HTTP API request, payload format 2.0.
    ApigwHttp,
    /// EventBridge (CloudWatch Events) schedule rule.
    Schedule,
    /// DynamoDB stream record.
    Dynamodb,
    /// Kinesis data stream record.
    Kinesis,
    /// SES receipt rule for an incoming mail.
    Ses,
    /// CloudWatch Logs subscription filter delivery.
    CloudwatchLogs,
    /// API Gateway REST API request, Lambda proxy integration (payload format 1.0).
    ApigwRest,
    /// Application Load Balancer request to a Lambda target group.
    Alb,
    /// CloudFormation custom resource request: Create.
    CloudformationCreate,
    /// CloudFormation custom resource request: Update.
    CloudformationUpdate,
    /// CloudFormation custom resource request: Delete.
    CloudformationDelete,
    /// CodeCommit repository trigger for a push.
    Codecommit,
    /// AWS Config custom rule evaluation of a periodic rule.
    Config,
    /// Cognito user pool trigger: pre sign-up.
    CognitoPreSignUp,
    /// Cognito user pool trigger: post confirmation.
    CognitoPostConfirmation,
    /// Cognito user pool trigger: pre authentication.
    CognitoPreAuthentication,
    /// Cognito user pool trigger: post authentication.
    CognitoPostAuthentication,
    /// Cognito user pool trigger: pre token generation.
    CognitoPreTokenGeneration,
    /// Cognito user pool trigger: custom message.
    CognitoCustomMessage,
    /// Amazon Lex (V1) bot code hook.
    Lex,
    /// Alexa Skills Kit intent request.
    AlexaSkillsKit,
    /// Lambda@Edge: viewer request.
    CloudfrontViewerRequest,
    /// Lambda@Edge: origin request.
    CloudfrontOriginRequest,
    /// Lambda@Edge: origin response.
    CloudfrontOriginResponse,
    /// Lambda@Edge: viewer response.
    CloudfrontViewerResponse,
    /// Kinesis Data Firehose data transformation.
    Firehose,
}

impl EventSource {
    /// Every source, in the order the CLI lists them.
    pub const ALL: [EventSource; 30] = [
        EventSource::S3Put,
        EventSource::S3Delete,
        EventSource::Sqs,
        EventSource::Sns,
        EventSource::ApigwHttp,
        EventSource::Schedule,
        EventSource::Dynamodb,
        EventSource::Kinesis,
        EventSource::Ses,
        EventSource::CloudwatchLogs,
        EventSource::ApigwRest,
        EventSource::Alb,
        EventSource::CloudformationCreate,
        EventSource::CloudformationUpdate,
        EventSource::CloudformationDelete,
        EventSource::Codecommit,
        EventSource::Config,
        EventSource::CognitoPreSignUp,
        EventSource::CognitoPostConfirmation,
        EventSource::CognitoPreAuthentication,
        EventSource::CognitoPostAuthentication,
        EventSource::CognitoPreTokenGeneration,
        EventSource::CognitoCustomMessage,
        EventSource::Lex,
        EventSource::AlexaSkillsKit,
        EventSource::CloudfrontViewerRequest,
        EventSource::CloudfrontOriginRequest,
        EventSource::CloudfrontOriginResponse,
        EventSource::CloudfrontViewerResponse,
        EventSource::Firehose,
    ];

    /// The name users type (`lambdesk event generate s3-put`).
    pub fn id(self) -> &'static str {
        match self {
            EventSource::S3Put => "s3-put",
            EventSource::S3Delete => "s3-delete",
            EventSource::Sqs => "sqs",
            EventSource::Sns => "sns",
            EventSource::ApigwHttp => "apigw-http",
            EventSource::Schedule => "schedule",
            EventSource::Dynamodb => "dynamodb",
            EventSource::Kinesis => "kinesis",
            EventSource::Ses => "ses",
            EventSource::CloudwatchLogs => "cloudwatch-logs",
            EventSource::ApigwRest => "apigw-rest",
            EventSource::Alb => "alb",
            EventSource::CloudformationCreate => "cloudformation-create",
            EventSource::CloudformationUpdate => "cloudformation-update",
            EventSource::CloudformationDelete => "cloudformation-delete",
            EventSource::Codecommit => "codecommit",
            EventSource::Config => "config",
            EventSource::CognitoPreSignUp => "cognito-pre-signup",
            EventSource::CognitoPostConfirmation => "cognito-post-confirmation",
            EventSource::CognitoPreAuthentication => "cognito-pre-authentication",
            EventSource::CognitoPostAuthentication => "cognito-post-authentication",
            EventSource::CognitoPreTokenGeneration => "cognito-pre-token-generation",
            EventSource::CognitoCustomMessage => "cognito-custom-message",
            EventSource::Lex => "lex",
            EventSource::AlexaSkillsKit => "alexa-skills-kit",
            EventSource::CloudfrontViewerRequest => "cloudfront-viewer-request",
            EventSource::CloudfrontOriginRequest => "cloudfront-origin-request",
            EventSource::CloudfrontOriginResponse => "cloudfront-origin-response",
            EventSource::CloudfrontViewerResponse => "cloudfront-viewer-response",
            EventSource::Firehose => "firehose",
        }
    }

    /// One line saying which AWS delivery this source imitates.
    pub fn description(self) -> &'static str {
        match self {
            EventSource::S3Put => "S3 object created (ObjectCreated:Put) notification",
            EventSource::S3Delete => "S3 object removed (ObjectRemoved:Delete) notification",
            EventSource::Sqs => "SQS message delivered by an event source mapping",
            EventSource::Sns => "SNS topic notification",
            EventSource::ApigwHttp => "API Gateway HTTP API request (payload format 2.0)",
            EventSource::Schedule => "EventBridge scheduled event (schedule rule)",
            EventSource::Dynamodb => "DynamoDB stream record (INSERT)",
            EventSource::Kinesis => "Kinesis data stream record",
            EventSource::Ses => "SES receipt rule notification for an incoming mail",
            EventSource::CloudwatchLogs => {
                "CloudWatch Logs subscription filter delivery (gzip+base64 awslogs.data)"
            }
            EventSource::ApigwRest => {
                "API Gateway REST API request (Lambda proxy, payload format 1.0)"
            }
            EventSource::Alb => "Application Load Balancer request to a Lambda target group",
            EventSource::CloudformationCreate => "CloudFormation custom resource Create request",
            EventSource::CloudformationUpdate => "CloudFormation custom resource Update request",
            EventSource::CloudformationDelete => "CloudFormation custom resource Delete request",
            EventSource::Codecommit => "CodeCommit repository trigger (a push to a branch)",
            EventSource::Config => "AWS Config custom rule evaluation (periodic rule)",
            EventSource::CognitoPreSignUp => "Cognito user pool pre sign-up trigger",
            EventSource::CognitoPostConfirmation => "Cognito user pool post confirmation trigger",
            EventSource::CognitoPreAuthentication => "Cognito user pool pre authentication trigger",
            EventSource::CognitoPostAuthentication => {
                "Cognito user pool post authentication trigger"
            }
            EventSource::CognitoPreTokenGeneration => {
                "Cognito user pool pre token generation trigger"
            }
            EventSource::CognitoCustomMessage => {
                "Cognito user pool custom message trigger (sign-up code)"
            }
            EventSource::Lex => "Amazon Lex (V1) dialog code hook",
            EventSource::AlexaSkillsKit => "Alexa Skills Kit intent request",
            EventSource::CloudfrontViewerRequest => "Lambda@Edge viewer request (CloudFront)",
            EventSource::CloudfrontOriginRequest => "Lambda@Edge origin request (CloudFront)",
            EventSource::CloudfrontOriginResponse => "Lambda@Edge origin response (CloudFront)",
            EventSource::CloudfrontViewerResponse => "Lambda@Edge viewer response (CloudFront)",
            EventSource::Firehose => "Kinesis Data Firehose data transformation batch",
        }
    }
}

impl fmt::Display for EventSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for EventSource {
    type Err = UnknownEventSource;

    /// Parses an [`EventSource::id`], ignoring ASCII case and surrounding spaces.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim();
        EventSource::ALL
            .into_iter()
            .find(|source| source.id().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownEventSource {
                given: text.to_owned(),
            })
    }
}

/// A name that is not one of the [`EventSource`] ids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event source `{given}`; valid sources are: {valid}", valid = valid_ids())]
pub struct UnknownEventSource {
    /// What the user typed.
    pub given: String,
}

/// The valid ids, comma-separated, for error messages.
fn valid_ids() -> String {
    EventSource::ALL.map(EventSource::id).join(", ")
}

/// Values the user sets on a generated event (the CLI's `--region`, `--bucket`, …).
///
/// `None` keeps the sample's default. A generator ignores the fields that have
/// no place in its event.
#[derive(Debug, Clone, Default)]
pub struct EventOverrides {
    /// AWS region. Used by every source except cloudwatch-logs, lex,
    /// alexa-skills-kit and cloudfront-* (whose events carry no region):
    /// `awsRegion`, `region` and the region part of ARNs and host names.
    pub region: Option<String>,
    /// Account id. Used by sqs, sns, apigw-http, apigw-rest, alb, schedule,
    /// dynamodb, kinesis, firehose, codecommit, config, cloudformation-* (ARNs,
    /// `accountId`, `account`), ses (the function ARN) and cloudwatch-logs
    /// (`owner`); S3 notifications, Cognito, Lex, Alexa and CloudFront events
    /// carry no account.
    pub account: Option<String>,
    /// Bucket name. Used by s3-put and s3-delete.
    pub bucket: Option<String>,
    /// Object key, unencoded (`a b.png`). Used by s3-put and s3-delete, which
    /// URL-encode it as S3 does in notifications (`a+b.png`).
    pub key: Option<String>,
    /// Payload. sqs: message `body`; sns: `Message`; apigw-http, apigw-rest, alb:
    /// request `body`; kinesis, firehose: the bytes of `data`; cloudwatch-logs: one log
    /// event per line; lex: what the user said; alexa-skills-kit: the slot's value.
    pub body: Option<String>,
    /// Queue name. Used by sqs.
    pub queue: Option<String>,
    /// Topic name. Used by sns.
    pub topic: Option<String>,
    /// Subject. Used by sns (`Subject`) and ses (the mail's subject).
    pub subject: Option<String>,
    /// HTTP method (any case). Used by apigw-http, apigw-rest, alb and cloudfront-*.
    pub method: Option<String>,
    /// Request path with an optional `?query`. Used by apigw-http, apigw-rest, alb and
    /// cloudfront-*.
    pub path: Option<String>,
    /// Table name. Used by dynamodb.
    pub table: Option<String>,
    /// Stream name. Used by kinesis and firehose (the delivery stream).
    pub stream: Option<String>,
    /// Log group name. Used by cloudwatch-logs.
    pub log_group: Option<String>,
    /// Object size in bytes. Used by s3-put (a delete notification has no size).
    pub size: Option<u64>,
}

/// Builds the sample event of `source` with `overrides` applied.
pub fn generate(source: EventSource, overrides: &EventOverrides) -> Value {
    match source {
        EventSource::S3Put => s3::S3ObjectEvent::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::S3Delete => s3::S3ObjectEvent::sample_removed()
            .with_overrides(overrides)
            .event(),
        EventSource::Sqs => sqs::SqsMessage::sample().with_overrides(overrides).event(),
        EventSource::Sns => sns::SnsNotification::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::ApigwHttp => apigw_http::HttpApiRequest::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::Schedule => schedule::ScheduledEvent::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::Dynamodb => dynamodb::DynamodbStreamRecord::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::Kinesis => kinesis::KinesisRecord::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::Ses => ses::SesReceivedMail::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::CloudwatchLogs => cloudwatch_logs::LogsSubscriptionEvent::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::ApigwRest => apigw_rest::RestApiRequest::sample()
            .with_overrides(overrides)
            .event(),
        EventSource::Alb => alb::AlbRequest::sample().with_overrides(overrides).event(),
        EventSource::CloudformationCreate => {
            cloudformation::custom_resource_request(RequestType::Create, overrides)
        }
        EventSource::CloudformationUpdate => {
            cloudformation::custom_resource_request(RequestType::Update, overrides)
        }
        EventSource::CloudformationDelete => {
            cloudformation::custom_resource_request(RequestType::Delete, overrides)
        }
        EventSource::Codecommit => codecommit::repository_push(overrides),
        EventSource::Config => config_rule::periodic_rule_evaluation(overrides),
        EventSource::CognitoPreSignUp => {
            cognito_user_pool::trigger_event(UserPoolTrigger::PreSignUp, overrides)
        }
        EventSource::CognitoPostConfirmation => {
            cognito_user_pool::trigger_event(UserPoolTrigger::PostConfirmation, overrides)
        }
        EventSource::CognitoPreAuthentication => {
            cognito_user_pool::trigger_event(UserPoolTrigger::PreAuthentication, overrides)
        }
        EventSource::CognitoPostAuthentication => {
            cognito_user_pool::trigger_event(UserPoolTrigger::PostAuthentication, overrides)
        }
        EventSource::CognitoPreTokenGeneration => {
            cognito_user_pool::trigger_event(UserPoolTrigger::PreTokenGeneration, overrides)
        }
        EventSource::CognitoCustomMessage => {
            cognito_user_pool::trigger_event(UserPoolTrigger::CustomMessage, overrides)
        }
        EventSource::Lex => lex::dialog_code_hook(overrides),
        EventSource::AlexaSkillsKit => alexa::intent_request(overrides),
        EventSource::CloudfrontViewerRequest => {
            cloudfront::edge_event(EdgeEventType::ViewerRequest, overrides)
        }
        EventSource::CloudfrontOriginRequest => {
            cloudfront::edge_event(EdgeEventType::OriginRequest, overrides)
        }
        EventSource::CloudfrontOriginResponse => {
            cloudfront::edge_event(EdgeEventType::OriginResponse, overrides)
        }
        EventSource::CloudfrontViewerResponse => {
            cloudfront::edge_event(EdgeEventType::ViewerResponse, overrides)
        }
        EventSource::Firehose => firehose::transformation_batch(overrides),
    }
}

// Helpers shared by the source modules (private items of this module are
// visible to its children).

/// Replaces `target` with `value` when the user gave one.
fn set_if(target: &mut String, value: Option<&str>) {
    if let Some(value) = value {
        value.clone_into(target);
    }
}

/// The region the user gave, else [`DEFAULT_REGION`].
fn region_of(overrides: &EventOverrides) -> &str {
    overrides.region.as_deref().unwrap_or(DEFAULT_REGION)
}

/// The account the user gave, else [`DEFAULT_ACCOUNT`].
fn account_of(overrides: &EventOverrides) -> &str {
    overrides.account.as_deref().unwrap_or(DEFAULT_ACCOUNT)
}

/// `2026-11-26T16:00:00.123Z`: the format of S3 `eventTime`, SNS `Timestamp`
/// and SES `timestamp`.
fn iso8601_millis(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Lower-case hex of `bytes`, as AWS prints digests.
fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Hex MD5 of `bytes` (SQS `md5OfBody`, S3 `eTag` of a single-part upload).
fn md5_hex(bytes: &[u8]) -> String {
    hex_lower(&Md5::digest(bytes))
}

/// `len` random lower-case hex digits, for ids AWS prints as hex.
pub(crate) fn random_hex(len: usize) -> String {
    let mut out = String::with_capacity(len + 32);
    let mut buffer = Uuid::encode_buffer();
    while out.len() < len {
        out.push_str(Uuid::new_v4().simple().encode_lower(&mut buffer));
    }
    out.truncate(len);
    out
}

/// `len` random bytes, for opaque tokens (receipt handles, signatures).
pub(crate) fn random_bytes(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        out.extend_from_slice(Uuid::new_v4().as_bytes());
    }
    out.truncate(len);
    out
}

/// A random number of exactly `digits` decimal digits (at most 38), for ids AWS
/// prints as long decimal strings (sequence numbers, log event ids).
fn random_digits(digits: u32) -> String {
    let digits = digits.min(38);
    let value = Uuid::new_v4().as_u128() % 10u128.pow(digits);
    let width = usize::try_from(digits).expect("at most 38 digits");
    format!("{value:0width$}")
}

/// Encodes `text` as `application/x-www-form-urlencoded` does (the WHATWG URL
/// standard, and Java's `URLEncoder`): ASCII letters, digits and `*-._` stay, a
/// space becomes `+`, every other byte (`+` and `~` included) is `%XX` with
/// upper-case hex. The bytes in `keep` also stay (`a b+c` → `a+b%2Bc`).
fn form_urlencode(text: &str, keep: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"*-._".contains(&byte) || keep.contains(&byte) {
            out.push(char::from(byte));
        } else if byte == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// Decodes `%XX` escapes (a malformed escape is kept as it is); bytes that are
/// not UTF-8 become U+FFFD.
pub(crate) fn percent_decode(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%'
            && let Some(decoded) = decode_hex_pair(tail)
        {
            out.push(decoded);
            rest = tail.get(2..).unwrap_or_default();
        } else {
            out.push(byte);
            rest = tail;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The byte written as two hex digits at the start of `bytes`, if they are.
fn decode_hex_pair(bytes: &[u8]) -> Option<u8> {
    let [high, low, ..] = bytes else {
        return None;
    };
    Some((hex_digit(*high)? << 4) | hex_digit(*low)?)
}

/// The value of one hex digit.
fn hex_digit(byte: u8) -> Option<u8> {
    let value = char::from(byte).to_digit(16)?;
    u8::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_urlencoding_writes_spaces_as_plus() {
        let encoded = form_urlencode("dir/ü x+y~(1)*.png", b"/");
        assert_eq!(encoded, "dir/%C3%BC+x%2By%7E%281%29*.png");
        // Decoding the form way (a `+` is a space) gives the text back.
        assert_eq!(
            percent_decode(&encoded.replace('+', " ")),
            "dir/ü x+y~(1)*.png"
        );
    }

    #[test]
    fn malformed_escapes_are_kept() {
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%41%62"), "Ab");
    }

    #[test]
    fn md5_hex_matches_known_digest() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn random_values_have_the_requested_length() {
        assert_eq!(random_hex(40).len(), 40);
        assert_eq!(random_bytes(33).len(), 33);
        let digits = random_digits(38);
        assert_eq!(digits.len(), 38);
        assert!(digits.bytes().all(|byte| byte.is_ascii_digit()));
    }
}
