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
];

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
    let workspace = Workspace::open(root)?;
    if is_new {
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
        assert_eq!(
            workspace.function_names().unwrap(),
            vec!["echo", "hello", "items-api", "process-upload"]
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
