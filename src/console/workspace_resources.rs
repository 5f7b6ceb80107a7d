//! Creating a queue, topic or bucket a trigger or destination form names (the forms'
//! "Create queue" offers): the same comment-preserving writes as `lambdesk queue create`.

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
        let result = self
            .workspace
            .create_queue(queue, config)
            .map(|()| format!("Created queue {queue} in lambdesk.toml"));
        self.after_workspace_edit(result.map_err(|error| error.to_string()));
    }

    /// Declares `topic` in `lambdesk.toml`.
    pub(super) fn create_topic(&mut self, topic: &str) {
        let result = self
            .workspace
            .create_topic(topic)
            .map(|()| format!("Created topic {topic} in lambdesk.toml"));
        self.after_workspace_edit(result.map_err(|error| error.to_string()));
    }

    /// Makes the folder `buckets/<bucket>/`.
    pub(super) fn create_bucket(&mut self, bucket: &str) {
        let result = self
            .workspace
            .create_bucket(bucket)
            .map(|dir| format!("Created bucket {bucket} ({})", dir.display()));
        self.after_workspace_edit(result.map_err(|error| error.to_string()));
    }

    /// Says how it went and reads `lambdesk.toml` again at once, so the form's offer goes
    /// away this frame; the disk watch's own reload then finds nothing new.
    fn after_workspace_edit(&mut self, result: Result<String, String>) {
        let done = result.is_ok();
        self.say(result);
        if done {
            self.reload_workspace_config();
        }
    }
}
