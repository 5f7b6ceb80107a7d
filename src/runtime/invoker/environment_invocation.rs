//! Invocations served by a warm execution environment (DESIGN's environment mode): the
//! JS runtime's, and those of wat/wasm modules that opt in. An environment is taken from
//! the pool, or started (Init: a cold start), then serves the request and goes back.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use wasmtime_wasi::FsPerms;

use super::ruby_runtime_loading::{RUBY_ARGS, RUBY_DRIVER, RUBY_INIT_CALL};
use super::{Caller, EnvironmentCode, Invocation, Runtime, TASK_ROOT, outbox_for, sandbox_setup};
use crate::model::{Function, Workspace, function_arn};
use crate::runtime::environment_mode::{self, Environment, RubyStart};
use crate::runtime::ephemeral_storage::EphemeralStorage;
use crate::runtime::error::InvokeError;
use crate::runtime::folder_stamp::FolderStamp;
use crate::runtime::lambda_environment::new_log_stream_name;
use crate::runtime::outbox::Outbox;
use crate::runtime::response_stream::ResponseSink;

impl Runtime {
    /// The fingerprint of a JS or Python function's code folder, taken again only when a
    /// `stat` of its folders and files shows a change.
    pub(super) fn code_folder_fingerprint(&self, function: &Function) -> u64 {
        let lock = || {
            self.js_code_stamps
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let known = lock().get(&function.name).cloned();
        if let Some(stamp) = known.filter(|stamp| stamp.matches(function)) {
            return stamp.fingerprint();
        }
        let stamp = Arc::new(FolderStamp::take(function));
        let fingerprint = stamp.fingerprint();
        lock().insert(function.name.clone(), stamp);
        fingerprint
    }

    /// Runs the invocation in a warm execution environment of the function, starting one
    /// (Init) when none is free.
    pub(super) async fn invoke_in_environment(
        &self,
        workspace: &Workspace,
        function: &Function,
        code: EnvironmentCode,
        event: &[u8],
        caller: Caller<'_>,
        sink: Option<ResponseSink>,
    ) -> Result<Invocation, InvokeError> {
        // A module load already noticed changed code (see `CodeStamp`); JS and Python
        // code is files the runtime reads, so their stamps are checked here (see
        // `FolderStamp`).
        let fingerprint = match &code {
            EnvironmentCode::OwnModule(module) => module.generation,
            EnvironmentCode::JsRuntime | EnvironmentCode::Python | EnvironmentCode::Ruby => {
                self.code_folder_fingerprint(function)
            }
        };
        let timeout = Duration::from_secs(u64::from(function.config.timeout_secs));
        let (mut environment, init) = match self.environments.take(&function.name, fingerprint) {
            Some(environment) => (environment, None),
            None => {
                let started = self
                    .start_environment(workspace, function, code, fingerprint, true)
                    .await?;
                let Some(environment) = started.environment else {
                    // Init failed: the invocation fails with Init's error.
                    let init_duration = started.init_run.duration;
                    let mut run = started.init_run;
                    run.duration = Duration::ZERO;
                    return Ok(Invocation {
                        run,
                        init_duration: Some(init_duration),
                        init_log_lines: Vec::new(),
                        log_stream: started.log_stream,
                        outbox: Vec::new(),
                    });
                };
                (environment, Some(started.init_run))
            }
        };
        let gateway_url = self.gateway_url();
        let request = invocation_request(
            workspace,
            function,
            event,
            caller,
            timeout,
            gateway_url.as_deref(),
        );
        let mut run = environment.invoke(&request, timeout, sink).await?;
        let (sent, problems) = environment
            .outbox
            .as_ref()
            .map(Outbox::take)
            .unwrap_or_default();
        run.log_lines.extend(problems);
        let log_stream = environment.log_stream.clone();
        if environment_mode::reusable_after(&run) {
            self.environments.put_back(&function.name, environment);
        }
        Ok(Invocation {
            run,
            init_duration: init.as_ref().map(|init| init.duration),
            init_log_lines: init.map(|init| init.log_lines).unwrap_or_default(),
            log_stream,
            outbox: sent,
        })
    }

    /// A new execution environment of the function, Init run: `environment` is `None`
    /// when Init failed (`init_run` says how). With `with_outbox`, the function's
    /// `/outbox` is mounted (not for a code check, which must send nothing).
    pub(super) async fn start_environment(
        &self,
        workspace: &Workspace,
        function: &Function,
        code: EnvironmentCode,
        fingerprint: u64,
        with_outbox: bool,
    ) -> Result<StartedEnvironment, InvokeError> {
        let code_dir = (
            function.dir.clone(),
            TASK_ROOT.to_owned(),
            FsPerms::ReadOnly,
        );
        let (guest, code_dir) = match code {
            EnvironmentCode::OwnModule(module) => (Guest::Module(module), None),
            EnvironmentCode::JsRuntime => {
                let (module, _) = self.js_runtime_module().await?;
                (Guest::Module(module), Some(code_dir))
            }
            EnvironmentCode::Python => (
                Guest::Component(self.python_runtime().await?),
                Some(code_dir),
            ),
            EnvironmentCode::Ruby => (Guest::Ruby(self.ruby_runtime().await?), Some(code_dir)),
        };
        // A freshly loaded module's load time counts towards the first Init.
        let load_duration = match &guest {
            Guest::Module(module)
                if with_outbox && module.cold_start_pending.swap(false, Ordering::AcqRel) =>
            {
                module.load_duration
            }
            _ => Duration::ZERO,
        };
        let log_stream = new_log_stream_name();
        let outbox = if with_outbox {
            outbox_for(workspace, function)?
        } else {
            None
        };
        let is_own_module = code_dir.is_none();
        let preopens = code_dir
            .into_iter()
            .chain(outbox.iter().map(Outbox::preopen))
            .collect();
        let tmp = EphemeralStorage::create(
            &self.ephemeral_storage_root,
            function.config.ephemeral_storage_mb,
        )?;
        let setup = sandbox_setup(
            workspace,
            function,
            &log_stream,
            preopens,
            &tmp,
            &self.gateway,
        )?;
        let (environment, mut init_run) = match &guest {
            Guest::Module(module) => {
                Environment::start(
                    module.engine(),
                    &module.instance_pre,
                    &setup,
                    log_stream.clone(),
                    fingerprint,
                    is_own_module,
                )
                .await?
            }
            Guest::Ruby(ruby) => {
                let start = RubyStart {
                    args: RUBY_ARGS,
                    driver: RUBY_DRIVER,
                    init: RUBY_INIT_CALL,
                };
                Environment::start_ruby(
                    &self.engine,
                    &ruby.instance_pre,
                    &setup,
                    &start,
                    log_stream.clone(),
                    fingerprint,
                )
                .await?
            }
            Guest::Component(component) => {
                Environment::start_component(
                    &self.engine,
                    &component.instance_pre,
                    &setup,
                    log_stream.clone(),
                    fingerprint,
                )
                .await?
            }
        };
        init_run.duration += load_duration;
        let environment = environment.map(|mut environment| {
            environment.outbox = outbox;
            environment.tmp = Some(tmp);
            environment
        });
        Ok(StartedEnvironment {
            environment,
            init_run,
            log_stream,
        })
    }
}

/// What a new environment instantiates.
enum Guest {
    Module(Arc<super::LoadedModule>),
    Component(Arc<super::python_runtime_loading::LoadedComponent>),
    Ruby(Arc<super::ruby_runtime_loading::LoadedRuby>),
}

/// A new execution environment, or how its Init failed.
pub(super) struct StartedEnvironment {
    pub(super) environment: Option<Environment>,
    pub(super) init_run: crate::runtime::sandbox::RunResult,
    pub(super) log_stream: String,
}

/// The environment-mode request: one line of context, then the event.
fn invocation_request(
    workspace: &Workspace,
    function: &Function,
    event: &[u8],
    caller: Caller<'_>,
    timeout: Duration,
    gateway_url: Option<&str>,
) -> Vec<u8> {
    /// Serialised straight into the request (a `json!` map was 3 % of `serve`'s CPU).
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Context<'a> {
        aws_request_id: &'a str,
        deadline_ms: i64,
        invoked_function_arn: &'a str,
        /// The invoking client's context, a JSON object (Python's, Ruby's, Go's and
        /// Node's contexts give it as such).
        #[serde(skip_serializing_if = "Option::is_none")]
        client_context: Option<&'a serde_json::value::RawValue>,
        /// The workspace's HTTP gateway, while it runs: `LAMBDESK_GATEWAY_URL` for the
        /// handler (per invocation, as a gateway starts and stops under a warm one).
        #[serde(skip_serializing_if = "Option::is_none")]
        gateway_url: Option<&'a str>,
    }
    let deadline_ms = chrono::Utc::now()
        .timestamp_millis()
        .saturating_add(i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX));
    let arn = function_arn(&workspace.config().region, &function.name);
    let mut request = Vec::with_capacity(160 + event.len());
    // Strings and an integer: serialising cannot fail.
    let _ = serde_json::to_writer(
        &mut request,
        &Context {
            aws_request_id: caller.request_id,
            deadline_ms,
            invoked_function_arn: &arn,
            // Checked to be a JSON object where it came in (the Invoke API).
            client_context: caller
                .client_context
                .and_then(|json| serde_json::from_str(json).ok()),
            gateway_url,
        },
    );
    request.push(b'\n');
    request.extend_from_slice(event);
    request
}
