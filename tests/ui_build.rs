//! The Code tab of a compiled (Rust) function: saving code builds it, the compiler's
//! errors show in the Problems list and mark their lines, a problem opens its line, and
//! Build builds again. Skipped with the reason when cargo or the wasm target is missing.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;
mod console_harness;

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lambdesk::runtime::RuntimeOptions;
use lambdesk::sample_workspace::open_sample_workspace;
use lambdesk::ui::LambdeskApp;

/// The console on the sample workspace with a `rust-hello` function named `greet`.
fn console_with_rust_function(root: &Path) -> Harness<'static, LambdeskApp> {
    let workspace = open_sample_workspace(root).unwrap();
    lambdesk::blueprints::find(None, "rust-hello")
        .unwrap()
        .create_function(&workspace, "greet", 128)
        .unwrap();
    let options = RuntimeOptions {
        rust_build: common::rust_build_options(),
        ..console_harness::runtime_options()
    };
    console_harness::harness(console_harness::app(workspace, options))
}

/// Steps frames until a label containing `text` shows (a build takes seconds).
fn wait_for_contains(harness: &mut Harness<'_, LambdeskApp>, text: &str) {
    console_harness::wait_for_label_containing(harness, text, 12_000);
}

#[test]
fn a_compile_error_saved_in_the_editor_is_listed_and_opens_its_line_and_build_fixes_it() {
    if !common::rust_toolchain_ready("a_compile_error_saved_in_the_editor_is_listed") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = console_with_rust_function(&root);
    harness.run();
    harness.get_by_label("greet").click();
    harness.run();
    harness.get_by_label("Build");

    // The file as an editor would save it: a type error on line 5.
    let code_path = root.join("functions/greet/src/lib.rs");
    let good = std::fs::read_to_string(&code_path).unwrap();
    let broken = good.replacen(
        "use serde_json::{Value, json};",
        "use serde_json::{Value, json};\nconst BROKEN: u32 = \"a\";",
        1,
    );
    let broken_line = broken
        .lines()
        .position(|line| line.contains("BROKEN"))
        .unwrap()
        + 1;
    std::fs::write(&code_path, &broken).unwrap();
    // Build it, as saving does.
    harness.get_by_label("Build").click();
    wait_for_contains(&mut harness, "Problems (");
    harness.get_by_label_contains("1 error");
    let problem = format!("src/lib.rs:{broken_line}:");
    harness.get_by_label_contains(&problem).click();
    harness.run();
    // The problem's file is open in the editor (its name heads the editor).
    harness.get_by_label("src/lib.rs");

    std::fs::write(&code_path, &good).unwrap();
    harness.get_by_label("Build").click();
    wait_for_contains(&mut harness, "Built in ");
    assert!(harness.query_by_label_contains("Problems (").is_none());

    // A change saved outside the console is built by the next Test, the build shown apart
    // from the billed duration.
    std::fs::write(&code_path, good.replace("Hello, ", "Hi, ")).unwrap();
    harness.get_by_label("Test").click();
    harness.run();
    harness.get_all_by_label("Test").last().unwrap().click();
    wait_for_contains(&mut harness, "Succeeded");
    harness.get_by_label("Build (not billed)");
    harness.get_by_label_contains("Hi, ");
}
