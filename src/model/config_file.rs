//! Saving a function's configuration into its `function.toml` in place: the user's
//! comments, key order and blank lines stay, only the changed keys change, and a save
//! made from a copy read earlier merges with what the file says now.

use std::path::Path;

use toml_edit::DocumentMut;

use super::atomic_write::write_atomically;
use super::config_error::{ConfigError, KeySegment};
use super::function_config::FunctionConfig;
use super::names::validate_function_name;
use super::toml_in_place::{OnConflict, apply_change};
use super::workspace::{FUNCTION_FILE, Workspace, WorkspaceError, io_error};
use super::workspace_config::WorkspaceConfig;

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSaved {
    /// The file now says what the edit says.
    Written,
    /// The file already said it; nothing was written.
    Unchanged,
}

/// A configuration file's contents: serialisable both ways and checked by the loader's
/// rules.
pub(super) trait CheckedConfig: serde::Serialize + serde::de::DeserializeOwned {
    fn problems(&self) -> Vec<(Vec<KeySegment>, String)>;
}

impl CheckedConfig for FunctionConfig {
    fn problems(&self) -> Vec<(Vec<KeySegment>, String)> {
        FunctionConfig::problems(self)
    }
}

impl CheckedConfig for WorkspaceConfig {
    fn problems(&self) -> Vec<(Vec<KeySegment>, String)> {
        WorkspaceConfig::problems(self)
    }
}

/// The change from `base` to `edited` merged into the file at `path` as it is now (see
/// `toml_in_place`): the text to write and what it means, checked by the loader's rules,
/// or `None` when the file already says it. A key both sides changed is
/// [`WorkspaceError::ChangedOnDisk`] unless `on_conflict` keeps the edited values; a file
/// that no longer loads is refused with `broken_note`. Writes nothing.
pub(super) fn merge_into_file<C: CheckedConfig>(
    path: &Path,
    base: &C,
    edited: &C,
    on_conflict: OnConflict,
    broken_note: &str,
) -> Result<Option<(String, C)>, WorkspaceError> {
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    let current: C = toml::from_str(&text)
        .map_err(|error| ConfigError::from_toml(path, &text, &error).with_note(broken_note))?;
    let whole_file_error = |message: String| ConfigError {
        file: path.to_owned(),
        line: None,
        key: None,
        message,
    };
    let as_table = |config: &C| {
        toml::Table::try_from(config).map_err(|error| whole_file_error(error.to_string()))
    };
    let mut document: DocumentMut = text
        .parse()
        .map_err(|error: toml_edit::TomlError| whole_file_error(error.to_string()))?;
    let conflicts = apply_change(
        &mut document,
        &as_table(base)?,
        &as_table(edited)?,
        &as_table(&current)?,
        on_conflict,
    );
    if !conflicts.0.is_empty() && on_conflict == OnConflict::Refuse {
        return Err(WorkspaceError::ChangedOnDisk {
            file: path.to_owned(),
            keys: conflicts.0,
        });
    }
    let written = document.to_string();
    if written == text {
        return Ok(None);
    }
    // What is written must load: a merge of two valid changes can still be invalid.
    let merged: C =
        toml::from_str(&written).map_err(|error| ConfigError::from_toml(path, &written, &error))?;
    if let Some((key, message)) = merged.problems().into_iter().next() {
        return Err(ConfigError::at_key(path, &written, &key, message).into());
    }
    Ok(Some((written, merged)))
}

impl Workspace {
    /// Writes the change from `base` (the configuration as a view read it) to `edited`
    /// into the function's `function.toml` as it is now. Changes made to the file since
    /// `base` was read are kept; a key both changed is a [`WorkspaceError::ChangedOnDisk`]
    /// unless `on_conflict` keeps the edited values. The result must be a valid
    /// configuration, or nothing is written.
    pub fn update_function_config(
        &self,
        name: &str,
        base: &FunctionConfig,
        edited: &FunctionConfig,
        on_conflict: OnConflict,
    ) -> Result<ConfigSaved, WorkspaceError> {
        validate_function_name(name).map_err(WorkspaceError::InvalidName)?;
        let path = self.functions_dir().join(name).join(FUNCTION_FILE);
        let Some((written, merged)) = merge_into_file::<FunctionConfig>(
            &path,
            base,
            edited,
            on_conflict,
            "the file has errors now: fix them in the Code tab before saving from the Configuration tab",
        )?
        else {
            return Ok(ConfigSaved::Unchanged);
        };
        // Nor may it take another function's route: that function would stop loading.
        if let Some(conflict) = self.route_conflict_of(name, &path, &written, &merged) {
            return Err(conflict.into());
        }
        write_atomically(&path, written.as_bytes()).map_err(io_error(&path))?;
        Ok(ConfigSaved::Written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Trigger;

    const COMMENTED: &str = "# Greets by name.\nruntime = \"js\"\nhandler = \"index.handler\" # index.mjs\n\n# Lambda's defaults are fine here.\ntimeout_secs = 3\n\n[environment]\nGREETING = \"Hello\" # said first\n";

    fn workspace_with(text: &str) -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let function_dir = dir.path().join("functions/hello");
        std::fs::create_dir_all(&function_dir).unwrap();
        std::fs::write(
            function_dir.join("index.mjs"),
            "export const handler = () => 1;",
        )
        .unwrap();
        std::fs::write(function_dir.join(FUNCTION_FILE), text).unwrap();
        (dir, workspace)
    }

    fn file(dir: &tempfile::TempDir) -> String {
        std::fs::read_to_string(dir.path().join("functions/hello/function.toml")).unwrap()
    }

    #[test]
    fn saving_a_new_timeout_changes_that_line_alone() {
        let (dir, workspace) = workspace_with(COMMENTED);
        let base = workspace.function("hello").unwrap().config;
        let mut edited = base.clone();
        edited.timeout_secs = 30;
        edited.memory_mb = 256;
        let saved = workspace
            .update_function_config("hello", &base, &edited, OnConflict::Refuse)
            .unwrap();
        assert_eq!(saved, ConfigSaved::Written);
        assert_eq!(
            file(&dir),
            COMMENTED.replace("timeout_secs = 3\n", "timeout_secs = 30\nmemory_mb = 256\n")
        );
    }

    #[test]
    fn a_trigger_added_in_the_file_survives_a_save_from_an_older_copy() {
        let (dir, workspace) = workspace_with(COMMENTED);
        let base = workspace.function("hello").unwrap().config;
        let added = format!("{COMMENTED}\n[[triggers]]\ntype = \"http\"\nroute = \"GET /hello\"\n");
        std::fs::write(dir.path().join("functions/hello/function.toml"), &added).unwrap();
        let mut edited = base.clone();
        edited.timeout_secs = 10;
        workspace
            .update_function_config("hello", &base, &edited, OnConflict::Refuse)
            .unwrap();
        let reloaded = workspace.function("hello").unwrap().config;
        assert_eq!(reloaded.timeout_secs, 10);
        assert!(matches!(
            reloaded.triggers.as_slice(),
            [Trigger::Http { route, .. }] if route == "GET /hello"
        ));
        assert!(file(&dir).contains("GREETING = \"Hello\" # said first"));
    }

    #[test]
    fn a_key_changed_on_both_sides_is_refused_until_the_user_overwrites() {
        let (dir, workspace) = workspace_with(COMMENTED);
        let base = workspace.function("hello").unwrap().config;
        let elsewhere = COMMENTED.replace("timeout_secs = 3", "timeout_secs = 5");
        std::fs::write(dir.path().join("functions/hello/function.toml"), &elsewhere).unwrap();
        let mut edited = base.clone();
        edited.timeout_secs = 10;
        let error = workspace
            .update_function_config("hello", &base, &edited, OnConflict::Refuse)
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("changed on disk"), "{message}");
        assert!(message.contains("`timeout_secs`"), "{message}");
        assert_eq!(file(&dir), elsewhere);
        workspace
            .update_function_config("hello", &base, &edited, OnConflict::KeepEdited)
            .unwrap();
        assert!(file(&dir).contains("timeout_secs = 10\n"));
    }

    #[test]
    fn a_file_broken_since_it_was_read_is_not_overwritten() {
        let (dir, workspace) = workspace_with(COMMENTED);
        let base = workspace.function("hello").unwrap().config;
        let broken = format!("{COMMENTED}memroy = 1\n");
        std::fs::write(dir.path().join("functions/hello/function.toml"), &broken).unwrap();
        let mut edited = base.clone();
        edited.timeout_secs = 10;
        let message = workspace
            .update_function_config("hello", &base, &edited, OnConflict::KeepEdited)
            .unwrap_err()
            .to_string();
        assert!(message.contains("memroy"), "{message}");
        assert!(message.contains("Code tab"), "{message}");
        assert_eq!(file(&dir), broken);
    }
}
