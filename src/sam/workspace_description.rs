//! A workspace read into one comparable value: what a SAM round trip must keep
//! (import(export(workspace)) == workspace) is exactly what this holds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::model::{
    FUNCTION_FILE, FunctionConfig, QueueConfig, TopicConfig, Workspace, WorkspaceError,
};

/// Functions, buckets, queues and topics of a workspace, in name order.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceDescription {
    pub functions: BTreeMap<String, FunctionDescription>,
    /// The bucket folders under `buckets/`.
    pub buckets: BTreeSet<String>,
    pub queues: BTreeMap<String, QueueConfig>,
    pub topics: BTreeMap<String, TopicConfig>,
}

/// One function: its configuration and its files.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDescription {
    /// As loaded, with `architecture` resolved (the function's own or the workspace's), so
    /// a default written out or left implicit compares equal.
    pub config: FunctionConfig,
    /// Every file of the function's folder but `function.toml`, by its path with `/`.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Reads the workspace; a function that does not load is an error.
pub fn describe_workspace(workspace: &Workspace) -> Result<WorkspaceDescription, WorkspaceError> {
    let mut functions = BTreeMap::new();
    for (name, function) in workspace.functions() {
        let function = function?;
        let mut config = function.config.clone();
        config.architecture = Some(function.architecture);
        let mut files = BTreeMap::new();
        read_files(&function.dir, &function.dir, &mut files)?;
        files.remove(FUNCTION_FILE);
        functions.insert(name, FunctionDescription { config, files });
    }
    let config = workspace.read_workspace_config()?;
    Ok(WorkspaceDescription {
        functions,
        buckets: workspace.bucket_folder_names().into_iter().collect(),
        queues: config.queues,
        topics: config.topics,
    })
}

fn read_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), WorkspaceError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| WorkspaceError::Io { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if path.is_dir() {
            read_files(root, &path, files)?;
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let key = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(key, std::fs::read(&path).map_err(io(&path))?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Runtime, Trigger};

    #[test]
    fn two_workspaces_with_the_same_functions_and_resources_compare_equal() {
        let make = |architecture_written: bool| {
            let dir = tempfile::tempdir().unwrap();
            let workspace = Workspace::open(dir.path()).unwrap();
            let mut config = FunctionConfig::new(Runtime::Js, "index.handler");
            if architecture_written {
                config.architecture = Some(crate::model::Architecture::X86_64);
            }
            config.triggers.push(Trigger::http("GET /a"));
            workspace
                .create_function(
                    "a",
                    &config,
                    &[("index.mjs", b"export const handler = () => 1;")],
                )
                .unwrap();
            workspace.create_queue("q", QueueConfig::default()).unwrap();
            workspace.create_bucket("photos").unwrap();
            (describe_workspace(&workspace).unwrap(), dir)
        };
        let (implicit, _a) = make(false);
        let (written, _b) = make(true);
        assert_eq!(implicit, written);
        assert_eq!(
            implicit.functions["a"].files.keys().collect::<Vec<_>>(),
            ["index.mjs"]
        );
        assert!(implicit.buckets.contains("photos"));
        assert!(implicit.queues.contains_key("q"));
    }
}
