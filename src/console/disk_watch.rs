//! Notices when the workspace's files change on disk — saved by the console, by another
//! editor, by `git checkout` — so that every view shows what the files say now
//! (`function.toml` has one source of truth: the file) and `lambdesk.toml`'s queues,
//! topics and settings apply without a restart.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use notify::Watcher as _;
use notify::event::EventKind;

use super::Waker;

/// A function's folder changed (its `function.toml`, code or saved events).
pub(super) const FUNCTIONS_CHANGED: u8 = 1;
/// `lambdesk.toml` changed.
pub(super) const WORKSPACE_CONFIG_CHANGED: u8 = 2;

/// Watches `functions/` and `lambdesk.toml`; what changed is gathered in a set of flags
/// the console takes on its next poll (many changes in one frame are one reload).
pub(super) struct DiskWatch {
    changed: Arc<AtomicU8>,
    /// Kept for its thread; dropped, it stops watching.
    _watcher: Option<notify::RecommendedWatcher>,
}

impl DiskWatch {
    /// Starts watching the workspace at `root`; `waker` wakes the UI on a change. Without
    /// file notifications (an unusual system) nothing is watched and the second value
    /// says so.
    pub(super) fn start(root: &Path, waker: Waker) -> (Self, Option<String>) {
        let changed = Arc::new(AtomicU8::new(0));
        let functions_dir = root.join("functions");
        let config_file = root.join(crate::model::WORKSPACE_FILE);
        let flags = Arc::clone(&changed);
        let (watched_functions, watched_config) = (functions_dir.clone(), config_file.clone());
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else {
                return;
            };
            if matches!(event.kind, EventKind::Access(_)) {
                return;
            }
            let flag = event.paths.iter().fold(0, |flag, path| {
                flag | change_of(path, &watched_functions, &watched_config)
            });
            if flag != 0 {
                flags.fetch_or(flag, Ordering::SeqCst);
                waker();
            }
        });
        let mut problem = None;
        let watcher = match watcher {
            Ok(mut watcher) => {
                let watched = watcher
                    .watch(root, notify::RecursiveMode::NonRecursive)
                    .and_then(|()| watcher.watch(&functions_dir, notify::RecursiveMode::Recursive));
                if let Err(error) = watched {
                    problem = Some(not_watched(root, &error));
                }
                Some(watcher)
            }
            Err(error) => {
                problem = Some(not_watched(root, &error));
                None
            }
        };
        (
            Self {
                changed,
                _watcher: watcher,
            },
            problem,
        )
    }

    /// What changed since the last call (a set of the flags above; 0 for nothing).
    pub(super) fn take_changes(&self) -> u8 {
        self.changed.swap(0, Ordering::SeqCst)
    }
}

fn change_of(path: &Path, functions_dir: &Path, config_file: &Path) -> u8 {
    if path == config_file {
        WORKSPACE_CONFIG_CHANGED
    } else if path.starts_with(functions_dir) {
        FUNCTIONS_CHANGED
    } else {
        0
    }
}

fn not_watched(root: &Path, error: &notify::Error) -> String {
    format!(
        "Changes made to {} by other programs will not show until you reopen it: {error}",
        PathBuf::from(root).display()
    )
}
