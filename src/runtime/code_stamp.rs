//! Noticing, on every invocation and cheaply, that a command module's code or
//! configuration changed since it was loaded: the next invocation then runs the new code,
//! as the console's Test button and a running `serve` expect after a save.

use std::fs::File;
use std::os::unix::fs::MetadataExt as _;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::model::{Function, FunctionConfig};

/// What a loaded module was made from: the function's folder and configuration, and its
/// code file, kept open. An `fstat` of the open file (a few hundred nanoseconds) replaces
/// a `stat` of its path (a path walk: ~3 % of `serve`'s CPU under HTTP load). Saving in
/// place changes the file's size or time; saving by rename or deleting leaves the open
/// file with no links; either way the stamp no longer matches.
#[derive(Debug)]
pub struct CodeStamp {
    dir: PathBuf,
    config: FunctionConfig,
    code_file: Option<(File, SizeAndTime)>,
}

type SizeAndTime = (u64, SystemTime);

impl CodeStamp {
    /// Taken before the code is read, so a save that races the load is noticed by the
    /// next invocation (which loads again) rather than missed.
    pub fn take(function: &Function) -> Self {
        let code_file = File::open(function.code_path()).ok().and_then(|file| {
            let stamp = size_and_time(&file.metadata().ok()?)?;
            Some((file, stamp))
        });
        Self {
            dir: function.dir.clone(),
            config: function.config.clone(),
            code_file,
        }
    }

    pub fn matches(&self, function: &Function) -> bool {
        // One `fstat`: it is on every invocation's path.
        let code_unchanged = self.code_file.as_ref().is_some_and(|(file, stamp)| {
            file.metadata().is_ok_and(|metadata| {
                metadata.nlink() > 0 && size_and_time(&metadata).as_ref() == Some(stamp)
            })
        });
        code_unchanged && self.dir == function.dir && self.config == function.config
    }
}

fn size_and_time(metadata: &std::fs::Metadata) -> Option<SizeAndTime> {
    Some((metadata.len(), metadata.modified().ok()?))
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
    fn a_changed_configuration_no_longer_matches() {
        let (_dir, function) = function_with_code("(module)");
        let stamp = CodeStamp::take(&function);
        let mut changed = function.clone();
        changed.config.memory_mb += 64;
        assert!(!stamp.matches(&changed));
    }
}
