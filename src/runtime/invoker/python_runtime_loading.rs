//! Python's runtime, loaded once per process: its language pack prepared (once per
//! machine, see `python_pack`), compiled (or read from the module cache) and linked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::InstancePre;

use super::{Runtime, describe};
use crate::runtime::error::InvokeError;
use crate::runtime::language_pack::PackStep;
use crate::runtime::module_cache::ModuleOrigin;
use crate::runtime::python_pack;
use crate::runtime::sandbox::SandboxState;

/// A language pack's runtime component, compiled and linked.
pub(crate) struct LoadedComponent {
    pub(super) instance_pre: InstancePre<SandboxState>,
    pub(super) origin: ModuleOrigin,
    pub(super) load_duration: Duration,
}

impl Runtime {
    /// The step of preparing Python's language pack in progress, and for how long.
    pub fn python_preparation(&self) -> Option<(PackStep, Duration)> {
        self.python_progress.current()
    }

    /// Whether Python's language pack seems prepared (cheap: no checksum).
    pub fn python_pack_looks_ready(&self) -> bool {
        self.python_pack.looks_ready()
    }

    /// Prepares Python's runtime now (the language pack, its compilation), so the first
    /// Python invocation does not wait for it.
    pub async fn prepare_python_runtime(&self) -> Result<(), InvokeError> {
        self.python_runtime().await.map(|_| ())
    }

    /// Python's runtime component, loaded once per process.
    pub(super) async fn python_runtime(&self) -> Result<Arc<LoadedComponent>, InvokeError> {
        let loaded = self
            .python_component
            .get_or_try_init(|| self.load_python_runtime())
            .await?;
        Ok(Arc::clone(loaded))
    }

    async fn load_python_runtime(&self) -> Result<Arc<LoadedComponent>, InvokeError> {
        let started = Instant::now();
        let pack = self.python_pack.clone();
        let progress = Arc::clone(&self.python_progress);
        let engine = self.engine.clone();
        let cache = self.cache.clone();
        // pip, componentize-py and Cranelift take seconds: off the async threads.
        let compiled = tokio::task::spawn_blocking(move || {
            let bytes = pack
                .ensure(&progress)
                .map_err(|error| InvokeError::LanguagePack(error.to_string()))?;
            progress.begin(python_pack::COMPILE);
            let compiled = cache.load_component(&engine, &bytes);
            progress.end();
            compiled.map_err(|error| {
                InvokeError::LanguagePack(format!(
                    "Python's runtime ({}) could not be compiled: {}",
                    pack.artefact_path().display(),
                    describe(&error)
                ))
            })
        })
        .await
        .map_err(|error| InvokeError::Sandbox(format!("preparing Python failed: {error}")))??;
        let (component, origin) = compiled;
        let instance_pre = self
            .component_linker
            .instantiate_pre(&component)
            .map_err(|error| {
                InvokeError::LanguagePack(format!(
                    "Python's runtime cannot be linked: {}",
                    describe(&error)
                ))
            })?;
        Ok(Arc::new(LoadedComponent {
            instance_pre,
            origin,
            load_duration: started.elapsed(),
        }))
    }
}
