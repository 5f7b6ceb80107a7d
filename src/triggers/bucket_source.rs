//! The bucket triggers as an engine runs them: one watch per bucket folder, with the
//! rules of every function on it, on the owner of the workspace's push sources only. A
//! bucket whose rules changed hands its snapshot to the watch that replaces it, so what
//! was written while the watch restarted is announced too.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use super::async_delivery::AsyncDelivery;
use super::bucket_watcher::{BucketRule, BucketSnapshot, BucketWatch, bucket_rules_of};
use super::push_sources_owner::{Ownership, PushSourcesOwner, wait_until_owner};
use super::supervisor::TaskFuture;
use super::trigger_source::TriggerSource;
use crate::model::{Function, Workspace};

/// The rules of every function on one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketFolderRules {
    pub bucket: String,
    pub rules: Vec<BucketRule>,
}

type Snapshots = Vec<(String, BucketSnapshot)>;

pub struct BucketSource {
    pub workspace: Workspace,
    pub delivery: Arc<AsyncDelivery>,
    pub ownership: Arc<Ownership>,
    /// Snapshots of stopped watches, for the watches of the same buckets that follow.
    handed_over: Arc<Mutex<Snapshots>>,
}

impl BucketSource {
    pub fn new(
        workspace: Workspace,
        delivery: Arc<AsyncDelivery>,
        ownership: Arc<Ownership>,
    ) -> Self {
        Self {
            workspace,
            delivery,
            ownership,
            handed_over: Arc::default(),
        }
    }
}

impl TriggerSource for BucketSource {
    type Rule = BucketFolderRules;

    fn rules(&self, functions: &[Function]) -> (Vec<BucketFolderRules>, Vec<String>) {
        let mut folders: Vec<BucketFolderRules> = Vec::new();
        for rule in bucket_rules_of(functions) {
            match folders
                .iter_mut()
                .find(|folder| folder.bucket == rule.bucket)
            {
                Some(folder) => folder.rules.push(rule),
                None => folders.push(BucketFolderRules {
                    bucket: rule.bucket.clone(),
                    rules: vec![rule],
                }),
            }
        }
        (folders, Vec::new())
    }

    fn unchanged(old: &BucketFolderRules, new: &BucketFolderRules) -> bool {
        old == new
    }

    fn describe(folder: &BucketFolderRules) -> String {
        format!("the watch of bucket `{}`", folder.bucket)
    }

    /// Watches at once if this process owns the push sources (the snapshot is taken
    /// now, so that a file written right after is news), else from when it takes them
    /// over (what the bucket holds then is not news: the owner announced it).
    fn run(&self, folder: &BucketFolderRules, mut stop: watch::Receiver<bool>) -> TaskFuture {
        let previous: Snapshots = {
            let mut handed_over = self
                .handed_over
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            handed_over
                .iter()
                .position(|(bucket, _)| *bucket == folder.bucket)
                .map(|index| handed_over.swap_remove(index))
                .into_iter()
                .collect()
        };
        let workspace = self.workspace.clone();
        let rules = folder.rules.clone();
        let delivery = Arc::clone(&self.delivery);
        let handed_over = Arc::clone(&self.handed_over);
        let hand_over = move |snapshots: Snapshots| {
            handed_over
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend(snapshots);
        };
        if self.ownership.current() == PushSourcesOwner::Owned {
            let watch = BucketWatch::new(workspace, rules, previous);
            return Box::pin(async move { hand_over(watch.run(delivery, stop).await) });
        }
        let owner = self.ownership.subscribe();
        Box::pin(async move {
            if !wait_until_owner(owner, &mut stop).await {
                hand_over(previous);
                return;
            }
            let watch = BucketWatch::new(workspace, rules, Vec::new());
            hand_over(watch.run(delivery, stop).await);
        })
    }

    /// Snapshots no watch took are of buckets no longer watched: a file written there
    /// meanwhile is no news when a rule names the bucket again.
    fn reloaded(&self) {
        self.handed_over
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
