//! Invocations of functions that run as native processes (`runtime = "provided"`): a
//! warm process is taken from the pool, or started (Init: a cold start), then serves
//! the request through its Runtime API and goes back.

use std::time::Duration;

use super::{Caller, Invocation, Runtime};
use crate::model::{Function, FunctionError, Runtime as Language, Workspace, function_arn};
use crate::runtime::ephemeral_storage::EphemeralStorage;
use crate::runtime::error::InvokeError;
use crate::runtime::lambda_environment::{lambda_variables, new_log_stream_name};
use crate::runtime::native::{
    NativeEnvironment, NativeLaunch, NativeRequest, NativeStart, check_bootstrap, init_failure,
    reusable_after,
};
use crate::runtime::response_stream::ResponseSink;
use crate::runtime::sandbox::RunResult;

/// Lambda's `PATH` in its execution environments.
const LAMBDA_PATH: &str = "/usr/local/bin:/usr/bin/:/bin:/opt/bin";

impl Runtime {
    /// Invokes a function that runs as a native process: `provided`'s `bootstrap`, or
    /// a JVM with lambdesk's Java runtime client.
    pub(super) async fn invoke_native(
        &self,
        workspace: &Workspace,
        function: &Function,
        event: &[u8],
        caller: Caller<'_>,
        sink: Option<ResponseSink>,
    ) -> Result<Invocation, InvokeError> {
        // Processes idle past their time go now, whichever function they serve.
        self.native_environments.drop_expired();
        let fingerprint = self.code_folder_fingerprint(function);
        let (mut environment, init) =
            match self.native_environments.take(&function.name, fingerprint) {
                Some(environment) => (environment, None),
                None => {
                    let log_stream = new_log_stream_name();
                    let launch = if function.config.runtime == Language::Java {
                        self.java_launch(function).await?
                    } else {
                        match NativeLaunch::provided(function) {
                            Ok(launch) => launch,
                            Err(invalid) => {
                                return Ok(init_failed(&invalid.function_error(), log_stream));
                            }
                        }
                    };
                    let (environment, init_run) = self
                        .start_native(workspace, function, launch, fingerprint, log_stream.clone())
                        .await?;
                    let Some(environment) = environment else {
                        // Init failed: the invocation fails with Init's error.
                        let init_duration = init_run.duration;
                        let mut run = init_run;
                        run.duration = Duration::ZERO;
                        return Ok(Invocation {
                            run,
                            init_duration: Some(init_duration),
                            init_log_lines: Vec::new(),
                            log_stream,
                            outbox: Vec::new(),
                        });
                    };
                    (environment, Some(init_run))
                }
            };
        let request = NativeRequest {
            request_id: caller.request_id,
            client_context: caller.client_context,
            event,
            invoked_function_arn: function_arn(&workspace.config().region, &function.name),
            timeout: Duration::from_secs(u64::from(function.config.timeout_secs)),
            sink,
        };
        let run = environment.invoke(request).await?;
        let log_stream = environment.log_stream.clone();
        if reusable_after(&run) {
            self.native_environments
                .put_back(&function.name, environment);
        }
        Ok(Invocation {
            run,
            init_duration: init.as_ref().map(|init| init.duration),
            init_log_lines: init.map(|init| init.log_lines).unwrap_or_default(),
            log_stream,
            outbox: Vec::new(),
        })
    }

    /// Starts a native execution environment of the function with `launch`: Lambda's
    /// variables and the function's, nothing of lambdesk's own environment.
    pub(super) async fn start_native(
        &self,
        workspace: &Workspace,
        function: &Function,
        launch: NativeLaunch,
        fingerprint: u64,
        log_stream: String,
    ) -> Result<(Option<NativeEnvironment>, RunResult), InvokeError> {
        let task_root = function.dir.display().to_string();
        let mut variables = vec![
            ("PATH".to_owned(), LAMBDA_PATH.to_owned()),
            (
                "LD_LIBRARY_PATH".to_owned(),
                format!("/lib64:/usr/lib64:{task_root}:{task_root}/lib:/opt/lib"),
            ),
            ("LAMBDA_TASK_ROOT".to_owned(), task_root),
        ];
        variables.extend(lambda_variables(
            function,
            &workspace.config().region,
            &log_stream,
        ));
        let tmp = EphemeralStorage::create(
            &self.ephemeral_storage_root,
            function.config.ephemeral_storage_mb,
        )?;
        NativeEnvironment::start(NativeStart {
            launch,
            variables,
            tmp,
            log_stream,
            fingerprint,
            function_name: function.name.clone(),
        })
        .await
    }

    /// A Java function's JVM: its code compiled (a build already ran when a source
    /// changed, so this only finds the classes) and the runtime client's launch, off the
    /// async threads (it reads the sources to fingerprint them).
    async fn java_launch(&self, function: &Function) -> Result<NativeLaunch, InvokeError> {
        let java = std::sync::Arc::clone(&self.java);
        let function = function.clone();
        let launched = tokio::task::spawn_blocking(move || java.launch(&function))
            .await
            .map_err(|error| InvokeError::Sandbox(format!("starting the JVM stopped: {error}")))?;
        let (launch, _code) = launched?;
        Ok(NativeLaunch {
            program: launch.program,
            args: launch.args.into_iter().map(Into::into).collect(),
            extra_env: Vec::new(),
            working_dir: launch.working_dir,
            data_limit_bytes: launch.data_limit_bytes,
        })
    }

    /// Whether a `provided` function's `bootstrap` can start: Lambda's
    /// `Runtime.InvalidEntrypoint` when it is missing or not executable.
    pub(super) fn check_native_entrypoint(function: &Function) -> Option<FunctionError> {
        check_bootstrap(&function.dir.join(crate::runtime::native::BOOTSTRAP_FILE))
            .err()
            .map(|invalid| invalid.function_error())
    }
}

/// An invocation that failed before any process started.
fn init_failed(error: &FunctionError, log_stream: String) -> Invocation {
    Invocation {
        run: init_failure(error, Duration::ZERO),
        init_duration: Some(Duration::ZERO),
        init_log_lines: Vec::new(),
        log_stream,
        outbox: Vec::new(),
    }
}
