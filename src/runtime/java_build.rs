//! `runtime = "java"`: the function's code made ready for a JVM running lambdesk's Java
//! runtime client (`runtimes/java`), and how to start that JVM as an execution environment.
//!
//! The code is the function's sources (`src/main/java/**` in Maven's layout, else
//! `src/**`), compiled by the user's javac against the client's Lambda interfaces into a
//! folder of the function's own in the user's cache, keyed by a fingerprint of the sources
//! (unchanged code is not compiled again); and/or what Lambda's deployment package holds:
//! classes at the folder's top and jars (`*.jar`, `lib/*.jar`). Compile errors are
//! [`BuildDiagnostic`]s, as Rust's and Go's are.
//!
//! [`BuildDiagnostic`]: crate::model::BuildDiagnostic

mod javac_messages;
mod runtime_client;
mod toolchain;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::time::Instant;

use sha2::{Digest as _, Sha256};

use super::build_cancel::{WatchedChild, in_own_process_group};
use super::function_build::{
    BuildError, BuildReport, FunctionBuilder, building, cache_folder, failure, folder_digest,
    io_error,
};
use super::language_pack::LanguagePack;
use crate::model::{BuildProgress, DiagnosticLevel, Function};

pub use runtime_client::{MAIN_CLASS, RuntimeClient};
pub use toolchain::{JAVA_HOME_VAR, Jdk};

/// Lambda's oldest Java runtime still offered is java17; the client needs 17 too.
pub const MIN_JAVA_VERSION: u32 = 17;
/// Overrides the folder of compiled functions (tests use their own).
pub const JAVA_BUILD_DIR_VAR: &str = "LAMBDESK_JAVA_BUILD_DIR";
/// The system property the client reads the function's classpath from.
const CLASSPATH_PROPERTY: &str = "lambdesk.function.classpath";
/// Deep enough for any package hierarchy; stops a symlink loop.
const MAX_SOURCE_DEPTH: usize = 24;
/// Share of the function's memory the JVM's heap may take; the rest is the JVM's own
/// (metaspace, code cache, thread stacks), as Lambda sizes its Java runtimes' heap.
const HEAP_PERCENT_OF_MEMORY: u64 = 85;
/// The JVM's own writable memory beside the heap, allowed on top of the function's
/// memory (a JDK 17 hello world maps about 40 MB of it).
const JVM_OVERHEAD_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct JavaBuildOptions {
    /// Holds each function's compiled classes.
    pub build_dir: PathBuf,
    /// Holds the compiled runtime client (`<runtimes_dir>/java/<digest>`), beside the
    /// language packs.
    pub runtimes_dir: PathBuf,
    /// The JDK's home; `None` finds `java` and `javac` on the PATH.
    pub java_home: Option<PathBuf>,
}

impl Default for JavaBuildOptions {
    /// `<cache>/lambdesk/java-build`, `<cache>/lambdesk/runtimes` and the JDK of
    /// `LAMBDESK_JAVA_HOME` or `JAVA_HOME`, unless the variables say otherwise.
    fn default() -> Self {
        Self {
            build_dir: cache_folder(JAVA_BUILD_DIR_VAR, "java-build"),
            runtimes_dir: LanguagePack::default_root(),
            java_home: toolchain::configured_home(),
        }
    }
}

/// How to start a Java function's execution environment: the process the Runtime API
/// machinery spawns (with Lambda's variables, `AWS_LAMBDA_RUNTIME_API` among them, added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaLaunch {
    /// The JDK's `java`.
    pub program: PathBuf,
    /// JVM flags, the client's classpath and main class, then the handler (as Lambda's
    /// Java bootstrap passes `_HANDLER`).
    pub args: Vec<String>,
    /// `LAMBDA_TASK_ROOT`: the function's folder.
    pub working_dir: PathBuf,
    /// What the process's private writable memory (`RLIMIT_DATA`) may reach: the
    /// function's memory, plus what the JVM maps writable beside its heap (class data
    /// sharing's archive, code cache, metaspace, thread stacks), so that a handler
    /// filling its heap meets Java's `OutOfMemoryError`, as on Lambda, and not the JVM
    /// failing to map its own memory.
    pub data_limit_bytes: u64,
}

/// What the function's code is once ready.
#[derive(Debug, Clone, PartialEq)]
pub struct JavaCode {
    /// Where the function's classes load from, in order.
    pub classpath: Vec<PathBuf>,
    /// The compilation this needed; `None` when the sources were compiled before (or
    /// there are none).
    pub build: Option<BuildReport>,
}

/// Compiles Java functions and says how to start them.
#[derive(Debug)]
pub struct JavaBuilder {
    options: JavaBuildOptions,
}

impl JavaBuilder {
    pub fn new(options: JavaBuildOptions) -> Self {
        Self { options }
    }

    /// The JDK, found and at least Java 17: the message to show when not.
    pub fn check_toolchain(&self) -> Result<Jdk, BuildError> {
        toolchain::find(self.options.java_home.as_deref())
    }

    /// The runtime client, compiled on first use.
    pub fn runtime_client(&self) -> Result<RuntimeClient, BuildError> {
        let jdk = self.check_toolchain()?;
        runtime_client::ensure(&self.options.runtimes_dir, &jdk)
    }

    /// Makes the function's code ready: compiles its sources unless this exact code was
    /// compiled before.
    pub fn build(&self, function: &Function) -> Result<JavaCode, BuildError> {
        self.build_with(function, false)
    }

    /// `force` compiles the sources even if this exact code was compiled before (the
    /// console's Build: its warnings are shown again).
    fn build_with(&self, function: &Function, force: bool) -> Result<JavaCode, BuildError> {
        let jdk = self.check_toolchain()?;
        let client = runtime_client::ensure(&self.options.runtimes_dir, &jdk)?;
        let layout = Layout::of(&function.dir);
        if layout.sources.is_empty() && layout.jars.is_empty() && !layout.has_top_classes {
            return Err(BuildError::NoJavaCode {
                folder: function.dir.clone(),
            });
        }
        let mut classpath = Vec::new();
        let mut build = None;
        if !layout.sources.is_empty() {
            let fingerprint = layout.fingerprint(&jdk, &client)?;
            let function_dir = self.function_build_dir(function);
            let classes = function_dir.join(format!("classes-{fingerprint}"));
            if force || !classes.is_dir() {
                build = Some(self.compile(function, &jdk, &client, &layout, &classes)?);
            }
            classpath.push(classes);
        }
        if let Some(resources) = layout.resources.clone() {
            classpath.push(resources);
        }
        // Lambda's task root is on the classpath: classes and resources at the top.
        classpath.push(function.dir.clone());
        classpath.extend(layout.jars.iter().cloned());
        Ok(JavaCode { classpath, build })
    }

    /// The code made ready, and the process that runs it as an execution environment.
    pub fn launch(&self, function: &Function) -> Result<(JavaLaunch, JavaCode), BuildError> {
        let jdk = self.check_toolchain()?;
        let client = runtime_client::ensure(&self.options.runtimes_dir, &jdk)?;
        let code = self.build(function)?;
        let heap_kb = u64::from(function.config.memory_mb) * 1024 * HEAP_PERCENT_OF_MEMORY / 100;
        let classpath = std::env::join_paths(&code.classpath).map_err(|error| BuildError::Io {
            context: "a classpath entry holds the path separator".to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, error),
        })?;
        // Lambda's Java runtimes start this way: C1 only, the serial collector and class
        // data sharing, for the fastest cold start.
        let mut args: Vec<String> = runtime_client::TRAINING_FLAGS
            .iter()
            .map(|flag| (*flag).to_owned())
            .collect();
        args.push("-Xshare:auto".to_owned());
        if let Some(archive) = &client.shared_archive {
            // The client's own classes and the JDK's it uses, rehearsed once per machine.
            args.push(format!("-XX:SharedArchiveFile={}", archive.display()));
            // An archive the JVM cannot use (its jar touched) is skipped; its warning
            // would otherwise be a line of the function's log.
            args.push("-Xlog:cds=off,cds+dynamic=off".to_owned());
        }
        args.extend([
            format!("-XX:MaxHeapSize={heap_kb}k"),
            // The default initial heap is a 64th of the machine's memory, committed at
            // start: more than a small function's whole memory on a developer's machine.
            format!("-XX:InitialHeapSize={}k", (heap_kb / 4).max(2048)),
            // No hsperfdata file in /tmp per JVM.
            "-XX:-UsePerfData".to_owned(),
            "-Dfile.encoding=UTF-8".to_owned(),
            format!("-D{CLASSPATH_PROPERTY}={}", classpath.to_string_lossy()),
            "-cp".to_owned(),
            client.classpath().to_string_lossy().into_owned(),
            MAIN_CLASS.to_owned(),
            function.config.handler.clone(),
        ]);
        Ok((
            JavaLaunch {
                program: jdk.java,
                args,
                working_dir: function.dir.clone(),
                data_limit_bytes: u64::from(function.config.memory_mb) * 1024 * 1024
                    + JVM_OVERHEAD_BYTES,
            },
            code,
        ))
    }

    /// `<build_dir>/<function>-<digest of its folder>`.
    fn function_build_dir(&self, function: &Function) -> PathBuf {
        let digest: String = folder_digest(&function.dir)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        self.options
            .build_dir
            .join(format!("{}-{digest}", function.name))
    }

    fn compile(
        &self,
        function: &Function,
        jdk: &Jdk,
        client: &RuntimeClient,
        layout: &Layout,
        classes: &Path,
    ) -> Result<BuildReport, BuildError> {
        let _building = building();
        let started = Instant::now();
        let parent = classes.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(io_error(format!("cannot create {}", parent.display())))?;
        let partial = classes.with_extension(format!("partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        std::fs::create_dir_all(&partial)
            .map_err(io_error(format!("cannot create {}", partial.display())))?;
        // The sources in an argument file: a big project's paths exceed a command line.
        let argument_file = partial.with_extension("sources");
        let listed: String = layout
            .sources
            .iter()
            .map(|source| format!("\"{}\"\n", quoted(&function.dir.join(source))))
            .collect();
        std::fs::write(&argument_file, listed).map_err(io_error(format!(
            "cannot write {}",
            argument_file.display()
        )))?;
        let mut compile_classpath = vec![client.classes_dir.clone()];
        compile_classpath.extend(layout.jars.iter().cloned());
        let compile_classpath = std::env::join_paths(&compile_classpath)
            .map_err(|error| BuildError::Javac(error.to_string()))?;
        let mut child = in_own_process_group(&mut Command::new(&jdk.javac))
            .args([
                "-encoding",
                "UTF-8",
                "-g",
                "-parameters",
                "-Xmaxerrs",
                "200",
            ])
            .arg("-cp")
            .arg(&compile_classpath)
            .arg("-d")
            .arg(&partial)
            .arg(format!("@{}", argument_file.display()))
            .current_dir(&function.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => BuildError::JdkMissing {
                    program: jdk.javac.display().to_string(),
                },
                _ => BuildError::Io {
                    context: format!("cannot start {}", jdk.javac.display()),
                    source: error,
                },
            })?;
        let stderr = child.stderr.take();
        let child = WatchedChild::new(&function.name, child);
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            // Read to the end (a killed javac ends it) before waiting, so a full pipe
            // never stalls javac.
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        }
        let finished = child.wait();
        let _ = std::fs::remove_file(&argument_file);
        let status = match finished {
            Ok(Ok(status)) => status,
            Ok(Err(error)) => {
                let _ = std::fs::remove_dir_all(&partial);
                return Err(io_error("javac did not finish")(error));
            }
            Err(_) => {
                let _ = std::fs::remove_dir_all(&partial);
                return Err(BuildError::Cancelled);
            }
        };
        let function_dir = function
            .dir
            .canonicalize()
            .unwrap_or_else(|_| function.dir.clone());
        let (mut diagnostics, other_lines) = javac_messages::parse(&text, &function_dir);
        if function_dir != function.dir {
            // javac names the files as given: the folder as the workspace spells it.
            for diagnostic in &mut diagnostics {
                if let Ok(relative) = diagnostic.file.strip_prefix(&function.dir) {
                    diagnostic.file = relative.to_path_buf();
                }
            }
        }
        if !status.success() {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(failure(diagnostics, || {
                BuildError::Javac(other_lines.join("\n"))
            }));
        }
        if classes.is_dir() {
            // A forced build of code compiled before: the new classes replace the old.
            let _ = std::fs::remove_dir_all(classes);
        }
        match std::fs::rename(&partial, classes) {
            Ok(()) => {}
            // Another build of the same code finished first: its classes are these.
            Err(_) if classes.is_dir() => {
                let _ = std::fs::remove_dir_all(&partial);
            }
            Err(error) => {
                let _ = std::fs::remove_dir_all(&partial);
                return Err(io_error(format!("cannot write {}", classes.display()))(
                    error,
                ));
            }
        }
        remove_other_builds(parent, classes);
        diagnostics.retain(|diagnostic| diagnostic.level == DiagnosticLevel::Warning);
        Ok(BuildReport {
            duration: started.elapsed(),
            diagnostics,
            crates_compiled: layout.sources.len(),
            module_path: classes.to_path_buf(),
        })
    }
}

/// The console's Build button and build-on-save, and `Runtime::build`, as for Rust and
/// Go: the compile errors become the build status's diagnostics (the Problems list and
/// the editor's markers).
impl FunctionBuilder for JavaBuilder {
    /// The classes of the function's sources as they are now (whether compiled yet or
    /// not); the function's folder when it has no sources (jars and classes only).
    fn module_path(&self, function: &Function) -> PathBuf {
        let layout = Layout::of(&function.dir);
        if layout.sources.is_empty() {
            return function.dir.clone();
        }
        let fingerprint = self
            .check_toolchain()
            .and_then(|jdk| {
                let client = runtime_client::ensure(&self.options.runtimes_dir, &jdk)?;
                layout.fingerprint(&jdk, &client)
            })
            .unwrap_or_default();
        self.function_build_dir(function)
            .join(format!("classes-{fingerprint}"))
    }

    fn skipped_entries(&self) -> &[&str] {
        &["target", "build"]
    }

    /// Stale when these exact sources have not been compiled.
    fn is_stale(&self, function: &Function) -> bool {
        !self.module_path(function).is_dir()
    }

    fn build(
        &self,
        function: &Function,
        on_progress: &mut dyn FnMut(BuildProgress),
    ) -> Result<BuildReport, BuildError> {
        let started = Instant::now();
        on_progress(BuildProgress::default());
        let code = self.build_with(function, true)?;
        Ok(code.build.unwrap_or_else(|| BuildReport {
            duration: started.elapsed(),
            diagnostics: Vec::new(),
            crates_compiled: 0,
            module_path: function.dir.clone(),
        }))
    }
}

/// A path inside a javac argument file's double quotes.
fn quoted(path: &Path) -> String {
    path.to_string_lossy()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// Earlier compilations of the function: only the newest is run.
fn remove_other_builds(parent: &Path, kept: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let is_classes = entry.file_name().to_string_lossy().starts_with("classes-");
        if is_classes && path != kept && !path.to_string_lossy().contains(".partial-") {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Where a function's Java code is.
#[derive(Debug, Default)]
struct Layout {
    /// The function's folder.
    dir: PathBuf,
    /// Sources relative to the function's folder, sorted.
    sources: Vec<PathBuf>,
    /// `src/main/resources`, when there is one.
    resources: Option<PathBuf>,
    /// `*.jar` at the top, then `lib/*.jar`, each sorted.
    jars: Vec<PathBuf>,
    /// `.class` files in the folder's top-level packages (Lambda's zip layout).
    has_top_classes: bool,
}

impl Layout {
    fn of(dir: &Path) -> Self {
        let maven = dir.join("src/main/java");
        let source_root = if maven.is_dir() {
            Some(maven)
        } else {
            Some(dir.join("src")).filter(|src| src.is_dir())
        };
        let mut sources = Vec::new();
        if let Some(root) = &source_root {
            collect_files(root, "java", 0, &mut sources);
        }
        let mut sources: Vec<PathBuf> = sources
            .into_iter()
            .filter_map(|path| path.strip_prefix(dir).ok().map(Path::to_path_buf))
            .collect();
        sources.sort();
        let mut jars = jars_in(dir);
        jars.extend(jars_in(&dir.join("lib")));
        let mut top_classes = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                let skipped = ["src", "lib", "target", "build", "events", "node_modules"]
                    .iter()
                    .any(|skipped| name == *skipped);
                if !skipped && entry.path().is_dir() {
                    collect_files(
                        &entry.path(),
                        "class",
                        MAX_SOURCE_DEPTH - 4,
                        &mut top_classes,
                    );
                } else if entry.path().extension().is_some_and(|ext| ext == "class") {
                    top_classes.push(entry.path());
                }
            }
        }
        Self {
            dir: dir.to_path_buf(),
            sources,
            resources: Some(dir.join("src/main/resources")).filter(|dir| dir.is_dir()),
            jars,
            has_top_classes: !top_classes.is_empty(),
        }
    }

    /// Of everything a compilation reads: the sources, the jars it compiles against,
    /// the client's interfaces and the javac.
    fn fingerprint(&self, jdk: &Jdk, client: &RuntimeClient) -> Result<String, BuildError> {
        let mut hasher = Sha256::new();
        hasher.update(jdk.version_text.as_bytes());
        hasher.update(client.digest.as_bytes());
        for source in &self.sources {
            hasher.update(source.as_os_str().as_encoded_bytes());
            hasher.update([0]);
            let bytes = std::fs::read(self.dir.join(source))
                .map_err(io_error(format!("cannot read {}", source.display())))?;
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        for jar in &self.jars {
            hasher.update(jar.as_os_str().as_encoded_bytes());
            if let Ok(metadata) = std::fs::metadata(jar) {
                hasher.update(metadata.len().to_le_bytes());
                if let Ok(modified) = metadata.modified()
                    && let Ok(since) = modified.duration_since(std::time::UNIX_EPOCH)
                {
                    hasher.update(since.as_nanos().to_le_bytes());
                }
            }
        }
        Ok(hasher.finalize()[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect())
    }
}

fn jars_in(dir: &Path) -> Vec<PathBuf> {
    let mut jars: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "jar"))
        .collect();
    jars.sort();
    jars
}

fn collect_files(dir: &Path, extension: &str, depth: usize, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_SOURCE_DEPTH {
                collect_files(&path, extension, depth + 1, found);
            }
        } else if path.extension().is_some_and(|ext| ext == extension) {
            found.push(path);
        }
    }
}
