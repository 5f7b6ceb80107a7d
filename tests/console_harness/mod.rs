//! The desktop console under egui_kittest, as the UI tests drive it: the app on a
//! workspace, a harness that runs its logic and UI every frame, and waits for a label
//! while work goes on in the background.
#![allow(dead_code, reason = "each UI test file uses a different subset")]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use egui_kittest::kittest::Queryable as _;
use egui_kittest::{Harness, HarnessBuilder};
use lambdesk::console::Console;
use lambdesk::model::Workspace;
use lambdesk::runtime::RuntimeOptions;
use lambdesk::ui::LambdeskApp;

/// The compiled-module cache the UI tests share.
pub fn module_cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache")
}

/// Runtime options with the shared module cache and nothing else changed.
pub fn runtime_options() -> RuntimeOptions {
    RuntimeOptions {
        cache_dir: module_cache_dir(),
        ..RuntimeOptions::default()
    }
}

/// The console on `workspace`.
pub fn console(workspace: Workspace, options: RuntimeOptions) -> Console {
    Console::with_workspace(
        workspace,
        options,
        LambdeskApp::waker(Arc::new(OnceLock::new())),
    )
    .unwrap()
}

/// The app on `workspace`.
pub fn app(workspace: Workspace, options: RuntimeOptions) -> LambdeskApp {
    LambdeskApp::new(console(workspace, options))
}

/// A 1200×800 window.
pub fn builder() -> HarnessBuilder<LambdeskApp> {
    Harness::builder().with_size(egui::vec2(1200.0, 800.0))
}

/// `builder`'s harness running the app's logic and UI every frame.
pub fn harness_with(
    builder: HarnessBuilder<LambdeskApp>,
    app: LambdeskApp,
) -> Harness<'static, LambdeskApp> {
    builder.build_ui_state(
        |ui, app: &mut LambdeskApp| {
            app.logic();
            app.ui(ui);
        },
        app,
    )
}

/// The app in a 1200×800 window.
pub fn harness(app: LambdeskApp) -> Harness<'static, LambdeskApp> {
    harness_with(builder(), app)
}

/// Steps frames (10 ms apart, at most `frames`) until `label` shows up.
pub fn wait_for_label(harness: &mut Harness<'_, LambdeskApp>, label: &str, frames: usize) {
    for _ in 0..frames {
        harness.step();
        if harness.query_by_label(label).is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("`{label}` did not appear");
}

/// Steps frames (10 ms apart, at most `frames`) until a label containing `text` shows up.
pub fn wait_for_label_containing(
    harness: &mut Harness<'_, LambdeskApp>,
    text: &str,
    frames: usize,
) {
    for _ in 0..frames {
        harness.step();
        if harness.query_by_label_contains(text).is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no label contains `{text}`");
}
