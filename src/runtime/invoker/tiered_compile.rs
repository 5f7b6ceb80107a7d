//! Winch first, Cranelift behind. A Rust or Go function's module that is new (rebuilt
//! after a save, so not in the module cache) is compiled by Winch, wasmtime's baseline
//! compiler, several times faster than by Cranelift (BENCHMARKS.md): the first answer
//! after a save does not wait for Cranelift. Cranelift then compiles it on a thread of
//! its own; its module replaces Winch's in the function's slot with a new generation, so
//! warm environments running Winch's code are retired at the next invocation (the pool
//! drops environments of another generation) and new ones run Cranelift's code. Only
//! Cranelift's code goes into the on-disk module cache: a later process loads it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::time::Instant;

use wasmtime::{Engine, Linker, Module};

use super::host_linker::module_linker;
use super::{FunctionSlots, GuestMode, LoadedModule, ModuleStamp};
use crate::runtime::engine::{CodeCompiler, MAX_CONCURRENT_INSTANCES, engine_for};
use crate::runtime::error::describe;
use crate::runtime::module_cache::{ModuleCache, ModuleOrigin};
use crate::runtime::sandbox::SandboxState;

/// Which compilers make a new Rust or Go module (one not in the module cache) ready.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BuiltCodeCompilers {
    /// Winch for the first answer; Cranelift in the background, whose code replaces it.
    #[default]
    WinchThenCranelift,
    /// Cranelift only: the first answer waits for it (lambdesk before Winch).
    CraneliftOnly,
    /// Winch only, never replaced: for measuring Winch's code against Cranelift's.
    WinchOnly,
}

/// The Winch side of a runtime and its background Cranelift compiles.
pub(super) struct Tiers {
    compilers: BuiltCodeCompilers,
    /// Made at the first Winch compile, so a process running no built function reserves
    /// no second instance pool. `None`: Winch's engine could not be made, and Cranelift
    /// compiles everything, as before.
    winch: OnceLock<Option<WinchHost>>,
    optimiser: Arc<Optimiser>,
}

/// Winch's engine and the linker for it (a module runs only with its own engine's).
struct WinchHost {
    engine: Engine,
    linker: Linker<SandboxState>,
}

impl Tiers {
    /// `engine`, `linker` and `cache` are Cranelift's, shared with the runtime;
    /// `functions` is where a replaced module is put.
    pub(super) fn new(
        compilers: BuiltCodeCompilers,
        engine: Engine,
        linker: Arc<Linker<SandboxState>>,
        cache: ModuleCache,
        functions: FunctionSlots,
    ) -> Self {
        Self {
            compilers,
            winch: OnceLock::new(),
            optimiser: Arc::new(Optimiser {
                engine,
                linker,
                cache,
                functions,
                running: Mutex::default(),
                finished: Condvar::new(),
            }),
        }
    }

    /// `wasm` compiled by Winch, with the linker to instantiate it; `None` when it is
    /// for Cranelift: Winch is not wanted, or cannot compile this module (it lacks some
    /// SIMD instructions, and Cranelift's error for an invalid module is the one to show).
    pub(super) fn compile_baseline(&self, wasm: &[u8]) -> Option<(Module, &Linker<SandboxState>)> {
        if self.compilers == BuiltCodeCompilers::CraneliftOnly {
            return None;
        }
        let host = self.winch.get_or_init(new_winch_host).as_ref()?;
        let module = Module::from_binary(&host.engine, wasm).ok()?;
        Some((module, &host.linker))
    }

    /// Has Cranelift compile `wasm` in the background and put its module in `baseline`'s
    /// place, unless the code changed meanwhile (a newer module is there).
    pub(super) fn optimise_later(
        &self,
        function: &str,
        wasm: Vec<u8>,
        baseline: &Arc<LoadedModule>,
    ) {
        if self.compilers == BuiltCodeCompilers::WinchOnly {
            return;
        }
        Optimiser::schedule(
            &self.optimiser,
            Job {
                function: function.to_owned(),
                wasm,
                made_from: baseline.made_from.clone(),
                mode: baseline.mode,
                replaces: Arc::downgrade(baseline),
            },
        );
    }

    /// The background compiler, to wait for (`Optimiser::wait_idle`).
    pub(super) fn optimiser(&self) -> Arc<Optimiser> {
        Arc::clone(&self.optimiser)
    }
}

fn new_winch_host() -> Option<WinchHost> {
    let engine = engine_for(CodeCompiler::Winch, MAX_CONCURRENT_INSTANCES)
        .map_err(|error| describe(&error))
        .and_then(|engine| {
            let linker = module_linker(&engine).map_err(|error| error.to_string())?;
            Ok(WinchHost { engine, linker })
        });
    match engine {
        Ok(host) => Some(host),
        Err(error) => {
            // Cranelift still compiles every module; only the first answer is slower.
            eprintln!("lambdesk: Winch is not available, Cranelift compiles every module: {error}");
            None
        }
    }
}

/// Cranelift's background compiles: at most one thread per function at a time.
pub(super) struct Optimiser {
    engine: Engine,
    linker: Arc<Linker<SandboxState>>,
    cache: ModuleCache,
    functions: FunctionSlots,
    /// Functions whose compile thread runs, each with the job to do after the running
    /// one: only the newest, as an older one is stale already.
    running: Mutex<HashMap<String, Option<Job>>>,
    /// Notified when a function's compile thread ends.
    finished: Condvar,
}

/// One module for Cranelift to compile.
struct Job {
    function: String,
    wasm: Vec<u8>,
    made_from: Option<Arc<ModuleStamp>>,
    mode: GuestMode,
    /// Winch's module, replaced only while it is still the function's module.
    replaces: Weak<LoadedModule>,
}

impl Optimiser {
    fn schedule(this: &Arc<Self>, job: Job) {
        let name = job.function.clone();
        let mut running = this.lock_running();
        match running.entry(name.clone()) {
            Entry::Occupied(mut waiting) => {
                waiting.insert(Some(job));
                return;
            }
            Entry::Vacant(free) => {
                free.insert(None);
            }
        }
        drop(running);
        let optimiser = Arc::clone(this);
        let spawned = std::thread::Builder::new()
            .name("lambdesk-cranelift".to_owned())
            .spawn(move || optimiser.work(job));
        if let Err(error) = spawned {
            // The function keeps Winch's code; everything still works, more slowly.
            eprintln!("lambdesk: could not start Cranelift's background compile: {error}");
            this.lock_running().remove(&name);
            this.finished.notify_all();
        }
    }

    /// Compiles `job`, then any newer job queued for the function meanwhile.
    fn work(&self, mut job: Job) {
        let name = job.function.clone();
        loop {
            // A panic in the compiler must not leave the function marked as compiling.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| self.optimise(job)));
            let mut running = self.lock_running();
            match running.get_mut(&name).and_then(Option::take) {
                Some(next) => job = next,
                None => {
                    running.remove(&name);
                    self.finished.notify_all();
                    return;
                }
            }
        }
    }

    fn optimise(&self, job: Job) {
        if !self.still_in_use(&job) {
            return;
        }
        let started = Instant::now();
        // Into the on-disk cache too: the next process loads Cranelift's code.
        let Ok((module, _)) = self.cache.load(&self.engine, &job.wasm) else {
            return;
        };
        let Ok(instance_pre) = self.linker.instantiate_pre(&module) else {
            return;
        };
        let Some(made_from) = job.made_from else {
            return;
        };
        let optimised = Arc::new(LoadedModule::own(
            made_from,
            instance_pre,
            job.mode,
            ModuleOrigin::Compiled,
            started.elapsed(),
        ));
        // Nobody waited for this compile: it is not an Init to report.
        optimised
            .cold_start_pending
            .store(false, std::sync::atomic::Ordering::Release);
        let mut functions = self
            .functions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = functions.get_mut(&job.function)
            && slot
                .module
                .as_ref()
                .is_some_and(|current| std::ptr::eq(Arc::as_ptr(current), job.replaces.as_ptr()))
        {
            slot.module = Some(optimised);
        }
    }

    /// Whether Winch's module is still the function's (not unloaded, not replaced by
    /// newer code): else the compile would be wasted.
    fn still_in_use(&self, job: &Job) -> bool {
        self.functions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&job.function)
            .and_then(|slot| slot.module.as_ref())
            .is_some_and(|current| std::ptr::eq(Arc::as_ptr(current), job.replaces.as_ptr()))
    }

    /// Blocks until no background compile runs.
    pub(super) fn wait_idle(&self) {
        let mut running = self.lock_running();
        while !running.is_empty() {
            running = self
                .finished
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn lock_running(&self) -> MutexGuard<'_, HashMap<String, Option<Job>>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
