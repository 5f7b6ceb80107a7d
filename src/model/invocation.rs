use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::function_config::Architecture;

/// The error types lambdesk reports itself, with Lambda's names. A handler's own errors
/// carry the name of what it threw instead.
pub mod error_types {
    pub const TIMEOUT: &str = "Sandbox.Timedout";
    pub const OUT_OF_MEMORY: &str = "Runtime.OutOfMemory";
    pub const EXIT_ERROR: &str = "Runtime.ExitError";
    /// The function wrote something that is not JSON.
    pub const MARSHAL_ERROR: &str = "Runtime.MarshalError";
    /// The response is over Lambda's 6 MB synchronous payload limit.
    pub const RESPONSE_TOO_LARGE: &str = "Function.ResponseSizeTooLarge";
    pub const HANDLER_NOT_FOUND: &str = "Runtime.HandlerNotFound";
    pub const SYNTAX_ERROR: &str = "Runtime.UserCodeSyntaxError";
    pub const IMPORT_MODULE_ERROR: &str = "Runtime.ImportModuleError";
    pub const TOO_MANY_REQUESTS: &str = "TooManyRequestsException";
    /// A `provided` function's `bootstrap` is missing or cannot be executed.
    pub const INVALID_ENTRYPOINT: &str = "Runtime.InvalidEntrypoint";
    /// A message the function sent to a queue or topic could not be delivered (lambdesk
    /// sends them when the invocation ends, so the function could not catch it).
    pub const MESSAGE_NOT_SENT: &str = "Lambdesk.MessageNotSent";
}

/// Lambda's error JSON: `{"errorType": …, "errorMessage": …, "trace": […]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionError {
    pub error_type: String,
    pub error_message: String,
    /// Present when the runtime gave one, even empty: Node's runtime writes `"trace": []`
    /// for a thrown string, while lambdesk's own errors (a timeout) have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<String>>,
    /// Python's runtime names the request in its error JSON (`"requestId"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Python's, Ruby's and Go's runtimes call the trace `"stackTrace"`: formatted frames
    /// (strings) for Python and Ruby, frame objects (`path`, `line`, `label`) for Go; kept
    /// as the runtime wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_trace: Option<serde_json::Value>,
}

impl FunctionError {
    pub fn new(error_type: &str, error_message: impl Into<String>) -> Self {
        Self {
            error_type: error_type.to_owned(),
            error_message: error_message.into(),
            trace: None,
            request_id: None,
            stack_trace: None,
        }
    }
}

/// What the function answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success(serde_json::Value),
    Failure(FunctionError),
}

/// Everything known about one invocation: what the REPORT line, the cost meter and the
/// console show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvocationRecord {
    /// UUID v4, as Lambda's request ids are.
    pub request_id: String,
    pub function: String,
    pub started_at: DateTime<Utc>,
    /// Handler time: from the start of the invocation phase to the response.
    pub duration_ms: f64,
    /// Duration (plus Init on a cold start) rounded up to the next millisecond.
    pub billed_duration_ms: u64,
    pub memory_size_mb: u32,
    /// Peak linear memory of the sandbox, in MB rounded up.
    pub max_memory_used_mb: u32,
    /// Set on a cold start: the time to prepare the execution environment.
    pub init_duration_ms: Option<f64>,
    /// Set when the function's code was built (compiled by cargo) for this invocation:
    /// shown apart from the REPORT, never billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_duration_ms: Option<f64>,
    pub architecture: Architecture,
    pub ephemeral_storage_mb: u32,
    /// `YYYY/MM/DD/[$LATEST]<id>`, one per execution environment as in CloudWatch Logs.
    pub log_stream: String,
    pub outcome: Outcome,
    /// Lines logged during Init on a cold start (module top-level code), which Lambda
    /// writes before the START line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_log_lines: Vec<String>,
    /// The function's own log lines, in order, without the START/END/REPORT frame.
    pub log_lines: Vec<String>,
    /// Messages the function sent to queues and topics (through `/outbox`), delivered by
    /// whoever invoked it once the invocation ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outbox: Vec<OutgoingMessage>,
}

/// A message a function sent: what the `lambdesk` JS module (or any guest) writes as one
/// JSON file in `/outbox`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum OutgoingMessage {
    /// SQS `SendMessage`.
    Queue {
        /// The id the guest gave the sender; a fresh one when absent.
        #[serde(default, rename = "messageId", skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        queue: String,
        body: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        attributes: BTreeMap<String, OutgoingAttribute>,
        #[serde(default, rename = "groupId", skip_serializing_if = "Option::is_none")]
        group_id: Option<String>,
        #[serde(
            default,
            rename = "deduplicationId",
            skip_serializing_if = "Option::is_none"
        )]
        deduplication_id: Option<String>,
    },
    /// SNS `Publish`.
    Topic {
        #[serde(default, rename = "messageId", skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        topic: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        attributes: BTreeMap<String, OutgoingAttribute>,
    },
}

/// `{"type": "Number", "value": "42"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutgoingAttribute {
    #[serde(rename = "type")]
    pub data_type: String,
    pub value: String,
}

impl InvocationRecord {
    pub fn is_success(&self) -> bool {
        matches!(self.outcome, Outcome::Success(_))
    }

    pub fn error(&self) -> Option<&FunctionError> {
        match &self.outcome {
            Outcome::Success(_) => None,
            Outcome::Failure(error) => Some(error),
        }
    }

    /// What a caller receives: the response, or Lambda's error JSON.
    pub fn payload(&self) -> serde_json::Value {
        match &self.outcome {
            Outcome::Success(response) => response.clone(),
            Outcome::Failure(error) => serde_json::to_value(error).unwrap_or_default(),
        }
    }
}
