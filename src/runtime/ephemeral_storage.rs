//! An execution environment's `/tmp`, as Lambda gives every function: a writable folder of
//! `ephemeral_storage_mb` (512 MB by default), kept for the life of the environment (warm
//! invocations see what earlier ones wrote; a new environment starts empty). On the host
//! it is a temporary folder made with the environment and removed when it is dropped.
//!
//! Its size is kept by counting, not by the host's file system: WASI preview 1 in
//! wasmtime-wasi 48 takes no custom file system, so the calls that can grow a file are
//! wrapped (`tmp_quota_shims.rs`) and asked here first. [`TmpQuota`] knows which of the
//! guest's descriptors are under `/tmp` and keeps an upper bound of the bytes in use.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use wasmtime_wasi::FsPerms;

use super::error::InvokeError;

/// Where the folder appears inside the sandbox.
pub const TMP_GUEST_PATH: &str = "/tmp";

/// Lambda's "MB" of ephemeral storage is a mebibyte.
const BYTES_PER_MB: u64 = 1024 * 1024;

/// The first descriptor wasmtime-wasi's preview 1 gives a preopened folder: 0–2 are
/// stdin, stdout and stderr, then the preopens follow in the order they were added.
const FIRST_PREOPEN_FD: u32 = 3;

/// One execution environment's `/tmp`; dropping it removes the folder and what is in it.
pub struct EphemeralStorage {
    dir: tempfile::TempDir,
    limit_bytes: u64,
    /// An upper bound of the bytes the guest has put in the folder, shared with the
    /// sandboxes that mount it (a command-mode function mounts it once per invocation).
    usage_bytes: Arc<AtomicU64>,
}

impl EphemeralStorage {
    /// A new, empty folder under `root` (created if missing) of `ephemeral_storage_mb`.
    pub fn create(root: &Path, ephemeral_storage_mb: u32) -> Result<Self, InvokeError> {
        let dir = std::fs::create_dir_all(root)
            .and_then(|()| {
                tempfile::Builder::new()
                    .prefix("lambdesk-tmp-")
                    .tempdir_in(root)
            })
            .map_err(|error| {
                InvokeError::Sandbox(format!(
                    "cannot create the execution environment's /tmp folder in {}: {error}",
                    root.display()
                ))
            })?;
        Ok(Self {
            dir,
            limit_bytes: u64::from(ephemeral_storage_mb) * BYTES_PER_MB,
            usage_bytes: Arc::default(),
        })
    }

    /// The host folder itself: a native process's `TMPDIR`.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// What a sandbox needs to show the folder as `/tmp` and keep it within its size.
    pub fn mount(&self) -> TmpMount {
        TmpMount {
            host_dir: self.dir.path().to_owned(),
            limit_bytes: self.limit_bytes,
            usage_bytes: Arc::clone(&self.usage_bytes),
        }
    }
}

/// The `/tmp` folders of a command-mode function between its invocations. A command runs
/// in a fresh instance each time, but its warm invocations are one execution environment
/// to Lambda's eyes: they see what earlier ones left in `/tmp`. Invocations running at the
/// same time each take a folder of their own, as separate environments would.
#[derive(Default)]
pub struct IdleStorage {
    folders: Mutex<Vec<EphemeralStorage>>,
}

impl IdleStorage {
    /// An idle folder of `ephemeral_storage_mb`, or a new one under `root`.
    pub fn take_or_create(
        &self,
        root: &Path,
        ephemeral_storage_mb: u32,
    ) -> Result<EphemeralStorage, InvokeError> {
        let limit_bytes = u64::from(ephemeral_storage_mb) * BYTES_PER_MB;
        let idle = {
            let mut folders = self.lock();
            // A folder of another size is from before a configuration change.
            folders.retain(|storage| storage.limit_bytes == limit_bytes);
            folders.pop()
        };
        match idle {
            Some(storage) => Ok(storage),
            None => EphemeralStorage::create(root, ephemeral_storage_mb),
        }
    }

    pub fn put_back(&self, storage: EphemeralStorage) {
        self.lock().push(storage);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<EphemeralStorage>> {
        self.folders.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A `/tmp` to mount in one sandbox.
#[derive(Clone)]
pub struct TmpMount {
    pub host_dir: PathBuf,
    limit_bytes: u64,
    usage_bytes: Arc<AtomicU64>,
}

impl TmpMount {
    /// The preopen that shows it to the guest as `/tmp`, writable.
    pub fn preopen(&self) -> (PathBuf, String, FsPerms) {
        (
            self.host_dir.clone(),
            TMP_GUEST_PATH.to_owned(),
            FsPerms::ReadWrite,
        )
    }
}

/// A sandbox's view of its `/tmp` for the size limit: which descriptors lead into it and
/// how much of it is in use.
pub struct TmpQuota {
    mount: TmpMount,
    /// The guest's descriptors of `/tmp` itself and of what was opened under it. Few,
    /// and looked up on every write (stdout's too), so a small vector.
    fds: Vec<u32>,
}

impl TmpQuota {
    /// The quota of `mount`, preopened after `preopens_before` other folders.
    pub fn new(mount: TmpMount, preopens_before: usize) -> Self {
        let index = u32::try_from(preopens_before).unwrap_or(u32::MAX - FIRST_PREOPEN_FD);
        Self {
            mount,
            fds: vec![FIRST_PREOPEN_FD + index],
        }
    }

    /// Whether `fd` is `/tmp` or was opened under it.
    pub fn contains(&self, fd: u32) -> bool {
        self.fds.contains(&fd)
    }

    /// `path_open` relative to `dir_fd` gave `opened_fd`. WASI keeps every path inside the
    /// folder it starts from, so what is opened under `/tmp` stays in it.
    pub fn opened(&mut self, dir_fd: u32, opened_fd: u32) {
        if self.contains(dir_fd) {
            if !self.contains(opened_fd) {
                self.fds.push(opened_fd);
            }
        } else {
            self.closed(opened_fd);
        }
    }

    pub fn closed(&mut self, fd: u32) {
        self.fds.retain(|known| *known != fd);
    }

    /// `fd_renumber(from, to)`: `to` now is what `from` was, and `from` is closed.
    pub fn renumbered(&mut self, from_fd: u32, to_fd: u32) {
        let was_tmp = self.contains(from_fd);
        self.closed(from_fd);
        self.closed(to_fd);
        if was_tmp {
            self.fds.push(to_fd);
        }
    }

    /// Whether `growth_bytes` more fit (see `TmpMount::admits`).
    pub fn admits(&self, growth_bytes: u64) -> bool {
        self.mount.admits(growth_bytes)
    }

    /// A file under `/tmp` went from `before_bytes` to `after_bytes`.
    pub fn resized(&self, before_bytes: u64, after_bytes: u64) {
        self.mount.resized(before_bytes, after_bytes);
    }

    /// `growth_bytes` were admitted but the file's new size could not be read.
    pub fn grew_at_most(&self, growth_bytes: u64) {
        self.mount.grew_at_most(growth_bytes);
    }

    /// The mount, shared with what counts writes elsewhere (WASI preview 2's streams).
    pub fn mount(&self) -> &TmpMount {
        &self.mount
    }
}

impl TmpMount {
    /// Whether `growth_bytes` more fit. The running count can only overstate what is in
    /// use (removed and truncated files are not subtracted), so before refusing, the
    /// folder is counted again.
    pub fn admits(&self, growth_bytes: u64) -> bool {
        if growth_bytes == 0 || self.fits(self.usage_bytes(), growth_bytes) {
            return true;
        }
        let counted_bytes = folder_bytes(&self.host_dir);
        self.usage_bytes.store(counted_bytes, Ordering::Relaxed);
        self.fits(counted_bytes, growth_bytes)
    }

    /// A file under `/tmp` went from `before_bytes` to `after_bytes`.
    pub fn resized(&self, before_bytes: u64, after_bytes: u64) {
        let usage_bytes = self.usage_bytes();
        let updated_bytes = if after_bytes >= before_bytes {
            usage_bytes.saturating_add(after_bytes - before_bytes)
        } else {
            usage_bytes.saturating_sub(before_bytes - after_bytes)
        };
        self.usage_bytes.store(updated_bytes, Ordering::Relaxed);
    }

    /// `growth_bytes` were admitted but the file's new size could not be read: count
    /// them all, an overstatement corrected at the next count of the folder.
    pub fn grew_at_most(&self, growth_bytes: u64) {
        self.resized(0, growth_bytes);
    }

    fn usage_bytes(&self) -> u64 {
        self.usage_bytes.load(Ordering::Relaxed)
    }

    fn fits(&self, usage_bytes: u64, growth_bytes: u64) -> bool {
        usage_bytes.saturating_add(growth_bytes) <= self.limit_bytes
    }
}

/// The bytes the files under `dir` hold: their sizes (a sparse file counts whole, as
/// Lambda's limit is on what the files say they hold; a file with two names counts twice,
/// which can only refuse early). Symbolic links are not followed.
fn folder_bytes(dir: &Path) -> u64 {
    let mut total_bytes = 0_u64;
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            // An entry removed while counting holds nothing.
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() {
                pending.push(entry.path());
            } else {
                total_bytes = total_bytes.saturating_add(metadata.len());
            }
        }
    }
    total_bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_lives_as_long_as_the_storage() {
        let root = tempfile::tempdir().unwrap();
        let storage = EphemeralStorage::create(&root.path().join("envs"), 512).unwrap();
        let dir = storage.dir.path().to_owned();
        assert!(dir.starts_with(root.path().join("envs")));
        std::fs::write(dir.join("x"), "kept").unwrap();
        assert_eq!(storage.limit_bytes, 512 * 1024 * 1024);
        assert_eq!(storage.mount().preopen().1, "/tmp");
        drop(storage);
        assert!(!dir.exists());
    }

    #[test]
    fn descriptors_under_tmp_are_followed_through_open_renumber_and_close() {
        let root = tempfile::tempdir().unwrap();
        let storage = EphemeralStorage::create(root.path(), 512).unwrap();
        // After the code folder and a bucket: /tmp is fd 5.
        let mut quota = TmpQuota::new(storage.mount(), 2);
        assert!(quota.contains(5) && !quota.contains(3) && !quota.contains(1));
        quota.opened(5, 6);
        quota.opened(6, 7);
        quota.opened(3, 8);
        assert!(quota.contains(6) && quota.contains(7) && !quota.contains(8));
        quota.renumbered(7, 9);
        assert!(!quota.contains(7) && quota.contains(9));
        quota.renumbered(8, 9);
        assert!(!quota.contains(9));
        quota.closed(6);
        assert!(!quota.contains(6) && quota.contains(5));
    }

    #[test]
    fn growth_past_the_limit_is_refused_after_a_recount() {
        let root = tempfile::tempdir().unwrap();
        let storage = EphemeralStorage::create(root.path(), 1).unwrap();
        let quota = TmpQuota::new(storage.mount(), 0);
        let limit_bytes = storage.limit_bytes;
        assert!(quota.admits(limit_bytes));
        assert!(!quota.admits(limit_bytes + 1));
        std::fs::write(storage.dir.path().join("a"), vec![0_u8; 1000]).unwrap();
        quota.resized(0, 1000);
        assert!(quota.admits(limit_bytes - 1000));
        assert!(!quota.admits(limit_bytes - 999));
        // A file removed (not counted down): the recount finds the room again.
        std::fs::remove_file(storage.dir.path().join("a")).unwrap();
        assert!(quota.admits(limit_bytes));
        // Nothing to grow always fits, even when full.
        quota.grew_at_most(limit_bytes * 2);
        assert!(quota.admits(0));
    }
}
