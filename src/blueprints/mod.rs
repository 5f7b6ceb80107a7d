//! Blueprints: starting points for new functions, each a folder with `blueprint.toml`,
//! the function's code and saved test events. The ones in `templates/` are embedded in the
//! binary; a workspace can add its own in `<workspace>/templates/`.

mod go_guest;
mod rust_guest;
mod trigger_choices;

pub use trigger_choices::{
    TriggerNote, check_triggers, field_labels, field_value, suggested_route, with_field_value,
};

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::model::{
    Function, FunctionConfig, Permissions, Runtime, Trigger, Workspace, WorkspaceError,
};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

const METADATA_FILE: &str = "blueprint.toml";

/// A guest package's files, as they go into a function's folder.
type GuestFiles = fn() -> Vec<(String, Vec<u8>)>;

/// A blueprint's metadata (`blueprint.toml`) and files.
#[derive(Debug, Clone, PartialEq)]
pub struct Blueprint {
    /// The folder name: what `lambdesk new NAME --blueprint ID` takes.
    pub id: String,
    pub name: String,
    pub description: String,
    pub runtime: Runtime,
    pub handler: String,
    pub tags: Vec<String>,
    /// Triggers the created function starts with (`[[triggers]]` in blueprint.toml).
    pub triggers: Vec<Trigger>,
    /// What the created function may read and write (`[permissions]` in blueprint.toml).
    pub permissions: Permissions,
    /// Paths relative to the function folder (code and `events/…`), with contents.
    pub files: BTreeMap<String, Vec<u8>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Metadata {
    name: String,
    description: String,
    runtime: Runtime,
    handler: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    triggers: Vec<Trigger>,
    #[serde(default)]
    permissions: Permissions,
}

#[derive(Debug, thiserror::Error)]
pub enum BlueprintError {
    #[error("there is no blueprint `{id}` (blueprints: {available})")]
    Unknown { id: String, available: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
}

impl Blueprint {
    fn from_files(
        id: &str,
        metadata_text: &str,
        files: BTreeMap<String, Vec<u8>>,
        origin: &str,
    ) -> Result<Self, BlueprintError> {
        let metadata: Metadata =
            toml::from_str(metadata_text).map_err(|error| BlueprintError::Invalid {
                path: format!("{origin}/{id}/{METADATA_FILE}"),
                message: error.message().to_owned(),
            })?;
        Ok(Self {
            id: id.to_owned(),
            name: metadata.name,
            description: metadata.description,
            runtime: metadata.runtime,
            handler: metadata.handler,
            tags: metadata.tags,
            triggers: metadata.triggers,
            permissions: metadata.permissions,
            files,
        })
    }

    /// Whether the blueprint matches a search: every word in its name, id, description,
    /// runtime or tags.
    pub fn matches(&self, query: &str) -> bool {
        let haystack = format!(
            "{} {} {} {} {}",
            self.id,
            self.name,
            self.description,
            self.runtime,
            self.tags.join(" ")
        )
        .to_lowercase();
        query
            .split_whitespace()
            .all(|word| haystack.contains(&word.to_lowercase()))
    }

    /// The saved test events the blueprint brings (`events/*.json`).
    pub fn test_events(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter(|(path, _)| path.starts_with("events/") && path.ends_with(".json"))
            .map(|(path, contents)| (path.as_str(), contents.as_slice()))
    }

    /// Creates function `name` from this blueprint with `memory_mb` of memory and the
    /// blueprint's own triggers.
    pub fn create_function(
        &self,
        workspace: &Workspace,
        name: &str,
        memory_mb: u32,
    ) -> Result<Function, BlueprintError> {
        self.create_function_with(workspace, name, memory_mb, self.triggers.clone())
    }

    /// Creates function `name` from this blueprint with `triggers` in place of the
    /// blueprint's (as the user edited their names; see `check_triggers`). Refused, with
    /// nothing written, when a route conflicts with another function's or a name is
    /// invalid.
    pub fn create_function_with(
        &self,
        workspace: &Workspace,
        name: &str,
        memory_mb: u32,
        triggers: Vec<Trigger>,
    ) -> Result<Function, BlueprintError> {
        let mut config = FunctionConfig::new(self.runtime, self.handler.clone());
        config.description = Some(self.description.clone());
        config.memory_mb = memory_mb;
        config.permissions = self.permissions.clone();
        config.triggers = triggers;
        // A Rust or Go function gets its own copy of the language's guest package (see
        // `rust_guest`, `go_guest`), unless the blueprint brings one.
        let guest: Option<(&str, GuestFiles)> = match self.runtime {
            Runtime::Rust => Some((rust_guest::GUEST_FOLDER, rust_guest::files)),
            Runtime::Go => Some((go_guest::GUEST_FOLDER, go_guest::files)),
            Runtime::Js
            | Runtime::Wat
            | Runtime::Wasm
            | Runtime::Python
            | Runtime::Ruby
            | Runtime::Java
            | Runtime::Provided => None,
        };
        let guest_files = match guest {
            Some((folder, files))
                if !self
                    .files
                    .keys()
                    .any(|path| path.starts_with(&format!("{folder}/"))) =>
            {
                files()
            }
            _ => Vec::new(),
        };
        let files: Vec<(&str, &[u8])> = self
            .files
            .iter()
            .map(|(path, contents)| (path.as_str(), contents.as_slice()))
            .chain(
                guest_files
                    .iter()
                    .map(|(path, contents)| (path.as_str(), contents.as_slice())),
            )
            .collect();
        let function = workspace.create_function(name, &config, &files)?;
        // The buckets it is wired to exist, so it works with no edits: a picture dropped
        // into the folder its trigger watches is the first thing a user tries.
        let buckets = config
            .triggers
            .iter()
            .filter_map(|trigger| match trigger {
                Trigger::Bucket { bucket, .. } => Some(bucket),
                _ => None,
            })
            .chain(config.permissions.buckets.keys());
        for bucket in buckets {
            let dir = workspace.buckets_dir().join(bucket);
            std::fs::create_dir_all(&dir).map_err(|error| BlueprintError::Invalid {
                path: dir.display().to_string(),
                message: format!("cannot create the bucket folder: {error}"),
            })?;
        }
        Ok(function)
    }
}

/// Every blueprint: the embedded ones, then the workspace's own (which win on the same id).
pub fn all(workspace: Option<&Workspace>) -> Result<Vec<Blueprint>, BlueprintError> {
    let mut blueprints: BTreeMap<String, Blueprint> = BTreeMap::new();
    for folder in EMBEDDED.dirs() {
        let id = folder.path().to_string_lossy().into_owned();
        let mut files = BTreeMap::new();
        collect_embedded(folder, folder.path(), &mut files);
        let metadata = files.remove(METADATA_FILE).unwrap_or_default();
        let blueprint =
            Blueprint::from_files(&id, &String::from_utf8_lossy(&metadata), files, "templates")?;
        blueprints.insert(id, blueprint);
    }
    if let Some(workspace) = workspace {
        let dir = workspace.root().join("templates");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().is_dir())
            {
                let id = entry.file_name().to_string_lossy().into_owned();
                let Ok(metadata) = std::fs::read_to_string(entry.path().join(METADATA_FILE)) else {
                    continue;
                };
                let mut files = BTreeMap::new();
                collect_disk(&entry.path(), &entry.path(), &mut files);
                files.remove(METADATA_FILE);
                let blueprint =
                    Blueprint::from_files(&id, &metadata, files, &dir.display().to_string())?;
                blueprints.insert(id, blueprint);
            }
        }
    }
    Ok(blueprints.into_values().collect())
}

/// The blueprint with `id`.
pub fn find(workspace: Option<&Workspace>, id: &str) -> Result<Blueprint, BlueprintError> {
    let blueprints = all(workspace)?;
    let available = blueprints
        .iter()
        .map(|blueprint| blueprint.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    blueprints
        .into_iter()
        .find(|blueprint| blueprint.id == id)
        .ok_or(BlueprintError::Unknown {
            id: id.to_owned(),
            available,
        })
}

fn collect_embedded(dir: &Dir<'_>, root: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for file in dir.files() {
        if let Ok(relative) = file.path().strip_prefix(root) {
            files.insert(
                relative.to_string_lossy().into_owned(),
                file.contents().to_vec(),
            );
        }
    }
    for child in dir.dirs() {
        collect_embedded(child, root, files);
    }
}

fn collect_disk(dir: &Path, root: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_disk(&path, root, files);
        } else if let (Ok(relative), Ok(contents)) = (path.strip_prefix(root), std::fs::read(&path))
        {
            files.insert(relative.to_string_lossy().into_owned(), contents);
        }
    }
}
