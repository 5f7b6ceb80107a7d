//! `lambdesk lambda-bootstrap`: lambdesk as the `bootstrap` of a Lambda custom runtime
//! (`provided.al2023`). It loads the function from the task root (`function.toml` as
//! `lambdesk export` writes it, or only the module `_HANDLER` names), then loops: the
//! next invocation from the Runtime API, run by the same `Runtime` (wasmtime, limits and
//! error types) as on the desktop, its response or error posted back. The function's own
//! log lines go to stdout, where Lambda collects them; Lambda writes START/END/REPORT.

mod runtime_api_client;

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::model::{
    Architecture, FUNCTION_FILE, Function, FunctionConfig, Outcome, Runtime as Language, Workspace,
    WorkspaceError, check_region, write_atomically,
};
use crate::runtime::{InvokeError, InvokeOptions, Runtime, RuntimeOptions};

pub use runtime_api_client::{NextInvocation, RuntimeApiClient, RuntimeApiError};

/// Sandboxes the bootstrap's pool holds: the invocation's, and one being replaced.
const BOOTSTRAP_SANDBOX_SLOTS: u32 = 2;

/// What Lambda tells a custom runtime through its environment.
#[derive(Debug, Clone)]
pub struct BootstrapSettings {
    /// `AWS_LAMBDA_RUNTIME_API`: `host:port` of the Runtime API.
    pub runtime_api: String,
    /// `LAMBDA_TASK_ROOT`: the function's code (`/var/task`).
    pub task_root: PathBuf,
    /// `_HANDLER`: the function's `Handler` (the module file).
    pub handler: Option<String>,
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub function_name: String,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`: the memory Lambda gives the function, its
    /// sandbox's limit too.
    pub memory_mb: Option<u32>,
    /// `AWS_REGION`.
    pub region: Option<String>,
    /// Where lambdesk keeps what it makes (the compiled module, its workspace file):
    /// Lambda's only writable folder is `/tmp`.
    pub scratch_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(
        "{0} is not set: `lambdesk lambda-bootstrap` runs as a Lambda custom runtime's bootstrap, where Lambda sets it"
    )]
    MissingVariable(&'static str),
    #[error(transparent)]
    RuntimeApi(#[from] RuntimeApiError),
    #[error("the function could not start (reported to Lambda as {error_type}): {message}")]
    Init { error_type: String, message: String },
}

impl BootstrapSettings {
    /// The settings from the process's environment.
    pub fn from_environment() -> Result<Self, BootstrapError> {
        let variable =
            |name: &'static str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let required =
            |name: &'static str| variable(name).ok_or(BootstrapError::MissingVariable(name));
        Ok(Self {
            runtime_api: required("AWS_LAMBDA_RUNTIME_API")?,
            task_root: PathBuf::from(required("LAMBDA_TASK_ROOT")?),
            handler: variable("_HANDLER"),
            function_name: variable("AWS_LAMBDA_FUNCTION_NAME")
                .unwrap_or_else(|| "function".to_owned()),
            memory_mb: variable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").and_then(|mb| mb.parse().ok()),
            region: variable("AWS_REGION"),
            scratch_dir: std::env::temp_dir().join("lambdesk-bootstrap"),
        })
    }
}

/// Serves invocations until the Runtime API goes away (Lambda ends the environment by
/// stopping the process; an error here is what ended the loop otherwise).
pub async fn run(settings: &BootstrapSettings) -> Result<(), BootstrapError> {
    let client = RuntimeApiClient::new(&settings.runtime_api);
    let (workspace, function, runtime) = match start(settings).await {
        Ok(started) => started,
        Err((error_type, message)) => {
            let error_json =
                serde_json::json!({ "errorType": error_type, "errorMessage": message });
            client
                .report_init_error(&error_type, Bytes::from(error_json.to_string()))
                .await?;
            return Err(BootstrapError::Init {
                error_type,
                message,
            });
        }
    };
    loop {
        let invocation = client.next_invocation().await?;
        serve(&client, &runtime, &workspace, &function, invocation).await?;
    }
}

/// Runs one invocation and posts its outcome.
async fn serve(
    client: &RuntimeApiClient,
    runtime: &Runtime,
    workspace: &Workspace,
    function: &Function,
    invocation: NextInvocation,
) -> Result<(), RuntimeApiError> {
    let outcome = runtime
        .invoke_as(
            workspace,
            function,
            &invocation.event,
            InvokeOptions {
                request_id: Some(&invocation.request_id),
                client_context: invocation.client_context.as_deref(),
                sink: None,
            },
        )
        .await;
    match outcome {
        Ok(record) => {
            for line in record.init_log_lines.iter().chain(&record.log_lines) {
                println!("{line}");
            }
            match record.outcome {
                Outcome::Success(response) => {
                    client
                        .respond(&invocation.request_id, Bytes::from(response.to_string()))
                        .await
                }
                Outcome::Failure(error) => {
                    let error_json = serde_json::to_string(&error).unwrap_or_default();
                    client
                        .report_error(
                            &invocation.request_id,
                            &error.error_type,
                            Bytes::from(error_json),
                        )
                        .await
                }
            }
        }
        Err(error) => {
            eprintln!("lambdesk: {error}");
            let error_json = serde_json::json!({
                "errorType": error.error_type(),
                "errorMessage": error.to_string(),
            });
            client
                .report_error(
                    &invocation.request_id,
                    error.error_type(),
                    Bytes::from(error_json.to_string()),
                )
                .await
        }
    }
}

/// The function loaded and its module compiled: what Lambda calls Init. An error is
/// `(errorType, errorMessage)` for `…/runtime/init/error`.
async fn start(
    settings: &BootstrapSettings,
) -> Result<(Workspace, Function, Runtime), (String, String)> {
    let init_error = |message: String| ("Runtime.InitError".to_owned(), message);
    let config = function_config(settings).map_err(init_error)?;
    let workspace = scratch_workspace(settings).map_err(|error| init_error(error.to_string()))?;
    let function = Function {
        name: settings.function_name.clone(),
        dir: settings.task_root.clone(),
        architecture: this_architecture(),
        config,
    };
    let options = RuntimeOptions {
        cache_dir: settings.scratch_dir.join("modules"),
        ephemeral_storage_root: std::env::temp_dir(),
        language_packs_dir: settings.scratch_dir.join("language-packs"),
        // One invocation at a time in a Lambda execution environment: a small pool, so
        // its stacks fit a 128 MB function.
        sandbox_slots: BOOTSTRAP_SANDBOX_SLOTS,
        ..RuntimeOptions::default()
    };
    let runtime = Runtime::new(options).map_err(|error| invoke_error(&error))?;
    runtime
        .prepare(&function)
        .await
        .map_err(|error| invoke_error(&error))?;
    Ok((workspace, function, runtime))
}

fn invoke_error(error: &InvokeError) -> (String, String) {
    (error.error_type().to_owned(), error.to_string())
}

/// `function.toml` of the task root, with Lambda's memory size and handler; without one,
/// the module `_HANDLER` names with Lambda's defaults.
fn function_config(settings: &BootstrapSettings) -> Result<FunctionConfig, String> {
    let path = settings.task_root.join(FUNCTION_FILE);
    let mut config = match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str::<FunctionConfig>(&text)
            .map_err(|error| format!("{}: {}", path.display(), error.message()))?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let handler = settings.handler.clone().ok_or_else(|| {
                format!(
                    "{} has no {FUNCTION_FILE} and _HANDLER names no module",
                    settings.task_root.display()
                )
            })?;
            let runtime = if handler.ends_with(".wat") {
                Language::Wat
            } else {
                Language::Wasm
            };
            FunctionConfig::new(runtime, handler)
        }
        Err(error) => return Err(format!("{}: {error}", path.display())),
    };
    if let Some(handler) = &settings.handler
        && settings.task_root.join(handler).is_file()
    {
        config.handler.clone_from(handler);
    }
    if let Some(memory_mb) = settings.memory_mb {
        config.memory_mb = memory_mb;
    }
    if config.runtime.is_built() {
        return Err(format!(
            "runtime = \"{}\" needs a build: deploy the module `lambdesk export` builds (runtime = \"wasm\")",
            config.runtime
        ));
    }
    // Variables set in Lambda's configuration win over the exported defaults.
    for (name, value) in &mut config.environment {
        if let Ok(from_lambda) = std::env::var(name.as_str()) {
            *value = from_lambda;
        }
    }
    if let Some((_, problem)) = config.problems().into_iter().next() {
        return Err(format!("{}: {problem}", path.display()));
    }
    Ok(config)
}

/// A workspace of lambdesk's own under `/tmp` (the task root is read-only): its region
/// is Lambda's.
fn scratch_workspace(settings: &BootstrapSettings) -> Result<Workspace, WorkspaceError> {
    let root = settings.scratch_dir.join("workspace");
    let region = settings
        .region
        .clone()
        .filter(|region| check_region(region).is_ok())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let config_path = root.join(crate::model::WORKSPACE_FILE);
    let text = format!(
        "region = \"{region}\"\narchitecture = \"{}\"\n",
        this_architecture().id()
    );
    write_atomically(&config_path, text.as_bytes()).map_err(|source| WorkspaceError::Io {
        path: config_path.clone(),
        source,
    })?;
    ensure_dir(&root.join("functions"))?;
    Workspace::open(&root)
}

fn ensure_dir(dir: &Path) -> Result<(), WorkspaceError> {
    std::fs::create_dir_all(dir).map_err(|source| WorkspaceError::Io {
        path: dir.to_owned(),
        source,
    })
}

fn this_architecture() -> Architecture {
    if cfg!(target_arch = "aarch64") {
        Architecture::Arm64
    } else {
        Architecture::X86_64
    }
}
