use std::hash::{Hash as _, Hasher as _};
use std::path::Path;
use std::time::SystemTime;

use crate::model::Function;

/// Enough to notice that a function's code or configuration changed on disk: the size
/// and modification time of its files (all of them for JS, whose modules import each
/// other; the module file otherwise) and the configuration itself.
pub fn code_fingerprint(function: &Function, whole_folder: bool) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    format!("{:?}", function.config).hash(&mut hasher);
    if whole_folder {
        hash_folder(&function.dir, &mut hasher, 0);
    } else {
        hash_file(&function.code_path(), &mut hasher);
    }
    hasher.finish()
}

/// Deep enough for any reasonable source tree; stops a symlink loop.
pub const MAX_FOLDER_DEPTH: usize = 8;

/// Whether an entry of the function's folder (at `depth`) is code: saved test events
/// are not.
pub fn is_code(path: &Path, depth: usize) -> bool {
    !(depth == 0 && path.file_name().is_some_and(|name| name == "events"))
}

fn hash_folder(dir: &Path, hasher: &mut std::hash::DefaultHasher, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    for path in paths {
        if !is_code(&path, depth) {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_FOLDER_DEPTH {
                hash_folder(&path, hasher, depth + 1);
            }
        } else {
            hash_file(&path, hasher);
        }
    }
}

fn hash_file(path: &Path, hasher: &mut std::hash::DefaultHasher) {
    path.hash(hasher);
    if let Ok(metadata) = std::fs::metadata(path) {
        metadata.len().hash(hasher);
        metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(SystemTime::UNIX_EPOCH).ok())
            .hash(hasher);
    }
}
