use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::de::IgnoredAny;
use wasmtime::{Engine, InstancePre, Linker};

use crate::model::{Function, InvocationRecord, OutgoingMessage, Runtime as Language, Workspace};

use super::MAX_PAYLOAD_BYTES;
use super::command_mode;
use super::engine::{MAX_CONCURRENT_INSTANCES, new_engine};
use super::environment_pool::{DEFAULT_IDLE_ENVIRONMENT_TTL, EnvironmentPool};
use super::ephemeral_storage::IdleStorage;
use super::error::{InvokeError, describe};
use super::folder_stamp::FolderStamp;
use super::go_build::{GoBuildOptions, GoBuilder};
use super::java_build::{JavaBuildOptions, JavaBuilder};
use super::js_preparation::JsPreparation;
use super::js_runtime;
use super::language_pack::{LanguagePack, PackLanguage, PackProgress};
use super::module_cache::{ModuleCache, ModuleOrigin};
use super::outbound_http::GatewayAddress;
use super::outbox::Outbox;
use super::outcome::outcome_of;
use super::response_stream::ResponseSink;
use super::rust_build::{RustBuildOptions, RustBuilder};
use super::sandbox::{Ending, RunResult, SandboxState};

mod code_check;
mod environment_invocation;
mod host_linker;
mod js_runtime_loading;
mod native_invocation;
mod own_module;
mod python_runtime_loading;
mod ruby_runtime_loading;
mod sandbox_setup;
mod tiered_compile;

use sandbox_setup::sandbox_setup;
mod built_module;

pub use built_module::BuildStatus;
use own_module::ModuleStamp;
pub use tiered_compile::BuiltCodeCompilers;

/// The only host module a guest may import from.
const WASI_PREVIEW1: &str = "wasi_snapshot_preview1";

/// Where a JS function's folder appears inside the sandbox, as on Lambda.
const TASK_ROOT: &str = "/var/task";

#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Where compiled modules are cached between process starts.
    pub cache_dir: PathBuf,
    /// Another build of the JS runtime instead of the embedded one.
    pub js_runtime_path: Option<PathBuf>,
    /// How long an unused execution environment stays warm.
    pub idle_environment_ttl: Duration,
    /// Where each execution environment's `/tmp` folder is made (and removed with it).
    pub ephemeral_storage_root: PathBuf,
    /// How Rust functions are built (the shared cargo target folder, the programs).
    pub rust_build: RustBuildOptions,
    /// How Go functions are built (Go's build cache, the program).
    pub go_build: GoBuildOptions,
    /// Where Java functions are compiled and which JDK compiles them.
    pub java_build: JavaBuildOptions,
    /// Where language packs (Python's runtime) are prepared and kept.
    pub language_packs_dir: PathBuf,
    /// Which compilers make a rebuilt Rust or Go module ready: Winch first by default.
    pub built_code_compilers: BuiltCodeCompilers,
    /// How many sandboxes may exist at once (each has a stack and an address-space
    /// reservation in the pool).
    pub sandbox_slots: u32,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            cache_dir: ModuleCache::default_dir(),
            js_runtime_path: js_runtime::override_path(),
            idle_environment_ttl: DEFAULT_IDLE_ENVIRONMENT_TTL,
            ephemeral_storage_root: std::env::temp_dir(),
            rust_build: RustBuildOptions::default(),
            go_build: GoBuildOptions::default(),
            java_build: JavaBuildOptions::default(),
            language_packs_dir: LanguagePack::default_root(),
            built_code_compilers: BuiltCodeCompilers::default(),
            sandbox_slots: MAX_CONCURRENT_INSTANCES,
        }
    }
}

/// How a function's module was made ready.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreparedReport {
    pub origin: ModuleOrigin,
    /// Load (or compile) plus link time.
    pub load_duration_ms: f64,
    /// The module was already loaded in this process and its code had not changed.
    pub reused: bool,
}

/// What an invocation may carry besides its event.
#[derive(Default)]
pub struct InvokeOptions<'a> {
    /// The request id, kept across an asynchronous event's retries as Lambda keeps it
    /// (a new one when `None`).
    pub request_id: Option<&'a str>,
    /// Where a streaming handler's response goes as it is written (see
    /// `invoke_streaming`).
    pub sink: Option<ResponseSink>,
    /// The invoking client's context (the Invoke API's `ClientContext`), a JSON object's
    /// text: what the handler's context gives as its client context.
    pub client_context: Option<&'a str>,
}

/// Who asked for an invocation, as the function's context tells it.
#[derive(Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub request_id: &'a str,
    pub client_context: Option<&'a str>,
}

/// Runs functions: one engine and linker (Cranelift's; Winch's second one only for a
/// new Rust or Go module's first answers, see `tiered_compile`); for command modules an
/// `InstancePre` per function (made once, remade when the code changes) and a fresh
/// `Store` per invocation; for JS, warm execution environments of the embedded runtime.
pub struct Runtime {
    /// Cranelift's engine, for everything but a new Rust or Go module's first answers.
    engine: Engine,
    linker: Arc<Linker<SandboxState>>,
    /// For language packs' runtimes, which are components: WASI preview 2 over the same
    /// sandbox state.
    component_linker: wasmtime::component::Linker<SandboxState>,
    cache: ModuleCache,
    js_runtime_path: Option<PathBuf>,
    js_runtime: tokio::sync::OnceCell<Arc<LoadedModule>>,
    /// What the first load of the JS runtime is doing, while it does it.
    js_preparation: JsPreparation,
    functions: FunctionSlots,
    /// Winch's engine and Cranelift's background compiles, for new Rust and Go modules.
    tiers: tiered_compile::Tiers,
    environments: EnvironmentPool,
    /// Warm native processes of `provided` functions.
    native_environments: EnvironmentPool<super::native::NativeEnvironment>,
    /// For JS functions: what their code folder held when its fingerprint was taken.
    js_code_stamps: Mutex<HashMap<String, Arc<FolderStamp>>>,
    ephemeral_storage_root: PathBuf,
    /// Where the workspace's HTTP gateway listens, for functions' `fetch`.
    gateway: GatewayAddress,
    rust: Arc<RustBuilder>,
    go: Arc<GoBuilder>,
    java: Arc<JavaBuilder>,
    /// Each built function's last build: how far it is, what the compiler said.
    builds: built_module::BuildStatuses,
    python_pack: LanguagePack,
    python_progress: Arc<PackProgress>,
    python_component: tokio::sync::OnceCell<Arc<python_runtime_loading::LoadedComponent>>,
    ruby_pack: LanguagePack,
    ruby_progress: Arc<PackProgress>,
    ruby_module: tokio::sync::OnceCell<Arc<ruby_runtime_loading::LoadedRuby>>,
}

/// Each function's slot; shared with the background compiles, which replace modules.
type FunctionSlots = Arc<Mutex<HashMap<String, FunctionSlot>>>;

#[derive(Default)]
struct FunctionSlot {
    module: Option<Arc<LoadedModule>>,
    in_flight: Arc<AtomicU32>,
}

struct LoadedModule {
    /// For a function's own module: the configuration and code it was made from; either
    /// changing means new code.
    made_from: Option<Arc<ModuleStamp>>,
    instance_pre: InstancePre<SandboxState>,
    /// How the function's own module runs (the JS runtime is always an environment).
    mode: GuestMode,
    /// Tells this load's warm environments from those of an earlier load of the code.
    generation: u64,
    origin: ModuleOrigin,
    load_duration: Duration,
    /// The first invocation after a load is the cold start that reports Init Duration.
    cold_start_pending: AtomicBool,
    log_stream: String,
    /// A command module's `/tmp` folders between invocations (see `IdleStorage`).
    idle_tmp: IdleStorage,
}

/// What an execution environment runs.
enum EnvironmentCode {
    /// The embedded JS runtime, with the function's folder as `/var/task`.
    JsRuntime,
    /// Python's runtime (a language pack), with the function's folder as `/var/task`.
    Python,
    /// Ruby's runtime (a language pack), with the function's folder as `/var/task`.
    Ruby,
    /// A wat/wasm/Rust/Go function's own environment-mode module.
    OwnModule(Arc<LoadedModule>),
}

/// The two guest contracts of DESIGN.md: a command (`_start`, a fresh instance per
/// invocation) or an execution environment (`lambdesk_init` once, then `lambdesk_alloc` +
/// `lambdesk_invoke` per invocation, state kept between them, as the JS runtime does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GuestMode {
    Command,
    Environment,
}

/// Decrements a function's in-flight count when the invocation ends, however it ends.
struct ConcurrencyPermit(Arc<AtomicU32>);

impl Drop for ConcurrencyPermit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What one invocation produced, before it becomes a record.
struct Invocation {
    run: RunResult,
    init_duration: Option<Duration>,
    /// Lines logged during Init, shown before the invocation's own.
    init_log_lines: Vec<String>,
    log_stream: String,
    /// What the function sent through `/outbox`.
    outbox: Vec<OutgoingMessage>,
}

impl Runtime {
    pub fn new(options: RuntimeOptions) -> Result<Self, InvokeError> {
        let engine = new_engine(options.sandbox_slots)
            .map_err(|error| InvokeError::Sandbox(describe(&error)))?;
        let linker = Arc::new(host_linker::module_linker(&engine)?);
        let cache = ModuleCache::new(options.cache_dir);
        let functions = FunctionSlots::default();
        let tiers = tiered_compile::Tiers::new(
            options.built_code_compilers,
            engine.clone(),
            Arc::clone(&linker),
            cache.clone(),
            Arc::clone(&functions),
        );
        let mut component_linker = wasmtime::component::Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut component_linker)
            .map_err(|error| InvokeError::Sandbox(describe(&error)))?;
        super::tmp_quota_p2::add_to_linker(&mut component_linker)
            .map_err(|error| InvokeError::Sandbox(describe(&error)))?;
        Ok(Self {
            engine,
            linker,
            component_linker,
            cache,
            js_runtime_path: options.js_runtime_path,
            js_runtime: tokio::sync::OnceCell::new(),
            js_preparation: JsPreparation::default(),
            functions,
            tiers,
            environments: EnvironmentPool::new(options.idle_environment_ttl),
            native_environments: EnvironmentPool::new(options.idle_environment_ttl),
            js_code_stamps: Mutex::default(),
            ephemeral_storage_root: options.ephemeral_storage_root,
            gateway: GatewayAddress::default(),
            rust: Arc::new(RustBuilder::new(options.rust_build)),
            go: Arc::new(GoBuilder::new(options.go_build)),
            java: Arc::new(JavaBuilder::new(options.java_build)),
            builds: built_module::BuildStatuses::default(),
            python_pack: LanguagePack::new(
                options.language_packs_dir.clone(),
                PackLanguage::Python,
            ),
            ruby_pack: LanguagePack::new(options.language_packs_dir, PackLanguage::Ruby),
            ruby_progress: Arc::default(),
            ruby_module: tokio::sync::OnceCell::new(),
            python_progress: Arc::default(),
            python_component: tokio::sync::OnceCell::new(),
        })
    }

    /// Tells functions where the workspace's HTTP gateway listens (`None`: it stopped):
    /// their `fetch` reaches it and nothing else. The trigger engine calls this.
    pub fn set_gateway_addr(&self, address: Option<std::net::SocketAddr>) {
        self.gateway.set(address);
    }

    /// `http://127.0.0.1:<port>` of the running gateway, told to each invocation.
    pub(crate) fn gateway_url(&self) -> Option<String> {
        self.gateway.url()
    }

    pub fn module_cache(&self) -> &ModuleCache {
        &self.cache
    }

    /// Makes the function's module ready without invoking it (the console does this on
    /// save, so the next Test click is warm). For JS this loads the embedded runtime.
    pub async fn prepare(&self, function: &Function) -> Result<PreparedReport, InvokeError> {
        let (module, reused) = match function.config.runtime {
            Language::Js => self.js_runtime_module().await?,
            Language::Python => {
                let reused = self.python_component.initialized();
                let component = self.python_runtime().await?;
                return Ok(PreparedReport {
                    origin: component.origin,
                    load_duration_ms: component.load_duration.as_secs_f64() * 1000.0,
                    reused,
                });
            }
            Language::Ruby => {
                let reused = self.ruby_module.initialized();
                let ruby = self.ruby_runtime().await?;
                return Ok(PreparedReport {
                    origin: ruby.origin,
                    load_duration_ms: ruby.load_duration.as_secs_f64() * 1000.0,
                    reused,
                });
            }
            // Nothing to load: the process starts at the first invocation. A bootstrap
            // that cannot start is said now, as Lambda says it at Init.
            Language::Provided => {
                if let Some(error) = Self::check_native_entrypoint(function) {
                    return Err(InvokeError::Load {
                        path: function.dir.join(super::native::BOOTSTRAP_FILE),
                        message: format!("{}: {}", error.error_type, error.error_message),
                    });
                }
                return Ok(PreparedReport {
                    origin: ModuleOrigin::NativeProcess,
                    load_duration_ms: 0.0,
                    reused: true,
                });
            }
            Language::Rust | Language::Go => {
                let (module, reused, _) = self
                    .built_module(function, self.slot_of(function).1)
                    .await?;
                (module, reused)
            }
            _ => self.function_module(function)?,
        };
        Ok(PreparedReport {
            origin: module.origin,
            load_duration_ms: module.load_duration.as_secs_f64() * 1000.0,
            reused,
        })
    }

    /// Drops what is loaded for the function (its module, its warm environments), as
    /// Lambda drops idle execution environments: the next invocation is a cold start.
    pub fn unload(&self, function_name: &str) {
        if let Some(slot) = self.lock_functions().get_mut(function_name) {
            slot.module = None;
        }
        self.environments.clear(function_name);
        self.native_environments.clear(function_name);
    }

    /// Waits until Cranelift's background compiles are done (their code replaced Winch's
    /// and is in the module cache): a process that ends after one invocation (`lambdesk
    /// invoke`) waits here, so the next process loads Cranelift's code from the cache.
    pub async fn finish_background_compiles(&self) {
        let optimiser = self.tiers.optimiser();
        // Waiting blocks a thread; the compile itself runs on its own.
        let _ = tokio::task::spawn_blocking(move || optimiser.wait_idle()).await;
    }

    /// Warm execution environments of a JS function that are waiting for work.
    pub fn idle_environments(&self, function_name: &str) -> usize {
        self.environments.idle_count(function_name)
            + self.native_environments.idle_count(function_name)
    }

    /// The function's in-flight count and loaded module, under one short lock.
    fn slot_of(&self, function: &Function) -> (Arc<AtomicU32>, Option<Arc<LoadedModule>>) {
        let mut functions = self.lock_functions();
        let slot = match functions.get(&function.name) {
            Some(slot) => slot,
            None => functions.entry(function.name.clone()).or_default(),
        };
        (Arc::clone(&slot.in_flight), slot.module.clone())
    }

    fn lock_functions(&self) -> std::sync::MutexGuard<'_, HashMap<String, FunctionSlot>> {
        self.functions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts the invocation against the function's reserved concurrency.
    fn acquire_concurrency(
        function: &Function,
        in_flight: Arc<AtomicU32>,
    ) -> Result<ConcurrencyPermit, InvokeError> {
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
        self.invoke_with(workspace, function, event, InvokeOptions::default())
            .await
    }

    /// `invoke` whose streaming handler (`awslambda.streamifyResponse`) sends its
    /// response to `sink` as it writes it (`StreamedPart::Started`, then the chunks), as
    /// `InvokeWithResponseStream` does; the record still gets the body's first 6 MB. A
    /// handler that does not stream sends nothing and answers in the record as usual.
    pub async fn invoke_streaming(
        &self,
        workspace: &Workspace,
        function: &Function,
        event: &[u8],
        sink: ResponseSink,
    ) -> Result<InvocationRecord, InvokeError> {
        let options = InvokeOptions {
            sink: Some(sink),
            ..InvokeOptions::default()
        };
        self.invoke_with(workspace, function, event, options).await
    }

    /// `invoke` with what `options` carries besides the event (a client context, say).
    pub async fn invoke_with(
        &self,
        workspace: &Workspace,
        function: &Function,
        event: &[u8],
        options: InvokeOptions<'_>,
    ) -> Result<InvocationRecord, InvokeError> {
        check_event_json(event)?;
        self.invoke_as(workspace, function, event, options).await
    }

    /// `invoke` of an event already known to be JSON (a trigger's: serialised by serde,
    /// and not parsed again on every request; the Invoke API's, parsed there), with what
    /// `options` carries besides it.
    pub(crate) async fn invoke_as(
        &self,
        workspace: &Workspace,
        function: &Function,
        event: &[u8],
        options: InvokeOptions<'_>,
    ) -> Result<InvocationRecord, InvokeError> {
        let InvokeOptions {
            request_id,
            sink,
            client_context,
        } = options;
        if event.len() > MAX_PAYLOAD_BYTES {
            return Err(InvokeError::RequestTooLarge {
                size_bytes: event.len(),
                limit_bytes: MAX_PAYLOAD_BYTES,
            });
        }
        debug_assert!(serde_json::from_slice::<IgnoredAny>(event).is_ok());
        let (in_flight, loaded) = self.slot_of(function);
        let _permit = Self::acquire_concurrency(function, in_flight)?;
        let request_id = request_id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        let caller = Caller {
            request_id: &request_id,
            client_context,
        };
        let started_at = chrono::Utc::now();
        let mut build_duration = None;
        let invocation = match function.config.runtime {
            Language::Js => {
                let code = EnvironmentCode::JsRuntime;
                self.invoke_in_environment(workspace, function, code, event, caller, sink)
                    .await?
            }
            Language::Python => {
                let code = EnvironmentCode::Python;
                self.invoke_in_environment(workspace, function, code, event, caller, sink)
                    .await?
            }
            Language::Ruby => {
                let code = EnvironmentCode::Ruby;
                self.invoke_in_environment(workspace, function, code, event, caller, sink)
                    .await?
            }
            Language::Provided => {
                self.invoke_native(workspace, function, event, caller, sink)
                    .await?
            }
            Language::Java => {
                // javac first when a source changed (its time reported apart, never
                // billed); a compile error fails the invocation with its file and line.
                let build = self.build_if_stale(function).await?;
                build_duration = build.map(|report| report.duration);
                self.invoke_native(workspace, function, event, caller, sink)
                    .await?
            }
            runtime => {
                let module = if runtime.is_built() {
                    let (module, _, build) = self.built_module(function, loaded).await?;
                    build_duration = build.map(|report| report.duration);
                    module
                } else {
                    self.reuse_or_load(function, loaded)?.0
                };
                match module.mode {
                    GuestMode::Command => {
                        self.invoke_command(workspace, function, &module, event)
                            .await?
                    }
                    GuestMode::Environment => {
                        self.invoke_in_environment(
                            workspace,
                            function,
                            EnvironmentCode::OwnModule(module),
                            event,
                            caller,
                            sink,
                        )
                        .await?
                    }
                }
            }
        };
        let mut record = record_of(invocation, function, request_id, started_at);
        record.build_duration_ms = build_duration.map(|build| build.as_secs_f64() * 1000.0);
        Ok(record)
    }

    async fn invoke_command(
        &self,
        workspace: &Workspace,
        function: &Function,
        module: &LoadedModule,
        event: &[u8],
    ) -> Result<Invocation, InvokeError> {
        let cold_start = module.cold_start_pending.swap(false, Ordering::AcqRel);
        let outbox = outbox_for(workspace, function)?;
        let preopens = outbox.iter().map(Outbox::preopen).collect();
        let tmp = module.idle_tmp.take_or_create(
            &self.ephemeral_storage_root,
            function.config.ephemeral_storage_mb,
        )?;
        let setup = sandbox_setup(
            workspace,
            function,
            &module.log_stream,
            preopens,
            &tmp,
            &self.gateway,
        )?;
        let mut run =
            command_mode::run(module.engine(), &module.instance_pre, event, &setup).await?;
        // As an environment that exited or broke would be replaced, with a new `/tmp`.
        if run.ending == Ending::Exited(0) && run.refused_memory_bytes.is_none() {
            module.idle_tmp.put_back(tmp);
        }
        let (sent, problems) = outbox.as_ref().map(Outbox::take).unwrap_or_default();
        run.log_lines.extend(problems);
        Ok(Invocation {
            run,
            init_duration: cold_start.then_some(module.load_duration),
            init_log_lines: Vec::new(),
            log_stream: module.log_stream.clone(),
            outbox: sent,
        })
    }
}

/// An event from outside must be JSON; one over the limit is refused as too large by
/// `invoke_as`, unparsed.
fn check_event_json(event: &[u8]) -> Result<(), InvokeError> {
    if event.len() <= MAX_PAYLOAD_BYTES {
        serde_json::from_slice::<IgnoredAny>(event)
            .map_err(|error| InvokeError::InvalidEvent(error.to_string()))?;
    }
    Ok(())
}

fn record_of(
    invocation: Invocation,
    function: &Function,
    request_id: String,
    started_at: chrono::DateTime<chrono::Utc>,
) -> InvocationRecord {
    let Invocation {
        run,
        init_duration,
        init_log_lines,
        log_stream,
        outbox,
    } = invocation;
    let duration_ms = run.duration.as_secs_f64() * 1000.0;
    let init_duration_ms = init_duration.map(|init| init.as_secs_f64() * 1000.0);
    let (outcome, failure_lines) = outcome_of(&run, &request_id, function);
    let mut log_lines = run.log_lines;
    log_lines.extend(failure_lines);
    InvocationRecord {
        billed_duration_ms: billed_duration_ms(duration_ms + init_duration_ms.unwrap_or(0.0)),
        request_id,
        function: function.name.clone(),
        started_at,
        duration_ms,
        memory_size_mb: function.config.memory_mb,
        max_memory_used_mb: run.max_memory_used_mb,
        init_duration_ms,
        build_duration_ms: None,
        architecture: function.architecture,
        ephemeral_storage_mb: function.config.ephemeral_storage_mb,
        log_stream,
        outcome,
        init_log_lines,
        log_lines,
        outbox,
    }
}

/// An outbox for a function that may send to queues or publish to topics.
fn outbox_for(workspace: &Workspace, function: &Function) -> Result<Option<Outbox>, InvokeError> {
    if !function.config.permissions.sends_messages() {
        return Ok(None);
    }
    Outbox::create(&workspace.state_dir(), &function.name)
        .map(Some)
        .map_err(|error| {
            InvokeError::Sandbox(format!("cannot create the function's outbox: {error}"))
        })
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
