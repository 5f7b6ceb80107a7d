use std::path::PathBuf;

use crate::model::{Runtime, WorkspaceError};

/// Why an invocation could not run at all. A function that ran and failed is not an
/// `InvokeError`: it is an [`crate::model::Outcome::Failure`] in the invocation record.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// Lambda's `InvalidRequestContentException`.
    #[error("the event is not valid JSON: {0}")]
    InvalidEvent(String),
    /// Lambda's `RequestEntityTooLargeException`.
    #[error(
        "RequestEntityTooLargeException: the event is {size_bytes} bytes; the limit for a synchronous invocation is {limit_bytes} bytes"
    )]
    RequestTooLarge {
        size_bytes: usize,
        limit_bytes: usize,
    },
    /// The function's code cannot be loaded: not WebAssembly, a WAT syntax error, a
    /// missing `_start`, an import lambdesk does not provide.
    #[error("{}: {message}", path.display())]
    Load { path: PathBuf, message: String },
    #[error("functions with runtime = \"{0}\" cannot be invoked by this version of lambdesk yet")]
    UnsupportedRuntime(Runtime),
    /// Lambda's `TooManyRequestsException`: reserved concurrency is exhausted.
    #[error(
        "TooManyRequestsException: Rate Exceeded. `{function}` has a reserved concurrency of {limit}"
    )]
    TooManyRequests { function: String, limit: u32 },
    /// The sandbox could not be set up (for example every slot is in use).
    #[error("the sandbox could not be created: {0}")]
    Sandbox(String),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// A language pack (Python's runtime) could not be prepared or loaded.
    #[error("{0}")]
    LanguagePack(String),
    /// A Rust or Go function could not be built (compile errors, no toolchain).
    #[error(transparent)]
    Build(#[from] super::function_build::BuildError),
}

impl InvokeError {
    /// Lambda's error type for errors a caller can get back from the Invoke API.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::InvalidEvent(_) => "InvalidRequestContentException",
            Self::RequestTooLarge { .. } => "RequestEntityTooLargeException",
            Self::TooManyRequests { .. } => "TooManyRequestsException",
            Self::Load { .. }
            | Self::UnsupportedRuntime(_)
            | Self::Workspace(_)
            | Self::Build(_) => "InvalidParameterValueException",
            Self::Sandbox(_) | Self::LanguagePack(_) => "ServiceException",
        }
    }
}

/// A wasmtime error with its whole chain of causes on one line.
pub fn describe(error: &wasmtime::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
