//! lambdesk's Java runtime client (`runtimes/java`: Lambda's `com.amazonaws.services.lambda
//! .runtime` interfaces and the `dev.lambdesk.runtime` client), embedded in the binary so an
//! installed lambdesk has it, compiled by the user's javac on first use into
//! `<cache>/lambdesk/runtimes/java/<digest>/classes`. The digest covers the sources and the
//! javac, so another lambdesk or JDK compiles its own; a folder there is complete (it is
//! moved in place whole), and a lock file makes two processes compile it once.
//!
//! Beside the classes: `client.jar` (the same classes; class data sharing only archives
//! classes from jars) and `client.jsa`, a dynamic class data sharing archive made by a
//! rehearsal (`dev.lambdesk.runtime.Training`) of an environment's work: the JDK's and the
//! client's classes it loads, mapped by every Java function's JVM (a quarter off Init).
//! Either is optional: without the `jar` tool or if the rehearsal fails, the JVM loads the
//! classes folder as it is.

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
    /// The classes as a jar, when the JDK's `jar` made one: the JVM's classpath then.
    pub jar: Option<PathBuf>,
    /// The class data sharing archive of the rehearsal, when there is one.
    pub shared_archive: Option<PathBuf>,
}

/// The flags the rehearsal runs with: an archive is used only by a JVM started alike.
pub const TRAINING_FLAGS: [&str; 3] = [
    "-XX:+TieredCompilation",
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
];

impl RuntimeClient {
    fn in_folder(folder: &Path, digest: String) -> Self {
        let jar = folder.join("client.jar");
        let shared_archive = folder.join("client.jsa");
        Self {
            classes_dir: folder.join("classes"),
            digest,
            jar: jar.is_file().then_some(jar),
            shared_archive: shared_archive.is_file().then_some(shared_archive),
        }
    }

    /// The JVM's classpath for the client: the jar, else the classes folder.
    pub fn classpath(&self) -> &Path {
        self.jar.as_deref().unwrap_or(&self.classes_dir)
    }
}

/// The client compiled for `jdk` under `runtimes_dir`, compiling it first if needed.
pub fn ensure(runtimes_dir: &Path, jdk: &Jdk) -> Result<RuntimeClient, BuildError> {
    let digest = digest(jdk);
    let folder = runtimes_dir.join("java").join(&digest);
    if folder.join("classes").is_dir() {
        return Ok(RuntimeClient::in_folder(&folder, digest));
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
    if folder.join("classes").is_dir() {
        return Ok(RuntimeClient::in_folder(&folder, digest));
    }
    let building = runtimes_dir
        .join("java")
        .join(format!("{digest}.building-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&building);
    let compiled = compile(jdk, &building).and_then(|()| {
        make_jar(jdk, &building);
        std::fs::rename(&building, &folder).map_err(io_error(format!(
            "cannot move the Java runtime client into {}",
            folder.display()
        )))
    });
    if compiled.is_err() {
        let _ = std::fs::remove_dir_all(&building);
        return compiled.map(|()| RuntimeClient::in_folder(&folder, digest));
    }
    // After the move: the archive records the jar's path, which must be where it stays.
    rehearse(jdk, &folder);
    Ok(RuntimeClient::in_folder(&folder, digest))
}

/// `client.jar` beside the classes; left out if the JDK's `jar` fails (the client then
/// runs from its classes folder, only slower to start).
fn make_jar(jdk: &Jdk, building: &Path) {
    let jar = building.join("client.jar");
    let jarred = Command::new(jdk.javac.with_file_name("jar"))
        .args(["--create", "--file"])
        .arg(&jar)
        .arg("-C")
        .arg(building.join("classes"))
        .arg(".")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !jarred {
        let _ = std::fs::remove_file(&jar);
    }
}

/// Runs the rehearsal into `client.jsa` (written aside, then renamed: a JVM starting
/// meanwhile sees a whole archive or none).
fn rehearse(jdk: &Jdk, folder: &Path) {
    let jar = folder.join("client.jar");
    if !jar.is_file() {
        return;
    }
    let partial = folder.join(format!("client.jsa.partial-{}", std::process::id()));
    let rehearsed = Command::new(&jdk.java)
        .args(TRAINING_FLAGS)
        .arg(format!("-XX:ArchiveClassesAtExit={}", partial.display()))
        .arg("-cp")
        .arg(&jar)
        .arg("dev.lambdesk.runtime.Training")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !(rehearsed
        && partial.is_file()
        && std::fs::rename(&partial, folder.join("client.jsa")).is_ok())
    {
        let _ = std::fs::remove_file(&partial);
    }
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
