//! The console's workspace map, driven by label (egui_kittest, no display).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lambdesk::console::Console;
use lambdesk::runtime::RuntimeOptions;
use lambdesk::sample_workspace::open_sample_workspace;
use lambdesk::ui::LambdeskApp;

/// The console on the sample workspace, after `prepare` changed its files.
fn harness(root: &Path, prepare: impl FnOnce(&Path)) -> Harness<'static, LambdeskApp> {
    let workspace = open_sample_workspace(root).unwrap();
    prepare(root);
    let options = RuntimeOptions {
        cache_dir: Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        ..RuntimeOptions::default()
    };
    let waker = LambdeskApp::waker(Arc::new(OnceLock::new()));
    let app = LambdeskApp::new(Console::with_workspace(workspace, options, waker).unwrap());
    Harness::builder()
        .with_size(egui::vec2(1000.0, 700.0))
        .build_ui_state(
            |ui, app: &mut LambdeskApp| {
                app.logic();
                app.ui(ui);
            },
            app,
        )
}

fn open_map(harness: &mut Harness<'_, LambdeskApp>) {
    harness.get_by_label("Map").click();
    harness.run();
    harness.get_by_label("Workspace map");
}

#[test]
fn the_map_shows_the_sample_workspace_and_a_function_card_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |_| {});
    open_map(&mut harness);
    for card in [
        "Function process-orders",
        "Function items-api",
        "Queue orders",
        "Queue orders-dlq",
        "Topic alerts",
        "HTTP route GET /items/{id}",
        "Bucket uploads",
    ] {
        harness.get_by_label(card);
    }
    // The sample has no loop.
    assert!(harness.query_by_label_contains("Recursive loop").is_none());

    harness.get_by_label("Function process-orders").click();
    harness.run();
    assert_eq!(harness.state().selected(), Some("process-orders"));
    assert!(harness.query_by_label("Workspace map").is_none());
    // Its Code tab shows, as a click in the function list does.
    harness.get_by_label("Code editor");
}

#[test]
fn a_function_writing_into_the_bucket_that_triggers_it_is_marked_as_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), |root| {
        let config = root.join("functions/process-upload/function.toml");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str("\n[permissions]\nbuckets = { uploads = \"read-write\" }\n");
        std::fs::write(&config, text).unwrap();
    });
    open_map(&mut harness);
    harness.get_by_label(
        "Recursive loop: bucket uploads -> function process-upload -> bucket uploads. \
         Lambda stops such a loop after 16 invocations.",
    );
}
