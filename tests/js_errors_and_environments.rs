//! Errors as Lambda's Node.js runtime reports them, and execution environments as Lambda
//! keeps them: Init once, warm reuse, separate environments for concurrent invocations,
//! a fresh one after a change, a timeout or a crash.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke};
use lambdesk::model::{FunctionError, InvocationRecord, Outcome, error_types};
use serde_json::json;

async fn failing(files: &[(&str, &str)], handler: &str) -> (FunctionError, InvocationRecord) {
    let test = TestWorkspace::new();
    let function = test.add_js("fn", handler, files, |config| config.timeout_secs = 2);
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let error = record
        .error()
        .cloned()
        .unwrap_or_else(|| panic!("expected a failure: {:?}", record.outcome));
    (error, record)
}

#[tokio::test]
async fn a_thrown_error_has_its_type_message_and_trace() {
    let source = "export const handler = async (event) => {\n  const user = undefined;\n  return user.name;\n};";
    let (error, record) = failing(&[("index.mjs", source)], "index.handler").await;
    assert_eq!(error.error_type, "TypeError");
    assert!(error.error_message.contains("name"), "{error:?}");
    assert_eq!(
        error.trace.as_ref().unwrap()[0],
        format!("TypeError: {}", error.error_message)
    );
    assert!(
        error
            .trace
            .iter()
            .flatten()
            .any(|line| line.contains("index.mjs:3")),
        "{error:?}"
    );
    // Lambda logs the error it returns.
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line.contains("\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\"")),
        "{:#?}",
        record.log_lines
    );
}

#[tokio::test]
async fn a_custom_error_keeps_its_name() {
    let source = "class OrderError extends Error { constructor(m) { super(m); this.name = 'OrderError'; } }\nexport const handler = async () => { throw new OrderError('no stock'); };";
    let (error, _) = failing(&[("index.mjs", source)], "index.handler").await;
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        ("OrderError", "no stock")
    );
}

#[tokio::test]
async fn a_syntax_error_is_user_code_syntax_error_with_file_and_line() {
    let source = "export const handler = async () => {\n  return {;\n};";
    let (error, _) = failing(&[("index.mjs", source)], "index.handler").await;
    assert_eq!(error.error_type, error_types::SYNTAX_ERROR);
    assert!(
        error.error_message.starts_with("SyntaxError: "),
        "{error:?}"
    );
    assert!(error.error_message.contains("index.mjs:2"), "{error:?}");
}

#[tokio::test]
async fn a_missing_export_is_handler_not_found() {
    let (error, _) = failing(
        &[("index.mjs", "export const other = async () => 1;")],
        "index.handler",
    )
    .await;
    assert_eq!(error.error_type, error_types::HANDLER_NOT_FOUND);
    assert_eq!(
        error.error_message,
        "index.handler is undefined or not exported"
    );
}

#[tokio::test]
async fn a_missing_module_is_import_module_error() {
    let (error, _) = failing(
        &[("index.mjs", "export const handler = async () => 1;")],
        "app.handler",
    )
    .await;
    assert_eq!(error.error_type, error_types::IMPORT_MODULE_ERROR);
    assert!(
        error
            .error_message
            .starts_with("Error: Cannot find module 'app'"),
        "{error:?}"
    );

    let importing = "import { x } from './missing.mjs';\nexport const handler = async () => x;";
    let (error, _) = failing(&[("index.mjs", importing)], "index.handler").await;
    assert_eq!(error.error_type, error_types::IMPORT_MODULE_ERROR);
    assert!(error.error_message.contains("missing.mjs"), "{error:?}");

    let requiring = "const x = require('./missing');\nexports.handler = async () => x;";
    let (error, _) = failing(&[("index.js", requiring)], "index.handler").await;
    assert_eq!(error.error_type, error_types::IMPORT_MODULE_ERROR);
    assert!(error.error_message.contains("./missing"), "{error:?}");
}

#[tokio::test]
async fn an_unhandled_rejection_fails_the_invocation() {
    let source = "export const handler = async () => { Promise.reject(new Error('forgotten')); await new Promise((r) => setTimeout(r, 5)); return 'done'; };";
    let (error, _) = failing(&[("index.mjs", source)], "index.handler").await;
    assert_eq!(error.error_type, "Runtime.UnhandledPromiseRejection");
    assert!(
        error.error_message.contains("Error: forgotten"),
        "{error:?}"
    );
}

/// What Lambda's Node.js runtime reports for a value that is not an Error: rejecting
/// with null or undefined (or `context.fail()` with nothing) is the string "handled";
/// anything else is `typeof value` with its `toString()` (its Errors.js and
/// CallbackContext.js).
#[tokio::test]
async fn any_rejection_or_throw_fails_even_without_an_error_object() {
    let cases = [
        (
            "export const handler = async () => { throw null; };",
            "string",
            "handled",
        ),
        (
            "export const handler = async () => { throw undefined; };",
            "string",
            "handled",
        ),
        (
            "export const handler = () => Promise.reject(null);",
            "string",
            "handled",
        ),
        (
            "export const handler = () => Promise.reject(undefined);",
            "string",
            "handled",
        ),
        (
            "export const handler = (event) => { throw null; };",
            "string",
            "handled",
        ),
        (
            "export const handler = (event, context, callback) => { context.fail(); };",
            "string",
            "handled",
        ),
        (
            "export const handler = async () => { throw 'text'; };",
            "string",
            "text",
        ),
        (
            "export const handler = async () => { throw 42; };",
            "number",
            "42",
        ),
        (
            "export const handler = async () => { throw { reason: 'x', message: 'no stack' }; };",
            "object",
            "[object Object]",
        ),
        (
            "export const handler = async () => { setTimeout(() => { throw null; }, 1); await new Promise(() => {}); };",
            "handled",
            "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
        ),
    ];
    for (source, error_type, error_message) in cases {
        let (error, record) = failing(&[("index.mjs", source)], "index.handler").await;
        assert_eq!(
            (error.error_type.as_str(), error.error_message.as_str()),
            (error_type, error_message),
            "{source}"
        );
        // Node's runtime writes `"trace": []` for a value that is not an error; its last
        // resort ("handled" with no usable value) has no trace at all.
        let expected_trace = (error_type != "handled").then(Vec::new);
        assert_eq!(error.trace, expected_trace, "{source}: {error:?}");
        assert!(
            record.log_lines.iter().any(|line| line.contains(&format!(
                "\tERROR\tInvoke Error \t{{\"errorType\":\"{error_type}\""
            ))),
            "{source}: {:#?}",
            record.log_lines
        );
    }
}

/// `lambdesk invoke` exits 1 with the error JSON on stdout, as for any failure.
#[test]
fn the_cli_exits_1_for_a_handler_that_throws_null() {
    let test = TestWorkspace::new();
    test.add_js(
        "nothing",
        "index.handler",
        &[(
            "index.mjs",
            "export const handler = async () => { throw null; };",
        )],
        |_| {},
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("--workspace")
        .arg(test.workspace.root())
        .args(["invoke", "nothing"])
        .env(
            "LAMBDESK_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let error: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (&error["errorType"], &error["errorMessage"]),
        (&json!("string"), &json!("handled")),
        "{error}"
    );
}

const COUNTER: &str = "let count = 0;\nconst loadedAt = Date.now();\nexport const handler = async () => { count += 1; await new Promise((r) => setTimeout(r, 100)); return { count, loadedAt }; };";

#[tokio::test]
async fn a_warm_environment_keeps_its_globals_and_reports_init_only_once() {
    let test = TestWorkspace::new();
    let function = test.add_js(
        "counter",
        "index.handler",
        &[("index.mjs", COUNTER)],
        |_| {},
    );
    let runtime = test.runtime();
    let first = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let second = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let third = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(first.payload()["count"], 1);
    assert_eq!(second.payload()["count"], 2);
    assert_eq!(third.payload()["count"], 3);
    assert_eq!(first.payload()["loadedAt"], third.payload()["loadedAt"]);
    assert!(first.init_duration_ms.is_some());
    assert_eq!(
        (second.init_duration_ms, third.init_duration_ms),
        (None, None)
    );
    assert_eq!(first.log_stream, third.log_stream);
}

#[tokio::test]
async fn concurrent_invocations_get_separate_environments() {
    let test = TestWorkspace::new();
    let function = test.add_js(
        "counter",
        "index.handler",
        &[("index.mjs", COUNTER)],
        |_| {},
    );
    let runtime = test.runtime();
    let (a, b) = tokio::join!(
        invoke(&test, &runtime, &function, "{}"),
        invoke(&test, &runtime, &function, "{}")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        (a.payload()["count"].clone(), b.payload()["count"].clone()),
        (json!(1), json!(1))
    );
    assert_ne!(a.log_stream, b.log_stream);
    assert!(a.init_duration_ms.is_some() && b.init_duration_ms.is_some());
    assert_eq!(runtime.idle_environments("counter"), 2);
}

#[tokio::test]
async fn saving_new_code_starts_a_new_environment() {
    let test = TestWorkspace::new();
    let function = test.add_js(
        "fn",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 'old';")],
        |_| {},
    );
    let runtime = test.runtime();
    assert_eq!(
        invoke(&test, &runtime, &function, "{}")
            .await
            .unwrap()
            .payload(),
        json!("old")
    );
    std::fs::write(
        function.dir.join("index.mjs"),
        "export const handler = async () => 'new code';",
    )
    .unwrap();
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(after.payload(), json!("new code"));
    assert!(after.init_duration_ms.is_some());
}

#[tokio::test]
async fn an_infinite_loop_times_out_and_the_next_invocation_gets_a_fresh_environment() {
    let source = "let calls = 0;\nexport const handler = async (event) => { calls += 1; if (event.spin) { while (true) {} } return calls; };";
    let test = TestWorkspace::new();
    let function = test.add_js(
        "spin",
        "index.handler",
        &[("index.mjs", source)],
        |config| config.timeout_secs = 1,
    );
    let runtime = test.runtime();
    assert_eq!(
        invoke(&test, &runtime, &function, "{}")
            .await
            .unwrap()
            .payload(),
        json!(1)
    );
    let stuck = invoke(&test, &runtime, &function, r#"{"spin":true}"#)
        .await
        .unwrap();
    assert_eq!(stuck.error().unwrap().error_type, error_types::TIMEOUT);
    assert!(
        stuck.duration_ms >= 1000.0 && stuck.duration_ms < 1100.0,
        "{}",
        stuck.duration_ms
    );
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        after.payload(),
        json!(1),
        "a new environment starts from scratch"
    );
    assert!(after.init_duration_ms.is_some());
}

#[tokio::test]
async fn a_promise_that_never_settles_times_out() {
    let source = "export const handler = () => new Promise(() => {});";
    let (error, record) = failing(&[("index.mjs", source)], "index.handler").await;
    assert_eq!(error.error_type, error_types::TIMEOUT);
    assert!(
        record.duration_ms >= 2000.0 && record.duration_ms < 2100.0,
        "{}",
        record.duration_ms
    );
}

#[tokio::test]
async fn a_memory_bomb_stops_at_memory_mb() {
    let source = "export const handler = async (event) => { if (!event.bomb) return 'fine'; const hoard = []; while (true) { hoard.push(new Array(100000).fill(hoard.length)); } };";
    let test = TestWorkspace::new();
    let function = test.add_js(
        "bomb",
        "index.handler",
        &[("index.mjs", source)],
        |config| config.timeout_secs = 30,
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, r#"{"bomb":true}"#)
        .await
        .unwrap();
    assert_eq!(
        record.error().map(|error| error.error_type.as_str()),
        Some(error_types::OUT_OF_MEMORY),
        "{:?}",
        record.outcome
    );
    assert!(
        record.max_memory_used_mb <= 128,
        "{}",
        record.max_memory_used_mb
    );
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(after.outcome, Outcome::Success(json!("fine")));
}

#[tokio::test]
async fn environments_started_from_the_snapshot_have_their_own_randomness_and_clock() {
    let source = "export const handler = async () => ({ random: Math.random(), uuid: crypto.randomUUID(), now: performance.now() });";
    let test = TestWorkspace::new();
    let function = test.add_js("rng", "index.handler", &[("index.mjs", source)], |_| {});
    let runtime = test.runtime();
    let first = invoke(&test, &runtime, &function, "{}")
        .await
        .unwrap()
        .payload();
    runtime.unload("rng");
    let second = invoke(&test, &runtime, &function, "{}")
        .await
        .unwrap()
        .payload();
    assert_ne!(first["random"], second["random"]);
    assert_ne!(first["uuid"], second["uuid"]);
    for payload in [&first, &second] {
        let random = payload["random"].as_f64().unwrap();
        assert!((0.0..1.0).contains(&random), "{random}");
        let now = payload["now"].as_f64().unwrap();
        assert!(
            (0.0..5_000.0).contains(&now),
            "performance.now() counts from the environment's start: {now}"
        );
    }
}

#[tokio::test]
async fn an_environment_idle_for_longer_than_its_ttl_is_dropped() {
    let test = TestWorkspace::new();
    let function = test.add_js(
        "counter",
        "index.handler",
        &[("index.mjs", COUNTER)],
        |_| {},
    );
    let runtime = lambdesk::runtime::Runtime::new(lambdesk::runtime::RuntimeOptions {
        cache_dir: std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        idle_environment_ttl: std::time::Duration::from_millis(300),
        ..lambdesk::runtime::RuntimeOptions::default()
    })
    .unwrap();
    assert_eq!(
        invoke(&test, &runtime, &function, "{}")
            .await
            .unwrap()
            .payload()["count"],
        1
    );
    assert_eq!(
        invoke(&test, &runtime, &function, "{}")
            .await
            .unwrap()
            .payload()["count"],
        2
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let after_idle = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        after_idle.payload()["count"],
        1,
        "a new environment after the idle period"
    );
    assert!(after_idle.init_duration_ms.is_some());
}

#[tokio::test]
async fn a_configuration_change_starts_a_new_environment_that_sees_it() {
    let source = "export const handler = async () => process.env.COLOR ?? null;";
    let test = TestWorkspace::new();
    let function = test.add_js("fn", "index.handler", &[("index.mjs", source)], |config| {
        config.environment.insert("COLOR".into(), "red".into());
    });
    let runtime = test.runtime();
    assert_eq!(
        invoke(&test, &runtime, &function, "{}")
            .await
            .unwrap()
            .payload(),
        json!("red")
    );
    let mut config = function.config.clone();
    config.environment.insert("COLOR".into(), "blue".into());
    test.workspace.save_function_config("fn", &config).unwrap();
    let function = test.workspace.function("fn").unwrap();
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(after.payload(), json!("blue"));
    assert!(after.init_duration_ms.is_some());
}
