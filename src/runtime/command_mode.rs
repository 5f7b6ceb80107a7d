//! Command mode: a WASI preview 1 module with `_start` runs once per invocation, in a
//! fresh instance: the event on stdin, the response on stdout, log lines on stderr.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use wasmtime::{Engine, InstancePre, Store, Trap, WasmBacktrace};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use super::MAX_PAYLOAD_BYTES;
use super::captured_output::CapturedOutput;
use super::engine::ticks_for;
use super::error::{InvokeError, describe};
use super::memory_limiter::MemoryLimiter;

/// Log output kept per invocation; more is counted and reported as dropped.
pub const MAX_LOG_BYTES: usize = 4 * 1024 * 1024;

/// Past the epoch deadline, how long to wait for a guest blocked in a host call (a long
/// `poll_oneoff` sleep cannot be interrupted by epochs) before abandoning it. Together
/// with the epoch tick this keeps every timeout within 100 ms of its deadline.
const BLOCKED_GUEST_GRACE: Duration = Duration::from_millis(50);

/// Per-store state: the guest's WASI context and its memory limiter.
pub struct SandboxState {
    pub wasi: WasiP1Ctx,
    pub limiter: MemoryLimiter,
}

/// What the sandbox of one invocation looks like.
pub struct SandboxSetup {
    pub variables: Vec<(String, String)>,
    pub args: Vec<String>,
    /// Host folder, guest path, permissions: the buckets the function may use.
    pub preopens: Vec<(PathBuf, String, FsPerms)>,
    pub memory_mb: u32,
    pub timeout: Duration,
}

/// How the guest ended.
#[derive(Debug)]
pub enum Ending {
    /// `_start` returned (code 0) or the guest called `proc_exit(code)`.
    Exited(i32),
    Trapped {
        message: String,
        trace: Vec<String>,
    },
    TimedOut,
}

pub struct CommandRun {
    pub ending: Ending,
    pub stdout: CapturedOutput,
    pub stderr: CapturedOutput,
    pub duration: Duration,
    pub max_memory_used_mb: u32,
    /// Set when the guest asked for more memory than `memory_mb`.
    pub refused_memory_bytes: Option<usize>,
}

pub async fn run(
    engine: &Engine,
    instance_pre: &InstancePre<SandboxState>,
    event: &[u8],
    setup: &SandboxSetup,
) -> Result<CommandRun, InvokeError> {
    let stdout = CapturedOutput::new(MAX_PAYLOAD_BYTES);
    let stderr = CapturedOutput::new(MAX_LOG_BYTES);
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdin(MemoryInputPipe::new(event.to_vec()))
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .envs(&setup.variables)
        .args(&setup.args);
    for (host_dir, guest_path, perms) in &setup.preopens {
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
    };
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.limiter);
    store.set_epoch_deadline(ticks_for(setup.timeout));

    let started = Instant::now();
    let guest = async {
        let instance = instance_pre.instantiate_async(&mut store).await?;
        let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
        start.call_async(&mut store, ()).await
    };
    let result = tokio::time::timeout(setup.timeout + BLOCKED_GUEST_GRACE, guest).await;
    let duration = started.elapsed();

    let ending = match result {
        Err(_elapsed) => Ending::TimedOut,
        Ok(Ok(())) => Ending::Exited(0),
        Ok(Err(error)) => ending_of(&error)?,
    };
    let limiter = &store.data().limiter;
    Ok(CommandRun {
        ending,
        max_memory_used_mb: limiter.peak_mb(),
        refused_memory_bytes: limiter.refused_bytes(),
        stdout,
        stderr,
        duration,
    })
}

fn ending_of(error: &wasmtime::Error) -> Result<Ending, InvokeError> {
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
