//! File > Export SAM application in the desktop console, driven by label (egui_kittest):
//! the folder comes from the dialog, the window shows the notes, the files are written.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod console_harness;

use std::path::{Path, PathBuf};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lambdesk::sample_workspace::open_sample_workspace;
use lambdesk::ui::LambdeskApp;

struct AnsweringDialogs {
    folder: PathBuf,
}

impl lambdesk::ui::Dialogs for AnsweringDialogs {
    fn pick_folder(&self, _title: &str) -> Option<PathBuf> {
        Some(self.folder.clone())
    }
    fn pick_wasm_file(&self) -> Option<PathBuf> {
        None
    }
    fn pick_save_file(&self, _default_name: &str) -> Option<PathBuf> {
        None
    }
}

fn harness(root: &Path, out: &Path) -> Harness<'static, LambdeskApp> {
    let workspace = open_sample_workspace(root).unwrap();
    let app = console_harness::app(workspace, console_harness::runtime_options()).with_dialogs(
        Box::new(AnsweringDialogs {
            folder: out.to_owned(),
        }),
    );
    console_harness::harness(app)
}

/// Steps frames until a label containing `text` shows up (the export runs on a thread).
fn wait_for(harness: &mut Harness<'_, LambdeskApp>, text: &str) {
    console_harness::wait_for_label_containing(harness, text, 1000);
}

#[test]
fn file_export_sam_application_writes_the_template_and_shows_the_notes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sam-app");
    let mut harness = harness(&dir.path().join("ws"), &out);
    harness.run();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Export SAM application...").click();
    wait_for(&mut harness, "sam build && sam deploy --guided");
    assert!(out.join("template.yaml").is_file());
    assert!(out.join("functions/hello/index.mjs").is_file());
    harness.get_by_label("Action needed");
    // The sample's wat function runs on lambdesk's bootstrap, which was not given here.
    harness.get_by_label_contains("layer lambdesk-x86_64: no lambdesk for Linux x86_64");
    harness.get_by_label_contains("function echo: runtime = \"wat\" runs on Lambda");
    harness.get_by_label("Close window").click();
    harness.run();
    assert!(harness.query_by_label("Action needed").is_none());
}
