//! Where a function's code file really is. A handler may be a symlink, but only to a file
//! inside the function's own folder: a workspace from elsewhere (a clone, an archive) must
//! not make lambdesk read `/etc/passwd` or `~/.ssh/id_rsa` as a "module" and show its
//! first line in a syntax error.

use std::path::{Path, PathBuf};

use super::workspace::Function;

/// Why a function's code file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CodeFileError {
    #[error("`{handler}` names a file that does not exist in {}", dir.display())]
    Missing { handler: String, dir: PathBuf },
    /// The handler, or a folder on its way, is a symlink that leads out of the folder.
    #[error("handler `{handler}` resolves outside the function's folder")]
    OutsideFolder { handler: String },
}

impl Function {
    /// The code file with every symlink resolved, checked to be a file inside the
    /// function's folder. Only the names are resolved: nothing outside is ever opened.
    pub fn resolved_code_path(&self) -> Result<PathBuf, CodeFileError> {
        resolve_inside(&self.dir, &self.config.handler)
    }
}

fn resolve_inside(dir: &Path, handler: &str) -> Result<PathBuf, CodeFileError> {
    let missing = || CodeFileError::Missing {
        handler: handler.to_owned(),
        dir: dir.to_owned(),
    };
    let folder = dir.canonicalize().map_err(|_| missing())?;
    let code = dir.join(handler).canonicalize().map_err(|_| missing())?;
    if !code.starts_with(&folder) {
        return Err(CodeFileError::OutsideFolder {
            handler: handler.to_owned(),
        });
    }
    // A stat of a path inside the folder, now free of symlinks.
    if !code.is_file() {
        return Err(missing());
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn a_symlink_inside_the_folder_resolves_to_its_target() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("build")).unwrap();
        std::fs::write(dir.path().join("build/real.wat"), "(module)").unwrap();
        symlink("build/real.wat", dir.path().join("main.wat")).unwrap();
        let resolved = resolve_inside(dir.path(), "main.wat").unwrap();
        assert_eq!(
            resolved,
            dir.path().canonicalize().unwrap().join("build/real.wat")
        );
    }

    #[test]
    fn a_symlink_out_of_the_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.wat"), "(module)").unwrap();
        symlink(
            outside.path().join("secret.wat"),
            dir.path().join("main.wat"),
        )
        .unwrap();
        // A folder on the way that leads out counts too.
        symlink(outside.path(), dir.path().join("lib")).unwrap();
        for handler in ["main.wat", "lib/secret.wat"] {
            let error = resolve_inside(dir.path(), handler).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("handler `{handler}` resolves outside the function's folder")
            );
        }
    }

    #[test]
    fn a_missing_file_or_a_folder_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("folder.wat")).unwrap();
        symlink("nowhere.wat", dir.path().join("dangling.wat")).unwrap();
        for handler in ["absent.wat", "folder.wat", "dangling.wat"] {
            let error = resolve_inside(dir.path(), handler).unwrap_err();
            assert!(
                matches!(error, CodeFileError::Missing { .. }),
                "{handler}: {error}"
            );
        }
    }
}
