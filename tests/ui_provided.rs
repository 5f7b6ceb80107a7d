//! A `provided` function in the desktop console: marked as a native process in the
//! function list, and run from the Test tab like any other (egui_kittest, no display).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod console_harness;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use lambdesk::sample_workspace::open_sample_workspace;
use lambdesk::ui::LambdeskApp;

/// A custom runtime in Python's standard library that answers every event.
const RUNTIME: &str = r#"import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as answer:
        request_id = answer.headers["Lambda-Runtime-Aws-Request-Id"]
    print("native handler ran")
    body = json.dumps({"from": "a native process"}).encode()
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", data=body, method="POST")).read()
"#;

fn app_with_native_function(root: &Path) -> LambdeskApp {
    let workspace = open_sample_workspace(root).unwrap();
    let dir = root.join("functions/native");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("function.toml"),
        "runtime = \"provided\"\nhandler = \"bootstrap\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("runtime.py"), RUNTIME).unwrap();
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let bootstrap = dir.join("bootstrap");
    std::fs::write(
        &bootstrap,
        format!(
            "#!/bin/sh\nexec {} -u runtime.py\n",
            String::from_utf8(python.stdout).unwrap().trim()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    console_harness::app(workspace, console_harness::runtime_options())
}

#[test]
fn a_provided_function_is_marked_native_and_runs_from_the_test_tab() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with_native_function(&dir.path().join("ws"));
    let mut harness = console_harness::harness(app);
    harness.run();
    // Only the provided function carries the mark; the sample's JS function does not.
    assert_eq!(harness.query_all_by_label("native process").count(), 1);
    harness
        .get_by_role_and_label(Role::Button, "native")
        .click();
    harness.run();
    harness.get_by_label("Test").click();
    harness.run();
    harness.get_all_by_label("Test").last().unwrap().click();
    harness.step();
    console_harness::wait_for_label(&mut harness, "Succeeded", 1000);
    harness.get_by_label_contains("a native process");
    harness.get_by_label("Init duration");
}
