//! API Gateway REST API requests with the Lambda proxy integration: payload format 1.0.
//!
//! Shape: `tests/fixtures/aws-events/sam-apigateway-aws-proxy.json`. Unlike payload 2.0,
//! every key is always present: `queryStringParameters`, `multiValueQueryStringParameters`,
//! `pathParameters`, `stageVariables` and `body` are `null` when there are none; a
//! repeated header or query parameter keeps its last value in the single-value maps and
//! every value in the `multiValue…` ones; query values arrive decoded.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::apigw_http::request_time;
use super::{
    DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, percent_decode, random_bytes, random_hex,
    set_if,
};

/// Stage of the generated requests and of the local gateway's REST routes.
pub const DEFAULT_STAGE: &str = "dev";

/// The resource a catch-all route stands for (REST APIs have no `$default` route).
pub const PROXY_RESOURCE: &str = "/{proxy+}";

/// One HTTP request as a REST API hands it to a Lambda proxy integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestApiRequest {
    /// Upper-case method (`httpMethod`).
    pub method: String,
    /// The API's resource the request matched (`resource`, `resourcePath`), e.g.
    /// `/items/{id}`.
    pub resource: String,
    /// Path as requested (`path`).
    pub path: String,
    /// Query string without the `?`, still encoded; empty when none.
    pub raw_query_string: String,
    /// Headers in arrival order, names as the client wrote them.
    pub headers: Vec<(String, String)>,
    /// Values of the resource's path variables (`pathParameters`), decoded.
    pub path_parameters: BTreeMap<String, String>,
    /// Request body (`body`), `None` for a request without one.
    pub body: Option<String>,
    /// Whether `body` is base64 of binary content (`isBase64Encoded`).
    pub is_base64_encoded: bool,
    /// Stage name (`requestContext.stage`).
    pub stage: String,
    /// Id of the API (`apiId`): 10 lower-case letters and digits.
    pub api_id: String,
    /// Id of the matched resource (`resourceId`): 6 characters.
    pub resource_id: String,
    /// Host name the client called (`domainName`; its first label is `domainPrefix`).
    pub domain_name: String,
    /// Account owning the API (`accountId`).
    pub account: String,
    /// Client address (`identity.sourceIp`).
    pub source_ip: String,
    /// Client `User-Agent` (`identity.userAgent`).
    pub user_agent: String,
    /// Protocol of the request (`protocol`), e.g. `HTTP/1.1`.
    pub protocol: String,
    /// API Gateway's request id (`requestId`, a UUID).
    pub request_id: String,
    /// The request id of API Gateway's access logs (`extendedRequestId`).
    pub extended_request_id: String,
    /// When the request arrived (`requestTime`, `requestTimeEpoch`).
    pub time: DateTime<Utc>,
}

impl RestApiRequest {
    /// The generated `apigw-rest` request: `GET /` to the catch-all resource of a
    /// regional API, without body, arriving now.
    pub fn sample() -> Self {
        let api_id = random_hex(10);
        let domain_name = default_domain_name(&api_id, DEFAULT_REGION);
        let time = Utc::now();
        let source_ip = "127.0.0.1".to_owned();
        let user_agent = format!("lambdesk/{}", env!("CARGO_PKG_VERSION"));
        let headers = vec![
            ("Accept".to_owned(), "*/*".to_owned()),
            ("Host".to_owned(), domain_name.clone()),
            ("User-Agent".to_owned(), user_agent.clone()),
            (
                "X-Amzn-Trace-Id".to_owned(),
                format!("Root=1-{:08x}-{}", time.timestamp(), random_hex(24)),
            ),
            ("X-Forwarded-For".to_owned(), source_ip.clone()),
            ("X-Forwarded-Port".to_owned(), "443".to_owned()),
            ("X-Forwarded-Proto".to_owned(), "https".to_owned()),
        ];
        Self {
            method: "GET".to_owned(),
            resource: PROXY_RESOURCE.to_owned(),
            path: "/".to_owned(),
            raw_query_string: String::new(),
            headers,
            path_parameters: BTreeMap::new(),
            body: None,
            is_base64_encoded: false,
            stage: DEFAULT_STAGE.to_owned(),
            api_id,
            resource_id: random_hex(6),
            domain_name,
            account: DEFAULT_ACCOUNT.to_owned(),
            source_ip,
            user_agent,
            protocol: "HTTP/1.1".to_owned(),
            request_id: Uuid::new_v4().to_string(),
            extended_request_id: extended_request_id(),
            time,
        }
    }

    /// Applies region (in the host name), account, method, path (with its query; the
    /// catch-all resource's `proxy` parameter follows it) and body.
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        if let Some(region) = overrides.region.as_deref() {
            self.domain_name = default_domain_name(&self.api_id, region);
            for (name, value) in &mut self.headers {
                if name.eq_ignore_ascii_case("host") {
                    value.clone_from(&self.domain_name);
                }
            }
        }
        set_if(&mut self.account, overrides.account.as_deref());
        if let Some(method) = overrides.method.as_deref() {
            self.method = method.to_ascii_uppercase();
        }
        if let Some(target) = overrides.path.as_deref() {
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            self.path = format!("/{}", path.trim_start_matches('/'));
            query.clone_into(&mut self.raw_query_string);
        }
        if self.resource == PROXY_RESOURCE && self.path != "/" {
            self.path_parameters.insert(
                "proxy".to_owned(),
                percent_decode(self.path.trim_start_matches('/')),
            );
        }
        if let Some(body) = overrides.body.as_deref() {
            let content_type = if serde_json::from_str::<Value>(body).is_ok() {
                "application/json"
            } else {
                "text/plain; charset=utf-8"
            };
            self.headers
                .push(("Content-Type".to_owned(), content_type.to_owned()));
            self.body = Some(body.to_owned());
        }
        self
    }

    /// `(name, value)` pairs of the query string, decoded, in order.
    fn query_pairs(&self) -> Vec<(String, String)> {
        self.raw_query_string
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(name), percent_decode(value))
            })
            .collect()
    }

    /// The request as the function receives it, keys in API Gateway's order.
    pub fn event(&self) -> Value {
        let (headers, multi_value_headers) = single_and_multi(&self.headers);
        let (query, multi_value_query) = single_and_multi(&self.query_pairs());
        let domain_prefix = self
            .domain_name
            .split_once('.')
            .map_or(self.domain_name.as_str(), |(prefix, _)| prefix);
        let path_parameters: Map<String, Value> = self
            .path_parameters
            .iter()
            .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
            .collect();
        json!({
            "resource": self.resource,
            "path": self.path,
            "httpMethod": self.method,
            "headers": headers,
            "multiValueHeaders": multi_value_headers,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": multi_value_query,
            "pathParameters": (!path_parameters.is_empty()).then_some(path_parameters),
            "stageVariables": null,
            "requestContext": {
                "resourceId": self.resource_id,
                "resourcePath": self.resource,
                "httpMethod": self.method,
                "extendedRequestId": self.extended_request_id,
                "requestTime": request_time(&self.time),
                "path": format!("/{}{}", self.stage, self.path),
                "accountId": self.account,
                "protocol": self.protocol,
                "stage": self.stage,
                "domainPrefix": domain_prefix,
                "requestTimeEpoch": self.time.timestamp_millis(),
                "requestId": self.request_id,
                "identity": {
                    "cognitoIdentityPoolId": null,
                    "accountId": null,
                    "cognitoIdentityId": null,
                    "caller": null,
                    "sourceIp": self.source_ip,
                    "principalOrgId": null,
                    "accessKey": null,
                    "cognitoAuthenticationType": null,
                    "cognitoAuthenticationProvider": null,
                    "userArn": null,
                    "userAgent": self.user_agent,
                    "user": null
                },
                "domainName": self.domain_name,
                "apiId": self.api_id
            },
            "body": self.body,
            "isBase64Encoded": self.is_base64_encoded
        })
    }
}

/// The single-value map (last value of a repeated name) and the multi-value map (every
/// value) of `pairs`, both `null` when there are none: how REST APIs and ALB targets with
/// multi-value headers present headers and query parameters.
pub(crate) fn single_and_multi(pairs: &[(String, String)]) -> (Value, Value) {
    if pairs.is_empty() {
        return (Value::Null, Value::Null);
    }
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (name, value) in pairs {
        single.insert(name.clone(), Value::from(value.as_str()));
        match multi.get_mut(name) {
            Some(Value::Array(values)) => values.push(Value::from(value.as_str())),
            _ => {
                multi.insert(name.clone(), json!([value]));
            }
        }
    }
    (Value::Object(single), Value::Object(multi))
}

/// `extendedRequestId`: 16 characters of base64, ending in `=`, as API Gateway's.
pub(crate) fn extended_request_id() -> String {
    use base64::Engine as _;
    let mut id = base64::engine::general_purpose::STANDARD.encode(random_bytes(12));
    id.truncate(15);
    id.push('=');
    id
}

/// `<api id>.execute-api.<region>.amazonaws.com`, the API's default endpoint.
fn default_domain_name(api_id: &str, region: &str) -> String {
    format!("{api_id}.execute-api.{region}.amazonaws.com")
}
