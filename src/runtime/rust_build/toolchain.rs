//! Whether this machine can build a Rust function: cargo on the PATH and the
//! `wasm32-wasip1` target in the toolchain's sysroot. Checked before each build so a
//! missing piece is one clear message with the command to run, not a build log.

use std::path::Path;
use std::process::{Command, Stdio};

use super::{BuildError, RustBuildOptions, WASM_TARGET};

/// Checks cargo and the target as the toolchain of `crate_dir` sees them (a
/// `rust-toolchain.toml` there picks another toolchain).
pub fn check(options: &RustBuildOptions, crate_dir: &Path) -> Result<(), BuildError> {
    let cargo = Command::new(&options.cargo_program)
        .arg("--version")
        .current_dir(crate_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !cargo.is_ok_and(|status| status.success()) {
        return Err(BuildError::CargoMissing {
            program: options.cargo_program.clone(),
        });
    }
    let sysroot = Command::new(&options.rustc_program)
        .args(["--print", "sysroot"])
        .current_dir(crate_dir)
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    let Some(sysroot) = sysroot else {
        return Err(BuildError::CargoMissing {
            program: options.rustc_program.clone(),
        });
    };
    let target_dir = Path::new(&sysroot)
        .join("lib")
        .join("rustlib")
        .join(WASM_TARGET);
    if target_dir.is_dir() {
        Ok(())
    } else {
        Err(BuildError::TargetMissing { sysroot })
    }
}
