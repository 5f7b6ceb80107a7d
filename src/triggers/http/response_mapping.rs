//! A function's answer as API Gateway's HTTP API turns it into an HTTP response
//! (payload format 2.0): `{statusCode, headers, cookies, body, isBase64Encoded}` is used as
//! given; any other valid JSON becomes a 200 with `content-type: application/json` (a
//! string is the body itself); errors get API Gateway's own status and message.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::model::HttpPayload;

/// An HTTP response, before it is written to the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayResponse {
    pub status: u16,
    /// The status line's reason phrase when it is not the standard one (an ALB
    /// target's `statusDescription`).
    pub reason: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl GatewayResponse {
    /// API Gateway's own answers: `{"message":"Not Found"}` and the like.
    pub fn message(status: u16, message: &str) -> Self {
        Self {
            status,
            reason: None,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: serde_json::json!({ "message": message })
                .to_string()
                .into_bytes(),
        }
    }

    /// The function ran and failed, or answered in a shape API Gateway cannot use.
    pub fn function_error() -> Self {
        Self::message(502, "Internal Server Error")
    }

    /// A REST API's answer to a failed or malformed proxy integration response.
    pub fn rest_function_error() -> Self {
        Self::message(502, "Internal server error")
    }

    /// A load balancer's answer when its Lambda target failed or answered malformed.
    pub fn alb_function_error() -> Self {
        Self {
            status: 502,
            reason: None,
            headers: vec![("content-type".to_owned(), "text/html".to_owned())],
            body: b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n".to_vec(),
        }
    }

    /// What the front door of `payload` answers when the function failed or answered in
    /// a shape it cannot use.
    pub fn function_error_of(payload: HttpPayload) -> Self {
        match payload {
            HttpPayload::HttpApiV2 => Self::function_error(),
            HttpPayload::RestApiV1 => Self::rest_function_error(),
            HttpPayload::Alb { .. } => Self::alb_function_error(),
        }
    }

    pub fn not_found() -> Self {
        Self::message(404, "Not Found")
    }

    pub fn too_large() -> Self {
        Self::message(413, "Request Entity Too Large")
    }

    /// The request named another host than this machine (see `request_limits`).
    pub fn foreign_host() -> Self {
        Self::message(
            403,
            "Forbidden: the local gateway only answers requests addressed to localhost, 127.0.0.1 or [::1]",
        )
    }

    pub fn bad_request() -> Self {
        Self::message(400, "Bad Request")
    }

    /// The client did not send its whole body within the gateway's read timeout.
    pub fn client_too_slow() -> Self {
        Self::message(408, "Request Timeout")
    }

    pub fn throttled() -> Self {
        Self::message(429, "Too Many Requests")
    }

    /// Lambda refused the invocation (the function does not load, …).
    pub fn invoke_failed() -> Self {
        Self::message(500, "Internal Server Error")
    }

    /// The integration did not answer within the gateway's timeout.
    pub fn timed_out() -> Self {
        Self::message(503, "Service Unavailable")
    }
}

/// Header values may be strings, numbers or booleans.
fn header_value(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The `statusCode` of a response object, if it is an HTTP status.
fn status_code(object: &serde_json::Map<String, Value>) -> Result<u16, String> {
    let code = object
        .get("statusCode")
        .ok_or_else(|| "the response has no statusCode".to_owned())?;
    code.as_u64()
        .and_then(|status| u16::try_from(status).ok())
        .filter(|status| (100..=599).contains(status))
        .ok_or_else(|| format!("statusCode {code} is not an HTTP status"))
}

/// The body of a response object: a string, base64-decoded when `isBase64Encoded`;
/// none when absent or null. Payload 1.0 and ALB take only strings.
fn string_body(object: &serde_json::Map<String, Value>) -> Result<Vec<u8>, String> {
    match object.get("body") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(text)) => {
            if object.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
                STANDARD
                    .decode(text)
                    .map_err(|error| format!("body is not valid base64: {error}"))
            } else {
                Ok(text.clone().into_bytes())
            }
        }
        Some(_) => Err("body must be a string".to_owned()),
    }
}

/// `headers` (name to value) of a response object, names in lower case.
fn single_value_headers(
    object: &serde_json::Map<String, Value>,
) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    if let Some(map) = object.get("headers").and_then(Value::as_object) {
        for (name, value) in map {
            let value = header_value(value)
                .ok_or_else(|| format!("the header `{name}` is not a string"))?;
            headers.push((name.to_ascii_lowercase(), value));
        }
    }
    Ok(headers)
}

/// `multiValueHeaders` (name to list of values) of a response object, one pair per
/// value, names in lower case.
fn multi_value_headers(
    object: &serde_json::Map<String, Value>,
) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    if let Some(map) = object.get("multiValueHeaders").and_then(Value::as_object) {
        for (name, values) in map {
            let values = values
                .as_array()
                .ok_or_else(|| format!("multiValueHeaders `{name}` is not a list"))?;
            for value in values {
                let value = header_value(value)
                    .ok_or_else(|| format!("a value of the header `{name}` is not a string"))?;
                headers.push((name.to_ascii_lowercase(), value));
            }
        }
    }
    Ok(headers)
}

/// Maps a REST API proxy integration's response (payload 1.0): `statusCode` is required;
/// `headers` and `multiValueHeaders` are merged, a name in both taking the values of
/// `multiValueHeaders`, as API Gateway merges them; a missing `content-type` is JSON.
/// `Err` explains why API Gateway would answer 502 (`Malformed Lambda proxy response`).
pub fn map_rest_response(response: &Value) -> Result<GatewayResponse, String> {
    let object = response
        .as_object()
        .ok_or_else(|| "the response is not a JSON object".to_owned())?;
    let status = status_code(object)?;
    let multi = multi_value_headers(object)?;
    let mut headers: Vec<(String, String)> = single_value_headers(object)?
        .into_iter()
        .filter(|(name, _)| !multi.iter().any(|(known, _)| known == name))
        .collect();
    headers.extend(multi);
    let body = string_body(object)?;
    if !headers.iter().any(|(name, _)| name == "content-type") {
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
    }
    Ok(GatewayResponse {
        status,
        reason: None,
        headers,
        body,
    })
}

/// Maps an ALB target's response: `statusCode` is required; `statusDescription`
/// (`"200 OK"`) gives the status line's reason; the headers are read from
/// `multiValueHeaders` when the target group enables them, else from `headers`. `Err`
/// explains why the load balancer would answer 502.
pub fn map_alb_response(
    response: &Value,
    multi_value_headers_enabled: bool,
) -> Result<GatewayResponse, String> {
    let object = response
        .as_object()
        .ok_or_else(|| "the response is not a JSON object".to_owned())?;
    let status = status_code(object)?;
    let reason = object
        .get("statusDescription")
        .and_then(Value::as_str)
        .map(|description| {
            // `"404 Not Found"`: the reason follows the code.
            let reason = description
                .strip_prefix(&status.to_string())
                .unwrap_or(description);
            reason.trim().to_owned()
        })
        .filter(|reason| !reason.is_empty());
    let headers = if multi_value_headers_enabled {
        multi_value_headers(object)?
    } else {
        single_value_headers(object)?
    };
    Ok(GatewayResponse {
        status,
        reason,
        headers,
        body: string_body(object)?,
    })
}

/// Maps a successful invocation's response as the front door of `payload` does; `Err`
/// explains why it would answer 502 instead.
pub fn map_response(payload: HttpPayload, response: &Value) -> Result<GatewayResponse, String> {
    match payload {
        HttpPayload::HttpApiV2 => map_function_response(response),
        HttpPayload::RestApiV1 => map_rest_response(response),
        HttpPayload::Alb {
            multi_value_headers,
        } => map_alb_response(response, multi_value_headers),
    }
}

/// Maps a successful invocation's response; `Err` explains why API Gateway would answer
/// 502 instead (for the log).
pub fn map_function_response(response: &Value) -> Result<GatewayResponse, String> {
    let Some(object) = response
        .as_object()
        .filter(|object| object.contains_key("statusCode"))
    else {
        // Format inference: the whole answer is the body.
        let body = match response {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        return Ok(GatewayResponse {
            status: 200,
            reason: None,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: body.into_bytes(),
        });
    };
    let status = object
        .get("statusCode")
        .and_then(Value::as_u64)
        .and_then(|status| u16::try_from(status).ok())
        .filter(|status| (100..=599).contains(status))
        .ok_or_else(|| format!("statusCode {} is not an HTTP status", object["statusCode"]))?;
    let mut headers = Vec::new();
    if let Some(map) = object.get("headers").and_then(Value::as_object) {
        for (name, value) in map {
            let value = header_value(value)
                .ok_or_else(|| format!("the header `{name}` is not a string"))?;
            headers.push((name.to_ascii_lowercase(), value));
        }
    }
    if let Some(cookies) = object.get("cookies").and_then(Value::as_array) {
        for cookie in cookies {
            let cookie = cookie
                .as_str()
                .ok_or_else(|| "cookies must be strings".to_owned())?;
            headers.push(("set-cookie".to_owned(), cookie.to_owned()));
        }
    }
    let body = match object.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(text)) => {
            if object.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
                STANDARD
                    .decode(text)
                    .map_err(|error| format!("body is not valid base64: {error}"))?
            } else {
                text.clone().into_bytes()
            }
        }
        // API Gateway sends other JSON bodies as their text.
        Some(other) => other.to_string().into_bytes(),
    };
    if !headers.iter().any(|(name, _)| name == "content-type") && !body.is_empty() {
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
    }
    Ok(GatewayResponse {
        status,
        reason: None,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_full_response_is_used_as_given() {
        let response = map_function_response(&json!({
            "statusCode": 201,
            "headers": {"Content-Type": "text/html", "X-Count": 3},
            "cookies": ["a=1", "b=2; Secure"],
            "body": "<h1>hi</h1>"
        }))
        .unwrap();
        assert_eq!(response.status, 201);
        assert_eq!(
            response.headers,
            vec![
                ("content-type".to_owned(), "text/html".to_owned()),
                ("x-count".to_owned(), "3".to_owned()),
                ("set-cookie".to_owned(), "a=1".to_owned()),
                ("set-cookie".to_owned(), "b=2; Secure".to_owned()),
            ]
        );
        assert_eq!(response.body, b"<h1>hi</h1>");
    }

    #[test]
    fn a_base64_body_is_decoded() {
        let response = map_function_response(&json!({
            "statusCode": 200,
            "headers": {"content-type": "image/png"},
            "body": "iVBORw==",
            "isBase64Encoded": true
        }))
        .unwrap();
        assert_eq!(response.body, [0x89, b'P', b'N', b'G']);
    }

    #[test]
    fn other_json_is_a_200_json_body() {
        let object = map_function_response(&json!({"message": "hi"})).unwrap();
        assert_eq!(
            (object.status, object.body),
            (200, b"{\"message\":\"hi\"}".to_vec())
        );
        let text = map_function_response(&json!("Hello from Lambda!")).unwrap();
        assert_eq!(text.body, b"Hello from Lambda!");
        assert_eq!(
            text.headers,
            vec![("content-type".to_owned(), "application/json".to_owned())]
        );
    }

    #[test]
    fn rest_responses_merge_headers_and_multi_value_headers() {
        let response = map_rest_response(&json!({
            "statusCode": 201,
            "headers": {"X-One": "1", "X-Both": "single"},
            "multiValueHeaders": {"x-both": ["a", "b"], "Set-Cookie": ["s=1", "t=2"]},
            "body": "done"
        }))
        .unwrap();
        assert_eq!(response.status, 201);
        assert_eq!(
            response.headers,
            vec![
                ("x-one".to_owned(), "1".to_owned()),
                ("x-both".to_owned(), "a".to_owned()),
                ("x-both".to_owned(), "b".to_owned()),
                ("set-cookie".to_owned(), "s=1".to_owned()),
                ("set-cookie".to_owned(), "t=2".to_owned()),
                ("content-type".to_owned(), "application/json".to_owned()),
            ]
        );
        assert!(map_rest_response(&json!({"body": "no status"})).is_err());
        assert!(map_rest_response(&json!("text")).is_err());
        assert!(map_rest_response(&json!({"statusCode": 200, "body": {"a": 1}})).is_err());
    }

    #[test]
    fn alb_responses_use_status_description_and_the_enabled_header_map() {
        let answer = json!({
            "statusCode": 404,
            "statusDescription": "404 Not Here",
            "headers": {"x-single": "1"},
            "multiValueHeaders": {"x-multi": ["a", "b"]},
            "body": "aGk=",
            "isBase64Encoded": true
        });
        let single = map_alb_response(&answer, false).unwrap();
        assert_eq!(single.reason.as_deref(), Some("Not Here"));
        assert_eq!(
            single.headers,
            vec![("x-single".to_owned(), "1".to_owned())]
        );
        assert_eq!(single.body, b"hi");
        let multi = map_alb_response(&answer, true).unwrap();
        assert_eq!(
            multi.headers,
            vec![
                ("x-multi".to_owned(), "a".to_owned()),
                ("x-multi".to_owned(), "b".to_owned()),
            ]
        );
        assert!(map_alb_response(&json!({"body": "x"}), false).is_err());
    }

    #[test]
    fn a_bad_status_code_is_a_function_error() {
        assert!(map_function_response(&json!({"statusCode": "abc"})).is_err());
        assert!(map_function_response(&json!({"statusCode": 99})).is_err());
    }
}
