//! Checking that a function's code loads without invoking it: the console runs this when
//! code is saved, so the editor marks a syntax error (or unmarks a fixed one) at once
//! instead of at the next Test.

use super::Runtime;
use crate::model::{Function, FunctionError, Outcome, Runtime as Language, Workspace, error_types};
use crate::runtime::error::InvokeError;
use crate::runtime::outcome::outcome_of;

impl Runtime {
    /// Checks that the function's code loads, without invoking its handler (the console
    /// does this when code is saved, so a fixed syntax error is unmarked at once and a
    /// new one marked): Init for JS, the module load for wat/wasm. `Some` is the error,
    /// as an invocation would report it.
    pub async fn check_code(
        &self,
        workspace: &Workspace,
        function: &Function,
    ) -> Result<Option<FunctionError>, InvokeError> {
        match function.config.runtime {
            Language::Js | Language::Python | Language::Ruby => {
                self.check_init(workspace, function).await
            }
            // javac checks it: its errors go to the build status (the Problems list and
            // the editor's markers), as a Rust or Go build's do.
            Language::Java => self.build_if_stale(function).await.map(|_| None),
            // Init of a native process is left to the first invocation (it may have
            // effects outside any sandbox); what Lambda checks first is checked here.
            Language::Provided => Ok(Self::check_native_entrypoint(function)),
            _ => match self.prepare(function).await {
                Ok(_) => Ok(None),
                Err(InvokeError::Load { message, .. }) => {
                    Ok(Some(FunctionError::new(error_types::SYNTAX_ERROR, message)))
                }
                Err(error) => Err(error),
            },
        }
    }

    /// Whether a JS or Python function's code loads: Init runs in a new execution environment
    /// (which parses the handler's modules and runs their top level, as a cold start
    /// does) without invoking the handler, and the environment is dropped so the next
    /// invocation is still a cold start. `Some` is the error Init failed with.
    async fn check_init(
        &self,
        workspace: &Workspace,
        function: &Function,
    ) -> Result<Option<FunctionError>, InvokeError> {
        let fingerprint = self.code_folder_fingerprint(function);
        let code = match function.config.runtime {
            Language::Python => super::EnvironmentCode::Python,
            Language::Ruby => super::EnvironmentCode::Ruby,
            _ => super::EnvironmentCode::JsRuntime,
        };
        let started = self
            .start_environment(workspace, function, code, fingerprint, false)
            .await?;
        if started.environment.is_some() {
            return Ok(None);
        }
        let (outcome, _) = outcome_of(&started.init_run, "code-check", function);
        Ok(match outcome {
            Outcome::Failure(error) => Some(error),
            Outcome::Success(_) => None,
        })
    }
}
