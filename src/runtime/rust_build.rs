//! Building `runtime = "rust"` functions: the function's folder is a Cargo crate (a
//! `cdylib` using `lambdesk-lambda`, see `runtimes/rust/`) built by the user's cargo with
//! `cargo build --release --target wasm32-wasip1 --message-format=json` into one target
//! folder shared by every function of the machine (dependencies build once), then copied
//! to a module of the function's own (functions of two workspaces may share a crate
//! name, and so cargo's output file). Builds happen when a source is newer than that
//! module; their time is reported apart and never billed.

mod cargo_messages;
mod toolchain;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use sha2::Digest as _;

use crate::model::{BuildDiagnostic, BuildProgress, DiagnosticLevel, Function};
use cargo_messages::{CargoMessage, parse_line};

/// The only target a function is built for: WASI preview 1, which lambdesk runs.
pub const WASM_TARGET: &str = "wasm32-wasip1";
/// Overrides the shared target folder (tests use their own).
pub const RUST_TARGET_DIR_VAR: &str = "LAMBDESK_RUST_TARGET_DIR";
/// Overrides the `cargo` program (tests point it at one that is missing).
pub const CARGO_PROGRAM_VAR: &str = "LAMBDESK_CARGO";
/// Overrides the `rustc` asked for its sysroot (tests point it at one without the target).
pub const RUSTC_PROGRAM_VAR: &str = "LAMBDESK_RUSTC";
/// Compiler messages a failed build's error lists; the rest are in the diagnostics.
const LISTED_DIAGNOSTICS: usize = 5;
/// Lines of cargo's own stderr kept to explain a failure that has no diagnostics.
const KEPT_STDERR_LINES: usize = 12;
/// Deep enough for any crate's sources; stops a symlink loop.
const MAX_SOURCE_DEPTH: usize = 8;

#[derive(Debug, Clone)]
pub struct RustBuildOptions {
    /// cargo's `--target-dir`, shared by every function on the machine.
    pub target_dir: PathBuf,
    pub cargo_program: String,
    pub rustc_program: String,
}

impl Default for RustBuildOptions {
    /// `<cache>/lambdesk/rust-target`, `cargo` and `rustc`, unless the variables above
    /// (or cargo's own `RUSTC`) say otherwise.
    fn default() -> Self {
        let variable = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        Self {
            target_dir: variable(RUST_TARGET_DIR_VAR).map_or_else(
                || {
                    dirs::cache_dir()
                        .unwrap_or_else(std::env::temp_dir)
                        .join("lambdesk")
                        .join("rust-target")
                },
                PathBuf::from,
            ),
            cargo_program: variable(CARGO_PROGRAM_VAR).unwrap_or_else(|| "cargo".to_owned()),
            rustc_program: variable(RUSTC_PROGRAM_VAR)
                .or_else(|| variable("RUSTC"))
                .unwrap_or_else(|| "rustc".to_owned()),
        }
    }
}

/// Why a Rust function could not be built.
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
    /// The crate does not compile: every error and warning, with file, line and column.
    #[error("{}", describe_compile_errors(.diagnostics))]
    Compile { diagnostics: Vec<BuildDiagnostic> },
    #[error("cargo build failed: {0}")]
    Cargo(String),
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
        "the function's Rust code does not compile ({} error{}):",
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

fn io_error(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BuildError {
    let context = context.into();
    move |source| BuildError::Io { context, source }
}

/// A build that succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildReport {
    /// From starting cargo to the module in place.
    pub duration: Duration,
    /// The build's warnings (and any message that did not stop it).
    pub diagnostics: Vec<BuildDiagnostic>,
    /// Crates cargo compiled or found fresh.
    pub crates_compiled: usize,
    /// The function's module, what runs.
    pub module_path: PathBuf,
}

/// One build at a time in the process, whichever runtime asks: cargo locks the shared
/// target folder anyway, and the `.wasm` copied out of it must be this build's (crates of
/// one blueprint share cargo's output file name). Two lambdesk processes building two
/// such functions at the same instant could still cross; a rebuild puts it right.
static BUILDING: Mutex<()> = Mutex::new(());

/// Builds Rust functions.
#[derive(Debug)]
pub struct RustBuilder {
    options: RustBuildOptions,
}

impl RustBuilder {
    pub fn new(options: RustBuildOptions) -> Self {
        Self { options }
    }

    pub fn target_dir(&self) -> &Path {
        &self.options.target_dir
    }

    /// The function's built module: named after its folder, so two functions never
    /// share one.
    pub fn module_path(&self, function: &Function) -> PathBuf {
        let folder = function
            .dir
            .canonicalize()
            .unwrap_or_else(|_| function.dir.clone());
        let digest = sha2::Sha256::digest(folder.as_os_str().as_encoded_bytes());
        let name: String = digest[..12]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        self.options
            .target_dir
            .join("lambdesk-modules")
            .join(format!("{}-{name}.wasm", function.name))
    }

    /// Whether the module is missing or older than one of the crate's sources.
    pub fn is_stale(&self, function: &Function) -> bool {
        let Ok(built) = std::fs::metadata(self.module_path(function)).and_then(|m| m.modified())
        else {
            return true;
        };
        newest_source_time(&function.dir).is_some_and(|newest| newest > built)
    }

    /// Builds when stale (again if a source was saved during the build); `None` when
    /// the module was up to date.
    pub fn build_if_stale(
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

    /// Builds the function's crate and puts its module in place.
    pub fn build(
        &self,
        function: &Function,
        on_progress: &mut dyn FnMut(BuildProgress),
    ) -> Result<BuildReport, BuildError> {
        let _building = BUILDING.lock().unwrap_or_else(PoisonError::into_inner);
        let manifest = function
            .resolved_code_path()
            .map_err(|error| BuildError::Cargo(error.to_string()))?;
        let crate_dir = manifest
            .parent()
            .map_or_else(|| function.dir.clone(), Path::to_path_buf);
        toolchain::check(&self.options, &crate_dir)?;
        let module_path = self.module_path(function);
        let unit_setting = own_unit_setting(&manifest, &function.dir)?;
        let count_path = module_path.with_extension("crates");
        let mut progress = BuildProgress {
            crates_compiled: 0,
            crates_total: std::fs::read_to_string(&count_path)
                .ok()
                .and_then(|text| text.trim().parse().ok())
                .or_else(|| locked_package_count(&crate_dir)),
        };
        on_progress(progress);

        // The module's time is the build's start: a source saved during the build is
        // newer, so the next invocation builds again.
        let started_at = SystemTime::now();
        let started = Instant::now();
        let mut child = Command::new(&self.options.cargo_program)
            .args(["build", "--release", "--target", WASM_TARGET])
            .arg("--message-format=json")
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&self.options.target_dir)
            .arg("--config")
            .arg(&unit_setting)
            .current_dir(&crate_dir)
            // `--target-dir` and `--target` win over these; left set they would only
            // confuse a build script that reads them.
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => BuildError::CargoMissing {
                    program: self.options.cargo_program.clone(),
                },
                _ => BuildError::Io {
                    context: format!("cannot start {}", self.options.cargo_program),
                    source: error,
                },
            })?;
        let stderr_tail = child.stderr.take().and_then(read_tail_in_background);
        let mut diagnostics = Vec::new();
        let mut built_wasm = None;
        let mut finished = None;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = line.map_err(io_error("cannot read cargo's output"))?;
                match parse_line(&line, &crate_dir) {
                    CargoMessage::Artifact { wasm } => {
                        progress.crates_compiled += 1;
                        progress.crates_total = progress
                            .crates_total
                            .map(|total| total.max(progress.crates_compiled));
                        on_progress(progress);
                        built_wasm = wasm.or(built_wasm);
                    }
                    CargoMessage::Diagnostic(diagnostic) => diagnostics.push(diagnostic),
                    CargoMessage::Finished { success } => finished = Some(success),
                    CargoMessage::Other => {}
                }
            }
        }
        let status = child.wait().map_err(io_error("cargo did not finish"))?;
        let stderr_tail = stderr_tail
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        if !status.success() || finished == Some(false) {
            return Err(
                if diagnostics
                    .iter()
                    .any(|diagnostic| diagnostic.level == DiagnosticLevel::Error)
                {
                    BuildError::Compile { diagnostics }
                } else {
                    BuildError::Cargo(stderr_tail.join("\n"))
                },
            );
        }
        let Some(built_wasm) = built_wasm else {
            return Err(BuildError::Cargo(format!(
                "the crate built no WebAssembly library: {} needs `[lib] crate-type = [\"cdylib\"]`",
                manifest.display()
            )));
        };
        put_module_in_place(&built_wasm, &module_path, started_at)?;
        // The next build's total; a failure to save it only makes that estimate rougher.
        let _ = std::fs::write(&count_path, progress.crates_compiled.to_string());
        Ok(BuildReport {
            duration: started.elapsed(),
            diagnostics,
            crates_compiled: progress.crates_compiled,
            module_path,
        })
    }
}

/// A `--config` setting that tells the function's own crate from another function's in
/// the shared target folder. cargo knows a local crate by its name, version and path
/// relative to its workspace root — the same for every function made from one blueprint
/// — so two functions share a fingerprint, and one function's build could be taken as
/// fresh for the other (seen in the tests). A codegen-units count derived from the
/// function's folder is part of that fingerprint, so switching functions rebuilds the
/// crate (not its dependencies, which stay shared); it does not change what the code does.
fn own_unit_setting(manifest: &Path, function_dir: &Path) -> Result<String, BuildError> {
    let text = std::fs::read_to_string(manifest)
        .map_err(io_error(format!("cannot read {}", manifest.display())))?;
    let package = toml::from_str::<toml::Table>(&text)
        .ok()
        .and_then(|table| {
            table
                .get("package")?
                .get("name")?
                .as_str()
                .map(str::to_owned)
        })
        .ok_or_else(|| {
            BuildError::Cargo(format!(
                "{} has no [package] name: a Rust function is one crate",
                manifest.display()
            ))
        })?;
    let folder = function_dir
        .canonicalize()
        .unwrap_or_else(|_| function_dir.to_path_buf());
    let digest = sha2::Sha256::digest(folder.as_os_str().as_encoded_bytes());
    let spread = u32::from_le_bytes([digest[0], digest[1], digest[2], 0]);
    // Above any count a crate sets by hand, below nothing rustc refuses.
    let codegen_units = 1_000 + spread % 1_000_000;
    Ok(format!(
        "profile.release.package.{}.codegen-units={codegen_units}",
        toml::Value::String(package)
    ))
}

/// Copies cargo's output to the function's module (atomically: an invocation may be
/// reading the previous one) and dates it to the build's start.
fn put_module_in_place(
    built: &Path,
    module_path: &Path,
    started_at: SystemTime,
) -> Result<(), BuildError> {
    let folder = module_path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .map_err(io_error(format!("cannot create {}", folder.display())))?;
    let partial = module_path.with_extension("wasm.partial");
    std::fs::copy(built, &partial).map_err(io_error(format!(
        "cannot copy the built module {}",
        built.display()
    )))?;
    std::fs::File::options()
        .write(true)
        .open(&partial)
        .and_then(|file| file.set_modified(started_at))
        .map_err(io_error(format!("cannot date {}", partial.display())))?;
    std::fs::rename(&partial, module_path)
        .map_err(io_error(format!("cannot write {}", module_path.display())))
}

/// The last lines of cargo's stderr (its own errors: a bad manifest, no network), read
/// on a thread so a full pipe never stalls cargo.
fn read_tail_in_background(
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
        .name("cargo-stderr".to_owned())
        .spawn(read)
        .ok()
}

/// The packages `Cargo.lock` lists: a first build's estimate of the crates to compile.
fn locked_package_count(crate_dir: &Path) -> Option<usize> {
    let lock = std::fs::read_to_string(crate_dir.join("Cargo.lock")).ok()?;
    Some(lock.matches("[[package]]").count())
}

/// The newest modification time of the crate's sources: every file of the function's
/// folder but cargo's lock file (which cargo itself writes during a build), a `target`
/// folder, saved test events and `function.toml`.
fn newest_source_time(dir: &Path) -> Option<SystemTime> {
    fn visit(dir: &Path, depth: usize, newest: &mut Option<SystemTime>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            if depth == 0
                && [
                    "target",
                    "events",
                    "Cargo.lock",
                    crate::model::FUNCTION_FILE,
                ]
                .iter()
                .any(|skipped| name == *skipped)
            {
                continue;
            }
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() {
                if depth < MAX_SOURCE_DEPTH {
                    visit(&entry.path(), depth + 1, newest);
                }
            } else if let Ok(modified) = metadata.modified() {
                *newest = (*newest).max(Some(modified));
            }
        }
    }
    let mut newest = None;
    visit(dir, 0, &mut newest);
    newest
}
