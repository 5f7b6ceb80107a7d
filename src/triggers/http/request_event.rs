//! A real HTTP request as API Gateway's HTTP API hands it to a function: payload format
//! 2.0, with lower-case headers (repeated ones joined with `,`), cookies moved out of the
//! headers, decoded query and path parameters, and binary bodies in base64.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use chrono::Utc;

use crate::triggers::events::apigw_http::{DEFAULT_STAGE, HttpApiRequest};
use crate::triggers::events::{DEFAULT_ACCOUNT, random_bytes, random_hex};

/// What the gateway knows about one request.
pub struct IncomingRequest<'a> {
    pub method: &'a str,
    /// Path and query as sent (`/items/7?full=1`).
    pub target: &'a str,
    /// Header names and values in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
    /// The client's address (`sourceIp`), written once per connection.
    pub source_ip: &'a str,
    /// The gateway's port (`x-forwarded-port`).
    pub local_port: u16,
    pub protocol: &'a str,
}

/// The gateway's identity in events: one API id per running gateway, as one deployed API.
#[derive(Debug, Clone)]
pub struct GatewayIdentity {
    pub api_id: String,
    pub region: String,
    /// The id part of target group ARNs (ALB payloads), 16 hex digits.
    pub target_group_id: String,
}

impl GatewayIdentity {
    pub fn new(region: &str) -> Self {
        Self {
            api_id: random_hex(10),
            region: region.to_owned(),
            target_group_id: random_hex(16),
        }
    }
}

/// Content types API Gateway passes as text; anything else (or text that is not UTF-8)
/// arrives base64-encoded with `isBase64Encoded: true`.
pub(super) fn is_text(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return true;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || [
            "application/json",
            "application/xml",
            "application/javascript",
            "application/x-www-form-urlencoded",
            "application/graphql",
        ]
        .contains(&essence.as_str())
}

/// The event for `request`, which matched `route_key` binding `path_parameters`.
pub fn request_event(
    request: &IncomingRequest<'_>,
    route_key: &str,
    path_parameters: BTreeMap<String, String>,
    gateway: &GatewayIdentity,
) -> HttpApiRequest {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies = Vec::new();
    for (name, value) in &request.headers {
        let name = name.to_ascii_lowercase();
        if name == "cookie" {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|cookie| !cookie.is_empty())
                    .map(str::to_owned),
            );
            continue;
        }
        headers
            .entry(name)
            .and_modify(|joined| {
                joined.push(',');
                joined.push_str(value);
            })
            .or_insert_with(|| value.clone());
    }
    let source_ip = request.source_ip.to_owned();
    let time = Utc::now();
    headers
        .entry("x-forwarded-for".to_owned())
        .or_insert_with(|| source_ip.clone());
    headers.insert(
        "x-forwarded-port".to_owned(),
        request.local_port.to_string(),
    );
    headers.insert("x-forwarded-proto".to_owned(), "http".to_owned());
    headers.insert(
        "x-amzn-trace-id".to_owned(),
        format!("Root=1-{:08x}-{}", time.timestamp(), random_hex(24)),
    );
    let domain_name = headers
        .get("host")
        .cloned()
        .unwrap_or_else(|| "localhost".to_owned());
    let user_agent = headers.get("user-agent").cloned().unwrap_or_default();
    let (body, is_base64_encoded) = if request.body.is_empty() {
        (None, false)
    } else {
        match std::str::from_utf8(request.body) {
            Ok(text) if is_text(headers.get("content-type").map(String::as_str)) => {
                (Some(text.to_owned()), false)
            }
            _ => (Some(STANDARD.encode(request.body)), true),
        }
    };
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target, ""));
    HttpApiRequest {
        method: request.method.to_ascii_uppercase(),
        raw_path: path.to_owned(),
        raw_query_string: query.to_owned(),
        headers,
        cookies,
        body,
        is_base64_encoded,
        route_key: route_key.to_owned(),
        path_parameters,
        stage: DEFAULT_STAGE.to_owned(),
        api_id: gateway.api_id.clone(),
        domain_name,
        region: gateway.region.clone(),
        account: DEFAULT_ACCOUNT.to_owned(),
        source_ip,
        user_agent,
        protocol: request.protocol.to_owned(),
        request_id: URL_SAFE.encode(random_bytes(11)),
        time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming<'a>(headers: &[(&str, &str)], body: &'a [u8]) -> IncomingRequest<'a> {
        IncomingRequest {
            method: "post",
            target: "/items/7?full=1&tag=a&tag=b",
            headers: headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            body,
            source_ip: "127.0.0.1",
            local_port: 3000,
            protocol: "HTTP/1.1",
        }
    }

    #[test]
    fn headers_are_lower_case_joined_and_cookies_moved_out() {
        let request = incoming(
            &[
                ("Host", "127.0.0.1:3000"),
                ("X-Tag", "a"),
                ("x-tag", "b"),
                ("Cookie", "s=1; theme=dark"),
                ("Content-Type", "application/json"),
            ],
            b"{\"a\":1}",
        );
        let parameters = BTreeMap::from([("id".to_owned(), "7".to_owned())]);
        let event = request_event(
            &request,
            "POST /items/{id}",
            parameters,
            &GatewayIdentity::new("us-east-1"),
        )
        .event();
        assert_eq!(event["headers"]["x-tag"], "a,b");
        assert!(event["headers"].get("cookie").is_none());
        assert_eq!(event["cookies"], serde_json::json!(["s=1", "theme=dark"]));
        assert_eq!(event["rawPath"], "/items/7");
        assert_eq!(event["rawQueryString"], "full=1&tag=a&tag=b");
        assert_eq!(event["queryStringParameters"]["tag"], "a,b");
        assert_eq!(event["pathParameters"]["id"], "7");
        assert_eq!(event["requestContext"]["http"]["method"], "POST");
        assert_eq!(event["requestContext"]["domainName"], "127.0.0.1:3000");
        assert_eq!(event["body"], "{\"a\":1}");
        assert_eq!(event["isBase64Encoded"], false);
    }

    #[test]
    fn binary_bodies_arrive_in_base64() {
        let request = incoming(&[("content-type", "image/png")], &[0x89, b'P', b'N', b'G']);
        let event = request_event(
            &request,
            "$default",
            BTreeMap::new(),
            &GatewayIdentity::new("us-east-1"),
        )
        .event();
        assert_eq!(event["isBase64Encoded"], true);
        assert_eq!(event["body"], "iVBORw==");
        assert!(event.get("pathParameters").is_none());
    }
}
