//! Telling cheaply, on every invocation, whether a JS function's code folder changed
//! since its environments were started: a `stat` of each folder and file it held,
//! instead of listing every folder again and hashing the configuration's text (a
//! `read_dir` and a `stat` per entry, and a `Debug` format, per request).

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use super::code_fingerprint::{MAX_FOLDER_DEPTH, code_fingerprint, is_code};
use crate::model::{Function, FunctionConfig};

/// The function's folders and files when its fingerprint was taken. Adding, removing or
/// renaming an entry changes its folder's time; saving a file changes the file's size,
/// time or inode; so if every one still stats the same, the fingerprint still holds.
#[derive(Debug)]
pub struct FolderStamp {
    dir: PathBuf,
    config: FunctionConfig,
    entries: Vec<(PathBuf, Option<Identity>)>,
    fingerprint: u64,
}

/// Device, inode, size and modification time (seconds, nanoseconds).
type Identity = (u64, u64, u64, i64, i64);

impl FolderStamp {
    pub fn take(function: &Function) -> Self {
        let mut entries = Vec::new();
        record_folder(&function.dir, 0, &mut entries);
        Self {
            dir: function.dir.clone(),
            config: function.config.clone(),
            entries,
            fingerprint: code_fingerprint(function, true),
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
                .all(|(path, identity)| identity_of(path) == *identity)
    }
}

fn record_folder(dir: &Path, depth: usize, entries: &mut Vec<(PathBuf, Option<Identity>)>) {
    entries.push((dir.to_owned(), identity_of(dir)));
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    for path in listing.filter_map(Result::ok).map(|entry| entry.path()) {
        if !is_code(&path, depth) {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_FOLDER_DEPTH {
                record_folder(&path, depth + 1, entries);
            }
        } else {
            let identity = identity_of(&path);
            entries.push((path, identity));
        }
    }
}

fn identity_of(path: &Path) -> Option<Identity> {
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
    use crate::model::{Runtime as Language, Workspace};

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
