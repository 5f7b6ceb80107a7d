//! A wat, wasm, Rust or Go function's own module: loaded from the module cache or
//! compiled (a new Rust or Go module by Winch first, see `tiered_compile`), checked
//! against DESIGN.md's two guest contracts, and kept in the function's slot until its
//! code changes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wasmtime::{Engine, ExternType, InstancePre, Module};

use super::{GuestMode, LoadedModule, Runtime, WASI_PREVIEW1};
use crate::model::{Function, Runtime as Language};
use crate::runtime::code_stamp::CodeStamp;
use crate::runtime::environment_mode;
use crate::runtime::ephemeral_storage::IdleStorage;
use crate::runtime::error::{InvokeError, describe};
use crate::runtime::folder_stamp::FolderStamp;
use crate::runtime::lambda_environment::new_log_stream_name;
use crate::runtime::module_cache::ModuleOrigin;
use crate::runtime::module_source::{built_module_bytes, module_bytes};
use crate::runtime::sandbox::SandboxState;

/// What a function's own module was made from.
#[derive(Debug)]
pub(super) enum ModuleStamp {
    /// A wat or wasm function's code file.
    File(CodeStamp),
    /// A built function's sources: every file of its folder (the build's input).
    Folder(FolderStamp),
}

impl ModuleStamp {
    fn take(function: &Function) -> Self {
        match function.config.runtime {
            Language::Rust | Language::Go => Self::Folder(FolderStamp::take(function)),
            _ => Self::File(CodeStamp::take(function)),
        }
    }

    fn matches(&self, function: &Function) -> bool {
        match self {
            Self::File(stamp) => stamp.matches(function),
            Self::Folder(stamp) => stamp.matches(function),
        }
    }
}

/// Numbers module loads, so environments started from an earlier load are not reused.
static LOAD_GENERATION: AtomicU64 = AtomicU64::new(1);

impl LoadedModule {
    /// A function's own module, just loaded: its first invocation is a cold start.
    pub(super) fn own(
        made_from: Arc<ModuleStamp>,
        instance_pre: InstancePre<SandboxState>,
        mode: GuestMode,
        origin: ModuleOrigin,
        load_duration: Duration,
    ) -> Self {
        Self {
            made_from: Some(made_from),
            instance_pre,
            mode,
            generation: LOAD_GENERATION.fetch_add(1, Ordering::Relaxed),
            origin,
            load_duration,
            cold_start_pending: AtomicBool::new(true),
            log_stream: new_log_stream_name(),
            idle_tmp: IdleStorage::default(),
        }
    }

    pub(super) fn made_from_matches(&self, function: &Function) -> bool {
        self.made_from
            .as_ref()
            .is_some_and(|stamp| stamp.matches(function))
    }

    /// The engine that compiled the module: its stores are the only ones it runs in
    /// (Cranelift's, or Winch's for a module compiled by Winch).
    pub(super) fn engine(&self) -> &Engine {
        self.instance_pre.module().engine()
    }
}

impl Runtime {
    /// The function's own module (wat or wasm), loaded once and again when its code or
    /// configuration changes.
    pub(super) fn function_module(
        &self,
        function: &Function,
    ) -> Result<(Arc<LoadedModule>, bool), InvokeError> {
        let (_, loaded) = self.slot_of(function);
        self.reuse_or_load(function, loaded)
    }

    /// `loaded` if it was made from the function's current code, else a new load.
    pub(super) fn reuse_or_load(
        &self,
        function: &Function,
        loaded: Option<Arc<LoadedModule>>,
    ) -> Result<(Arc<LoadedModule>, bool), InvokeError> {
        // Checked outside the lock: the stamp is a system call.
        if let Some(module) = loaded.filter(|module| module.made_from_matches(function)) {
            return Ok((module, true));
        }
        Ok((self.load_own_module(function)?, false))
    }

    /// Loads the function's own module (a Rust or Go function's as last built), compiling
    /// it when the module cache does not have it: a Rust or Go module by Winch first,
    /// replaced by Cranelift's in the background (see `tiered_compile`).
    pub(super) fn load_own_module(
        &self,
        function: &Function,
    ) -> Result<Arc<LoadedModule>, InvokeError> {
        // Compile outside the lock: other functions keep running meanwhile.
        let started = Instant::now();
        let stamp = Arc::new(ModuleStamp::take(function));
        let path = function.code_path();
        let load_error = |message: String| InvokeError::Load {
            path: path.clone(),
            message,
        };
        let builder = self.builder_for(function);
        let wasm = match &builder {
            Some(builder) => built_module_bytes(&path, &builder.module_path(function))?,
            None => module_bytes(function)?,
        };
        let invalid = |error: wasmtime::Error| {
            load_error(format!(
                "not a valid WebAssembly module: {}",
                describe(&error)
            ))
        };
        let (module, origin, linker) = match self.cache.lookup(&self.engine, &wasm) {
            Some(module) => (module, ModuleOrigin::DiskCache, &*self.linker),
            None => match builder.and_then(|_| self.tiers.compile_baseline(&wasm)) {
                Some((module, linker)) => (module, ModuleOrigin::Baseline, linker),
                None => {
                    let module = self.cache.compile(&self.engine, &wasm).map_err(invalid)?;
                    (module, ModuleOrigin::Compiled, &*self.linker)
                }
            },
        };
        let mode = guest_mode(&module).map_err(load_error)?;
        let instance_pre = linker
            .instantiate_pre(&module)
            .map_err(|error| load_error(describe(&error)))?;
        let module = Arc::new(LoadedModule::own(
            stamp,
            instance_pre,
            mode,
            origin,
            started.elapsed(),
        ));
        self.lock_functions()
            .entry(function.name.clone())
            .or_default()
            .module = Some(Arc::clone(&module));
        if origin == ModuleOrigin::Baseline {
            self.tiers.optimise_later(&function.name, wasm, &module);
        }
        Ok(module)
    }
}

/// A function's own module must import nothing but WASI preview 1, and be a command
/// (`_start`) or an execution environment (`lambdesk_init`, `lambdesk_alloc`,
/// `lambdesk_invoke` and `memory`, and if it is a WASI reactor `_initialize`, which runs
/// first); a module that exports both `_start` and the environment's functions is refused.
fn guest_mode(module: &Module) -> Result<GuestMode, String> {
    if let Some(import) = module
        .imports()
        .find(|import| import.module() != WASI_PREVIEW1)
    {
        return Err(format!(
            "the module imports `{}::{}`, which lambdesk does not provide: a function may import only WASI preview 1 (`{WASI_PREVIEW1}`)",
            import.module(),
            import.name()
        ));
    }
    // Exporting any of the environment's functions is opting in: say what is missing.
    let opts_in = [
        environment_mode::INIT_EXPORT,
        environment_mode::ALLOC_EXPORT,
        environment_mode::INVOKE_EXPORT,
    ]
    .into_iter()
    .any(|name| module.get_export(name).is_some());
    if opts_in {
        environment_mode::check_exports(module)?;
        if module.get_export("_start").is_some() {
            // A command's `_start` must run first and exits; it cannot also serve.
            return Err(format!(
                "the module exports both `_start` and `{}`: build it as a WASI reactor (exporting `_initialize`, e.g. a Rust `cdylib`) to run as an execution environment, or without the `lambdesk_*` exports to run as a command",
                environment_mode::INVOKE_EXPORT
            ));
        }
        return Ok(GuestMode::Environment);
    }
    let start_ok = matches!(
        module.get_export("_start"),
        Some(ExternType::Func(signature)) if signature.params().len() == 0 && signature.results().len() == 0
    );
    if start_ok {
        Ok(GuestMode::Command)
    } else {
        Err(format!(
            "the module does not export a `_start` function: lambdesk runs WASI command modules (the event on stdin, the response on stdout), or execution environments that export `{}`, `{}`, `{}` and `memory`",
            environment_mode::INIT_EXPORT,
            environment_mode::ALLOC_EXPORT,
            environment_mode::INVOKE_EXPORT
        ))
    }
}
