//! `runtime = "provided"`: a function's `bootstrap` runs as a native process talking to
//! Lambda's Runtime API. Real clients drive it (AWS's `awslambdaric` from PyPI, the
//! `lambda_runtime` crate from crates.io, in `provided_clients.rs`); here a Python
//! runtime written with the standard library only (urllib) reaches the edges: the
//! environment, every header, Init and invocation errors, timeouts, exits, memory, warm
//! reuse, concurrency, code changes and logs.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{TestWorkspace, function_error, invoke, response};
use lambdesk::model::{Function, FunctionConfig, InvocationRecord, Runtime as Language};

/// A custom runtime in Python's standard library, doing what each event asks.
const STDLIB_RUNTIME: &str = r#"
import json, os, sys, time, urllib.error, urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"

def call(method, path, body=None, headers=None):
    request = urllib.request.Request(API + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()

def respond(request_id, value):
    return call("POST", "/invocation/" + request_id + "/response", json.dumps(value).encode())

print("init in process", os.getpid())
if os.environ.get("FAIL_INIT"):
    call("POST", "/init/error",
         json.dumps({"errorMessage": "cannot start: FAIL_INIT is set", "errorType": "Runtime.ConfigError"}).encode(),
         {"Lambda-Runtime-Function-Error-Type": "Runtime.ConfigError"})
    sys.exit(1)

late = []
while True:
    status, headers, body = call("GET", "/invocation/next")
    request_id = headers["Lambda-Runtime-Aws-Request-Id"]
    event = json.loads(body)
    action = event.get("action", "echo")
    print("handling", action, "for", request_id)
    sys.stderr.write("stderr line for " + request_id + "\n")
    if action == "env":
        respond(request_id, {"env": dict(os.environ), "headers": headers, "cwd": os.getcwd(),
                             "pid": os.getpid(), "tmp_is_dir": os.path.isdir(os.environ.get("TMPDIR", "/nonexistent"))})
    elif action == "error":
        call("POST", "/invocation/" + request_id + "/error",
             json.dumps({"errorMessage": "the order is invalid", "errorType": "OrderError",
                         "stackTrace": ["  File \"runtime.py\", line 1, in handle"]}).encode(),
             {"Lambda-Runtime-Function-Error-Type": "Function.OrderError"})
    elif action == "sleep":
        time.sleep(event["seconds"])
        respond(request_id, {"slept": event["seconds"], "pid": os.getpid()})
    elif action == "exit":
        print("exiting mid-invocation")
        sys.exit(3)
    elif action == "memory":
        hoard = []
        while True:
            hoard.append(bytearray(4 * 1024 * 1024))
    elif action == "protocol":
        wrong = call("POST", "/invocation/not-the-request/response", b"{}")
        init_after = call("POST", "/init/error", b"{}")
        respond(request_id, {"wrong_id": [wrong[0], json.loads(wrong[2])],
                             "init_error_after_init": [init_after[0], json.loads(init_after[2])]})
        again = respond(request_id, {"second": True})
        late.append(again[0])
        late.append(json.loads(again[2])["errorType"])
        print("a line after the response")
    elif action == "big":
        status, _, answer = call("POST", "/invocation/" + request_id + "/response", b'"' + b"x" * (7 * 1024 * 1024) + b'"')
        late.append(status)
        late.append(json.loads(answer)["errorType"])
    elif action == "late":
        respond(request_id, {"late": late})
    else:
        respond(request_id, {"echo": event, "pid": os.getpid()})
"#;

/// The host's Python, by its real path (the function sees Lambda's PATH, not ours).
fn python() -> PathBuf {
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A `provided` function whose bootstrap runs `STDLIB_RUNTIME`.
fn add_stdlib_function(
    test: &TestWorkspace,
    name: &str,
    configure: impl FnOnce(&mut FunctionConfig),
) -> Function {
    let mut config = FunctionConfig::new(Language::Provided, "runtime.handler");
    configure(&mut config);
    let function = test
        .workspace
        .create_function(name, &config, &[("runtime.py", STDLIB_RUNTIME.as_bytes())])
        .unwrap();
    write_executable(
        &function.dir.join("bootstrap"),
        &format!(
            "#!/bin/sh\nexec {} -u \"$LAMBDA_TASK_ROOT/runtime.py\"\n",
            python().display()
        ),
    );
    function
}

fn pid_of(record: &InvocationRecord) -> u64 {
    response(record)["pid"].as_u64().unwrap()
}

fn process_is_gone(pid: u64) -> bool {
    // Killed: gone, or a zombie until its parent (lambdesk's waiting thread) reaps it.
    for _ in 0..200 {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat) if stat.contains(") Z ") => return true,
            Ok(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    false
}

#[tokio::test]
async fn the_process_gets_lambdas_environment_and_every_runtime_api_header() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-env", |config| {
        config.environment.insert("GREETING".into(), "hi".into());
    });
    let runtime = test.runtime();
    let before_ms = chrono::Utc::now().timestamp_millis();
    let record = invoke(&test, &runtime, &function, r#"{"action":"env"}"#)
        .await
        .unwrap();
    let answer = response(&record);
    let env = answer["env"].as_object().unwrap();
    let names: BTreeSet<&str> = env
        .keys()
        .map(String::as_str)
        // The bootstrap's shell sets PWD, and Python LC_CTYPE when it coerces the C
        // locale: theirs, not the host's.
        .filter(|name| !["PWD", "LC_CTYPE"].contains(name))
        .collect();
    let expected: BTreeSet<&str> = [
        "AWS_DEFAULT_REGION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "GREETING",
        "LAMBDA_TASK_ROOT",
        "LANG",
        "LD_LIBRARY_PATH",
        "PATH",
        "TMPDIR",
        "TZ",
        "_HANDLER",
    ]
    .into_iter()
    .collect();
    // Nothing of the test process (CARGO_*, HOME, its PATH) reaches the function.
    assert_eq!(names, expected, "{env:#?}");
    assert_eq!(env["_HANDLER"], "runtime.handler");
    assert_eq!(env["GREETING"], "hi");
    assert_eq!(env["PATH"], "/usr/local/bin:/usr/bin/:/bin:/opt/bin");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "native-env");
    assert_eq!(
        env["AWS_LAMBDA_LOG_STREAM_NAME"],
        record.log_stream.as_str()
    );
    assert!(
        env["AWS_LAMBDA_RUNTIME_API"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    let task_root = function.dir.display().to_string();
    assert_eq!(env["LAMBDA_TASK_ROOT"], task_root.as_str());
    assert_eq!(
        Path::new(answer["cwd"].as_str().unwrap())
            .canonicalize()
            .unwrap(),
        function.dir.canonicalize().unwrap()
    );
    assert_eq!(answer["tmp_is_dir"], true);

    let headers = answer["headers"].as_object().unwrap();
    assert_eq!(
        headers["Lambda-Runtime-Aws-Request-Id"],
        record.request_id.as_str()
    );
    assert_eq!(
        headers["Lambda-Runtime-Invoked-Function-Arn"],
        format!(
            "arn:aws:lambda:{}:000000000000:function:native-env",
            test.workspace.config().region
        )
        .as_str()
    );
    let deadline_ms: i64 = headers["Lambda-Runtime-Deadline-Ms"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        deadline_ms >= before_ms + 3_000
            && deadline_ms <= chrono::Utc::now().timestamp_millis() + 3_000,
        "the deadline is the start plus the 3 s timeout: {deadline_ms}"
    );
    assert!(
        headers["Lambda-Runtime-Trace-Id"]
            .as_str()
            .unwrap()
            .starts_with("Root=1-")
    );
    assert_eq!(headers["Content-Type"], "application/json");
    // No client context or Cognito identity was given: Lambda sends neither header.
    assert!(!headers.contains_key("Lambda-Runtime-Client-Context"));
    assert!(!headers.contains_key("Lambda-Runtime-Cognito-Identity"));
}

#[tokio::test]
async fn a_warm_process_serves_again_and_only_the_cold_start_has_an_init_duration() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-warm", |_| {});
    let runtime = test.runtime();
    let first = invoke(&test, &runtime, &function, r#"{"n":1}"#)
        .await
        .unwrap();
    let second = invoke(&test, &runtime, &function, r#"{"n":2}"#)
        .await
        .unwrap();
    assert_eq!(response(&first)["echo"]["n"], 1);
    assert_eq!(
        pid_of(&first),
        pid_of(&second),
        "the same process served both"
    );
    assert!(first.init_duration_ms.is_some_and(|ms| ms > 0.0));
    assert_eq!(second.init_duration_ms, None);
    assert_eq!(first.log_stream, second.log_stream);
    // Init's line before START, each invocation's lines with it, in the order written
    // across stdout and stderr.
    assert_eq!(
        first.init_log_lines,
        [format!("init in process {}", pid_of(&first))]
    );
    assert_eq!(
        second.log_lines,
        [
            format!("handling echo for {}", second.request_id),
            format!("stderr line for {}", second.request_id),
        ]
    );
    assert!(first.max_memory_used_mb > 0);
    assert_eq!(runtime.idle_environments("native-warm"), 1);
    runtime.unload("native-warm");
    assert!(process_is_gone(pid_of(&first)), "unload kills the process");
}

#[tokio::test]
async fn concurrent_invocations_run_in_processes_of_their_own() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-concurrent", |_| {});
    let runtime = test.runtime();
    let event = r#"{"action":"sleep","seconds":0.5}"#;
    let (one, two) = tokio::join!(
        invoke(&test, &runtime, &function, event),
        invoke(&test, &runtime, &function, event)
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_ne!(pid_of(&one), pid_of(&two));
    assert!(
        one.log_lines[0].ends_with(&one.request_id),
        "{:?}",
        one.log_lines
    );
    assert!(
        two.log_lines[0].ends_with(&two.request_id),
        "{:?}",
        two.log_lines
    );
    assert_eq!(runtime.idle_environments("native-concurrent"), 2);
}

#[tokio::test]
async fn changed_code_starts_a_new_process() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-change", |_| {});
    let runtime = test.runtime();
    let before = invoke(&test, &runtime, &function, "{}").await.unwrap();
    std::fs::write(function.dir.join("helper.py"), "VALUE = 1\n").unwrap();
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_ne!(pid_of(&before), pid_of(&after));
    assert!(after.init_duration_ms.is_some());
    assert!(
        process_is_gone(pid_of(&before)),
        "the old process was killed"
    );
}

#[tokio::test]
async fn a_timeout_kills_the_process_and_the_next_invocation_is_a_cold_start() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-timeout", |config| {
        config.timeout_secs = 1;
    });
    let runtime = test.runtime();
    let warm = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let record = invoke(
        &test,
        &runtime,
        &function,
        r#"{"action":"sleep","seconds":30}"#,
    )
    .await
    .unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "Sandbox.Timedout");
    assert_eq!(
        error.error_message,
        format!(
            "RequestId: {} Error: Task timed out after 1.00 seconds",
            record.request_id
        )
    );
    assert!(record.duration_ms >= 1000.0 && record.duration_ms < 3000.0);
    assert!(
        record.log_lines[0].starts_with("handling sleep"),
        "{:?}",
        record.log_lines
    );
    assert!(process_is_gone(pid_of(&warm)));
    let next = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(
        next.init_duration_ms.is_some(),
        "a new process: a cold start"
    );
    assert_ne!(pid_of(&next), pid_of(&warm));
}

#[tokio::test]
async fn a_process_that_exits_mid_invocation_is_a_runtime_exit_error() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-exit", |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, r#"{"action":"exit"}"#)
        .await
        .unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "Runtime.ExitError");
    assert_eq!(
        error.error_message,
        format!(
            "RequestId: {} Error: Runtime exited with error: exit status 3",
            record.request_id
        )
    );
    assert!(
        record
            .log_lines
            .contains(&"exiting mid-invocation".to_owned()),
        "{:?}",
        record.log_lines
    );
    let next = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(next.init_duration_ms.is_some());
}

#[tokio::test]
async fn init_error_fails_the_invocation_with_the_runtimes_error() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-init-error", |config| {
        config.environment.insert("FAIL_INIT".into(), "1".into());
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "Runtime.ConfigError");
    assert_eq!(error.error_message, "cannot start: FAIL_INIT is set");
    assert!(record.init_duration_ms.is_some());
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line.starts_with("init in process")),
        "{:?}",
        record.log_lines
    );
    assert_eq!(runtime.idle_environments("native-init-error"), 0);
}

#[tokio::test]
async fn an_error_posted_for_the_invocation_is_the_functions_error_and_keeps_it_warm() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-error", |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, r#"{"action":"error"}"#)
        .await
        .unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "OrderError");
    assert_eq!(error.error_message, "the order is invalid");
    assert_eq!(
        error.stack_trace,
        Some(serde_json::json!([
            "  File \"runtime.py\", line 1, in handle"
        ]))
    );
    let next = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(next.init_duration_ms, None, "the same warm process");
}

#[tokio::test]
async fn memory_past_the_functions_size_is_runtime_out_of_memory() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-memory", |config| {
        config.memory_mb = 128;
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, r#"{"action":"memory"}"#)
        .await
        .unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "Runtime.OutOfMemory", "{error:?}");
    // The rlimit caps private memory; the resident size adds the interpreter's code and
    // shared libraries.
    assert!(
        record.max_memory_used_mb <= 128 + 32,
        "the OS held the process near its 128 MB: {} MB",
        record.max_memory_used_mb
    );
    let next = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(next.init_duration_ms.is_some(), "a new process after OOM");
}

#[tokio::test]
async fn the_runtime_api_refuses_what_lambda_refuses() {
    let test = TestWorkspace::new();
    let function = add_stdlib_function(&test, "native-protocol", |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, r#"{"action":"protocol"}"#)
        .await
        .unwrap();
    let answer = response(&record);
    assert_eq!(answer["wrong_id"][0], 400);
    assert_eq!(answer["wrong_id"][1]["errorType"], "InvalidRequestID");
    assert_eq!(answer["init_error_after_init"][0], 403);
    assert_eq!(
        answer["init_error_after_init"][1]["errorType"],
        "InvalidStateTransition"
    );

    let big = invoke(&test, &runtime, &function, r#"{"action":"big"}"#)
        .await
        .unwrap();
    let error = function_error(&big);
    assert_eq!(error.error_type, "Function.ResponseSizeTooLarge");
    assert!(
        error
            .error_message
            .starts_with("Response payload size (7340034 bytes) exceeded"),
        "{}",
        error.error_message
    );
    // What happened after each response went to the next invocation's log.
    assert_eq!(
        big.log_lines[0], "a line after the response",
        "{:?}",
        big.log_lines
    );
    let late = invoke(&test, &runtime, &function, r#"{"action":"late"}"#)
        .await
        .unwrap();
    assert_eq!(
        response(&late)["late"],
        serde_json::json!([403, "InvalidStateTransition", 413, "RequestEntityTooLarge"])
    );
}

#[tokio::test]
async fn a_missing_or_non_executable_bootstrap_is_an_invalid_entrypoint() {
    let test = TestWorkspace::new();
    let function = test
        .workspace
        .create_function(
            "no-bootstrap",
            &FunctionConfig::new(Language::Provided, "bootstrap"),
            &[("README.md", b"nothing to run".as_slice())],
        )
        .unwrap();
    let runtime = test.runtime();
    let checked = runtime
        .check_code(&test.workspace, &function)
        .await
        .unwrap()
        .expect("the console marks it");
    assert_eq!(checked.error_type, "Runtime.InvalidEntrypoint");
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "Runtime.InvalidEntrypoint");
    assert!(
        error
            .error_message
            .contains("Couldn't find valid bootstrap(s)"),
        "{}",
        error.error_message
    );

    std::fs::write(function.dir.join("bootstrap"), "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(
        function.dir.join("bootstrap"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "Runtime.InvalidEntrypoint");
    assert!(error.error_message.contains("permission denied"));
}

#[tokio::test]
async fn an_idle_process_past_its_time_is_killed_and_the_next_call_is_cold() {
    let test = TestWorkspace::new();
    let idle = add_stdlib_function(&test, "native-idle", |_| {});
    let other = add_stdlib_function(&test, "native-other", |_| {});
    let runtime = lambdesk::runtime::Runtime::new(lambdesk::runtime::RuntimeOptions {
        cache_dir: Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        idle_environment_ttl: Duration::from_millis(300),
        ..lambdesk::runtime::RuntimeOptions::default()
    })
    .unwrap();
    let first = invoke(&test, &runtime, &idle, "{}").await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    // Any native invocation sweeps the pool: the idle function's process goes.
    invoke(&test, &runtime, &other, "{}").await.unwrap();
    assert!(process_is_gone(pid_of(&first)));
    let again = invoke(&test, &runtime, &idle, "{}").await.unwrap();
    assert!(again.init_duration_ms.is_some());
    assert_ne!(pid_of(&again), pid_of(&first));
}

#[test]
fn a_workspace_named_relative_to_the_current_folder_runs_its_bootstrap() {
    // `lambdesk --workspace ws invoke …` from the folder that holds `ws`: the process runs
    // in its function's folder, so every path it is given must be absolute.
    let test = TestWorkspace::new();
    add_stdlib_function(&test, "relative", |_| {});
    let event = test.dir.path().join("event.json");
    std::fs::write(&event, r#"{"from":"a relative workspace"}"#).unwrap();
    let workspace_name = test.workspace.root().file_name().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .current_dir(test.workspace.root().parent().unwrap())
        .arg("--workspace")
        .arg(workspace_name)
        .args(["invoke", "relative", "--event"])
        .arg(&event)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("a relative workspace"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
