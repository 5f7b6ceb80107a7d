//! What a function's sandbox holds: Lambda's variables and lambdesk's own (what the
//! function may send to and which buckets it may use, so the SDK shims can refuse as AWS
//! would), its folders (code, outbox, buckets, `/tmp`), its limits, and the way out to
//! the workspace's HTTP gateway.

use std::path::PathBuf;
use std::time::Duration;

use wasmtime_wasi::FsPerms;

use super::TASK_ROOT;
use crate::model::{BucketAccess, Function, Runtime as Language, Workspace};
use crate::runtime::ephemeral_storage::EphemeralStorage;
use crate::runtime::error::InvokeError;
use crate::runtime::lambda_environment::lambda_variables;
use crate::runtime::outbound_http::GatewayAddress;
use crate::runtime::outbox::OUTBOX_GUEST_PATH;
use crate::runtime::python_pack::PYTHON_RUNTIME_NAME;
use crate::runtime::ruby_pack::RUBY_RUNTIME_NAME;
use crate::runtime::sandbox::SandboxSetup;

pub(super) fn sandbox_setup(
    workspace: &Workspace,
    function: &Function,
    log_stream: &str,
    mut preopens: Vec<(PathBuf, String, FsPerms)>,
    tmp: &EphemeralStorage,
    gateway: &GatewayAddress,
) -> Result<SandboxSetup, InvokeError> {
    let mut variables = lambda_variables(function, &workspace.config().region, log_stream);
    let permissions = &function.config.permissions;
    if function.config.runtime == Language::Js {
        variables.push(("LAMBDA_TASK_ROOT".to_owned(), TASK_ROOT.to_owned()));
        // For the S3 shim: AccessDenied for a bucket the function may not use (or not
        // write), NoSuchBucket for one the workspace does not have. Read once per
        // execution environment: a bucket made later reads as missing until the next.
        let access: Vec<String> = permissions
            .buckets
            .iter()
            .map(|(bucket, access)| {
                let access = match access {
                    BucketAccess::Read => "read",
                    BucketAccess::ReadWrite => "read-write",
                };
                format!("{bucket}={access}")
            })
            .collect();
        variables.push(("LAMBDESK_BUCKETS".to_owned(), access.join(",")));
        variables.push((
            "LAMBDESK_WORKSPACE_BUCKETS".to_owned(),
            workspace.bucket_folder_names().join(","),
        ));
    }
    if function.config.runtime == Language::Ruby {
        preopens.push(ruby_root_preopen()?);
        variables.push(("LAMBDA_TASK_ROOT".to_owned(), TASK_ROOT.to_owned()));
        variables.push(("LAMBDA_RUNTIME_DIR".to_owned(), "/var/runtime".to_owned()));
        variables.push((
            "AWS_EXECUTION_ENV".to_owned(),
            format!("AWS_Lambda_{RUBY_RUNTIME_NAME}"),
        ));
        // As Lambda's Ruby runtime: gems vendored with `bundle config set path
        // vendor/bundle` are found without Bundler.
        if !variables.iter().any(|(name, _)| name == "GEM_PATH") {
            variables.push((
                "GEM_PATH".to_owned(),
                "/var/task/vendor/bundle/ruby/3.4.0:/opt/ruby/gems/3.4.0".to_owned(),
            ));
        }
    }
    if function.config.runtime == Language::Python {
        variables.push(("LAMBDA_TASK_ROOT".to_owned(), TASK_ROOT.to_owned()));
        variables.push(("LAMBDA_RUNTIME_DIR".to_owned(), "/var/runtime".to_owned()));
        variables.push((
            "AWS_EXECUTION_ENV".to_owned(),
            format!("AWS_Lambda_{PYTHON_RUNTIME_NAME}"),
        ));
    }
    // What the function may send to, so a guest can refuse at once as the SDK would.
    if permissions.sends_messages() {
        variables.push(("LAMBDESK_OUTBOX".to_owned(), OUTBOX_GUEST_PATH.to_owned()));
        variables.push(("LAMBDESK_QUEUES".to_owned(), permissions.queues.join(",")));
        variables.push(("LAMBDESK_TOPICS".to_owned(), permissions.topics.join(",")));
    }
    preopens.extend(bucket_preopens(workspace, function)?);
    Ok(SandboxSetup {
        variables,
        args: vec![function.config.handler.clone()],
        preopens,
        tmp: Some(tmp.mount()),
        memory_mb: function.config.memory_mb,
        timeout: Duration::from_secs(u64::from(function.config.timeout_secs)),
        gateway: gateway.clone(),
    })
}

/// An empty, read-only `/` with the folders the other preopens sit in (`/var`, `/buckets`,
/// …): Ruby's `require` resolves real paths one component at a time, and `/var` must
/// exist for `/var/task/lambda_function.rb` to load. The longer preopens win inside it.
fn ruby_root_preopen() -> Result<(PathBuf, String, FsPerms), InvokeError> {
    let root = std::env::temp_dir().join("lambdesk-ruby-root");
    for folder in ["var/task", "var/runtime", "tmp", "buckets", "outbox"] {
        let path = root.join(folder);
        std::fs::create_dir_all(&path).map_err(|error| {
            InvokeError::Sandbox(format!("cannot create {}: {error}", path.display()))
        })?;
    }
    Ok((root, "/".to_owned(), FsPerms::ReadOnly))
}

/// `/buckets/<name>` for every bucket in `[permissions]`, read-only or read-write.
fn bucket_preopens(
    workspace: &Workspace,
    function: &Function,
) -> Result<Vec<(PathBuf, String, FsPerms)>, InvokeError> {
    let mut preopens = Vec::new();
    for (bucket, access) in &function.config.permissions.buckets {
        let host_dir = workspace.buckets_dir().join(bucket);
        std::fs::create_dir_all(&host_dir).map_err(|error| {
            InvokeError::Sandbox(format!("cannot create {}: {error}", host_dir.display()))
        })?;
        let perms = match access {
            BucketAccess::Read => FsPerms::ReadOnly,
            BucketAccess::ReadWrite => FsPerms::ReadWrite,
        };
        preopens.push((host_dir, format!("/buckets/{bucket}"), perms));
    }
    Ok(preopens)
}
