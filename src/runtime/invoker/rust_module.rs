//! Rust functions: built by cargo when their sources changed (see `rust_build`), then
//! loaded as their own module (an execution environment, with `lambdesk-lambda`). The
//! build runs on a blocking thread; each function's last build is kept for the console.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::{LoadedModule, Runtime};
use crate::model::{BuildDiagnostic, BuildProgress, Function};
use crate::runtime::error::InvokeError;
use crate::runtime::rust_build::{BuildError, BuildReport, RustBuilder};

/// What a Rust function's last build said, while it runs and after.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildStatus {
    /// Set while the build runs.
    pub progress: Option<BuildProgress>,
    /// The last finished build's errors and warnings.
    pub diagnostics: Vec<BuildDiagnostic>,
}

pub(super) type BuildStatuses = Arc<Mutex<HashMap<String, BuildStatus>>>;

impl Runtime {
    /// The function's loaded module if its crate did not change since, else built (when a
    /// source is newer than the module) and loaded again. `bool`: reused.
    pub(super) async fn rust_module(
        &self,
        function: &Function,
        loaded: Option<Arc<LoadedModule>>,
    ) -> Result<(Arc<LoadedModule>, bool, Option<BuildReport>), InvokeError> {
        if let Some(module) = loaded.filter(|module| module.made_from_matches(function)) {
            return Ok((module, true, None));
        }
        let report = self.build_rust_if_stale(function).await?;
        Ok((self.load_own_module(function)?, false, report))
    }

    /// Builds a Rust function when a source is newer than its module (`None`: it was up
    /// to date), on a blocking thread: cargo takes seconds.
    pub async fn build_rust_if_stale(
        &self,
        function: &Function,
    ) -> Result<Option<BuildReport>, InvokeError> {
        self.run_build(function, |builder, function, on_progress| {
            builder.build_if_stale(function, on_progress)
        })
        .await
    }

    /// Builds a Rust function whether or not it changed (`lambdesk build`).
    pub async fn build_rust(&self, function: &Function) -> Result<BuildReport, InvokeError> {
        self.run_build(function, |builder, function, on_progress| {
            builder.build(function, on_progress)
        })
        .await
    }

    /// A Rust function's last build: its progress while it runs, then its diagnostics
    /// (the editor's markers).
    pub fn build_status(&self, function_name: &str) -> Option<BuildStatus> {
        lock(&self.rust_builds).get(function_name).cloned()
    }

    pub fn rust_builder(&self) -> &RustBuilder {
        &self.rust
    }

    async fn run_build<T: BuildOutput + Send + 'static>(
        &self,
        function: &Function,
        build: impl FnOnce(
            &RustBuilder,
            &Function,
            &mut dyn FnMut(BuildProgress),
        ) -> Result<T, BuildError>
        + Send
        + 'static,
    ) -> Result<T, InvokeError> {
        let builder = Arc::clone(&self.rust);
        let statuses = Arc::clone(&self.rust_builds);
        let function = function.clone();
        let name = function.name.clone();
        let built = tokio::task::spawn_blocking(move || {
            let mut on_progress = |progress| {
                lock(&statuses)
                    .entry(function.name.clone())
                    .or_default()
                    .progress = Some(progress);
            };
            build(&builder, &function, &mut on_progress)
        })
        .await
        .map_err(|error| InvokeError::Sandbox(format!("the build stopped: {error}")));
        let diagnostics = match &built {
            Ok(Ok(output)) => output.diagnostics(),
            Ok(Err(BuildError::Compile { diagnostics })) => Some(diagnostics.clone()),
            _ => None,
        };
        let mut statuses = lock(&self.rust_builds);
        let status = statuses.entry(name).or_default();
        status.progress = None;
        if let Some(diagnostics) = diagnostics {
            status.diagnostics = diagnostics;
        }
        Ok(built??)
    }
}

/// What a build gives back, for keeping its diagnostics.
pub trait BuildOutput {
    /// `None` when nothing was built (the old diagnostics still hold).
    fn diagnostics(&self) -> Option<Vec<BuildDiagnostic>>;
}

impl BuildOutput for BuildReport {
    fn diagnostics(&self) -> Option<Vec<BuildDiagnostic>> {
        Some(self.diagnostics.clone())
    }
}

impl BuildOutput for Option<BuildReport> {
    fn diagnostics(&self) -> Option<Vec<BuildDiagnostic>> {
        self.as_ref().map(|report| report.diagnostics.clone())
    }
}

fn lock(statuses: &BuildStatuses) -> std::sync::MutexGuard<'_, HashMap<String, BuildStatus>> {
    statuses.lock().unwrap_or_else(PoisonError::into_inner)
}
