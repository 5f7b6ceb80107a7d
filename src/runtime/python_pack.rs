//! Python's language pack: CPython compiled to a WebAssembly component by Bytecode
//! Alliance's componentize-py, with lambdesk's runtime driver (runtimes/python) frozen
//! inside after it has imported the standard library modules handlers use most. A private
//! virtualenv gets componentize-py from PyPI: the only moment a host Python is needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::language_pack::{LanguagePack, PackError, PackProgress, PackStep, sha256_hex, tail_of};

/// The componentize-py release the pack is built with (CPython 3.14 inside).
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";
/// Python's version inside the component, as Lambda names its runtime.
pub const PYTHON_RUNTIME_NAME: &str = "python3.14";

const DRIVER_SOURCE: &str = include_str!("../../runtimes/python/lambdesk_runtime.py");
const DRIVER_MODULE: &str = "lambdesk_runtime";
const WORLD_SOURCE: &str = include_str!("../../runtimes/python/wit/runtime.wit");
const WORLD_NAME: &str = "runtime";

const STEP_COUNT: usize = 4;
const CREATE_TOOLS: PackStep = PackStep {
    number: 1,
    count: STEP_COUNT,
    description: "creating a virtualenv for componentize-py",
};
const INSTALL_COMPILER: PackStep = PackStep {
    number: 2,
    count: STEP_COUNT,
    description: "installing componentize-py from PyPI (about 17 MB)",
};
const BUILD_RUNTIME: PackStep = PackStep {
    number: 3,
    count: STEP_COUNT,
    description: "building CPython and lambdesk's driver into a component",
};
/// The last step, taken by the runtime after the pack is ready.
pub const COMPILE: PackStep = PackStep {
    number: 4,
    count: STEP_COUNT,
    description: "compiling the Python runtime to machine code",
};

pub(super) fn recipe() -> String {
    format!(
        "componentize-py {COMPONENTIZE_PY_VERSION}, driver {}",
        sha256_hex(DRIVER_SOURCE.as_bytes())
    )
}

/// Builds the component in `building`; returns its path.
pub(super) fn build(
    pack: &LanguagePack,
    building: &Path,
    progress: &PackProgress,
) -> Result<PathBuf, PackError> {
    let python = tools_python(pack, progress)?;
    progress.begin(BUILD_RUNTIME);
    let write = |path: PathBuf, text: &str| {
        std::fs::write(path, text).map_err(|error| pack.failed("writing the driver", error))
    };
    std::fs::create_dir_all(building.join("wit"))
        .map_err(|error| pack.failed("writing the driver", error))?;
    write(building.join("wit").join("runtime.wit"), WORLD_SOURCE)?;
    write(building.join(format!("{DRIVER_MODULE}.py")), DRIVER_SOURCE)?;
    let output = Command::new(&python)
        .current_dir(building)
        .args([
            "-c",
            "import sys, componentize_py; sys.exit(componentize_py.script())",
            "-q",
            "-d",
            "wit",
            "-w",
            WORLD_NAME,
            "componentize",
            "-p",
            ".",
            DRIVER_MODULE,
            "-o",
            "runtime.wasm",
        ])
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .map_err(|error| pack.failed("running componentize-py", error))?;
    if !output.status.success() {
        return Err(pack.failed(
            "building the component with componentize-py",
            tail_of(&output.stderr),
        ));
    }
    Ok(building.join("runtime.wasm"))
}

/// The virtualenv's Python with componentize-py installed, made first if needed.
fn tools_python(pack: &LanguagePack, progress: &PackProgress) -> Result<PathBuf, PackError> {
    let tools = pack.root().join("python-tools");
    let python = tools.join("bin").join("python");
    let has_compiler = Command::new(&python)
        .args([
            "-c",
            &format!(
                "import importlib.metadata as m, sys; sys.exit(m.version('componentize-py') != '{COMPONENTIZE_PY_VERSION}')"
            ),
        ])
        .output()
        .is_ok_and(|output| output.status.success());
    if has_compiler {
        return Ok(python);
    }
    progress.begin(CREATE_TOOLS);
    let host_python = find_host_python()?;
    let _ = std::fs::remove_dir_all(&tools);
    let output = Command::new(&host_python)
        .args(["-m", "venv"])
        .arg(&tools)
        .output()
        .map_err(|error| pack.failed("creating the virtualenv", error))?;
    if !output.status.success() {
        return Err(PackError::ToolMissing(format!(
            "Python's language pack is prepared (once) with componentize-py from PyPI, installed into a virtualenv, and `{} -m venv` failed: {}. On Debian or Ubuntu: sudo apt install python3-venv",
            host_python.display(),
            tail_of(&output.stderr)
        )));
    }
    progress.begin(INSTALL_COMPILER);
    let output = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("componentize-py=={COMPONENTIZE_PY_VERSION}"),
        ])
        .output()
        .map_err(|error| pack.failed("running pip", error))?;
    if !output.status.success() {
        return Err(pack.failed(
            "installing componentize-py from PyPI with pip",
            tail_of(&output.stderr),
        ));
    }
    Ok(python)
}

/// `python3` on PATH, with a message saying what to install when there is none.
fn find_host_python() -> Result<PathBuf, PackError> {
    for candidate in ["python3", "python"] {
        let works = Command::new(candidate)
            .args(["-c", "import sys; sys.exit(sys.version_info < (3, 9))"])
            .output()
            .is_ok_and(|output| output.status.success());
        if works {
            return Ok(PathBuf::from(candidate));
        }
    }
    Err(PackError::ToolMissing(
        "Python's language pack is prepared (once) with componentize-py from PyPI, which needs python3 (3.9 or newer) with pip and venv, and none was found on PATH. On Debian or Ubuntu: sudo apt install python3 python3-venv; on macOS: brew install python".to_owned(),
    ))
}
