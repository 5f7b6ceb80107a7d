//! Paths a user types for a function's files (New file, Rename, Save, saved events): one
//! place checks that they stay inside the function's folder, so no caller can skip it.

use std::path::{Component, Path, PathBuf};

use super::names::validate_function_name;
use super::workspace::{Workspace, WorkspaceError};

impl Workspace {
    /// The file `relative_path` of function `function`, if it stays inside the function's
    /// folder: not empty, not absolute, no `..`, and — where it exists — not through a
    /// symbolic link that leads out of the folder.
    pub fn function_file(
        &self,
        function: &str,
        relative_path: &str,
    ) -> Result<PathBuf, WorkspaceError> {
        validate_function_name(function).map_err(WorkspaceError::InvalidName)?;
        let dir = self.functions_dir().join(function);
        let outside = |reason: &str| WorkspaceError::OutsideFunction {
            path: relative_path.to_owned(),
            function: function.to_owned(),
            reason: reason.to_owned(),
        };
        if relative_path.trim().is_empty() {
            return Err(outside("the name is empty"));
        }
        if relative_path.contains('\0') {
            return Err(outside("it contains a NUL character"));
        }
        // Backslashes are separators on Windows and a way around the checks elsewhere.
        if relative_path.contains('\\') {
            return Err(outside("use `/` between folders"));
        }
        if relative_path.starts_with('/') || Path::new(relative_path).is_absolute() {
            return Err(outside("it is an absolute path"));
        }
        for part in relative_path.split('/') {
            match part {
                "" => {
                    return Err(outside(
                        "it has an empty folder name (`//` or a trailing `/`)",
                    ));
                }
                "." | ".." => return Err(outside("it has `.` or `..` in it")),
                _ => {}
            }
        }
        let path = dir.join(relative_path);
        if !path
            .components()
            .skip(dir.components().count())
            .all(|component| matches!(component, Component::Normal(_)))
        {
            return Err(outside("it is not a plain relative path"));
        }
        if escapes_through_links(&dir, &path) {
            return Err(outside(
                "it leads out of the folder through a symbolic link",
            ));
        }
        Ok(path)
    }
}

/// Whether the part of `path` that exists resolves (following symbolic links) outside
/// `dir`. A folder that does not exist yet cannot be a link.
fn escapes_through_links(dir: &Path, path: &Path) -> bool {
    let Ok(real_dir) = dir.canonicalize() else {
        // The function's folder itself does not exist: nothing below it can be a link.
        return false;
    };
    let mut existing = path;
    loop {
        if existing.symlink_metadata().is_ok() {
            return match existing.canonicalize() {
                Ok(real) => !real.starts_with(&real_dir),
                // A dangling link: where it points cannot be checked, so refuse it.
                Err(_) => true,
            };
        }
        match existing.parent() {
            Some(parent) if parent.starts_with(dir) => existing = parent,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_with_function() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&dir.path().join("ws")).unwrap();
        std::fs::create_dir_all(dir.path().join("ws/functions/hello/lib")).unwrap();
        (dir, workspace)
    }

    #[test]
    fn paths_inside_the_folder_are_accepted() {
        let (dir, workspace) = workspace_with_function();
        for path in [
            "index.mjs",
            "lib/util.mjs",
            "new/folder/file.txt",
            "events/ada.json",
        ] {
            assert_eq!(
                workspace.function_file("hello", path).unwrap(),
                dir.path().join("ws/functions/hello").join(path)
            );
        }
    }

    #[test]
    fn paths_that_leave_the_folder_are_refused_with_the_reason() {
        let (_dir, workspace) = workspace_with_function();
        for (path, reason) in [
            ("../x", "`..`"),
            ("lib/../../x", "`..`"),
            ("/etc/passwd", "absolute"),
            ("", "empty"),
            ("lib//x", "empty folder name"),
            ("lib\\..\\x", "`/`"),
            ("./x", "`.`"),
        ] {
            let message = workspace
                .function_file("hello", path)
                .unwrap_err()
                .to_string();
            assert!(message.contains(reason), "{path}: {message}");
            assert!(message.contains("hello"), "{path}: {message}");
        }
        assert!(workspace.function_file("../other", "x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_folder_is_refused_and_one_inside_is_not() {
        let (dir, workspace) = workspace_with_function();
        let function_dir = dir.path().join("ws/functions/hello");
        std::os::unix::fs::symlink(dir.path(), function_dir.join("out")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", function_dir.join("passwd")).unwrap();
        std::os::unix::fs::symlink("lib", function_dir.join("lib-link")).unwrap();
        for path in ["out/new.txt", "passwd", "out"] {
            let message = workspace
                .function_file("hello", path)
                .unwrap_err()
                .to_string();
            assert!(message.contains("symbolic link"), "{path}: {message}");
        }
        assert!(
            workspace
                .function_file("hello", "lib-link/util.mjs")
                .is_ok()
        );
    }
}
