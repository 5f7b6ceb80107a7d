//! Lambda's Invoke API on `lambdesk serve`, driven by the real clients: boto3 and the AWS
//! CLI v1 from PyPI (installed by `.ci/run` into a venv; `LAMBDESK_AWS_VENV` names it).
//! Without them the tests say why and pass.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::TestWorkspace;
use common::engine::wait_up_to;
use common::serve::Serve;

/// The venv with boto3 and awscli, or `None` (and why, on stderr) without one.
fn aws_clients(test_name: &str) -> Option<PathBuf> {
    common::venvs::AWS_VENV.with(test_name, &["boto3"], &["aws"])
}

const HELLO: &str = "export const handler = async (event) => {\n  console.log('got', JSON.stringify(event));\n  return { hello: event.name ?? 'world', greeting: process.env.GREETING ?? null };\n};\n";

const FAILS: &str =
    "export const handler = async () => {\n  throw new TypeError('no greeting today');\n};\n";

const CLIENT_CONTEXT: &str = "export const handler = async (event, context) => ({ clientContext: context.clientContext ?? null, arn: context.invokedFunctionArn });\n";

/// A workspace with `hello` (answers), `broken` (throws), `throttled` and `context`
/// (answers with its client context), served; the Invoke API's port.
fn serve_hello(test: &TestWorkspace) -> (Serve, u16) {
    test.add_js("hello", "index.handler", &[("index.mjs", HELLO)], |_| {});
    test.add_js(
        "context",
        "index.handler",
        &[("index.mjs", CLIENT_CONTEXT)],
        |_| {},
    );
    test.add_js("broken", "index.handler", &[("index.mjs", FAILS)], |_| {});
    // Lambda's way to stop a function: every invocation is throttled.
    test.add_js(
        "throttled",
        "index.handler",
        &[("index.mjs", HELLO)],
        |config| {
            config.reserved_concurrency = Some(0);
        },
    );
    let serve = Serve::start(test.workspace.root());
    wait_up_to(Duration::from_secs(60), "serve is serving", || {
        serve.said("serving")
    });
    let output = serve.output();
    let port = output
        .lines()
        .find_map(|line| line.strip_prefix("lambdesk\tLambda Invoke API on http://127.0.0.1:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("serve says where the Invoke API listens:\n{output}"));
    (serve, port)
}

/// Runs `script` with the venv's Python (`sys.argv[1]` is the endpoint URL), as a user's
/// script with any credentials would; its stdout, or a panic with everything it said.
fn run_python(venv: &Path, port: u16, script: &str, serve: &Serve) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("driver.py");
    std::fs::write(&path, script).unwrap();
    let output = Command::new(venv.join("bin/python"))
        .arg(&path)
        .arg(format!("http://127.0.0.1:{port}"))
        .envs(aws_environment())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the driver failed:\n{stdout}\n{}\nserve said:\n{}",
        String::from_utf8_lossy(&output.stderr),
        serve.output()
    );
    stdout
}

fn aws_environment() -> [(&'static str, &'static str); 4] {
    [
        ("AWS_ACCESS_KEY_ID", "x"),
        ("AWS_SECRET_ACCESS_KEY", "x"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        // Nothing of the user's ~/.aws changes what the clients send.
        ("AWS_CONFIG_FILE", "/dev/null"),
    ]
}

const INVOKE_DRIVER: &str = r#"
import base64, json, sys
import boto3, botocore.config
client = boto3.client("lambda", endpoint_url=sys.argv[1])

answer = client.invoke(FunctionName="hello", Payload=json.dumps({"name": "boto3"}), LogType="Tail")
assert answer["StatusCode"] == 200, answer
assert "FunctionError" not in answer, answer
assert answer["ExecutedVersion"] == "$LATEST", answer
assert json.loads(answer["Payload"].read()) == {"hello": "boto3", "greeting": None}
log = base64.b64decode(answer["LogResult"]).decode()
lines = log.splitlines()
assert lines[0].startswith("START RequestId: ") and lines[0].endswith(" Version: $LATEST"), log
assert 'INFO\tgot {"name":"boto3"}' in log, log
assert lines[-1].startswith("REPORT RequestId: ") and "\tBilled Duration: " in lines[-1], log
print("tail ok")

answer = client.invoke(FunctionName="hello", InvocationType="Event", Payload=json.dumps({"name": "queued"}))
assert answer["StatusCode"] == 202, answer
answer = client.invoke(FunctionName="hello", InvocationType="DryRun")
assert answer["StatusCode"] == 204, answer

answer = client.invoke(FunctionName="broken", Payload=b"{}")
assert answer["StatusCode"] == 200, answer
assert answer["FunctionError"] == "Unhandled", answer
error = json.loads(answer["Payload"].read())
assert error["errorType"] == "TypeError", error
assert error["errorMessage"] == "no greeting today", error

try:
    client.invoke(FunctionName="nobody", Payload=b"{}")
    raise AssertionError("an unknown function was invoked")
except client.exceptions.ResourceNotFoundException as error:
    assert "function:nobody" in str(error), error
try:
    client.invoke(FunctionName="hello", Qualifier="prod")
    raise AssertionError("a qualifier other than $LATEST was taken")
except client.exceptions.ResourceNotFoundException:
    pass
answer = client.invoke(FunctionName="hello", Qualifier="$LATEST", Payload=b'{"name": "latest"}')
assert json.loads(answer["Payload"].read())["hello"] == "latest"
try:
    client.invoke(FunctionName="hello", Payload=b"not json")
    raise AssertionError("a body that is not JSON was taken")
except client.exceptions.InvalidRequestContentException:
    pass
try:
    client.invoke(FunctionName="hello", Payload=b'"' + b"x" * (6 * 1024 * 1024) + b'"')
    raise AssertionError("a payload over 6 MB was taken")
except client.exceptions.RequestTooLargeException:
    pass
once = boto3.client("lambda", endpoint_url=sys.argv[1],
                    config=botocore.config.Config(retries={"total_max_attempts": 1}))
try:
    once.invoke(FunctionName="throttled", Payload=b"{}")
    raise AssertionError("a function with a reserved concurrency of 0 ran")
except once.exceptions.TooManyRequestsException as error:
    assert error.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded", error.response
print("errors ok")
"#;

#[test]
fn boto3_invokes_with_each_invocation_type_and_gets_lambdas_errors() {
    let Some(venv) = aws_clients("boto3_invokes_with_each_invocation_type_and_gets_lambdas_errors")
    else {
        return;
    };
    let test = TestWorkspace::new();
    let (serve, port) = serve_hello(&test);
    let said = run_python(&venv, port, INVOKE_DRIVER, &serve);
    assert!(
        said.contains("tail ok") && said.contains("errors ok"),
        "{said}"
    );
    // The `Event` invocation went through the backlog and ran, and is in the log.
    wait_up_to(Duration::from_secs(30), "the Event invocation ran", || {
        serve.said(r#"INFO	got {"name":"queued"}"#)
    });
    wait_up_to(Duration::from_secs(10), "the log file has it", || {
        std::fs::read_to_string(test.workspace.logs_dir().join("hello.jsonl"))
            .is_ok_and(|log| log.contains("queued"))
    });
}

const CLIENT_CONTEXT_DRIVER: &str = r#"
import base64, json, sys
import boto3, botocore.exceptions
client = boto3.client("lambda", endpoint_url=sys.argv[1])

def encoded(value):
    return base64.b64encode(json.dumps(value).encode()).decode()

client_context = {"client": {"installation_id": "i-1", "app_title": "lambdesk tests"},
                  "custom": {"warmer": "true"}, "env": {"locale": "en"}}
answer = client.invoke(FunctionName="context", Payload=b"{}", ClientContext=encoded(client_context))
payload = json.loads(answer["Payload"].read())
assert payload["clientContext"] == client_context, payload
# The handler's own ARN is the one the API gives for it.
assert payload["arn"] == client.get_function_configuration(FunctionName="context")["FunctionArn"], payload
answer = client.invoke(FunctionName="context", Payload=b"{}")
assert json.loads(answer["Payload"].read())["clientContext"] is None, answer
# Lambda gives it to synchronous invocations only; an Event invocation's is checked.
answer = client.invoke(FunctionName="context", InvocationType="Event", ClientContext=encoded({"a": "b"}))
assert answer["StatusCode"] == 202, answer

for refused, code, says in [
    ("not base64!", "InvalidRequestContentException", "valid Base64-encoded JSON object"),
    (encoded(["a", "list"]), "InvalidRequestContentException", "valid Base64-encoded JSON object"),
    (encoded({"custom": {"big": "x" * 3000}}), "InvalidParameterValueException", "at most 3583 bytes"),
]:
    try:
        client.invoke(FunctionName="context", Payload=b"{}", ClientContext=refused)
        raise AssertionError("refused client context was taken: " + refused[:40])
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == code, error.response
        assert says in error.response["Error"]["Message"], error.response
print("client context ok")
"#;

#[test]
fn boto3_gives_a_js_handler_its_client_context_and_its_arn_and_refuses_bad_contexts() {
    let Some(venv) = aws_clients("boto3_gives_a_js_handler_its_client_context_and_its_arn") else {
        return;
    };
    let test = TestWorkspace::new();
    let (serve, port) = serve_hello(&test);
    let said = run_python(&venv, port, CLIENT_CONTEXT_DRIVER, &serve);
    assert!(said.contains("client context ok"), "{said}");
}

const STREAMING: &str = "export const handler = awslambda.streamifyResponse(async (event, responseStream) => {\n  responseStream.write('Hello ');\n  await new Promise((resolve) => setTimeout(resolve, 300));\n  responseStream.write('world');\n  responseStream.end();\n});\n";

const RESPONSE_STREAM_DRIVER: &str = r#"
import base64, json, sys, time
import boto3, botocore.exceptions
client = boto3.client("lambda", endpoint_url=sys.argv[1])

def events(name, **kwargs):
    answer = client.invoke_with_response_stream(FunctionName=name, Payload=b'{"name": "stream"}', **kwargs)
    assert answer["StatusCode"] == 200, answer
    assert answer["ExecutedVersion"] == "$LATEST", answer
    started = time.monotonic()
    return [(time.monotonic() - started, event) for event in answer["EventStream"]]

received = events("streaming", LogType="Tail")
chunks = [(at, event["PayloadChunk"]["Payload"]) for at, event in received if "PayloadChunk" in event]
assert b"".join(chunk for _, chunk in chunks) == b"Hello world", received
# "Hello " came while the handler still waited before "world".
assert chunks[-1][0] - chunks[0][0] > 0.2, chunks
complete = received[-1][1]["InvokeComplete"]
assert "ErrorCode" not in complete, complete
assert base64.b64decode(complete["LogResult"]).decode().startswith("START RequestId: "), complete

received = events("hello")
assert [event for _, event in received][0] == {"PayloadChunk": {"Payload": b'{"hello":"stream","greeting":null}'}}, received
assert "InvokeComplete" in received[-1][1], received

complete = events("broken")[-1][1]["InvokeComplete"]
assert complete["ErrorCode"] == "TypeError" and complete["ErrorDetails"] == "no greeting today", complete

try:
    events("throttled")
    raise AssertionError("a throttled function streamed")
except client.exceptions.TooManyRequestsException:
    pass
try:
    events("nobody")
    raise AssertionError("an unknown function streamed")
except client.exceptions.ResourceNotFoundException:
    pass
print("response stream ok")
"#;

/// `InvokeWithResponseStream` with boto3: a streaming handler's chunks arrive as written,
/// a buffered handler's answer in one chunk, errors in `InvokeComplete`, refusals before
/// any stream.
#[test]
fn boto3_invokes_with_response_stream() {
    let Some(venv) = aws_clients("boto3_invokes_with_response_stream") else {
        return;
    };
    let test = TestWorkspace::new();
    test.add_js(
        "streaming",
        "index.handler",
        &[("index.mjs", STREAMING)],
        |_| {},
    );
    let (serve, port) = serve_hello(&test);
    let said = run_python(&venv, port, RESPONSE_STREAM_DRIVER, &serve);
    assert!(said.contains("response stream ok"), "{said}");
}

const CONFIGURATION_DRIVER: &str = r#"
import json, sys
import boto3
client = boto3.client("lambda", endpoint_url=sys.argv[1])

names = sorted(function["FunctionName"] for function in client.list_functions()["Functions"])
assert names == ["broken", "context", "hello", "throttled"], names

configuration = client.get_function_configuration(FunctionName="hello")
assert configuration["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:hello", configuration
assert configuration["Runtime"] == "nodejs20.x", configuration
assert configuration["Handler"] == "index.handler", configuration
assert configuration["MemorySize"] == 128 and configuration["Timeout"] == 3, configuration
assert configuration["Version"] == "$LATEST" and configuration["State"] == "Active", configuration
assert configuration["CodeSize"] > 0 and configuration["CodeSha256"], configuration
function = client.get_function(FunctionName="hello")
assert function["Code"]["RepositoryType"] == "S3", function

updated = client.update_function_configuration(
    FunctionName="hello", MemorySize=256, Timeout=10,
    Environment={"Variables": {"GREETING": "hi"}})
assert updated["MemorySize"] == 256 and updated["Timeout"] == 10, updated
assert updated["Environment"]["Variables"] == {"GREETING": "hi"}, updated
# The next invocation runs with the new configuration.
answer = client.invoke(FunctionName="hello", LogType="Tail")
assert json.loads(answer["Payload"].read())["greeting"] == "hi"
try:
    client.update_function_configuration(FunctionName="hello", Timeout=901)
    raise AssertionError("a timeout over 900 s was taken")
except client.exceptions.InvalidParameterValueException as error:
    assert "Timeout: 901 s is outside" in str(error), error
print("configuration ok")
"#;

#[test]
fn boto3_lists_reads_and_updates_configuration_keeping_comments() {
    let Some(venv) = aws_clients("boto3_lists_reads_and_updates_configuration_keeping_comments")
    else {
        return;
    };
    let test = TestWorkspace::new();
    let (serve, port) = serve_hello(&test);
    let config_path = test.workspace.root().join("functions/hello/function.toml");
    let commented = format!(
        "# Says hello; kept by every update.\n{}",
        std::fs::read_to_string(&config_path).unwrap()
    );
    std::fs::write(&config_path, &commented).unwrap();
    let said = run_python(&venv, port, CONFIGURATION_DRIVER, &serve);
    assert!(said.contains("configuration ok"), "{said}");
    let written = std::fs::read_to_string(&config_path).unwrap();
    assert!(
        written.starts_with("# Says hello; kept by every update.\n"),
        "{written}"
    );
    assert!(written.contains("memory_mb = 256"), "{written}");
    assert!(written.contains("timeout_secs = 10"), "{written}");
    assert!(written.contains("GREETING = \"hi\""), "{written}");
    let loaded = test.workspace.function("hello").unwrap().config;
    assert_eq!((loaded.memory_mb, loaded.timeout_secs), (256, 10));
}

const PAGING_DRIVER: &str = r#"
import sys
import boto3
client = boto3.client("lambda", endpoint_url=sys.argv[1])

first = client.list_functions()
assert len(first["Functions"]) == 50, len(first["Functions"])
assert "NextMarker" in first, first.keys()
second = client.list_functions(Marker=first["NextMarker"])
assert "NextMarker" not in second, second.keys()
names = [f["FunctionName"] for f in first["Functions"] + second["Functions"]]
assert names == sorted(names), names
assert len(names) == len(set(names)) == 64, len(names)

pages = client.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 20})
sizes = [len(page["Functions"]) for page in pages]
assert sizes == [20, 20, 20, 4], sizes
print("paging ok")

try:
    client.update_function_configuration(FunctionName="hello", MemorySize=512, Layers=["arn:aws:lambda:us-east-1:000000000000:layer:deps:1"])
    raise SystemExit("Layers was accepted")
except client.exceptions.InvalidParameterValueException as error:
    assert "Layers: lambdesk does not emulate" in str(error), error
try:
    client.update_function_configuration(FunctionName="hello", Runtime="python3.12")
    raise SystemExit("another runtime was accepted")
except client.exceptions.InvalidParameterValueException as error:
    assert "Runtime: lambdesk runs this function as" in str(error), error
answer = client.update_function_configuration(FunctionName="hello", Runtime="nodejs22.x", Role="arn:aws:iam::1:role/x", Timeout=7)
assert answer["Timeout"] == 7, answer
print("fields ok")
"#;

/// The SDKs' paginators walk ListFunctions as on Lambda (50 a page, `NextMarker`), and an
/// update asking for what lambdesk cannot do is refused whole, not half-applied.
#[test]
fn boto3_pages_through_functions_and_updates_refuse_what_lambdesk_cannot_do() {
    let Some(venv) =
        aws_clients("boto3_pages_through_functions_and_updates_refuse_what_lambdesk_cannot_do")
    else {
        return;
    };
    let test = TestWorkspace::new();
    for index in 0..60 {
        test.add_js(
            &format!("fn-{index:02}"),
            "index.handler",
            &[("index.mjs", HELLO)],
            |_| {},
        );
    }
    let (serve, port) = serve_hello(&test);
    let said = run_python(&venv, port, PAGING_DRIVER, &serve);
    assert!(
        said.contains("paging ok") && said.contains("fields ok"),
        "{said}"
    );
    let loaded = test.workspace.function("hello").unwrap().config;
    // The refused request's MemorySize was not applied; the accepted one's Timeout was.
    assert_eq!((loaded.memory_mb, loaded.timeout_secs), (128, 7));
}

#[test]
fn aws_cli_v1_invokes_a_function() {
    let Some(venv) = aws_clients("aws_cli_v1_invokes_a_function") else {
        return;
    };
    let test = TestWorkspace::new();
    let (serve, port) = serve_hello(&test);
    let out = test.dir.path().join("out.json");
    // CLI v1 takes `--payload` as it is (v2 wants `--cli-binary-format
    // raw-in-base64-out`, which v1 does not know).
    let output = Command::new(venv.join("bin/aws"))
        .args(["lambda", "invoke", "--endpoint-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .args([
            "--function-name",
            "hello",
            "--payload",
            r#"{"name": "cli"}"#,
        ])
        .arg(&out)
        .envs(aws_environment())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        serve.output()
    );
    let printed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["StatusCode"], 200, "{stdout}");
    assert_eq!(printed["ExecutedVersion"], "$LATEST", "{stdout}");
    let answer: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(answer["hello"], "cli");
}

/// One HTTP/1.1 request over a fresh connection; the whole answer as text.
fn raw_request(addr: std::net::SocketAddr, request: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// The engine the console runs in the background serves the API too, and its invocations
/// reach the sink (the console's history, costs and logs) as every trigger's do.
#[test]
fn the_trigger_engine_serves_the_api_and_records_its_invocations() {
    use std::sync::Arc;

    use lambdesk::triggers::async_delivery::AsyncOptions;
    use lambdesk::triggers::http::GatewayOptions;
    use lambdesk::triggers::invoke_api::InvokeApiOptions;
    use lambdesk::triggers::{EngineOptions, InvocationSink, TriggerContext, TriggerEngine};

    let test = TestWorkspace::new();
    test.add_js("hello", "index.handler", &[("index.mjs", HELLO)], |_| {});
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let recorder = Arc::new(common::Recorder::default());
    let context = Arc::new(TriggerContext::new(
        test.workspace.clone(),
        Arc::new(test.runtime()),
        Arc::clone(&recorder) as Arc<dyn InvocationSink>,
    ));
    let options = EngineOptions {
        gateway: GatewayOptions::for_workspace(&test.workspace),
        delivery: AsyncOptions::for_workspace(&test.workspace),
        invoke_api: Some(InvokeApiOptions {
            port: 0,
            ..InvokeApiOptions::for_workspace(&test.workspace)
        }),
    };
    let engine = tokio.block_on(TriggerEngine::start(context, options));
    assert!(engine.problems.is_empty(), "{:?}", engine.problems);
    let addr = engine.invoke_api_addr().unwrap();
    let body = r#"{"name": "engine"}"#;
    let answer = raw_request(
        addr,
        &format!(
            "POST /2015-03-31/functions/hello/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("x-amz-executed-version: $latest"),
        "{answer}"
    );
    assert!(
        answer.ends_with(r#"{"hello":"engine","greeting":null}"#),
        "{answer}"
    );
    let runs = recorder.runs_of("hello");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].origin, "Invoke API");
    assert_eq!(&*runs[0].event, body);
    // Only local names are answered, as by the gateway (a page elsewhere resolving its
    // own name to 127.0.0.1 gets nothing).
    let foreign = raw_request(
        addr,
        "GET /2015-03-31/functions/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert!(foreign.starts_with("HTTP/1.1 403"), "{foreign}");
    tokio.block_on(engine.stop());
}
