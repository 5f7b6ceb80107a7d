//! Helpers shared by the integration tests: temporary workspaces, WAT functions built
//! from small bodies, and a runtime whose module cache lives in the temp folder.
#![allow(dead_code, reason = "each test file uses a different subset")]

pub mod compiled_cli;
pub mod engine;
pub mod node_fixtures;
pub mod runtime_api_standin;
pub mod serve;
pub mod venvs;

use lambdesk::model::{Function, FunctionConfig, InvocationRecord, Runtime as Language, Workspace};
use lambdesk::runtime::{InvokeError, Runtime, RuntimeOptions};

pub struct TestWorkspace {
    pub dir: tempfile::TempDir,
    pub workspace: Workspace,
}

impl TestWorkspace {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let workspace = Workspace::open(&dir.path().join("ws")).expect("workspace");
        Self { dir, workspace }
    }

    /// A workspace whose `lambdesk.toml` is `toml` (queues, topics, …).
    pub fn with_config(toml: &str) -> Self {
        let mut test = Self::new();
        std::fs::write(test.workspace.root().join("lambdesk.toml"), toml).expect("lambdesk.toml");
        test.workspace = Workspace::open(test.workspace.root()).expect("workspace");
        test
    }

    pub fn cache_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("cache")
    }

    /// A runtime whose module cache is shared by all tests: the JS runtime is compiled
    /// once per test run, not once per test.
    pub fn runtime(&self) -> Runtime {
        Runtime::new(RuntimeOptions {
            cache_dir: std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
            rust_build: rust_build_options(),
            go_build: go_build_options(),
            java_build: java_build_options(),
            ..RuntimeOptions::default()
        })
        .expect("runtime")
    }

    /// A runtime with a module cache of this test's own, for tests about the cache.
    pub fn runtime_with_own_cache(&self) -> Runtime {
        Runtime::new(RuntimeOptions {
            cache_dir: self.cache_dir(),
            ..RuntimeOptions::default()
        })
        .expect("runtime")
    }

    /// Creates a WAT function; `configure` adjusts its configuration.
    pub fn add_wat(
        &self,
        name: &str,
        wat: &str,
        configure: impl FnOnce(&mut FunctionConfig),
    ) -> Function {
        let mut config = FunctionConfig::new(Language::Wat, "main.wat");
        configure(&mut config);
        self.workspace
            .create_function(name, &config, &[("main.wat", wat.as_bytes())])
            .expect("create function")
    }
}

/// Rust functions build into one target folder shared by all tests (and the CLI's, via
/// `LAMBDESK_RUST_TARGET_DIR`): serde_json is compiled for wasm once per test run, and
/// never into the user's cache.
pub fn rust_target_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("rust-target")
}

pub fn rust_build_options() -> lambdesk::runtime::RustBuildOptions {
    lambdesk::runtime::RustBuildOptions {
        target_dir: rust_target_dir(),
        cargo_program: "cargo".to_owned(),
        rustc_program: "rustc".to_owned(),
    }
}

/// Whether cargo and the wasm32-wasip1 target are here; if not, says why the calling
/// test is skipped.
pub fn rust_toolchain_ready(test_name: &str) -> bool {
    let sysroot = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    let cargo = std::process::Command::new("cargo")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    let ready = cargo
        && sysroot.is_some_and(|sysroot| {
            std::path::Path::new(&sysroot)
                .join("lib/rustlib/wasm32-wasip1")
                .is_dir()
        });
    if !ready {
        eprintln!(
            "skipping {test_name}: cargo or the wasm32-wasip1 target is missing (rustup target add wasm32-wasip1)"
        );
    }
    ready
}

impl TestWorkspace {
    /// Creates a JS function from `(path, source)` files with handler `handler`.
    pub fn add_js(
        &self,
        name: &str,
        handler: &str,
        files: &[(&str, &str)],
        configure: impl FnOnce(&mut FunctionConfig),
    ) -> Function {
        self.add_function(Language::Js, name, handler, files, configure)
    }

    /// Creates a Python function from `(path, source)` files with handler `handler`.
    pub fn add_python(
        &self,
        name: &str,
        handler: &str,
        files: &[(&str, &str)],
        configure: impl FnOnce(&mut FunctionConfig),
    ) -> Function {
        self.add_function(Language::Python, name, handler, files, configure)
    }

    /// Creates a Ruby function from `(path, source)` files with handler `handler`.
    pub fn add_ruby(
        &self,
        name: &str,
        handler: &str,
        files: &[(&str, &str)],
        configure: impl FnOnce(&mut FunctionConfig),
    ) -> Function {
        self.add_function(Language::Ruby, name, handler, files, configure)
    }

    fn add_function(
        &self,
        language: Language,
        name: &str,
        handler: &str,
        files: &[(&str, &str)],
        configure: impl FnOnce(&mut FunctionConfig),
    ) -> Function {
        let mut config = FunctionConfig::new(language, handler);
        configure(&mut config);
        let files: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(path, source)| (*path, source.as_bytes()))
            .collect();
        self.workspace
            .create_function(name, &config, &files)
            .expect("create function")
    }
}

/// The function's response; a failure fails the test with the error and the log.
pub fn response(record: &InvocationRecord) -> serde_json::Value {
    match &record.outcome {
        lambdesk::model::Outcome::Success(value) => value.clone(),
        lambdesk::model::Outcome::Failure(error) => panic!(
            "the function failed: {error:?}\nlogs: {:#?}",
            record.log_lines
        ),
    }
}

/// The function's error; a success fails the test.
pub fn function_error(record: &InvocationRecord) -> lambdesk::model::FunctionError {
    match &record.outcome {
        lambdesk::model::Outcome::Failure(error) => error.clone(),
        lambdesk::model::Outcome::Success(value) => panic!("expected a failure, got {value}"),
    }
}

pub async fn invoke(
    test: &TestWorkspace,
    runtime: &Runtime,
    function: &Function,
    event: &str,
) -> Result<InvocationRecord, InvokeError> {
    runtime
        .invoke(&test.workspace, function, event.as_bytes())
        .await
}

/// `invoke` with a caller's client context (the Invoke API's `ClientContext`, JSON).
pub async fn invoke_with_client_context(
    test: &TestWorkspace,
    runtime: &Runtime,
    function: &Function,
    event: &str,
    client_context: &str,
) -> Result<InvocationRecord, InvokeError> {
    let options = lambdesk::runtime::InvokeOptions {
        client_context: Some(client_context),
        ..lambdesk::runtime::InvokeOptions::default()
    };
    runtime
        .invoke_with(&test.workspace, function, event.as_bytes(), options)
        .await
}

/// A WASI command module whose `_start` runs `body`. `$write (fd, ptr, len)` writes
/// memory to a file descriptor; memory 0..16 is scratch space; `data` goes at 16.
pub fn command_module(body: &str, data: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{data}")
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    {body}))
"#
    )
}

/// Writes the JSON string `"grown"` after growing memory to at least `pages` pages
/// (64 KiB each); traps with `unreachable` when growth is refused.
pub fn grow_then_answer(pages: u32) -> String {
    command_module(
        &format!(
            r#"(block $done (loop $grow
      (br_if $done (i32.ge_u (memory.size) (i32.const {pages})))
      (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
      (br $grow)))
    (call $write (i32.const 1) (i32.const 16) (i32.const 7))"#
        ),
        r#"\"grown\""#,
    )
}

/// Writes a JSON string of `length` letters: a response of `length + 2` bytes.
pub fn response_of_length(length: u32) -> String {
    let pages = (length + 2) / 65_536 + 2;
    let end = 65_537 + length;
    command_module(
        &format!(
            r#"(drop (memory.grow (i32.const {pages})))
    (i32.store8 (i32.const 65536) (i32.const 34))
    (memory.fill (i32.const 65537) (i32.const 97) (i32.const {length}))
    (i32.store8 (i32.const {end}) (i32.const 34))
    (call $write (i32.const 1) (i32.const 65536) (i32.const {total}))"#,
            total = length + 2
        ),
        "",
    )
}

/// Writes `text` (no quotes or backslashes) to stdout.
pub fn writes_stdout(text: &str) -> String {
    command_module(
        &format!(
            "(call $write (i32.const 1) (i32.const 16) (i32.const {}))",
            text.len()
        ),
        text,
    )
}

pub const INFINITE_LOOP: &str = "(loop $forever (br $forever))";

/// A sample event of `tests/fixtures/aws-events`.
pub fn aws_sample(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/tests/fixtures/aws-events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("sample")).expect("sample JSON")
}

/// Every key of `sample` is in `actual` with the same JSON type, recursively (arrays:
/// their first elements); `skip` lists paths (`.requestContext.authentication`) left out,
/// or their prefixes ending in `*` (`.headers.*`).
pub fn assert_same_shape(
    sample: &serde_json::Value,
    actual: &serde_json::Value,
    path: &str,
    skip: &[&str],
) {
    use serde_json::Value;
    match (sample, actual) {
        (Value::Object(fields), _) => {
            for (key, value) in fields {
                let here = format!("{path}.{key}");
                let skipped = skip.iter().any(|skip| match skip.strip_suffix('*') {
                    Some(prefix) => here.starts_with(prefix),
                    None => *skip == here,
                });
                if skipped {
                    continue;
                }
                let actual_value = actual
                    .get(key)
                    .unwrap_or_else(|| panic!("{here} is missing"));
                assert_eq!(
                    std::mem::discriminant(value),
                    std::mem::discriminant(actual_value),
                    "{here}: {value} vs {actual_value}"
                );
                assert_same_shape(value, actual_value, &here, skip);
            }
        }
        (Value::Array(items), Value::Array(actual_items)) => {
            if let (Some(first), Some(actual_first)) = (items.first(), actual_items.first()) {
                assert_same_shape(first, actual_first, &format!("{path}[0]"), skip);
            }
        }
        _ => {}
    }
}

/// A sink that remembers every invocation triggers started.
#[derive(Default)]
pub struct Recorder(pub std::sync::Mutex<Vec<lambdesk::triggers::FinishedInvocation>>);

impl lambdesk::triggers::InvocationSink for Recorder {
    fn finished(&self, invocation: lambdesk::triggers::FinishedInvocation) {
        self.0.lock().expect("recorder").push(invocation);
    }
}

impl Recorder {
    /// The invocations of `function` that ran (whatever their outcome).
    pub fn runs_of(&self, function: &str) -> Vec<lambdesk::triggers::FinishedInvocation> {
        self.0
            .lock()
            .expect("recorder")
            .iter()
            .filter(|run| run.function == function && run.result.is_ok())
            .cloned()
            .collect()
    }

    /// What could not run or was dropped, as reported.
    pub fn problems(&self) -> Vec<String> {
        self.0
            .lock()
            .expect("recorder")
            .iter()
            .filter_map(|run| run.result.as_ref().err().cloned())
            .collect()
    }
}

/// An enabled queue trigger (an event source mapping) with Lambda's defaults otherwise.
pub fn queue_trigger(
    queue: &str,
    batch_size: u32,
    report_batch_item_failures: bool,
) -> lambdesk::model::Trigger {
    lambdesk::model::Trigger::Queue {
        queue: queue.to_owned(),
        batch_size,
        maximum_batching_window_secs: None,
        report_batch_item_failures,
        maximum_concurrency: None,
        enabled: true,
    }
}

/// Go functions build with one build cache shared by all tests (and the CLI's, via
/// `LAMBDESK_GO_BUILD_DIR`): the standard library is compiled for wasm once per test run,
/// and never into the user's cache.
pub fn go_build_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-build")
}

/// Java functions' classes and the compiled runtime client, under the test run's folder.
pub fn java_build_options() -> lambdesk::runtime::JavaBuildOptions {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("java");
    lambdesk::runtime::JavaBuildOptions {
        build_dir: root.join("build"),
        runtimes_dir: root.join("runtimes"),
        ..lambdesk::runtime::JavaBuildOptions::default()
    }
}

pub fn go_build_options() -> lambdesk::runtime::GoBuildOptions {
    lambdesk::runtime::GoBuildOptions {
        build_dir: go_build_dir(),
        ..lambdesk::runtime::GoBuildOptions::default()
    }
}

/// Whether a Go ≥ 1.24 is here (`go` on the PATH, or `LAMBDESK_GO`); if not, says why the
/// calling test is skipped.
pub fn go_toolchain_ready(test_name: &str) -> bool {
    match lambdesk::runtime::GoBuilder::new(go_build_options()).check_toolchain() {
        Ok(()) => true,
        Err(reason) => {
            eprintln!("skipping {test_name}: {reason}");
            false
        }
    }
}

/// Function `name` made from the embedded blueprint `id`, with 128 MB.
pub fn from_blueprint(test: &TestWorkspace, id: &str, name: &str) -> Function {
    lambdesk::blueprints::find(None, id)
        .expect("blueprint")
        .create_function(&test.workspace, name, 128)
        .expect("create function")
}

/// A shell script `name` in the test's folder, executable, standing in for a program
/// (a toolchain that is too old, say); its path.
pub fn executable_script(test: &TestWorkspace, name: &str, script: &str) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    let path = test.dir.path().join(name);
    std::fs::write(&path, script).expect("script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.display().to_string()
}
