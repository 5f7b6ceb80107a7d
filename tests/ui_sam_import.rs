//! File > Import SAM project… driven by label (egui_kittest): the template and the folder
//! picked in dialogs, the imported workspace opened, its report in a window; a second
//! import over it asks before replacing.
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

/// Dialogs that answer with a template and a folder, as a user picking them would.
struct AnsweringDialogs {
    template: PathBuf,
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
    fn pick_sam_template(&self) -> Option<PathBuf> {
        Some(self.template.clone())
    }
}

fn harness(root: &Path, dialogs: AnsweringDialogs) -> Harness<'static, LambdeskApp> {
    let workspace = open_sample_workspace(root).unwrap();
    let app = console_harness::app(workspace, console_harness::runtime_options())
        .with_dialogs(Box::new(dialogs));
    // The report window's scroll area settles over a few frames.
    console_harness::harness_with(console_harness::builder().with_max_steps(12), app)
}

fn import_from_menu(harness: &mut Harness<'_, LambdeskApp>) {
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import SAM project...").click();
    harness.run();
    harness.run();
}

#[test]
fn the_file_menu_imports_a_sam_project_opens_it_and_shows_what_did_not_come_over() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("imported");
    let dialogs = AnsweringDialogs {
        template: Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sam/mixed-runtimes/template.yaml"),
        folder: target.clone(),
    };
    let mut harness = harness(&dir.path().join("ws"), dialogs);
    harness.run();
    import_from_menu(&mut harness);

    assert_eq!(harness.state().console().root(), target);
    let names: Vec<String> = harness
        .state()
        .console()
        .state()
        .functions
        .iter()
        .map(|entry| entry.name.clone())
        .collect();
    assert_eq!(
        names,
        ["CustomRuntimeFunction", "JavaFunction", "NodeFunction"]
    );
    harness.get_by_label("SAM import report");
    harness.get_by_label("Not carried over (8)");
    harness.get_by_label(
        "DynamoDB tables are not emulated: code that reads or writes this table needs AWS",
    );
    harness.get_by_label("JavaFunction: java21, runs as java");
    harness.get_by_label("NodeFunction: nodejs20.x, runs as js");

    // Again into the same workspace: it asks, and Cancel changes nothing.
    import_from_menu(&mut harness);
    harness.get_by_label_contains("already has function `NodeFunction`");
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(!target.join(".lambdesk/replaced").exists());
    // Replace moves the old folders aside and imports.
    import_from_menu(&mut harness);
    harness.get_by_label("Replace").click();
    harness.run();
    harness.run();
    assert_eq!(
        std::fs::read_dir(target.join(".lambdesk/replaced"))
            .unwrap()
            .count(),
        3,
        "NodeFunction, JavaFunction and CustomRuntimeFunction"
    );
    harness.get_by_label("Not carried over (8)");
}

#[test]
fn a_command_line_imports_report_shows_when_the_console_next_opens_the_workspace_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("alerts");
    lambdesk::sam::import::import_sam_template(&lambdesk::sam::import::ImportOptions {
        template: Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sam/sns-filter/template.yaml"),
        workspace_root: root.clone(),
        parameter_overrides: Vec::new(),
        force: false,
    })
    .unwrap();
    let open = || {
        let workspace = lambdesk::model::Workspace::open(&root).unwrap();
        console_harness::harness(console_harness::app(
            workspace,
            console_harness::runtime_options(),
        ))
    };
    let mut first = open();
    first.run();
    first.get_by_label("Not carried over (2)");
    first.get_by_label_contains("a `email` subscription to `oncall@example.com` is not emulated");
    drop(first);
    let mut second = open();
    second.run();
    assert!(second.query_by_label("SAM import report").is_none());
}
