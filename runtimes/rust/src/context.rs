use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Deserialize;

/// The function's configuration, read once per execution environment from Lambda's
/// variables (`lambda_runtime::Config`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub function_name: String,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    pub memory: i32,
    /// `AWS_LAMBDA_FUNCTION_VERSION`.
    pub version: String,
    /// `AWS_LAMBDA_LOG_STREAM_NAME`: this execution environment's log stream.
    pub log_stream: String,
    /// `AWS_LAMBDA_LOG_GROUP_NAME`.
    pub log_group: String,
}

impl Config {
    /// The configuration Lambda's variables give (empty or 0 for a missing one).
    pub fn from_env() -> Self {
        let variable = |name: &str| std::env::var(name).unwrap_or_default();
        Self {
            function_name: variable("AWS_LAMBDA_FUNCTION_NAME"),
            memory: variable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                .parse()
                .unwrap_or(0),
            version: variable("AWS_LAMBDA_FUNCTION_VERSION"),
            log_stream: variable("AWS_LAMBDA_LOG_STREAM_NAME"),
            log_group: variable("AWS_LAMBDA_LOG_GROUP_NAME"),
        }
    }
}

/// One invocation's context (`lambda_runtime::Context`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Context {
    /// The request id (`Lambda-Runtime-Aws-Request-Id`), also in START/END/REPORT.
    pub request_id: String,
    /// When the invocation times out, in milliseconds since the Unix epoch
    /// (`Lambda-Runtime-Deadline-Ms`).
    pub deadline: u64,
    /// The ARN the function was invoked with (`Lambda-Runtime-Invoked-Function-Arn`).
    pub invoked_function_arn: String,
    /// `Lambda-Runtime-Trace-Id`: lambdesk has no X-Ray, so always `None`.
    pub xray_trace_id: Option<String>,
    /// What the invoking client said about itself (the Invoke API's `ClientContext`,
    /// `Lambda-Runtime-Client-Context`), when it said anything.
    pub client_context: Option<ClientContext>,
    /// The function's configuration, shared by the environment's invocations.
    pub env_config: Arc<Config>,
}

impl Context {
    /// A context for calling a handler outside lambdesk (in a unit test, say).
    pub fn new(
        request_id: impl Into<String>,
        deadline: u64,
        invoked_function_arn: impl Into<String>,
        env_config: Arc<Config>,
    ) -> Self {
        Self {
            request_id: request_id.into(),
            deadline,
            invoked_function_arn: invoked_function_arn.into(),
            xray_trace_id: None,
            client_context: None,
            env_config,
        }
    }

    /// The deadline as a time (`lambda_runtime::Context::deadline()`).
    pub fn deadline(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(self.deadline)
    }

    /// What is left before the deadline (zero once it passed): Node's
    /// `getRemainingTimeInMillis`, which `lambda_runtime` leaves to the caller.
    pub fn remaining_time(&self) -> Duration {
        self.deadline()
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    }
}

/// The invoking client's context (`lambda_runtime::ClientContext`), as the AWS Mobile
/// SDKs and warm-up plugins send it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ClientContext {
    /// The application that invoked.
    pub client: ClientApplication,
    /// Whatever the client chose to send.
    pub custom: HashMap<String, String>,
    /// The client's environment (platform, locale and the like).
    #[serde(rename = "env")]
    pub environment: HashMap<String, String>,
}

/// The application in a client context (`lambda_runtime::ClientApplication`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct ClientApplication {
    pub installation_id: String,
    pub app_title: String,
    pub app_version_name: String,
    pub app_version_code: String,
    pub app_package_name: String,
}
