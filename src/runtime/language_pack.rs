//! Language packs: interpreters compiled to WebAssembly (CPython, CRuby) that are too large
//! to ship inside lambdesk, prepared once per machine into the user's cache from a package
//! registry (Python: componentize-py from PyPI builds a component with lambdesk's driver;
//! Ruby: ruby.wasm's npm package). A manifest records what the artefact was made from and
//! its SHA-256: an artefact that does not match is damaged (rebuilt, never trusted), one
//! made by another recipe (another lambdesk) is outdated (rebuilt too).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::model::write_atomically;

use super::{python_pack, ruby_pack};

const ARTEFACT_FILE: &str = "runtime.wasm";
const MANIFEST_FILE: &str = "manifest.json";

/// The languages that come as packs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackLanguage {
    Python,
    Ruby,
}

impl PackLanguage {
    pub fn id(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Ruby => "ruby",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Self::Python => "Python",
            Self::Ruby => "Ruby",
        }
    }

    /// What the pack is made from: a different recipe means an outdated pack.
    fn recipe(self) -> String {
        match self {
            Self::Python => python_pack::recipe(),
            Self::Ruby => ruby_pack::recipe(),
        }
    }
}

/// Why a pack could not be prepared or used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PackError {
    /// A tool needed to prepare the pack (once) is missing: what to install.
    #[error("{0}")]
    ToolMissing(String),
    /// Preparing failed: the step and what the tool said.
    #[error("preparing the {language} language pack failed while {step}: {detail}")]
    Failed {
        language: &'static str,
        step: &'static str,
        detail: String,
    },
}

/// A step of preparing a pack, as the console and the terminal show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackStep {
    /// From 1.
    pub number: usize,
    pub count: usize,
    pub description: &'static str,
}

/// The step in progress and since when.
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
    /// Ready; the artefact's size.
    Ready {
        size_bytes: u64,
    },
    /// Present but not to be trusted: why.
    Damaged(String),
    /// Made from another recipe (another version of lambdesk).
    Outdated,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Manifest {
    recipe: String,
    sha256: String,
    size_bytes: u64,
}

/// One language's pack in a cache folder (`<root>/<language>`, its tools beside it).
#[derive(Debug, Clone)]
pub struct LanguagePack {
    root: PathBuf,
    language: PackLanguage,
}

impl LanguagePack {
    pub fn new(root: PathBuf, language: PackLanguage) -> Self {
        Self { root, language }
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

    pub fn language(&self) -> PackLanguage {
        self.language
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn dir(&self) -> PathBuf {
        self.root.join(self.language.id())
    }

    pub fn artefact_path(&self) -> PathBuf {
        self.dir().join(ARTEFACT_FILE)
    }

    /// What the cache holds now (reads and hashes the artefact: tens of milliseconds).
    pub fn state(&self) -> PackState {
        match self.read_verified() {
            Ok(Some(bytes)) => PackState::Ready {
                size_bytes: bytes.len() as u64,
            },
            Ok(None) | Err(Verdict::Missing) => PackState::Missing,
            Err(Verdict::Outdated) => PackState::Outdated,
            Err(Verdict::Damaged(why)) => PackState::Damaged(why),
        }
    }

    /// Whether the cache seems to hold a pack for this lambdesk: its manifest matches and
    /// the artefact has the recorded size. Cheap (no hashing), for the console to say
    /// "prepares on first use"; `ensure` still verifies the checksum before trusting it.
    pub fn looks_ready(&self) -> bool {
        self.read_manifest().is_ok_and(|manifest| {
            manifest.recipe == self.language.recipe()
                && std::fs::metadata(self.artefact_path())
                    .is_ok_and(|metadata| metadata.len() == manifest.size_bytes)
        })
    }

    /// The artefact's bytes, prepared first when the cache lacks them or they cannot be
    /// trusted. Blocking: runs the registry's tools.
    pub fn ensure(&self, progress: &PackProgress) -> Result<Vec<u8>, PackError> {
        if let Ok(Some(bytes)) = self.read_verified() {
            return Ok(bytes);
        }
        let _lock = self.lock()?;
        // Another process (or environment) may have prepared it while this one waited.
        if let Ok(Some(bytes)) = self.read_verified() {
            return Ok(bytes);
        }
        let result = self.prepare(progress);
        progress.end();
        result
    }

    /// Prepares the pack again, whatever the cache holds.
    pub fn install(&self, progress: &PackProgress) -> Result<Vec<u8>, PackError> {
        let _lock = self.lock()?;
        let result = self.prepare(progress);
        progress.end();
        result
    }

    pub(super) fn failed(&self, step: &'static str, detail: impl std::fmt::Display) -> PackError {
        PackError::Failed {
            language: self.language.display_name(),
            step,
            detail: detail.to_string(),
        }
    }

    /// Holds the pack's lock file: one preparation at a time per machine (two consoles,
    /// `serve` and a console, parallel tests); the others wait, then use its result.
    fn lock(&self) -> Result<std::fs::File, PackError> {
        std::fs::create_dir_all(&self.root)
            .map_err(|error| self.failed("locking the cache", error))?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join(format!("{}.lock", self.language.id())))
            .map_err(|error| self.failed("locking the cache", error))?;
        file.lock()
            .map_err(|error| self.failed("locking the cache", error))?;
        Ok(file)
    }

    /// Builds the artefact in a folder of its own, then moves it in place whole.
    fn prepare(&self, progress: &PackProgress) -> Result<Vec<u8>, PackError> {
        let building = self.root.join(format!(
            "{}.building-{}",
            self.language.id(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&building);
        std::fs::create_dir_all(&building)
            .map_err(|error| self.failed("creating a folder", error))?;
        let built = match self.language {
            PackLanguage::Python => python_pack::build(self, &building, progress),
            PackLanguage::Ruby => ruby_pack::build(self, &building, progress),
        };
        let result = built.and_then(|artefact| self.finish(&building, &artefact));
        let _ = std::fs::remove_dir_all(&building);
        result
    }

    fn finish(&self, building: &Path, artefact: &Path) -> Result<Vec<u8>, PackError> {
        let bytes = std::fs::read(artefact)
            .map_err(|error| self.failed("reading what was built", error))?;
        let manifest = Manifest {
            recipe: self.language.recipe(),
            sha256: sha256_hex(&bytes),
            size_bytes: bytes.len() as u64,
        };
        let manifest_json = serde_json::to_vec_pretty(&manifest)
            .map_err(|error| self.failed("writing the manifest", error))?;
        let ready = building.join("ready");
        std::fs::create_dir_all(&ready).map_err(|error| self.failed("creating a folder", error))?;
        std::fs::rename(artefact, ready.join(ARTEFACT_FILE))
            .map_err(|error| self.failed("moving what was built", error))?;
        write_atomically(&ready.join(MANIFEST_FILE), &manifest_json)
            .map_err(|error| self.failed("writing the manifest", error))?;
        // The old pack (damaged or outdated) goes; the new one takes its place whole.
        let _ = std::fs::remove_dir_all(self.dir());
        std::fs::rename(&ready, self.dir())
            .map_err(|error| self.failed("moving the pack in place", error))?;
        Ok(bytes)
    }

    fn read_manifest(&self) -> Result<Manifest, Verdict> {
        let bytes = std::fs::read(self.dir().join(MANIFEST_FILE)).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                Verdict::Missing
            } else {
                Verdict::Damaged(error.to_string())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map_err(|error| Verdict::Damaged(format!("its manifest is unreadable: {error}")))
    }

    /// The artefact if the cache holds a trustworthy one for this lambdesk; `Ok(None)`
    /// when there is none.
    fn read_verified(&self) -> Result<Option<Vec<u8>>, Verdict> {
        let manifest = match self.read_manifest() {
            Ok(manifest) => manifest,
            Err(Verdict::Missing) if self.artefact_path().exists() => {
                return Err(Verdict::Damaged("its manifest is missing".to_owned()));
            }
            Err(Verdict::Missing) => return Ok(None),
            Err(verdict) => return Err(verdict),
        };
        if manifest.recipe != self.language.recipe() {
            return Err(Verdict::Outdated);
        }
        let bytes = std::fs::read(self.artefact_path())
            .map_err(|error| Verdict::Damaged(format!("its runtime: {error}")))?;
        if sha256_hex(&bytes) != manifest.sha256 {
            return Err(Verdict::Damaged(format!(
                "its runtime's checksum does not match the manifest ({} bytes, {} expected)",
                bytes.len(),
                manifest.size_bytes
            )));
        }
        Ok(Some(bytes))
    }
}

enum Verdict {
    Missing,
    Damaged(String),
    Outdated,
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The last lines a failing tool printed (its error, not its whole log).
pub(super) fn tail_of(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(6)..].join("\n")
}
