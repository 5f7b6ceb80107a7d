//! API Gateway HTTP API requests, payload format version 2.0.
//!
//! Shape: `tests/fixtures/aws-events/apigw-v2-request-no-authorizer.json`, except that
//! `requestContext.authentication` (the mutual-TLS client certificate) is left
//! out: a gateway without mTLS sends none. `body` is present only when the
//! request has one, `queryStringParameters` only when it has a query string
//! and `cookies` only when it has cookies, as API Gateway does.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use chrono::{DateTime, Datelike as _, Timelike as _, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    DEFAULT_ACCOUNT, DEFAULT_REGION, EventOverrides, percent_decode, random_bytes, random_hex,
    set_if,
};

/// `routeKey` of the catch-all route, which the generated request hits.
pub const DEFAULT_ROUTE_KEY: &str = "$default";

/// Name of the automatically deployed stage.
pub const DEFAULT_STAGE: &str = "$default";

/// One HTTP request as API Gateway hands it to the integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpApiRequest {
    /// Upper-case method (`requestContext.http.method`).
    pub method: String,
    /// Path as requested, still percent-encoded (`rawPath`, `http.path`).
    pub raw_path: String,
    /// Query string without the `?` (`rawQueryString`); empty when none.
    pub raw_query_string: String,
    /// Headers by lower-case name; repeated headers joined with `,`.
    pub headers: BTreeMap<String, String>,
    /// Values of the `Cookie` header (`cookies`), one per cookie.
    pub cookies: Vec<String>,
    /// Request body (`body`), `None` for a request without one.
    pub body: Option<String>,
    /// Whether `body` is base64 of binary content (`isBase64Encoded`).
    pub is_base64_encoded: bool,
    /// Matched route (`routeKey`), e.g. `$default` or `GET /orders`.
    pub route_key: String,
    /// Values of the route's path variables (`pathParameters`), decoded; only present in
    /// the event when the route has variables.
    pub path_parameters: BTreeMap<String, String>,
    /// Stage name (`requestContext.stage`).
    pub stage: String,
    /// Id of the API (`apiId`): 10 lower-case letters and digits.
    pub api_id: String,
    /// Host name the client called (`domainName`; its first label is
    /// `domainPrefix`).
    pub domain_name: String,
    /// Region of the API (in the default domain name).
    pub region: String,
    /// Account owning the API (`accountId`).
    pub account: String,
    /// Client address (`sourceIp`).
    pub source_ip: String,
    /// Client `User-Agent` (`userAgent`).
    pub user_agent: String,
    /// Protocol of the request (`protocol`), e.g. `HTTP/1.1`.
    pub protocol: String,
    /// API Gateway's request id (`requestId`).
    pub request_id: String,
    /// When the request arrived (`time`, `timeEpoch`).
    pub time: DateTime<Utc>,
}

impl HttpApiRequest {
    /// The generated `apigw-http` request: `GET /` from a local client to the
    /// default endpoint of an API, without body, arriving now.
    pub fn sample() -> Self {
        let api_id = random_hex(10);
        let region = DEFAULT_REGION.to_owned();
        let domain_name = default_domain_name(&api_id, &region);
        let time = Utc::now();
        let source_ip = "127.0.0.1".to_owned();
        let user_agent = format!("lambdesk/{}", env!("CARGO_PKG_VERSION"));
        let headers = BTreeMap::from([
            ("accept".to_owned(), "*/*".to_owned()),
            ("content-length".to_owned(), "0".to_owned()),
            ("host".to_owned(), domain_name.clone()),
            ("user-agent".to_owned(), user_agent.clone()),
            (
                "x-amzn-trace-id".to_owned(),
                format!("Root=1-{:08x}-{}", time.timestamp(), random_hex(24)),
            ),
            ("x-forwarded-for".to_owned(), source_ip.clone()),
            ("x-forwarded-port".to_owned(), "443".to_owned()),
            ("x-forwarded-proto".to_owned(), "https".to_owned()),
        ]);
        Self {
            method: "GET".to_owned(),
            raw_path: "/".to_owned(),
            raw_query_string: String::new(),
            headers,
            cookies: Vec::new(),
            body: None,
            is_base64_encoded: false,
            route_key: DEFAULT_ROUTE_KEY.to_owned(),
            path_parameters: BTreeMap::new(),
            stage: DEFAULT_STAGE.to_owned(),
            api_id,
            domain_name,
            region,
            account: DEFAULT_ACCOUNT.to_owned(),
            source_ip,
            user_agent,
            protocol: "HTTP/1.1".to_owned(),
            request_id: URL_SAFE.encode(random_bytes(11)),
            time,
        }
    }

    /// Applies region (with the default domain name and `host` header that
    /// follow from it), account, method, path (with its query) and body.
    pub fn with_overrides(mut self, overrides: &EventOverrides) -> Self {
        if let Some(region) = overrides.region.as_deref() {
            region.clone_into(&mut self.region);
            self.domain_name = default_domain_name(&self.api_id, region);
            self.headers
                .insert("host".to_owned(), self.domain_name.clone());
        }
        set_if(&mut self.account, overrides.account.as_deref());
        if let Some(method) = overrides.method.as_deref() {
            self.method = method.to_ascii_uppercase();
        }
        if let Some(target) = overrides.path.as_deref() {
            self.set_target(target);
        }
        if let Some(body) = overrides.body.as_deref() {
            self.set_body(body);
        }
        self
    }

    /// Sets path and query from a request target such as `/orders?id=7`; a
    /// missing leading `/` is added.
    pub fn set_target(&mut self, target: &str) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        self.raw_path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        query.clone_into(&mut self.raw_query_string);
    }

    /// Sets a text body with its `content-length` and, unless one is set
    /// already, a `content-type` (JSON when the body parses as JSON).
    pub fn set_body(&mut self, body: impl Into<String>) {
        let body: String = body.into();
        self.headers
            .insert("content-length".to_owned(), body.len().to_string());
        self.headers
            .entry("content-type".to_owned())
            .or_insert_with(|| {
                if serde_json::from_str::<Value>(&body).is_ok() {
                    "application/json".to_owned()
                } else {
                    "text/plain; charset=utf-8".to_owned()
                }
            });
        self.body = Some(body);
        self.is_base64_encoded = false;
    }

    /// `queryStringParameters`: the decoded query parameters, the values of a
    /// repeated parameter joined with `,` (`a=1&a=2` → `{"a": "1,2"}`).
    pub fn query_string_parameters(&self) -> Map<String, Value> {
        let mut parameters: Vec<(String, String)> = Vec::new();
        for pair in self
            .raw_query_string
            .split('&')
            .filter(|pair| !pair.is_empty())
        {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (name, value) = (percent_decode(name), percent_decode(value));
            match parameters.iter().position(|(known, _)| *known == name) {
                Some(index) => {
                    let joined = &mut parameters[index].1;
                    joined.push(',');
                    joined.push_str(&value);
                }
                None => parameters.push((name, value)),
            }
        }
        parameters
            .into_iter()
            .map(|(name, value)| (name, Value::from(value)))
            .collect()
    }

    /// The request as the function receives it.
    pub fn event(&self) -> Value {
        serde_json::to_value(self.payload()).unwrap_or_default()
    }

    /// The event as JSON text, written straight from the request (the gateway's hot
    /// path: no intermediate `Value`).
    pub fn event_json(&self) -> String {
        serde_json::to_string(&self.payload()).unwrap_or_default()
    }

    /// Payload format 2.0, fields in API Gateway's order.
    fn payload(&self) -> Payload<'_> {
        let domain_prefix = self
            .domain_name
            .split_once('.')
            .map_or(self.domain_name.as_str(), |(prefix, _)| prefix);
        Payload {
            version: "2.0",
            route_key: &self.route_key,
            raw_path: &self.raw_path,
            raw_query_string: &self.raw_query_string,
            cookies: &self.cookies,
            headers: LowerCaseHeaders(&self.headers),
            query_string_parameters: (!self.raw_query_string.is_empty())
                .then(|| self.query_string_parameters()),
            path_parameters: &self.path_parameters,
            request_context: RequestContext {
                account_id: &self.account,
                api_id: &self.api_id,
                domain_name: &self.domain_name,
                domain_prefix,
                http: HttpContext {
                    method: &self.method,
                    path: &self.raw_path,
                    protocol: &self.protocol,
                    source_ip: &self.source_ip,
                    user_agent: &self.user_agent,
                },
                request_id: &self.request_id,
                route_key: &self.route_key,
                stage: &self.stage,
                time: request_time(&self.time),
                time_epoch: self.time.timestamp_millis(),
            },
            body: self.body.as_deref(),
            is_base64_encoded: self.is_base64_encoded,
        }
    }
}

/// `requestContext.time` as API Gateway writes it (`26/Nov/2026:23:14:24 +0000`),
/// without parsing a strftime pattern on every request.
pub(super) fn request_time(time: &DateTime<Utc>) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS
        .get(usize::try_from(time.month0()).unwrap_or_default())
        .copied()
        .unwrap_or_default();
    format!(
        "{:02}/{month}/{:04}:{:02}:{:02}:{:02} +0000",
        time.day(),
        time.year(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    version: &'static str,
    route_key: &'a str,
    raw_path: &'a str,
    raw_query_string: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    cookies: &'a [String],
    headers: LowerCaseHeaders<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_string_parameters: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    path_parameters: &'a BTreeMap<String, String>,
    request_context: RequestContext<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    is_base64_encoded: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext<'a> {
    account_id: &'a str,
    api_id: &'a str,
    domain_name: &'a str,
    domain_prefix: &'a str,
    http: HttpContext<'a>,
    request_id: &'a str,
    route_key: &'a str,
    stage: &'a str,
    time: String,
    time_epoch: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HttpContext<'a> {
    method: &'a str,
    path: &'a str,
    protocol: &'a str,
    source_ip: &'a str,
    user_agent: &'a str,
}

/// Header names as API Gateway sends them: lower case.
struct LowerCaseHeaders<'a>(&'a BTreeMap<String, String>);

impl Serialize for LowerCaseHeaders<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            if name.bytes().any(|byte| byte.is_ascii_uppercase()) {
                map.serialize_entry(&name.to_ascii_lowercase(), value)?;
            } else {
                map.serialize_entry(name, value)?;
            }
        }
        map.end()
    }
}

/// `<api id>.execute-api.<region>.amazonaws.com`, the API's default endpoint.
fn default_domain_name(api_id: &str, region: &str) -> String {
    format!("{api_id}.execute-api.{region}.amazonaws.com")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn request_time_is_written_as_strftime_writes_it() {
        for (year, month, day) in [(2026, 1, 2), (2026, 11, 26), (999, 12, 31)] {
            let time = Utc.with_ymd_and_hms(year, month, day, 3, 4, 5).unwrap();
            assert_eq!(
                request_time(&time),
                time.format("%d/%b/%Y:%H:%M:%S %z").to_string()
            );
        }
    }
}
