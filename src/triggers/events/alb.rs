//! Application Load Balancer requests to a Lambda target group.
//!
//! Shape: `tests/fixtures/aws-events/sam-alb-request.json`. The load balancer passes the
//! query string without decoding it and header names in lower case; a target group
//! with multi-value headers enabled sends `multiValueHeaders` and
//! `multiValueQueryStringParameters` (every value of a repeated name) instead of
//! `headers` and `queryStringParameters` (its last value). `body` is `""` for a request
//! without one.

use serde_json::{Map, Value, json};

use super::apigw_rest::single_and_multi;
use super::{DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, random_hex, set_if};

/// Target group of the generated requests.
pub const DEFAULT_TARGET_GROUP: &str = "lambda-target-group";

/// One HTTP request as a load balancer hands it to its Lambda target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbRequest {
    /// Upper-case method (`httpMethod`).
    pub method: String,
    /// Path as requested, still encoded (`path`).
    pub path: String,
    /// Query string without the `?`, still encoded; empty when none.
    pub raw_query_string: String,
    /// Headers in arrival order, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Request body; empty for a request without one.
    pub body: String,
    /// Whether `body` is base64 of binary content (`isBase64Encoded`).
    pub is_base64_encoded: bool,
    /// ARN of the target group (`requestContext.elb.targetGroupArn`).
    pub target_group_arn: String,
    /// Whether the target group has multi-value headers enabled.
    pub multi_value_headers: bool,
}

impl AlbRequest {
    /// The generated `alb` request: `GET /` from a local client, without body.
    pub fn sample() -> Self {
        let time = chrono::Utc::now();
        let headers = [
            ("accept", "*/*"),
            ("host", "lambda-alb-123578498.us-east-1.elb.amazonaws.com"),
            (
                "user-agent",
                concat!("lambdesk/", env!("CARGO_PKG_VERSION")),
            ),
            (
                "x-amzn-trace-id",
                &format!("Root=1-{:08x}-{}", time.timestamp(), random_hex(24)),
            ),
            ("x-forwarded-for", "127.0.0.1"),
            ("x-forwarded-port", "80"),
            ("x-forwarded-proto", "http"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .to_vec();
        Self {
            method: "GET".to_owned(),
            path: "/".to_owned(),
            raw_query_string: String::new(),
            headers,
            body: String::new(),
            is_base64_encoded: false,
            target_group_arn: target_group_arn(DEFAULT_REGION, DEFAULT_ACCOUNT),
            multi_value_headers: false,
        }
    }

    /// Applies region and account (in the target group's ARN), method, path (with its
    /// query) and body.
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        if overrides.region.is_some() || overrides.account.is_some() {
            self.target_group_arn = target_group_arn(
                overrides.region.as_deref().unwrap_or(DEFAULT_REGION),
                overrides.account.as_deref().unwrap_or(DEFAULT_ACCOUNT),
            );
        }
        if let Some(method) = overrides.method.as_deref() {
            self.method = method.to_ascii_uppercase();
        }
        if let Some(target) = overrides.path.as_deref() {
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            self.path = format!("/{}", path.trim_start_matches('/'));
            query.clone_into(&mut self.raw_query_string);
        }
        if let Some(body) = overrides.body.as_deref() {
            set_if(&mut self.body, Some(body));
            let content_type = if serde_json::from_str::<Value>(body).is_ok() {
                "application/json"
            } else {
                "text/plain; charset=utf-8"
            };
            self.headers
                .push(("content-type".to_owned(), content_type.to_owned()));
        }
        self
    }

    /// `(name, value)` pairs of the query string, as sent (ALB decodes nothing).
    fn query_pairs(&self) -> Vec<(String, String)> {
        self.raw_query_string
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (name.to_owned(), value.to_owned())
            })
            .collect()
    }

    /// The request as the function receives it.
    pub fn event(&self) -> Value {
        let (headers, multi_value_headers) = single_and_multi(&self.headers);
        let (query, multi_value_query) = single_and_multi(&self.query_pairs());
        // The load balancer sends an empty map, not null, for a request without query.
        let or_empty = |value: Value| {
            if value.is_null() {
                Value::Object(Map::new())
            } else {
                value
            }
        };
        let mut event = Map::new();
        event.insert(
            "requestContext".to_owned(),
            json!({ "elb": { "targetGroupArn": self.target_group_arn } }),
        );
        event.insert("httpMethod".to_owned(), Value::from(self.method.as_str()));
        event.insert("path".to_owned(), Value::from(self.path.as_str()));
        if self.multi_value_headers {
            event.insert(
                "multiValueQueryStringParameters".to_owned(),
                or_empty(multi_value_query),
            );
            event.insert(
                "multiValueHeaders".to_owned(),
                or_empty(multi_value_headers),
            );
        } else {
            event.insert("queryStringParameters".to_owned(), or_empty(query));
            event.insert("headers".to_owned(), or_empty(headers));
        }
        event.insert("body".to_owned(), Value::from(self.body.as_str()));
        event.insert(
            "isBase64Encoded".to_owned(),
            Value::from(self.is_base64_encoded),
        );
        Value::Object(event)
    }
}

/// `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>`.
pub fn target_group_arn(region: &str, account: &str) -> String {
    format!(
        "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{DEFAULT_TARGET_GROUP}/{}",
        random_hex(16)
    )
}
