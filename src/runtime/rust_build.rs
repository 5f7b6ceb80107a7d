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
use std::time::{Instant, SystemTime};

use super::build_cancel::{WatchedChild, in_own_process_group};
use super::function_build::{
    BuildError, BuildReport, FunctionBuilder, building, cache_folder, create_modules_dir, failure,
    folder_digest, io_error, module_path_in, partial_path, previous_count, put_module_in_place,
    read_tail_in_background, save_count, setting,
};
use crate::model::{BuildProgress, Function};
use cargo_messages::{CargoMessage, parse_line};

/// The only target a function is built for: WASI preview 1, which lambdesk runs.
pub const WASM_TARGET: &str = "wasm32-wasip1";
/// Overrides the shared target folder (tests use their own).
pub const RUST_TARGET_DIR_VAR: &str = "LAMBDESK_RUST_TARGET_DIR";
/// Overrides the `cargo` program (tests point it at one that is missing).
pub const CARGO_PROGRAM_VAR: &str = "LAMBDESK_CARGO";
/// Overrides the `rustc` asked for its sysroot (tests point it at one without the target).
pub const RUSTC_PROGRAM_VAR: &str = "LAMBDESK_RUSTC";

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
        Self {
            target_dir: cache_folder(RUST_TARGET_DIR_VAR, "rust-target"),
            cargo_program: setting(CARGO_PROGRAM_VAR).unwrap_or_else(|| "cargo".to_owned()),
            rustc_program: setting(RUSTC_PROGRAM_VAR)
                .or_else(|| setting("RUSTC"))
                .unwrap_or_else(|| "rustc".to_owned()),
        }
    }
}

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
}

impl FunctionBuilder for RustBuilder {
    fn module_path(&self, function: &Function) -> PathBuf {
        module_path_in(&self.options.target_dir.join("lambdesk-modules"), function)
    }

    /// cargo's lock file (which cargo itself writes during a build) and a `target`
    /// folder (should the user build in the folder too).
    fn skipped_entries(&self) -> &[&str] {
        &["target", "Cargo.lock"]
    }

    /// Builds the function's crate and puts its module in place.
    fn build(
        &self,
        function: &Function,
        on_progress: &mut dyn FnMut(BuildProgress),
    ) -> Result<BuildReport, BuildError> {
        let _building = building();
        let manifest = function
            .resolved_code_path()
            .map_err(|error| BuildError::Cargo(error.to_string()))?;
        let crate_dir = manifest
            .parent()
            .map_or_else(|| function.dir.clone(), Path::to_path_buf);
        toolchain::check(&self.options, &crate_dir)?;
        let module_path = self.module_path(function);
        let unit_setting = own_unit_setting(&manifest, &function.dir)?;
        let mut progress = BuildProgress {
            crates_compiled: 0,
            crates_total: previous_count(&module_path).or_else(|| locked_package_count(&crate_dir)),
        };
        on_progress(progress);

        // The module's time is the build's start: a source saved during the build is
        // newer, so the next invocation builds again.
        let started_at = SystemTime::now();
        let started = Instant::now();
        let mut child = in_own_process_group(&mut Command::new(&self.options.cargo_program))
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
        let stdout = child.stdout.take();
        let child = WatchedChild::new(&function.name, child);
        let mut diagnostics = Vec::new();
        let mut built_wasm = None;
        let mut finished = None;
        if let Some(stdout) = stdout {
            for line in BufReader::new(stdout).lines() {
                let line = line.map_err(io_error("cannot read cargo's output"))?;
                match parse_line(&line, &crate_dir) {
                    CargoMessage::Artifact { wasm } => {
                        progress.count_one();
                        on_progress(progress);
                        built_wasm = wasm.or(built_wasm);
                    }
                    CargoMessage::Diagnostic(diagnostic) => diagnostics.push(diagnostic),
                    CargoMessage::Finished { success } => finished = Some(success),
                    CargoMessage::Other => {}
                }
            }
        }
        let status = child
            .wait()
            .map_err(|_| BuildError::Cancelled)?
            .map_err(io_error("cargo did not finish"))?;
        let stderr_tail = stderr_tail
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        if !status.success() || finished == Some(false) {
            return Err(failure(diagnostics, || {
                BuildError::Cargo(stderr_tail.join("\n"))
            }));
        }
        let Some(built_wasm) = built_wasm else {
            return Err(BuildError::Cargo(format!(
                "the crate built no WebAssembly library: {} needs `[lib] crate-type = [\"cdylib\"]`",
                manifest.display()
            )));
        };
        create_modules_dir(&module_path)?;
        let partial = partial_path(&module_path);
        std::fs::copy(&built_wasm, &partial).map_err(io_error(format!(
            "cannot copy the built module {}",
            built_wasm.display()
        )))?;
        put_module_in_place(&module_path, started_at)?;
        save_count(&module_path, progress.crates_compiled);
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
    let digest = folder_digest(function_dir);
    let spread = u32::from_le_bytes([digest[0], digest[1], digest[2], 0]);
    // Above any count a crate sets by hand, below nothing rustc refuses.
    let codegen_units = 1_000 + spread % 1_000_000;
    Ok(format!(
        "profile.release.package.{}.codegen-units={codegen_units}",
        toml::Value::String(package)
    ))
}

/// The packages `Cargo.lock` lists: a first build's estimate of the crates to compile.
fn locked_package_count(crate_dir: &Path) -> Option<usize> {
    let lock = std::fs::read_to_string(crate_dir.join("Cargo.lock")).ok()?;
    Some(lock.matches("[[package]]").count())
}
