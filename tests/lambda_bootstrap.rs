//! `lambdesk lambda-bootstrap` as Lambda runs a custom runtime's `bootstrap`: the real
//! binary, started in a code folder `lambdesk export` wrote, with Lambda's environment
//! variables, against a stand-in of Lambda's Runtime API (plain HTTP/1.1, as in the
//! execution environment) that hands out events and records what comes back.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{TestWorkspace, command_module, grow_then_answer};

/// One request the bootstrap made: method, path, the error-type header, body.
#[derive(Debug, Clone)]
struct Posted {
    path: String,
    error_type: Option<String>,
    body: serde_json::Value,
}

/// The Runtime API stand-in: events to hand out (request id, body), what was posted.
struct RuntimeApi {
    address: String,
    posted: Arc<Mutex<Vec<Posted>>>,
}

impl RuntimeApi {
    fn start(events: Vec<(&str, &str)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let events: Arc<Mutex<VecDeque<(String, String)>>> = Arc::new(Mutex::new(
            events
                .into_iter()
                .map(|(id, body)| (id.to_owned(), body.to_owned()))
                .collect(),
        ));
        let posted = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&posted);
        std::thread::Builder::new()
            .name("runtime-api-stand-in".to_owned())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { return };
                    let events = Arc::clone(&events);
                    let recorded = Arc::clone(&recorded);
                    std::thread::Builder::new()
                        .name("runtime-api-request".to_owned())
                        .spawn(move || answer(stream, &events, &recorded))
                        .unwrap();
                }
            })
            .unwrap();
        Self { address, posted }
    }

    fn wait_for_posts(&self, count: usize, bootstrap: &mut Child) -> Vec<Posted> {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let posted = self.posted.lock().unwrap().clone();
            if posted.len() >= count {
                return posted;
            }
            if let Ok(Some(status)) = bootstrap.try_wait() {
                let mut stderr = String::new();
                bootstrap
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .unwrap();
                panic!("the bootstrap exited ({status}) after {posted:?}:\n{stderr}");
            }
            assert!(
                Instant::now() < deadline,
                "only {posted:?} came back in time"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Serves one connection's request: `next` hands out the next event (or holds the
/// request, as Lambda does while there is none); a POST is recorded.
fn answer(
    stream: TcpStream,
    events: &Mutex<VecDeque<(String, String)>>,
    posted: &Mutex<Vec<Posted>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut content_length = 0;
    let mut error_type = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
            break;
        }
        let (name, value) = line.trim().split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => content_length = value.trim().parse().unwrap(),
            "lambda-runtime-function-error-type" => error_type = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body).unwrap();
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap(), parts.next().unwrap().to_owned());
    let mut stream = stream;
    if method == "GET" && path == "/2018-06-01/runtime/invocation/next" {
        let Some((request_id, event)) = events.lock().unwrap().pop_front() else {
            // No more events: hold the request until the test ends the bootstrap.
            std::thread::sleep(Duration::from_secs(600));
            return;
        };
        let deadline_ms = chrono::Utc::now().timestamp_millis() + 3_000;
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: {request_id}\r\nLambda-Runtime-Deadline-Ms: {deadline_ms}\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:111122223333:function:echo\r\nLambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{event}",
            event.len()
        );
        return;
    }
    posted.lock().unwrap().push(Posted {
        path,
        error_type,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    let _ = write!(
        stream,
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{{\"status\":\"OK\"}}"
    );
}

/// Exports the test's workspace (the binary's `export`) and returns the export folder.
fn export(test: &TestWorkspace) -> std::path::PathBuf {
    let out = test.dir.path().join("sam");
    let exported = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .env(lambdesk::runtime::GO_BUILD_DIR_VAR, common::go_build_dir())
        .env("LAMBDESK_RUST_TARGET_DIR", common::rust_target_dir())
        .arg("--workspace")
        .arg(test.workspace.root())
        .args(["export", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    out
}

/// A workspace with the sample's echo and `greedy`, which traps once past its memory
/// (3000 pages are 187 MB, over the function's 128 MB), and the folder it exported to.
fn exported_echo_and_greedy() -> (TestWorkspace, std::path::PathBuf) {
    let test = TestWorkspace::new();
    test.add_wat(
        "echo",
        include_str!("../assets/sample/echo/main.wat"),
        |_| {},
    );
    test.add_wat("greedy", &grow_then_answer(3000), |_| {});
    let out = export(&test);
    (test, out)
}

/// The bootstrap as Lambda starts it, for the function whose code is in `task_root`.
fn start_bootstrap(task_root: &Path, api: &RuntimeApi, handler: &str, scratch: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("lambda-bootstrap")
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("LAMBDA_TASK_ROOT", task_root)
        .env("_HANDLER", handler)
        .env("AWS_LAMBDA_FUNCTION_NAME", "echo")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_REGION", "eu-west-1")
        .env("TMPDIR", scratch)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn stop(mut bootstrap: Child) -> String {
    let _ = bootstrap.kill();
    let output = bootstrap.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn an_exported_wat_function_answers_lambdas_runtime_api_and_reports_its_failures() {
    let (_exported_from, out) = exported_echo_and_greedy();

    let api = RuntimeApi::start(vec![
        ("req-1", r#"{"hello":"lambda"}"#),
        ("req-2", r#"[1,2,3]"#),
    ]);
    let scratch = tempfile::tempdir().unwrap();
    let mut bootstrap = start_bootstrap(
        &out.join("functions/echo"),
        &api,
        "main.wat",
        scratch.path(),
    );
    let posted = api.wait_for_posts(2, &mut bootstrap);
    let stdout = stop(bootstrap);
    assert_eq!(
        posted[0].path,
        "/2018-06-01/runtime/invocation/req-1/response"
    );
    assert_eq!(posted[0].body, serde_json::json!({ "hello": "lambda" }));
    assert_eq!(
        posted[1].path,
        "/2018-06-01/runtime/invocation/req-2/response"
    );
    assert_eq!(posted[1].body, serde_json::json!([1, 2, 3]));
    assert!(
        stdout.contains("echo: returning the event"),
        "the function's log lines go to stdout: {stdout}"
    );

    let api = RuntimeApi::start(vec![("req-3", "{}")]);
    let mut bootstrap = start_bootstrap(
        &out.join("functions/greedy"),
        &api,
        "main.wat",
        scratch.path(),
    );
    let posted = api.wait_for_posts(1, &mut bootstrap);
    stop(bootstrap);
    assert_eq!(posted[0].path, "/2018-06-01/runtime/invocation/req-3/error");
    assert_eq!(posted[0].error_type.as_deref(), Some("Runtime.OutOfMemory"));
    assert_eq!(posted[0].body["errorType"], "Runtime.OutOfMemory");
}

#[test]
fn an_exported_go_function_runs_its_built_module_on_the_bootstrap() {
    if !common::go_toolchain_ready("an_exported_go_function_runs_its_built_module_on_the_bootstrap")
    {
        return;
    }
    let test = TestWorkspace::new();
    common::from_blueprint(&test, "go-hello", "greeter");
    let out = export(&test);
    let task_root = out.join("functions/greeter");
    assert!(
        task_root.join("function.wasm").is_file(),
        "export builds the module"
    );
    assert!(task_root.join("main.go").is_file(), "and keeps the sources");

    let api = RuntimeApi::start(vec![("req-go", r#"{"name":"Ada"}"#)]);
    let scratch = tempfile::tempdir().unwrap();
    let mut bootstrap = start_bootstrap(&task_root, &api, "function.wasm", scratch.path());
    let posted = api.wait_for_posts(1, &mut bootstrap);
    stop(bootstrap);
    assert_eq!(
        posted[0].path, "/2018-06-01/runtime/invocation/req-go/response",
        "{posted:?}"
    );
    assert!(posted[0].body.to_string().contains("Ada"), "{posted:?}");
}

#[test]
fn a_module_that_does_not_load_is_an_init_error() {
    let test = TestWorkspace::new();
    test.add_wat(
        "broken",
        &command_module(
            "(call $write (i32.const 1) (i32.const 16) (i32.const 2))",
            "{}",
        ),
        |_| {},
    );
    let out = export(&test);
    let task_root = out.join("functions/broken");
    std::fs::write(task_root.join("main.wat"), "(module (func $oops").unwrap();

    let api = RuntimeApi::start(vec![("req-1", "{}")]);
    let scratch = tempfile::tempdir().unwrap();
    let mut bootstrap = start_bootstrap(&task_root, &api, "main.wat", scratch.path());
    let posted = api.wait_for_posts(1, &mut bootstrap);
    assert_eq!(posted[0].path, "/2018-06-01/runtime/init/error");
    assert!(
        posted[0].body["errorMessage"]
            .as_str()
            .is_some_and(|message| message.contains("main.wat")),
        "{posted:?}"
    );
    let status = bootstrap.wait().unwrap();
    assert!(!status.success(), "the bootstrap exits after an init error");
}

#[test]
fn outside_lambda_it_says_what_is_missing() {
    let output = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("lambda-bootstrap")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("AWS_LAMBDA_RUNTIME_API is not set"),
        "{stderr}"
    );
}

/// A `provided` function of a workspace whose `bootstrap` is lambdesk's own, serving the
/// exported code in `task/` (its `function.toml` is the export's, for the bootstrap).
fn provided_function_on_lambdas_bootstrap(
    test: &TestWorkspace,
    name: &str,
    exported: &Path,
    memory_mb: u32,
) -> lambdesk::model::Function {
    use std::os::unix::fs::PermissionsExt as _;
    let script = format!(
        "#!/bin/sh\n# lambdesk's headless bootstrap, with the exported code under task/\nLAMBDA_TASK_ROOT=\"$LAMBDA_TASK_ROOT/task\" exec '{}' lambda-bootstrap\n",
        env!("CARGO_BIN_EXE_lambdesk")
    );
    let mut files: Vec<(String, Vec<u8>)> = vec![("bootstrap".to_owned(), script.into_bytes())];
    for entry in std::fs::read_dir(exported).unwrap() {
        let entry = entry.unwrap();
        files.push((
            format!("task/{}", entry.file_name().to_string_lossy()),
            std::fs::read(entry.path()).unwrap(),
        ));
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
        .collect();
    let mut config =
        lambdesk::model::FunctionConfig::new(lambdesk::model::Runtime::Provided, "main.wat");
    config.memory_mb = memory_mb;
    let function = test
        .workspace
        .create_function(name, &config, &borrowed)
        .unwrap();
    let bootstrap = function.dir.join("bootstrap");
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    function
}

#[tokio::test]
async fn lambda_bootstrap_serves_lambdesks_own_runtime_api() {
    let (_exported_from, out) = exported_echo_and_greedy();

    let test = TestWorkspace::new();
    let echo =
        provided_function_on_lambdas_bootstrap(&test, "echo", &out.join("functions/echo"), 1024);
    let runtime = test.runtime();
    let first = common::invoke(&test, &runtime, &echo, r#"{"hello":"lambda"}"#)
        .await
        .unwrap();
    assert_eq!(
        common::response(&first),
        serde_json::json!({ "hello": "lambda" })
    );
    assert!(first.init_duration_ms.is_some(), "a cold start");
    assert!(
        first
            .log_lines
            .iter()
            .any(|line| line.contains("echo: returning the event")),
        "the module's log is the invocation's: {:?}",
        first.log_lines
    );
    let second = common::invoke(&test, &runtime, &echo, "[1,2,3]")
        .await
        .unwrap();
    assert_eq!(common::response(&second), serde_json::json!([1, 2, 3]));
    assert_eq!(second.init_duration_ms, None, "the same process, warm");

    // The function's memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, as Lambda sets it) is the
    // module's limit under the bootstrap; its error comes back through the error path.
    let greedy =
        provided_function_on_lambdas_bootstrap(&test, "greedy", &out.join("functions/greedy"), 128);
    let failed = common::invoke(&test, &runtime, &greedy, "{}")
        .await
        .unwrap();
    let error = common::function_error(&failed);
    assert_eq!(
        error.error_type, "Runtime.OutOfMemory",
        "{error:?} {:?}",
        failed.log_lines
    );
}
