//! JavaScript functions run as they would on Lambda's Node.js runtime: handler styles,
//! modules, context, console, globals.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke};
use lambdesk::model::Outcome;
use regex::Regex;
use serde_json::{Value, json};

async fn run_js(
    files: &[(&str, &str)],
    handler: &str,
    event: &str,
) -> lambdesk::model::InvocationRecord {
    let test = TestWorkspace::new();
    let function = test.add_js("fn", handler, files, |_| {});
    let runtime = test.runtime();
    invoke(&test, &runtime, &function, event).await.unwrap()
}

fn response(record: &lambdesk::model::InvocationRecord) -> Value {
    match &record.outcome {
        Outcome::Success(value) => value.clone(),
        Outcome::Failure(error) => panic!(
            "the function failed: {error:?}\nlogs: {:#?}",
            record.log_lines
        ),
    }
}

#[tokio::test]
async fn an_async_es_module_handler_gets_the_event_and_returns_its_result() {
    let source = "export const handler = async (event) => ({ doubled: event.n * 2 });";
    let record = run_js(&[("index.mjs", source)], "index.handler", r#"{"n":21}"#).await;
    assert_eq!(response(&record), json!({ "doubled": 42 }));
}

#[tokio::test]
async fn commonjs_exports_handler_module_exports_and_callback_style_work() {
    let exports = "exports.handler = async (event) => 'exports:' + event.x;";
    let record = run_js(&[("index.js", exports)], "index.handler", r#"{"x":1}"#).await;
    assert_eq!(response(&record), json!("exports:1"));

    let module_exports = "async function handler(event) { return 'module:' + event.x; }\nmodule.exports = { handler };";
    let record = run_js(
        &[("index.js", module_exports)],
        "index.handler",
        r#"{"x":2}"#,
    )
    .await;
    assert_eq!(response(&record), json!("module:2"));

    let callback = "exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { late: event.x }), 10); };";
    let record = run_js(&[("index.js", callback)], "index.handler", r#"{"x":3}"#).await;
    assert_eq!(response(&record), json!({ "late": 3 }));

    let callback_error =
        "exports.handler = (event, context, callback) => callback(new RangeError('too far'));";
    let record = run_js(&[("index.js", callback_error)], "index.handler", "{}").await;
    assert_eq!(record.error().unwrap().error_type, "RangeError");
}

#[tokio::test]
async fn the_handler_setting_picks_file_and_export_also_in_sub_folders() {
    let files = [
        (
            "src/app.mjs",
            "import { twice } from './lib/util.mjs';\nimport config from '../config.json' with { type: 'json' };\nexport const run = async () => ({ value: twice(config.base) });",
        ),
        ("src/lib/util.mjs", "export const twice = (n) => n * 2;"),
        ("config.json", r#"{ "base": 5 }"#),
    ];
    let record = run_js(&files, "src/app.run", "{}").await;
    assert_eq!(response(&record), json!({ "value": 10 }));
}

#[tokio::test]
async fn require_loads_relative_files_and_json() {
    let files = [
        (
            "index.js",
            "const { greet } = require('./greeting');\nconst data = require('./data.json');\nexports.handler = async () => greet(data.name);",
        ),
        (
            "greeting.js",
            "module.exports.greet = (name) => `hello ${name}`;",
        ),
        ("data.json", r#"{ "name": "ada" }"#),
    ];
    let record = run_js(&files, "index.handler", "{}").await;
    assert_eq!(response(&record), json!("hello ada"));
}

#[tokio::test]
async fn an_es_module_can_import_a_commonjs_file() {
    let files = [
        (
            "index.mjs",
            "import helper, { add } from './helper.cjs';\nexport const handler = async () => [add(1, 2), helper.add(2, 3)];",
        ),
        ("helper.cjs", "exports.add = (a, b) => a + b;"),
    ];
    let record = run_js(&files, "index.handler", "{}").await;
    assert_eq!(response(&record), json!([3, 5]));
}

#[tokio::test]
async fn the_context_has_lambdas_fields() {
    let source = r#"
export const handler = async (event, context) => {
  const first = context.getRemainingTimeInMillis();
  await new Promise((resolve) => setTimeout(resolve, 30));
  const second = context.getRemainingTimeInMillis();
  return {
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    awsRequestId: context.awsRequestId,
    invokedFunctionArn: context.invokedFunctionArn,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    first, second,
  };
};"#;
    let test = TestWorkspace::new();
    let function = test.add_js(
        "ctx-fn",
        "index.handler",
        &[("index.mjs", source)],
        |config| {
            config.memory_mb = 256;
            config.timeout_secs = 5;
        },
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let context = response(&record);
    assert_eq!(context["functionName"], "ctx-fn");
    assert_eq!(context["functionVersion"], "$LATEST");
    assert_eq!(context["memoryLimitInMB"], "256");
    assert_eq!(context["awsRequestId"], record.request_id.as_str());
    assert_eq!(
        context["invokedFunctionArn"],
        "arn:aws:lambda:us-east-1:000000000000:function:ctx-fn"
    );
    assert_eq!(context["logGroupName"], "/aws/lambda/ctx-fn");
    assert_eq!(context["logStreamName"], record.log_stream.as_str());
    let (first, second) = (
        context["first"].as_i64().unwrap(),
        context["second"].as_i64().unwrap(),
    );
    assert!(first > 4_000 && first <= 5_000, "{first}");
    assert!(
        second <= first - 25,
        "remaining time decreases: {first} then {second}"
    );
}

#[tokio::test]
async fn console_writes_lambdas_log_lines() {
    let source = r#"
export const handler = async () => {
  console.log("plain", 42, { a: 1, b: "two", nested: { deep: [1, 2] } });
  console.info("%s is %d years and %j", "ada", 36, { x: 1 });
  console.warn("careful");
  console.error(new Error("bad thing"));
  console.debug("two\nlines");
  return null;
};"#;
    let record = run_js(&[("index.mjs", source)], "index.handler", "{}").await;
    let id = &record.request_id;
    let line = |level: &str, message: &str| {
        Regex::new(&format!(
            r"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{id}\t{level}\t{}$",
            regex::escape(message)
        ))
        .unwrap()
    };
    let logs = &record.log_lines;
    assert!(
        line(
            "INFO",
            "plain 42 { a: 1, b: 'two', nested: { deep: [ 1, 2 ] } }"
        )
        .is_match(&logs[0]),
        "{logs:#?}"
    );
    assert!(
        line("INFO", r#"ada is 36 years and {"x":1}"#).is_match(&logs[1]),
        "{logs:#?}"
    );
    assert!(line("WARN", "careful").is_match(&logs[2]), "{logs:#?}");
    assert!(logs[3].contains("\tERROR\tError: bad thing"), "{logs:#?}");
    // One console call stays one log record: newlines become carriage returns.
    assert!(line("DEBUG", "two\rlines").is_match(&logs[4]), "{logs:#?}");
}

#[tokio::test]
async fn process_env_has_the_functions_variables_and_lambdas_but_not_the_hosts() {
    let source = "export const handler = async () => ({ table: process.env.TABLE, name: process.env.AWS_LAMBDA_FUNCTION_NAME, region: process.env.AWS_REGION, root: process.env.LAMBDA_TASK_ROOT, home: process.env.HOME ?? null, path: process.env.PATH ?? null });";
    let test = TestWorkspace::new();
    let function = test.add_js(
        "env-fn",
        "index.handler",
        &[("index.mjs", source)],
        |config| {
            config.environment.insert("TABLE".into(), "orders".into());
        },
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        response(&record),
        json!({ "table": "orders", "name": "env-fn", "region": "us-east-1", "root": "/var/task", "home": null, "path": null })
    );
}

#[tokio::test]
async fn timers_run_on_real_time_in_order() {
    let source = r#"
export const handler = async () => {
  const order = [];
  const started = Date.now();
  setTimeout(() => order.push("b"), 40);
  setTimeout(() => order.push("a"), 10);
  const cancelled = setTimeout(() => order.push("never"), 5);
  clearTimeout(cancelled);
  let ticks = 0;
  await new Promise((resolve) => {
    const interval = setInterval(() => { ticks++; if (ticks === 3) { clearInterval(interval); resolve(); } }, 20);
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  return { order, ticks, elapsed: Date.now() - started };
};"#;
    let record = run_js(&[("index.mjs", source)], "index.handler", "{}").await;
    let result = response(&record);
    assert_eq!(result["order"], json!(["a", "b"]));
    assert_eq!(result["ticks"], 3);
    assert!(result["elapsed"].as_i64().unwrap() >= 60, "{result}");
}

#[tokio::test]
async fn web_globals_small_handlers_use_work() {
    let source = r#"
export const handler = async () => {
  const bytes = new TextEncoder().encode("héllo 🌍");
  const text = new TextDecoder().decode(bytes);
  const clone = structuredClone({ when: new Date(0), tags: new Map([["a", 1]]), list: [1, { x: 2 }] });
  const random = crypto.getRandomValues(new Uint8Array(16));
  return {
    byteLength: bytes.length,
    text,
    base64: btoa("hello"),
    decoded: atob("aGVsbG8="),
    uuid: crypto.randomUUID(),
    cloneIsDate: clone.when instanceof Date && clone.when.getTime() === 0,
    cloneMap: clone.tags.get("a"),
    cloneList: clone.list,
    randomNotAllZero: random.some((byte) => byte !== 0),
  };
};"#;
    let record = run_js(&[("index.mjs", source)], "index.handler", "{}").await;
    let result = response(&record);
    assert_eq!(result["byteLength"], 11);
    assert_eq!(result["text"], "héllo 🌍");
    assert_eq!(result["base64"], "aGVsbG8=");
    assert_eq!(result["decoded"], "hello");
    assert!(
        Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
            .unwrap()
            .is_match(result["uuid"].as_str().unwrap())
    );
    assert_eq!(result["cloneIsDate"], true);
    assert_eq!(result["cloneMap"], 1);
    assert_eq!(result["cloneList"], json!([1, { "x": 2 }]));
    assert_eq!(result["randomNotAllZero"], true);
}

#[tokio::test]
async fn returning_nothing_is_a_null_response() {
    let record = run_js(
        &[("index.mjs", "export const handler = async () => {};")],
        "index.handler",
        "{}",
    )
    .await;
    assert_eq!(response(&record), Value::Null);
}

#[tokio::test]
async fn url_and_url_search_params_parse_resolve_and_serialize() {
    let source = r#"
export const handler = async () => {
  const url = new URL("HTTPS://User:pw@Example.COM:443/a/./b/../c d?x=1&y=two+words#frag");
  const relative = new URL("../up?q=1", "https://example.com/a/b/c");
  const params = new URLSearchParams({ b: "2", a: "1 & 1" });
  params.append("a", "again");
  params.sort();
  url.searchParams.set("x", "changed");
  return {
    href: url.href, protocol: url.protocol, host: url.host, port: url.port, pathname: url.pathname,
    search: url.search, hash: url.hash, origin: url.origin, username: url.username,
    y: new URL("https://h/?y=two+words").searchParams.get("y"),
    relative: relative.href,
    params: params.toString(), all: params.getAll("a"),
    withPort: new URL("http://localhost:3000/items/7").host,
    invalid: URL.canParse("not a url"),
  };
};"#;
    let record = run_js(&[("index.mjs", source)], "index.handler", "{}").await;
    assert_eq!(
        response(&record),
        json!({
            "href": "https://User:pw@example.com/a/c%20d?x=changed&y=two+words#frag",
            "protocol": "https:", "host": "example.com", "port": "", "pathname": "/a/c%20d",
            "search": "?x=changed&y=two+words", "hash": "#frag", "origin": "https://example.com", "username": "User",
            "y": "two words",
            "relative": "https://example.com/a/up?q=1",
            "params": "a=1+%26+1&a=again&b=2", "all": ["1 & 1", "again"],
            "withPort": "localhost:3000",
            "invalid": false,
        })
    );
}

#[tokio::test]
async fn buffer_converts_between_encodings() {
    let source = r#"
export const handler = async () => {
  const text = Buffer.from("héllo");
  const fromBase64 = Buffer.from("aGVsbG8gd29ybGQ=", "base64");
  const fromHex = Buffer.from("cafe", "hex");
  const joined = Buffer.concat([Buffer.from("ab"), Buffer.from("cd")]);
  console.log(Buffer.from("hi"));
  return {
    length: text.length, utf8: text.toString(), base64: text.toString("base64"), hex: text.toString("hex"),
    decoded: fromBase64.toString("utf8"), fromHex: [...fromHex], joined: joined.toString(),
    base64url: Buffer.from([251, 255]).toString("base64url"),
    byteLength: Buffer.byteLength("€"), isBuffer: Buffer.isBuffer(joined), equals: Buffer.from("x").equals(Buffer.from("x")),
    json: JSON.parse(JSON.stringify(Buffer.from("A"))),
  };
};"#;
    let record = run_js(&[("index.mjs", source)], "index.handler", "{}").await;
    assert_eq!(
        response(&record),
        json!({
            "length": 6, "utf8": "héllo", "base64": "aMOpbGxv", "hex": "68c3a96c6c6f",
            "decoded": "hello world", "fromHex": [202, 254], "joined": "abcd",
            "base64url": "-_8", "byteLength": 3, "isBuffer": true, "equals": true,
            "json": { "type": "Buffer", "data": [65] },
        })
    );
    assert!(
        record.log_lines[0].ends_with("\tINFO\t<Buffer 68 69>"),
        "{:?}",
        record.log_lines
    );
}

#[tokio::test]
async fn lines_logged_during_init_come_before_start_as_on_lambda() {
    let source = "console.log('loading');\nexport const handler = async () => { console.log('handling'); return 1; };";
    let test = TestWorkspace::new();
    let function = test.add_js("fn", "index.handler", &[("index.mjs", source)], |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(record.init_log_lines.len(), 1);
    assert!(
        record.init_log_lines[0].ends_with("\tundefined\tINFO\tloading"),
        "{:?}",
        record.init_log_lines
    );
    assert!(
        record.log_lines[0].ends_with("\tINFO\thandling"),
        "{:?}",
        record.log_lines
    );
    let messages: Vec<String> = lambdesk::logs::lambda_log_entries(&record)
        .into_iter()
        .map(|entry| entry.message.to_string())
        .collect();
    assert!(messages[0].ends_with("\tloading"), "{messages:?}");
    assert!(messages[1].starts_with("START RequestId: "), "{messages:?}");
    // A warm invocation has no Init lines.
    let warm = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(warm.init_log_lines.is_empty());
}
