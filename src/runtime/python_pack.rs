//! Python's language pack: CPython compiled to a WebAssembly component by Bytecode
//! Alliance's componentize-py, with lambdesk's runtime driver (runtimes/python) frozen
//! inside after it has imported the standard library modules handlers use most.
//!
//! The component is about 20 MB, too large to ship inside lambdesk, so it is prepared once
//! per machine into the user's cache: a private virtualenv gets componentize-py from PyPI
//! (the only moment a host Python is needed), which builds the component. A manifest
//! records the component's SHA-256 and the driver it was built from: a file that does not
//! match is damaged (rebuilt, never trusted), a driver from another lambdesk is outdated
//! (rebuilt too).

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::model::write_atomically;

/// The componentize-py release the pack is built with (CPython 3.14 inside).
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";
/// Python's version inside the component, as Lambda names its runtime.
pub const PYTHON_RUNTIME_NAME: &str = "python3.14";

const DRIVER_SOURCE: &str = include_str!("../../runtimes/python/lambdesk_runtime.py");
const DRIVER_MODULE: &str = "lambdesk_runtime";
const WORLD_SOURCE: &str = include_str!("../../runtimes/python/wit/runtime.wit");
const WORLD_NAME: &str = "runtime";
const COMPONENT_FILE: &str = "runtime.wasm";
const MANIFEST_FILE: &str = "manifest.json";

/// Why the pack could not be prepared or used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PackError {
    /// A tool needed to prepare the pack (once) is missing: what to install.
    #[error("{0}")]
    ToolMissing(String),
    /// Preparing failed: the step and what the tool said.
    #[error("preparing Python's language pack failed while {step}: {detail}")]
    Failed { step: &'static str, detail: String },
}

/// A step of preparing the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackStep {
    /// Making the private virtualenv that holds componentize-py.
    CreateTools,
    /// `pip install componentize-py` from PyPI.
    InstallCompiler,
    /// componentize-py building CPython with the driver into a component.
    BuildRuntime,
    /// Compiling the component to machine code (cached for later starts).
    Compile,
}

impl PackStep {
    pub const COUNT: usize = 4;

    /// The step's place among all of them, from 1.
    pub fn number(self) -> usize {
        match self {
            Self::CreateTools => 1,
            Self::InstallCompiler => 2,
            Self::BuildRuntime => 3,
            Self::Compile => 4,
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::CreateTools => "creating a virtualenv for componentize-py",
            Self::InstallCompiler => "installing componentize-py from PyPI (about 17 MB)",
            Self::BuildRuntime => "building CPython and lambdesk's driver into a component",
            Self::Compile => "compiling the Python runtime to machine code",
        }
    }
}

/// The step in progress and since when, for the console and the terminal.
#[derive(Debug, Default)]
pub struct PackProgress(Mutex<Option<(PackStep, Instant)>>);

impl PackProgress {
    pub fn begin(&self, step: PackStep) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((step, Instant::now()));
    }

    pub fn end(&self) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    pub fn current(&self) -> Option<(PackStep, Duration)> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map(|(step, since)| (step, since.elapsed()))
    }
}

/// What the cache holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackState {
    Missing,
    /// Ready; the component's size.
    Ready {
        size_bytes: u64,
    },
    /// Present but not to be trusted: why.
    Damaged(String),
    /// Built from another version of lambdesk's driver or componentize-py.
    Outdated,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Manifest {
    componentize_py: String,
    driver_sha256: String,
    component_sha256: String,
    size_bytes: u64,
}

/// Python's language pack in a cache folder (`<root>/python` and the tools' virtualenv
/// `<root>/python-tools`).
#[derive(Debug, Clone)]
pub struct PythonPack {
    root: PathBuf,
}

impl PythonPack {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// `$LAMBDESK_RUNTIMES_DIR`, else `runtimes` in the user's lambdesk cache.
    pub fn default_root() -> PathBuf {
        if let Some(dir) = std::env::var_os("LAMBDESK_RUNTIMES_DIR") {
            return PathBuf::from(dir);
        }
        dirs::cache_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("lambdesk")
            .join("runtimes")
    }

    pub fn dir(&self) -> PathBuf {
        self.root.join("python")
    }

    pub fn component_path(&self) -> PathBuf {
        self.dir().join(COMPONENT_FILE)
    }

    fn tools_dir(&self) -> PathBuf {
        self.root.join("python-tools")
    }

    /// What the cache holds now (reads and hashes the component: ~50 ms).
    pub fn state(&self) -> PackState {
        match self.read_verified() {
            Ok(Some(bytes)) => PackState::Ready {
                size_bytes: bytes.len() as u64,
            },
            Ok(None) => PackState::Missing,
            Err(Verdict::Outdated) => PackState::Outdated,
            Err(Verdict::Damaged(why)) => PackState::Damaged(why),
        }
    }

    /// Whether the cache seems to hold a pack for this lambdesk: its manifest matches and
    /// the component has the recorded size. Cheap (no hashing), for the console to say
    /// "prepares on first use"; `ensure` still verifies the checksum before trusting it.
    pub fn looks_ready(&self) -> bool {
        let Ok(bytes) = std::fs::read(self.dir().join(MANIFEST_FILE)) else {
            return false;
        };
        let Ok(manifest) = serde_json::from_slice::<Manifest>(&bytes) else {
            return false;
        };
        manifest.componentize_py == COMPONENTIZE_PY_VERSION
            && manifest.driver_sha256 == sha256_hex(DRIVER_SOURCE.as_bytes())
            && std::fs::metadata(self.component_path())
                .is_ok_and(|metadata| metadata.len() == manifest.size_bytes)
    }

    /// The component's bytes, prepared first when the cache lacks them or they cannot be
    /// trusted. Blocking: runs pip and componentize-py.
    pub fn ensure(&self, progress: &PackProgress) -> Result<Vec<u8>, PackError> {
        if let Ok(Some(bytes)) = self.read_verified() {
            return Ok(bytes);
        }
        let _lock = self.lock()?;
        // Another process (or environment) may have prepared it while this one waited.
        if let Ok(Some(bytes)) = self.read_verified() {
            return Ok(bytes);
        }
        let result = self.install_steps(progress);
        progress.end();
        result
    }

    /// Prepares the pack again, whatever the cache holds.
    pub fn install(&self, progress: &PackProgress) -> Result<Vec<u8>, PackError> {
        let _lock = self.lock()?;
        let result = self.install_steps(progress);
        progress.end();
        result
    }

    /// Holds the pack's lock file: one preparation at a time per machine (two consoles,
    /// `serve` and a console, parallel tests), the others wait and then use its result.
    fn lock(&self) -> Result<std::fs::File, PackError> {
        let failed = |error: std::io::Error| PackError::Failed {
            step: "locking the cache",
            detail: error.to_string(),
        };
        std::fs::create_dir_all(&self.root).map_err(failed)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join("python.lock"))
            .map_err(failed)?;
        file.lock().map_err(failed)?;
        Ok(file)
    }

    fn install_steps(&self, progress: &PackProgress) -> Result<Vec<u8>, PackError> {
        let python = self.tools_python(progress)?;
        progress.begin(PackStep::BuildRuntime);
        let building = self
            .root
            .join(format!("python.building-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&building);
        let failed = |step: &'static str| {
            move |error: std::io::Error| PackError::Failed {
                step,
                detail: error.to_string(),
            }
        };
        std::fs::create_dir_all(building.join("wit")).map_err(failed("creating a folder"))?;
        std::fs::write(building.join("wit").join("runtime.wit"), WORLD_SOURCE)
            .map_err(failed("writing the driver"))?;
        std::fs::write(building.join(format!("{DRIVER_MODULE}.py")), DRIVER_SOURCE)
            .map_err(failed("writing the driver"))?;
        let output = Command::new(&python)
            .current_dir(&building)
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
                COMPONENT_FILE,
            ])
            .env_remove("PYTHONPATH")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env_remove("PYTHONHOME")
            .output()
            .map_err(failed("running componentize-py"))?;
        if !output.status.success() {
            let _ = std::fs::remove_dir_all(&building);
            return Err(PackError::Failed {
                step: "building the component with componentize-py",
                detail: tail_of(&output.stderr),
            });
        }
        let bytes = std::fs::read(building.join(COMPONENT_FILE))
            .map_err(failed("reading the built component"))?;
        let manifest = Manifest {
            componentize_py: COMPONENTIZE_PY_VERSION.to_owned(),
            driver_sha256: sha256_hex(DRIVER_SOURCE.as_bytes()),
            component_sha256: sha256_hex(&bytes),
            size_bytes: bytes.len() as u64,
        };
        let manifest_json =
            serde_json::to_vec_pretty(&manifest).map_err(|error| PackError::Failed {
                step: "writing the manifest",
                detail: error.to_string(),
            })?;
        write_atomically(&building.join(MANIFEST_FILE), &manifest_json)
            .map_err(failed("writing the manifest"))?;
        for leftover in ["wit", "__pycache__"] {
            let _ = std::fs::remove_dir_all(building.join(leftover));
        }
        let _ = std::fs::remove_file(building.join(format!("{DRIVER_MODULE}.py")));
        // The old pack (damaged or outdated) goes; the new one takes its place whole.
        let _ = std::fs::remove_dir_all(self.dir());
        std::fs::rename(&building, self.dir()).map_err(failed("moving the pack in place"))?;
        Ok(bytes)
    }

    /// The virtualenv's Python with componentize-py installed, made first if needed.
    fn tools_python(&self, progress: &PackProgress) -> Result<PathBuf, PackError> {
        let tools = self.tools_dir();
        let python = tools.join("bin").join("python");
        let has_compiler = || {
            Command::new(&python)
                .args([
                    "-c",
                    &format!(
                        "import importlib.metadata as m, sys; sys.exit(m.version('componentize-py') != '{COMPONENTIZE_PY_VERSION}')"
                    ),
                ])
                .output()
                .is_ok_and(|output| output.status.success())
        };
        if has_compiler() {
            return Ok(python);
        }
        progress.begin(PackStep::CreateTools);
        let host_python = find_host_python()?;
        let _ = std::fs::remove_dir_all(&tools);
        let output = Command::new(&host_python)
            .args(["-m", "venv"])
            .arg(&tools)
            .output()
            .map_err(|error| PackError::Failed {
                step: "creating the virtualenv",
                detail: error.to_string(),
            })?;
        if !output.status.success() {
            return Err(PackError::ToolMissing(format!(
                "Python's language pack is prepared (once) with componentize-py from PyPI, installed into a virtualenv, and `{} -m venv` failed: {}. On Debian or Ubuntu: sudo apt install python3-venv",
                host_python.display(),
                tail_of(&output.stderr)
            )));
        }
        progress.begin(PackStep::InstallCompiler);
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
            .map_err(|error| PackError::Failed {
                step: "running pip",
                detail: error.to_string(),
            })?;
        if !output.status.success() {
            return Err(PackError::Failed {
                step: "installing componentize-py from PyPI with pip",
                detail: tail_of(&output.stderr),
            });
        }
        Ok(python)
    }

    /// The component if the cache holds a trustworthy one for this lambdesk; `Ok(None)`
    /// when there is none.
    fn read_verified(&self) -> Result<Option<Vec<u8>>, Verdict> {
        let manifest_path = self.dir().join(MANIFEST_FILE);
        let manifest_bytes = match std::fs::read(&manifest_path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return if self.component_path().exists() {
                    Err(Verdict::Damaged("its manifest is missing".to_owned()))
                } else {
                    Ok(None)
                };
            }
            Err(error) => return Err(Verdict::Damaged(error.to_string())),
        };
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|error| Verdict::Damaged(format!("its manifest is unreadable: {error}")))?;
        if manifest.componentize_py != COMPONENTIZE_PY_VERSION
            || manifest.driver_sha256 != sha256_hex(DRIVER_SOURCE.as_bytes())
        {
            return Err(Verdict::Outdated);
        }
        let bytes = std::fs::read(self.component_path())
            .map_err(|error| Verdict::Damaged(format!("its component: {error}")))?;
        if sha256_hex(&bytes) != manifest.component_sha256 {
            return Err(Verdict::Damaged(format!(
                "its component's checksum does not match the manifest ({} bytes, {} expected)",
                bytes.len(),
                manifest.size_bytes
            )));
        }
        Ok(Some(bytes))
    }
}

enum Verdict {
    Damaged(String),
    Outdated,
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

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The last lines a failing tool printed (its error, not its whole log).
fn tail_of(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(6)..].join("\n")
}
