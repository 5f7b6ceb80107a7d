//! Saving the workspace's settings into `lambdesk.toml` in place, as `config_file.rs` does
//! for `function.toml`: comments, key order and blank lines stay, only the changed keys
//! change, and a change made from a copy read earlier merges with what the file says now.

use toml_edit::DocumentMut;

use super::atomic_write::write_atomically;
use super::config_error::ConfigError;
use super::config_file::ConfigSaved;
use super::toml_in_place::{OnConflict, apply_change};
use super::workspace::{WORKSPACE_FILE, Workspace, WorkspaceError, io_error};
use super::workspace_config::WorkspaceConfig;

impl Workspace {
    /// `lambdesk.toml` as it is on disk now, validated. The workspace's own copy
    /// ([`Workspace::config`]) is the one read when it was opened.
    pub fn read_workspace_config(&self) -> Result<WorkspaceConfig, WorkspaceError> {
        let path = self.root().join(WORKSPACE_FILE);
        let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
        let config: WorkspaceConfig =
            toml::from_str(&text).map_err(|error| ConfigError::from_toml(&path, &text, &error))?;
        if let Some((key, message)) = config.problems().into_iter().next() {
            return Err(ConfigError::at_key(&path, &text, &key, message).into());
        }
        Ok(config)
    }

    /// Writes the change from `base` (the settings as a view read them) to `edited` into
    /// `lambdesk.toml` as it is now. Changes made to the file since `base` was read are
    /// kept; a key both changed is a [`WorkspaceError::ChangedOnDisk`] unless
    /// `on_conflict` keeps the edited values. The result must pass
    /// [`WorkspaceConfig::problems`], or nothing is written.
    pub fn update_workspace_config(
        &self,
        base: &WorkspaceConfig,
        edited: &WorkspaceConfig,
        on_conflict: OnConflict,
    ) -> Result<ConfigSaved, WorkspaceError> {
        let path = self.root().join(WORKSPACE_FILE);
        let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
        let current: WorkspaceConfig = toml::from_str(&text).map_err(|error| {
            ConfigError::from_toml(&path, &text, &error)
                .with_note("the file has errors now: fix them before saving settings into it")
        })?;
        let whole_file_error = |message: String| ConfigError {
            file: path.clone(),
            line: None,
            key: None,
            message,
        };
        let as_table = |config: &WorkspaceConfig| {
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
                file: path,
                keys: conflicts.0,
            });
        }
        let written = document.to_string();
        if written == text {
            return Ok(ConfigSaved::Unchanged);
        }
        // What is written must load: a merge of two valid changes can still be invalid.
        let merged: WorkspaceConfig = toml::from_str(&written)
            .map_err(|error| ConfigError::from_toml(&path, &written, &error))?;
        if let Some((key, message)) = merged.problems().into_iter().next() {
            return Err(ConfigError::at_key(&path, &written, &key, message).into());
        }
        write_atomically(&path, written.as_bytes()).map_err(io_error(&path))?;
        Ok(ConfigSaved::Written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{QueueConfig, TopicConfig};

    const COMMENTED: &str = "# Shared by every function.\nregion = \"eu-west-1\" # near the users\n\n# orders from the shop\n[queues.orders]\nvisibility_timeout_secs = 60\n";

    fn workspace_with(text: &str) -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(WORKSPACE_FILE), text).unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        (dir, workspace)
    }

    fn file(dir: &tempfile::TempDir) -> String {
        std::fs::read_to_string(dir.path().join(WORKSPACE_FILE)).unwrap()
    }

    #[test]
    fn a_new_topic_and_queue_are_added_and_every_comment_stays() {
        let (dir, workspace) = workspace_with(COMMENTED);
        let base = workspace.read_workspace_config().unwrap();
        let mut edited = base.clone();
        edited
            .topics
            .insert("alerts".into(), TopicConfig::default());
        edited.queues.insert("dlq".into(), QueueConfig::default());
        let saved = workspace
            .update_workspace_config(&base, &edited, OnConflict::Refuse)
            .unwrap();
        assert_eq!(saved, ConfigSaved::Written);
        assert_eq!(
            file(&dir),
            format!(
                "{COMMENTED}\n[queues.dlq]\nvisibility_timeout_secs = 30\nmessage_retention_secs = 345600\n\n[topics.alerts]\n"
            )
        );
        assert_eq!(workspace.read_workspace_config().unwrap(), edited);
    }

    #[test]
    fn an_invalid_result_is_refused_and_nothing_is_written() {
        let (dir, workspace) = workspace_with(COMMENTED);
        let base = workspace.read_workspace_config().unwrap();
        let mut edited = base.clone();
        edited.queues.insert(
            "orders-2".into(),
            QueueConfig {
                visibility_timeout_secs: 50_000,
                ..QueueConfig::default()
            },
        );
        let message = workspace
            .update_workspace_config(&base, &edited, OnConflict::Refuse)
            .unwrap_err()
            .to_string();
        assert!(message.contains("43200"), "{message}");
        assert_eq!(file(&dir), COMMENTED);
    }

    #[test]
    fn a_key_changed_on_disk_meanwhile_is_a_conflict() {
        let (dir, workspace) = workspace_with(COMMENTED);
        let base = workspace.read_workspace_config().unwrap();
        let elsewhere = COMMENTED.replace("eu-west-1", "eu-west-2");
        std::fs::write(dir.path().join(WORKSPACE_FILE), &elsewhere).unwrap();
        let mut edited = base.clone();
        edited.region = "eu-central-1".into();
        let error = workspace
            .update_workspace_config(&base, &edited, OnConflict::Refuse)
            .unwrap_err();
        assert!(error.to_string().contains("`region`"), "{error}");
        assert_eq!(file(&dir), elsewhere);
    }
}
