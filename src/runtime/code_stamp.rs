//! Noticing, on every invocation and cheaply, that a command module's code or
//! configuration changed since it was loaded: the next invocation then runs the new code,
//! as the console's Test button and a running `serve` expect after a save.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use crate::model::{Function, FunctionConfig};

/// What a loaded module was made from: the function's folder and configuration, and its
/// code file's identity (device and inode) with its size and modification time. One
/// `stat` of the code path per invocation, outside any lock: a save in place changes the
/// size or time; a save by rename, a file moved away and replaced, or a deleted file
/// changes the inode or fails the `stat`. (Comparing the configuration field by field is
/// cheaper on every invocation than hashing its text.)
#[derive(Debug)]
pub struct CodeStamp {
    dir: PathBuf,
    config: FunctionConfig,
    code_file: Option<FileIdentity>,
}

/// Device, inode, size and modification time (seconds, nanoseconds): a file saved again
/// in place or by rename, or replaced, no longer has the same.
pub type FileIdentity = (u64, u64, u64, i64, i64);

impl CodeStamp {
    /// Taken before the code is read, so a save that races the load is noticed by the
    /// next invocation (which loads again) rather than missed. A code file that resolves
    /// outside the function's folder has no identity (never matches; the load refuses it).
    pub fn take(function: &Function) -> Self {
        Self {
            dir: function.dir.clone(),
            config: function.config.clone(),
            code_file: function
                .resolved_code_path()
                .ok()
                .and_then(|path| file_identity(&path)),
        }
    }

    /// One `stat` through the handler's name: a symlink changed to lead elsewhere (out of
    /// the folder too) gives another file's identity, so the next invocation loads again
    /// through [`Function::resolved_code_path`].
    pub fn matches(&self, function: &Function) -> bool {
        self.code_file.is_some()
            && self.dir == function.dir
            && self.config == function.config
            && file_identity(&function.code_path()) == self.code_file
    }
}

/// What a `stat` of `path` says of it; `None` when it cannot be read.
pub fn file_identity(path: &Path) -> Option<FileIdentity> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((
        metadata.dev(),
        metadata.ino(),
        metadata.len(),
        metadata.mtime(),
        metadata.mtime_nsec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Workspace;

    fn function_with_code(code: &str) -> (tempfile::TempDir, Function) {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&dir.path().join("ws")).unwrap();
        let function_dir = workspace.functions_dir().join("f");
        std::fs::create_dir_all(&function_dir).unwrap();
        std::fs::write(
            function_dir.join("function.toml"),
            "runtime = \"wat\"\nhandler = \"main.wat\"\n",
        )
        .unwrap();
        std::fs::write(function_dir.join("main.wat"), code).unwrap();
        let function = workspace.function("f").unwrap();
        (dir, function)
    }

    #[test]
    fn matches_until_the_code_is_saved_in_place() {
        let (_dir, function) = function_with_code("(module)");
        let stamp = CodeStamp::take(&function);
        assert!(stamp.matches(&function));
        std::fs::write(function.code_path(), "(module (memory 1))").unwrap();
        assert!(!stamp.matches(&function));
    }

    #[test]
    fn a_save_by_rename_or_a_deletion_no_longer_matches() {
        let (_dir, function) = function_with_code("(module)");
        let stamp = CodeStamp::take(&function);
        // Same size: only the rename tells it apart.
        let replacement = function.dir.join("main.wat.tmp");
        std::fs::write(&replacement, "(module)").unwrap();
        std::fs::rename(&replacement, function.code_path()).unwrap();
        assert!(!stamp.matches(&function));

        let stamp = CodeStamp::take(&function);
        std::fs::remove_file(function.code_path()).unwrap();
        assert!(!stamp.matches(&function));
    }

    #[test]
    fn a_file_moved_away_and_replaced_no_longer_matches() {
        let (_dir, function) = function_with_code("(module)");
        let stamp = CodeStamp::take(&function);
        // The console's "Rename file", or an editor's backup by rename.
        std::fs::rename(function.code_path(), function.dir.join("old.wat")).unwrap();
        assert!(!stamp.matches(&function), "the code file is gone");
        std::fs::write(function.code_path(), "(module)").unwrap();
        assert!(!stamp.matches(&function), "a new file of the same size");
    }

    #[test]
    fn a_changed_configuration_no_longer_matches() {
        let (_dir, function) = function_with_code("(module)");
        let stamp = CodeStamp::take(&function);
        let mut changed = function.clone();
        changed.config.memory_mb += 64;
        assert!(!stamp.matches(&changed));
    }
}
