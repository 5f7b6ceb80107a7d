//! Creating and deleting the workspace's queues, topics and buckets: queues and topics
//! are `[queues.<name>]` / `[topics.<name>]` in `lambdesk.toml` (written in place), a
//! bucket is the folder `buckets/<name>/`. A queue or topic something still uses is not
//! deleted.

use std::path::PathBuf;

use super::function_config::{Destination, FunctionConfig, Trigger};
use super::messaging_config::{QueueConfig, TopicConfig, check_name};
use super::names::validate_bucket_name;
use super::toml_in_place::OnConflict;
use super::trigger_edits::EditError;
use super::workspace::{FUNCTION_FILE, Workspace, io_error};

/// A bucket folder and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSummary {
    pub name: String,
    /// Files under the folder, at any depth (an object each).
    pub objects: u64,
    pub bytes: u64,
    /// False for a bucket that triggers name but whose folder does not exist yet.
    pub exists: bool,
    /// The functions a bucket trigger (enabled or not) of this bucket invokes.
    pub triggers: Vec<String>,
}

impl Workspace {
    /// Declares a queue in `lambdesk.toml`. A name ending in `.fifo` makes a FIFO queue,
    /// as on SQS. Refused when it exists or SQS would refuse its settings.
    pub fn create_queue(&self, name: &str, config: QueueConfig) -> Result<(), EditError> {
        let base = self.read_workspace_config()?;
        if base.queues.contains_key(name) {
            return Err(EditError::AlreadyExists {
                kind: "queue",
                name: name.to_owned(),
            });
        }
        let mut edited = base.clone();
        edited.queues.insert(name.to_owned(), config);
        if let Some((_, problem)) = edited.problems().into_iter().next() {
            return Err(EditError::Invalid(format!(
                "cannot create queue `{name}`: {problem}"
            )));
        }
        self.update_workspace_config(&base, &edited, OnConflict::Refuse)?;
        Ok(())
    }

    /// Removes a queue from `lambdesk.toml`; refused while a function's trigger or
    /// destination, a topic's subscription or another queue's redrive uses it.
    pub fn delete_queue(&self, name: &str) -> Result<(), EditError> {
        let base = self.read_workspace_config()?;
        if !base.queues.contains_key(name) {
            return Err(EditError::NotFound {
                kind: "queue",
                name: name.to_owned(),
                available: base.queues.keys().cloned().collect(),
            });
        }
        let mut users = self.function_users(
            |trigger| matches!(trigger, Trigger::Queue { queue, .. } if queue == name),
            |destination| matches!(destination, Destination::Queue(queue) if queue == name),
        );
        for (topic, config) in &base.topics {
            if config
                .subscriptions
                .iter()
                .any(|subscription| subscription.queue == name)
            {
                users.push(format!("a subscription of topic `{topic}`"));
            }
        }
        for (queue, config) in &base.queues {
            if config.dead_letter_queue.as_deref() == Some(name) && queue != name {
                users.push(format!("queue `{queue}` (as its dead-letter queue)"));
            }
        }
        if !users.is_empty() {
            return Err(EditError::InUse {
                kind: "queue",
                name: name.to_owned(),
                users,
            });
        }
        let mut edited = base.clone();
        edited.queues.remove(name);
        self.update_workspace_config(&base, &edited, OnConflict::Refuse)?;
        Ok(())
    }

    /// Declares a topic in `lambdesk.toml`, without subscriptions.
    pub fn create_topic(&self, name: &str) -> Result<(), EditError> {
        let base = self.read_workspace_config()?;
        if base.topics.contains_key(name) {
            return Err(EditError::AlreadyExists {
                kind: "topic",
                name: name.to_owned(),
            });
        }
        check_name(name, 256, "topic")
            .map_err(|problem| EditError::Invalid(format!("cannot create topic: {problem}")))?;
        let mut edited = base.clone();
        edited
            .topics
            .insert(name.to_owned(), TopicConfig::default());
        self.update_workspace_config(&base, &edited, OnConflict::Refuse)?;
        Ok(())
    }

    /// Removes a topic (and its queue subscriptions) from `lambdesk.toml`; refused while
    /// a function subscribes to it or sends its results there.
    pub fn delete_topic(&self, name: &str) -> Result<(), EditError> {
        let base = self.read_workspace_config()?;
        if !base.topics.contains_key(name) {
            return Err(EditError::NotFound {
                kind: "topic",
                name: name.to_owned(),
                available: base.topics.keys().cloned().collect(),
            });
        }
        let users = self.function_users(
            |trigger| matches!(trigger, Trigger::Topic { topic, .. } if topic == name),
            |destination| matches!(destination, Destination::Topic(topic) if topic == name),
        );
        if !users.is_empty() {
            return Err(EditError::InUse {
                kind: "topic",
                name: name.to_owned(),
                users,
            });
        }
        let mut edited = base.clone();
        edited.topics.remove(name);
        self.update_workspace_config(&base, &edited, OnConflict::Refuse)?;
        Ok(())
    }

    /// Creates the folder `buckets/<name>/`; returns its path.
    pub fn create_bucket(&self, name: &str) -> Result<PathBuf, EditError> {
        validate_bucket_name(name)
            .map_err(|problem| EditError::Invalid(format!("cannot create bucket: {problem}")))?;
        let dir = self.buckets_dir().join(name);
        if dir.exists() {
            return Err(EditError::AlreadyExists {
                kind: "bucket",
                name: name.to_owned(),
            });
        }
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        Ok(dir)
    }

    /// The names of the bucket folders under `buckets/`, without looking inside them.
    pub fn bucket_folder_names(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.buckets_dir()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| validate_bucket_name(name).is_ok())
            .collect();
        names.sort();
        names
    }

    /// The bucket folders, and the buckets triggers name that have none yet, by name.
    pub fn bucket_summaries(&self) -> Result<Vec<BucketSummary>, EditError> {
        let mut summaries: Vec<BucketSummary> = Vec::new();
        let dir = self.buckets_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .collect::<Result<Vec<_>, _>>()
                .map_err(io_error(&dir))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return Err(io_error(&dir)(error).into()),
        };
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.path().is_dir() || validate_bucket_name(&name).is_err() {
                continue;
            }
            let (objects, bytes) = folder_size(&entry.path())?;
            summaries.push(BucketSummary {
                name,
                objects,
                bytes,
                exists: true,
                triggers: Vec::new(),
            });
        }
        for (function, config) in self.parsed_functions() {
            for trigger in &config.triggers {
                let Trigger::Bucket { bucket, .. } = trigger else {
                    continue;
                };
                let position = match summaries.iter().position(|summary| summary.name == *bucket) {
                    Some(position) => position,
                    None => {
                        summaries.push(BucketSummary {
                            name: bucket.clone(),
                            objects: 0,
                            bytes: 0,
                            exists: false,
                            triggers: Vec::new(),
                        });
                        summaries.len() - 1
                    }
                };
                let functions = &mut summaries[position].triggers;
                if !functions.contains(&function) {
                    functions.push(function.clone());
                }
            }
        }
        summaries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(summaries)
    }

    /// Where functions name a queue or topic, as a user finds it: "function `a` (trigger
    /// 2)", "function `b` (on_failure destination)". Trigger numbers count from 1.
    fn function_users(
        &self,
        uses_trigger: impl Fn(&Trigger) -> bool,
        uses_destination: impl Fn(&Destination) -> bool,
    ) -> Vec<String> {
        let mut users = Vec::new();
        for (function, config) in self.parsed_functions() {
            for (index, trigger) in config.triggers.iter().enumerate() {
                if uses_trigger(trigger) {
                    users.push(format!("function `{function}` (trigger {})", index + 1));
                }
            }
            for (field, destination) in [
                ("on_success", &config.destinations.on_success),
                ("on_failure", &config.destinations.on_failure),
            ] {
                if destination.as_ref().is_some_and(&uses_destination) {
                    users.push(format!("function `{function}` ({field} destination)"));
                }
            }
        }
        users
    }

    /// Every function's configuration that parses, valid or not: a use in a function
    /// that does not load yet still counts.
    pub(super) fn parsed_functions(&self) -> Vec<(String, FunctionConfig)> {
        self.function_names()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|name| {
                let path = self.functions_dir().join(&name).join(FUNCTION_FILE);
                let text = std::fs::read_to_string(path).ok()?;
                let config = toml::from_str(&text).ok()?;
                Some((name, config))
            })
            .collect()
    }
}

/// Files and bytes under `dir`, at any depth.
fn folder_size(dir: &std::path::Path) -> Result<(u64, u64), EditError> {
    let mut objects = 0;
    let mut bytes = 0;
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(io_error(&folder))? {
            let entry = entry.map_err(io_error(&folder))?;
            let metadata = entry.metadata().map_err(io_error(&entry.path()))?;
            if metadata.is_dir() {
                pending.push(entry.path());
            } else if metadata.is_file() {
                objects += 1;
                bytes += metadata.len();
            }
        }
    }
    Ok((objects, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WORKSPACE_FILE;

    const WORKSPACE: &str = "# shared settings\nregion = \"eu-west-1\"\n\n# the shop's orders\n[queues.orders]\nvisibility_timeout_secs = 60\n";

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(WORKSPACE_FILE), WORKSPACE).unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let function_dir = dir.path().join("functions/worker");
        std::fs::create_dir_all(&function_dir).unwrap();
        std::fs::write(function_dir.join("main.wat"), "(module)").unwrap();
        std::fs::write(
            function_dir.join(FUNCTION_FILE),
            "runtime = \"wat\"\nhandler = \"main.wat\"\n[[triggers]]\ntype = \"bucket\"\nbucket = \"photos\"\n[[triggers]]\ntype = \"queue\"\nqueue = \"orders\"\n[destinations]\non_failure = { queue = \"dlq\" }\n",
        )
        .unwrap();
        (dir, workspace)
    }

    fn file(dir: &tempfile::TempDir) -> String {
        std::fs::read_to_string(dir.path().join(WORKSPACE_FILE)).unwrap()
    }

    #[test]
    fn queues_are_created_and_deleted_in_place() {
        let (dir, workspace) = workspace();
        workspace
            .create_queue("dlq", QueueConfig::default())
            .unwrap();
        workspace
            .create_queue("spare", QueueConfig::default())
            .unwrap();
        assert!(file(&dir).starts_with(WORKSPACE));
        workspace.delete_queue("spare").unwrap();
        assert_eq!(
            file(&dir),
            format!(
                "{WORKSPACE}\n[queues.dlq]\nvisibility_timeout_secs = 30\nmessage_retention_secs = 345600\n"
            )
        );
        let error = workspace
            .create_queue("dlq", QueueConfig::default())
            .unwrap_err();
        assert_eq!(error.to_string(), "there is already a queue named `dlq`");
    }

    #[test]
    fn a_queue_in_use_is_not_deleted_and_its_users_are_named() {
        let (dir, workspace) = workspace();
        workspace
            .create_queue("dlq", QueueConfig::default())
            .unwrap();
        let before = file(&dir);
        assert_eq!(
            workspace.delete_queue("orders").unwrap_err().to_string(),
            "queue `orders` is in use by function `worker` (trigger 2): change or remove those first"
        );
        assert_eq!(
            workspace.delete_queue("dlq").unwrap_err().to_string(),
            "queue `dlq` is in use by function `worker` (on_failure destination): change or remove those first"
        );
        assert_eq!(
            workspace.delete_queue("nope").unwrap_err().to_string(),
            "there is no queue named `nope` (there are: dlq, orders)"
        );
        assert_eq!(file(&dir), before);
    }

    #[test]
    fn fifo_queues_and_dead_letter_queues_follow_sqs() {
        let (dir, workspace) = workspace();
        let fifo = QueueConfig {
            fifo: true,
            ..QueueConfig::default()
        };
        workspace.create_queue("work.fifo", fifo).unwrap();
        assert!(
            file(&dir).contains("[queues.\"work.fifo\"]\n"),
            "{}",
            file(&dir)
        );
        let redriven = QueueConfig {
            dead_letter_queue: Some("missing".into()),
            max_receive_count: Some(3),
            ..QueueConfig::default()
        };
        let message = workspace
            .create_queue("jobs", redriven)
            .unwrap_err()
            .to_string();
        assert!(message.contains("there is no queue `missing`"), "{message}");
        assert!(!file(&dir).contains("jobs"));
    }

    #[test]
    fn topics_are_created_and_deleted() {
        let (dir, workspace) = workspace();
        workspace.create_topic("alerts").unwrap();
        assert_eq!(file(&dir), format!("{WORKSPACE}\n[topics.alerts]\n"));
        assert!(workspace.create_topic("bad name").is_err());
        workspace.delete_topic("alerts").unwrap();
        assert_eq!(file(&dir), WORKSPACE);
    }

    #[test]
    fn buckets_are_folders_with_their_objects_and_triggers() {
        let (dir, workspace) = workspace();
        workspace.create_bucket("photos").unwrap();
        std::fs::create_dir_all(dir.path().join("buckets/photos/uploads")).unwrap();
        std::fs::write(dir.path().join("buckets/photos/uploads/a.png"), "12345").unwrap();
        std::fs::write(dir.path().join("buckets/photos/b.txt"), "1").unwrap();
        workspace.create_bucket("empty").unwrap();
        assert!(workspace.create_bucket("Bad_Name").is_err());
        assert!(matches!(
            workspace.create_bucket("photos"),
            Err(EditError::AlreadyExists { .. })
        ));
        let summaries = workspace.bucket_summaries().unwrap();
        let shown: Vec<(&str, u64, u64, Vec<String>)> = summaries
            .iter()
            .map(|s| (s.name.as_str(), s.objects, s.bytes, s.triggers.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("empty", 0, 0, vec![]),
                ("photos", 2, 6, vec!["worker".to_owned()]),
            ]
        );
    }
}
