//! `POST /2015-03-31/functions/{name}/invocations`: Lambda's `Invoke` with its three
//! invocation types, its log tail and its errors.

use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;

use super::api_response::ApiResponse;
use super::server::ApiState;
use crate::logs::lambda_log_entries;
use crate::model::{Function, InvocationRecord, Outcome};
use crate::runtime::{InvokeError, MAX_PAYLOAD_BYTES};

/// Lambda's limit on an `Event` invocation's payload (1 MB since 2025).
const MAX_ASYNC_PAYLOAD_BYTES: usize = 1024 * 1024;

/// `X-Amz-Log-Result` holds at most the log's last 4 KB.
const LOG_TAIL_BYTES: usize = 4 * 1024;

/// Lambda's limit on `X-Amz-Client-Context`, base64 as sent.
const MAX_CLIENT_CONTEXT_BYTES: usize = 3583;

/// What the request asked for, from its headers.
pub struct InvokeRequest<'a> {
    pub function: &'a str,
    /// `X-Amz-Invocation-Type`; `RequestResponse` when absent.
    pub invocation_type: Option<&'a str>,
    /// `X-Amz-Log-Type: Tail`.
    pub tail_log: bool,
    /// `X-Amz-Client-Context`: a JSON object about the invoking client, base64-encoded.
    pub client_context: Option<&'a str>,
    pub body: Bytes,
}

pub async fn invoke(state: &ApiState, request: InvokeRequest<'_>) -> ApiResponse {
    let CheckedInvocation {
        function,
        event,
        client_context,
    } = match checked(state, &request) {
        Ok(checked) => checked,
        Err(refused) => return refused,
    };
    let origin = "Invoke API".to_owned();
    match request.invocation_type.unwrap_or("RequestResponse") {
        "RequestResponse" => {
            let result = state
                .context
                .invoke_from_client(&function, event, origin, client_context.as_deref(), None)
                .await;
            match result {
                Ok(record) => answer_of(&record, request.tail_log),
                Err(error) => invoke_error(&error),
            }
        }
        "Event" => {
            if event.len() > MAX_ASYNC_PAYLOAD_BYTES {
                return ApiResponse::too_large(event.len(), MAX_ASYNC_PAYLOAD_BYTES);
            }
            let Some(delivery) = &state.delivery else {
                return ApiResponse::service_error(
                    "asynchronous invocations are off: the workspace's state database could not be opened",
                );
            };
            match delivery.enqueue(&function.name, &event, "Invoke API (Event)", 0) {
                Ok(_) => ApiResponse::empty(202),
                Err(error) => ApiResponse::service_error(&error.to_string()),
            }
        }
        "DryRun" => ApiResponse::empty(204),
        other => ApiResponse::error(
            400,
            "InvalidParameterValueException",
            &format!("Invocation type `{other}` is not one of RequestResponse, Event and DryRun"),
        ),
    }
}

/// What an invocation request names, checked.
pub(super) struct CheckedInvocation {
    pub function: Arc<Function>,
    /// JSON.
    pub event: Arc<str>,
    /// The client context's JSON.
    pub client_context: Option<String>,
}

/// The request's function, event and client context, or Lambda's answer saying what is
/// wrong with them.
pub(super) fn checked(
    state: &ApiState,
    request: &InvokeRequest<'_>,
) -> Result<CheckedInvocation, ApiResponse> {
    let function = state.function(request.function)?;
    // The SDKs send no body for an invocation without a payload; Lambda's event is `{}`.
    let event: Arc<str> = if request.body.iter().all(u8::is_ascii_whitespace) {
        Arc::from("{}")
    } else {
        std::str::from_utf8(&request.body)
            .map_err(|error| error.to_string())
            .and_then(|text| {
                serde_json::from_str::<serde::de::IgnoredAny>(text)
                    .map(|_| text)
                    .map_err(|error| error.to_string())
            })
            .map(Arc::from)
            .map_err(|error| {
                ApiResponse::error(
                    400,
                    "InvalidRequestContentException",
                    &format!("Could not parse request body into json: {error}"),
                )
            })?
    };
    let client_context = request
        .client_context
        .map(decode_client_context)
        .transpose()?;
    Ok(CheckedInvocation {
        function,
        event,
        client_context,
    })
}

/// `X-Amz-Client-Context` as the function's context gets it: the JSON object's text.
/// Lambda refuses one that is too long, not base64, or not a JSON object. It passes it
/// to synchronous invocations only (an `Event` invocation's is checked and dropped).
fn decode_client_context(encoded: &str) -> Result<String, ApiResponse> {
    if encoded.len() > MAX_CLIENT_CONTEXT_BYTES {
        return Err(ApiResponse::invalid_parameter(&format!(
            "Client context must be at most {MAX_CLIENT_CONTEXT_BYTES} bytes of base64-encoded data; it is {} bytes",
            encoded.len()
        )));
    }
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .filter(|json| {
            serde_json::from_str::<serde_json::Value>(json).is_ok_and(|value| value.is_object())
        })
        .ok_or_else(|| {
            ApiResponse::error(
                400,
                "InvalidRequestContentException",
                "Client context must be a valid Base64-encoded JSON object.",
            )
        })
}

/// A finished synchronous invocation: the function's answer, or its error as Lambda's
/// error JSON with `X-Amz-Function-Error`.
fn answer_of(record: &InvocationRecord, tail_log: bool) -> ApiResponse {
    let mut response = match &record.outcome {
        Outcome::Success(value) => ApiResponse::json(200, value),
        Outcome::Failure(error) => {
            let body = serde_json::to_value(error).unwrap_or_default();
            ApiResponse::json(200, &body).header("X-Amz-Function-Error", "Unhandled".to_owned())
        }
    }
    .header("X-Amz-Executed-Version", "$LATEST".to_owned());
    response
        .headers
        .push(("x-amzn-RequestId", record.request_id.clone()));
    if tail_log {
        response = response.header(
            "X-Amz-Log-Result",
            base64::engine::general_purpose::STANDARD.encode(log_tail(record)),
        );
    }
    response
}

/// The invocation's log as `lambdesk invoke` prints it (Init lines, START, the function's
/// lines, END, REPORT), its last 4 KB.
pub(super) fn log_tail(record: &InvocationRecord) -> String {
    let mut log = String::new();
    for entry in lambda_log_entries(record) {
        log.push_str(&entry.message);
        log.push('\n');
    }
    let mut start = log.len().saturating_sub(LOG_TAIL_BYTES);
    // Not in the middle of a character.
    while !log.is_char_boundary(start) {
        start += 1;
    }
    log.split_off(start)
}

/// An invocation that could not run, as the Invoke API says it.
pub(super) fn invoke_error(error: &InvokeError) -> ApiResponse {
    let message = error.to_string();
    match error {
        InvokeError::RequestTooLarge { size_bytes, .. } => {
            ApiResponse::too_large(*size_bytes, MAX_PAYLOAD_BYTES)
        }
        InvokeError::TooManyRequests { .. } => {
            let mut response = ApiResponse::error(429, error.error_type(), &message);
            // What Lambda adds to say reserved concurrency is the limit reached.
            response.body = serde_json::json!({
                "Type": "User",
                "Message": message,
                "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
            })
            .to_string()
            .into_bytes();
            response
        }
        InvokeError::InvalidEvent(_) => ApiResponse::error(400, error.error_type(), &message),
        _ => match error.error_type() {
            "InvalidParameterValueException" => ApiResponse::invalid_parameter(&message),
            error_type => ApiResponse::error(500, error_type, &message),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_tail_is_the_last_4_kb_on_a_character_boundary() {
        let record: InvocationRecord = serde_json::from_value(serde_json::json!({
            "request_id": "r1",
            "function": "hello",
            "started_at": "2026-12-07T00:00:00Z",
            "duration_ms": 1.5,
            "billed_duration_ms": 2,
            "memory_size_mb": 128,
            "max_memory_used_mb": 10,
            "init_duration_ms": null,
            "architecture": "x86_64",
            "ephemeral_storage_mb": 512,
            "log_stream": "s",
            "outcome": { "success": null },
            "log_lines": ["é".repeat(3000)],
        }))
        .expect("a record");
        let tail = log_tail(&record);
        assert!(tail.len() <= LOG_TAIL_BYTES);
        assert!(tail.ends_with("Max Memory Used: 10 MB\n"), "{tail}");
        assert!(tail.contains("END RequestId: r1\n"));
        let short = InvocationRecord {
            log_lines: vec!["hi".to_owned()],
            ..record
        };
        assert!(log_tail(&short).starts_with("START RequestId: r1 Version: $LATEST\nhi\n"));
    }
}
