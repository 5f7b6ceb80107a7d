//! Undo and redo of the console's edits to the workspace's files (the map's and the
//! forms' changes to `function.toml` and `lambdesk.toml`, bucket folders, the map's
//! layout). Each edit keeps what its files held before and after; undoing writes the
//! "before" back only while the files still hold the "after", so an undo never
//! overwrites a change made since in an editor or by another program.

use std::path::{Path, PathBuf};

use crate::model::write_atomically;

/// Edits kept for undo; older ones are forgotten.
const MAX_EDITS: usize = 100;

/// What a path held at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathState {
    Absent,
    File(Vec<u8>),
    Folder,
}

fn read_state(path: &Path) -> std::io::Result<PathState> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => Ok(PathState::Folder),
        Ok(_) => std::fs::read(path).map(PathState::File),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(PathState::Absent),
        Err(error) => Err(error),
    }
}

/// Puts `state` at `path`, which holds `now`.
fn restore(path: &Path, now: &PathState, state: &PathState) -> std::io::Result<()> {
    match (state, now) {
        (PathState::File(bytes), _) => write_atomically(path, bytes),
        (PathState::Folder, _) => std::fs::create_dir_all(path),
        (PathState::Absent, PathState::Folder) => std::fs::remove_dir(path),
        (PathState::Absent, PathState::File(_)) => std::fs::remove_file(path),
        (PathState::Absent, PathState::Absent) => Ok(()),
    }
}

#[derive(Debug, Clone)]
struct PathChange {
    path: PathBuf,
    before: PathState,
    after: PathState,
}

/// One edit: what it did, in words, and its files before and after.
#[derive(Debug, Clone)]
struct Edit {
    description: String,
    changes: Vec<PathChange>,
}

/// Why an undo or redo was not made; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("nothing to {0}")]
    Nothing(&'static str),
    #[error(
        "cannot {action} \"{description}\": {} changed since (kept as it is)",
        path.display()
    )]
    ChangedSince {
        action: &'static str,
        description: String,
        path: PathBuf,
    },
    #[error("cannot {action} \"{description}\": {}: {source}", path.display())]
    Io {
        action: &'static str,
        description: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The console's undo and redo stacks.
#[derive(Debug, Default)]
pub struct EditHistory {
    undo: Vec<Edit>,
    redo: Vec<Edit>,
}

impl EditHistory {
    /// Runs `perform`, which edits `paths`, and keeps what they held before and after
    /// as one undoable edit (when anything changed, whether `perform` succeeded or not:
    /// a half-made edit is undoable too). A new edit forgets what was undone.
    pub fn record<T>(
        &mut self,
        description: String,
        paths: Vec<PathBuf>,
        perform: impl FnOnce() -> T,
    ) -> T {
        let before: Vec<Option<PathState>> =
            paths.iter().map(|path| read_state(path).ok()).collect();
        let result = perform();
        let changes: Vec<PathChange> = paths
            .into_iter()
            .zip(before)
            .filter_map(|(path, before)| {
                let before = before?;
                let after = read_state(&path).ok()?;
                (before != after).then_some(PathChange {
                    path,
                    before,
                    after,
                })
            })
            .collect();
        if !changes.is_empty() {
            self.undo.push(Edit {
                description,
                changes,
            });
            if self.undo.len() > MAX_EDITS {
                self.undo.remove(0);
            }
            self.redo.clear();
        }
        result
    }

    /// What Undo would undo.
    pub fn next_undo(&self) -> Option<&str> {
        self.undo.last().map(|edit| edit.description.as_str())
    }

    /// What Redo would make again.
    pub fn next_redo(&self) -> Option<&str> {
        self.redo.last().map(|edit| edit.description.as_str())
    }

    /// Undoes the last edit; returns its description and the paths it wrote.
    pub fn undo(&mut self) -> Result<(String, Vec<PathBuf>), UndoError> {
        let edit = self.undo.pop().ok_or(UndoError::Nothing("undo"))?;
        match apply(&edit, "undo", |change| (&change.after, &change.before)) {
            Ok(paths) => {
                let description = edit.description.clone();
                self.redo.push(edit);
                Ok((description, paths))
            }
            Err(error) => {
                // Kept: the user may put the file back as it was and try again.
                self.undo.push(edit);
                Err(error)
            }
        }
    }

    /// Makes the last undone edit again.
    pub fn redo(&mut self) -> Result<(String, Vec<PathBuf>), UndoError> {
        let edit = self.redo.pop().ok_or(UndoError::Nothing("redo"))?;
        match apply(&edit, "redo", |change| (&change.before, &change.after)) {
            Ok(paths) => {
                let description = edit.description.clone();
                self.undo.push(edit);
                Ok((description, paths))
            }
            Err(error) => {
                self.redo.push(edit);
                Err(error)
            }
        }
    }
}

/// Moves each of `edit`'s paths from the state `states` gives first to the second,
/// after checking every path still holds the first.
fn apply(
    edit: &Edit,
    action: &'static str,
    states: impl Fn(&PathChange) -> (&PathState, &PathState),
) -> Result<Vec<PathBuf>, UndoError> {
    let io = |path: &Path, source| UndoError::Io {
        action,
        description: edit.description.clone(),
        path: path.to_owned(),
        source,
    };
    for change in &edit.changes {
        let now = read_state(&change.path).map_err(|error| io(&change.path, error))?;
        if now != *states(change).0 {
            return Err(UndoError::ChangedSince {
                action,
                description: edit.description.clone(),
                path: change.path.clone(),
            });
        }
    }
    // Last written first: a folder made before a file in it is removed after it.
    for change in edit.changes.iter().rev() {
        let (now, wanted) = states(change);
        restore(&change.path, now, wanted).map_err(|error| io(&change.path, error))?;
    }
    Ok(edit
        .changes
        .iter()
        .map(|change| change.path.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undoes_and_redoes_an_edit_of_a_file_and_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lambdesk.toml");
        let folder = dir.path().join("buckets").join("photos");
        std::fs::write(&file, "# mine\n").unwrap();
        let mut history = EditHistory::default();
        history.record(
            "Create bucket photos".to_owned(),
            vec![file.clone(), folder.clone()],
            || {
                std::fs::write(&file, "# mine\n[queues.a]\n").unwrap();
                std::fs::create_dir_all(&folder).unwrap();
            },
        );
        assert_eq!(history.next_undo(), Some("Create bucket photos"));
        history.undo().unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "# mine\n");
        assert!(!folder.exists());
        assert_eq!(history.next_redo(), Some("Create bucket photos"));
        history.redo().unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "# mine\n[queues.a]\n"
        );
        assert!(folder.is_dir());
    }

    #[test]
    fn refuses_to_undo_over_a_change_made_since() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("function.toml");
        std::fs::write(&file, "a = 1\n").unwrap();
        let mut history = EditHistory::default();
        history.record("Edit".to_owned(), vec![file.clone()], || {
            std::fs::write(&file, "a = 2\n").unwrap();
        });
        std::fs::write(&file, "a = 3\n").unwrap();
        let error = history.undo().unwrap_err();
        assert!(matches!(error, UndoError::ChangedSince { .. }), "{error}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "a = 3\n");
        // Still there to undo once the file is back as the edit left it.
        assert_eq!(history.next_undo(), Some("Edit"));
    }

    #[test]
    fn an_edit_that_changed_nothing_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("function.toml");
        std::fs::write(&file, "a = 1\n").unwrap();
        let mut history = EditHistory::default();
        history.record("Nothing".to_owned(), vec![file], || ());
        assert_eq!(history.next_undo(), None);
    }
}
