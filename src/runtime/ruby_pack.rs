//! Ruby's language pack: CRuby 3.4 with its standard library compiled to a WASI module,
//! as ruby.wasm's npm package `@ruby/3.4-wasm-wasi` ships it (`dist/ruby+stdlib.wasm`,
//! the standard library packed inside by wasi-vfs). npm fetches it: the only moment npm is
//! needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::language_pack::{LanguagePack, PackError, PackProgress, PackStep, tail_of};

/// The npm package and version the pack is made from (Ruby 3.4).
pub const RUBY_WASM_PACKAGE: &str = "@ruby/3.4-wasm-wasi@2.10.1";
/// Ruby's version inside, as Lambda names its runtime.
pub const RUBY_RUNTIME_NAME: &str = "ruby3.4";
/// The module inside the package.
const MODULE_IN_PACKAGE: &str = "package/dist/ruby+stdlib.wasm";

const STEP_COUNT: usize = 3;
const DOWNLOAD: PackStep = PackStep {
    number: 1,
    count: STEP_COUNT,
    description: "downloading ruby.wasm from npm (about 30 MB)",
};
const EXTRACT: PackStep = PackStep {
    number: 2,
    count: STEP_COUNT,
    description: "unpacking Ruby with its standard library",
};
/// The last step, taken by the runtime after the pack is ready.
pub const COMPILE: PackStep = PackStep {
    number: 3,
    count: STEP_COUNT,
    description: "compiling the Ruby runtime to machine code",
};

pub(super) fn recipe() -> String {
    format!("npm {RUBY_WASM_PACKAGE} {MODULE_IN_PACKAGE}")
}

/// Fetches the package into `building` and unpacks the module; returns its path.
pub(super) fn build(
    pack: &LanguagePack,
    building: &Path,
    progress: &PackProgress,
) -> Result<PathBuf, PackError> {
    progress.begin(DOWNLOAD);
    let output = Command::new("npm")
        .args(["pack", "--silent", RUBY_WASM_PACKAGE, "--pack-destination"])
        .arg(building)
        .current_dir(building)
        .output()
        .map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                PackError::ToolMissing(
                    "Ruby's language pack is downloaded (once) from npm, and npm was not found on PATH. On Debian or Ubuntu: sudo apt install npm; on macOS: brew install node".to_owned(),
                )
            } else {
                pack.failed("running npm", error)
            }
        })?;
    if !output.status.success() {
        return Err(pack.failed(
            "downloading ruby.wasm with npm pack",
            tail_of(&output.stderr),
        ));
    }
    let tarball = String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    progress.begin(EXTRACT);
    let output = Command::new("tar")
        .args(["-xzf", &tarball, MODULE_IN_PACKAGE])
        .current_dir(building)
        .output()
        .map_err(|error| pack.failed("running tar", error))?;
    if !output.status.success() {
        return Err(pack.failed("unpacking the npm package", tail_of(&output.stderr)));
    }
    Ok(building.join(MODULE_IN_PACKAGE))
}
