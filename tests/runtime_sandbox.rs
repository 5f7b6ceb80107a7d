//! What a function sees inside the sandbox, and how modules are loaded and reused.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, command_module, invoke, writes_stdout};
use lambdesk::model::{BucketAccess, FunctionConfig, Outcome, Runtime as Language};
use lambdesk::runtime::{InvokeError, ModuleOrigin};

const ECHO_WAT: &str = include_str!("../assets/sample/echo/main.wat");

#[tokio::test]
async fn echo_returns_the_event_and_logs_its_line() {
    let test = TestWorkspace::new();
    let function = test.add_wat("echo", ECHO_WAT, |_| {});
    let runtime = test.runtime();
    let event = r#"{"key1":"value1","nested":{"list":[1,2,3]}}"#;
    let record = invoke(&test, &runtime, &function, event).await.unwrap();
    assert_eq!(
        record.outcome,
        Outcome::Success(serde_json::from_str(event).unwrap())
    );
    assert_eq!(record.log_lines, vec!["echo: returning the event"]);
    assert_eq!(record.request_id.len(), 36);
    assert_eq!(
        uuid::Uuid::parse_str(&record.request_id)
            .unwrap()
            .get_version_num(),
        4
    );
}

#[tokio::test]
async fn echo_handles_an_event_larger_than_its_buffer() {
    let test = TestWorkspace::new();
    let function = test.add_wat("echo", ECHO_WAT, |_| {});
    let runtime = test.runtime();
    let event = serde_json::json!({ "text": "x".repeat(300_000) }).to_string();
    let record = invoke(&test, &runtime, &function, &event).await.unwrap();
    assert_eq!(record.payload().to_string(), event);
}

#[tokio::test]
async fn the_first_invocation_is_a_cold_start_and_later_ones_are_warm() {
    let test = TestWorkspace::new();
    let function = test.add_wat("echo", ECHO_WAT, |_| {});
    let runtime = test.runtime();
    let cold = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let warm = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(cold.init_duration_ms.is_some_and(|ms| ms > 0.0));
    assert_eq!(warm.init_duration_ms, None);
    // On a cold start the Init phase is billed too.
    let cold_total = cold.duration_ms + cold.init_duration_ms.unwrap();
    assert_eq!(cold.billed_duration_ms, (cold_total.ceil() as u64).max(1));
    assert_eq!(
        warm.billed_duration_ms,
        (warm.duration_ms.ceil() as u64).max(1)
    );
    // Both ran in the same execution environment, so they share a log stream.
    assert_eq!(cold.log_stream, warm.log_stream);
    assert!(cold.log_stream.contains("/[$LATEST]"));
}

#[tokio::test]
async fn a_second_runtime_loads_the_module_from_the_disk_cache() {
    let test = TestWorkspace::new();
    let function = test.add_wat("echo", ECHO_WAT, |_| {});
    let first = test
        .runtime_with_own_cache()
        .prepare(&function)
        .await
        .unwrap();
    assert_eq!(first.origin, ModuleOrigin::Compiled);
    // A new runtime is what a second process start has: nothing in memory.
    let second = test
        .runtime_with_own_cache()
        .prepare(&function)
        .await
        .unwrap();
    assert_eq!(second.origin, ModuleOrigin::DiskCache);
    assert!(!second.reused);
    let entries = std::fs::read_dir(test.cache_dir()).unwrap().count();
    assert_eq!(entries, 1);
}

#[tokio::test]
async fn a_corrupt_cache_entry_is_recompiled() {
    let test = TestWorkspace::new();
    let function = test.add_wat("echo", ECHO_WAT, |_| {});
    test.runtime_with_own_cache()
        .prepare(&function)
        .await
        .unwrap();
    for entry in std::fs::read_dir(test.cache_dir()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let runtime = test.runtime_with_own_cache();
    assert_eq!(
        runtime.prepare(&function).await.unwrap().origin,
        ModuleOrigin::Compiled
    );
    assert!(
        invoke(&test, &runtime, &function, "{}")
            .await
            .unwrap()
            .is_success()
    );
}

#[tokio::test]
async fn changed_code_is_picked_up_by_the_next_invocation() {
    let test = TestWorkspace::new();
    let function = test.add_wat("answer", &writes_stdout("1"), |_| {});
    let runtime = test.runtime();
    let before = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(before.outcome, Outcome::Success(serde_json::json!(1)));
    // A different length guarantees a different fingerprint even within one mtime tick.
    std::fs::write(function.code_path(), writes_stdout("22")).unwrap();
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(after.outcome, Outcome::Success(serde_json::json!(22)));
    assert!(
        after.init_duration_ms.is_some(),
        "new code means a new environment"
    );
    assert_ne!(before.log_stream, after.log_stream);
}

/// Copies the guest's environment (`K=V\0…`) to stderr, one variable per line.
fn environment_dump() -> String {
    let body = r#"(local $i i32) (local $end i32)
    (drop (call $environ_sizes_get (i32.const 0) (i32.const 4)))
    ;; pointers at 1024, strings at 8192
    (drop (call $environ_get (i32.const 1024) (i32.const 8192)))
    (local.set $end (i32.add (i32.const 8192) (i32.load (i32.const 4))))
    (local.set $i (i32.const 8192))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (if (i32.eqz (i32.load8_u (local.get $i)))
        (then (i32.store8 (local.get $i) (i32.const 10))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $write (i32.const 2) (i32.const 8192) (i32.sub (local.get $end) (i32.const 8192)))"#;
    command_module(body, "")
}

#[tokio::test]
async fn the_function_sees_lambdas_variables_and_its_own_but_not_the_hosts() {
    let test = TestWorkspace::new();
    let function = test.add_wat("env", &environment_dump(), |config| {
        config.memory_mb = 256;
        config.environment.insert("TABLE".into(), "orders".into());
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(record.is_success(), "{:?}", record.error());
    let lines = &record.log_lines;
    for expected in [
        "AWS_LAMBDA_FUNCTION_NAME=env",
        "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
        "AWS_REGION=us-east-1",
        "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/env",
        "_HANDLER=main.wat",
        "TABLE=orders",
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "missing {expected} in {lines:?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|line| line == &format!("AWS_LAMBDA_LOG_STREAM_NAME={}", record.log_stream))
    );
    for host_only in ["PATH=", "HOME=", "CARGO", "USER="] {
        assert!(
            !lines.iter().any(|line| line.starts_with(host_only)),
            "the host's {host_only} leaked into {lines:?}"
        );
    }
}

/// Answers the guest paths of the preopened folders, in descriptor order, as one string.
fn preopen_probe() -> String {
    r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $fd i32)
    (local $out i32)
    (local $len i32)
    (local.set $fd (i32.const 3))
    (local.set $out (i32.const 1025))
    (i32.store8 (i32.const 1024) (i32.const 34))
    (block $done (loop $next
      (br_if $done (call $fd_prestat_get (local.get $fd) (i32.const 64)))
      (local.set $len (i32.load (i32.const 68)))
      (drop (call $fd_prestat_dir_name (local.get $fd) (local.get $out) (local.get $len)))
      (local.set $out (i32.add (local.get $out) (local.get $len)))
      (i32.store8 (local.get $out) (i32.const 32))
      (local.set $out (i32.add (local.get $out) (i32.const 1)))
      (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
      (br $next)))
    (i32.store8 (local.get $out) (i32.const 34))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.sub (i32.add (local.get $out) (i32.const 1)) (i32.const 1024)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#
    .to_owned()
}

/// No host folder but the function's own (empty) `/tmp`, as on Lambda, unless a bucket
/// is granted.
#[tokio::test]
async fn no_host_files_unless_a_bucket_is_granted() {
    let test = TestWorkspace::new();
    let runtime = test.runtime();
    let closed = test.add_wat("closed", &preopen_probe(), |_| {});
    let record = invoke(&test, &runtime, &closed, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(serde_json::json!("/tmp ")));

    let granted = test.add_wat("granted", &preopen_probe(), |config| {
        config
            .permissions
            .buckets
            .insert("photos".into(), BucketAccess::Read);
    });
    let record = invoke(&test, &runtime, &granted, "{}").await.unwrap();
    assert_eq!(
        record.outcome,
        Outcome::Success(serde_json::json!("/buckets/photos /tmp "))
    );
    assert!(test.workspace.buckets_dir().join("photos").is_dir());
}

#[tokio::test]
async fn concurrent_invocations_each_get_their_own_instance() {
    let test = TestWorkspace::new();
    let function = test.add_wat("echo", ECHO_WAT, |_| {});
    let runtime = test.runtime();
    let events: Vec<String> = (0..20).map(|n| format!("{{\"n\":{n}}}")).collect();
    let records = futures::future::join_all(
        events
            .iter()
            .map(|event| invoke(&test, &runtime, &function, event)),
    )
    .await;
    for (event, record) in events.iter().zip(records) {
        assert_eq!(record.unwrap().payload().to_string(), *event);
    }
}

fn wasm_function(test: &TestWorkspace, name: &str, wasm: &[u8]) -> lambdesk::model::Function {
    let config = FunctionConfig::new(Language::Wasm, "main.wasm");
    test.workspace
        .create_function(name, &config, &[("main.wasm", wasm)])
        .unwrap()
}

#[tokio::test]
async fn a_prebuilt_wasm_module_runs() {
    let test = TestWorkspace::new();
    let wasm = wat::parse_str(writes_stdout("[1,2]")).unwrap();
    let function = wasm_function(&test, "prebuilt", &wasm);
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(serde_json::json!([1, 2])));
}

#[tokio::test]
async fn a_component_or_a_damaged_module_is_refused_with_a_clear_error() {
    let test = TestWorkspace::new();
    let runtime = test.runtime();
    // The header of a WebAssembly component (layer 1) rather than a core module.
    let component = wasm_function(&test, "component", b"\0asm\x0d\x00\x01\x00");
    let error = invoke(&test, &runtime, &component, "{}").await.unwrap_err();
    assert!(error.to_string().contains("component"), "{error}");

    let mut truncated = wat::parse_str(writes_stdout("1")).unwrap();
    truncated.truncate(truncated.len() - 5);
    let damaged = wasm_function(&test, "damaged", &truncated);
    let error = invoke(&test, &runtime, &damaged, "{}").await.unwrap_err();
    assert!(matches!(error, InvokeError::Load { .. }), "{error}");
    assert!(
        error.to_string().contains("not a valid WebAssembly module"),
        "{error}"
    );
}

/// A WAT or wasm handler that is a symlink out of the function's folder is refused by name,
/// when the function is loaded and when code loaded earlier is swapped for such a link;
/// what it points to is never read (its first line would show in the WAT syntax error).
#[tokio::test]
async fn a_handler_symlinked_out_of_the_function_folder_is_refused_unread() {
    let test = TestWorkspace::new();
    let runtime = test.runtime();
    let secret = test.dir.path().join("passwd");
    std::fs::write(&secret, "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    for (name, language, handler) in [
        ("text", Language::Wat, "main.wat"),
        ("binary", Language::Wasm, "main.wasm"),
    ] {
        let config = FunctionConfig::new(language, handler);
        let module = wat::parse_str(writes_stdout("1")).unwrap();
        let function = test
            .workspace
            .create_function(name, &config, &[(handler, &module)])
            .unwrap();
        let code = function.code_path();
        std::fs::remove_file(&code).unwrap();
        std::os::unix::fs::symlink(&secret, &code).unwrap();
        let expected = format!("handler `{handler}` resolves outside the function's folder");

        let error = invoke(&test, &runtime, &function, "{}").await.unwrap_err();
        assert!(matches!(error, InvokeError::Load { .. }), "{error}");
        assert!(error.to_string().ends_with(&expected), "{error}");
        assert!(!error.to_string().contains("root:"), "{error}");

        let error = test.workspace.function(name).unwrap_err().to_string();
        assert!(error.contains(&expected), "{error}");
        assert!(!error.contains("root:"), "{error}");
    }
}

#[tokio::test]
async fn a_handler_symlinked_to_a_file_inside_the_folder_runs() {
    let test = TestWorkspace::new();
    let function = test.add_wat("linked", ECHO_WAT, |_| {});
    std::fs::create_dir(function.dir.join("src")).unwrap();
    std::fs::rename(function.code_path(), function.dir.join("src/echo.wat")).unwrap();
    std::os::unix::fs::symlink("src/echo.wat", function.code_path()).unwrap();
    let function = test.workspace.function("linked").unwrap();
    let record = invoke(&test, &test.runtime(), &function, "{\"a\":1}")
        .await
        .unwrap();
    assert_eq!(record.payload().to_string(), "{\"a\":1}");
}
