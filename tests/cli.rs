//! The real `lambdesk` binary, spawned as a user runs it, against temporary workspaces.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use regex::Regex;

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    /// A temporary folder with a workspace holding the sample `echo` function.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let echo = dir.path().join("ws/functions/echo");
        std::fs::create_dir_all(echo.join("events")).unwrap();
        std::fs::write(
            echo.join("function.toml"),
            include_str!("../assets/sample/echo/function.toml"),
        )
        .unwrap();
        std::fs::write(
            echo.join("main.wat"),
            include_str!("../assets/sample/echo/main.wat"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("ws/lambdesk.toml"),
            "region = \"eu-west-1\"\n",
        )
        .unwrap();
        Self { dir }
    }

    fn workspace(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lambdesk"));
        command
            .arg("--workspace")
            .arg(self.workspace())
            .args(args)
            .env("LAMBDESK_CACHE_DIR", self.dir.path().join("cache"))
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn add_function(&self, name: &str, function_toml: &str, files: &[(&str, &[u8])]) {
        let dir = self.workspace().join("functions").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("function.toml"), function_toml).unwrap();
        for (file, contents) in files {
            std::fs::write(dir.join(file), contents).unwrap();
        }
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

const UUID: &str = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

#[test]
fn invoke_prints_the_response_then_lambdas_log_and_the_cost() {
    let cli = Cli::new();
    let event = cli.write(
        "event.json",
        "{\n  \"hello\": \"world\",\n  \"n\": [1, 2]\n}\n",
    );
    let output = cli.run(&["invoke", "echo", "--event", path_str(&event)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "{\"hello\":\"world\",\"n\":[1,2]}\n");

    let log = stderr(&output);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 5, "{log}");
    let start = Regex::new(&format!("^START RequestId: ({UUID}) Version: \\$LATEST$")).unwrap();
    let request_id = &start.captures(lines[0]).expect(lines[0])[1];
    assert_eq!(lines[1], "echo: returning the event");
    assert_eq!(lines[2], format!("END RequestId: {request_id}"));
    let report = Regex::new(&format!(
        "^REPORT RequestId: {request_id}\tDuration: (\\d+\\.\\d\\d) ms\tBilled Duration: (\\d+) ms\tMemory Size: 128 MB\tMax Memory Used: (\\d+) MB\tInit Duration: (\\d+\\.\\d\\d) ms$"
    ))
    .unwrap();
    let fields = report
        .captures(lines[3])
        .unwrap_or_else(|| panic!("REPORT line: {:?}", lines[3]));
    let duration_ms: f64 = fields[1].parse().unwrap();
    let billed_ms: u64 = fields[2].parse().unwrap();
    let max_memory_mb: u32 = fields[3].parse().unwrap();
    let init_ms: f64 = fields[4].parse().unwrap();
    // Billed: duration + init, rounded up to the millisecond (the printed values are
    // rounded to 0.01 ms, so allow for that).
    let unrounded = duration_ms + init_ms;
    assert!(
        (billed_ms as f64) >= unrounded - 0.02 && (billed_ms as f64) < unrounded + 1.02,
        "billed {billed_ms} ms for {unrounded} ms"
    );
    assert_eq!(max_memory_mb, 1, "echo keeps to its one 64 KiB page");

    // Cost = $0.20 per million requests + billed s × 0.125 GB × $0.0000166667 per GB-s.
    let expected_cost = 0.000_000_2 + billed_ms as f64 / 1000.0 * 0.125 * 0.000_016_666_7;
    assert_eq!(lines[4], format!("Cost: ${expected_cost:.10}"));
}

#[test]
fn invoke_reads_the_event_from_stdin_and_defaults_to_an_empty_object() {
    let cli = Cli::new();
    let mut child = cli
        .command(&["invoke", "echo", "--event", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(b"[1,2,3]").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(stdout(&output), "[1,2,3]\n");

    let output = cli.run(&["invoke", "echo"]);
    assert_eq!(stdout(&output), "{}\n");
}

#[test]
fn invoke_appends_the_log_to_the_workspaces_log_file() {
    let cli = Cli::new();
    cli.run(&["invoke", "echo"]);
    cli.run(&["invoke", "echo"]);
    let log = std::fs::read_to_string(cli.workspace().join(".lambdesk/logs/echo.jsonl")).unwrap();
    let messages: Vec<String> = log
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["message"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(messages.len(), 8);
    assert!(messages[0].starts_with("START RequestId: "));
    assert!(messages[7].starts_with("REPORT RequestId: "));
    // The second process had a cold start of its own.
    assert!(messages[7].contains("Init Duration: "));
}

#[test]
fn a_second_process_loads_the_compiled_module_from_the_cache() {
    let cli = Cli::new();
    let first = stderr(&cli.run(&["invoke", "echo", "-v"]));
    assert!(first.contains("lambdesk: module compiled in "), "{first}");
    let second = stderr(&cli.run(&["invoke", "echo", "-v"]));
    assert!(
        second.contains("lambdesk: module loaded from the compiled-module cache in "),
        "{second}"
    );
}

#[test]
fn a_function_error_exits_1_with_lambdas_error_json() {
    let cli = Cli::new();
    cli.add_function(
        "crash",
        "runtime = \"wat\"\nhandler = \"main.wat\"\n",
        &[(
            "main.wat",
            b"(module (func (export \"_start\") unreachable))",
        )],
    );
    let output = cli.run(&["invoke", "crash"]);
    assert_eq!(output.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(error["errorType"], "Runtime.ExitError");
    assert!(
        error["errorMessage"]
            .as_str()
            .unwrap()
            .contains("unreachable")
    );
    assert!(stderr(&output).contains("REPORT RequestId: "));
}

/// Runs `args` and checks the bad-input contract: exit status 2, nothing on stdout,
/// one short message on stderr, no panic or debug dump. Returns the message.
fn bad_input(cli: &Cli, args: &[&str]) -> String {
    let output = cli.run(args);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
    assert_eq!(stdout(&output), "", "{args:?}");
    assert!(
        !message.contains("panicked") && !message.contains("backtrace"),
        "{message}"
    );
    assert!(message.starts_with("lambdesk: "), "{message}");
    message
}

#[test]
fn malformed_event_json_names_line_and_column() {
    let cli = Cli::new();
    let event = cli.write("bad.json", "{\n  \"a\": 1,\n  oops\n}\n");
    let message = bad_input(&cli, &["invoke", "echo", "--event", path_str(&event)]);
    assert!(message.contains("bad.json is not valid JSON"), "{message}");
    assert!(message.contains("line 3 column 3"), "{message}");
}

#[test]
fn a_missing_event_file_is_reported() {
    let cli = Cli::new();
    let message = bad_input(&cli, &["invoke", "echo", "--event", "nowhere.json"]);
    assert!(
        message.contains("cannot read the event file nowhere.json"),
        "{message}"
    );
}

#[test]
fn an_event_over_6_mb_is_refused_without_reading_all_of_it() {
    let cli = Cli::new();
    // /dev/zero never ends: reading all of it would run out of memory. The address-space
    // limit (1 GiB) makes such a regression fail fast instead of taking the machine's memory.
    let limited = |event_args: &[&str], stdin: Stdio| {
        let mut command = Command::new("sh");
        command
            .args(["-c", "ulimit -v 1048576 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_lambdesk"))
            .arg("--workspace")
            .arg(cli.workspace())
            .args(["invoke", "echo"])
            .args(event_args)
            .env("LAMBDESK_CACHE_DIR", cli.dir.path().join("cache"))
            .stdin(stdin);
        command.output().unwrap()
    };
    let dev_zero = || Stdio::from(std::fs::File::open("/dev/zero").unwrap());
    for (output, source) in [
        (
            limited(&["--event", "/dev/zero"], Stdio::null()),
            "/dev/zero",
        ),
        (limited(&["--event", "-"], dev_zero()), "the event on stdin"),
    ] {
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{message}");
        assert_eq!(stdout(&output), "");
        assert_eq!(
            message.trim_end(),
            format!(
                "lambdesk: {source} is too large: RequestEntityTooLargeException: Request payload size exceeded maximum allowed payload size (6291456 bytes)"
            )
        );
    }
}

#[test]
fn an_unknown_function_lists_the_known_ones() {
    let cli = Cli::new();
    let message = bad_input(&cli, &["invoke", "ecko"]);
    assert!(message.contains("no function named `ecko`"), "{message}");
    assert!(message.contains("functions: echo"), "{message}");
}

#[test]
fn a_malformed_function_toml_names_file_line_and_key() {
    let cli = Cli::new();
    cli.add_function(
        "broken",
        "runtime = \"wat\"\nhandler = \"main.wat\"\ntimeout_secs = 901\n",
        &[("main.wat", b"(module)")],
    );
    let message = bad_input(&cli, &["invoke", "broken"]);
    assert!(message.contains("broken/function.toml:3"), "{message}");
    assert!(message.contains("key `timeout_secs`"), "{message}");
    assert!(message.contains("1–900"), "{message}");

    cli.add_function(
        "typo",
        "runtime = \"wat\"\nhandler = \"main.wat\"\ntimeout = 5\n",
        &[("main.wat", b"(module)")],
    );
    let message = bad_input(&cli, &["invoke", "typo"]);
    assert!(message.contains("typo/function.toml:3"), "{message}");
    assert!(message.contains("unknown field `timeout`"), "{message}");
}

#[test]
fn a_malformed_lambdesk_toml_is_reported() {
    let cli = Cli::new();
    cli.write(
        "ws/lambdesk.toml",
        "region = \"eu-west-1\"\ngateway_port = \"http\"\n",
    );
    let message = bad_input(&cli, &["list"]);
    assert!(message.contains("lambdesk.toml:2"), "{message}");
    assert!(message.contains("gateway_port"), "{message}");
}

#[test]
fn a_wasm_file_that_is_not_webassembly_is_reported() {
    let cli = Cli::new();
    cli.add_function(
        "fake",
        "runtime = \"wasm\"\nhandler = \"main.wasm\"\n",
        &[("main.wasm", b"#!/bin/sh\necho hi\n")],
    );
    let message = bad_input(&cli, &["invoke", "fake"]);
    assert!(
        message.contains("main.wasm: not a WebAssembly module"),
        "{message}"
    );
}

#[test]
fn a_wat_syntax_error_names_line_and_column() {
    let cli = Cli::new();
    cli.add_function(
        "typo",
        "runtime = \"wat\"\nhandler = \"main.wat\"\n",
        &[(
            "main.wat",
            b"(module\n  (func (export \"_start\")\n    (i32.bogus)))\n",
        )],
    );
    let message = bad_input(&cli, &["invoke", "typo"]);
    assert!(message.contains("WAT syntax error"), "{message}");
    assert!(message.contains("main.wat:3:"), "{message}");
}

#[test]
fn a_module_without_start_or_with_foreign_imports_is_reported() {
    let cli = Cli::new();
    cli.add_function(
        "lib",
        "runtime = \"wat\"\nhandler = \"main.wat\"\n",
        &[("main.wat", b"(module (func (export \"handler\")))")],
    );
    let message = bad_input(&cli, &["invoke", "lib"]);
    assert!(
        message.contains("does not export a `_start` function"),
        "{message}"
    );

    cli.add_function(
        "foreign",
        "runtime = \"wat\"\nhandler = \"main.wat\"\n",
        &[(
            "main.wat",
            b"(module (import \"env\" \"now\" (func)) (func (export \"_start\")))",
        )],
    );
    let message = bad_input(&cli, &["invoke", "foreign"]);
    assert!(message.contains("imports `env::now`"), "{message}");
}

#[test]
fn list_shows_runtime_memory_timeout_and_triggers() {
    let cli = Cli::new();
    cli.add_function(
        "api",
        "runtime = \"wat\"\nhandler = \"main.wat\"\nmemory_mb = 512\ntimeout_secs = 30\n\n[[triggers]]\ntype = \"http\"\nroute = \"GET /items/{id}\"\n\n[[triggers]]\ntype = \"queue\"\nqueue = \"orders\"\n",
        &[("main.wat", b"(module)")],
    );
    let output = cli.run(&["list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        rows[0],
        vec!["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "TRIGGERS"]
    );
    assert_eq!(
        rows[1],
        vec![
            "api",
            "wat",
            "512 MB",
            "30 s",
            "http GET /items/{id}, queue orders"
        ]
    );
    assert_eq!(rows[2], vec!["echo", "wat", "128 MB", "3 s", "-"]);
}

#[test]
fn a_workspace_that_does_not_exist_is_created() {
    let cli = Cli::new();
    let fresh = cli.dir.path().join("brand-new");
    let output = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args(["list", "--workspace", path_str(&fresh)])
        .env("LAMBDESK_CACHE_DIR", cli.dir.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fresh.join("lambdesk.toml").is_file());
    assert!(stdout(&output).contains("No functions"));
}

#[test]
fn events_generate_prints_an_aws_shaped_event_with_overrides() {
    let cli = Cli::new();
    let output = cli.run(&[
        "events", "generate", "s3-put", "--bucket", "photos", "--key", "cat.png",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let event: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(event["Records"][0]["s3"]["bucket"]["name"], "photos");
    assert_eq!(event["Records"][0]["s3"]["object"]["key"], "cat.png");

    let output = cli.run(&["events", "generate", "s4-put"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("s3-put"),
        "the error lists the valid sources"
    );
}

#[test]
fn events_list_and_generate_cover_every_source_of_the_seed() {
    let cli = Cli::new();
    let output = cli.run(&["events", "list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let listed = stdout(&output);
    for id in [
        "apigw-rest",
        "alb",
        "cloudformation-create",
        "cloudformation-update",
        "cloudformation-delete",
        "codecommit",
        "config",
        "cognito-pre-signup",
        "lex",
        "alexa-skills-kit",
        "cloudfront-viewer-request",
        "cloudfront-origin-response",
        "firehose",
    ] {
        assert!(
            listed
                .lines()
                .any(|line| line.starts_with(&format!("{id} "))),
            "`{id}` missing from:\n{listed}"
        );
    }
    let output = cli.run(&["events", "generate", "apigw-rest", "--path", "/orders?id=7"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let event: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(event["path"], "/orders");
    assert_eq!(event["multiValueQueryStringParameters"]["id"][0], "7");
}

#[test]
fn a_generated_event_can_be_piped_into_invoke() {
    let cli = Cli::new();
    let generated = cli.run(&["events", "generate", "sqs", "--body", "hi"]);
    let mut child = cli
        .command(&["invoke", "echo", "--event", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&generated.stdout)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let response: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(response["Records"][0]["body"], "hi");
}

#[test]
fn the_sample_workspaces_javascript_function_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sample");
    lambdesk::sample_workspace::open_sample_workspace(&root).unwrap();
    let event = root.join("functions/hello/events/ada.json");
    let output = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args([
            "invoke",
            "hello",
            "--event",
            path_str(&event),
            "--workspace",
            path_str(&root),
        ])
        .env(
            "LAMBDESK_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let response: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(response["statusCode"], 200);
    let body: serde_json::Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "message": "Hello, Ada!", "invocations": 1 })
    );
    let log = stderr(&output);
    assert!(
        log.contains("\tINFO\tsaying hello to Ada { requestId: '"),
        "{log}"
    );
    assert!(log.contains("Init Duration: "), "{log}");
}

#[test]
fn new_refuses_a_blueprint_route_another_function_serves_and_takes_routes() {
    let cli = Cli::new();
    let output = cli.run(&["new", "items-api", "--blueprint", "http-api"]);
    assert!(output.status.success(), "{}", stderr(&output));

    let message = bad_input(&cli, &["new", "shop", "--blueprint", "http-api"]);
    assert!(
        message.contains("cannot create `shop` from the http-api blueprint: `GET /items` is already served by function `items-api`"),
        "{message}"
    );
    assert!(
        message.contains(
            "--route \"GET /shop/items\" --route \"GET /shop/items/{id}\" --route \"POST /shop/items\""
        ),
        "{message}"
    );
    assert!(!cli.workspace().join("functions/shop").exists());

    let message = bad_input(
        &cli,
        &[
            "new",
            "shop",
            "--blueprint",
            "http-api",
            "--route",
            "GET /shop",
        ],
    );
    assert!(message.contains("has 3 HTTP route(s)"), "{message}");

    let output = cli.run(&[
        "new",
        "shop",
        "--blueprint",
        "http-api",
        "--route",
        "GET /shop/items",
        "--route",
        "GET /shop/items/{id}",
        "--route",
        "POST /shop/items",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let created =
        std::fs::read_to_string(cli.workspace().join("functions/shop/function.toml")).unwrap();
    assert!(
        created.contains("route = \"GET /shop/items/{id}\""),
        "{created}"
    );
    let list = stdout(&cli.run(&["list"]));
    assert!(
        list.contains("items-api") && list.contains("shop"),
        "{list}"
    );
}
