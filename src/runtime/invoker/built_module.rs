//! Functions lambdesk builds (Rust with cargo, Go with go; see `function_build`): built
//! when their sources changed, then loaded as their own module (an execution
//! environment, with the language's guest package). The build runs on a blocking
//! thread; each function's last build is kept for the console.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::{LoadedModule, Runtime};
use crate::model::{BuildDiagnostic, BuildProgress, Function, Runtime as Language};
use crate::runtime::error::InvokeError;
use crate::runtime::function_build::{BuildError, BuildReport, FunctionBuilder};

/// What a built function's last build said, while it runs and after.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildStatus {
    /// Set while the build runs.
    pub progress: Option<BuildProgress>,
    /// The last finished build's errors and warnings.
    pub diagnostics: Vec<BuildDiagnostic>,
}

pub(super) type BuildStatuses = Arc<Mutex<HashMap<String, BuildStatus>>>;

impl Runtime {
    /// The function's loaded module if its sources did not change since, else built (when
    /// a source is newer than the module) and loaded again. `bool`: reused.
    pub(super) async fn built_module(
        &self,
        function: &Function,
        loaded: Option<Arc<LoadedModule>>,
    ) -> Result<(Arc<LoadedModule>, bool, Option<BuildReport>), InvokeError> {
        if let Some(module) = loaded.filter(|module| module.made_from_matches(function)) {
            return Ok((module, true, None));
        }
        let report = self.build_if_stale(function).await?;
        Ok((self.load_own_module(function)?, false, report))
    }

    /// Builds a Rust or Go function when a source is newer than its module (`None`: it
    /// was up to date), on a blocking thread: a toolchain takes seconds.
    pub async fn build_if_stale(
        &self,
        function: &Function,
    ) -> Result<Option<BuildReport>, InvokeError> {
        self.run_build(function, |builder, function, on_progress| {
            builder.build_if_stale(function, on_progress)
        })
        .await
    }

    /// Builds a Rust or Go function whether or not it changed (`lambdesk build`).
    pub async fn build(&self, function: &Function) -> Result<BuildReport, InvokeError> {
        self.run_build(function, |builder, function, on_progress| {
            builder.build(function, on_progress)
        })
        .await
    }

    /// A built function's last build: its progress while it runs, then its diagnostics
    /// (the editor's markers).
    pub fn build_status(&self, function_name: &str) -> Option<BuildStatus> {
        lock(&self.builds).get(function_name).cloned()
    }

    pub fn rust_builder(&self) -> &crate::runtime::RustBuilder {
        &self.rust
    }

    pub fn go_builder(&self) -> &crate::runtime::GoBuilder {
        &self.go
    }

    pub fn java_builder(&self) -> &crate::runtime::JavaBuilder {
        &self.java
    }

    /// The builder of the function's language; `None` for code that is not built.
    pub(super) fn builder_for(&self, function: &Function) -> Option<Arc<dyn FunctionBuilder>> {
        match function.config.runtime {
            Language::Rust => Some(Arc::clone(&self.rust) as Arc<dyn FunctionBuilder>),
            Language::Go => Some(Arc::clone(&self.go) as Arc<dyn FunctionBuilder>),
            Language::Java => Some(Arc::clone(&self.java) as Arc<dyn FunctionBuilder>),
            Language::Js
            | Language::Wat
            | Language::Wasm
            | Language::Python
            | Language::Ruby
            | Language::Provided => None,
        }
    }

    async fn run_build<T: BuildOutput + Send + 'static>(
        &self,
        function: &Function,
        build: impl FnOnce(
            &dyn FunctionBuilder,
            &Function,
            &mut dyn FnMut(BuildProgress),
        ) -> Result<T, BuildError>
        + Send
        + 'static,
    ) -> Result<T, InvokeError> {
        let Some(builder) = self.builder_for(function) else {
            return Err(InvokeError::UnsupportedRuntime(function.config.runtime));
        };
        let statuses = Arc::clone(&self.builds);
        let function = function.clone();
        let name = function.name.clone();
        let built = tokio::task::spawn_blocking(move || {
            let mut on_progress = |progress| {
                lock(&statuses)
                    .entry(function.name.clone())
                    .or_default()
                    .progress = Some(progress);
            };
            build(builder.as_ref(), &function, &mut on_progress)
        })
        .await
        .map_err(|error| InvokeError::Sandbox(format!("the build stopped: {error}")));
        let diagnostics = match &built {
            Ok(Ok(output)) => output.diagnostics(),
            Ok(Err(BuildError::Compile { diagnostics })) => Some(diagnostics.clone()),
            _ => None,
        };
        let mut statuses = lock(&self.builds);
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
