//! WAT and wasm functions that opt into environment mode (DESIGN.md's guest contract):
//! initialised once, then serving invocations with their state kept, as a warm Lambda
//! execution environment does.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke};
use lambdesk::model::Outcome;

const COUNTER: &str = include_str!("guests/counter_environment.wat");

/// Why a function with this module cannot be invoked.
async fn load_error(test: &TestWorkspace, name: &str, wat: &str) -> String {
    let function = test.add_wat(name, wat, |_| {});
    invoke(test, &test.runtime(), &function, "{}")
        .await
        .unwrap_err()
        .to_string()
}

#[tokio::test]
async fn an_environment_keeps_its_state_and_reports_init_once() {
    let test = TestWorkspace::new();
    let function = test.add_wat("counter", COUNTER, |_| {});
    let runtime = test.runtime();
    let first = invoke(&test, &runtime, &function, r#"{"n":1}"#)
        .await
        .unwrap();
    let second = invoke(&test, &runtime, &function, r#"{"n":2}"#)
        .await
        .unwrap();
    assert_eq!(first.outcome, Outcome::Success(serde_json::json!({"n": 1})));
    assert_eq!(
        second.outcome,
        Outcome::Success(serde_json::json!({"n": 2}))
    );
    assert_eq!(first.init_log_lines, ["init"]);
    assert_eq!(first.log_lines, ["count 1"]);
    assert!(first.init_duration_ms.is_some_and(|ms| ms > 0.0));
    // The same environment, warm: its global counted on, and no Init.
    assert_eq!(second.log_lines, ["count 2"]);
    assert_eq!(second.init_duration_ms, None);
    assert!(second.init_log_lines.is_empty());
    assert_eq!(first.log_stream, second.log_stream);
    assert_eq!(runtime.idle_environments("counter"), 1);
}

#[tokio::test]
async fn a_function_error_leaves_the_environment_usable() {
    let test = TestWorkspace::new();
    let function = test.add_wat("counter", COUNTER, |_| {});
    let runtime = test.runtime();
    let failed = invoke(&test, &runtime, &function, r#""fail""#)
        .await
        .unwrap();
    let error = failed.error().unwrap();
    assert_eq!(error.error_type, "Boom");
    assert_eq!(error.error_message, "failed");
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(after.is_success());
    assert_eq!(after.log_lines, ["count 2"]);
}

#[tokio::test]
async fn changed_code_starts_a_new_environment() {
    let test = TestWorkspace::new();
    let function = test.add_wat("counter", COUNTER, |_| {});
    let runtime = test.runtime();
    invoke(&test, &runtime, &function, "{}").await.unwrap();
    // Different code (a longer file): a new load, a new environment, Init again.
    std::fs::write(function.code_path(), format!("{COUNTER}\n;; saved again\n")).unwrap();
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(after.init_duration_ms.is_some());
    assert_eq!(after.log_lines, ["count 1"]);
}

#[tokio::test]
async fn a_trap_discards_the_environment() {
    let test = TestWorkspace::new();
    // lambdesk_invoke traps (unreachable) on its first call.
    let trapping = COUNTER.replace(
        "(global.set $count (i32.add (global.get $count) (i32.const 1)))",
        "(if (i32.eqz (global.get $count)) (then (global.set $count (i32.const 1)) (unreachable)))",
    );
    let function = test.add_wat("trapping", &trapping, |_| {});
    let runtime = test.runtime();
    let trapped = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let error = trapped.error().unwrap();
    assert_eq!(error.error_type, "Runtime.ExitError");
    assert!(error.error_message.contains("unreachable"), "{error:?}");
    assert_eq!(runtime.idle_environments("trapping"), 0);
    // The next invocation gets a fresh environment, whose global starts again.
    let next = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(next.init_duration_ms.is_some());
}

#[tokio::test]
async fn a_module_that_is_neither_contract_is_refused_with_both_named() {
    let test = TestWorkspace::new();
    let error = load_error(&test, "neither", "(module (memory (export \"memory\") 1))").await;
    assert!(error.contains("`_start`"), "{error}");
    assert!(error.contains("`lambdesk_invoke`"), "{error}");
}

#[tokio::test]
async fn an_environment_export_of_the_wrong_type_is_refused() {
    let test = TestWorkspace::new();
    let wrong = COUNTER.replace(
        "(func (export \"lambdesk_init\") (result i32)",
        "(func (export \"lambdesk_init\") (param i32) (result i32)",
    );
    let error = load_error(&test, "wrong", &wrong).await;
    assert!(
        error.contains("`lambdesk_init` export must be a function () -> i32"),
        "{error}"
    );
}

#[tokio::test]
async fn a_reactor_s_initialize_runs_before_init() {
    let test = TestWorkspace::new();
    // A WASI reactor (a C or Rust cdylib): `_initialize` sets its state up first.
    let reactor = COUNTER.replace(
        "(func (export \"lambdesk_init\")",
        "(func (export \"_initialize\") (global.set $count (i32.const 4)))\n  (func (export \"lambdesk_init\")",
    );
    let function = test.add_wat("reactor", &reactor, |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(record.log_lines, ["count 5"]);
}

#[tokio::test]
async fn a_module_with_start_and_the_environment_s_exports_is_refused() {
    let test = TestWorkspace::new();
    let both = COUNTER.replace(
        "(func (export \"lambdesk_init\")",
        "(func (export \"_start\"))\n  (func (export \"lambdesk_init\")",
    );
    let error = load_error(&test, "both", &both).await;
    assert!(
        error.contains("exports both `_start` and `lambdesk_invoke`"),
        "{error}"
    );
}

#[tokio::test]
async fn an_environment_that_times_out_is_discarded() {
    let test = TestWorkspace::new();
    // The event "fail" now loops forever instead of answering an error.
    let looping = COUNTER.replace(
        "(call $write (i32.const 1) (i32.const 64) (i32.const 44))\n        (return (i32.const 1))",
        "(loop $forever (br $forever))",
    );
    let function = test.add_wat("looping", &looping, |config| config.timeout_secs = 1);
    let runtime = test.runtime();
    let timed_out = invoke(&test, &runtime, &function, r#""fail""#)
        .await
        .unwrap();
    assert_eq!(timed_out.error().unwrap().error_type, "Sandbox.Timedout");
    assert_eq!(runtime.idle_environments("looping"), 0);
    let next = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(next.is_success());
    assert!(next.init_duration_ms.is_some(), "a fresh environment");
    assert_eq!(next.log_lines, ["count 1"]);
}
