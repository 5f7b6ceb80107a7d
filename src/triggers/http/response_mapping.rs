//! A function's answer as API Gateway's HTTP API turns it into an HTTP response
//! (payload format 2.0): `{statusCode, headers, cookies, body, isBase64Encoded}` is used as
//! given; any other valid JSON becomes a 200 with `content-type: application/json` (a
//! string is the body itself); errors get API Gateway's own status and message.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// An HTTP response, before it is written to the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl GatewayResponse {
    /// API Gateway's own answers: `{"message":"Not Found"}` and the like.
    pub fn message(status: u16, message: &str) -> Self {
        Self {
            status,
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
    fn a_bad_status_code_is_a_function_error() {
        assert!(map_function_response(&json!({"statusCode": "abc"})).is_err());
        assert!(map_function_response(&json!({"statusCode": 99})).is_err());
    }
}
