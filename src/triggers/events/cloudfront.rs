//! Lambda@Edge events: CloudFront hands a viewer's request, or the origin's response, to
//! the function at one of four points of a distribution.
//!
//! Shape: `Records[0].cf` holds `config` (the distribution, `eventType` and the
//! request id) and `request` (`clientIp`, `headers`, `method`, `querystring`, `uri`; an
//! origin event also names the `origin`); a response event adds `response` (`headers`,
//! `status` as a string, `statusDescription`). Headers are lower-case names mapping to
//! lists of `{key, value}`, `key` keeping the case the client sent. Compared with
//! `tests/fixtures/aws-events/sam-cloudfront-*.json`, which leave out what CloudFront
//! adds beside the request itself.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use serde_json::{Map, Value, json};

use super::{EventOverrides, random_bytes, random_hex};

/// Where in the distribution the function runs (`config.eventType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeEventType {
    /// A viewer's request, before the cache.
    ViewerRequest,
    /// A cache miss, before CloudFront forwards the request to the origin.
    OriginRequest,
    /// The origin's answer, before CloudFront caches it.
    OriginResponse,
    /// The response, before CloudFront returns it to the viewer.
    ViewerResponse,
}

impl EdgeEventType {
    /// `eventType` as CloudFront writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeEventType::ViewerRequest => "viewer-request",
            EdgeEventType::OriginRequest => "origin-request",
            EdgeEventType::OriginResponse => "origin-response",
            EdgeEventType::ViewerResponse => "viewer-response",
        }
    }

    fn at_origin(self) -> bool {
        matches!(
            self,
            EdgeEventType::OriginRequest | EdgeEventType::OriginResponse
        )
    }

    fn has_response(self) -> bool {
        matches!(
            self,
            EdgeEventType::OriginResponse | EdgeEventType::ViewerResponse
        )
    }
}

/// Domain name of the generated requests' custom origin.
pub const DEFAULT_ORIGIN: &str = "example.org";

/// A `GET /` (or `--method` `--path`) of a viewer at `event_type`, now.
pub fn edge_event(event_type: EdgeEventType, overrides: &EventOverrides) -> Value {
    let distribution_domain = format!("d{}.cloudfront.net", random_hex(13));
    let client_ip = "203.0.113.178";
    let target = overrides.path.as_deref().unwrap_or("/");
    let (uri, querystring) = target.split_once('?').unwrap_or((target, ""));
    let method = overrides
        .method
        .as_deref()
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let headers = if event_type.at_origin() {
        // What CloudFront forwards to the origin: its own user agent and Via, the
        // viewer's address, and the origin's host name.
        edge_headers(&[
            ("X-Forwarded-For", client_ip),
            ("User-Agent", "Amazon CloudFront"),
            (
                "Via",
                &format!("2.0 {}.cloudfront.net (CloudFront)", random_hex(32)),
            ),
            ("Host", DEFAULT_ORIGIN),
        ])
    } else {
        edge_headers(&[
            ("Host", &distribution_domain),
            ("User-Agent", "curl/8.5.0"),
            ("accept", "*/*"),
        ])
    };
    let mut request = Map::new();
    request.insert("clientIp".to_owned(), Value::from(client_ip));
    request.insert("headers".to_owned(), headers);
    request.insert("method".to_owned(), Value::from(method));
    if event_type.at_origin() {
        request.insert(
            "origin".to_owned(),
            json!({
                "custom": {
                    "customHeaders": {},
                    "domainName": DEFAULT_ORIGIN,
                    "keepaliveTimeout": 5,
                    "path": "",
                    "port": 443,
                    "protocol": "https",
                    "readTimeout": 30,
                    "sslProtocols": ["TLSv1.2"]
                }
            }),
        );
    }
    request.insert("querystring".to_owned(), Value::from(querystring));
    request.insert("uri".to_owned(), Value::from(uri));

    let mut cf = Map::new();
    cf.insert(
        "config".to_owned(),
        json!({
            "distributionDomainName": distribution_domain,
            "distributionId": format!("E{}", random_hex(13).to_ascii_uppercase()),
            "eventType": event_type.as_str(),
            "requestId": URL_SAFE.encode(random_bytes(42))
        }),
    );
    cf.insert("request".to_owned(), Value::Object(request));
    if event_type.has_response() {
        cf.insert(
            "response".to_owned(),
            json!({
                "headers": edge_headers(&[
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", "1256"),
                    ("Server", "ExampleCustomOriginServer"),
                ]),
                "status": "200",
                "statusDescription": "OK"
            }),
        );
    }
    json!({ "Records": [{ "cf": Value::Object(cf) }] })
}

/// `{"host": [{"key": "Host", "value": …}], …}`: CloudFront's header map.
fn edge_headers(headers: &[(&str, &str)]) -> Value {
    let map: Map<String, Value> = headers
        .iter()
        .map(|(name, value)| {
            (
                name.to_ascii_lowercase(),
                json!([{ "key": name, "value": value }]),
            )
        })
        .collect();
    Value::Object(map)
}
