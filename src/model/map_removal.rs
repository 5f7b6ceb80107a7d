//! Deleting from the workspace map: what removing a line or a card takes out of the
//! workspace's files, worked out first (for the confirmation, which lists it) and then
//! written in place. A card takes every line into and out of it with it, as in AWS
//! Infrastructure Composer: a queue goes with the triggers, destinations, permissions,
//! subscriptions and redrive settings that name it, so nothing is left pointing at a
//! queue that is gone.

use super::function_config::{BucketAccess, Destination, FunctionConfig, Trigger};
use super::toml_in_place::OnConflict;
use super::trigger_edits::EditError;
use super::workspace::{Workspace, io_error};
use super::workspace_config::WorkspaceConfig;
use super::workspace_graph::{EdgeKind, NodeId, NodeKind, trigger_source};

/// What the user selected on the map to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapSelection {
    Card(NodeId),
    Line {
        from: NodeId,
        to: NodeId,
        kind: EdgeKind,
    },
}

/// A deletion worked out against the files as they are: what it removes, in sentences,
/// and the edited configurations to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// One sentence per thing that goes: "trigger 2 of `resize` (bucket photos)".
    pub removes: Vec<String>,
    /// Per function: its configuration as read, and as edited.
    functions: Vec<(String, FunctionConfig, FunctionConfig)>,
    /// `lambdesk.toml` as read and as edited, when the deletion touches it.
    workspace: Option<(WorkspaceConfig, WorkspaceConfig)>,
    /// An empty bucket folder to remove.
    bucket_folder: Option<String>,
}

impl Removal {
    /// The files the deletion writes or removes, for the undo history to snapshot.
    pub fn paths(&self, workspace: &Workspace) -> Vec<std::path::PathBuf> {
        let mut paths: Vec<std::path::PathBuf> = self
            .functions
            .iter()
            .map(|(name, _, _)| {
                workspace
                    .functions_dir()
                    .join(name)
                    .join(super::workspace::FUNCTION_FILE)
            })
            .collect();
        if self.workspace.is_some() {
            paths.push(workspace.root().join(super::workspace::WORKSPACE_FILE));
        }
        if let Some(bucket) = &self.bucket_folder {
            paths.push(workspace.buckets_dir().join(bucket));
        }
        paths
    }
}

/// The slot a destination line stands for.
fn destination_slot(
    config: &mut FunctionConfig,
    kind: EdgeKind,
) -> Option<&mut Option<Destination>> {
    match kind {
        EdgeKind::OnSuccess => Some(&mut config.destinations.on_success),
        EdgeKind::OnFailure => Some(&mut config.destinations.on_failure),
        _ => None,
    }
}

/// The card a destination points at.
fn destination_node(destination: &Destination) -> NodeId {
    match destination {
        Destination::Function(name) => NodeId::new(NodeKind::Function, name),
        Destination::Queue(name) => NodeId::new(NodeKind::Queue, name),
        Destination::Topic(name) => NodeId::new(NodeKind::Topic, name),
        Destination::Bucket(name) => NodeId::new(NodeKind::Bucket, name),
    }
}

/// Removes `function`'s triggers whose line starts at `source`; says what went.
fn remove_triggers_from(
    function: &str,
    config: &mut FunctionConfig,
    source: &NodeId,
    removes: &mut Vec<String>,
) {
    let mut number = 0;
    config.triggers.retain(|trigger: &Trigger| {
        number += 1;
        let keep = trigger_source(function, trigger) != *source;
        if !keep {
            removes.push(format!(
                "trigger {number} of `{function}` ({})",
                trigger.summary()
            ));
        }
        keep
    });
}

/// Edits `config` (of `function`) so it no longer names `node`; says what went.
fn remove_uses(
    function: &str,
    config: &mut FunctionConfig,
    node: &NodeId,
    removes: &mut Vec<String>,
) {
    remove_triggers_from(function, config, node, removes);
    for (field, slot) in [
        ("on-success", &mut config.destinations.on_success),
        ("on-failure", &mut config.destinations.on_failure),
    ] {
        if slot.as_ref().map(destination_node).as_ref() == Some(node) {
            *slot = None;
            removes.push(format!("the {field} destination of `{function}`"));
        }
    }
    let permissions = &mut config.permissions;
    let name = node.key.as_str();
    let permitted = match node.kind {
        NodeKind::Bucket => permissions.buckets.remove(name).is_some(),
        NodeKind::Queue => remove_name(&mut permissions.queues, name),
        NodeKind::Topic => remove_name(&mut permissions.topics, name),
        _ => false,
    };
    if permitted {
        removes.push(format!(
            "the permission of `{function}` to use {}",
            node.describe()
        ));
    }
}

fn remove_name(names: &mut Vec<String>, name: &str) -> bool {
    let before = names.len();
    names.retain(|kept| kept != name);
    names.len() != before
}

/// Edits `config` so no queue or topic of it names queue `queue`; says what went.
fn remove_queue_uses(config: &mut WorkspaceConfig, queue: &str, removes: &mut Vec<String>) {
    for (topic, settings) in &mut config.topics {
        let before = settings.subscriptions.len();
        settings
            .subscriptions
            .retain(|subscription| subscription.queue != queue);
        if settings.subscriptions.len() != before {
            removes.push(format!(
                "the subscription of queue `{queue}` to topic `{topic}`"
            ));
        }
    }
    for (name, settings) in &mut config.queues {
        if name != queue && settings.dead_letter_queue.as_deref() == Some(queue) {
            settings.dead_letter_queue = None;
            settings.max_receive_count = None;
            removes.push(format!(
                "queue `{name}`'s redrive to dead-letter queue `{queue}`"
            ));
        }
    }
}

impl Workspace {
    /// Works out what deleting `selection` removes, against the files as they are now;
    /// nothing is written. Refused for a bucket that still holds objects (S3's
    /// `BucketNotEmpty`) and for a line or card that is not there any more.
    pub fn plan_removal(&self, selection: &MapSelection) -> Result<Removal, EditError> {
        let mut removal = Removal {
            removes: Vec::new(),
            functions: Vec::new(),
            workspace: None,
            bucket_folder: None,
        };
        let functions = self.parsed_functions();
        match selection {
            MapSelection::Card(node) => self.plan_card_removal(node, &functions, &mut removal)?,
            MapSelection::Line { from, to, kind } => {
                self.plan_line_removal(from, to, *kind, &functions, &mut removal)?;
            }
        }
        if removal.removes.is_empty() {
            return Err(EditError::Invalid(
                "nothing to delete: the workspace's files changed since the map was drawn"
                    .to_owned(),
            ));
        }
        Ok(removal)
    }

    fn plan_card_removal(
        &self,
        node: &NodeId,
        functions: &[(String, FunctionConfig)],
        removal: &mut Removal,
    ) -> Result<(), EditError> {
        if node.kind == NodeKind::Function {
            return Err(EditError::Invalid(format!(
                "delete function `{}` from its page (Delete function): it removes the function's folder",
                node.key
            )));
        }
        if node.kind == NodeKind::Bucket {
            let dir = self.buckets_dir().join(&node.key);
            if dir.is_dir() {
                let mut entries = std::fs::read_dir(&dir).map_err(io_error(&dir))?;
                if entries.next().is_some() {
                    return Err(EditError::Invalid(format!(
                        "bucket `{}` is not empty (BucketNotEmpty): S3 deletes only empty buckets; empty buckets/{}/ first, or delete the lines to it",
                        node.key, node.key
                    )));
                }
                removal.bucket_folder = Some(node.key.clone());
                removal
                    .removes
                    .push(format!("the empty folder buckets/{}/", node.key));
            }
        }
        for (function, base) in functions {
            let mut edited = base.clone();
            remove_uses(function, &mut edited, node, &mut removal.removes);
            if edited != *base {
                removal
                    .functions
                    .push((function.clone(), base.clone(), edited));
            }
        }
        if matches!(node.kind, NodeKind::Queue | NodeKind::Topic) {
            let base = self.read_workspace_config()?;
            let mut edited = base.clone();
            if node.kind == NodeKind::Queue {
                remove_queue_uses(&mut edited, &node.key, &mut removal.removes);
                if edited.queues.remove(&node.key).is_some() {
                    removal.removes.push(format!("queue `{}`", node.key));
                }
            } else if edited.topics.remove(&node.key).is_some() {
                removal.removes.push(format!("topic `{}`", node.key));
            }
            if edited != base {
                removal.workspace = Some((base, edited));
            }
        }
        Ok(())
    }

    fn plan_line_removal(
        &self,
        from: &NodeId,
        to: &NodeId,
        kind: EdgeKind,
        functions: &[(String, FunctionConfig)],
        removal: &mut Removal,
    ) -> Result<(), EditError> {
        match kind {
            EdgeKind::Subscription | EdgeKind::DeadLetter => {
                let base = self.read_workspace_config()?;
                let mut edited = base.clone();
                if kind == EdgeKind::Subscription {
                    if let Some(topic) = edited.topics.get_mut(&from.key) {
                        topic
                            .subscriptions
                            .retain(|subscription| subscription.queue != to.key);
                        removal.removes.push(format!(
                            "the subscription of queue `{}` to topic `{}`",
                            to.key, from.key
                        ));
                    }
                } else if let Some(queue) = edited.queues.get_mut(&from.key) {
                    queue.dead_letter_queue = None;
                    queue.max_receive_count = None;
                    removal.removes.push(format!(
                        "queue `{}`'s redrive to dead-letter queue `{}`",
                        from.key, to.key
                    ));
                }
                if edited != base {
                    removal.workspace = Some((base, edited));
                } else {
                    removal.removes.clear();
                }
                return Ok(());
            }
            EdgeKind::Trigger | EdgeKind::OnSuccess | EdgeKind::OnFailure => {}
            EdgeKind::PermittedWrite => {}
        }
        let function = if kind == EdgeKind::Trigger { to } else { from };
        let Some((name, base)) = functions.iter().find(|(name, _)| *name == function.key) else {
            return Ok(());
        };
        let mut edited = base.clone();
        match kind {
            EdgeKind::Trigger => {
                remove_triggers_from(name, &mut edited, from, &mut removal.removes);
            }
            EdgeKind::PermittedWrite => {
                let permissions = &mut edited.permissions;
                let went = match to.kind {
                    NodeKind::Bucket => permissions
                        .buckets
                        .get_mut(&to.key)
                        .map(|access| *access = BucketAccess::Read)
                        .is_some(),
                    NodeKind::Queue => remove_name(&mut permissions.queues, &to.key),
                    NodeKind::Topic => remove_name(&mut permissions.topics, &to.key),
                    _ => false,
                };
                if went {
                    let still = if to.kind == NodeKind::Bucket {
                        " (it may still read it)"
                    } else {
                        ""
                    };
                    removal.removes.push(format!(
                        "the permission of `{name}` to write to {}{still}",
                        to.describe()
                    ));
                }
            }
            _ => {
                if let Some(slot) = destination_slot(&mut edited, kind)
                    && slot.as_ref().map(destination_node).as_ref() == Some(to)
                {
                    *slot = None;
                    let field = if kind == EdgeKind::OnSuccess {
                        "on-success"
                    } else {
                        "on-failure"
                    };
                    removal.removes.push(format!(
                        "the {field} destination of `{name}` ({})",
                        to.describe()
                    ));
                }
            }
        }
        if edited != *base {
            removal.functions.push((name.clone(), base.clone(), edited));
        }
        Ok(())
    }

    /// Writes `removal`: each function's file and `lambdesk.toml` in place (a file
    /// changed meanwhile on the same keys is refused, as every save is), then the empty
    /// bucket folder. Functions are written first, so a refusal of `lambdesk.toml` never
    /// leaves a trigger pointing at a queue that is gone.
    pub fn apply_removal(&self, removal: &Removal) -> Result<(), EditError> {
        for (function, base, edited) in &removal.functions {
            self.update_function_config(function, base, edited, OnConflict::Refuse)?;
        }
        if let Some((base, edited)) = &removal.workspace {
            self.update_workspace_config(base, edited, OnConflict::Refuse)?;
        }
        if let Some(bucket) = &removal.bucket_folder {
            let dir = self.buckets_dir().join(bucket);
            // `remove_dir` refuses a folder that is not empty: an object written since the
            // plan stays.
            std::fs::remove_dir(&dir).map_err(io_error(&dir))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FUNCTION_FILE, WORKSPACE_FILE};

    const WORKSPACE: &str = "# shared\nregion = \"eu-west-1\"\n\n[queues.jobs] # the work\nvisibility_timeout_secs = 60\ndead_letter_queue = \"jobs-dlq\"\nmax_receive_count = 3\n\n[queues.jobs-dlq]\n\n[topics.news]\nsubscriptions = [{ queue = \"jobs\" }]\n";
    const WORKER: &str = "runtime = \"wat\"\nhandler = \"main.wat\"\n\n# polls jobs\n[[triggers]]\ntype = \"queue\"\nqueue = \"jobs\"\n\n[[triggers]]\ntype = \"schedule\"\nexpression = \"rate(1 hour)\"\n\n[permissions]\nqueues = [\"jobs\"]\nbuckets = { photos = \"read-write\" }\n";

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(WORKSPACE_FILE), WORKSPACE).unwrap();
        let function_dir = dir.path().join("functions/worker");
        std::fs::create_dir_all(&function_dir).unwrap();
        std::fs::write(function_dir.join("main.wat"), "(module)").unwrap();
        std::fs::write(function_dir.join(FUNCTION_FILE), WORKER).unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        (dir, workspace)
    }

    fn read(dir: &tempfile::TempDir, path: &str) -> String {
        std::fs::read_to_string(dir.path().join(path)).unwrap()
    }

    #[test]
    fn a_queue_card_takes_every_use_of_the_queue_with_it() {
        let (dir, workspace) = workspace();
        let selection = MapSelection::Card(NodeId::new(NodeKind::Queue, "jobs"));
        let removal = workspace.plan_removal(&selection).unwrap();
        assert_eq!(
            removal.removes,
            [
                "trigger 1 of `worker` (queue jobs)",
                "the permission of `worker` to use queue jobs",
                "the subscription of queue `jobs` to topic `news`",
                "queue `jobs`",
            ]
        );
        // Planning wrote nothing.
        assert_eq!(read(&dir, WORKSPACE_FILE), WORKSPACE);
        workspace.apply_removal(&removal).unwrap();
        let config = read(&dir, WORKSPACE_FILE);
        assert!(!config.contains("[queues.jobs]"), "{config}");
        assert!(config.starts_with("# shared\n"), "{config}");
        assert!(config.contains("[queues.jobs-dlq]"), "{config}");
        let worker = read(&dir, "functions/worker/function.toml");
        assert!(!worker.contains("queue = \"jobs\""), "{worker}");
        assert!(worker.contains("rate(1 hour)"), "{worker}");
    }

    #[test]
    fn a_line_takes_only_what_it_draws() {
        let (dir, workspace) = workspace();
        let write = MapSelection::Line {
            from: NodeId::new(NodeKind::Function, "worker"),
            to: NodeId::new(NodeKind::Bucket, "photos"),
            kind: EdgeKind::PermittedWrite,
        };
        let removal = workspace.plan_removal(&write).unwrap();
        assert_eq!(
            removal.removes,
            ["the permission of `worker` to write to bucket photos (it may still read it)"]
        );
        workspace.apply_removal(&removal).unwrap();
        let worker = read(&dir, "functions/worker/function.toml");
        assert!(worker.contains("photos = \"read\""), "{worker}");

        let redrive = MapSelection::Line {
            from: NodeId::new(NodeKind::Queue, "jobs"),
            to: NodeId::new(NodeKind::Queue, "jobs-dlq"),
            kind: EdgeKind::DeadLetter,
        };
        workspace
            .apply_removal(&workspace.plan_removal(&redrive).unwrap())
            .unwrap();
        let config = read(&dir, WORKSPACE_FILE);
        assert!(!config.contains("dead_letter_queue"), "{config}");
        assert!(!config.contains("max_receive_count"), "{config}");
        assert!(config.contains("[queues.jobs] # the work"), "{config}");
    }

    #[test]
    fn a_bucket_with_objects_and_a_function_card_are_refused() {
        let (dir, workspace) = workspace();
        std::fs::create_dir_all(dir.path().join("buckets/photos")).unwrap();
        std::fs::write(dir.path().join("buckets/photos/cat.png"), "png").unwrap();
        let bucket = MapSelection::Card(NodeId::new(NodeKind::Bucket, "photos"));
        let error = workspace.plan_removal(&bucket).unwrap_err().to_string();
        assert!(error.contains("BucketNotEmpty"), "{error}");
        let function = MapSelection::Card(NodeId::new(NodeKind::Function, "worker"));
        let error = workspace.plan_removal(&function).unwrap_err().to_string();
        assert!(error.contains("Delete function"), "{error}");

        std::fs::remove_file(dir.path().join("buckets/photos/cat.png")).unwrap();
        let removal = workspace.plan_removal(&bucket).unwrap();
        workspace.apply_removal(&removal).unwrap();
        assert!(!dir.path().join("buckets/photos").exists());
        let worker = read(&dir, "functions/worker/function.toml");
        assert!(!worker.contains("photos"), "{worker}");
    }
}
