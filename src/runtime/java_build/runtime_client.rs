//! lambdesk's Java runtime client (`runtimes/java`: Lambda's `com.amazonaws.services.lambda
//! .runtime` interfaces and the `dev.lambdesk.runtime` client), embedded in the binary so an
//! installed lambdesk has it, compiled by the user's javac on first use into
//! `<cache>/lambdesk/runtimes/java/<digest>/classes`. The digest covers the sources and the
//! javac, so another lambdesk or JDK compiles its own; a folder there is complete (it is
//! moved in place whole), and a lock file makes two processes compile it once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use include_dir::{Dir, DirEntry, include_dir};
use sha2::{Digest as _, Sha256};

use super::super::function_build::{BuildError, io_error};
use super::toolchain::Jdk;

static SOURCES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/runtimes/java");

/// The client's entry point.
pub const MAIN_CLASS: &str = "dev.lambdesk.runtime.Main";

/// The compiled client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeClient {
    /// The classes of the client and of Lambda's interfaces: the JVM's classpath, and what
    /// a function's code is compiled against.
    pub classes_dir: PathBuf,
    /// Of the sources and the javac: a function compiled against another client is
    /// compiled again.
    pub digest: String,
}

/// The client compiled for `jdk` under `runtimes_dir`, compiling it first if needed.
pub fn ensure(runtimes_dir: &Path, jdk: &Jdk) -> Result<RuntimeClient, BuildError> {
    let digest = digest(jdk);
    let folder = runtimes_dir.join("java").join(&digest);
    let client = RuntimeClient {
        classes_dir: folder.join("classes"),
        digest,
    };
    if client.classes_dir.is_dir() {
        return Ok(client);
    }
    std::fs::create_dir_all(runtimes_dir.join("java")).map_err(io_error(format!(
        "cannot create {}",
        runtimes_dir.display()
    )))?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(runtimes_dir.join("java.lock"))
        .map_err(io_error("cannot lock the Java runtime client's folder"))?;
    lock.lock()
        .map_err(io_error("cannot lock the Java runtime client's folder"))?;
    // Another process may have compiled it while this one waited.
    if client.classes_dir.is_dir() {
        return Ok(client);
    }
    let building = runtimes_dir.join("java").join(format!(
        "{}.building-{}",
        client.digest,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&building);
    let compiled = compile(jdk, &building).and_then(|()| {
        std::fs::rename(&building, &folder).map_err(io_error(format!(
            "cannot move the Java runtime client into {}",
            folder.display()
        )))
    });
    if compiled.is_err() {
        let _ = std::fs::remove_dir_all(&building);
    }
    compiled.map(|()| client)
}

/// Writes the embedded sources under `building/sources` and compiles them into
/// `building/classes`.
fn compile(jdk: &Jdk, building: &Path) -> Result<(), BuildError> {
    let sources_dir = building.join("sources");
    let mut files = Vec::new();
    write_sources(&SOURCES, &sources_dir, &mut files)?;
    let output = Command::new(&jdk.javac)
        .args(["-encoding", "UTF-8", "-g", "-nowarn", "-d"])
        .arg(building.join("classes"))
        .args(&files)
        .stdin(Stdio::null())
        .output()
        .map_err(io_error(format!("cannot start {}", jdk.javac.display())))?;
    if !output.status.success() {
        // The client's own code compiles on every JDK 17+; a failure is the machine's.
        return Err(BuildError::Javac(format!(
            "compiling lambdesk's Java runtime client: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

fn write_sources(dir: &Dir<'_>, root: &Path, files: &mut Vec<PathBuf>) -> Result<(), BuildError> {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(child) => write_sources(child, root, files)?,
            DirEntry::File(file) => {
                let path = root.join(file.path());
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(io_error(format!("cannot create {}", parent.display())))?;
                }
                std::fs::write(&path, file.contents())
                    .map_err(io_error(format!("cannot write {}", path.display())))?;
                if path
                    .extension()
                    .is_some_and(|extension| extension == "java")
                {
                    files.push(path);
                }
            }
        }
    }
    Ok(())
}

/// The first 16 hex digits of the SHA-256 of the sources (path and bytes) and javac's version.
fn digest(jdk: &Jdk) -> String {
    let mut hasher = Sha256::new();
    hasher.update(jdk.version_text.as_bytes());
    let mut files = Vec::new();
    collect(&SOURCES, &mut files);
    files.sort_by_key(|(path, _)| *path);
    for (path, contents) in files {
        hasher.update(path.as_os_str().as_encoded_bytes());
        hasher.update([0]);
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(contents);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn collect<'a>(dir: &'a Dir<'a>, files: &mut Vec<(&'a Path, &'a [u8])>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(child) => collect(child, files),
            DirEntry::File(file) => files.push((file.path(), file.contents())),
        }
    }
}
