//! The desktop console driven by label, as a user drives it (egui_kittest, no display).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod console_harness;

use std::path::Path;
use std::time::Duration;

use console_harness::harness;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use lambdesk::runtime::RuntimeOptions;
use lambdesk::sample_workspace::open_sample_workspace;
use lambdesk::ui::LambdeskApp;

fn app(root: &Path) -> LambdeskApp {
    app_with(root, |_| {})
}

/// The app on a sample workspace that `prepare` changed before the app opened it.
fn app_with(root: &Path, prepare: impl FnOnce(&Path)) -> LambdeskApp {
    let workspace = open_sample_workspace(root).unwrap();
    prepare(root);
    console_harness::app(workspace, console_harness::runtime_options())
}

/// The Test button (drawn after the Test tab, which has the same label).
fn test_button<'a>(harness: &'a Harness<'_, LambdeskApp>) -> egui_kittest::Node<'a> {
    harness.get_all_by_label("Test").last().unwrap()
}

/// Opens the Test tab, clicks Test and waits for `label` (the run is in the background,
/// and a spinner shows meanwhile, so frames are stepped rather than run to settle).
fn run_test_tab(harness: &mut Harness<'_, LambdeskApp>, label: &str) {
    harness.get_by_label("Test").click();
    harness.run();
    test_button(harness).click();
    harness.step();
    wait_for(harness, label);
}

/// Steps frames until `label` shows up (the invocation runs in the background).
fn wait_for(harness: &mut Harness<'_, LambdeskApp>, label: &str) {
    console_harness::wait_for_label(harness, label, 500);
}

#[test]
fn testing_the_sample_function_shows_its_response_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    harness.get_by_role_and_label(Role::Button, "hello").click();
    harness.run();
    run_test_tab(&mut harness, "Succeeded");
    harness.run();
    // The summary and the cost meter.
    harness.get_by_label("Billed duration");
    harness.get_by_label("Init duration");
    harness.get_by_label_contains("1 invocation ·");
    let app = harness.state();
    let status = app.console().state().function("hello").unwrap().status;
    assert_eq!(status.label(), "ok");
}

#[test]
fn invalid_event_json_is_reported_and_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    harness.get_by_role_and_label(Role::Button, "hello").click();
    harness.run();
    harness.get_by_label("Test").click();
    harness.run();
    let editor = harness.get_by_label("Event JSON");
    editor.click();
    harness.run();
    harness.get_by_label("Event JSON").type_text("{ broken");
    harness.run();
    harness.get_by_label_contains("Invalid JSON at line");
    test_button(&harness).click();
    harness.run();
    std::thread::sleep(Duration::from_millis(100));
    harness.run();
    assert!(harness.query_by_label("Succeeded").is_none());
    assert_eq!(
        harness.state().console().ledger().meter.total().invocations,
        0
    );
}

#[test]
fn editing_and_saving_code_changes_the_file_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_role_and_label(Role::Button, "hello").click();
    harness.run();
    harness.get_by_label("Code").click();
    harness.run();
    harness.get_by_label("Code editor").click();
    harness.run();
    harness
        .get_by_label("Code editor")
        .type_text("// edited in the console\n");
    harness.run();
    harness.get_by_label_contains("unsaved changes");
    harness.get_by_label("Save").click();
    harness.run();
    let saved = std::fs::read_to_string(root.join("functions/hello/index.mjs")).unwrap();
    assert!(saved.contains("// edited in the console"), "{saved}");
    assert!(harness.query_by_label_contains("unsaved changes").is_none());
}

#[test]
fn creating_a_function_from_a_blueprint_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_label("Create function").click();
    harness.run();
    harness.get_by_label("Search blueprints").click();
    harness.run();
    harness.get_by_label("Search blueprints").type_text("queue");
    harness.run();
    harness.get_by_label("Queue batch processor").click();
    harness.run();
    harness.get_by_label("Function name").click();
    harness.run();
    harness.get_by_label("Function name").type_text("-orders");
    harness.run();
    harness.get_by_label("Create").click();
    harness.run();
    assert!(
        root.join("functions/queue-processor-orders/index.mjs")
            .is_file()
    );
    assert_eq!(harness.state().selected(), Some("queue-processor-orders"));
}

#[test]
fn a_blueprint_route_another_function_serves_is_named_and_must_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_label("Create function").click();
    harness.run();
    harness.get_by_label("HTTP API handler").click();
    harness.run();
    // The blueprint's routes, prefilled; the sample's items-api serves all three.
    harness.get_by_label_contains("`GET /items` is already served by function `items-api`");
    harness.get_by_label_contains("`POST /items` is already served by function `items-api`");
    assert!(
        harness
            .get_by_label("Create")
            .accesskit_node()
            .is_disabled()
    );

    // One route typed by hand, two from the suggestions under the function's name.
    harness.get_by_label("HTTP route 2").click();
    harness.run();
    harness.get_by_label("HTTP route 2").type_text("/details");
    harness.run();
    harness.get_by_label("Use GET /http-api/items").click();
    harness.run();
    harness.get_by_label("Use POST /http-api/items").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("is already served by")
            .is_none()
    );
    harness.get_by_label("Create").click();
    harness.run();

    assert_eq!(harness.state().selected(), Some("http-api"));
    let created = std::fs::read_to_string(root.join("functions/http-api/function.toml")).unwrap();
    for route in [
        "GET /http-api/items",
        "GET /items/{id}/details",
        "POST /http-api/items",
    ] {
        assert!(
            created.contains(&format!("route = \"{route}\"")),
            "{created}"
        );
    }
    let workspace = harness.state().console().workspace();
    let items_api = workspace.function("items-api").unwrap();
    assert!(
        items_api
            .config
            .triggers
            .contains(&lambdesk::model::Trigger::http("GET /items"))
    );
    assert!(workspace.route_conflicts().is_empty());
}

#[test]
fn a_configuration_change_is_saved_and_used_by_the_next_invocation() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_role_and_label(Role::Button, "hello").click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness.get_by_label("Add variable").click();
    harness.run();
    harness.get_by_label("Key").click();
    harness.run();
    harness.get_by_label("Key").type_text("GREETING");
    harness.run();
    harness.get_by_label("Value").click();
    harness.run();
    harness.get_by_label("Value").type_text("hi");
    harness.run();
    harness.get_by_label("Save configuration").click();
    harness.run();
    let saved = std::fs::read_to_string(root.join("functions/hello/function.toml")).unwrap();
    assert!(saved.contains("GREETING = \"hi\""), "{saved}");
    let function = harness
        .state()
        .console()
        .workspace()
        .function("hello")
        .unwrap();
    assert_eq!(
        function
            .config
            .environment
            .get("GREETING")
            .map(String::as_str),
        Some("hi")
    );
}

#[test]
fn ctrl_enter_runs_the_test() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    harness.get_by_label("Test").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.step();
    wait_for(&mut harness, "Succeeded");
}

#[test]
fn a_test_event_can_be_saved_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_label("Test").click();
    harness.run();
    harness.get_by_label("Event name").click();
    harness.run();
    harness.get_by_label("Event name").type_text("second");
    harness.run();
    harness.get_by_label("Save event").click();
    harness.run();
    let saved = root.join("functions/hello/events/second.json");
    let event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(event["name"], "Ada");
    harness.get_by_label("Delete event").click();
    harness.run();
    harness.get_by_label("Really delete second.json?").click();
    harness.run();
    assert!(!saved.exists());
}

#[test]
fn deleting_a_function_asks_first_and_removes_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_label("Delete function").click();
    harness.run();
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(root.join("functions/hello").is_dir());
    harness.get_by_label("Delete function").click();
    harness.run();
    harness.get_by_label("Delete").click();
    harness.run();
    assert!(!root.join("functions/hello").exists());
    assert_eq!(harness.state().selected(), Some("echo"));
}

#[test]
fn the_logs_view_groups_lines_by_invocation_and_filters_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    run_test_tab(&mut harness, "Succeeded");
    let request_id = harness
        .state()
        .console()
        .ledger()
        .history
        .iter()
        .next_back()
        .unwrap()
        .request_id
        .clone();
    harness.get_by_label("Logs").click();
    harness.run();
    harness.get_by_label_contains("1 invocation, 4 lines");
    // Collapsed: one row naming the function, its status and its request id.
    let header = harness.get_by_label_contains(&request_id);
    let header_text = header.value().unwrap_or_default();
    assert!(header_text.contains("hello"), "{header_text}");
    assert!(header_text.contains("OK"), "{header_text}");
    assert!(
        harness
            .query_by_label_contains("saying hello to Ada")
            .is_none()
    );
    header.click();
    harness.run();
    harness.get_by_label_contains("saying hello to Ada");
    harness.get_by_label_contains("REPORT RequestId");
    // A level filter shows only the matching lines, under their invocation.
    harness.get_by_label("Filter").click();
    harness.run();
    harness
        .get_by_label("Filter")
        .type_text("nothing matches this");
    harness.run();
    assert!(
        harness
            .query_by_label_contains("REPORT RequestId")
            .is_none()
    );
    harness.get_by_label("No line matches the filters.");
}

#[test]
fn an_invocation_in_the_logs_can_be_rerun_with_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    run_test_tab(&mut harness, "Succeeded");
    harness.get_by_label("Logs").click();
    harness.run();
    harness.get_by_label("Expand all").click();
    harness.run();
    harness.get_by_label("Re-run with this event").click();
    wait_for(&mut harness, "2 invocations, 8 lines");
    let history: Vec<_> = harness
        .state()
        .console()
        .ledger()
        .history
        .iter()
        .cloned()
        .collect();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].function, "hello");
    assert_eq!(history[1].source, "Re-run");
    assert_eq!(history[1].event, history[0].event);
    assert_eq!(
        harness.get_all_by_label("Re-run with this event").count(),
        2
    );
}

#[test]
fn the_cost_view_prices_the_session_and_projects_a_month() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    run_test_tab(&mut harness, "Succeeded");
    harness.get_by_label("Monitor").click();
    harness.run();
    // The charts over time, then the table.
    harness.get_by_label("Duration p50 / p99 (ms)");
    harness.get_by_label("Cost (USD)");
    harness.get_by_label("Error count");
    harness.get_by_label_contains("per bar; times are local");
    harness.get_by_label("Cost by function");
    harness.get_by_label_contains("x86_64: $");
    harness.get_by_label_contains("arm64: $");
}

#[test]
fn a_syntax_error_is_marked_on_its_line_and_saving_checks_the_code_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let app = app(&root);
    std::fs::write(
        root.join("functions/hello/index.mjs"),
        "export const handler = async () => {\n  return {;\n};\n",
    )
    .unwrap();
    let mut harness = harness(app);
    harness.run();
    run_test_tab(&mut harness, "Failed");
    harness.get_by_label("Code").click();
    harness.run();
    harness.get_by_label_contains("Line 2: SyntaxError");
    // Fix it in the editor and save: the marker goes without another Test.
    harness.get_by_label("Code editor").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Code editor").type_text(
        "export const handler = async () => ({ ok: true });\n\n// then broken\nconst x = ;\n",
    );
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while harness
        .query_by_label_contains("Line 4: SyntaxError")
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the saved code's error was not marked"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        harness
            .query_by_label_contains("Line 2: SyntaxError")
            .is_none()
    );
    assert_eq!(harness.state().console().state().totals.invocations, 1);
}

#[test]
fn a_long_run_can_be_cancelled_and_the_window_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let app = app(&root);
    std::fs::write(
        root.join("functions/hello/index.mjs"),
        "export const handler = () => new Promise((resolve) => setTimeout(resolve, 60000));\n",
    )
    .unwrap();
    std::fs::write(
        root.join("functions/hello/function.toml"),
        "runtime = \"js\"\nhandler = \"index.handler\"\ntimeout_secs = 120\n",
    )
    .unwrap();
    let mut harness = harness(app);
    harness.run();
    run_test_tab(&mut harness, "Running...");
    harness.get_by_label("Cancel").click();
    harness.step();
    wait_for(
        &mut harness,
        "Cancelled: the invocation was stopped before it finished.",
    );
    assert!(harness.state().console().state().running.is_empty());
}

#[test]
fn renaming_a_function_moves_its_folder_and_keeps_it_open() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_label("Rename").click();
    harness.run();
    harness.get_by_label("New name").click();
    harness.run();
    harness.get_by_label("New name").type_text("-there");
    harness.run();
    harness.get_by_label("Save name").click();
    harness.run();
    assert!(root.join("functions/hello-there/index.mjs").is_file());
    assert!(!root.join("functions/hello").exists());
    assert_eq!(harness.state().selected(), Some("hello-there"));
}

/// Dialogs that answer with fixed paths, as a user picking them would.
struct AnsweringDialogs {
    folder: Option<std::path::PathBuf>,
    wasm: Option<std::path::PathBuf>,
}

impl lambdesk::ui::Dialogs for AnsweringDialogs {
    fn pick_folder(&self, _title: &str) -> Option<std::path::PathBuf> {
        self.folder.clone()
    }
    fn pick_wasm_file(&self) -> Option<std::path::PathBuf> {
        self.wasm.clone()
    }
    fn pick_save_file(&self, _default_name: &str) -> Option<std::path::PathBuf> {
        self.folder
            .as_ref()
            .map(|folder| folder.join("exported.txt"))
    }
}

#[test]
fn file_menu_opens_a_new_workspace_and_imports_a_wasm_module() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("second-ws");
    let module = dir.path().join("image resize.wasm");
    std::fs::write(
        &module,
        wat::parse_str("(module (memory (export \"memory\") 1) (func (export \"_start\")))")
            .unwrap(),
    )
    .unwrap();
    let dialogs = AnsweringDialogs {
        folder: Some(other.clone()),
        wasm: Some(module),
    };
    let app = app(&dir.path().join("ws")).with_dialogs(Box::new(dialogs));
    let remembered_before = std::fs::read(lambdesk::sample_workspace::last_workspace_file()).ok();
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("New workspace...").click();
    harness.run();
    assert!(other.join("lambdesk.toml").is_file());
    assert_eq!(harness.state().console().root(), other);
    // A test's console never touches the user's data: the workspace the user last opened
    // is still the one remembered, and the new console keeps the test's module cache.
    assert_eq!(
        std::fs::read(lambdesk::sample_workspace::last_workspace_file()).ok(),
        remembered_before
    );
    assert_eq!(
        harness.state().console().runtime_options().cache_dir,
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache")
    );
    harness.get_by_label_contains("No functions yet");
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import .wasm function...").click();
    harness.run();
    harness.run();
    assert!(other.join("functions/image-resize/main.wasm").is_file());
    assert_eq!(harness.state().selected(), Some("image-resize"));
}

#[test]
fn enter_keeps_indentation_in_the_code_editor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let app = app_with(&root, |root| {
        std::fs::write(root.join("functions/hello/index.mjs"), "").unwrap();
    });
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("Code editor").click();
    harness.run();
    harness.get_by_label("Code editor").type_text("  first");
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    harness.get_by_label("Code editor").type_text("second");
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    let saved = std::fs::read_to_string(root.join("functions/hello/index.mjs")).unwrap();
    assert_eq!(saved, "  first\n  second");
}

#[test]
fn unsaved_changes_survive_a_crash_and_are_offered_back() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    {
        let mut harness = harness(app(&root));
        harness.run();
        harness.get_by_label("Code editor").click();
        harness.run();
        harness
            .get_by_label("Code editor")
            .type_text("// not saved yet\n");
        harness.run();
        // The window goes away without saving, as in a crash.
    }
    let on_disk = std::fs::read_to_string(root.join("functions/hello/index.mjs")).unwrap();
    assert!(!on_disk.contains("// not saved yet"));
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_label_contains("has unsaved changes from an earlier session");
    harness.get_by_label("Restore").click();
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    let saved = std::fs::read_to_string(root.join("functions/hello/index.mjs")).unwrap();
    assert!(saved.contains("// not saved yet"), "{saved}");
    assert!(!root.join(".lambdesk/unsaved/hello/index.mjs").exists());
}

#[test]
fn ctrl_f_finds_and_replaces_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run();
    harness.get_by_label("Find").click();
    harness.run();
    harness.get_by_label("Find").type_text("invocations");
    harness.run();
    harness.get_by_label_contains("4 matches");
    harness.get_by_label("Replace with").click();
    harness.run();
    harness.get_by_label("Replace with").type_text("calls");
    harness.run();
    harness.get_by_label("Replace all").click();
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    let saved = std::fs::read_to_string(root.join("functions/hello/index.mjs")).unwrap();
    assert!(
        !saved.contains("invocations") && saved.contains("let calls = 0;"),
        "{saved}"
    );
}

#[test]
fn files_of_a_function_can_be_created_renamed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let function_dir = root.join("functions/hello");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_label("New file").click();
    harness.run();
    harness.get_by_label("File name").click();
    harness.run();
    harness.get_by_label("File name").type_text("lib/util.mjs");
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    assert!(function_dir.join("lib/util.mjs").is_file());
    // The file tree shows the folder; clicking a file opens it.
    harness.get_by_label("lib/");
    harness.get_by_label("index.mjs").click();
    harness.run();
    let editor = harness
        .get_by_label("Code editor")
        .value()
        .unwrap_or_default();
    assert!(editor.contains("saying hello"), "{editor}");
    harness.get_by_label("util.mjs").click();
    harness.run();
    assert_eq!(
        harness.get_by_label("Code editor").value().as_deref(),
        Some("")
    );
    harness.get_by_label("Rename file").click();
    harness.run();
    harness.get_by_label("File name").click();
    harness.run();
    harness.get_by_label("File name").type_text("2");
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    assert!(function_dir.join("lib/util.mjs2").is_file());
    assert!(!function_dir.join("lib/util.mjs").exists());
    harness.get_by_label("Delete file").click();
    harness.run();
    harness.get_by_label("Delete it").click();
    harness.run();
    assert!(!function_dir.join("lib/util.mjs2").exists());
    assert!(function_dir.join("index.mjs").is_file());
}

#[test]
fn the_logs_shown_can_be_exported_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let dialogs = AnsweringDialogs {
        folder: Some(dir.path().to_owned()),
        wasm: None,
    };
    let app = app(&dir.path().join("ws")).with_dialogs(Box::new(dialogs));
    let mut harness = harness(app);
    harness.run();
    run_test_tab(&mut harness, "Succeeded");
    harness.get_by_label("Logs").click();
    harness.run();
    harness.get_by_label("Export...").click();
    harness.run();
    let exported = std::fs::read_to_string(dir.path().join("exported.txt")).unwrap();
    assert_eq!(exported.lines().count(), 4, "{exported}");
    assert!(
        exported.contains("\thello\tREPORT RequestId: "),
        "{exported}"
    );
}

#[test]
fn opening_the_configuration_of_a_function_without_an_architecture_changes_nothing() {
    // Regression: the tab wrote `architecture` into its draft and showed unsaved changes.
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    harness.get_by_role_and_label(Role::Button, "echo").click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness.get_by_label("Environment variables");
    assert!(harness.query_by_label("(unsaved changes)").is_none());
    assert!(
        harness
            .get_by_label("Save configuration")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn shortcuts_open_the_logs_and_the_monitor_and_the_theme_can_be_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    let command_shift = egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT);
    harness.key_press_modifiers(command_shift, egui::Key::L);
    harness.run();
    harness.get_by_label("No log lines yet: run a function from its Test tab.");
    harness.key_press_modifiers(command_shift, egui::Key::M);
    harness.run();
    harness.get_by_label("Nothing to show yet: run a function from its Test tab.");
    harness.key_press_modifiers(command_shift, egui::Key::Q);
    harness.run();
    harness.get_by_label("orders-dlq: 0 (after 3 receives)");
    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_label("Light").click();
    harness.run();
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);
    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_label("Dark").click();
    harness.run();
    assert_eq!(harness.ctx.theme(), egui::Theme::Dark);
}

#[test]
fn requests_to_the_gateway_show_in_the_logs_and_the_status_bar() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    open_sample_workspace(&root).unwrap();
    // Any free port: tests run side by side.
    std::fs::write(
        root.join("lambdesk.toml"),
        "gateway_port = 0\nlambda_api_port = 0\n",
    )
    .unwrap();
    let workspace = lambdesk::model::Workspace::open(&root).unwrap();
    let mut console = console_harness::console(workspace, console_harness::runtime_options());
    console.start_triggers();
    let url = console
        .state()
        .gateway_url
        .clone()
        .expect("the gateway runs");
    let api_url = console
        .state()
        .invoke_api_url
        .clone()
        .expect("the Invoke API runs");
    let mut harness = harness(LambdeskApp::new(console));
    harness.run();
    harness.get_by_label(&format!("HTTP gateway {url}"));
    harness.get_by_label(&format!("Invoke API {api_url}"));

    // The sample's items-api (from the HTTP API blueprint) serves GET /items/{id}.
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /items/1 HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n",
    )
    .unwrap();
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply.ends_with("{\"id\":\"1\",\"name\":\"coffee\"}"),
        "{reply}"
    );

    harness.get_by_label("Logs").click();
    wait_for_contains(&mut harness, "HTTP GET /items/{id}");
    assert_eq!(
        harness.state().console().ledger().meter.total().invocations,
        1
    );
    harness.get_by_label_contains("1 invocation ·");
}

/// Steps frames until a label containing `text` shows up.
fn wait_for_contains(harness: &mut Harness<'_, LambdeskApp>, text: &str) {
    console_harness::wait_for_label_containing(harness, text, 500);
}

#[test]
fn the_configuration_tab_shows_when_schedules_fire_and_what_is_wrong_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let app = app_with(&root, |root| {
        for (name, expression) in [("job", "rate(5 minutes)"), ("broken", "cron(0 8 * * * *)")] {
            let function = root.join("functions").join(name);
            std::fs::create_dir_all(&function).unwrap();
            std::fs::write(
                function.join("index.mjs"),
                "export const handler = async () => 'done';\n",
            )
            .unwrap();
            std::fs::write(
                function.join("function.toml"),
                format!("runtime = \"js\"\nhandler = \"index.handler\"\n\n[[triggers]]\ntype = \"schedule\"\nexpression = \"{expression}\"\n"),
            )
            .unwrap();
        }
    });
    let mut harness = harness(app);
    harness.run();
    harness.get_by_role_and_label(Role::Button, "job").click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness.get_by_label("Edit schedule rate(5 minutes)");
    harness.get_by_label_contains("rate(5 minutes) · next ");
    // A malformed expression is refused when the configuration loads, with its key.
    harness
        .get_by_role_and_label(Role::Button, "broken")
        .click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    // Shown in the function list and in the tab.
    let shown = harness
        .get_all_by_label_contains(
            "key `triggers[0].expression`: `cron(0 8 * * * *)` is not a valid schedule expression: day-of-month and day-of-week cannot both be specified; use ? in one of them",
        )
        .count();
    assert!(shown >= 1);
}

/// The app on a sample workspace whose lambdesk.toml is `toml`.
fn app_with_workspace_config(root: &Path, toml: &str) -> LambdeskApp {
    open_sample_workspace(root).unwrap();
    std::fs::write(root.join("lambdesk.toml"), toml).unwrap();
    let workspace = lambdesk::model::Workspace::open(root).unwrap();
    console_harness::app(workspace, console_harness::runtime_options())
}

/// Focuses the text field labelled `label` and types `text` into it.
fn type_into(harness: &mut Harness<'_, LambdeskApp>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

fn queue_counts(harness: &Harness<'_, LambdeskApp>, queue: &str) -> (u64, u64) {
    let snapshot = harness.state().console().messaging();
    let row = snapshot
        .queues
        .iter()
        .find(|row| row.name == queue)
        .unwrap();
    (row.counts.visible, row.counts.in_flight)
}

#[test]
fn queues_and_topics_can_be_browsed_sent_to_purged_and_published_to() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "[queues.orders]\nmax_receive_count = 3\ndead_letter_queue = \"orders-dlq\"\n[queues.orders-dlq]\n[topics.news]\nsubscriptions = [{ queue = \"orders\", raw_message_delivery = true }]\n";
    let mut harness = harness(app_with_workspace_config(&dir.path().join("ws"), toml));
    harness.run();
    harness.get_by_label("Queues & Topics").click();
    harness.run();
    harness.get_by_label("orders-dlq: 0 (after 3 receives)");
    harness.get_by_label("queue orders (raw)");

    // Send a message from the form: it is counted and shows in the browser.
    harness
        .get_by_role_and_label(Role::Button, "orders")
        .click();
    harness.run();
    type_into(&mut harness, "Message body", "{\"order\": 42}");
    type_into(
        &mut harness,
        "Message attributes (one a line: name=value, name:Number=42)",
        "kind=order",
    );
    harness.run();
    harness.get_by_label("Send message").click();
    harness.run();
    harness.get_by_label_contains("Sent message");
    assert_eq!(queue_counts(&harness, "orders"), (1, 0));
    harness.get_by_label("{\"order\": 42}");

    // Publish to the topic: its raw subscription delivers to the same queue.
    harness.get_by_role_and_label(Role::Button, "news").click();
    harness.run();
    type_into(&mut harness, "Message", "breaking");
    harness.run();
    harness.get_by_label("Publish message").click();
    harness.run();
    harness.get_by_label_contains("delivered to queue orders (raw)");
    assert_eq!(queue_counts(&harness, "orders"), (2, 0));

    // Purge asks first.
    harness.get_by_label("Purge").click();
    harness.run();
    harness.get_by_label("Purge messages").click();
    harness.run();
    harness.get_by_label_contains("Purged 2 message(s) from orders");
    assert_eq!(queue_counts(&harness, "orders"), (0, 0));
    harness.get_by_label("No messages waiting.");
}

#[test]
fn the_configuration_tab_describes_queue_and_topic_triggers() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "process-orders")
        .click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness.get_by_label("Edit queue orders");
    harness.get_by_label("orders · batch 10");
    harness.get_by_label("reports item failures");
    harness
        .get_by_role_and_label(Role::Button, "on-alert")
        .click();
    harness.run();
    harness.get_by_label("Edit topic alerts");
    harness.get_by_label("alerts · every message");
}

#[test]
fn a_running_rate_schedule_shows_when_the_engine_fires_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    open_sample_workspace(&root).unwrap();
    std::fs::write(
        root.join("lambdesk.toml"),
        "gateway_port = 0\nlambda_api_port = 0\n",
    )
    .unwrap();
    let workspace = lambdesk::model::Workspace::open(&root).unwrap();
    let mut config =
        lambdesk::model::FunctionConfig::new(lambdesk::model::Runtime::Js, "index.handler");
    config.triggers.push(lambdesk::model::Trigger::Schedule {
        expression: "rate(1 minute)".to_owned(),
        timezone: None,
        enabled: true,
    });
    workspace
        .create_function(
            "tick",
            &config,
            &[(
                "index.mjs",
                b"export const handler = async () => 1;\n".as_slice(),
            )],
        )
        .unwrap();
    let mut console = console_harness::console(workspace, console_harness::runtime_options());
    console.start_triggers();
    let started = chrono::Utc::now();
    std::thread::sleep(Duration::from_millis(1_500));
    let fires = console.schedule_fires("tick");
    assert_eq!(fires.len(), 1, "{fires:?}");
    let next = fires[0].1.unwrap();
    // A minute from when the engine started the schedule, not from now.
    assert!(
        next <= started + chrono::Duration::seconds(60),
        "{next} vs {started}"
    );
    assert!(next > chrono::Utc::now());
}

#[test]
fn a_trigger_added_in_the_code_tab_shows_in_the_configuration_tab_and_survives_its_save() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_role_and_label(Role::Button, "hello").click();
    harness.run();
    // Configuration first, so that a stale copy would be in memory.
    harness.get_by_label("Configuration").click();
    harness.run();
    harness.get_by_label("Code").click();
    harness.run();
    harness.get_by_label("function.toml").click();
    harness.run();
    harness.get_by_label("Code editor").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::End);
    harness.run();
    harness
        .get_by_label("Code editor")
        .type_text("\n[[triggers]]\ntype = \"http\"\nroute = \"GET /from-the-editor\"\n");
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness.get_by_label("GET /from-the-editor");
    harness.get_by_label("Add variable").click();
    harness.run();
    harness.get_by_label("Key").click();
    harness.run();
    harness.get_by_label("Key").type_text("STAGE");
    harness.run();
    harness.get_by_label("Save configuration").click();
    harness.run();
    let saved = std::fs::read_to_string(root.join("functions/hello/function.toml")).unwrap();
    assert!(
        saved.contains("route = \"GET /from-the-editor\""),
        "{saved}"
    );
    assert!(saved.contains("STAGE = \"\""), "{saved}");
}

#[test]
fn ctrl_f_moves_the_typing_into_the_find_field() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = harness(app(&root));
    harness.run();
    harness.get_by_label("Code editor").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run();
    harness.get_by_label("Code editor").type_text("invocations");
    harness.run();
    harness.get_by_label_contains("4 matches");
    assert!(harness.query_by_label_contains("unsaved changes").is_none());
}

#[test]
fn without_a_folder_dialog_open_workspace_asks_for_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("typed-ws");
    let dialogs = AnsweringDialogs {
        folder: None,
        wasm: None,
    };
    let app = app(&dir.path().join("ws")).with_dialogs(Box::new(dialogs));
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label_contains("Open workspace...").click();
    harness.run();
    harness.get_by_label("Folder path").click();
    harness.run();
    harness
        .get_by_label("Folder path")
        .type_text(other.to_str().unwrap());
    harness.run();
    harness.get_by_label("Open").click();
    harness.run();
    assert_eq!(harness.state().console().root(), other);
    assert!(other.join("lambdesk.toml").is_file());
}

#[test]
fn notifications_are_kept_with_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app(&dir.path().join("ws")));
    harness.run();
    harness.get_by_label("Code").click();
    harness.run();
    harness.get_by_label("New file").click();
    harness.run();
    harness.get_by_label("File name").click();
    harness.run();
    harness
        .get_by_label("File name")
        .type_text("../outside.txt");
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    harness.get_by_label("New file").click();
    harness.run();
    harness.get_by_label("File name").click();
    harness.run();
    harness
        .get_by_label("File name")
        .type_text("/tmp/absolute.txt");
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    assert!(!dir.path().join("ws/functions/outside.txt").exists());
    harness.get_by_label("Notifications (2)").click();
    harness.run();
    harness.get_by_label_contains("`../outside.txt` is not a file inside");
    harness.get_by_label_contains("`/tmp/absolute.txt` is not a file inside");
    harness.get_by_label("Clear all").click();
    harness.run();
    harness.get_by_label("Nothing to report.");
}

#[test]
fn the_first_javascript_test_of_a_machine_says_what_it_is_preparing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let workspace = open_sample_workspace(&root).unwrap();
    let options = RuntimeOptions {
        // A machine that has never prepared the JS runtime.
        cache_dir: dir.path().join("fresh-cache"),
        ..RuntimeOptions::default()
    };
    let mut harness = harness(console_harness::app(workspace, options));
    harness.run();
    harness.get_by_label("Test").click();
    harness.run();
    test_button(&harness).click();
    harness.step();
    assert!(harness.state().console().state().is_running("hello"));
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut explained = false;
    while harness.state().console().state().is_running("hello") {
        assert!(
            std::time::Instant::now() < deadline,
            "the first run never ended"
        );
        harness.step();
        explained |= harness
            .query_by_label_contains("Preparing the JavaScript runtime, once per machine")
            .is_some();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        explained,
        "the first run said nothing about its preparation"
    );
}

/// The sample workspace with `hello`'s function.toml replaced by `toml`, its page's
/// Configuration tab open.
fn configuration_of_hello(root: &Path, toml: &'static str) -> Harness<'static, LambdeskApp> {
    let app = app_with(root, |root| {
        std::fs::write(root.join("functions/hello/function.toml"), toml).unwrap();
    });
    let mut harness = harness(app);
    harness.run();
    harness.get_by_role_and_label(Role::Button, "hello").click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness
}

fn hello_config(root: &Path) -> String {
    std::fs::read_to_string(root.join("functions/hello/function.toml")).unwrap()
}

const HELLO_WITH_COMMENT: &str = "# hello: kept by every save\nruntime = \"js\"\nhandler = \"index.handler\" # the module's export\ntimeout_secs = 3\n";

/// Opens "+ Add trigger" with `source` picked.
fn add_trigger_form(harness: &mut Harness<'_, LambdeskApp>, source: &str) {
    harness.get_by_label("+ Add trigger").click();
    harness.run();
    harness.get_by_label(source).click();
    harness.run();
}

#[test]
fn each_trigger_kind_is_added_through_its_form_and_comments_survive() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_of_hello(&root, HELLO_WITH_COMMENT);
    harness.get_by_label("No triggers yet");

    add_trigger_form(&mut harness, "HTTP");
    type_into(&mut harness, "Route", "GET /hello/{name}");
    harness.get_by_label("Save trigger").click();
    harness.run();
    harness.get_by_label("Edit http GET /hello/{name}");

    add_trigger_form(&mut harness, "Bucket");
    type_into(&mut harness, "Bucket name", "photos");
    type_into(&mut harness, "Prefix", "uploads/");
    type_into(&mut harness, "Suffix", ".png");
    harness.get_by_label("Save trigger").click();
    harness.run();
    harness.get_by_label("photos · uploads/ · *.png · ObjectCreated");

    add_trigger_form(&mut harness, "Schedule");
    type_into(&mut harness, "Expression", "rate(5 minutes)");
    harness.get_by_label("Next 5 fire times (UTC):");
    harness.get_by_label("Save trigger").click();
    harness.run();
    harness.get_by_label_contains("rate(5 minutes) · next ");

    add_trigger_form(&mut harness, "Queue");
    type_into(&mut harness, "Queue name", "orders");
    harness.get_by_label("Save trigger").click();
    harness.run();
    harness.get_by_label("orders · batch 10");

    add_trigger_form(&mut harness, "Topic");
    type_into(&mut harness, "Topic name", "alerts");
    type_into(&mut harness, "Filter policy", "{\"kind\": [\"order\"]}");
    harness.get_by_label("Save trigger").click();
    harness.run();
    harness.get_by_label("alerts · filter policy");

    let saved = hello_config(&root);
    assert!(
        saved.starts_with("# hello: kept by every save\n"),
        "{saved}"
    );
    assert!(
        saved.contains("handler = \"index.handler\" # the module's export"),
        "{saved}"
    );
    let config = harness
        .state()
        .console()
        .workspace()
        .function("hello")
        .unwrap()
        .config;
    let kinds: Vec<_> = config
        .triggers
        .iter()
        .map(lambdesk::model::Trigger::summary)
        .collect();
    assert_eq!(
        kinds,
        [
            "http GET /hello/{name}",
            "bucket photos",
            "schedule rate(5 minutes)",
            "queue orders",
            "topic alerts"
        ]
    );
    assert!(saved.contains("prefix = \"uploads/\""), "{saved}");
    assert!(saved.contains("suffix = \".png\""), "{saved}");
    assert!(saved.contains("\"order\""), "{saved}");
}

#[test]
fn an_http_trigger_s_payload_format_is_chosen_in_its_form() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_of_hello(&root, HELLO_WITH_COMMENT);
    add_trigger_form(&mut harness, "HTTP");
    type_into(&mut harness, "Route", "GET /legacy");
    // The setting only an ALB has shows with its payload.
    assert!(harness.query_by_label("Multi-value headers").is_none());
    harness
        .get_by_role_and_label(Role::ComboBox, "Payload format")
        .click();
    harness.run();
    harness.get_by_label("Application Load Balancer").click();
    harness.run();
    harness.get_by_label("Multi-value headers").click();
    harness.run();
    harness.get_by_label("Save trigger").click();
    harness.run();
    let saved = hello_config(&root);
    assert!(saved.contains("payload = \"alb\""), "{saved}");
    assert!(saved.contains("multi_value_headers = true"), "{saved}");
    assert!(
        saved.starts_with("# hello: kept by every save\n"),
        "{saved}"
    );
}

#[test]
fn an_invalid_cron_shows_the_error_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_of_hello(&root, HELLO_WITH_COMMENT);
    add_trigger_form(&mut harness, "Schedule");
    type_into(&mut harness, "Expression", "cron(0 8 * * * *)");
    harness.get_by_label_contains(
        "day-of-month and day-of-week cannot both be specified; use ? in one of them",
    );
    harness.get_by_label("Save trigger").click();
    harness.run();
    assert_eq!(hello_config(&root), HELLO_WITH_COMMENT);
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_label("Save trigger").is_none());
    assert_eq!(hello_config(&root), HELLO_WITH_COMMENT);
}

#[test]
fn a_route_another_function_serves_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_of_hello(&root, HELLO_WITH_COMMENT);
    add_trigger_form(&mut harness, "HTTP");
    type_into(&mut harness, "Route", "GET /items");
    harness.get_by_label_contains("function `items-api`: API Gateway refuses");
    harness.get_by_label("Save trigger").click();
    harness.run();
    assert_eq!(hello_config(&root), HELLO_WITH_COMMENT);
}

#[test]
fn toggling_and_removing_a_trigger_change_only_that_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let toml = "runtime = \"js\"\nhandler = \"index.handler\"\n\n# the public route\n[[triggers]]\ntype = \"http\"\nroute = \"GET /hello\" # keep\n\n[[triggers]]\ntype = \"queue\"\nqueue = \"orders\"\nbatch_size = 5 # small batches\n\n[[triggers]]\ntype = \"topic\"\ntopic = \"alerts\"\n";
    let mut harness = configuration_of_hello(&root, toml);

    // A click on a card opens its form; Cancel writes nothing.
    harness.get_by_label("Edit queue orders").click();
    harness.run();
    harness.get_by_label("Edit trigger");
    harness.get_by_label("Cancel").click();
    harness.run();
    assert_eq!(hello_config(&root), toml);

    // Switching the queue trigger off writes `enabled = false` under it alone.
    harness.get_all_by_label("Enabled").nth(1).unwrap().click();
    harness.run();
    let toggled = hello_config(&root);
    assert_eq!(
        toggled,
        toml.replace(
            "batch_size = 5 # small batches\n",
            "batch_size = 5 # small batches\nenabled = false\n"
        )
    );

    // Removing the topic trigger asks first.
    harness.get_all_by_label("Remove").nth(2).unwrap().click();
    harness.run();
    harness.get_by_label_contains("Remove the trigger `topic alerts` from function.toml?");
    assert_eq!(hello_config(&root), toggled);
    harness.get_by_label("Remove trigger").click();
    harness.run();
    let removed = hello_config(&root);
    assert!(!removed.contains("alerts"), "{removed}");
    assert!(removed.contains("# the public route\n"), "{removed}");
    assert!(
        removed.contains("route = \"GET /hello\" # keep\n"),
        "{removed}"
    );
    assert!(removed.contains("enabled = false"), "{removed}");
    assert!(harness.query_by_label("Edit topic alerts").is_none());
}

#[test]
fn an_on_failure_destination_is_added_through_its_form() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_of_hello(&root, HELLO_WITH_COMMENT);
    harness.get_by_label("+ Add destination").click();
    harness.run();
    type_into(&mut harness, "Target name", "orders-dlq");
    harness.get_by_label("Save destination").click();
    harness.run();
    harness.get_by_label("Edit on failure destination");
    harness.get_by_label("queue orders-dlq");
    let saved = hello_config(&root);
    assert!(saved.starts_with(HELLO_WITH_COMMENT), "{saved}");
    let config = harness
        .state()
        .console()
        .workspace()
        .function("hello")
        .unwrap()
        .config;
    assert_eq!(
        config.destinations.on_failure,
        Some(lambdesk::model::Destination::Queue("orders-dlq".to_owned()))
    );
}

/// The sample workspace's console with its triggers running (the gateway on any free
/// port: tests run side by side), on the Configuration tab of `function`.
fn configuration_with_triggers_running(
    root: &Path,
    function: &str,
) -> Harness<'static, LambdeskApp> {
    configuration_with_triggers_running_after(root, function, |_| {})
}

/// [`configuration_with_triggers_running`] on a sample workspace `prepare` changed.
fn configuration_with_triggers_running_after(
    root: &Path,
    function: &str,
    prepare: impl FnOnce(&Path),
) -> Harness<'static, LambdeskApp> {
    open_sample_workspace(root).unwrap();
    std::fs::write(
        root.join("lambdesk.toml"),
        "gateway_port = 0\nlambda_api_port = 0\n",
    )
    .unwrap();
    prepare(root);
    let workspace = lambdesk::model::Workspace::open(root).unwrap();
    let mut console = console_harness::console(workspace, console_harness::runtime_options());
    console.start_triggers();
    let mut harness = harness(LambdeskApp::new(console));
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, function)
        .click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness
}

/// Steps frames until the session's history holds an invocation of `function`; its
/// source (how it was started).
fn wait_for_invocation(harness: &mut Harness<'_, LambdeskApp>, function: &str) -> String {
    for _ in 0..1_000 {
        harness.step();
        let source = harness
            .state()
            .console()
            .ledger()
            .history
            .iter()
            .find(|invocation| invocation.function == function)
            .map(|invocation| invocation.source.clone());
        if let Some(source) = source {
            return source;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{function} was not invoked");
}

#[test]
fn send_test_event_on_a_bucket_card_writes_an_object_that_invokes_the_function() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_with_triggers_running(&root, "process-upload");
    harness.get_by_label("Send test event").click();
    harness.run();
    harness.get_by_label_contains("Wrote the test object `lambdesk-test-");
    let source = wait_for_invocation(&mut harness, "process-upload");
    assert!(source.contains("uploads"), "{source}");
    let objects: Vec<_> = std::fs::read_dir(root.join("buckets/uploads"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        objects.len() == 1 && objects[0].starts_with("lambdesk-test-"),
        "{objects:?}"
    );
}

#[test]
fn send_test_event_on_queue_and_http_cards_invokes_their_functions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_with_triggers_running(&root, "process-orders");
    harness.get_by_label("Send test event").click();
    harness.run();
    harness.get_by_label_contains("Sent message");
    let source = wait_for_invocation(&mut harness, "process-orders");
    assert!(source.contains("orders"), "{source}");

    // items-api serves three routes: the one with a parameter gets a sample value.
    harness
        .get_by_role_and_label(Role::Button, "items-api")
        .click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness
        .get_all_by_label("Send test event")
        .nth(1)
        .unwrap()
        .click();
    harness.run();
    wait_for_contains(
        &mut harness,
        "GET /items/1 answered HTTP 200 OK (items-api)",
    );
    let source = wait_for_invocation(&mut harness, "items-api");
    assert!(source.contains("GET /items/{id}"), "{source}");
}

#[test]
fn a_queue_or_bucket_a_trigger_names_can_be_created_from_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_of_hello(
        &root,
        "runtime = \"js\"\nhandler = \"index.handler\"\ntimeout_secs = 60\n",
    );
    add_trigger_form(&mut harness, "Queue");
    type_into(&mut harness, "Queue name", "new-orders");
    harness.get_by_label_contains("queue `new-orders` is not declared in lambdesk.toml");
    // SQS's default of 30 s is below the function's timeout: the trigger cannot be
    // saved, and the offer starts at the function's timeout.
    assert!(
        harness
            .get_by_label("Save trigger")
            .accesskit_node()
            .is_disabled()
    );
    harness.get_by_label("Create queue `new-orders`").click();
    harness.run();
    let toml = std::fs::read_to_string(root.join("lambdesk.toml")).unwrap();
    assert!(
        toml.contains("[queues.new-orders]\nvisibility_timeout_secs = 60\n"),
        "{toml}"
    );
    assert!(
        toml.contains("# Orders wait here for the process-orders function"),
        "{toml}"
    );
    harness.get_by_label_contains("Created queue new-orders in lambdesk.toml");
    assert!(
        harness
            .query_by_label("Create queue `new-orders`")
            .is_none()
    );
    assert!(
        harness
            .query_by_label_contains("queue `new-orders` is not declared")
            .is_none()
    );
    harness.get_by_label("Save trigger").click();
    harness.run();
    harness.get_by_label("new-orders · batch 10");

    add_trigger_form(&mut harness, "Bucket");
    type_into(&mut harness, "Bucket name", "photos");
    harness.get_by_label("Create bucket folder").click();
    harness.run();
    assert!(root.join("buckets/photos").is_dir());
    assert!(harness.query_by_label("Create bucket folder").is_none());
}

#[test]
fn send_test_event_on_topic_and_schedule_cards_invokes_their_functions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_with_triggers_running_after(&root, "on-alert", |root| {
        // Once a day: only the test event fires it while the test runs.
        let function = root.join("functions/daily");
        std::fs::create_dir_all(&function).unwrap();
        std::fs::write(
            function.join("index.mjs"),
            "export const handler = async () => 'done';\n",
        )
        .unwrap();
        std::fs::write(
            function.join("function.toml"),
            "runtime = \"js\"\nhandler = \"index.handler\"\n\n[[triggers]]\ntype = \"schedule\"\nexpression = \"rate(1 day)\"\n",
        )
        .unwrap();
    });
    harness.get_by_label("Send test event").click();
    harness.run();
    harness.get_by_label_contains("delivered to function on-alert");
    wait_for_invocation(&mut harness, "on-alert");

    harness.get_by_role_and_label(Role::Button, "daily").click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    harness.get_by_label("Send test event").click();
    harness.run();
    harness.get_by_label_contains("Fired the schedule `rate(1 day)` of daily now");
    wait_for_invocation(&mut harness, "daily");
}

#[test]
fn a_switched_off_trigger_sends_no_test_event() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_with_triggers_running(&root, "process-upload");
    harness.get_by_label("Enabled").click();
    harness.run();
    assert!(
        harness
            .get_by_label("Send test event")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn a_destination_topic_can_be_created_from_its_form() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut harness = configuration_of_hello(&root, HELLO_WITH_COMMENT);
    harness.get_by_label("+ Add destination").click();
    harness.run();
    harness.get_by_label("topic").click();
    harness.run();
    type_into(&mut harness, "Target name", "failures");
    harness.get_by_label("Create topic `failures`").click();
    harness.run();
    let toml = std::fs::read_to_string(root.join("lambdesk.toml")).unwrap();
    assert!(toml.contains("[topics.failures]"), "{toml}");
    assert!(toml.starts_with("# lambdesk workspace:"), "{toml}");
    assert!(harness.query_by_label("Create topic `failures`").is_none());
    harness.get_by_label("Save destination").click();
    harness.run();
    harness.get_by_label("topic failures");
}

/// Sends `GET path` to the gateway at `url` and returns the reply.
fn gateway_get(url: &str, path: &str) -> String {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n");
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).unwrap();
    reply
}

#[test]
fn a_trigger_card_counts_its_events_and_opens_its_logs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    open_sample_workspace(&root).unwrap();
    // Any free port: tests run side by side.
    std::fs::write(
        root.join("lambdesk.toml"),
        "gateway_port = 0\nlambda_api_port = 0\n",
    )
    .unwrap();
    let workspace = lambdesk::model::Workspace::open(&root).unwrap();
    let mut console = console_harness::console(workspace, console_harness::runtime_options());
    console.start_triggers();
    let url = console
        .state()
        .gateway_url
        .clone()
        .expect("the gateway runs");
    let mut harness = harness(LambdeskApp::new(console));
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "items-api")
        .click();
    harness.run();
    harness.get_by_label("Configuration").click();
    harness.run();
    // Every route of the function counts from zero.
    assert!(harness.get_all_by_label("0/min").count() >= 2);

    for _ in 0..2 {
        let reply = gateway_get(&url, "/items/1");
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
    wait_for(&mut harness, "2/min");
    // Both succeeded: no error count.
    assert!(harness.query_by_label_contains("error").is_none());

    harness.get_by_label("Logs of http GET /items/{id}").click();
    harness.run();
    harness.get_by_label_contains("2 invocations, ");
    // The Function filter (a combo box beside its label) names the function.
    let function_filter = harness.get_by_role_and_label(Role::ComboBox, "Function");
    assert_eq!(function_filter.value().as_deref(), Some("items-api"));
}
