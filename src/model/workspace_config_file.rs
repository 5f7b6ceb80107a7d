//! Saving the workspace's settings into `lambdesk.toml` in place, as `config_file.rs` does
//! for `function.toml`: comments, key order and blank lines stay, only the changed keys
//! change, and a change made from a copy read earlier merges with what the file says now.

use super::atomic_write::write_atomically;
use super::config_error::ConfigError;
use super::config_file::{ConfigSaved, merge_into_file};
use super::toml_in_place::OnConflict;
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
        let Some((written, _)) = merge_into_file(
            &path,
            base,
            edited,
            on_conflict,
            "the file has errors now: fix them before saving settings into it",
        )?
        else {
            return Ok(ConfigSaved::Unchanged);
        };
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
