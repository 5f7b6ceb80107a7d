//! A damaged or emptied `.lambdesk/state.sqlite` is refused with a message, kept aside
//! and never overwritten, instead of being reopened as an empty database (losing every
//! queued message and event without a word); a good database of an older version, without
//! the marker, is accepted.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::TestWorkspace;
use lambdesk::triggers::async_delivery::AsyncStore;
use lambdesk::triggers::queues::{NewMessage, QueueSettings, QueueStore};
use lambdesk::triggers::state_db::{StoreError, state_path};

fn settings(name: &str) -> QueueSettings {
    QueueSettings::new(name, &lambdesk::model::QueueConfig::default())
}

/// A workspace whose state database holds one message in queue `work`.
fn workspace_with_a_message() -> TestWorkspace {
    let test = TestWorkspace::with_config("[queues.work]\n");
    let store = QueueStore::open(&state_path(&test.workspace)).unwrap();
    store
        .send(&settings("work"), &[NewMessage::with_body("keep me")], 0)
        .unwrap();
    test
}

/// The files `state.sqlite.damaged-*` next to the state database.
fn kept_copies(state: &Path) -> Vec<PathBuf> {
    let mut kept: Vec<PathBuf> = std::fs::read_dir(state.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with("state.sqlite.damaged-")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
        .collect();
    kept.sort();
    kept
}

/// Opens the queues of a damaged database: the error, and what it says.
fn refused(state: &Path) -> (StoreError, String) {
    let error = QueueStore::open(state).unwrap_err();
    let message = error.to_string();
    (error, message)
}

#[test]
fn a_state_database_truncated_to_0_bytes_is_refused_and_kept_aside() {
    let test = workspace_with_a_message();
    let state = state_path(&test.workspace);
    std::fs::File::create(&state).unwrap();

    let (error, message) = refused(&state);

    assert!(error.is_damaged(), "{message}");
    assert!(message.contains(&state.display().to_string()), "{message}");
    assert!(message.contains("empty: 0 bytes"), "{message}");
    let kept = kept_copies(&state);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(
        message.contains(&kept[0].display().to_string()),
        "{message}"
    );
    assert!(message.contains("start lambdesk again"), "{message}");
    assert_eq!(std::fs::metadata(&kept[0]).unwrap().len(), 0);
    assert!(!state.exists(), "the damaged file must not stay in use");
}

#[test]
fn a_state_database_that_is_not_sqlite_is_refused_and_kept_unchanged() {
    let test = workspace_with_a_message();
    let state = state_path(&test.workspace);
    let garbage = "this is not a database, but it was someone's file\n".repeat(200);
    std::fs::write(&state, &garbage).unwrap();

    let (error, message) = refused(&state);

    assert!(error.is_damaged(), "{message}");
    assert!(message.contains("not a database"), "{message}");
    let kept = kept_copies(&state);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read_to_string(&kept[0]).unwrap(), garbage);
}

#[test]
fn a_corrupt_state_database_is_refused() {
    let test = workspace_with_a_message();
    let state = state_path(&test.workspace);
    let store = QueueStore::open(&state).unwrap();
    let big = NewMessage::with_body("x".repeat(3000));
    store.send(&settings("work"), &vec![big; 50], 0).unwrap();
    drop(store);
    // Pages after the first (the schema) overwritten: the header still says SQLite.
    let mut bytes = std::fs::read(&state).unwrap();
    assert!(bytes.len() > 16_384, "{} bytes", bytes.len());
    bytes[4096..16_384].fill(0xA5);
    std::fs::write(&state, &bytes).unwrap();

    let (error, message) = refused(&state);

    assert!(error.is_damaged(), "{message}");
    assert_eq!(kept_copies(&state).len(), 1);
    assert_eq!(std::fs::read(&kept_copies(&state)[0]).unwrap(), bytes);
}

#[test]
fn a_state_database_cut_short_is_refused() {
    let test = workspace_with_a_message();
    let state = state_path(&test.workspace);
    let store = QueueStore::open(&state).unwrap();
    let big = NewMessage::with_body("x".repeat(3000));
    store.send(&settings("work"), &vec![big; 50], 0).unwrap();
    drop(store);
    for length in [1000, 4096, 100_000] {
        let copy = state.with_file_name(format!("cut-{length}.sqlite"));
        std::fs::copy(&state, &copy).unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&copy)
            .unwrap()
            .set_len(length)
            .unwrap();

        let error = QueueStore::open(&copy).unwrap_err();

        assert!(error.is_damaged(), "{length} bytes: {error}");
        assert!(!copy.exists(), "{length} bytes: not moved aside");
    }
}

#[test]
fn a_sqlite_file_without_lambdesks_tables_is_refused() {
    let test = TestWorkspace::new();
    let state = state_path(&test.workspace);
    std::fs::create_dir_all(state.parent().unwrap()).unwrap();
    let other = rusqlite::Connection::open(&state).unwrap();
    other
        .execute_batch("CREATE TABLE photos (name TEXT); INSERT INTO photos VALUES ('cat');")
        .unwrap();
    drop(other);

    let error = AsyncStore::open(&state).unwrap_err();

    assert!(error.is_damaged(), "{error}");
    assert!(error.to_string().contains("not lambdesk's"), "{error}");
    assert_eq!(kept_copies(&state).len(), 1);
}

#[test]
fn a_damaged_copy_already_kept_is_never_overwritten() {
    let test = workspace_with_a_message();
    let state = state_path(&test.workspace);
    std::fs::write(&state, "first damage").unwrap();
    refused(&state);
    std::fs::write(&state, "second damage").unwrap();
    refused(&state);

    let kept: Vec<String> = kept_copies(&state)
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.contains(&"first damage".to_owned()), "{kept:?}");
    assert!(kept.contains(&"second damage".to_owned()), "{kept:?}");
}

#[test]
fn after_the_refusal_the_next_start_begins_with_an_empty_state() {
    let test = workspace_with_a_message();
    let state = state_path(&test.workspace);
    std::fs::File::create(&state).unwrap();
    refused(&state);

    let store = QueueStore::open(&state).unwrap();

    assert!(store.peek("work", 10, 0).unwrap().is_empty());
    assert_eq!(kept_copies(&state).len(), 1);
}

#[test]
fn a_database_of_an_older_version_without_the_marker_is_accepted_with_its_messages() {
    let test = TestWorkspace::with_config("[queues.work]\n");
    let state = state_path(&test.workspace);
    std::fs::create_dir_all(state.parent().unwrap()).unwrap();
    // What lambdesk wrote before the marker: its tables, nothing else.
    let old = rusqlite::Connection::open(&state).unwrap();
    old.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE queue_messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL,
            message_id TEXT NOT NULL, body TEXT NOT NULL, attributes TEXT NOT NULL,
            group_id TEXT, deduplication_id TEXT, sent_at_ms INTEGER NOT NULL,
            first_receive_at_ms INTEGER, receive_count INTEGER NOT NULL DEFAULT 0,
            visible_at_ms INTEGER NOT NULL, receipt_handle TEXT, source_queue TEXT);
         INSERT INTO queue_messages (queue, message_id, body, attributes, sent_at_ms, visible_at_ms)
            VALUES ('work', 'm-1', 'from an older version', '{}', 0, 0);",
    )
    .unwrap();
    drop(old);

    let store = QueueStore::open(&state).unwrap();

    let waiting = store.peek("work", 10, 0).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].body, "from an older version");
    assert!(kept_copies(&state).is_empty());
    let marked = rusqlite::Connection::open(&state).unwrap();
    let version: i64 = marked
        .query_row("SELECT format_version FROM lambdesk_meta", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(version, 1);
}

#[test]
fn a_new_state_database_gets_the_marker_and_reopens() {
    let test = TestWorkspace::new();
    let state = state_path(&test.workspace);
    drop(AsyncStore::open(&state).unwrap());
    drop(QueueStore::open(&state).unwrap());

    let marked = rusqlite::Connection::open(&state).unwrap();
    let rows: i64 = marked
        .query_row("SELECT COUNT(*) FROM lambdesk_meta", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

fn lambdesk(workspace: &Path, args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("--workspace")
        .arg(workspace)
        .args(args)
        .env("LAMBDESK_CACHE_DIR", cache)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn queue_list_on_an_emptied_state_database_exits_2_with_the_message() {
    let test = workspace_with_a_message();
    let state = state_path(&test.workspace);
    std::fs::File::create(&state).unwrap();

    let output = lambdesk(test.workspace.root(), &["queue", "list"], &test.cache_dir());

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is damaged (it is empty: 0 bytes)"),
        "{stderr}"
    );
    assert!(stderr.contains(&state.display().to_string()), "{stderr}");
    assert_eq!(kept_copies(&state).len(), 1);
}

#[test]
fn serve_on_an_emptied_state_database_refuses_to_start() {
    let test = workspace_with_a_message();
    let state = state_path(&test.workspace);
    std::fs::File::create(&state).unwrap();

    // Bounded: a serve that started anyway would run until killed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("--workspace")
        .arg(test.workspace.root())
        .args(["serve", "--port", "0"])
        .env("LAMBDESK_CACHE_DIR", test.cache_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("serve started on a damaged state database");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is damaged (it is empty: 0 bytes)"),
        "{stderr}"
    );
    assert!(stderr.contains("state.sqlite.damaged-"), "{stderr}");
    assert_eq!(kept_copies(&state).len(), 1);
}
