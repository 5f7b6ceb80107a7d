//! Bad input is refused when the configuration loads — by `lambdesk list` and `lambdesk
//! invoke`, not only once `serve` starts the triggers — with the file, line and key at fault.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temporary workspace folder and the binary run against it.
struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new(lambdesk_toml: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("ws/functions")).unwrap();
        std::fs::write(dir.path().join("ws/lambdesk.toml"), lambdesk_toml).unwrap();
        Self { dir }
    }

    fn workspace(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    /// A wat function whose module answers `{}`, with `triggers` after its settings.
    fn add_function(&self, name: &str, triggers: &str) {
        let dir = self.workspace().join("functions").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("function.toml"),
            format!("runtime = \"wat\"\nhandler = \"main.wat\"\n{triggers}"),
        )
        .unwrap();
        std::fs::write(dir.join("main.wat"), "(module (func (export \"_start\")))").unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_lambdesk"))
            .arg("--workspace")
            .arg(self.workspace())
            .args(args)
            .env("LAMBDESK_CACHE_DIR", self.dir.path().join("cache"))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs `args`, expects the bad-input exit status 2, and returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let message = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert!(!message.contains("panicked"), "{message}");
        message
    }
}

fn file_of(workspace: &Path, function: &str) -> String {
    workspace
        .join("functions")
        .join(function)
        .join("function.toml")
        .display()
        .to_string()
}

fn schedule(expression: &str, timezone: Option<&str>) -> String {
    let timezone = timezone
        .map(|zone| format!("timezone = \"{zone}\"\n"))
        .unwrap_or_default();
    format!("\n[[triggers]]\ntype = \"schedule\"\nexpression = \"{expression}\"\n{timezone}")
}

fn http(route: &str) -> String {
    format!("\n[[triggers]]\ntype = \"http\"\nroute = \"{route}\"\n")
}

#[test]
fn bad_schedule_expressions_and_time_zones_are_refused_by_invoke() {
    let cli = Cli::new("region = \"eu-west-1\"\n");
    let cases = [
        (
            schedule("cron(99 99 * * ? *)", None),
            "expression",
            "minutes: 99 is out of range 0-59",
        ),
        (
            schedule("rate(0 minutes)", None),
            "expression",
            "rate: 0 is not a positive whole number",
        ),
        (
            schedule("rate(-5 minutes)", None),
            "expression",
            "rate: -5 is not a positive whole number",
        ),
        (
            schedule("cron(0 8 * * ? *)", Some("Europe/Berlinn")),
            "timezone",
            "unknown time zone \"Europe/Berlinn\"",
        ),
    ];
    for (index, (triggers, key, expected)) in cases.iter().enumerate() {
        let name = format!("f{index}");
        cli.add_function(&name, triggers);
        let message = cli.refused(&["invoke", &name]);
        let line = if *key == "expression" { 6 } else { 7 };
        let location = format!(
            "{}:{line}: key `triggers[0].{key}`",
            file_of(&cli.workspace(), &name)
        );
        assert!(message.contains(&location), "{message}");
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn bad_routes_are_refused_by_list_and_invoke() {
    let cli = Cli::new("region = \"eu-west-1\"\n");
    cli.add_function("greedy", &http("GET /{proxy+}/x"));
    cli.add_function("brace", &http("GET /items/{id"));
    cli.add_function("fine", &http("GET /items/{id}"));

    let message = cli.refused(&["invoke", "brace"]);
    assert!(
        message.contains(&format!(
            "{}:6: key `triggers[0].route`: `{{id` in `/items/{{id` opens a path variable but does not close it",
            file_of(&cli.workspace(), "brace")
        )),
        "{message}"
    );

    let output = cli.run(&["list"]);
    let listed = String::from_utf8(output.stdout).unwrap();
    let message = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        listed
            .lines()
            .any(|line| line.starts_with("fine") && line.contains("http GET /items/{id}")),
        "{listed}"
    );
    assert!(
        message.contains("greedy path variable must be at the end of the path"),
        "{message}"
    );
    assert!(message.contains("does not close it"), "{message}");
}

#[test]
fn bad_http_payload_formats_are_refused_with_file_line_and_key() {
    let cli = Cli::new("region = \"eu-west-1\"\n");
    cli.add_function(
        "three",
        &format!("{}payload = \"3.0\"\n", http("GET /three")),
    );
    cli.add_function(
        "rest",
        &format!(
            "{}payload = \"1.0\"\nmulti_value_headers = true\n",
            http("GET /rest")
        ),
    );
    cli.add_function(
        "alb",
        &format!(
            "{}payload = \"alb\"\nmulti_value_headers = true\n",
            http("GET /alb")
        ),
    );

    let message = cli.refused(&["invoke", "three"]);
    assert!(
        message.contains(&format!(
            "{}:7: key `triggers[0].payload`: `3.0` is not a payload format: use \"2.0\" (API Gateway HTTP API), \"1.0\" (API Gateway REST API) or \"alb\" (Application Load Balancer)",
            file_of(&cli.workspace(), "three")
        )),
        "{message}"
    );
    let message = cli.refused(&["invoke", "rest"]);
    assert!(
        message.contains(&format!(
            "{}:8: key `triggers[0].multi_value_headers`: multi-value headers are a setting of ALB target groups",
            file_of(&cli.workspace(), "rest")
        )),
        "{message}"
    );
    let output = cli.run(&["invoke", "alb"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn routes_that_conflict_across_functions_name_both_functions() {
    let cli = Cli::new("region = \"eu-west-1\"\n");
    cli.add_function("by-id", &http("GET /x/{id}"));
    cli.add_function("by-key", &http("GET /x/{key}"));
    cli.add_function("other", &http("GET /y"));

    let message = cli.refused(&["invoke", "by-key"]);
    assert!(
        message.contains(&format!(
            "{}:6: key `triggers[0].route`: the route `GET /x/{{key}}` conflicts with `GET /x/{{id}}` of function `by-id` (functions/by-id/function.toml:6, key `triggers[0].route`)",
            file_of(&cli.workspace(), "by-key")
        )),
        "{message}"
    );

    let output = cli.run(&["list"]);
    let listed = String::from_utf8(output.stdout).unwrap();
    let message = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("of function `by-key`"), "{message}");
    assert!(message.contains("of function `by-id`"), "{message}");
    assert!(
        listed
            .lines()
            .any(|line| line.starts_with("other") && line.contains("http GET /y")),
        "{listed}"
    );
}

#[test]
fn out_of_range_workspace_settings_are_refused_when_the_workspace_opens() {
    let cli =
        Cli::new("region = \"eu-west-1\"\n\n[pricing]\nrequest_price_per_million_usd = nan\n");
    cli.add_function("f", "");
    let message = cli.refused(&["invoke", "f"]);
    assert!(
        message.contains(
            "lambdesk.toml:4: key `pricing.request_price_per_million_usd`: NaN is not a price"
        ),
        "{message}"
    );
    assert!(!message.contains("Cost:"), "{message}");

    let cli = Cli::new("region = \"us-east1\"\n");
    let message = cli.refused(&["list"]);
    assert!(
        message.contains("lambdesk.toml:1: key `region`: `us-east1` is not an AWS Region; did you mean `us-east-1`?"),
        "{message}"
    );
}
