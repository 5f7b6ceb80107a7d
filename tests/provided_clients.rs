//! `runtime = "provided"` driven by AWS's own Runtime API clients, as Lambda runs them:
//! `awslambdaric` from PyPI running a Python handler natively (installed by `.ci/run`
//! into the AWS venv, `LAMBDESK_AWS_VENV`), and a Rust `bootstrap` built natively with the
//! `lambda_runtime` crate from crates.io (`tests/guests/provided_hello`), AWS's
//! `aws-lambda-ric` from npm running a Node handler, and a Go `bootstrap` built with
//! `aws-lambda-go` when a checkout of it is given (`LAMBDESK_AWS_LAMBDA_GO`: the Go module
//! proxy is out of `.ci/run`'s reach). Without its client a test says why and passes;
//! cargo is always here.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::engine::wait_up_to;
use common::serve::Serve;
use common::{TestWorkspace, function_error, invoke, response};
use lambdesk::model::{Function, FunctionConfig, Runtime as Language};

/// The venv with `awslambdaric`, or `None` (and why, on stderr) without one.
fn awslambdaric_venv(test_name: &str) -> Option<PathBuf> {
    common::venvs::AWS_VENV.with(test_name, &["awslambdaric"], &[])
}

/// A `provided` function `name` with `handler`, its `files`, and an executable `bootstrap`.
fn add_provided(
    test: &TestWorkspace,
    name: &str,
    handler: &str,
    files: &[(&str, &[u8])],
    bootstrap: &[u8],
) -> Function {
    let function = test
        .workspace
        .create_function(
            name,
            &FunctionConfig::new(Language::Provided, handler),
            files,
        )
        .unwrap();
    write_executable(&function.dir.join("bootstrap"), bootstrap);
    function
}

fn write_executable(path: &Path, text: &[u8]) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

const PYTHON_HANDLER: &str = r#"import json

def handler(event, context):
    print("python handler got", json.dumps(event, sort_keys=True))
    if event.get("fail"):
        raise ValueError("no order for " + event["name"])
    return {
        "hello": event.get("name", "world"),
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "time_left": context.get_remaining_time_in_millis() > 0,
        "client_custom": context.client_context.custom if context.client_context else None,
        "client_app": context.client_context.client.app_title
        if context.client_context and context.client_context.client else None,
    }
"#;

/// A `provided` function `name` whose bootstrap runs `PYTHON_HANDLER` through
/// awslambdaric, as a Python function on `provided.al2023` does: the bootstrap starts
/// AWS's runtime interface client with the handler Lambda gives it.
fn add_awslambdaric_function(test: &TestWorkspace, venv: &Path, name: &str) -> Function {
    let bootstrap = format!(
        "#!/bin/sh\nexec {} -m awslambdaric \"$_HANDLER\"\n",
        venv.join("bin/python").display()
    );
    add_provided(
        test,
        name,
        "app.handler",
        &[("app.py", PYTHON_HANDLER.as_bytes())],
        bootstrap.as_bytes(),
    )
}

#[tokio::test]
async fn awslambdaric_runs_a_python_handler_natively() {
    let Some(venv) = awslambdaric_venv("awslambdaric_runs_a_python_handler_natively") else {
        return;
    };
    let test = TestWorkspace::new();
    let function = add_awslambdaric_function(&test, &venv, "ric-python");
    let runtime = test.runtime();

    let record = invoke(&test, &runtime, &function, r#"{"name":"ada"}"#)
        .await
        .unwrap();
    let answer = response(&record);
    assert_eq!(answer["hello"], "ada");
    assert_eq!(answer["request_id"], record.request_id.as_str());
    assert_eq!(answer["function_name"], "ric-python");
    assert_eq!(answer["time_left"], true);
    assert!(record.init_duration_ms.is_some());
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line.contains("python handler got {\"name\": \"ada\"}")),
        "{:?}",
        record.log_lines
    );

    let failed = invoke(&test, &runtime, &function, r#"{"name":"bob","fail":true}"#)
        .await
        .unwrap();
    let error = function_error(&failed);
    assert_eq!(error.error_type, "ValueError");
    assert_eq!(error.error_message, "no order for bob");
    let frames = error
        .stack_trace
        .expect("awslambdaric sends the stack trace");
    assert!(
        frames
            .as_array()
            .unwrap()
            .iter()
            .any(|frame| frame.as_str().unwrap().contains("app.py")),
        "{frames}"
    );
    assert_eq!(failed.init_duration_ms, None, "the same warm process");
    assert!(
        failed
            .log_lines
            .iter()
            .any(|line| line.contains("ValueError") && line.contains("no order for bob")),
        "awslambdaric logs the error: {:?}",
        failed.log_lines
    );
}

/// Builds the `lambda_runtime` bootstrap (release, as it is deployed) into the cargo
/// target folder's tmp, where it stays between test runs.
pub fn built_rust_bootstrap() -> PathBuf {
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests/provided_hello/Cargo.toml");
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("provided-guest-target");
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .arg("build")
        .arg("--release")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building the lambda_runtime bootstrap failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    target_dir.join("release/bootstrap")
}

#[tokio::test]
async fn a_rust_bootstrap_built_with_lambda_runtime_answers_and_fails_as_on_lambda() {
    let bootstrap = built_rust_bootstrap();
    let test = TestWorkspace::new();
    let function = add_provided(
        &test,
        "rust-native",
        "bootstrap",
        &[],
        &std::fs::read(&bootstrap).unwrap(),
    );
    let runtime = test.runtime();

    let record = invoke(&test, &runtime, &function, r#"{"name":"grace"}"#)
        .await
        .unwrap();
    let answer = response(&record);
    assert_eq!(answer["hello"], "grace");
    assert_eq!(answer["request_id"], record.request_id.as_str());
    assert!(
        answer["function_arn"]
            .as_str()
            .unwrap()
            .ends_with(":function:rust-native")
    );
    assert_eq!(
        record.log_lines,
        [format!("hello from rust for {}", record.request_id)]
    );
    assert!(record.init_duration_ms.is_some());

    let failed = invoke(&test, &runtime, &function, r#"{"fail":true}"#)
        .await
        .unwrap();
    let error = function_error(&failed);
    assert_eq!(error.error_type, "HelloRefused");
    assert_eq!(error.error_message, "asked to fail");

    let warm = invoke(&test, &runtime, &function, r#"{"name":"again"}"#)
        .await
        .unwrap();
    assert_eq!(response(&warm)["hello"], "again");
    assert_eq!(warm.init_duration_ms, None, "still the same process");
}

const BOTO3_DRIVER: &str = r#"
import base64, json, sys
import boto3
client = boto3.client("lambda", endpoint_url=sys.argv[1])
shape = client.get_function_configuration(FunctionName="ric-served")
assert shape["Runtime"] == "provided.al2023", shape
answer = client.invoke(FunctionName="ric-served", Payload=json.dumps({"name": "boto3"}), LogType="Tail")
assert answer["StatusCode"] == 200, answer
assert "FunctionError" not in answer, answer
payload = json.loads(answer["Payload"].read())
assert payload["hello"] == "boto3", payload
log = base64.b64decode(answer["LogResult"]).decode()
assert log.startswith("START RequestId: " + payload["request_id"]), log
assert 'python handler got {"name": "boto3"}' in log, log
assert "\tInit Duration: " in log.splitlines()[-1], log
answer = client.invoke(FunctionName="ric-served", Payload=json.dumps({"name": "x", "fail": True}))
assert answer["FunctionError"] == "Unhandled", answer
error = json.loads(answer["Payload"].read())
assert error["errorType"] == "ValueError" and error["errorMessage"] == "no order for x", error
# The caller's ClientContext reaches awslambdaric's context through Lambda-Runtime-Client-Context.
client_context = {"client": {"app_title": "lambdesk tests", "installation_id": "i-1"},
                  "custom": {"warmer": "true"}, "env": {"locale": "en"}}
answer = client.invoke(FunctionName="ric-served", Payload=b"{}",
                       ClientContext=base64.b64encode(json.dumps(client_context).encode()).decode())
payload = json.loads(answer["Payload"].read())
assert payload["client_custom"] == {"warmer": "true"}, payload
assert payload["client_app"] == "lambdesk tests", payload
payload = json.loads(client.invoke(FunctionName="ric-served", Payload=b"{}")["Payload"].read())
assert payload["client_custom"] is None, payload
print("boto3 ok")
"#;

#[test]
fn boto3_invokes_a_provided_function_through_lambdesk_serve() {
    let Some(venv) = awslambdaric_venv("boto3_invokes_a_provided_function_through_lambdesk_serve")
    else {
        return;
    };
    let test = TestWorkspace::new();
    add_awslambdaric_function(&test, &venv, "ric-served");
    let serve = Serve::start(test.workspace.root());
    wait_up_to(
        std::time::Duration::from_secs(60),
        "serve is serving",
        || serve.said("serving"),
    );
    let output = serve.output();
    let port: u16 = output
        .lines()
        .find_map(|line| line.strip_prefix("lambdesk\tLambda Invoke API on http://127.0.0.1:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("serve says where the Invoke API listens:\n{output}"));
    let dir = tempfile::tempdir().unwrap();
    let driver = dir.path().join("driver.py");
    std::fs::write(&driver, BOTO3_DRIVER).unwrap();
    let result = Command::new(venv.join("bin/python"))
        .arg(&driver)
        .arg(format!("http://127.0.0.1:{port}"))
        .envs([
            ("AWS_ACCESS_KEY_ID", "x"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_CONFIG_FILE", "/dev/null"),
        ])
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}\n{}\nserve said:\n{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr),
        serve.output()
    );
}

#[test]
fn lambdesk_invoke_runs_the_rust_bootstrap_and_prints_lambdas_report() {
    let bootstrap = built_rust_bootstrap();
    let test = TestWorkspace::new();
    add_provided(
        &test,
        "rust-cli",
        "bootstrap",
        &[],
        &std::fs::read(&bootstrap).unwrap(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("--workspace")
        .arg(test.workspace.root())
        .args(["invoke", "rust-cli", "--event", "-", "-v"])
        .env("LAMBDESK_CACHE_DIR", test.dir.path().join("cache"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(br#"{"name":"cli"}"#)
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let answer: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(answer["hello"], "cli");
    assert!(stderr.contains("native process"), "{stderr}");
    assert!(stderr.contains("hello from rust for "), "{stderr}");
    assert!(stderr.contains("\tInit Duration: "), "{stderr}");
}

/// `aws-lambda-ric` from npm (built by `.ci/run` into `~/.cache/lambdesk-node-ric`, or
/// `LAMBDESK_NODE_RIC_DIR`), or `None` (and why, on stderr) without it.
fn aws_lambda_ric(test_name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("LAMBDESK_NODE_RIC_DIR").map_or_else(
        || {
            dirs::home_dir()
                .unwrap_or_default()
                .join(".cache/lambdesk-node-ric")
        },
        PathBuf::from,
    );
    let package = dir.join("node_modules/aws-lambda-ric");
    let ready = package.join("dist/rapid-client.node").is_file();
    if !ready {
        eprintln!(
            "skipping {test_name}: no aws-lambda-ric with its native client in {} (.ci/run installs it; set LAMBDESK_NODE_RIC_DIR to another folder)",
            dir.display()
        );
    }
    ready.then_some(package)
}

/// A `provided` function `name` whose bootstrap runs `source` (`index.mjs`) through
/// aws-lambda-ric with the machine's `node`, as a Node function on `provided.al2023` does.
fn add_node_ric_function(test: &TestWorkspace, ric: &Path, name: &str, source: &str) -> Function {
    let node = Command::new("node")
        .args(["-p", "process.execPath"])
        .output()
        .unwrap();
    let node = String::from_utf8(node.stdout).unwrap().trim().to_owned();
    let bootstrap = format!(
        "#!/bin/sh\nexec {node} {} \"$_HANDLER\"\n",
        ric.join("bin/index.mjs").display()
    );
    add_provided(
        test,
        name,
        "index.handler",
        &[("index.mjs", source.as_bytes())],
        bootstrap.as_bytes(),
    )
}

const NODE_HANDLER: &str = r#"export const handler = async (event, context) => {
  console.log("node handler got", JSON.stringify(event));
  if (event.fail) {
    throw new TypeError("no order for " + event.name);
  }
  return { hello: event.name, request_id: context.awsRequestId, time_left: context.getRemainingTimeInMillis() > 0 };
};
"#;

#[tokio::test]
async fn aws_lambda_ric_runs_a_node_handler_natively() {
    let Some(ric) = aws_lambda_ric("aws_lambda_ric_runs_a_node_handler_natively") else {
        return;
    };
    let test = TestWorkspace::new();
    let function = add_node_ric_function(&test, &ric, "ric-node", NODE_HANDLER);
    let runtime = test.runtime();

    let record = invoke(&test, &runtime, &function, r#"{"name":"ada"}"#)
        .await
        .unwrap();
    let answer = response(&record);
    assert_eq!(answer["hello"], "ada");
    assert_eq!(answer["request_id"], record.request_id.as_str());
    assert_eq!(answer["time_left"], true);
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line.contains(&record.request_id)
                && line.contains("INFO")
                && line.contains("node handler got {\"name\":\"ada\"}")),
        "{:?}",
        record.log_lines
    );

    let failed = invoke(&test, &runtime, &function, r#"{"name":"bob","fail":true}"#)
        .await
        .unwrap();
    let error = function_error(&failed);
    assert_eq!(error.error_type, "TypeError");
    assert_eq!(error.error_message, "no order for bob");
    assert!(
        error.stack_trace.is_some() || error.trace.is_some(),
        "{error:?}"
    );
    assert_eq!(failed.init_duration_ms, None, "the same warm process");
}

const GO_HANDLER: &str = r#"package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type Event struct {
	Name string `json:"name"`
	Fail bool   `json:"fail"`
}

func handler(ctx context.Context, event Event) (map[string]any, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Println("go handler for", lc.AwsRequestID)
	if event.Fail {
		return nil, errors.New("no order for " + event.Name)
	}
	_, hasDeadline := ctx.Deadline()
	return map[string]any{
		"hello":        event.Name,
		"request_id":   lc.AwsRequestID,
		"function":     lambdacontext.FunctionName,
		"has_deadline": hasDeadline,
		"app":          lc.ClientContext.Client.AppTitle,
	}, nil
}

func main() { lambda.Start(handler) }
"#;

/// AWS's `aws-lambda-go` when a checkout of it is given (`LAMBDESK_AWS_LAMBDA_GO`, e.g. a
/// clone of github.com/aws/aws-lambda-go): it comes from the Go module proxy, which
/// `.ci/run` cannot reach, and from no registry it can; without it this says why and
/// passes. Built as Lambda's Go guide says (`-tags lambda.norpc`, a static `bootstrap`).
#[tokio::test]
async fn aws_lambda_go_runs_a_go_handler_natively() {
    const NAME: &str = "aws_lambda_go_runs_a_go_handler_natively";
    let Some(source) = std::env::var_os("LAMBDESK_AWS_LAMBDA_GO") else {
        eprintln!(
            "skipping {NAME}: set LAMBDESK_AWS_LAMBDA_GO to a checkout of github.com/aws/aws-lambda-go"
        );
        return;
    };
    if !common::go_toolchain_ready(NAME) {
        return;
    }
    let test = TestWorkspace::new();
    let function = test
        .workspace
        .create_function(
            "go-native",
            &FunctionConfig::new(Language::Provided, "bootstrap"),
            &[],
        )
        .unwrap();
    let module = tempfile::tempdir().unwrap();
    std::fs::write(
        module.path().join("go.mod"),
        format!(
            "module example.com/gonative\n\ngo 1.24\n\nrequire github.com/aws/aws-lambda-go v1.0.0\n\nreplace github.com/aws/aws-lambda-go => {}\n",
            Path::new(&source).display()
        ),
    )
    .unwrap();
    std::fs::write(module.path().join("main.go"), GO_HANDLER).unwrap();
    let go = std::env::var_os("LAMBDESK_GO").unwrap_or_else(|| "go".into());
    let built = Command::new(go)
        .args(["build", "-tags", "lambda.norpc", "-o"])
        .arg(function.dir.join("bootstrap"))
        .arg(".")
        .current_dir(module.path())
        .envs([
            ("CGO_ENABLED", "0"),
            ("GOFLAGS", "-mod=mod"),
            ("GOPROXY", "off"),
            ("GOSUMDB", "off"),
        ])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "go build failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let runtime = test.runtime();

    let record = invoke(&test, &runtime, &function, r#"{"name":"ada"}"#)
        .await
        .unwrap();
    let answer = response(&record);
    assert_eq!(answer["hello"], "ada");
    assert_eq!(answer["request_id"], record.request_id.as_str());
    assert_eq!(answer["function"], "go-native");
    assert_eq!(answer["has_deadline"], true);
    assert_eq!(
        record.log_lines,
        [format!("go handler for {}", record.request_id)]
    );
    assert!(record.init_duration_ms.is_some());

    let failed = invoke(&test, &runtime, &function, r#"{"name":"x","fail":true}"#)
        .await
        .unwrap();
    let error = function_error(&failed);
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        ("errorString", "no order for x")
    );

    let client_context = r#"{"client":{"app_title":"tests"}}"#;
    let warm = common::invoke_with_client_context(
        &test,
        &runtime,
        &function,
        r#"{"name":"again"}"#,
        client_context,
    )
    .await
    .unwrap();
    assert_eq!(response(&warm)["app"], "tests");
    assert_eq!(warm.init_duration_ms, None, "still the same process");
}

/// A streaming handler built with `lambda_runtime::streaming` (the Runtime API's
/// `Lambda-Runtime-Function-Response-Mode: streaming`): its chunks reach whoever invoked as
/// the bootstrap sends them, as with `InvokeWithResponseStream` or a Function URL in
/// `RESPONSE_STREAM` mode, and the record keeps the body, as the Invoke API returns it.
#[tokio::test]
async fn a_streaming_rust_bootstrap_sends_its_chunks_as_it_writes_them() {
    use lambdesk::runtime::{StreamedPart, response_channel};
    let streaming = built_rust_bootstrap().with_file_name("bootstrap-streaming");
    let test = TestWorkspace::new();
    let function = add_provided(
        &test,
        "rust-stream",
        "bootstrap",
        &[],
        &std::fs::read(&streaming).unwrap(),
    );
    let runtime = test.runtime();
    let (sink, mut parts) = response_channel();
    let started = std::time::Instant::now();
    let invocation = runtime.invoke_streaming(&test.workspace, &function, b"{}", sink);
    let receiving = async {
        let mut received = Vec::new();
        while let Some(part) = parts.recv().await {
            received.push((started.elapsed(), part));
        }
        received
    };
    let (record, received) = tokio::join!(invocation, receiving);
    let record = record.unwrap();
    assert_eq!(
        received.first().map(|(_, part)| part),
        Some(&StreamedPart::Started {
            content_type: "application/vnd.awslambda.http-integration-response".to_owned()
        }),
        "{received:?}"
    );
    let mut body = Vec::new();
    let mut arrivals = Vec::new();
    for (at, part) in &received[1..] {
        let StreamedPart::Chunk(chunk) = part else {
            panic!("a second start: {received:?}");
        };
        body.extend_from_slice(chunk);
        arrivals.push((*at, String::from_utf8_lossy(chunk).into_owned()));
    }
    let text = String::from_utf8(body).unwrap();
    // The crate's prelude (status and headers, JSON), eight NULs, then the body.
    assert!(text.starts_with('{'), "{text:?}");
    assert!(text.ends_with("\0\0\0\0\0\0\0\0Hello\nworld\n"), "{text:?}");
    let arrival_of = |word: &str| {
        arrivals
            .iter()
            .find(|(_, chunk)| chunk.contains(word))
            .map(|(at, _)| *at)
            .unwrap()
    };
    // "Hello" came while the handler still waited before "world" (it waits 500 ms).
    assert!(
        arrival_of("world") - arrival_of("Hello") >= std::time::Duration::from_millis(300),
        "{arrivals:?}"
    );
    assert_eq!(
        record.outcome,
        lambdesk::model::Outcome::Success(serde_json::Value::String(text))
    );
}

const NODE_STREAMING_HANDLER: &str = r#"export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("Hello\n");
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (event.fail) {
    throw new Error("midway");
  }
  responseStream.write("world\n");
  responseStream.end();
});
"#;

/// aws-lambda-ric's `awslambda.streamifyResponse`: the chunks stream through the Runtime
/// API as written, and an error midway comes in the request's trailers, which lambdesk
/// reports as the function's error (after the chunks already sent).
#[tokio::test]
async fn aws_lambda_ric_streams_a_response_and_reports_an_error_midway() {
    use lambdesk::runtime::{StreamedPart, response_channel};
    let Some(ric) = aws_lambda_ric("aws_lambda_ric_streams_a_response_and_reports_an_error_midway")
    else {
        return;
    };
    let test = TestWorkspace::new();
    let function = add_node_ric_function(&test, &ric, "ric-stream", NODE_STREAMING_HANDLER);
    let runtime = test.runtime();
    let streamed = |event: &'static str| {
        let (sink, mut parts) = response_channel();
        let invocation =
            runtime.invoke_streaming(&test.workspace, &function, event.as_bytes(), sink);
        async move {
            let receiving = async {
                let mut body = Vec::new();
                let mut started = None;
                while let Some(part) = parts.recv().await {
                    match part {
                        StreamedPart::Started { content_type } => started = Some(content_type),
                        StreamedPart::Chunk(chunk) => body.extend_from_slice(&chunk),
                    }
                }
                (started, String::from_utf8(body).unwrap())
            };
            let (record, received) = tokio::join!(invocation, receiving);
            (record.unwrap(), received)
        }
    };

    let (record, (started, body)) = streamed("{}").await;
    assert_eq!(started.as_deref(), Some("application/octet-stream"));
    assert_eq!(body, "Hello\nworld\n");
    assert_eq!(
        record.outcome,
        lambdesk::model::Outcome::Success(serde_json::Value::String(body))
    );

    let (record, (_, body)) = streamed(r#"{"fail":true}"#).await;
    assert_eq!(body, "Hello\n", "what was sent before the error");
    let error = function_error(&record);
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        ("Error", "midway")
    );
}
