//! Creating a queue, topic or bucket a trigger or destination form names (the forms'
//! "Create queue" offers, the map's palette): the same comment-preserving writes as
//! `lambdesk queue create`, each undoable.

use super::Console;
use crate::model::QueueConfig;

impl Console {
    /// Declares `queue` in `lambdesk.toml` (FIFO when its name ends in `.fifo`, as SQS).
    pub(super) fn create_queue(&mut self, queue: &str, visibility_timeout_secs: u32) {
        let config = QueueConfig {
            visibility_timeout_secs,
            fifo: queue.ends_with(".fifo"),
            ..QueueConfig::default()
        };
        let paths = vec![self.workspace_file_path()];
        let result = self
            .record_edit(format!("Create queue {queue}"), paths, |workspace| {
                workspace.create_queue(queue, config)
            })
            .map(|()| format!("Created queue {queue} in lambdesk.toml"));
        self.after_files_edit(result.map_err(|error| error.to_string()));
    }

    /// Declares `topic` in `lambdesk.toml`.
    pub(super) fn create_topic(&mut self, topic: &str) {
        let paths = vec![self.workspace_file_path()];
        let result = self
            .record_edit(format!("Create topic {topic}"), paths, |workspace| {
                workspace.create_topic(topic)
            })
            .map(|()| format!("Created topic {topic} in lambdesk.toml"));
        self.after_files_edit(result.map_err(|error| error.to_string()));
    }

    /// Makes the folder `buckets/<bucket>/`.
    pub(super) fn create_bucket(&mut self, bucket: &str) {
        let paths = vec![self.workspace.buckets_dir().join(bucket)];
        let result = self
            .record_edit(format!("Create bucket {bucket}"), paths, |workspace| {
                workspace.create_bucket(bucket)
            })
            .map(|dir| format!("Created bucket {bucket} ({})", dir.display()));
        self.after_files_edit(result.map_err(|error| error.to_string()));
    }
}
