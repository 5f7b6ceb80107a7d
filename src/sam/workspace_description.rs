//! A workspace read into plain data that compares with `==`: its functions (configuration
//! with the architecture each runs on, and a digest of every code file), queues, topics
//! and buckets. The round trip of import and export is checked with it:
//! `describe(import(export(ws))) == describe(ws)`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sha2::Digest as _;

use crate::model::{
    FUNCTION_FILE, FunctionConfig, QueueConfig, TopicConfig, Workspace, WorkspaceError,
};

/// Folders that hold what a toolchain made, not the user's code.
const GENERATED_FOLDERS: &[&str] = &["target", "node_modules", ".git"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceDescription {
    pub region: String,
    pub functions: BTreeMap<String, FunctionDescription>,
    pub queues: BTreeMap<String, QueueConfig>,
    pub topics: BTreeMap<String, TopicConfig>,
    /// Bucket folders and the buckets functions name.
    pub buckets: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDescription {
    /// The configuration, with `architecture` set to the one the function runs on (its
    /// own or the workspace's default), so where it is written does not matter.
    pub config: FunctionConfigComparable,
    /// Each code file (path relative to the function's folder, `/`-separated) and the
    /// hex SHA-256 of its bytes; `function.toml` and generated folders left out.
    pub files: BTreeMap<String, String>,
}

/// `FunctionConfig` as compared: it holds JSON filter policies, which compare exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionConfigComparable(pub FunctionConfig);

impl Eq for FunctionConfigComparable {}

/// Reads `workspace` into its description; a function that does not load is an error.
pub fn describe_workspace(workspace: &Workspace) -> Result<WorkspaceDescription, WorkspaceError> {
    let mut functions = BTreeMap::new();
    let mut buckets: BTreeSet<String> = workspace.bucket_folder_names().into_iter().collect();
    for (name, function) in workspace.functions() {
        let function = function?;
        let mut config = function.config.clone();
        config.architecture = Some(function.architecture);
        buckets.extend(config.permissions.buckets.keys().cloned());
        for trigger in &config.triggers {
            if let crate::model::Trigger::Bucket { bucket, .. } = trigger {
                buckets.insert(bucket.clone());
            }
        }
        let mut files = BTreeMap::new();
        digest_files(&function.dir, &function.dir, &mut files);
        functions.insert(
            name,
            FunctionDescription {
                config: FunctionConfigComparable(config),
                files,
            },
        );
    }
    let config = workspace.config();
    Ok(WorkspaceDescription {
        region: config.region.clone(),
        functions,
        queues: config.queues.clone(),
        topics: config.topics.clone(),
        buckets,
    })
}

fn digest_files(root: &Path, folder: &Path, files: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !GENERATED_FOLDERS.iter().any(|generated| name == *generated) {
                digest_files(root, &path, files);
            }
            continue;
        }
        if path.parent() == Some(root) && name == FUNCTION_FILE {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let digest = sha2::Sha256::digest(&bytes);
        files.insert(
            relative,
            digest.iter().map(|byte| format!("{byte:02x}")).collect(),
        );
    }
}
