//! The console and the workspace's files: one source of truth (the files on disk), edits
//! in place that keep the user's comments, saves that never write from a stale copy,
//! paths confined to the function's folder, `lambdesk.toml` followed without a restart,
//! and Test invocations known by their own request ids.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lambdesk::console::{Command, Console, NotificationLevel, TestResult};
use lambdesk::model::Outcome;
use lambdesk::model::Workspace;
use lambdesk::runtime::RuntimeOptions;

const HELLO_TOML: &str = "# Greets whoever the event names.\nruntime = \"js\"\nhandler = \"index.handler\" # index.mjs\n\n# Slow downstream API.\ntimeout_secs = 10\n\n[environment]\nGREETING = \"Hello\" # said first\n";

fn console_on(root: &Path) -> Console {
    let workspace = Workspace::open(root).unwrap();
    let options = RuntimeOptions {
        cache_dir: Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        ..RuntimeOptions::default()
    };
    Console::with_workspace(workspace, options, Arc::new(|| {})).unwrap()
}

fn workspace_with_hello() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    Workspace::open(&root).unwrap();
    std::fs::write(
        root.join("lambdesk.toml"),
        "gateway_port = 0\nlambda_api_port = 0\n",
    )
    .unwrap();
    let function = root.join("functions/hello");
    std::fs::create_dir_all(&function).unwrap();
    std::fs::write(function.join("function.toml"), HELLO_TOML).unwrap();
    std::fs::write(
        function.join("index.mjs"),
        "export const handler = async (event) => {\n  if (event.ms) await new Promise((done) => setTimeout(done, event.ms));\n  return `${process.env.GREETING}, ${event.name}`;\n};\n",
    )
    .unwrap();
    (dir, root)
}

/// Polls the console until `done` holds (bounded, so a broken build fails, not hangs).
fn poll_until(console: &mut Console, what: &str, done: impl Fn(&Console) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        console.poll();
        if done(console) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn saving_the_configuration_changes_only_the_changed_keys() {
    let (_dir, root) = workspace_with_hello();
    let mut console = console_on(&root);
    let base = console.workspace().function("hello").unwrap().config;
    let mut edited = base.clone();
    edited.timeout_secs = 30;
    console.apply(Command::SaveConfig {
        function: "hello".to_owned(),
        base: Box::new(base),
        config: Box::new(edited),
        overwrite: false,
    });
    let written = std::fs::read_to_string(root.join("functions/hello/function.toml")).unwrap();
    assert_eq!(
        written,
        HELLO_TOML.replace("timeout_secs = 10", "timeout_secs = 30")
    );
}

#[test]
fn a_configuration_save_from_an_older_copy_keeps_a_trigger_added_in_the_editor() {
    let (_dir, root) = workspace_with_hello();
    let mut console = console_on(&root);
    // The Configuration tab read the file; then the Code tab added a trigger and saved.
    let base = console.workspace().function("hello").unwrap().config;
    let with_trigger =
        format!("{HELLO_TOML}\n[[triggers]]\ntype = \"http\"\nroute = \"GET /hello\"\n");
    console.apply(Command::SaveFile {
        function: "hello".to_owned(),
        relative_path: "function.toml".to_owned(),
        contents: with_trigger.clone(),
        expected: Some(HELLO_TOML.to_owned()),
    });
    let mut edited = base.clone();
    edited.timeout_secs = 20;
    console.apply(Command::SaveConfig {
        function: "hello".to_owned(),
        base: Box::new(base),
        config: Box::new(edited),
        overwrite: false,
    });
    let written = std::fs::read_to_string(root.join("functions/hello/function.toml")).unwrap();
    assert_eq!(
        written,
        with_trigger.replace("timeout_secs = 10", "timeout_secs = 20")
    );
}

#[test]
fn a_save_over_a_file_changed_on_disk_is_refused_until_the_user_chooses() {
    let (_dir, root) = workspace_with_hello();
    let mut console = console_on(&root);
    let code = root.join("functions/hello/index.mjs");
    let opened = std::fs::read_to_string(&code).unwrap();
    std::fs::write(
        &code,
        "export const handler = async () => 'changed elsewhere';\n",
    )
    .unwrap();
    console.apply(Command::SaveFile {
        function: "hello".to_owned(),
        relative_path: "index.mjs".to_owned(),
        contents: "export const handler = async () => 'mine';\n".to_owned(),
        expected: Some(opened),
    });
    assert_eq!(
        std::fs::read_to_string(&code).unwrap(),
        "export const handler = async () => 'changed elsewhere';\n"
    );
    let state = console.state();
    assert!(
        state
            .save_conflicts
            .contains(&("hello".to_owned(), "index.mjs".to_owned()))
    );
    let told: Vec<_> = state.notifications.iter().map(|n| n.text.clone()).collect();
    assert!(
        told.iter().any(|text| text.contains("changed on disk")),
        "{told:?}"
    );
    // "Save mine over it".
    console.apply(Command::SaveFile {
        function: "hello".to_owned(),
        relative_path: "index.mjs".to_owned(),
        contents: "export const handler = async () => 'mine';\n".to_owned(),
        expected: None,
    });
    assert_eq!(
        std::fs::read_to_string(&code).unwrap(),
        "export const handler = async () => 'mine';\n"
    );
    assert!(console.state().save_conflicts.is_empty());
}

#[test]
fn new_files_outside_the_function_folder_are_refused() {
    let (dir, root) = workspace_with_hello();
    let mut console = console_on(&root);
    let outside = dir.path().join("escaped.txt");
    for path in [
        "../../../escaped.txt".to_owned(),
        outside.display().to_string(),
    ] {
        console.apply(Command::NewFile {
            function: "hello".to_owned(),
            relative_path: path.clone(),
        });
        console.apply(Command::SaveFile {
            function: "hello".to_owned(),
            relative_path: path,
            contents: "x".to_owned(),
            expected: None,
        });
    }
    assert!(!outside.exists());
    let told: Vec<_> = console
        .state()
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .map(|n| n.text.clone())
        .collect();
    assert!(
        told.iter()
            .any(|text| text.contains("not a file inside the folder of function `hello`")),
        "{told:?}"
    );
    console.apply(Command::NewFile {
        function: "hello".to_owned(),
        relative_path: "lib/util.mjs".to_owned(),
    });
    assert!(root.join("functions/hello/lib/util.mjs").is_file());
}

#[test]
fn a_function_toml_written_by_another_program_shows_without_a_refresh() {
    let (_dir, root) = workspace_with_hello();
    let mut console = console_on(&root);
    let generation = console.state().disk_generation;
    std::fs::write(
        root.join("functions/hello/function.toml"),
        format!("{HELLO_TOML}\n[[triggers]]\ntype = \"schedule\"\nexpression = \"rate(1 day)\"\n"),
    )
    .unwrap();
    poll_until(&mut console, "the trigger to show", |console| {
        console.state().disk_generation > generation
            && console
                .state()
                .function("hello")
                .is_some_and(|entry| !entry.triggers.is_empty())
    });
}

#[test]
fn queues_added_to_lambdesk_toml_apply_without_a_restart() {
    let (_dir, root) = workspace_with_hello();
    let mut console = console_on(&root);
    console.refresh_messaging();
    assert!(
        !console
            .messaging()
            .queues
            .iter()
            .any(|queue| queue.name == "invoices")
    );
    std::fs::write(
        root.join("lambdesk.toml"),
        "gateway_port = 0\nlambda_api_port = 0\n\n[queues.invoices]\nvisibility_timeout_secs = 60\n",
    )
    .unwrap();
    poll_until(&mut console, "the new queue", |console| {
        console.workspace().config().queues.contains_key("invoices")
    });
    console.refresh_messaging();
    assert!(
        console
            .messaging()
            .queues
            .iter()
            .any(|queue| queue.name == "invoices")
    );
    // A broken lambdesk.toml is reported, and the settings in force stay.
    std::fs::write(root.join("lambdesk.toml"), "gateway_port = \"x\"\n").unwrap();
    poll_until(&mut console, "the error", |console| {
        console
            .state()
            .notifications
            .iter()
            .any(|n| n.text.contains("lambdesk.toml") && n.text.contains("keeps the settings"))
    });
    assert!(console.workspace().config().queues.contains_key("invoices"));
}

#[test]
fn a_rerun_during_a_test_of_the_same_function_keeps_both_running_and_cancellable() {
    let (_dir, root) = workspace_with_hello();
    let mut console = console_on(&root);
    console.apply(Command::Invoke {
        function: "hello".to_owned(),
        event: r#"{"name": "slow", "ms": 60000}"#.to_owned(),
    });
    console.apply(Command::Invoke {
        function: "hello".to_owned(),
        event: r#"{"name": "quick"}"#.to_owned(),
    });
    assert_eq!(console.state().running.len(), 2);
    poll_until(&mut console, "the quick one", |console| {
        console.state().running.len() == 1
    });
    match console.state().results.get("hello") {
        Some(TestResult::Finished { record, .. }) => assert_eq!(
            record.outcome,
            Outcome::Success(serde_json::json!("Hello, quick"))
        ),
        other => panic!("the quick invocation did not finish: {other:?}"),
    }
    // The slow one still runs, and the function still shows it.
    assert!(console.state().is_running("hello"));
    console.apply(Command::Cancel {
        function: "hello".to_owned(),
    });
    assert!(!console.state().is_running("hello"));
    assert!(console.state().running.is_empty());
}
