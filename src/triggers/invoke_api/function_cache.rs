//! The functions the Invoke API has loaded, each kept while its `function.toml` is
//! unchanged: loading one reads and checks its file and, for a function with HTTP routes,
//! every other function's (for route conflicts), a cost per call that grew with the
//! workspace. A stat per request notices an edit, so an update still applies to the next
//! invocation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use crate::model::{FUNCTION_FILE, Function, Workspace, WorkspaceError, validate_function_name};

/// What tells one version of a `function.toml` from the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: SystemTime,
    len: u64,
}

#[derive(Default)]
pub struct FunctionCache {
    loaded: Mutex<HashMap<String, (FileStamp, Arc<Function>)>>,
}

impl FunctionCache {
    /// `name` as [`Workspace::function`] loads it, from the cache while its file is as
    /// it was.
    pub fn function(
        &self,
        workspace: &Workspace,
        name: &str,
    ) -> Result<Arc<Function>, WorkspaceError> {
        // Checked before the name becomes a path.
        validate_function_name(name).map_err(WorkspaceError::InvalidName)?;
        let path = workspace.functions_dir().join(name).join(FUNCTION_FILE);
        let Ok(metadata) = std::fs::metadata(&path) else {
            // Gone, or unreadable: the loader says which.
            self.forget(name);
            return workspace.function(name).map(Arc::new);
        };
        let stamp = FileStamp {
            modified: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            len: metadata.len(),
        };
        if let Some((cached_stamp, function)) = self
            .loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            && *cached_stamp == stamp
        {
            return Ok(Arc::clone(function));
        }
        let function = workspace.function(name).map(Arc::new);
        match &function {
            Ok(function) => {
                self.loaded
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(name.to_owned(), (stamp, Arc::clone(function)));
            }
            Err(_) => self.forget(name),
        }
        function
    }

    fn forget(&self, name: &str) {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FunctionConfig, Runtime};

    #[test]
    fn an_edited_function_toml_is_loaded_again() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let config = FunctionConfig::new(Runtime::Js, "index.handler");
        workspace
            .create_function(
                "hello",
                &config,
                &[("index.mjs", b"export const handler = () => 1;")],
            )
            .unwrap();
        let cache = FunctionCache::default();
        let first = cache.function(&workspace, "hello").unwrap();
        assert!(Arc::ptr_eq(
            &first,
            &cache.function(&workspace, "hello").unwrap()
        ));
        let path = dir.path().join("functions/hello/function.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("timeout_secs = 3", "timeout_secs = 7")).unwrap();
        assert_eq!(
            cache
                .function(&workspace, "hello")
                .unwrap()
                .config
                .timeout_secs,
            7
        );
        assert!(matches!(
            cache.function(&workspace, "../hello"),
            Err(WorkspaceError::InvalidName(_))
        ));
        std::fs::remove_dir_all(dir.path().join("functions/hello")).unwrap();
        assert!(matches!(
            cache.function(&workspace, "hello"),
            Err(WorkspaceError::UnknownFunction { .. })
        ));
    }
}
