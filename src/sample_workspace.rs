//! The sample workspace a first run opens, and where lambdesk keeps its own files.

use std::path::{Path, PathBuf};

use crate::model::{Workspace, WorkspaceError, write_atomically};

/// Files of the sample workspace's functions, relative to `functions/`.
const SAMPLE_FILES: &[(&str, &str)] = &[
    (
        "echo/function.toml",
        include_str!("../assets/sample/echo/function.toml"),
    ),
    (
        "echo/main.wat",
        include_str!("../assets/sample/echo/main.wat"),
    ),
    (
        "echo/events/hello.json",
        include_str!("../assets/sample/echo/events/hello.json"),
    ),
    (
        "hello/function.toml",
        include_str!("../assets/sample/hello/function.toml"),
    ),
    (
        "hello/index.mjs",
        include_str!("../assets/sample/hello/index.mjs"),
    ),
    (
        "hello/events/ada.json",
        include_str!("../assets/sample/hello/events/ada.json"),
    ),
];

/// More sample functions, made from blueprints (name, blueprint id), with their test events.
const SAMPLE_BLUEPRINTS: &[(&str, &str)] = &[
    ("items-api", "http-api"),
    ("process-upload", "bucket-processor"),
    ("process-orders", "queue-processor"),
    ("on-alert", "topic-subscriber"),
];

/// The sample's `lambdesk.toml`: the orders queue with a dead-letter queue, and a topic
/// that both a function and the orders queue subscribe to.
const SAMPLE_WORKSPACE_CONFIG: &str = r#"# lambdesk workspace: settings shared by every function here.
region = "us-east-1"
architecture = "x86_64"
gateway_port = 3000
lambda_api_port = 3001

# Orders wait here for the process-orders function; a message that fails 3 times moves
# to orders-dlq (redrive it from Queues & Topics once fixed).
[queues.orders]
visibility_timeout_secs = 30
max_receive_count = 3
dead_letter_queue = "orders-dlq"

[queues.orders-dlq]

# on-alert subscribes with a topic trigger; the audit queue keeps a copy of every alert.
[queues.alert-audit]

[topics.alerts]
subscriptions = [{ queue = "alert-audit" }]
"#;

/// `<data dir>/lambdesk/sample-workspace` (`~/.local/share/…` on Linux).
pub fn sample_workspace_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("lambdesk")
        .join("sample-workspace")
}

/// The file where the console remembers the last workspace it opened.
pub fn last_workspace_file() -> PathBuf {
    dirs::config_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("lambdesk")
        .join("last-workspace")
}

/// The workspace a command uses without `--workspace`: the last one the console
/// opened if it still exists, else the sample workspace (created on first use).
pub fn default_workspace() -> Result<Workspace, WorkspaceError> {
    if let Ok(text) = std::fs::read_to_string(last_workspace_file()) {
        let last = PathBuf::from(text.trim());
        if last.join("lambdesk.toml").is_file() {
            return Workspace::open(&last);
        }
    }
    open_sample_workspace(&sample_workspace_dir())
}

/// Opens the sample workspace at `root`, creating it with its functions if needed.
/// Functions the user deleted are not brought back once the workspace exists.
pub fn open_sample_workspace(root: &Path) -> Result<Workspace, WorkspaceError> {
    let is_new = !root.join("lambdesk.toml").exists();
    let mut workspace = Workspace::open(root)?;
    if is_new {
        let config_path = root.join("lambdesk.toml");
        write_atomically(&config_path, SAMPLE_WORKSPACE_CONFIG.as_bytes()).map_err(|source| {
            WorkspaceError::Io {
                path: config_path.clone(),
                source,
            }
        })?;
        workspace = Workspace::open(root)?;
        for (relative_path, contents) in SAMPLE_FILES {
            let path = workspace.functions_dir().join(relative_path);
            write_atomically(&path, contents.as_bytes())
                .map_err(|source| WorkspaceError::Io { path, source })?;
        }
        for (name, blueprint) in SAMPLE_BLUEPRINTS {
            // The embedded blueprints are tested to create; a failure here would only
            // leave the sample a function short, so it does not stop the console.
            let _ = crate::blueprints::find(None, blueprint)
                .and_then(|blueprint| blueprint.create_function(&workspace, name, 128));
        }
    }
    Ok(workspace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_workspace_is_created_with_valid_functions() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("sample");
        let workspace = open_sample_workspace(&root).unwrap();
        for name in workspace.function_names().unwrap() {
            workspace.function(&name).unwrap();
        }
        // The queues and the topic the queue and topic samples use.
        let config = workspace.config();
        assert!(config.queues.contains_key("orders") && config.topics.contains_key("alerts"));
        assert_eq!(
            workspace.function_names().unwrap(),
            vec![
                "echo",
                "hello",
                "items-api",
                "on-alert",
                "process-orders",
                "process-upload"
            ]
        );
        assert!(
            root.join("functions/items-api/events")
                .read_dir()
                .unwrap()
                .next()
                .is_some()
        );
    }
}
