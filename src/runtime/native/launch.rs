//! What starts a native execution environment, as data: the program, its arguments, the
//! variables a language adds to Lambda's, the working folder and the memory rlimit. A
//! `provided` function's `bootstrap` is one such launch; another runtime (Java's
//! `java -cp … Main`) is another, and the rest of the machinery is the same.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

use crate::model::{Function, FunctionError, error_types};

/// The executable Lambda's OS-only runtimes start, in the function's folder.
pub const BOOTSTRAP_FILE: &str = "bootstrap";

/// How to start one native execution environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeLaunch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Variables of this kind of launch, set after Lambda's own and before the
    /// function's `[environment]` (which may override them, as on Lambda).
    pub extra_env: Vec<(String, String)>,
    /// The process's current folder (Lambda's `/var/task`: the function's folder).
    pub working_dir: PathBuf,
    /// `RLIMIT_DATA` in bytes: the OS refuses the process's private writable memory past
    /// it. A runtime that commits a fixed heap up front (a JVM) asks for headroom.
    pub data_limit_bytes: u64,
}

impl NativeLaunch {
    /// The launch of a `provided` function: its `bootstrap`, with `_HANDLER` (set from
    /// the configuration by Lambda's variables) telling it what to run, capped at the
    /// function's memory size. A missing or non-executable `bootstrap` is refused here
    /// as Lambda refuses it at Init.
    pub fn provided(function: &Function) -> Result<Self, InvalidEntrypoint> {
        let program = function.dir.join(BOOTSTRAP_FILE);
        check_bootstrap(&program)?;
        Ok(Self {
            program,
            args: Vec::new(),
            extra_env: Vec::new(),
            working_dir: function.dir.clone(),
            data_limit_bytes: u64::from(function.config.memory_mb) * 1024 * 1024,
        })
    }
}

/// Lambda's `Runtime.InvalidEntrypoint`: the program cannot start; the message says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEntrypoint(pub String);

impl InvalidEntrypoint {
    /// The error an invocation fails with.
    pub fn function_error(&self) -> FunctionError {
        FunctionError::new(error_types::INVALID_ENTRYPOINT, self.0.clone())
    }
}

/// Lambda's `Runtime.InvalidEntrypoint` for a `bootstrap` that is not there or cannot be
/// executed (the messages are Lambda's, with the host's path).
pub fn check_bootstrap(program: &std::path::Path) -> Result<(), InvalidEntrypoint> {
    let invalid = InvalidEntrypoint;
    match std::fs::metadata(program) {
        Err(_) => Err(invalid(format!(
            "Couldn't find valid bootstrap(s): [{}]",
            program.display()
        ))),
        Ok(metadata) if !metadata.is_file() => Err(invalid(format!(
            "Couldn't find valid bootstrap(s): [{}] (it is a folder)",
            program.display()
        ))),
        Ok(metadata) if metadata.permissions().mode() & 0o111 == 0 => Err(invalid(format!(
            "fork/exec {}: permission denied (make it executable: chmod +x bootstrap)",
            program.display()
        ))),
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FunctionConfig, Runtime, Workspace};

    fn provided_function(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Function) {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&dir.path().join("ws")).unwrap();
        let function = workspace
            .create_function(
                "native",
                &FunctionConfig::new(Runtime::Provided, "bootstrap"),
                files,
            )
            .unwrap();
        (dir, function)
    }

    #[test]
    fn a_missing_bootstrap_is_lambdas_invalid_entrypoint() {
        let (_dir, function) = provided_function(&[("README.md", b"no bootstrap".as_slice())]);
        let error = NativeLaunch::provided(&function)
            .unwrap_err()
            .function_error();
        assert_eq!(error.error_type, "Runtime.InvalidEntrypoint");
        assert!(
            error
                .error_message
                .starts_with("Couldn't find valid bootstrap(s): ["),
            "{}",
            error.error_message
        );
    }

    #[test]
    fn a_bootstrap_without_execute_permission_is_refused_and_one_with_it_launches() {
        let (_dir, function) = provided_function(&[("bootstrap", b"#!/bin/sh\n".as_slice())]);
        let path = function.dir.join("bootstrap");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = NativeLaunch::provided(&function)
            .unwrap_err()
            .function_error();
        assert_eq!(error.error_type, "Runtime.InvalidEntrypoint");
        assert!(
            error.error_message.contains("permission denied"),
            "{error:?}"
        );

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        let launch = NativeLaunch::provided(&function).unwrap();
        assert_eq!(launch.program, path);
        assert_eq!(launch.working_dir, function.dir);
        assert_eq!(launch.data_limit_bytes, 128 * 1024 * 1024);
    }
}
