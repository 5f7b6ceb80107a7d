//! The record Lambda sends to an asynchronous invocation's destination: what was asked
//! (`requestPayload`), how it ended (`requestContext.condition`, `responseContext`) and
//! what the function answered (`responsePayload`).

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

/// Why the record is sent (`requestContext.condition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Success,
    /// Every attempt failed.
    RetriesExhausted,
    /// The event waited longer than `maximum_event_age_secs`.
    EventAgeExceeded,
    /// lambdesk's name for Lambda's recursive loop detection stopping the chain.
    RecursiveInvocationLoop,
}

impl Condition {
    pub fn id(self) -> &'static str {
        match self {
            Self::Success => "Success",
            Self::RetriesExhausted => "RetriesExhausted",
            Self::EventAgeExceeded => "EventAgeExceeded",
            Self::RecursiveInvocationLoop => "RecursiveInvocationLoop",
        }
    }
}

/// What the last attempt returned, if the function ran.
pub struct LastResponse<'a> {
    pub payload: &'a Value,
    /// Lambda's `functionError`: `Unhandled` when the function failed.
    pub function_error: Option<&'a str>,
}

/// The function's ARN qualified with the version that ran, as Lambda's records give it.
pub fn function_arn(region: &str, function: &str) -> String {
    format!("{}:$LATEST", crate::model::function_arn(region, function))
}

pub fn destination_record(
    region: &str,
    function: &str,
    request_id: &str,
    condition: Condition,
    invoke_count: u32,
    request_payload: &str,
    response: Option<&LastResponse<'_>>,
) -> Value {
    let request_payload: Value =
        serde_json::from_str(request_payload).unwrap_or_else(|_| Value::from(request_payload));
    let mut record = json!({
        "version": "1.0",
        "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn(region, function),
            "condition": condition.id(),
            "approximateInvokeCount": invoke_count
        },
        "requestPayload": request_payload,
    });
    if let Some(response) = response {
        let mut context = json!({ "statusCode": 200, "executedVersion": "$LATEST" });
        if let Some(error) = response.function_error {
            context["functionError"] = Value::from(error);
        }
        record["responseContext"] = context;
        record["responsePayload"] = response.payload.clone();
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_record_has_lambda_s_fields() {
        let payload = json!({"errorType": "Error", "errorMessage": "boom"});
        let record = destination_record(
            "us-east-1",
            "resize",
            "req-1",
            Condition::RetriesExhausted,
            3,
            "{\"a\":1}",
            Some(&LastResponse {
                payload: &payload,
                function_error: Some("Unhandled"),
            }),
        );
        assert_eq!(record["version"], "1.0");
        assert_eq!(record["requestContext"]["condition"], "RetriesExhausted");
        assert_eq!(record["requestContext"]["approximateInvokeCount"], 3);
        assert_eq!(
            record["requestContext"]["functionArn"],
            "arn:aws:lambda:us-east-1:000000000000:function:resize:$LATEST"
        );
        assert_eq!(record["requestPayload"], json!({"a": 1}));
        assert_eq!(record["responseContext"]["functionError"], "Unhandled");
        assert_eq!(record["responsePayload"]["errorMessage"], "boom");
    }
}
