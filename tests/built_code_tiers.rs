//! Winch first, Cranelift behind: a Rust or Go function's new module answers from
//! Winch's code right after a save, Cranelift's code replaces it once compiled in the
//! background, and only Cranelift's code is written to the module cache (a second
//! runtime on the same cache loads it). Skipped without Go ≥ 1.24, or without cargo and
//! the wasm32-wasip1 target, as the other Go and Rust tests are.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{
    TestWorkspace, go_build_options, go_toolchain_ready, invoke, rust_build_options,
    rust_toolchain_ready,
};
use lambdesk::model::{Function, Outcome};
use lambdesk::runtime::{ModuleOrigin, Runtime, RuntimeOptions};
use serde_json::json;

/// A runtime with this test's own module cache (so every module is new to it).
fn runtime(test: &TestWorkspace) -> Runtime {
    Runtime::new(RuntimeOptions {
        cache_dir: test.cache_dir(),
        rust_build: rust_build_options(),
        go_build: go_build_options(),
        ..RuntimeOptions::default()
    })
    .unwrap()
}

/// Replaces `from` with `to` in the function's code file, as a save in the editor does.
fn edit(function: &Function, file: &str, from: &str, to: &str) {
    let path = function.dir.join(file);
    let code = std::fs::read_to_string(&path).unwrap();
    assert!(code.contains(from), "{from:?} is not in {file}");
    std::fs::write(&path, code.replace(from, to)).unwrap();
}

/// Compiled modules in the cache folder.
fn cached_modules(test: &TestWorkspace) -> usize {
    std::fs::read_dir(test.cache_dir())
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".cwasm")
        })
        .count()
}

async fn greeting_of(test: &TestWorkspace, runtime: &Runtime, function: &Function) -> String {
    let record = invoke(test, runtime, function, r#"{"name": "Ada"}"#)
        .await
        .unwrap();
    match record.outcome {
        Outcome::Success(body) => body["message"].as_str().unwrap().to_owned(),
        Outcome::Failure(error) => panic!("{error:?}"),
    }
}

#[tokio::test]
async fn a_rebuilt_go_function_answers_from_winch_then_runs_and_caches_cranelifts_code() {
    if !go_toolchain_ready(
        "a_rebuilt_go_function_answers_from_winch_then_runs_and_caches_cranelifts_code",
    ) {
        return;
    }
    let test = TestWorkspace::new();
    let function = common::from_blueprint(&test, "go-hello", "hello");
    let runtime = runtime(&test);

    let first = runtime.prepare(&function).await.unwrap();
    assert_eq!(
        (first.origin, first.reused),
        (ModuleOrigin::Baseline, false)
    );
    let answer = invoke(&test, &runtime, &function, r#"{"name": "Ada"}"#)
        .await
        .unwrap();
    assert_eq!(
        answer.outcome,
        Outcome::Success(json!({"message": "Hello, Ada!", "count": 1}))
    );

    runtime.finish_background_compiles().await;
    let optimised = runtime.prepare(&function).await.unwrap();
    assert_eq!(
        (optimised.origin, optimised.reused),
        (ModuleOrigin::Compiled, true),
        "Cranelift's module took Winch's place, for the same code"
    );
    let after = invoke(&test, &runtime, &function, r#"{"name": "Ada"}"#)
        .await
        .unwrap();
    assert_eq!(
        after.outcome,
        Outcome::Success(json!({"message": "Hello, Ada!", "count": 1})),
        "Winch's warm environment is retired: a new one runs Cranelift's code"
    );
    assert!(after.init_duration_ms.is_some(), "{after:?}");
    assert_eq!(cached_modules(&test), 1, "Cranelift's code only");

    // Saved twice in a row: the first save's background compile (running, or queued)
    // must not replace the second save's module.
    edit(&function, "main.go", "Hello, %s!", "Hello there, %s!");
    let saved = runtime.prepare(&function).await.unwrap();
    assert_eq!(
        (saved.origin, saved.reused),
        (ModuleOrigin::Baseline, false)
    );
    assert_eq!(
        greeting_of(&test, &runtime, &function).await,
        "Hello there, Ada!"
    );
    edit(
        &function,
        "main.go",
        "Hello there, %s!",
        "Hello again and again, %s!",
    );
    assert_eq!(
        greeting_of(&test, &runtime, &function).await,
        "Hello again and again, Ada!",
        "answered right after the save"
    );
    runtime.finish_background_compiles().await;
    let latest = runtime.prepare(&function).await.unwrap();
    assert_eq!(
        (latest.origin, latest.reused),
        (ModuleOrigin::Compiled, true),
        "the newest code's Cranelift module, not the stale one"
    );
    assert_eq!(
        greeting_of(&test, &runtime, &function).await,
        "Hello again and again, Ada!"
    );
    assert!(cached_modules(&test) <= 3, "no Winch code in the cache");

    let next_process = runtime_on_same_cache(&test);
    let loaded = next_process.prepare(&function).await.unwrap();
    assert_eq!(loaded.origin, ModuleOrigin::DiskCache);
    assert_eq!(
        greeting_of(&test, &next_process, &function).await,
        "Hello again and again, Ada!"
    );
}

fn runtime_on_same_cache(test: &TestWorkspace) -> Runtime {
    runtime(test)
}

#[tokio::test]
async fn a_rebuilt_rust_function_answers_from_winch_then_from_cranelift() {
    if !rust_toolchain_ready("a_rebuilt_rust_function_answers_from_winch_then_from_cranelift") {
        return;
    }
    let test = TestWorkspace::new();
    let function = common::from_blueprint(&test, "rust-hello", "hello");
    let runtime = runtime(&test);
    let first = runtime.prepare(&function).await.unwrap();
    assert_eq!(first.origin, ModuleOrigin::Baseline);
    assert_eq!(greeting_of(&test, &runtime, &function).await, "Hello, Ada!");
    runtime.finish_background_compiles().await;
    assert_eq!(
        runtime.prepare(&function).await.unwrap().origin,
        ModuleOrigin::Compiled
    );
    assert_eq!(greeting_of(&test, &runtime, &function).await, "Hello, Ada!");
    assert_eq!(
        runtime_on_same_cache(&test)
            .prepare(&function)
            .await
            .unwrap()
            .origin,
        ModuleOrigin::DiskCache
    );
}

#[tokio::test]
async fn a_wat_function_is_compiled_by_cranelift_alone() {
    let test = TestWorkspace::new();
    let function = test.add_wat(
        "echo",
        include_str!("../assets/sample/echo/main.wat"),
        |_| {},
    );
    let runtime = runtime(&test);
    let first = runtime.prepare(&function).await.unwrap();
    assert_eq!(first.origin, ModuleOrigin::Compiled);
    runtime.finish_background_compiles().await;
    assert_eq!(
        runtime_on_same_cache(&test)
            .prepare(&function)
            .await
            .unwrap()
            .origin,
        ModuleOrigin::DiskCache
    );
}
