//! What a JS function's code is, for telling its warm environments apart: a
//! fingerprint of its configuration and code files (JS modules import each other, so
//! every file of the folder counts), and a cheap way to tell, on every invocation, that
//! it still holds — a `stat` of each folder and file instead of listing every folder
//! again and hashing the configuration's text (a `read_dir` and a `stat` per entry, and
//! a `Debug` format, per request).

use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};

use super::code_stamp::{FileIdentity, file_identity};
use crate::model::{Function, FunctionConfig, Runtime as Language};

/// Deep enough for any reasonable source tree; stops a symlink loop.
const MAX_FOLDER_DEPTH: usize = 8;

/// The function's folders and files when its fingerprint was taken. Adding, removing or
/// renaming an entry changes its folder's time; saving a file changes the file's size,
/// time or inode; so if every one still stats the same, the fingerprint still holds.
#[derive(Debug)]
pub struct FolderStamp {
    dir: PathBuf,
    config: FunctionConfig,
    entries: Vec<Entry>,
    fingerprint: u64,
}

#[derive(Debug)]
struct Entry {
    path: PathBuf,
    is_folder: bool,
    identity: Option<FileIdentity>,
}

impl FolderStamp {
    /// Lists the folder once: the entries to check later and the fingerprint (the
    /// configuration, and each code file's path, size and time, in path order).
    pub fn take(function: &Function) -> Self {
        let mut entries = Vec::new();
        record_folder(&function.dir, 0, function.config.runtime, &mut entries);
        let mut hasher = std::hash::DefaultHasher::new();
        format!("{:?}", function.config).hash(&mut hasher);
        for entry in entries.iter().filter(|entry| !entry.is_folder) {
            entry.path.hash(&mut hasher);
            // Size and time, not the inode: the same content saved again by rename
            // keeps its warm environments.
            entry
                .identity
                .map(|(_, _, len, seconds, nanos)| (len, seconds, nanos))
                .hash(&mut hasher);
        }
        Self {
            dir: function.dir.clone(),
            config: function.config.clone(),
            entries,
            fingerprint: hasher.finish(),
        }
    }

    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    pub fn matches(&self, function: &Function) -> bool {
        self.dir == function.dir
            && self.config == function.config
            && self
                .entries
                .iter()
                .all(|entry| file_identity(&entry.path) == entry.identity)
    }
}

/// Whether an entry of the function's folder (at `depth`) is code: saved test events
/// are not, nor a Rust crate's `target` folder (cargo's output, should the user build
/// in the folder too).
fn is_code(path: &Path, depth: usize, runtime: Language) -> bool {
    let skipped = |folder: &str| depth == 0 && path.file_name().is_some_and(|name| name == folder);
    // Python writes `__pycache__` when it imports the code (a `provided` function's
    // Python runs natively, with a writable folder): derived, not a change of code.
    let bytecode_cache = path.file_name().is_some_and(|name| name == "__pycache__");
    !(skipped("events")
        || bytecode_cache
        || (matches!(runtime, Language::Rust | Language::Provided) && skipped("target")))
}

fn record_folder(dir: &Path, depth: usize, runtime: Language, entries: &mut Vec<Entry>) {
    entries.push(Entry {
        path: dir.to_owned(),
        is_folder: true,
        identity: file_identity(dir),
    });
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| is_code(path, depth, runtime))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if depth < MAX_FOLDER_DEPTH {
                record_folder(&path, depth + 1, runtime, entries);
            }
        } else {
            let identity = file_identity(&path);
            entries.push(Entry {
                path,
                is_folder: false,
                identity,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Workspace;

    fn js_function() -> (tempfile::TempDir, Function) {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&dir.path().join("ws")).unwrap();
        let function = workspace
            .create_function(
                "f",
                &FunctionConfig::new(Language::Js, "index.handler"),
                &[
                    (
                        "index.mjs",
                        b"export const handler = async () => 1;\n".as_slice(),
                    ),
                    ("lib/util.mjs", b"export const one = 1;\n".as_slice()),
                ],
            )
            .unwrap();
        (dir, function)
    }

    #[test]
    fn matches_until_a_file_is_saved_added_or_removed_anywhere_in_the_folder() {
        let (_dir, function) = js_function();
        let stamp = FolderStamp::take(&function);
        assert!(stamp.matches(&function));

        std::fs::write(
            function.dir.join("lib/util.mjs"),
            "export const one = 11;\n",
        )
        .unwrap();
        assert!(!stamp.matches(&function), "a nested file saved");

        let stamp = FolderStamp::take(&function);
        std::fs::write(function.dir.join("lib/more.mjs"), "").unwrap();
        assert!(!stamp.matches(&function), "a file added to a nested folder");

        let stamp = FolderStamp::take(&function);
        std::fs::remove_file(function.dir.join("lib/more.mjs")).unwrap();
        assert!(!stamp.matches(&function), "a file removed");
    }

    #[test]
    fn saved_test_events_are_not_code() {
        let (_dir, function) = js_function();
        std::fs::create_dir_all(function.events_dir()).unwrap();
        let stamp = FolderStamp::take(&function);
        std::fs::write(function.events_dir().join("hello.json"), "{}").unwrap();
        assert!(stamp.matches(&function));
    }

    #[test]
    fn a_changed_configuration_no_longer_matches() {
        let (_dir, function) = js_function();
        let stamp = FolderStamp::take(&function);
        let mut changed = function.clone();
        changed.config.timeout_secs += 1;
        assert!(!stamp.matches(&changed));
    }
}
