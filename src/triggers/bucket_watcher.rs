//! Buckets are folders (`buckets/<name>/`); a watcher turns changes to their files into
//! S3 notifications for the functions whose `bucket` triggers match, queued as
//! asynchronous invocations.
//!
//! The folders are watched with the system's file notifications (inotify on Linux): a
//! file closed after writing, or renamed into place, is announced at once. They are also
//! scanned a few times a second, which catches what notifications miss (and is all there
//! is where they are unavailable): there a new or changed file is announced once its size
//! and modification time have stayed the same for a whole scan, so a file still being
//! written produces no event, and a finished write exactly one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use md5::{Digest as _, Md5};
use notify::Watcher as _;
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
use tokio::sync::{Notify, watch};

use super::async_delivery::AsyncDelivery;
use super::events::s3::S3ObjectEvent;
use crate::model::{Function, Trigger, Workspace};

/// How often bucket folders are scanned.
pub const SCAN_INTERVAL: Duration = Duration::from_millis(250);

/// Scans a file must hold still before it is announced without a "closed after writing"
/// notification. Where the system sends those, a file that holds still but was not
/// closed is most likely still being written by a writer that stalled (a busy machine):
/// announcing it would announce it again when the write ends, so the wait is longer.
const SCANS_TO_SETTLE_WITHOUT_NOTIFICATIONS: u32 = 1;
const SCANS_TO_SETTLE_WITH_NOTIFICATIONS: u32 = 8;

/// One function's `bucket` trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketRule {
    pub function: String,
    pub bucket: String,
    /// S3 notification event names: `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, …
    pub events: Vec<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
}

impl BucketRule {
    /// Whether a change of `event_name` (`ObjectCreated:Put`) to `key` concerns this rule,
    /// as S3's notification filters decide.
    pub fn matches(&self, event_name: &str, key: &str) -> bool {
        let kind = event_name.split(':').next().unwrap_or_default();
        let wanted = self.events.iter().any(|wanted| {
            let wanted = wanted.strip_prefix("s3:").unwrap_or(wanted);
            wanted == event_name || wanted == format!("{kind}:*")
        });
        wanted
            && self
                .prefix
                .as_deref()
                .is_none_or(|prefix| key.starts_with(prefix))
            && self
                .suffix
                .as_deref()
                .is_none_or(|suffix| key.ends_with(suffix))
    }
}

/// The enabled bucket triggers of the functions.
pub fn bucket_rules_of(functions: &[Function]) -> Vec<BucketRule> {
    let mut rules = Vec::new();
    for function in functions {
        let name = &function.name;
        for trigger in &function.config.triggers {
            if let Trigger::Bucket {
                bucket,
                events,
                prefix,
                suffix,
                enabled: true,
            } = trigger
            {
                rules.push(BucketRule {
                    function: name.clone(),
                    bucket: bucket.clone(),
                    events: events.clone(),
                    prefix: prefix.clone(),
                    suffix: suffix.clone(),
                });
            }
        }
    }
    rules
}

/// What a file looked like at a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileState {
    size_bytes: u64,
    modified: Option<SystemTime>,
}

/// A change found by comparing two scans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketChange {
    /// Written and finished (its state held for a whole scan): `ObjectCreated:Put`.
    Put {
        key: String,
    },
    Deleted {
        key: String,
    },
}

/// The files of one bucket over time.
#[derive(Debug, Default)]
pub struct BucketSnapshot {
    /// Files announced, with the state they were announced in.
    announced: BTreeMap<String, FileState>,
    /// Files seen changing, waiting to hold still: the state last seen and for how many
    /// scans since it has not changed.
    settling: BTreeMap<String, (FileState, u32)>,
}

/// Every file under `dir` by key (`photos/2026/cat.png`), `/`-separated.
fn scan(dir: &Path) -> BTreeMap<String, FileState> {
    fn walk(dir: &Path, prefix: &str, found: &mut BTreeMap<String, FileState>, depth: usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Atomic writes go through hidden temporary files; they are not objects.
            if name.starts_with('.') {
                continue;
            }
            let key = format!("{prefix}{name}");
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() {
                if depth < 32 {
                    walk(&entry.path(), &format!("{key}/"), found, depth + 1);
                }
            } else {
                found.insert(
                    key,
                    FileState {
                        size_bytes: metadata.len(),
                        modified: metadata.modified().ok(),
                    },
                );
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, "", &mut found, 0);
    found
}

impl BucketSnapshot {
    /// The bucket as it is now, with nothing to announce (what exists at start-up is
    /// not news).
    pub fn of(dir: &Path) -> Self {
        Self {
            announced: scan(dir),
            settling: BTreeMap::new(),
        }
    }

    /// Forgets a file announced by `rescan` that could not be read after all (it went
    /// away): its later removal is then no news either.
    pub fn forget(&mut self, key: &str) {
        self.announced.remove(key);
    }

    /// Scans again; returns the changes that are now final. Files in `closed` were
    /// closed after writing (or renamed into place) since the last scan: they are final
    /// at once. Others are final when unchanged for `scans_to_settle` scans.
    pub fn rescan(
        &mut self,
        dir: &Path,
        closed: &BTreeSet<String>,
        scans_to_settle: u32,
    ) -> Vec<BucketChange> {
        let now = scan(dir);
        let mut changes = Vec::new();
        let gone: Vec<String> = self
            .announced
            .keys()
            .filter(|key| !now.contains_key(*key))
            .cloned()
            .collect();
        for key in gone {
            self.announced.remove(&key);
            changes.push(BucketChange::Deleted { key });
        }
        self.settling.retain(|key, _| now.contains_key(key));
        for (key, state) in now {
            if self.announced.get(&key) == Some(&state) {
                continue;
            }
            let unchanged_scans = match self.settling.get(&key) {
                Some((seen, scans)) if *seen == state => scans + 1,
                _ => 0,
            };
            if closed.contains(&key) || unchanged_scans >= scans_to_settle {
                // Closed after writing, or unchanged long enough: the write is over.
                self.settling.remove(&key);
                self.announced.insert(key.clone(), state);
                changes.push(BucketChange::Put { key });
            } else {
                self.settling.insert(key, (state, unchanged_scans));
            }
        }
        changes
    }
}

/// The S3 notification for a change, read from the file for a put (size, MD5 eTag).
fn notification(
    dir: &Path,
    bucket: &str,
    region: &str,
    change: &BucketChange,
) -> Option<S3ObjectEvent> {
    let mut event = match change {
        BucketChange::Put { key } => {
            let bytes = std::fs::read(dir.join(key)).ok()?;
            let etag = format!("{:x}", Md5::digest(&bytes));
            S3ObjectEvent::object_created(bucket, key.clone(), bytes.len() as u64, etag)
        }
        BucketChange::Deleted { key } => S3ObjectEvent::object_removed(bucket, key.clone()),
    };
    region.clone_into(&mut event.region);
    Some(event)
}

/// The buckets some rule names, with what they held when watching began.
pub struct BucketWatch {
    workspace: Workspace,
    rules: Vec<BucketRule>,
    snapshots: Vec<(String, BucketSnapshot)>,
    /// Paths the system said were closed after writing or renamed into place, since the
    /// last scan.
    closed: Arc<Mutex<Vec<PathBuf>>>,
}

impl BucketWatch {
    /// Takes the first snapshots now, so that a file written right after the engine
    /// started is news. A bucket watched before a reload keeps its `previous` snapshot,
    /// so what changed while the watch restarted is announced too.
    pub fn new(
        workspace: Workspace,
        rules: Vec<BucketRule>,
        mut previous: Vec<(String, BucketSnapshot)>,
    ) -> Self {
        let mut buckets: Vec<String> = rules.iter().map(|rule| rule.bucket.clone()).collect();
        buckets.sort();
        buckets.dedup();
        let snapshots = buckets
            .into_iter()
            .map(|bucket| {
                let dir = workspace.root().join("buckets").join(&bucket);
                // A bucket named by a trigger exists, as in S3.
                let _ = std::fs::create_dir_all(&dir);
                let snapshot = match previous.iter().position(|(name, _)| *name == bucket) {
                    Some(index) => previous.swap_remove(index).1,
                    None => BucketSnapshot::of(&dir),
                };
                (bucket, snapshot)
            })
            .collect();
        Self {
            workspace,
            rules,
            snapshots,
            closed: Arc::default(),
        }
    }

    /// Watches the bucket folders for finished writes and removals, waking `changed`.
    /// `None` where the system offers no notifications (scans still find everything).
    fn notifications(&self, changed: &Arc<Notify>) -> Option<notify::RecommendedWatcher> {
        let closed = Arc::clone(&self.closed);
        let wake = Arc::clone(changed);
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else {
                    return;
                };
                match event.kind {
                    EventKind::Access(AccessKind::Close(AccessMode::Write))
                    | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => {
                        closed
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .extend(event.paths);
                        wake.notify_one();
                    }
                    EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)) => {
                        wake.notify_one();
                    }
                    _ => {}
                }
            })
            .ok()?;
        for (bucket, _) in &self.snapshots {
            let dir = self.workspace.root().join("buckets").join(bucket);
            watcher.watch(&dir, notify::RecursiveMode::Recursive).ok()?;
        }
        Some(watcher)
    }

    /// Queues the buckets' notifications until `stop`; then hands back the snapshots for
    /// the watch that follows a reload.
    pub async fn run(
        self,
        delivery: Arc<AsyncDelivery>,
        mut stop: watch::Receiver<bool>,
    ) -> Vec<(String, BucketSnapshot)> {
        if self.snapshots.is_empty() {
            return Vec::new();
        }
        let region = self.workspace.config().region.clone();
        let changed = Arc::new(Notify::new());
        // Kept alive while watching; dropped (and unwatched) on return.
        let watcher = self.notifications(&changed);
        let scans_to_settle = if watcher.is_some() {
            SCANS_TO_SETTLE_WITH_NOTIFICATIONS
        } else {
            SCANS_TO_SETTLE_WITHOUT_NOTIFICATIONS
        };
        let mut watch = self;
        loop {
            tokio::select! {
                () = tokio::time::sleep(SCAN_INTERVAL) => {}
                () = changed.notified() => {}
                _ = stop.changed() => return watch.snapshots,
            }
            // Scanning, hashing a large file and queuing are blocking work: off the async
            // workers, which serve HTTP meanwhile.
            let delivery = Arc::clone(&delivery);
            let region = region.clone();
            let scanned = tokio::task::spawn_blocking(move || {
                watch.scan_once(&delivery, &region, scans_to_settle);
                watch
            })
            .await;
            match scanned {
                Ok(scanned) => watch = scanned,
                Err(_) => return Vec::new(),
            }
        }
    }

    /// One scan of every watched bucket, queuing the notifications of what changed.
    fn scan_once(&mut self, delivery: &AsyncDelivery, region: &str, scans_to_settle: u32) {
        let closed_paths =
            std::mem::take(&mut *self.closed.lock().unwrap_or_else(PoisonError::into_inner));
        for (bucket, snapshot) in &mut self.snapshots {
            let dir = self.workspace.root().join("buckets").join(&*bucket);
            let closed: BTreeSet<String> = closed_paths
                .iter()
                .filter_map(|path| path.strip_prefix(&dir).ok())
                .map(|relative| {
                    relative
                        .components()
                        .map(|part| part.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .collect();
            for change in snapshot.rescan(&dir, &closed, scans_to_settle) {
                let Some(event) = notification(&dir, bucket, region, &change) else {
                    if let BucketChange::Put { key } = &change {
                        snapshot.forget(key);
                    }
                    continue;
                };
                let name = event
                    .event_name
                    .strip_prefix("s3:")
                    .unwrap_or(&event.event_name)
                    .to_owned();
                let payload = event.event().to_string();
                let hops = delivery.context().write_chains.hops_of_change(bucket);
                for rule in self.rules.iter().filter(|rule| rule.bucket == *bucket) {
                    if rule.matches(&name, &event.key) {
                        let origin = format!("Bucket {bucket} {name}");
                        // A failure to queue is reported by `enqueue` itself.
                        let _ = delivery.enqueue(&rule.function, &payload, &origin, hops);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(events: &[&str], prefix: Option<&str>, suffix: Option<&str>) -> BucketRule {
        BucketRule {
            function: "f".to_owned(),
            bucket: "b".to_owned(),
            events: events.iter().map(|event| (*event).to_owned()).collect(),
            prefix: prefix.map(str::to_owned),
            suffix: suffix.map(str::to_owned),
        }
    }

    #[test]
    fn filters_work_as_in_s3_notification_configuration() {
        let images = rule(&["s3:ObjectCreated:*"], Some("uploads/"), Some(".png"));
        assert!(images.matches("ObjectCreated:Put", "uploads/cat.png"));
        assert!(!images.matches("ObjectCreated:Put", "uploads/cat.jpg"));
        assert!(!images.matches("ObjectCreated:Put", "other/cat.png"));
        assert!(!images.matches("ObjectRemoved:Delete", "uploads/cat.png"));
        let deletes = rule(&["s3:ObjectRemoved:Delete"], None, None);
        assert!(deletes.matches("ObjectRemoved:Delete", "any"));
        assert!(!deletes.matches("ObjectCreated:Put", "any"));
    }

    #[test]
    fn a_file_is_announced_once_its_write_has_finished() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.txt"), "there before").unwrap();
        let mut snapshot = BucketSnapshot::of(dir.path());
        let none = BTreeSet::new();
        assert!(snapshot.rescan(dir.path(), &none, 1).is_empty());
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/new file.txt"), "part one").unwrap();
        // Still being written: seen, not announced.
        assert!(snapshot.rescan(dir.path(), &none, 1).is_empty());
        std::fs::write(dir.path().join("sub/new file.txt"), "part one, part two").unwrap();
        assert!(snapshot.rescan(dir.path(), &none, 1).is_empty());
        // Held still for a scan: one Put.
        assert_eq!(
            snapshot.rescan(dir.path(), &none, 1),
            vec![BucketChange::Put {
                key: "sub/new file.txt".to_owned()
            }]
        );
        assert!(snapshot.rescan(dir.path(), &none, 1).is_empty());
        std::fs::remove_file(dir.path().join("old.txt")).unwrap();
        assert_eq!(
            snapshot.rescan(dir.path(), &none, 1),
            vec![BucketChange::Deleted {
                key: "old.txt".to_owned()
            }]
        );
    }

    #[test]
    fn a_stalled_writer_s_file_is_announced_once_when_its_write_is_closed() {
        // Created empty, then the writer stalls (a busy machine) before writing and
        // closing: with close notifications, holding still for a few scans is not the
        // end of the write, so the file is announced once, when it is closed.
        let dir = tempfile::tempdir().unwrap();
        let mut snapshot = BucketSnapshot::of(dir.path());
        let none = BTreeSet::new();
        std::fs::write(dir.path().join("upload.bin"), "").unwrap();
        for _ in 0..3 {
            assert!(snapshot.rescan(dir.path(), &none, 8).is_empty());
        }
        std::fs::write(dir.path().join("upload.bin"), "the content").unwrap();
        let closed = BTreeSet::from(["upload.bin".to_owned()]);
        assert_eq!(
            snapshot.rescan(dir.path(), &closed, 8),
            vec![BucketChange::Put {
                key: "upload.bin".to_owned()
            }]
        );
        for _ in 0..10 {
            assert!(snapshot.rescan(dir.path(), &none, 8).is_empty());
        }
    }

    #[test]
    fn a_file_closed_after_writing_is_announced_at_the_next_scan() {
        let dir = tempfile::tempdir().unwrap();
        let mut snapshot = BucketSnapshot::of(dir.path());
        std::fs::write(dir.path().join("photo.png"), "bytes").unwrap();
        let closed = BTreeSet::from(["photo.png".to_owned()]);
        assert_eq!(
            snapshot.rescan(dir.path(), &closed, 1),
            vec![BucketChange::Put {
                key: "photo.png".to_owned()
            }]
        );
        // Announced once.
        assert!(snapshot.rescan(dir.path(), &closed, 1).is_empty());
    }

    struct NoSink;

    impl crate::triggers::InvocationSink for NoSink {
        fn finished(&self, _invocation: crate::triggers::FinishedInvocation) {}
    }

    #[test]
    fn a_write_while_the_watch_restarts_is_still_announced() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&dir.path().join("ws")).unwrap();
        let runtime = crate::runtime::Runtime::new(crate::runtime::RuntimeOptions {
            cache_dir: dir.path().join("cache"),
            ..crate::runtime::RuntimeOptions::default()
        })
        .unwrap();
        let context = Arc::new(crate::triggers::TriggerContext::new(
            workspace.clone(),
            Arc::new(runtime),
            Arc::new(NoSink),
        ));
        let delivery = AsyncDelivery::open(
            context,
            crate::triggers::async_delivery::AsyncOptions::default(),
        )
        .unwrap();
        let rules = vec![rule(&["s3:ObjectCreated:*"], None, None)];
        // The watch before a reload, and its snapshot when it stopped.
        let before = BucketWatch::new(workspace.clone(), rules.clone(), Vec::new());
        let handed_over = before.snapshots;
        // Written between the old watch's stop and the new one's start.
        std::fs::write(workspace.root().join("buckets/b/late.txt"), "late").unwrap();
        let mut after = BucketWatch::new(workspace, rules, handed_over);
        after.scan_once(&delivery, "us-east-1", 1);
        after.scan_once(&delivery, "us-east-1", 1);
        assert_eq!(delivery.store().waiting().unwrap(), 1);
    }
}
