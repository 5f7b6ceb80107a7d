//! One native execution environment: a process (a `provided` function's `bootstrap`)
//! talking to its own Runtime API. Init is the time from its start to its first `next`;
//! then it serves one invocation at a time until it is dropped (idle, code changed, or
//! broken: a timeout, an exit, memory exceeded), which kills it.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::launch::NativeLaunch;
use super::log_pipe::LogPipe;
use super::memory_use::{MemoryCounters, MemoryUse};
use super::process::NativeProcess;
use super::runtime_api::{PendingInvocation, RuntimeApi, RuntimeEvent};
use crate::model::{FunctionError, error_types};
use crate::runtime::MAX_PAYLOAD_BYTES;
use crate::runtime::ephemeral_storage::EphemeralStorage;
use crate::runtime::error::InvokeError;
use crate::runtime::response_stream::ResponseSink;
use crate::runtime::sandbox::{Ending, GuestStatus, RunResult};

/// Lambda's limit for Init: a runtime that has not asked for its first event by then is
/// stopped.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a running invocation's memory is sampled (the peak resident size is the
/// kernel's own; the data size is sampled, to tell a failed allocation) and its log pipe
/// emptied (see `log_pipe`), and Init's log.
const SAMPLE_INTERVAL: Duration = Duration::from_millis(5);

/// A failure with the process's private memory this close to its limit was the limit.
const OUT_OF_MEMORY_MARGIN_BYTES: u64 = 8 * 1024 * 1024;

/// Lambda's names for an allocation the language reported as failed.
const ALLOCATION_FAILURE_TYPES: &[&str] = &["MemoryError", "Runtime.OutOfMemory"];

/// What a native environment needs besides its launch.
pub struct NativeStart {
    pub launch: NativeLaunch,
    /// Lambda's variables and the function's: the whole environment of the process.
    pub variables: Vec<(String, String)>,
    /// The environment's `/tmp`, given to the process as `TMPDIR`.
    pub tmp: EphemeralStorage,
    pub log_stream: String,
    pub fingerprint: u64,
    /// Names the process's threads.
    pub function_name: String,
}

pub struct NativeEnvironment {
    process: NativeProcess,
    api: RuntimeApi,
    /// The process's stdout and stderr, read while Init or an invocation runs.
    log: LogPipe,
    pub log_stream: String,
    pub fingerprint: u64,
    pub last_used: Instant,
    data_limit_bytes: u64,
    memory: MemoryCounters,
    /// Removed when the environment is dropped.
    _tmp: EphemeralStorage,
}

/// One invocation's request.
pub struct NativeRequest<'a> {
    pub request_id: &'a str,
    /// The invoking client's context, a JSON object's text (`Lambda-Runtime-Client-Context`).
    pub client_context: Option<&'a str>,
    pub event: &'a [u8],
    pub invoked_function_arn: String,
    pub timeout: Duration,
    /// Where a streamed response goes as it comes (`InvokeWithResponseStream`, a
    /// Function URL in `RESPONSE_STREAM` mode).
    pub sink: Option<ResponseSink>,
}

impl NativeEnvironment {
    /// Starts the process and waits for its first `next` (Init). `None` with the run
    /// that says why when Init failed (the process is gone then).
    pub async fn start(start: NativeStart) -> Result<(Option<Self>, RunResult), InvokeError> {
        let NativeStart {
            launch,
            mut variables,
            tmp,
            log_stream,
            fingerprint,
            function_name,
        } = start;
        let api = RuntimeApi::start().await.map_err(|error| {
            InvokeError::Sandbox(format!("cannot listen for the Runtime API: {error}"))
        })?;
        let mut own = vec![
            ("AWS_LAMBDA_RUNTIME_API".to_owned(), api.address.to_string()),
            ("TMPDIR".to_owned(), tmp.path().display().to_string()),
        ];
        own.extend(launch.extra_env.iter().cloned());
        // Lambda's and the launch's first, the function's `[environment]` (last in
        // `variables`) after them, so it may set PATH and the like as on Lambda.
        own.append(&mut variables);
        let (log, log_ends) = LogPipe::new().map_err(|error| {
            InvokeError::Sandbox(format!("cannot make the process's log pipe: {error}"))
        })?;
        let started = Instant::now();
        let process = match NativeProcess::spawn(&launch, &own, log_ends, &function_name) {
            Ok(process) => process,
            Err(error) => {
                let failure = FunctionError::new(
                    error_types::INVALID_ENTRYPOINT,
                    format!("fork/exec {}: {error}", launch.program.display()),
                );
                return Ok((None, init_failure(&failure, started.elapsed())));
            }
        };
        let memory = MemoryCounters::open(&process.status_path());
        let mut environment = Self {
            memory,
            process,
            api,
            log,
            log_stream,
            fingerprint,
            last_used: Instant::now(),
            data_limit_bytes: launch.data_limit_bytes,
            _tmp: tmp,
        };
        let init_ending = environment.wait_for_init().await;
        let duration = started.elapsed();
        let memory = environment.memory.read().unwrap_or_default();
        let log_lines = environment.log.take_lines_written_so_far();
        let run = RunResult {
            stdout_total_bytes: init_ending.1.len(),
            stdout: init_ending.1,
            ending: init_ending.0,
            log_lines,
            duration,
            max_memory_used_mb: memory.peak_mb(),
            refused_memory_bytes: None,
            streamed: None,
        };
        if run.ending == Ending::Answered(GuestStatus::Ok) {
            Ok((Some(environment), run))
        } else {
            Ok((None, run))
        }
    }

    /// Init's ending: `Answered(Ok)` at the first `next`; `Fatal` with the error JSON
    /// after `init/error`; the process's exit; or a timeout.
    async fn wait_for_init(&mut self) -> (Ending, Vec<u8>) {
        let deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(deadline);
        let mut log_reads = sampling_ticks();
        loop {
            tokio::select! {
                event = self.api.next_event() => return match event {
                    Some(RuntimeEvent::Ready) => (Ending::Answered(GuestStatus::Ok), Vec::new()),
                    Some(RuntimeEvent::InitError { error_type, body }) => {
                        self.process.kill();
                        let error = function_error_of(&body, error_type.as_deref());
                        (Ending::Answered(GuestStatus::Fatal), error_json(&error))
                    }
                    // Nothing else can come before the first `next`.
                    Some(_) | None => (Ending::ProcessExited("the Runtime API stopped".to_owned()), Vec::new()),
                },
                ending = self.process.ended() => return (Ending::ProcessExited(ending), Vec::new()),
                () = &mut deadline => {
                    self.process.kill();
                    return (Ending::TimedOut, Vec::new());
                }
                _ = log_reads.tick() => self.log.read_written_so_far(),
            }
        }
    }

    /// Serves one invocation. The environment stays usable when `reusable_after` says so.
    pub async fn invoke(&mut self, request: NativeRequest<'_>) -> Result<RunResult, InvokeError> {
        let pending = PendingInvocation {
            request_id: request.request_id.to_owned(),
            event: Bytes::copy_from_slice(request.event),
            deadline_ms: deadline_ms(request.timeout),
            invoked_function_arn: request.invoked_function_arn,
            trace_id: new_trace_id(),
            client_context: request.client_context.map(str::to_owned),
            // Given only to calls signed with Amazon Cognito credentials, which do not
            // reach a local API.
            cognito_identity: None,
            sink: request.sink,
        };
        let started = Instant::now();
        let mut memory = MemoryUse::default();
        let mut streamed = None;
        let (ending, stdout, stdout_total_bytes) = if !self.api.offer(pending) {
            (
                Ending::ProcessExited("the Runtime API stopped".to_owned()),
                Vec::new(),
                0,
            )
        } else {
            let deadline = tokio::time::sleep(request.timeout);
            tokio::pin!(deadline);
            let mut sampling = sampling_ticks();
            loop {
                tokio::select! {
                    event = self.api.next_event() => break match event {
                        Some(RuntimeEvent::Response { body, total_bytes, streamed: stream }) => {
                            streamed = stream;
                            (Ending::Answered(GuestStatus::Ok), body, total_bytes)
                        }
                        Some(RuntimeEvent::Error { error_type, body }) => {
                            let error = function_error_of(&body, error_type.as_deref());
                            let json = error_json(&error);
                            (Ending::Answered(GuestStatus::FunctionError), json, 0)
                        }
                        Some(RuntimeEvent::Ready | RuntimeEvent::InitError { .. }) | None => {
                            (Ending::ProcessExited("the Runtime API stopped".to_owned()), Vec::new(), 0)
                        }
                    },
                    ending = self.process.ended() => break (Ending::ProcessExited(ending), Vec::new(), 0),
                    () = &mut deadline => break (Ending::TimedOut, Vec::new(), 0),
                    _ = sampling.tick() => {
                        if let Some(now) = self.memory.read() {
                            memory = memory.max(now);
                        }
                        self.log.read_written_so_far();
                    }
                }
            }
        };
        let duration = started.elapsed();
        // The listener of a stream that never started (or of an invocation that ended
        // without an answer) hears the end now.
        let _ = self.api.finish_stream();
        if let Some(now) = self.memory.read() {
            memory = memory.max(now);
        }
        let log_lines = self.log.take_lines_written_so_far();
        let out_of_memory = self.failed_for_memory(&ending, &stdout, memory);
        if out_of_memory || !matches!(ending, Ending::Answered(_)) {
            // A timeout, an exit or memory exceeded: Lambda does not reuse it.
            self.process.kill();
        }
        self.last_used = Instant::now();
        Ok(RunResult {
            ending,
            stdout_total_bytes: stdout_total_bytes.max(stdout.len()),
            stdout,
            log_lines,
            duration,
            max_memory_used_mb: memory.peak_mb(),
            refused_memory_bytes: out_of_memory
                .then_some(usize::try_from(self.data_limit_bytes).unwrap_or(usize::MAX)),
            streamed,
        })
    }

    /// Whether a failed invocation failed because the process reached its memory
    /// limit: its private memory was at the rlimit, or its language said an allocation
    /// failed.
    fn failed_for_memory(&self, ending: &Ending, stdout: &[u8], memory: MemoryUse) -> bool {
        let failed = matches!(
            ending,
            Ending::ProcessExited(_) | Ending::Answered(GuestStatus::FunctionError)
        );
        if !failed {
            return false;
        }
        let at_limit = memory.data_bytes + OUT_OF_MEMORY_MARGIN_BYTES >= self.data_limit_bytes;
        let allocation_failed = matches!(ending, Ending::Answered(GuestStatus::FunctionError))
            && serde_json::from_slice::<FunctionError>(stdout)
                .is_ok_and(|error| ALLOCATION_FAILURE_TYPES.contains(&error.error_type.as_str()));
        at_limit || allocation_failed
    }

    /// Whether the process still serves invocations.
    pub fn is_alive(&self) -> bool {
        self.process.ending().is_none()
    }
}

/// Every `SAMPLE_INTERVAL`, the first one interval from now (not `interval`: its
/// immediate first tick waits for the timer wheel's next millisecond, which every
/// invocation would pay).
fn sampling_ticks() -> tokio::time::Interval {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + SAMPLE_INTERVAL,
        SAMPLE_INTERVAL,
    );
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    ticks
}

/// Whether an environment may serve again after `run`: it answered (a response or its
/// handler's error) and did not run out of memory.
pub fn reusable_after(run: &RunResult) -> bool {
    run.refused_memory_bytes.is_none() && matches!(run.ending, Ending::Answered(_))
}

/// An Init failure lambdesk found itself (the process did not start), logged as Lambda
/// logs it: the message, then the type.
pub fn init_failure(error: &FunctionError, duration: Duration) -> RunResult {
    let stdout = error_json(error);
    RunResult {
        ending: Ending::Answered(GuestStatus::Fatal),
        stdout_total_bytes: stdout.len(),
        stdout,
        log_lines: vec![error.error_message.clone(), error.error_type.clone()],
        duration,
        max_memory_used_mb: 0,
        refused_memory_bytes: None,
        streamed: None,
    }
}

/// The error a runtime posted: Lambda's error JSON (`errorType`, `errorMessage`,
/// `stackTrace`), its type from the header when the body has none; a body that is not
/// such JSON is the message.
pub fn function_error_of(body: &[u8], header_type: Option<&str>) -> FunctionError {
    let fallback_type = header_type.unwrap_or("Runtime.Unknown");
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut fields)) => {
            let text = |value: Option<serde_json::Value>| match value {
                Some(serde_json::Value::String(text)) => Some(text),
                _ => None,
            };
            let error_type = text(fields.remove("errorType"))
                .filter(|error_type| !error_type.is_empty())
                .unwrap_or_else(|| fallback_type.to_owned());
            let error_message = text(fields.remove("errorMessage")).unwrap_or_default();
            let mut error = FunctionError::new(&error_type, error_message);
            error.stack_trace = fields.remove("stackTrace");
            error.request_id = text(fields.remove("requestId"));
            error.trace = fields
                .remove("trace")
                .and_then(|trace| serde_json::from_value(trace).ok());
            error
        }
        _ => FunctionError::new(
            fallback_type,
            String::from_utf8_lossy(&body[..body.len().min(MAX_PAYLOAD_BYTES)]).into_owned(),
        ),
    }
}

fn error_json(error: &FunctionError) -> Vec<u8> {
    // A struct of strings and JSON values: serialising cannot fail.
    serde_json::to_vec(error).unwrap_or_default()
}

/// The invocation's deadline in Unix milliseconds, as `Lambda-Runtime-Deadline-Ms`.
fn deadline_ms(timeout: Duration) -> i64 {
    chrono::Utc::now()
        .timestamp_millis()
        .saturating_add(i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX))
}

/// An X-Ray trace header as Lambda gives one (`Root=1-<time>-<24 hex>;Parent=…;Sampled=0`).
fn new_trace_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "Root=1-{:08x}-{};Parent={};Sampled=0",
        chrono::Utc::now().timestamp(),
        &random[..24],
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_error_keeps_the_runtimes_fields_and_falls_back_to_the_header() {
        let body = br#"{"errorMessage":"boom","errorType":"ValueError","requestId":"r1","stackTrace":["  File \"app.py\", line 2\n"]}"#;
        let error = function_error_of(body, Some("Function.Whatever"));
        assert_eq!(error.error_type, "ValueError");
        assert_eq!(error.error_message, "boom");
        assert_eq!(error.request_id.as_deref(), Some("r1"));
        assert!(error.stack_trace.is_some());

        let error = function_error_of(br#"{"errorMessage":"no type"}"#, Some("Runtime.Custom"));
        assert_eq!(error.error_type, "Runtime.Custom");
        let error = function_error_of(b"plain text", None);
        assert_eq!(
            (error.error_type.as_str(), error.error_message.as_str()),
            ("Runtime.Unknown", "plain text")
        );
    }

    #[test]
    fn trace_ids_have_xrays_shape() {
        let id = new_trace_id();
        let pattern = id.split(';').collect::<Vec<_>>();
        assert!(pattern[0].starts_with("Root=1-") && pattern[0].len() == 7 + 8 + 1 + 24);
        assert!(pattern[1].starts_with("Parent=") && pattern[1].len() == 7 + 16);
        assert_eq!(pattern[2], "Sampled=0");
    }
}
