//! Building `runtime = "go"` functions: the function's folder is a Go module (its
//! `go.mod` replaces `github.com/aws/aws-lambda-go` with the copy of `runtimes/go` in
//! the folder) built by the user's go with
//! `GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared` into a WASI reactor that runs
//! as an execution environment. Go's build cache is one folder in the user's cache, so
//! the standard library compiles once per machine and a one-line change rebuilds in
//! a fraction of a second. Builds happen when a source is newer than the module; their
//! time is reported apart and never billed.

mod go_messages;
mod toolchain;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use super::build_cancel::{WatchedChild, in_own_process_group};
use super::function_build::{
    BuildError, BuildReport, FunctionBuilder, KEPT_STDERR_LINES, building, cache_folder,
    create_modules_dir, failure, io_error, module_path_in, partial_path, previous_count,
    put_module_in_place, save_count, setting,
};
use crate::model::{BuildProgress, Function};
use go_messages::{GoLine, parse_line};

/// `go:wasmexport`, which the guest package's exports need, came in Go 1.24.
pub const MIN_GO_VERSION: &str = "1.24";
/// Overrides the folder of Go's build cache and the built modules (tests use their own).
pub const GO_BUILD_DIR_VAR: &str = "LAMBDESK_GO_BUILD_DIR";
/// Overrides the `go` program (tests point it at one that is missing or too old).
pub const GO_PROGRAM_VAR: &str = "LAMBDESK_GO";

#[derive(Debug, Clone)]
pub struct GoBuildOptions {
    /// Holds `cache/` (Go's `GOCACHE`) and `modules/` (each function's built module).
    pub build_dir: PathBuf,
    pub go_program: String,
}

impl Default for GoBuildOptions {
    /// `<cache>/lambdesk/go-build` and `go`, unless the variables above say otherwise.
    fn default() -> Self {
        Self {
            build_dir: cache_folder(GO_BUILD_DIR_VAR, "go-build"),
            go_program: setting(GO_PROGRAM_VAR).unwrap_or_else(|| "go".to_owned()),
        }
    }
}

/// Builds Go functions.
#[derive(Debug)]
pub struct GoBuilder {
    options: GoBuildOptions,
}

impl GoBuilder {
    pub fn new(options: GoBuildOptions) -> Self {
        Self { options }
    }

    /// Go's build cache (`GOCACHE`).
    pub fn cache_dir(&self) -> PathBuf {
        self.options.build_dir.join("cache")
    }

    /// Whether this machine has a Go that can build functions (found, and ≥ 1.24): the
    /// message to show when not.
    pub fn check_toolchain(&self) -> Result<(), BuildError> {
        toolchain::check(&self.options.go_program, &std::env::temp_dir())
    }
}

impl FunctionBuilder for GoBuilder {
    fn module_path(&self, function: &Function) -> PathBuf {
        module_path_in(&self.options.build_dir.join("modules"), function)
    }

    /// `go.sum` is written by go itself when it records a checksum.
    fn skipped_entries(&self) -> &[&str] {
        &["go.sum"]
    }

    /// Builds the function's Go module and puts its module in place.
    fn build(
        &self,
        function: &Function,
        on_progress: &mut dyn FnMut(BuildProgress),
    ) -> Result<BuildReport, BuildError> {
        let _building = building();
        let go_mod = function
            .resolved_code_path()
            .map_err(|error| BuildError::Go(error.to_string()))?;
        let module_dir = go_mod
            .parent()
            .map_or_else(|| function.dir.clone(), Path::to_path_buf);
        toolchain::check(&self.options.go_program, &module_dir)?;
        let module_path = self.module_path(function);
        create_modules_dir(&module_path)?;
        let mut progress = BuildProgress {
            crates_compiled: 0,
            crates_total: previous_count(&module_path),
        };
        on_progress(progress);

        let started_at = SystemTime::now();
        let started = Instant::now();
        let mut child = in_own_process_group(&mut Command::new(&self.options.go_program))
            // -v names each package as it is compiled: the progress.
            .args(["build", "-v", "-buildmode=c-shared", "-o"])
            .arg(partial_path(&module_path))
            .arg(".")
            .current_dir(&module_dir)
            .env("GOOS", "wasip1")
            .env("GOARCH", "wasm")
            .env("GOCACHE", self.cache_dir())
            // The go found is the one that builds: a `toolchain` line in go.mod must not
            // start a download in the middle of an invocation.
            .env("GOTOOLCHAIN", "local")
            // A function is one module; a go.work above the workspace is not its.
            .env("GOWORK", "off")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => BuildError::GoMissing {
                    program: self.options.go_program.clone(),
                },
                _ => BuildError::Io {
                    context: format!("cannot start {}", self.options.go_program),
                    source: error,
                },
            })?;
        let function_dir = function
            .dir
            .canonicalize()
            .unwrap_or_else(|_| function.dir.clone());
        let mut diagnostics = Vec::new();
        let mut other_lines = std::collections::VecDeque::with_capacity(KEPT_STDERR_LINES);
        let stderr = child.stderr.take();
        let child = WatchedChild::new(&function.name, child);
        if let Some(stderr) = stderr {
            for line in BufReader::new(stderr).lines() {
                let line = line.map_err(io_error("cannot read go's output"))?;
                match parse_line(&line, &module_dir, &function_dir) {
                    GoLine::Package => {
                        progress.count_one();
                        on_progress(progress);
                    }
                    GoLine::Diagnostic(diagnostic) => diagnostics.push(diagnostic),
                    GoLine::Header => {}
                    GoLine::Other => {
                        if other_lines.len() == KEPT_STDERR_LINES {
                            other_lines.pop_front();
                        }
                        other_lines.push_back(line);
                    }
                }
            }
        }
        let status = child
            .wait()
            .map_err(|_| BuildError::Cancelled)?
            .map_err(io_error("go did not finish"))?;
        if !status.success() {
            return Err(failure(diagnostics, || {
                BuildError::Go(Vec::from(other_lines).join("\n"))
            }));
        }
        put_module_in_place(&module_path, started_at)?;
        // Only a build that compiled much (the first) is a fair estimate of the total.
        if progress.crates_compiled > previous_count(&module_path).unwrap_or(0) {
            save_count(&module_path, progress.crates_compiled);
        }
        Ok(BuildReport {
            duration: started.elapsed(),
            diagnostics,
            crates_compiled: progress.crates_compiled,
            module_path,
        })
    }
}
