//! The offer a trigger or destination form makes when the queue, topic or bucket it
//! names does not exist yet: create it from the form, with its settings, instead of
//! leaving the user to edit `lambdesk.toml` or make a folder.

use crate::console::Command;
use crate::model::{QueueConfig, Workspace};

/// Longest visibility timeout SQS allows: 12 hours.
const MAX_VISIBILITY_TIMEOUT_SECS: u32 = 43_200;

/// A queue, topic or bucket a form names that the workspace does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingResource {
    /// Not declared in `lambdesk.toml` (used with SQS's defaults until it is).
    Queue(String),
    /// Not declared in `lambdesk.toml` (used with SNS's defaults until it is).
    Topic(String),
    /// No folder `buckets/<name>/` yet.
    Bucket(String),
}

impl MissingResource {
    /// `Some` when `resource` names something the workspace lacks (one stat for a bucket,
    /// cheap enough for every frame).
    pub fn check(workspace: &Workspace, resource: Self) -> Option<Self> {
        let config = workspace.config();
        let missing = match &resource {
            Self::Queue(name) => !config.queues.contains_key(name),
            Self::Topic(name) => !config.topics.contains_key(name),
            Self::Bucket(name) => !workspace.buckets_dir().join(name).is_dir(),
        };
        missing.then_some(resource)
    }
}

/// What the create-queue offer's settings hold between frames.
#[derive(Debug, Clone, Default)]
pub struct CreateOffer {
    /// Prefilled on first show; `None` until then.
    visibility_timeout_secs: Option<u32>,
}

impl CreateOffer {
    /// The offer for `missing`; a command when the user takes it. `min_visibility_secs`:
    /// the function's timeout for a queue that triggers it (Lambda refuses a mapping whose
    /// queue hides a message for less time than the function may run), else 0.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        missing: &MissingResource,
        min_visibility_secs: u32,
    ) -> Option<Command> {
        let mut command = None;
        ui.horizontal(|ui| match missing {
            MissingResource::Queue(queue) => {
                let default_secs = QueueConfig::default().visibility_timeout_secs;
                let visibility_secs = self
                    .visibility_timeout_secs
                    .get_or_insert(default_secs.max(min_visibility_secs));
                ui.label("Visibility timeout (s)");
                ui.add(
                    egui::DragValue::new(visibility_secs)
                        .range(min_visibility_secs..=MAX_VISIBILITY_TIMEOUT_SECS),
                )
                .accessible_name("Visibility timeout (s)")
                .on_hover_text(
                    "How long a received message stays hidden; at least the function's timeout",
                );
                if ui
                    .button(format!("Create queue `{queue}`"))
                    .on_hover_text("Declares it in lambdesk.toml")
                    .clicked()
                {
                    command = Some(Command::CreateQueue {
                        queue: queue.clone(),
                        visibility_timeout_secs: *visibility_secs,
                    });
                }
            }
            MissingResource::Topic(topic) => {
                if ui
                    .button(format!("Create topic `{topic}`"))
                    .on_hover_text("Declares it in lambdesk.toml")
                    .clicked()
                {
                    command = Some(Command::CreateTopic {
                        topic: topic.clone(),
                    });
                }
            }
            MissingResource::Bucket(bucket) => {
                if ui
                    .button("Create bucket folder")
                    .on_hover_text(format!("Makes the folder buckets/{bucket}/"))
                    .clicked()
                {
                    command = Some(Command::CreateBucket {
                        bucket: bucket.clone(),
                    });
                }
            }
        });
        command
    }
}
