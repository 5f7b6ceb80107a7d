//! Environment mode: one instance is one Lambda execution environment. It is created and
//! initialised once (Lambda's Init phase: the engine starts and the handler module's
//! top-level code runs), then serves invocations one at a time, keeping its globals,
//! until it is dropped (idle, code changed, or broken by a timeout, trap or crash).

use std::time::{Duration, Instant};

use wasmtime::component::{InstancePre as ComponentInstancePre, TypedFunc as ComponentFunc};
use wasmtime::{Engine, InstancePre, Memory, TypedFunc};

use super::error::InvokeError;
use super::response_stream::ResponseSink;
use super::ruby_abi::{Evaluated, RubyExports};
use super::sandbox::{
    BLOCKED_GUEST_GRACE, Ending, GuestStatus, RunResult, Sandbox, SandboxSetup, SandboxState,
    ending_of,
};

/// The exports an environment-mode guest provides.
pub const INIT_EXPORT: &str = "lambdesk_init";
pub const ALLOC_EXPORT: &str = "lambdesk_alloc";
pub const INVOKE_EXPORT: &str = "lambdesk_invoke";
/// What a WASI reactor exports to be set up before its other exports are called.
pub const REACTOR_INITIALIZE_EXPORT: &str = "_initialize";
/// The same contract as a component's exports (runtimes/python/wit/runtime.wit): Init
/// takes the variables, invoke takes the request as a string.
pub const COMPONENT_INIT_EXPORT: &str = "lambdesk-init";
pub const COMPONENT_INVOKE_EXPORT: &str = "lambdesk-invoke";

type ComponentInit = ComponentFunc<(Vec<(String, String)>,), (i32,)>;
type ComponentInvoke = ComponentFunc<(String,), (i32,)>;

/// How a request reaches the guest.
enum EntryPoints {
    /// A core module: the request is copied into memory `lambdesk_alloc` gave.
    Core {
        alloc: TypedFunc<u32, u32>,
        invoke: TypedFunc<(u32, u32), i32>,
        memory: Memory,
    },
    /// A component (a language pack): the request is lowered as a string.
    Component { invoke: ComponentInvoke },
    /// Ruby's interpreter: the driver is called with the request in base64.
    Ruby(Box<RubyExports>),
}

pub struct Environment {
    sandbox: Sandbox,
    entry: EntryPoints,
    /// CloudWatch log stream of this environment.
    pub log_stream: String,
    /// What the environment was created from; a different one means new code.
    pub fingerprint: u64,
    pub last_used: Instant,
    /// The environment's `/outbox`, if the function may send messages.
    pub outbox: Option<super::outbox::Outbox>,
    /// The environment's `/tmp`: its folder is removed when the environment is dropped.
    pub tmp: Option<super::ephemeral_storage::EphemeralStorage>,
}

impl Environment {
    /// Instantiates and runs Init. The environment is usable only when the returned run
    /// ended with `Answered(GuestStatus::Ok)`. `reactor_initialize`: a function's own
    /// module is a WASI reactor whose `_initialize` (C/C++ constructors, a Rust cdylib's
    /// set-up) runs before anything else; the JS runtime's snapshot already ran it.
    pub async fn start(
        engine: &Engine,
        instance_pre: &InstancePre<SandboxState>,
        setup: &SandboxSetup,
        log_stream: String,
        fingerprint: u64,
        reactor_initialize: bool,
    ) -> Result<(Option<Self>, RunResult), InvokeError> {
        let mut sandbox = Sandbox::new(engine, setup, Vec::new())?;
        sandbox.arm_deadline(setup.timeout);
        let store = &mut sandbox.store;
        let started = Instant::now();
        let guest = async {
            let instance = instance_pre.instantiate_async(&mut *store).await?;
            if reactor_initialize
                && let Ok(initialize) =
                    instance.get_typed_func::<(), ()>(&mut *store, REACTOR_INITIALIZE_EXPORT)
            {
                initialize.call_async(&mut *store, ()).await?;
            }
            let init = instance.get_typed_func::<(), i32>(&mut *store, INIT_EXPORT)?;
            let alloc = instance.get_typed_func::<u32, u32>(&mut *store, ALLOC_EXPORT)?;
            let invoke = instance.get_typed_func::<(u32, u32), i32>(&mut *store, INVOKE_EXPORT)?;
            let memory = instance
                .get_memory(&mut *store, "memory")
                .ok_or_else(|| wasmtime::format_err!("the runtime exports no memory"))?;
            let status = init.call_async(&mut *store, ()).await?;
            let entry = EntryPoints::Core {
                alloc,
                invoke,
                memory,
            };
            wasmtime::Result::Ok((GuestStatus::from_code(status), entry))
        };
        let result = tokio::time::timeout(setup.timeout + BLOCKED_GUEST_GRACE, guest).await;
        let duration = started.elapsed();
        let (ending, entry) = init_ending(result)?;
        let run = RunResult::collect(&sandbox, ending, duration);
        Ok(Self::started(sandbox, entry, run, log_stream, fingerprint))
    }

    /// `start` for a component guest (a language pack's runtime): instantiates it and
    /// runs its Init with the sandbox's variables.
    pub async fn start_component(
        engine: &Engine,
        instance_pre: &ComponentInstancePre<SandboxState>,
        setup: &SandboxSetup,
        log_stream: String,
        fingerprint: u64,
    ) -> Result<(Option<Self>, RunResult), InvokeError> {
        let mut sandbox = Sandbox::new(engine, setup, Vec::new())?;
        sandbox.arm_deadline(setup.timeout);
        let store = &mut sandbox.store;
        let started = Instant::now();
        let guest = async {
            let instance = instance_pre.instantiate_async(&mut *store).await?;
            let init: ComponentInit =
                instance.get_typed_func(&mut *store, COMPONENT_INIT_EXPORT)?;
            let invoke: ComponentInvoke =
                instance.get_typed_func(&mut *store, COMPONENT_INVOKE_EXPORT)?;
            let (status,) = init
                .call_async(&mut *store, (setup.variables.clone(),))
                .await?;
            let entry = EntryPoints::Component { invoke };
            wasmtime::Result::Ok((GuestStatus::from_code(status), entry))
        };
        let result = tokio::time::timeout(setup.timeout + BLOCKED_GUEST_GRACE, guest).await;
        let duration = started.elapsed();
        let (ending, entry) = init_ending(result)?;
        let run = RunResult::collect(&sandbox, ending, duration);
        Ok(Self::started(sandbox, entry, run, log_stream, fingerprint))
    }

    /// `start` for Ruby's runtime: the interpreter started with `args`, the driver
    /// evaluated, then its Init (which loads the handler's file).
    pub async fn start_ruby(
        engine: &Engine,
        instance_pre: &InstancePre<SandboxState>,
        setup: &SandboxSetup,
        ruby: &RubyStart<'_>,
        log_stream: String,
        fingerprint: u64,
    ) -> Result<(Option<Self>, RunResult), InvokeError> {
        let mut sandbox = Sandbox::new(engine, setup, Vec::new())?;
        sandbox.arm_deadline(setup.timeout);
        let store = &mut sandbox.store;
        let started = Instant::now();
        let guest = async {
            let instance = instance_pre.instantiate_async(&mut *store).await?;
            instance
                .get_typed_func::<(), ()>(&mut *store, REACTOR_INITIALIZE_EXPORT)?
                .call_async(&mut *store, ())
                .await?;
            let exports = RubyExports::find(&instance, &mut *store)?;
            exports.start(&mut *store, ruby.args).await?;
            let status = match exports.eval(&mut *store, ruby.driver).await? {
                Evaluated::Value(_) => match exports.eval(&mut *store, ruby.init).await? {
                    Evaluated::Value(status) => status_of(&status),
                    Evaluated::Raised => GuestStatus::Fatal,
                },
                Evaluated::Raised => GuestStatus::Fatal,
            };
            wasmtime::Result::Ok((status, EntryPoints::Ruby(Box::new(exports))))
        };
        let result = tokio::time::timeout(setup.timeout + BLOCKED_GUEST_GRACE, guest).await;
        let duration = started.elapsed();
        let (ending, entry) = init_ending(result)?;
        let run = RunResult::collect(&sandbox, ending, duration);
        Ok(Self::started(sandbox, entry, run, log_stream, fingerprint))
    }

    /// The environment, if Init answered `Ok`; with the run either way.
    fn started(
        sandbox: Sandbox,
        entry: Option<EntryPoints>,
        run: RunResult,
        log_stream: String,
        fingerprint: u64,
    ) -> (Option<Self>, RunResult) {
        let environment = match (entry, &run.ending) {
            (Some(entry), Ending::Answered(GuestStatus::Ok)) => Some(Self {
                sandbox,
                entry,
                log_stream,
                fingerprint,
                last_used: Instant::now(),
                outbox: None,
                tmp: None,
            }),
            _ => None,
        };
        (environment, run)
    }

    /// Serves one request (a context line and the event, see the guest). After a run
    /// that did not end with `Ok` or `FunctionError`, the environment must be dropped.
    /// A streaming handler's parts go to `sink` as they are written.
    pub async fn invoke(
        &mut self,
        request: &[u8],
        timeout: Duration,
        sink: Option<ResponseSink>,
    ) -> Result<RunResult, InvokeError> {
        let len = u32::try_from(request.len())
            .map_err(|_| InvokeError::Sandbox("the request is larger than 4 GiB".to_owned()))?;
        let Self { sandbox, entry, .. } = self;
        sandbox.arm_deadline(timeout);
        let store = &mut sandbox.store;
        store.data_mut().limiter.clear_refused();
        store.data_mut().response_stream.start(sink);
        let started = Instant::now();
        let guest = async {
            match entry {
                EntryPoints::Core {
                    alloc,
                    invoke,
                    memory,
                } => {
                    let pointer = alloc.call_async(&mut *store, len).await?;
                    let offset = usize::try_from(pointer)?;
                    memory.write(&mut *store, offset, request)?;
                    invoke.call_async(&mut *store, (pointer, len)).await
                }
                EntryPoints::Ruby(exports) => {
                    let code = ruby_invoke_call(request);
                    Ok(match exports.eval(&mut *store, &code).await? {
                        Evaluated::Value(status) => match status_of(&status) {
                            GuestStatus::Ok => 0,
                            GuestStatus::FunctionError => 1,
                            GuestStatus::Fatal => 2,
                        },
                        Evaluated::Raised => 2,
                    })
                }
                EntryPoints::Component { invoke } => {
                    // The request is JSON lambdesk made or checked: UTF-8.
                    let text = String::from_utf8_lossy(request).into_owned();
                    let (status,) = invoke.call_async(&mut *store, (text,)).await?;
                    Ok(status)
                }
            }
        };
        let result = tokio::time::timeout(timeout + BLOCKED_GUEST_GRACE, guest).await;
        let duration = started.elapsed();
        let ending = match result {
            Err(_elapsed) => Ending::TimedOut,
            Ok(Ok(status)) => Ending::Answered(GuestStatus::from_code(status)),
            Ok(Err(error)) => ending_of(&error)?,
        };
        self.last_used = Instant::now();
        let streamed = self.sandbox.store.data_mut().response_stream.finish();
        let mut run = RunResult::collect(&self.sandbox, ending, duration);
        run.streamed = streamed;
        Ok(run)
    }
}

/// How an Init ended (timed out, answered, trapped or exited), with the guest's entry
/// points when it answered.
fn init_ending(
    result: Result<wasmtime::Result<(GuestStatus, EntryPoints)>, tokio::time::error::Elapsed>,
) -> Result<(Ending, Option<EntryPoints>), InvokeError> {
    Ok(match result {
        Err(_elapsed) => (Ending::TimedOut, None),
        Ok(Ok((status, entry))) => (Ending::Answered(status), Some(entry)),
        Ok(Err(error)) => (ending_of(&error)?, None),
    })
}

/// How Ruby's runtime starts: the interpreter's arguments, the driver's source, and the
/// call that runs Init.
pub struct RubyStart<'a> {
    pub args: &'a [&'a str],
    pub driver: &'a str,
    pub init: &'a str,
}

/// The driver's answer: a status digit (see runtimes/ruby/lambdesk_runtime.rb).
fn status_of(answer: &str) -> GuestStatus {
    match answer {
        "0" => GuestStatus::Ok,
        "1" => GuestStatus::FunctionError,
        _ => GuestStatus::Fatal,
    }
}

/// The Ruby call that serves `request`: base64 needs no escaping inside a Ruby string.
fn ruby_invoke_call(request: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "LambdeskRuntime.invoke(\"{}\")",
        base64::engine::general_purpose::STANDARD.encode(request)
    )
}

/// Whether an environment can serve again after a run that ended so.
pub fn reusable_after(run: &RunResult) -> bool {
    run.refused_memory_bytes.is_none()
        && matches!(
            run.ending,
            Ending::Answered(GuestStatus::Ok | GuestStatus::FunctionError)
        )
}

/// Checks that a module is an environment-mode guest: `lambdesk_init() -> i32`,
/// `lambdesk_alloc(i32) -> i32`, `lambdesk_invoke(i32, i32) -> i32` and a `memory`.
pub fn check_exports(module: &wasmtime::Module) -> Result<(), String> {
    use wasmtime::{ExternType, ValType};
    fn i32s(mut types: impl ExactSizeIterator<Item = ValType>, count: usize) -> bool {
        types.len() == count && types.all(|value| matches!(value, ValType::I32))
    }
    for (name, params) in [(INIT_EXPORT, 0), (ALLOC_EXPORT, 1), (INVOKE_EXPORT, 2)] {
        match module.get_export(name) {
            Some(ExternType::Func(signature))
                if i32s(signature.params(), params) && i32s(signature.results(), 1) => {}
            Some(_) => {
                let expected = ["i32"; 2][..params].join(", ");
                return Err(format!(
                    "the module's `{name}` export must be a function ({expected}) -> i32"
                ));
            }
            None => return Err(format!("the module does not export `{name}`")),
        }
    }
    match module.get_export("memory") {
        Some(ExternType::Memory(_)) => Ok(()),
        _ => Err("the module does not export its `memory`".to_owned()),
    }
}
