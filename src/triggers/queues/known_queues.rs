//! Which queues a workspace has: those declared in `lambdesk.toml`, and those its
//! functions name (a queue trigger, a destination) with SQS's default settings — so a
//! function made from the queue blueprint works before anyone declares its queue.

use std::collections::BTreeMap;

use crate::model::{Destination, Function, QueueConfig, Trigger, Workspace, table_header};

use super::store::QueueSettings;

#[derive(Debug, thiserror::Error)]
#[error(
    "there is no queue `{name}` in this workspace (known: {}); declare it as {} in lambdesk.toml",
    if known.is_empty() { "none".to_owned() } else { known.join(", ") },
    table_header("queues", name)
)]
pub struct QueueUnknown {
    pub name: String,
    pub known: Vec<String>,
}

/// Every queue of the workspace with its settings, declared ones first in name order.
pub fn known_queues(
    workspace: &Workspace,
    functions: &[Function],
) -> BTreeMap<String, QueueSettings> {
    let mut queues: BTreeMap<String, QueueSettings> = workspace
        .config()
        .queues
        .iter()
        .map(|(name, config)| (name.clone(), QueueSettings::new(name, config)))
        .collect();
    let defaults = QueueConfig::default();
    for function in functions {
        let destinations = [
            &function.config.destinations.on_success,
            &function.config.destinations.on_failure,
        ];
        let named = function
            .config
            .triggers
            .iter()
            .filter_map(|trigger| match trigger {
                Trigger::Queue { queue, .. } => Some(queue),
                _ => None,
            })
            .chain(destinations.into_iter().flatten().filter_map(
                |destination| match destination {
                    Destination::Queue(queue) => Some(queue),
                    _ => None,
                },
            ));
        for name in named {
            queues.entry(name.clone()).or_insert_with(|| {
                QueueSettings::new(
                    name,
                    &QueueConfig {
                        fifo: name.ends_with(".fifo"),
                        content_based_deduplication: name.ends_with(".fifo"),
                        ..defaults.clone()
                    },
                )
            });
        }
    }
    queues
}

/// The settings of one queue, or which queues there are.
pub fn queue_settings(
    queues: &BTreeMap<String, QueueSettings>,
    name: &str,
) -> Result<QueueSettings, QueueUnknown> {
    queues.get(name).cloned().ok_or_else(|| QueueUnknown {
        name: name.to_owned(),
        known: queues.keys().cloned().collect(),
    })
}
