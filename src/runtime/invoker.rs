use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde::de::IgnoredAny;
use wasmtime::{Engine, ExternType, InstancePre, Linker};
use wasmtime_wasi::FsPerms;

use crate::model::{
    BucketAccess, Function, FunctionError, InvocationRecord, Outcome, Workspace, error_types,
};

use super::MAX_PAYLOAD_BYTES;
use super::command_mode::{self, CommandRun, Ending, SandboxSetup, SandboxState};
use super::engine::new_engine;
use super::error::{InvokeError, describe};
use super::lambda_environment::{lambda_variables, new_log_stream_name};
use super::module_cache::{ModuleCache, ModuleOrigin};
use super::module_source::module_bytes;

/// The only host module a guest may import from.
const WASI_PREVIEW1: &str = "wasi_snapshot_preview1";

#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Where compiled modules are cached between process starts.
    pub cache_dir: PathBuf,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            cache_dir: ModuleCache::default_dir(),
        }
    }
}

/// How a function's module was made ready.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreparedReport {
    pub origin: ModuleOrigin,
    /// Load (or compile) plus link time: the Init phase of a cold start.
    pub init_duration_ms: f64,
    /// The module was already loaded in this process and its code had not changed.
    pub reused: bool,
}

/// Runs functions: one engine and linker, an `InstancePre` per function module (made
/// once, remade when the code changes), a fresh `Store` per invocation.
pub struct Runtime {
    engine: Engine,
    linker: Linker<SandboxState>,
    cache: ModuleCache,
    functions: Mutex<HashMap<String, FunctionSlot>>,
}

#[derive(Default)]
struct FunctionSlot {
    module: Option<Arc<LoadedModule>>,
    in_flight: Arc<AtomicU32>,
}

struct LoadedModule {
    fingerprint: CodeFingerprint,
    instance_pre: InstancePre<SandboxState>,
    origin: ModuleOrigin,
    init_duration: Duration,
    /// The first invocation after a load is the cold start that reports Init Duration.
    cold_start_pending: AtomicBool,
    log_stream: String,
}

/// Enough to notice that a function's code or configuration changed on disk.
#[derive(Debug, Clone, PartialEq)]
struct CodeFingerprint {
    path: PathBuf,
    len_bytes: u64,
    modified: Option<SystemTime>,
    runtime: crate::model::Runtime,
}

impl CodeFingerprint {
    fn of(function: &Function) -> Self {
        let path = function.code_path();
        let metadata = std::fs::metadata(&path).ok();
        Self {
            len_bytes: metadata.as_ref().map_or(0, std::fs::Metadata::len),
            modified: metadata.and_then(|metadata| metadata.modified().ok()),
            runtime: function.config.runtime,
            path,
        }
    }
}

/// Decrements a function's in-flight count when the invocation ends, however it ends.
struct ConcurrencyPermit(Arc<AtomicU32>);

impl Drop for ConcurrencyPermit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Runtime {
    pub fn new(options: RuntimeOptions) -> Result<Self, InvokeError> {
        let engine = new_engine().map_err(|error| InvokeError::Sandbox(describe(&error)))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |state: &mut SandboxState| {
            &mut state.wasi
        })
        .map_err(|error| InvokeError::Sandbox(describe(&error)))?;
        Ok(Self {
            engine,
            linker,
            cache: ModuleCache::new(options.cache_dir),
            functions: Mutex::default(),
        })
    }

    pub fn module_cache(&self) -> &ModuleCache {
        &self.cache
    }

    /// Makes the function's module ready without invoking it (the console does this on
    /// save, so the next Test click is warm).
    pub fn prepare(&self, function: &Function) -> Result<PreparedReport, InvokeError> {
        let (module, reused) = self.loaded_module(function)?;
        Ok(PreparedReport {
            origin: module.origin,
            init_duration_ms: module.init_duration.as_secs_f64() * 1000.0,
            reused,
        })
    }

    /// Drops the function's loaded module, as Lambda drops an idle execution
    /// environment: the next invocation is a cold start (from the on-disk cache).
    pub fn unload(&self, function_name: &str) {
        if let Some(slot) = self.lock_functions().get_mut(function_name) {
            slot.module = None;
        }
    }

    fn loaded_module(&self, function: &Function) -> Result<(Arc<LoadedModule>, bool), InvokeError> {
        let fingerprint = CodeFingerprint::of(function);
        if let Some(module) = self
            .lock_functions()
            .get(&function.name)
            .and_then(|slot| slot.module.clone())
            .filter(|module| module.fingerprint == fingerprint)
        {
            return Ok((module, true));
        }
        // Compile outside the lock: other functions keep running meanwhile.
        let module = Arc::new(self.load_module(function, fingerprint)?);
        self.lock_functions()
            .entry(function.name.clone())
            .or_default()
            .module = Some(Arc::clone(&module));
        Ok((module, false))
    }

    fn load_module(
        &self,
        function: &Function,
        fingerprint: CodeFingerprint,
    ) -> Result<LoadedModule, InvokeError> {
        let started = Instant::now();
        let path = function.code_path();
        let load_error = |message: String| InvokeError::Load {
            path: path.clone(),
            message,
        };
        let wasm = module_bytes(function)?;
        let (module, origin) = self.cache.load(&self.engine, &wasm).map_err(|error| {
            load_error(format!(
                "not a valid WebAssembly module: {}",
                describe(&error)
            ))
        })?;
        if let Some(import) = module
            .imports()
            .find(|import| import.module() != WASI_PREVIEW1)
        {
            return Err(load_error(format!(
                "the module imports `{}::{}`, which lambdesk does not provide: a function may import only WASI preview 1 (`{WASI_PREVIEW1}`)",
                import.module(),
                import.name()
            )));
        }
        let start_ok = matches!(
            module.get_export("_start"),
            Some(ExternType::Func(signature)) if signature.params().len() == 0 && signature.results().len() == 0
        );
        if !start_ok {
            return Err(load_error(
                "the module does not export a `_start` function: lambdesk runs WASI command modules (the event on stdin, the response on stdout)".to_owned(),
            ));
        }
        let instance_pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|error| load_error(describe(&error)))?;
        Ok(LoadedModule {
            fingerprint,
            instance_pre,
            origin,
            init_duration: started.elapsed(),
            cold_start_pending: AtomicBool::new(true),
            log_stream: new_log_stream_name(),
        })
    }

    fn lock_functions(&self) -> std::sync::MutexGuard<'_, HashMap<String, FunctionSlot>> {
        self.functions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts the invocation against the function's reserved concurrency.
    fn acquire_concurrency(&self, function: &Function) -> Result<ConcurrencyPermit, InvokeError> {
        let in_flight = Arc::clone(
            &self
                .lock_functions()
                .entry(function.name.clone())
                .or_default()
                .in_flight,
        );
        let running_before = in_flight.fetch_add(1, Ordering::AcqRel);
        let permit = ConcurrencyPermit(in_flight);
        match function.config.reserved_concurrency {
            Some(limit) if running_before >= limit => Err(InvokeError::TooManyRequests {
                function: function.name.clone(),
                limit,
            }),
            _ => Ok(permit),
        }
    }

    /// Invokes `function` with `event` (JSON) and waits for it, as the Invoke API's
    /// `RequestResponse` type does.
    pub async fn invoke(
        &self,
        workspace: &Workspace,
        function: &Function,
        event: &[u8],
    ) -> Result<InvocationRecord, InvokeError> {
        if event.len() > MAX_PAYLOAD_BYTES {
            return Err(InvokeError::RequestTooLarge {
                size_bytes: event.len(),
                limit_bytes: MAX_PAYLOAD_BYTES,
            });
        }
        serde_json::from_slice::<IgnoredAny>(event)
            .map_err(|error| InvokeError::InvalidEvent(error.to_string()))?;
        let _permit = self.acquire_concurrency(function)?;
        let (module, _) = self.loaded_module(function)?;
        let cold_start = module.cold_start_pending.swap(false, Ordering::AcqRel);

        let request_id = uuid::Uuid::new_v4().to_string();
        let started_at = chrono::Utc::now();
        let setup = SandboxSetup {
            variables: lambda_variables(function, &workspace.config().region, &module.log_stream),
            args: vec![function.config.handler.clone()],
            preopens: bucket_preopens(workspace, function)?,
            memory_mb: function.config.memory_mb,
            timeout: Duration::from_secs(u64::from(function.config.timeout_secs)),
        };
        let run = command_mode::run(&self.engine, &module.instance_pre, event, &setup).await?;

        let duration_ms = run.duration.as_secs_f64() * 1000.0;
        let init_duration_ms = cold_start.then(|| module.init_duration.as_secs_f64() * 1000.0);
        let (outcome, mut log_lines) = outcome_of(&run, &request_id, function);
        log_lines.splice(0..0, log_lines_of(&run));
        Ok(InvocationRecord {
            billed_duration_ms: billed_duration_ms(duration_ms + init_duration_ms.unwrap_or(0.0)),
            request_id,
            function: function.name.clone(),
            started_at,
            duration_ms,
            memory_size_mb: function.config.memory_mb,
            max_memory_used_mb: run.max_memory_used_mb,
            init_duration_ms,
            architecture: function.architecture,
            ephemeral_storage_mb: function.config.ephemeral_storage_mb,
            log_stream: module.log_stream.clone(),
            outcome,
            log_lines,
        })
    }
}

/// Lambda bills in 1 ms steps, rounding up; never less than 1 ms.
pub fn billed_duration_ms(duration_ms: f64) -> u64 {
    let rounded = duration_ms.max(0.0).ceil();
    // Durations are far below u64::MAX ms; the cast saturates in any case.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "non-negative, saturating"
    )]
    let whole = rounded as u64;
    whole.max(1)
}

/// `/buckets/<name>` for every bucket in `[permissions]`, read-only or read-write.
fn bucket_preopens(
    workspace: &Workspace,
    function: &Function,
) -> Result<Vec<(PathBuf, String, FsPerms)>, InvokeError> {
    let mut preopens = Vec::new();
    for (bucket, access) in &function.config.permissions.buckets {
        let host_dir = workspace.buckets_dir().join(bucket);
        std::fs::create_dir_all(&host_dir).map_err(|error| {
            InvokeError::Sandbox(format!("cannot create {}: {error}", host_dir.display()))
        })?;
        let perms = match access {
            BucketAccess::Read => FsPerms::ReadOnly,
            BucketAccess::ReadWrite => FsPerms::ReadWrite,
        };
        preopens.push((host_dir, format!("/buckets/{bucket}"), perms));
    }
    Ok(preopens)
}

/// The function's stderr, one log line per line.
fn log_lines_of(run: &CommandRun) -> Vec<String> {
    let bytes = run.stderr.take();
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line).to_owned())
        .collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let dropped_bytes = run.stderr.total_bytes().saturating_sub(bytes.len());
    if dropped_bytes > 0 {
        lines.push(format!(
            "[lambdesk] {dropped_bytes} more bytes of log output were dropped (the limit is {} bytes per invocation)",
            command_mode::MAX_LOG_BYTES
        ));
    }
    lines
}

/// The response or the error, in Lambda's terms, plus the lines Lambda itself logs for
/// the failure.
fn outcome_of(run: &CommandRun, request_id: &str, function: &Function) -> (Outcome, Vec<String>) {
    let runtime_exited = |detail: String| {
        let error = FunctionError::new(
            error_types::EXIT_ERROR,
            format!("RequestId: {request_id} Error: Runtime exited with error: {detail}"),
        );
        let lines = vec![error.error_message.clone(), error.error_type.clone()];
        (error, lines)
    };
    let oom_after_refusal = run.refused_memory_bytes.is_some()
        && !matches!(run.ending, Ending::Exited(0) | Ending::TimedOut);
    let (error, lines) = if oom_after_refusal {
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
            Ending::Exited(0) => return (response_outcome(run), Vec::new()),
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
            Ending::Exited(code) => runtime_exited(format!("exit status {code}")),
            Ending::Trapped { message, trace } => {
                let (mut error, lines) = runtime_exited(message.clone());
                error.trace.clone_from(trace);
                (error, lines)
            }
        }
    };
    (Outcome::Failure(error), lines)
}

/// A successful run's stdout as the response: JSON, at most 6 MB; nothing means `null`.
fn response_outcome(run: &CommandRun) -> Outcome {
    let total_bytes = run.stdout.total_bytes();
    if total_bytes > MAX_PAYLOAD_BYTES {
        return Outcome::Failure(FunctionError::new(
            error_types::RESPONSE_TOO_LARGE,
            format!(
                "Response payload size ({total_bytes} bytes) exceeded maximum allowed payload size ({MAX_PAYLOAD_BYTES} bytes)."
            ),
        ));
    }
    let stdout = run.stdout.take();
    if stdout.iter().all(u8::is_ascii_whitespace) {
        return Outcome::Success(serde_json::Value::Null);
    }
    match serde_json::from_slice(&stdout) {
        Ok(response) => Outcome::Success(response),
        Err(error) => Outcome::Failure(FunctionError::new(
            error_types::MARSHAL_ERROR,
            format!(
                "Unable to marshal response: the function wrote {total_bytes} bytes to stdout that are not JSON ({error})"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_rounds_up_to_the_millisecond() {
        assert_eq!(billed_duration_ms(0.08), 1);
        assert_eq!(billed_duration_ms(1.0), 1);
        assert_eq!(billed_duration_ms(1.01), 2);
        assert_eq!(billed_duration_ms(120.4), 121);
        assert_eq!(billed_duration_ms(0.0), 1);
    }
}
