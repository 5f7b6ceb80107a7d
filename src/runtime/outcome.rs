//! How a run becomes Lambda's outcome: the response, or the error Lambda would report,
//! plus the lines Lambda itself logs for the failure.

use crate::model::{Function, FunctionError, Outcome, Runtime, error_types};

use super::MAX_PAYLOAD_BYTES;
use super::response_stream::MAX_STREAMED_RESPONSE_BYTES;
use super::sandbox::{Ending, GuestStatus, RunResult};

pub fn outcome_of(
    run: &RunResult,
    request_id: &str,
    function: &Function,
) -> (Outcome, Vec<String>) {
    let runtime_exited = |detail: &str| {
        let error = FunctionError::new(
            error_types::EXIT_ERROR,
            format!("RequestId: {request_id} Error: Runtime exited with error: {detail}"),
        );
        let lines = vec![error.error_message.clone(), error.error_type.clone()];
        (error, lines)
    };
    let succeeded = matches!(
        run.ending,
        Ending::Exited(0) | Ending::TimedOut | Ending::Answered(GuestStatus::Ok)
    );
    let streamed_too_large = run.streamed.as_ref().is_some_and(|body| body.too_large);
    let (error, lines) = if streamed_too_large && matches!(run.ending, Ending::Answered(_)) {
        let error = FunctionError::new(
            error_types::RESPONSE_TOO_LARGE,
            format!(
                "Response payload size exceeded maximum allowed payload size ({MAX_STREAMED_RESPONSE_BYTES} bytes) for a streamed response."
            ),
        );
        let lines = vec![error.error_message.clone(), error.error_type.clone()];
        (error, lines)
    } else if run.refused_memory_bytes.is_some() && !succeeded {
        let error = FunctionError::new(
            error_types::OUT_OF_MEMORY,
            format!(
                "RequestId: {request_id} Error: Runtime exited with error: out of memory (the function needed more than its {} MB)",
                function.config.memory_mb
            ),
        );
        let lines = vec![error.error_message.clone(), error.error_type.clone()];
        (error, lines)
    } else {
        match &run.ending {
            Ending::Exited(0) | Ending::Answered(GuestStatus::Ok) => {
                return (response_outcome(run), Vec::new());
            }
            Ending::Answered(GuestStatus::FunctionError | GuestStatus::Fatal) => {
                let error = reported_error(&run.stdout);
                // Python's and Ruby's runtimes logged the error themselves, as a custom
                // runtime (`provided`) does if it wants it logged.
                if matches!(
                    function.config.runtime,
                    Runtime::Python | Runtime::Ruby | Runtime::Provided
                ) {
                    return (Outcome::Failure(error), Vec::new());
                }
                // Lambda's Node.js runtime logs the error it returns.
                let line = format!(
                    "{}\t{request_id}\tERROR\tInvoke Error \t{}",
                    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    serde_json::to_string(&error).unwrap_or_default()
                );
                (error, vec![line])
            }
            Ending::TimedOut => {
                let seconds = format!("{:.2}", f64::from(function.config.timeout_secs));
                let error = FunctionError::new(
                    error_types::TIMEOUT,
                    format!(
                        "RequestId: {request_id} Error: Task timed out after {seconds} seconds"
                    ),
                );
                let line = format!(
                    "{} {request_id} Task timed out after {seconds} seconds",
                    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                );
                (error, vec![line])
            }
            Ending::Exited(code) => runtime_exited(&format!("exit status {code}")),
            Ending::ProcessExited(detail) => runtime_exited(detail),
            Ending::Trapped { message, trace } => {
                let (mut error, lines) = runtime_exited(message);
                error.trace = Some(trace.clone());
                (error, lines)
            }
        }
    };
    (Outcome::Failure(error), lines)
}

/// The error JSON a guest wrote; anything else is reported as it came.
fn reported_error(stdout: &[u8]) -> FunctionError {
    serde_json::from_slice(stdout).unwrap_or_else(|_| {
        FunctionError::new(
            "Runtime.Unknown",
            String::from_utf8_lossy(stdout).into_owned(),
        )
    })
}

/// A successful run's stdout as the response: JSON, at most 6 MB; nothing means `null`.
/// A streaming handler's response is what it streamed, as text (its first 6 MB: what the
/// Invoke API returns of a streaming function).
fn response_outcome(run: &RunResult) -> Outcome {
    if let Some(streamed) = &run.streamed {
        return Outcome::Success(serde_json::Value::String(
            String::from_utf8_lossy(&streamed.kept).into_owned(),
        ));
    }
    let total_bytes = run.stdout_total_bytes;
    if total_bytes > MAX_PAYLOAD_BYTES {
        return Outcome::Failure(FunctionError::new(
            error_types::RESPONSE_TOO_LARGE,
            format!(
                "Response payload size ({total_bytes} bytes) exceeded maximum allowed payload size ({MAX_PAYLOAD_BYTES} bytes)."
            ),
        ));
    }
    if run.stdout.iter().all(u8::is_ascii_whitespace) {
        return Outcome::Success(serde_json::Value::Null);
    }
    match serde_json::from_slice(&run.stdout) {
        Ok(response) => Outcome::Success(response),
        Err(error) => Outcome::Failure(FunctionError::new(
            error_types::MARSHAL_ERROR,
            format!(
                "Unable to marshal response: the function wrote {total_bytes} bytes to stdout that are not JSON ({error})"
            ),
        )),
    }
}
