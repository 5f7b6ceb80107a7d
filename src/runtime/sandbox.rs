//! What every sandbox shares, whatever runs in it: the WASI context (event-free stdin,
//! captured stdout and stderr, Lambda's variables, preopened folders), the memory
//! limiter, and how a guest's ending is read from wasmtime's result.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use wasmtime::{Engine, Store, Trap, UpdateDeadline, WasmBacktrace};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use super::MAX_PAYLOAD_BYTES;
use super::captured_output::CapturedOutput;
use super::ephemeral_storage::{TmpMount, TmpQuota};
use super::error::{InvokeError, describe};
use super::memory_limiter::MemoryLimiter;
use super::outbound_http::{GatewayAddress, OutboundHttp};
use super::response_stream::{ResponseStreamState, StreamedBody};

/// Log output kept per invocation; more is counted and reported as dropped.
pub const MAX_LOG_BYTES: usize = 4 * 1024 * 1024;

/// Past the epoch deadline, how long to wait for a guest blocked in a host call (a long
/// `poll_oneoff` sleep cannot be interrupted by epochs) before abandoning it. Together
/// with the epoch tick this keeps every timeout within 100 ms of its deadline.
pub const BLOCKED_GUEST_GRACE: Duration = Duration::from_millis(50);

/// Per-store state: the guest's WASI context, its memory limiter, and when its current
/// run must end.
pub struct SandboxState {
    pub wasi: WasiP1Ctx,
    pub limiter: MemoryLimiter,
    /// The guest's `/tmp` and its size limit, when it has one (not while snapshotting).
    pub tmp: Option<TmpQuota>,
    /// The current invocation's response stream, when its handler streams.
    pub response_stream: ResponseStreamState,
    /// `fetch`'s way out: the workspace's gateway, and the answer the guest reads next.
    pub http: OutboundHttp,
    /// Ruby values the Ruby runtime handed out (see `ruby_abi`).
    pub ruby_values: super::ruby_abi::RubyValues,
    /// A component guest's descriptors that lead into `/tmp` (see `tmp_quota_p2`).
    pub tmp_descriptors: super::tmp_quota_p2::TmpDescriptors,
    deadline: Instant,
}

/// A component guest (a language pack) reaches the same WASI context through preview 2's
/// interfaces: preview 1's context is built on preview 2's.
impl wasmtime_wasi::WasiView for SandboxState {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        self.wasi.ctx()
    }
}

/// What the sandbox looks like from inside.
pub struct SandboxSetup {
    pub variables: Vec<(String, String)>,
    pub args: Vec<String>,
    /// Host folder, guest path, permissions: the function's code, the buckets it may use.
    pub preopens: Vec<(PathBuf, String, FsPerms)>,
    /// The execution environment's `/tmp`, preopened after the other folders.
    pub tmp: Option<TmpMount>,
    pub memory_mb: u32,
    pub timeout: Duration,
    /// Where `fetch` may go: the workspace's HTTP gateway, while it runs.
    pub gateway: GatewayAddress,
}

/// A store ready to instantiate into, and the guest's captured outputs.
pub struct Sandbox {
    pub store: Store<SandboxState>,
    pub stdout: CapturedOutput,
    pub stderr: CapturedOutput,
}

impl Sandbox {
    pub fn new(engine: &Engine, setup: &SandboxSetup, stdin: Vec<u8>) -> Result<Self, InvokeError> {
        let stdout = CapturedOutput::new(MAX_PAYLOAD_BYTES);
        let stderr = CapturedOutput::new(MAX_LOG_BYTES);
        let mut wasi = WasiCtxBuilder::new();
        wasi.stdin(MemoryInputPipe::new(stdin))
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .envs(&setup.variables)
            .args(&setup.args);
        let tmp_preopen = setup.tmp.as_ref().map(TmpMount::preopen);
        for (host_dir, guest_path, perms) in setup.preopens.iter().chain(&tmp_preopen) {
            wasi.preopened_dir(host_dir, guest_path, *perms)
                .map_err(|error| {
                    InvokeError::Sandbox(format!(
                        "cannot open {} for the function: {}",
                        host_dir.display(),
                        describe(&error)
                    ))
                })?;
        }
        let state = SandboxState {
            wasi: wasi.build_p1(),
            limiter: MemoryLimiter::new(setup.memory_mb),
            tmp: setup
                .tmp
                .clone()
                .map(|mount| TmpQuota::new(mount, setup.preopens.len())),
            response_stream: ResponseStreamState::default(),
            http: OutboundHttp::new(setup.gateway.clone()),
            ruby_values: super::ruby_abi::RubyValues::default(),
            tmp_descriptors: super::tmp_quota_p2::TmpDescriptors::default(),
            deadline: Instant::now() + setup.timeout,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.limiter);
        // At every epoch tick a running guest either stops (its deadline passed: a
        // timeout) or lets the async runtime's thread serve others for a moment: a guest
        // computing for seconds must not hold up the other requests and timers of the
        // thread it runs on (the gateway's 503 among them).
        store.epoch_deadline_callback(|context| {
            Ok(if Instant::now() >= context.data().deadline {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });
        Ok(Self {
            store,
            stdout,
            stderr,
        })
    }
}

impl Sandbox {
    /// Starts the clock of one run: the guest is stopped `timeout` from now.
    pub fn arm_deadline(&mut self, timeout: Duration) {
        self.store.data_mut().deadline = Instant::now() + timeout;
        self.store.set_epoch_deadline(1);
    }
}

/// How the guest ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// A command's `_start` returned (code 0) or the guest called `proc_exit(code)`.
    Exited(i32),
    /// An execution environment answered with one of its status codes.
    Answered(GuestStatus),
    Trapped {
        message: String,
        trace: Vec<String>,
    },
    TimedOut,
    /// A native process (a `provided` function's `bootstrap`) ended while it was
    /// expected to run, described as Lambda does: `exit status 1`, `signal: killed`.
    ProcessExited(String),
}

/// The JS runtime's answer (see runtimes/js/src/lib.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestStatus {
    /// stdout holds the response.
    Ok,
    /// stdout holds the handler's error; the environment stays usable.
    FunctionError,
    /// stdout holds the error; the environment must be discarded.
    Fatal,
}

impl GuestStatus {
    pub fn from_code(code: i32) -> Self {
        match code {
            0 => Self::Ok,
            1 => Self::FunctionError,
            _ => Self::Fatal,
        }
    }
}

/// Everything a run produced, for turning into an invocation record.
pub struct RunResult {
    pub ending: Ending,
    pub stdout: Vec<u8>,
    pub stdout_total_bytes: usize,
    pub log_lines: Vec<String>,
    pub duration: Duration,
    pub max_memory_used_mb: u32,
    /// Set when the guest asked for more memory than `memory_mb`.
    pub refused_memory_bytes: Option<usize>,
    /// What a streaming handler wrote to its response stream (stdout then holds nothing
    /// of the response).
    pub streamed: Option<StreamedBody>,
}

impl RunResult {
    /// Collects the outputs of a run that ended with `ending` and resets them.
    pub fn collect(sandbox: &Sandbox, ending: Ending, duration: Duration) -> Self {
        let (stdout, stdout_total_bytes) = sandbox.stdout.take_all();
        let (stderr, stderr_total_bytes) = sandbox.stderr.take_all();
        let limiter = &sandbox.store.data().limiter;
        Self {
            ending,
            stdout,
            stdout_total_bytes,
            log_lines: log_lines_of(&stderr, stderr_total_bytes),
            duration,
            max_memory_used_mb: limiter.peak_mb(),
            refused_memory_bytes: limiter.refused_bytes(),
            streamed: None,
        }
    }
}

/// The guest's stderr, one log line per line.
fn log_lines_of(bytes: &[u8], total_bytes: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line).to_owned())
        .collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let dropped_bytes = total_bytes.saturating_sub(bytes.len());
    if dropped_bytes > 0 {
        lines.push(format!(
            "[lambdesk] {dropped_bytes} more bytes of log output were dropped (the limit is {MAX_LOG_BYTES} bytes per invocation)"
        ));
    }
    lines
}

/// Reads a failed call: an exit, a timeout, or a trap with its message and backtrace.
pub fn ending_of(error: &wasmtime::Error) -> Result<Ending, InvokeError> {
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return Ok(Ending::Exited(exit.0));
    }
    if let Some(Trap::Interrupt) = error.downcast_ref::<Trap>() {
        return Ok(Ending::TimedOut);
    }
    if error
        .chain()
        .any(|cause| cause.is::<wasmtime::PoolConcurrencyLimitError>())
    {
        return Err(InvokeError::Sandbox(format!(
            "every sandbox slot is in use ({})",
            describe(error)
        )));
    }
    let message = match error.downcast_ref::<Trap>() {
        Some(trap) => format!("wasm trap: {trap}"),
        None => error.root_cause().to_string(),
    };
    let trace = error
        .downcast_ref::<WasmBacktrace>()
        .map(|backtrace| {
            backtrace
                .to_string()
                .lines()
                .skip(1) // "error while executing at wasm backtrace:"
                .map(|line| line.trim().to_owned())
                .filter(|line| !line.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(Ending::Trapped { message, trace })
}
