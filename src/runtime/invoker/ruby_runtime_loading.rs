//! Ruby's runtime, loaded once per process: its language pack prepared (once per machine,
//! see `ruby_pack`), compiled (or read from the module cache) and linked with the host
//! functions ruby.wasm imports besides WASI (see `ruby_abi`).

use std::sync::Arc;
use std::time::Duration;

use wasmtime::InstancePre;

use super::{Runtime, describe};
use crate::runtime::error::InvokeError;
use crate::runtime::language_pack::PackStep;
use crate::runtime::module_cache::ModuleOrigin;
use crate::runtime::ruby_abi;
use crate::runtime::ruby_pack;
use crate::runtime::sandbox::SandboxState;

/// The driver every Ruby environment evaluates after the interpreter starts.
pub(super) const RUBY_DRIVER: &str = include_str!("../../../runtimes/ruby/lambdesk_runtime.rb");
/// Its Init call.
pub(super) const RUBY_INIT_CALL: &str = "LambdeskRuntime.init";
/// The interpreter's arguments: UTF-8 source and data, an empty script (`-e`), and
/// RubyGems loaded only when a `require` needs it (see the driver's `LazyRubyGems`): its
/// start was two thirds of a cold start.
pub(super) const RUBY_ARGS: &[&str] = &["ruby", "--disable-gems", "-EUTF-8", "-e_=0"];

/// ruby.wasm, compiled and linked.
pub(crate) struct LoadedRuby {
    pub(super) instance_pre: InstancePre<SandboxState>,
    pub(super) origin: ModuleOrigin,
    pub(super) load_duration: Duration,
}

impl Runtime {
    /// The step of preparing Ruby's language pack in progress, and for how long.
    pub fn ruby_preparation(&self) -> Option<(PackStep, Duration)> {
        self.ruby_progress.current()
    }

    /// Whether Ruby's language pack seems prepared (cheap: no checksum).
    pub fn ruby_pack_looks_ready(&self) -> bool {
        self.ruby_pack.looks_ready()
    }

    /// Ruby's runtime module, loaded once per process.
    pub(super) async fn ruby_runtime(&self) -> Result<Arc<LoadedRuby>, InvokeError> {
        let loaded = self
            .ruby_module
            .get_or_try_init(|| self.load_ruby_runtime())
            .await?;
        Ok(Arc::clone(loaded))
    }

    async fn load_ruby_runtime(&self) -> Result<Arc<LoadedRuby>, InvokeError> {
        let started = std::time::Instant::now();
        let pack = self.ruby_pack.clone();
        let progress = Arc::clone(&self.ruby_progress);
        let engine = self.engine.clone();
        let cache = self.cache.clone();
        // npm and Cranelift take seconds: off the async threads.
        let (module, origin) = tokio::task::spawn_blocking(move || {
            let bytes = pack
                .ensure(&progress)
                .map_err(|error| InvokeError::LanguagePack(error.to_string()))?;
            progress.begin(ruby_pack::COMPILE);
            let compiled = cache.load(&engine, &bytes);
            progress.end();
            compiled.map_err(|error| {
                InvokeError::LanguagePack(format!(
                    "Ruby's runtime ({}) could not be compiled: {}",
                    pack.artefact_path().display(),
                    describe(&error)
                ))
            })
        })
        .await
        .map_err(|error| InvokeError::Sandbox(format!("preparing Ruby failed: {error}")))??;
        let link_error = |error: wasmtime::Error| {
            InvokeError::LanguagePack(format!(
                "Ruby's runtime cannot be linked: {}",
                describe(&error)
            ))
        };
        let mut linker = (*self.linker).clone();
        ruby_abi::add_to_linker(&mut linker, &module).map_err(link_error)?;
        let instance_pre = linker.instantiate_pre(&module).map_err(link_error)?;
        Ok(Arc::new(LoadedRuby {
            instance_pre,
            origin,
            load_duration: started.elapsed(),
        }))
    }
}
