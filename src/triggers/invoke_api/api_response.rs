//! The Invoke API's answers: JSON bodies, and errors as Lambda sends them (the error's
//! name in `x-amzn-ErrorType`, which the SDKs read, and `{"Type", "Message"}` as body).

use serde_json::{Value, json};

use crate::triggers::http::GatewayResponse;

/// One answer, before it becomes a hyper response.
#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl ApiResponse {
    pub fn json(status: u16, value: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            body: value.to_string().into_bytes(),
        }
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Lambda's error answer: `error_type` as the SDKs name it (`ResourceNotFoundException`).
    pub fn error(status: u16, error_type: &str, message: &str) -> Self {
        let mut response = Self::json(status, &json!({ "Type": "User", "Message": message }));
        response
            .headers
            .push(("x-amzn-ErrorType", error_type.to_owned()));
        response
    }

    pub fn function_not_found(arn: &str) -> Self {
        Self::error(
            404,
            "ResourceNotFoundException",
            &format!("Function not found: {arn}"),
        )
    }

    pub fn invalid_parameter(message: &str) -> Self {
        Self::error(400, "InvalidParameterValueException", message)
    }

    pub fn too_large(size_bytes: usize, limit_bytes: usize) -> Self {
        Self::error(
            413,
            "RequestTooLargeException",
            &format!(
                "Request must be smaller than {limit_bytes} bytes for the InvokeFunction operation (this one is {size_bytes} bytes)"
            ),
        )
    }

    pub fn service_error(message: &str) -> Self {
        Self::error(500, "ServiceException", message)
    }

    pub fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// What the gateway's request limits refused (a foreign Host, a slow or oversized
    /// body), in the Invoke API's words where Lambda has its own.
    pub fn from_refusal(refused: GatewayResponse) -> Self {
        match refused.status {
            413 => Self::error(
                413,
                "RequestTooLargeException",
                &format!(
                    "Request must be smaller than {} bytes for the InvokeFunction operation",
                    crate::runtime::MAX_PAYLOAD_BYTES
                ),
            ),
            status => Self {
                status,
                headers: refused
                    .headers
                    .into_iter()
                    .filter_map(|(name, value)| {
                        name.eq_ignore_ascii_case("content-type")
                            .then_some(("content-type", value))
                    })
                    .collect(),
                body: refused.body,
            },
        }
    }
}
