//! A real HTTP request as the other front doors hand it to a function: API Gateway's REST
//! API (payload format 1.0: headers named as sent, every value of a repeated header or
//! query parameter in the `multiValue…` maps) and an Application Load Balancer (header
//! names in lower case, the query undecoded).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use uuid::Uuid;

use super::request_event::{GatewayIdentity, IncomingRequest, is_text};
use crate::triggers::events::alb::AlbRequest;
use crate::triggers::events::apigw_rest::{
    DEFAULT_STAGE, PROXY_RESOURCE, RestApiRequest, extended_request_id,
};
use crate::triggers::events::{DEFAULT_ACCOUNT, percent_decode, random_hex};

/// `content-type` as HTTP/1 clients write it: `Content-Type`. The gateway reads header
/// names in lower case (hyper keeps no other), so REST events carry them in the case
/// browsers, curl and the SDKs send.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The headers a load balancer or API Gateway adds: the client's address, the gateway's
/// port and protocol, a trace id. Names in lower case.
fn with_forwarding_headers(request: &IncomingRequest<'_>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
        .collect();
    if !headers.iter().any(|(name, _)| name == "x-forwarded-for") {
        headers.push(("x-forwarded-for".to_owned(), request.source_ip.to_owned()));
    }
    headers.retain(|(name, _)| name != "x-forwarded-port" && name != "x-forwarded-proto");
    headers.push((
        "x-forwarded-port".to_owned(),
        request.local_port.to_string(),
    ));
    headers.push(("x-forwarded-proto".to_owned(), "http".to_owned()));
    headers.push((
        "x-amzn-trace-id".to_owned(),
        format!("Root=1-{:08x}-{}", Utc::now().timestamp(), random_hex(24)),
    ));
    headers
}

/// The body as text, or base64 for binary content; `None` when there is none.
fn body_of(request: &IncomingRequest<'_>, headers: &[(String, String)]) -> Option<(String, bool)> {
    if request.body.is_empty() {
        return None;
    }
    let content_type = headers
        .iter()
        .find(|(name, _)| name == "content-type")
        .map(|(_, value)| value.as_str());
    Some(match std::str::from_utf8(request.body) {
        Ok(text) if is_text(content_type) => (text.to_owned(), false),
        _ => (STANDARD.encode(request.body), true),
    })
}

/// The payload 1.0 event for `request`, which matched the REST resource `resource`
/// binding `path_parameters`.
pub fn rest_request_event(
    request: &IncomingRequest<'_>,
    resource: &str,
    mut path_parameters: BTreeMap<String, String>,
    gateway: &GatewayIdentity,
) -> RestApiRequest {
    let headers = with_forwarding_headers(request);
    let body = body_of(request, &headers);
    let find = |wanted: &str| {
        headers
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.clone())
    };
    let domain_name = find("host").unwrap_or_else(|| "localhost".to_owned());
    let user_agent = find("user-agent").unwrap_or_default();
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target, ""));
    // `$default` stands for the catch-all resource, whose variable is `proxy`.
    if resource == PROXY_RESOURCE && path_parameters.is_empty() && path != "/" {
        path_parameters.insert(
            "proxy".to_owned(),
            percent_decode(path.trim_start_matches('/')),
        );
    }
    RestApiRequest {
        method: request.method.to_ascii_uppercase(),
        resource: resource.to_owned(),
        path: path.to_owned(),
        raw_query_string: query.to_owned(),
        headers: headers
            .into_iter()
            .map(|(name, value)| (title_case(&name), value))
            .collect(),
        path_parameters,
        is_base64_encoded: body.as_ref().is_some_and(|(_, base64)| *base64),
        body: body.map(|(text, _)| text),
        stage: DEFAULT_STAGE.to_owned(),
        api_id: gateway.api_id.clone(),
        resource_id: random_hex(6),
        domain_name,
        account: DEFAULT_ACCOUNT.to_owned(),
        source_ip: request.source_ip.to_owned(),
        user_agent,
        protocol: request.protocol.to_owned(),
        request_id: Uuid::new_v4().to_string(),
        extended_request_id: extended_request_id(),
        time: Utc::now(),
    }
}

/// The ALB target event for `request`, sent to `function`'s target group.
pub fn alb_request_event(
    request: &IncomingRequest<'_>,
    function: &str,
    multi_value_headers: bool,
    gateway: &GatewayIdentity,
) -> AlbRequest {
    let headers = with_forwarding_headers(request);
    let body = body_of(request, &headers);
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target, ""));
    // Target group names are at most 32 characters.
    let target_group: String = function.chars().take(32).collect();
    AlbRequest {
        method: request.method.to_ascii_uppercase(),
        path: path.to_owned(),
        raw_query_string: query.to_owned(),
        headers,
        is_base64_encoded: body.as_ref().is_some_and(|(_, base64)| *base64),
        body: body.map(|(text, _)| text).unwrap_or_default(),
        target_group_arn: format!(
            "arn:aws:elasticloadbalancing:{}:{DEFAULT_ACCOUNT}:targetgroup/{target_group}/{}",
            gateway.region, gateway.target_group_id
        ),
        multi_value_headers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_title_cased() {
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(title_case("x-amzn-trace-id"), "X-Amzn-Trace-Id");
        assert_eq!(title_case("host"), "Host");
    }
}
