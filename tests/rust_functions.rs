//! `runtime = "rust"`: a function's crate built by cargo for wasm32-wasip1 with the
//! `lambdesk-lambda` guest crate, invoked warm, its compile errors at their file and line,
//! its handler errors as Lambda's error JSON, and a machine without the target told the
//! command to run. The builds share one target folder (see `common::rust_target_dir`),
//! so dependencies compile once per test run; without cargo or the target the tests that
//! build are skipped with the reason.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke, rust_target_dir, rust_toolchain_ready};
use lambdesk::model::{DiagnosticLevel, Function, Outcome};
use lambdesk::runtime::{BuildError, InvokeError, Runtime, RuntimeOptions};
use serde_json::json;

fn rust_hello(test: &TestWorkspace, name: &str) -> Function {
    common::from_blueprint(test, "rust-hello", name)
}

/// Replaces the function's `src/lib.rs`.
fn write_code(function: &Function, code: &str) {
    std::fs::write(function.dir.join("src/lib.rs"), code).unwrap();
}

#[tokio::test]
async fn the_blueprint_builds_then_answers_and_stays_warm() {
    if !rust_toolchain_ready("the_blueprint_builds_then_answers_and_stays_warm") {
        return;
    }
    let test = TestWorkspace::new();
    let function = rust_hello(&test, "hello");
    let runtime = test.runtime();
    let report = runtime.build(&function).await.unwrap();
    assert!(report.module_path.is_file());
    assert!(report.crates_compiled >= 3, "{report:?}");

    let first = invoke(&test, &runtime, &function, r#"{"name": "Ada"}"#)
        .await
        .unwrap();
    assert_eq!(
        first.outcome,
        Outcome::Success(json!({"message": "Hello, Ada!"}))
    );
    assert_eq!(
        first.log_lines,
        [format!("greeting Ada (request {})", first.request_id)]
    );
    assert!(first.init_duration_ms.is_some());
    assert_eq!(first.build_duration_ms, None, "built already");

    let second = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        second.outcome,
        Outcome::Success(json!({"message": "Hello, world!"}))
    );
    assert_eq!(second.init_duration_ms, None, "a warm invocation");
    assert_eq!(second.log_stream, first.log_stream);
    assert_eq!(runtime.idle_environments("hello"), 1);
}

#[tokio::test]
async fn a_saved_change_is_built_before_the_next_invocation_and_its_time_is_not_billed() {
    if !rust_toolchain_ready("a_saved_change_is_built_before_the_next_invocation") {
        return;
    }
    let test = TestWorkspace::new();
    let function = rust_hello(&test, "hello");
    let runtime = test.runtime();
    let first = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(
        first.build_duration_ms.is_some(),
        "never built: built first"
    );

    let code = std::fs::read_to_string(function.dir.join("src/lib.rs")).unwrap();
    write_code(&function, &code.replace("Hello, {name}!", "Hi, {name}!"));
    let after = invoke(&test, &runtime, &function, r#"{"name": "Bo"}"#)
        .await
        .unwrap();
    assert_eq!(
        after.outcome,
        Outcome::Success(json!({"message": "Hi, Bo!"}))
    );
    let build_ms = after.build_duration_ms.unwrap();
    let init_ms = after.init_duration_ms.unwrap();
    assert!(
        (after.billed_duration_ms as f64) < build_ms + init_ms + after.duration_ms,
        "the build is not billed: {after:?}"
    );
}

#[tokio::test]
async fn a_compile_error_fails_the_invocation_at_its_file_and_line() {
    if !rust_toolchain_ready("a_compile_error_fails_the_invocation_at_its_file_and_line") {
        return;
    }
    let test = TestWorkspace::new();
    let function = rust_hello(&test, "broken");
    // Line 5 holds the error.
    write_code(
        &function,
        "use lambdesk_lambda::{Error, LambdaEvent, service_fn};\n\
         use serde_json::Value;\n\
         \n\
         async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {\n\
         \x20   let x: u32 = \"a\";\n\
         \x20   Ok(event.payload)\n\
         }\n\
         \n\
         fn main() -> Result<(), Error> {\n\
         \x20   lambdesk_lambda::run(service_fn(handler))\n\
         }\n\
         \n\
         lambdesk_lambda::main!(main);\n",
    );
    let runtime = test.runtime();
    let error = invoke(&test, &runtime, &function, "{}").await.unwrap_err();
    let message = error.to_string();
    let InvokeError::Build(BuildError::Compile { diagnostics }) = error else {
        panic!("not a compile error: {message}");
    };
    let first_error = diagnostics
        .iter()
        .find(|diagnostic| diagnostic.level == DiagnosticLevel::Error)
        .unwrap();
    assert_eq!(first_error.file, std::path::Path::new("src/lib.rs"));
    assert_eq!(first_error.line, 5);
    assert_eq!(first_error.column, 18);
    assert!(
        first_error.message.contains("mismatched types"),
        "{first_error:?}"
    );
    assert!(
        message.contains("src/lib.rs:5:18: error: mismatched types"),
        "{message}"
    );
    // Kept for the editor's markers.
    let status = runtime.build_status("broken").unwrap();
    assert!(status.diagnostics.contains(first_error));
    assert_eq!(status.progress, None);
}

#[tokio::test]
async fn a_handler_error_answers_lambdas_error_json_and_the_environment_stays_warm() {
    if !rust_toolchain_ready("a_handler_error_answers_lambdas_error_json") {
        return;
    }
    let test = TestWorkspace::new();
    let function = rust_hello(&test, "picky");
    write_code(
        &function,
        r#"use lambdesk_lambda::{Diagnostic, Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    match event.payload["name"].as_str() {
        Some(name) => Ok(json!({
            "name": name,
            "memory": event.context.env_config.memory,
            "app": event.context.client_context.as_ref().map(|client| client.client.app_title.clone()),
        })),
        None => Err(Diagnostic::new("ValidationError", "name is missing")),
    }
}

fn main() -> Result<(), Error> {
    lambdesk_lambda::run(service_fn(handler))
}

lambdesk_lambda::main!(main);
"#,
    );
    let runtime = test.runtime();
    let failed = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let error = failed.error().unwrap();
    assert_eq!(error.error_type, "ValidationError");
    assert_eq!(error.error_message, "name is missing");
    let after = invoke(&test, &runtime, &function, r#"{"name": "Ada"}"#)
        .await
        .unwrap();
    assert_eq!(
        after.outcome,
        Outcome::Success(json!({"name": "Ada", "memory": 128, "app": null}))
    );
    assert_eq!(after.init_duration_ms, None, "the same environment, warm");
    assert_eq!(after.log_stream, failed.log_stream);

    // A caller's client context (the Invoke API's `ClientContext`), as lambda_runtime's.
    let client_context = r#"{"client":{"app_title":"tests"},"custom":{"k":"v"}}"#;
    let with_context = common::invoke_with_client_context(
        &test,
        &runtime,
        &function,
        r#"{"name": "Ada"}"#,
        client_context,
    )
    .await
    .unwrap();
    assert_eq!(
        with_context.outcome,
        Outcome::Success(json!({"name": "Ada", "memory": 128, "app": "tests"}))
    );
}

/// A `rustc` whose sysroot has no wasm32-wasip1 target.
fn rustc_without_the_target(test: &TestWorkspace) -> String {
    let sysroot = test.dir.path().join("sysroot");
    std::fs::create_dir_all(sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu")).unwrap();
    common::executable_script(
        test,
        "rustc",
        &format!("#!/bin/sh\necho {}\n", sysroot.display()),
    )
}

#[tokio::test]
async fn a_machine_without_the_wasm_target_or_cargo_is_told_the_command_to_run() {
    let test = TestWorkspace::new();
    let function = rust_hello(&test, "hello");
    let runtime_with = |cargo: &str, rustc: String| {
        let mut rust_build = common::rust_build_options();
        rust_build.cargo_program = cargo.to_owned();
        rust_build.rustc_program = rustc;
        // Whatever this machine has: the check must fail before cargo is run.
        rust_build.target_dir = test.dir.path().join("rust-target");
        Runtime::new(RuntimeOptions {
            cache_dir: test.cache_dir(),
            rust_build,
            ..RuntimeOptions::default()
        })
        .unwrap()
    };
    // `true` stands in for cargo: it runs, so only the target is missing.
    let runtime = runtime_with("true", rustc_without_the_target(&test));
    let error = invoke(&test, &runtime, &function, "{}").await.unwrap_err();
    assert!(
        matches!(error, InvokeError::Build(BuildError::TargetMissing { .. })),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("run `rustup target add wasm32-wasip1`"),
        "{error}"
    );
    assert!(
        !test.dir.path().join("rust-target").exists(),
        "no build ran"
    );

    let runtime = runtime_with("/nonexistent/cargo", "rustc".to_owned());
    let error = invoke(&test, &runtime, &function, "{}").await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("`/nonexistent/cargo` was not found"),
        "{message}"
    );
    assert!(message.contains("https://rustup.rs"), "{message}");
}

#[test]
fn the_cli_creates_builds_and_invokes_a_rust_function() {
    if !rust_toolchain_ready("the_cli_creates_builds_and_invokes_a_rust_function") {
        return;
    }
    common::compiled_cli::create_build_invoke_and_break(&common::compiled_cli::CompiledBlueprint {
        id: "rust-hello",
        guest_file: "lambdesk-lambda/src/lib.rs",
        build_dir: (lambdesk::runtime::RUST_TARGET_DIR_VAR, rust_target_dir()),
        expected_response: r#"{"message":"Hello, Ada!"}"#,
        code_file: "src/lib.rs",
        break_code: &|text| {
            text.replace(
                "fn main()",
                "fn main() { let x: u32 = \"a\"; }\nfn unused()",
            )
        },
        expected_error: "mismatched types",
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_build_stops_the_compiler_and_says_so() {
    if !rust_toolchain_ready("a_cancelled_build_stops_the_compiler_and_says_so") {
        return;
    }
    let test = TestWorkspace::new();
    let function = rust_hello(&test, "slow");
    // A build script that keeps cargo busy without output, as a long crate does.
    std::fs::write(
        function.dir.join("build.rs"),
        "fn main() { std::thread::sleep(std::time::Duration::from_secs(60)); }\n",
    )
    .unwrap();
    let runtime = std::sync::Arc::new(test.runtime());
    let building = {
        let runtime = std::sync::Arc::clone(&runtime);
        let function = function.clone();
        tokio::spawn(async move { runtime.build(&function).await })
    };
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let asked = std::time::Instant::now();
    lambdesk::runtime::cancel_build("slow");
    let result = building.await.unwrap();
    let error = result.unwrap_err().to_string();
    assert!(error.contains("cancelled"), "{error}");
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(10),
        "stopped without waiting for the build script: {:?}",
        asked.elapsed()
    );
}
