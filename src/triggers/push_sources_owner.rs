//! One process owns a workspace's push-style sources (bucket watching, schedules,
//! asynchronous delivery): with two on one workspace (two `serve`, or the console and
//! `serve`) each would fire every bucket event and schedule, and every file would be
//! processed twice. Queues need no owner: SQS's semantics share their messages out.
//!
//! The owner holds an advisory lock on `.lambdesk/owner.lock` (a file lock: the system
//! releases it when the process ends, even by a crash) and writes who it is into the file,
//! for the message the others show. The others run without push sources and try the lock
//! again every second, taking over when the owner has gone.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// How often a process without the push sources tries to take them over.
pub const TAKEOVER_POLL: Duration = Duration::from_secs(1);

/// Who runs the workspace's buckets, schedules and asynchronous delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushSourcesOwner {
    /// This process.
    Owned,
    /// Another process; this one takes over when it exits.
    RunBy {
        /// `None` while the owner is still writing who it is.
        pid: Option<u32>,
        program: String,
    },
}

impl PushSourcesOwner {
    /// What the console and `serve` say when another process runs the push sources.
    pub fn note(&self) -> Option<String> {
        let Self::RunBy { pid, program } = self else {
            return None;
        };
        let pid = pid.map(|pid| format!(" (pid {pid})")).unwrap_or_default();
        Some(format!(
            "buckets, schedules and async delivery are run by {program}{pid} on this workspace; this process runs HTTP and queues only (it takes them over when that one exits)"
        ))
    }
}

/// What the owner writes into the lock file.
#[derive(Debug, Serialize, Deserialize)]
struct OwnerRecord {
    pid: u32,
    program: String,
    started_at: String,
}

/// The lock file of a workspace's state folder.
pub fn owner_lock_path(state_dir: &Path) -> PathBuf {
    state_dir.join("owner.lock")
}

/// The lock, held while the file stays open.
#[derive(Debug)]
struct HeldLock {
    _file: File,
}

enum Attempt {
    Acquired(HeldLock),
    Busy(PushSourcesOwner),
}

/// Tries to take the lock; on success writes who this process is.
fn try_acquire(path: &Path) -> std::io::Result<Attempt> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // Never truncated on open: the file holds the owner's record until it is replaced
    // under the lock. Never deleted either: a process could lock the deleted file while
    // another creates a new one, and both would own the sources.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    match file.try_lock() {
        Ok(()) => {
            let record = OwnerRecord {
                pid: std::process::id(),
                program: this_program(),
                started_at: chrono::Utc::now().to_rfc3339(),
            };
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(serde_json::to_string(&record)?.as_bytes())?;
            file.flush()?;
            Ok(Attempt::Acquired(HeldLock { _file: file }))
        }
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let record = file
                .read_to_string(&mut text)
                .ok()
                .and_then(|_| serde_json::from_str::<OwnerRecord>(&text).ok());
            Ok(Attempt::Busy(match record {
                Some(record) => PushSourcesOwner::RunBy {
                    pid: Some(record.pid),
                    program: record.program,
                },
                None => PushSourcesOwner::RunBy {
                    pid: None,
                    program: "another lambdesk process".to_owned(),
                },
            }))
        }
        Err(TryLockError::Error(error)) => Err(error),
    }
}

/// This process as the message names it: "`lambdesk serve`", "the lambdesk console".
fn this_program() -> String {
    let mut args = std::env::args_os();
    let executable = args
        .next()
        .and_then(|arg| {
            Path::new(&arg)
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "lambdesk".to_owned());
    if executable != "lambdesk" {
        return format!("`{executable}`");
    }
    if args.any(|arg| arg == "serve") {
        "`lambdesk serve`".to_owned()
    } else {
        "the lambdesk console".to_owned()
    }
}

/// This process's claim on the push sources of one workspace.
#[derive(Debug)]
pub struct Ownership {
    path: PathBuf,
    state: watch::Sender<PushSourcesOwner>,
    held: Mutex<Option<HeldLock>>,
}

impl Ownership {
    /// Tries the lock once. Where it cannot be tried at all, a message says why, and this
    /// process runs the push sources as every process did before the lock.
    pub fn claim(state_dir: &Path) -> (Arc<Self>, Option<String>) {
        let path = owner_lock_path(state_dir);
        let (state, problem, held) = match try_acquire(&path) {
            Ok(Attempt::Acquired(lock)) => (PushSourcesOwner::Owned, None, Some(lock)),
            Ok(Attempt::Busy(owner)) => (owner, None, None),
            Err(error) => (
                PushSourcesOwner::Owned,
                Some(format!(
                    "cannot lock {} ({error}): if another lambdesk runs on this workspace, both fire its buckets and schedules",
                    path.display()
                )),
                None,
            ),
        };
        let (state, _) = watch::channel(state);
        let ownership = Arc::new(Self {
            path,
            state,
            held: Mutex::new(held),
        });
        (ownership, problem)
    }

    pub fn current(&self) -> PushSourcesOwner {
        self.state.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<PushSourcesOwner> {
        self.state.subscribe()
    }

    /// Tries the lock every [`TAKEOVER_POLL`] until this process owns the push sources
    /// or `stop` turns true.
    pub async fn take_over_when_free(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        while self.current() != PushSourcesOwner::Owned {
            tokio::select! {
                () = tokio::time::sleep(TAKEOVER_POLL) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            let path = self.path.clone();
            let attempt = tokio::task::spawn_blocking(move || try_acquire(&path)).await;
            match attempt {
                Ok(Ok(Attempt::Acquired(lock))) => {
                    *self.held.lock().unwrap_or_else(PoisonError::into_inner) = Some(lock);
                    self.state.send_replace(PushSourcesOwner::Owned);
                }
                Ok(Ok(Attempt::Busy(owner))) => {
                    self.state.send_if_modified(|current| {
                        let changed = *current != owner;
                        *current = owner;
                        changed
                    });
                }
                // Tried again at the next poll.
                Ok(Err(_)) | Err(_) => {}
            }
        }
    }

    /// Lets another process take the push sources over (once this one's have stopped).
    pub fn release(&self) {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

/// Waits until this process owns the push sources (`true`) or `stop` turns true (`false`).
pub async fn wait_until_owner(
    mut owner: watch::Receiver<PushSourcesOwner>,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    loop {
        if *stop.borrow_and_update() {
            return false;
        }
        if *owner.borrow_and_update() == PushSourcesOwner::Owned {
            return true;
        }
        tokio::select! {
            changed = owner.changed() => if changed.is_err() { return false },
            changed = stop.changed() => if changed.is_err() { return false },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_sees_the_first_owner_and_gets_the_lock_once_it_is_released() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (first, problem) = Ownership::claim(dir.path());
        assert_eq!(problem, None);
        assert_eq!(first.current(), PushSourcesOwner::Owned);

        let (second, _) = Ownership::claim(dir.path());
        let PushSourcesOwner::RunBy { pid, .. } = second.current() else {
            panic!("both own the push sources");
        };
        assert_eq!(pid, Some(std::process::id()));
        assert!(
            second
                .current()
                .note()
                .is_some_and(|note| note.contains("this process runs HTTP and queues only"))
        );

        first.release();
        let (third, _) = Ownership::claim(dir.path());
        assert_eq!(third.current(), PushSourcesOwner::Owned);
    }
}
