//! The embedded JS runtime, loaded once per process: its wizer snapshot (made once per
//! machine), compiled (or read from the module cache) and linked; the step in progress
//! is visible while it happens.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::{GuestMode, LoadedModule, Runtime, describe};
use crate::runtime::environment_mode;
use crate::runtime::ephemeral_storage::IdleStorage;
use crate::runtime::error::InvokeError;
use crate::runtime::js_preparation::JsPreparationStep;
use crate::runtime::js_runtime;
use crate::runtime::js_snapshot;

impl Runtime {
    /// The step of the JS runtime's one-time preparation in progress (the first
    /// JavaScript invocation of a machine waits for it), and how long it has run.
    pub fn js_preparation(&self) -> Option<(JsPreparationStep, Duration)> {
        self.js_preparation.current()
    }

    /// Prepares the JS runtime now (snapshot, compile), so the first JavaScript Test
    /// does not wait for it.
    pub async fn prepare_js_runtime(&self) -> Result<(), InvokeError> {
        self.js_runtime
            .get_or_try_init(|| self.load_js_runtime())
            .await
            .map(|_| ())
    }

    /// The JS runtime module, loaded once per process (snapshotted and compiled once per
    /// machine).
    pub(super) async fn js_runtime_module(&self) -> Result<(Arc<LoadedModule>, bool), InvokeError> {
        let reused = self.js_runtime.initialized();
        let module = self
            .js_runtime
            .get_or_try_init(|| self.load_js_runtime())
            .await?;
        Ok((Arc::clone(module), reused))
    }

    async fn load_js_runtime(&self) -> Result<Arc<LoadedModule>, InvokeError> {
        let started = Instant::now();
        let path = self
            .js_runtime_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("<embedded>/assets/runtime/quickjs.wasm"));
        let load_error = |message: String| InvokeError::Load {
            path: path.clone(),
            message,
        };
        let plain = js_runtime::runtime_bytes(self.js_runtime_path.as_deref())
            .map_err(|error| load_error(error.to_string()))?;
        // Without a snapshot every environment runs the bootstrap itself: slower, same
        // behaviour. So a failed snapshot is not an error.
        self.js_preparation.begin(JsPreparationStep::Snapshot);
        let wasm = js_snapshot::snapshot(&self.engine, &self.linker, self.cache.dir(), &plain)
            .await
            .unwrap_or(plain);
        self.js_preparation.begin(JsPreparationStep::Compile);
        let loaded = self.cache.load(&self.engine, &wasm);
        self.js_preparation.end();
        let (module, origin) = loaded.map_err(|error| load_error(describe(&error)))?;
        environment_mode::check_exports(&module).map_err(load_error)?;
        let instance_pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|error| load_error(describe(&error)))?;
        Ok(Arc::new(LoadedModule {
            made_from: None,
            instance_pre,
            mode: GuestMode::Environment,
            generation: 0,
            origin,
            load_duration: started.elapsed(),
            cold_start_pending: AtomicBool::new(false),
            log_stream: String::new(),
            idle_tmp: IdleStorage::default(),
        }))
    }
}
