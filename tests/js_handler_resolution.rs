//! How Lambda's Node.js runtime finds and calls a handler (its `UserFunction.js` and
//! `Runtime.js`), the error texts Node writes, and built-in modules from CommonJS.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke};
use lambdesk::model::{FunctionError, InvocationRecord, Outcome};
use serde_json::{Value, json};

async fn run(files: &[(&str, &str)], handler: &str) -> InvocationRecord {
    let test = TestWorkspace::new();
    let function = test.add_js("fn", handler, files, |config| config.timeout_secs = 3);
    let runtime = test.runtime();
    invoke(&test, &runtime, &function, "{}").await.unwrap()
}

async fn answer(files: &[(&str, &str)], handler: &str) -> Value {
    let record = run(files, handler).await;
    match record.outcome {
        Outcome::Success(value) => value,
        Outcome::Failure(error) => panic!("failed: {error:?}\nlogs: {:#?}", record.log_lines),
    }
}

async fn failure(files: &[(&str, &str)], handler: &str) -> FunctionError {
    let record = run(files, handler).await;
    match record.outcome {
        Outcome::Failure(error) => error,
        Outcome::Success(value) => panic!("expected a failure, got {value}"),
    }
}

#[tokio::test]
async fn the_handler_is_split_at_the_first_dot_after_the_last_slash() {
    let source = "exports.a = { b: { c: async () => 'deep' } };";
    let files = [("nested/dir/handler.js", source)];
    assert_eq!(
        answer(&files, "nested/dir/handler.a.b.c").await,
        json!("deep")
    );
    // A dot in a folder name belongs to the path.
    let files = [(
        "v1.2/index.js",
        "exports.handler = async () => 'dotted folder';",
    )];
    assert_eq!(
        answer(&files, "v1.2/index.handler").await,
        json!("dotted folder")
    );
}

#[tokio::test]
async fn a_file_without_extension_is_loaded_first() {
    let files = [
        ("app", "exports.handler = async () => 'extensionless';"),
        ("app.js", "exports.handler = async () => 'js';"),
    ];
    assert_eq!(answer(&files, "app.handler").await, json!("extensionless"));
}

#[tokio::test]
async fn js_wins_over_mjs_which_wins_over_cjs() {
    let js = ("index.js", "exports.handler = async () => 'js';");
    let mjs = ("index.mjs", "export const handler = async () => 'mjs';");
    let cjs = ("index.cjs", "exports.handler = async () => 'cjs';");
    assert_eq!(answer(&[cjs, mjs, js], "index.handler").await, json!("js"));
    assert_eq!(answer(&[cjs, mjs], "index.handler").await, json!("mjs"));
    assert_eq!(answer(&[cjs], "index.handler").await, json!("cjs"));
}

#[tokio::test]
async fn package_json_type_is_looked_up_to_the_nearest_node_modules_only() {
    let root_package = ("package.json", r#"{"type":"module"}"#);
    // Inside node_modules the search stops: this CommonJS file is not an ES module.
    let vendored = (
        "node_modules/tool/index.js",
        "exports.handler = async () => 'commonjs in node_modules';",
    );
    assert_eq!(
        answer(&[root_package, vendored], "node_modules/tool/index.handler").await,
        json!("commonjs in node_modules")
    );
    // Outside it, "type": "module" makes a .js file an ES module.
    let module = (
        "lib/index.js",
        "export const handler = async () => 'module';",
    );
    assert_eq!(
        answer(&[root_package, module], "lib/index.handler").await,
        json!("module")
    );
}

#[tokio::test]
async fn a_handler_without_a_dot_is_malformed_handler_name() {
    let files = [("index.js", "exports.handler = async () => 1;")];
    let error = failure(&files, "index").await;
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        ("Runtime.MalformedHandlerName", "Bad handler")
    );
}

#[tokio::test]
async fn a_missing_or_non_function_export_is_handler_not_found() {
    let files = [(
        "index.js",
        "exports.other = async () => 1; exports.value = 42;",
    )];
    let error = failure(&files, "index.handler").await;
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        (
            "Runtime.HandlerNotFound",
            "index.handler is undefined or not exported"
        )
    );
    let error = failure(&files, "index.value").await;
    assert_eq!(error.error_message, "index.value is not a function");
    let error = failure(&files, "index.other.deeper").await;
    assert_eq!(
        error.error_message,
        "index.other.deeper is undefined or not exported"
    );
}

#[tokio::test]
async fn a_non_async_handler_that_returns_a_value_answers_null() {
    let files = [(
        "index.js",
        "exports.handler = (event) => ({ ignored: true });",
    )];
    assert_eq!(answer(&files, "index.handler").await, Value::Null);
    // Even with the callback in its signature, if it never calls it.
    let files = [(
        "index.js",
        "exports.handler = (event, context, callback) => 'ignored';",
    )];
    assert_eq!(answer(&files, "index.handler").await, Value::Null);
    // Only once the event loop is empty: the timer runs first.
    let files = [(
        "index.js",
        "exports.handler = () => { setTimeout(() => console.log('timer ran'), 5); return 1; };",
    )];
    let record = run(&files, "index.handler").await;
    assert_eq!(record.payload(), Value::Null);
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line.contains("timer ran")),
        "{:#?}",
        record.log_lines
    );
    // The callback still answers, and a promise still counts.
    let files = [(
        "index.js",
        "exports.handler = (e, c, callback) => callback(null, 'called');",
    )];
    assert_eq!(answer(&files, "index.handler").await, json!("called"));
    let files = [(
        "index.js",
        "exports.handler = () => Promise.resolve('promised');",
    )];
    assert_eq!(answer(&files, "index.handler").await, json!("promised"));
}

#[tokio::test]
async fn a_string_given_to_the_callback_is_a_string_error_without_trace() {
    let files = [(
        "index.js",
        "exports.handler = (event, context, callback) => callback('error');",
    )];
    let record = run(&files, "index.handler").await;
    let Outcome::Failure(error) = &record.outcome else {
        panic!("expected a failure: {:?}", record.outcome)
    };
    assert_eq!(
        serde_json::to_value(error).unwrap(),
        json!({"errorType": "string", "errorMessage": "error", "trace": []})
    );
}

#[tokio::test]
async fn commonjs_names_in_an_es_module_are_reported_in_nodes_words() {
    let files = [("index.mjs", "module.exports.handler = async () => 1;")];
    let error = failure(&files, "index.handler").await;
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        ("ReferenceError", "module is not defined in ES module scope")
    );
    // Node's text, from node v20, for a .js file made a module by package.json.
    let files = [
        ("package.json", r#"{"type":"module"}"#),
        (
            "index.js",
            "const fs = require('fs');\nexport const handler = async () => 1;",
        ),
    ];
    let error = failure(&files, "index.handler").await;
    assert_eq!(
        error.error_message,
        "require is not defined in ES module scope, you can use import instead\nThis file is being treated as an ES module because it has a '.js' file extension and '/var/task/package.json' contains \"type\": \"module\". To treat it as a CommonJS script, rename it to use the '.cjs' file extension."
    );
}

#[tokio::test]
async fn dates_print_the_zone_name_as_node_does_in_utc() {
    let source = "export const handler = async () => { const d = new Date(0); return [d.toString(), String(d), `${d}`, d.toTimeString()]; };";
    let zone = "GMT+0000 (Coordinated Universal Time)";
    assert_eq!(
        answer(&[("index.mjs", source)], "index.handler").await,
        json!([
            format!("Thu Jan 01 1970 00:00:00 {zone}"),
            format!("Thu Jan 01 1970 00:00:00 {zone}"),
            format!("Thu Jan 01 1970 00:00:00 {zone}"),
            format!("00:00:00 {zone}")
        ])
    );
}

#[tokio::test]
async fn every_builtin_loads_by_both_names_from_require_and_import() {
    let names = [
        "assert",
        "assert/strict",
        "buffer",
        "crypto",
        "events",
        "fs",
        "os",
        "path",
        "querystring",
        "stream",
        "stream/promises",
        "string_decoder",
        "timers",
        "timers/promises",
        "url",
        "util",
        "zlib",
    ];
    let list = serde_json::to_string(&names).unwrap();
    let commonjs = format!(
        "const names = {list};\nexports.handler = async () => names.filter((name) => {{ const a = require(name); const b = require('node:' + name); return !(a && a === b); }});"
    );
    assert_eq!(
        answer(&[("index.js", &commonjs)], "index.handler").await,
        json!([])
    );
    let imports: String = names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            format!("import m{index} from '{name}';\nimport * as n{index} from 'node:{name}';\n")
        })
        .collect();
    let checks: Vec<String> = (0..names.len())
        .map(|index| format!("m{index} === n{index}.default"))
        .collect();
    let module = format!(
        "{imports}export const handler = async () => [{}].every(Boolean);",
        checks.join(", ")
    );
    assert_eq!(
        answer(&[("index.mjs", &module)], "index.handler").await,
        json!(true)
    );
}

#[tokio::test]
async fn os_describes_a_lambda_execution_environment() {
    let source = "const os = require('os');\nexports.handler = async () => [os.platform(), os.type(), os.arch(), os.tmpdir(), os.EOL, os.endianness(), os.totalmem(), os.cpus().length > 0, typeof os.hostname()];";
    let test = TestWorkspace::new();
    let function = test.add_js("fn", "index.handler", &[("index.js", source)], |config| {
        config.memory_mb = 256;
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        record.payload(),
        json!([
            "linux",
            "Linux",
            "x64",
            "/tmp",
            "\n",
            "LE",
            268_435_456,
            true,
            "string"
        ])
    );
}
