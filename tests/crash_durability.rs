//! Nothing lost on a crash: `lambdesk serve` is killed with SIGKILL in the middle of
//! 10,000 queued messages and 1,000 asynchronous events; started again, it processes every
//! one of them (at least once), and the queue and the backlog end empty.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestWorkspace;
use lambdesk::model::BucketAccess;
use lambdesk::triggers::async_delivery::{AsyncStore, NewAsyncEvent};
use lambdesk::triggers::context::load_functions;
use lambdesk::triggers::queues::{NewMessage, QueueCounts, QueueStore, known_queues};
use lambdesk::triggers::state_db::state_path;

const QUEUED_MESSAGES: usize = 10_000;
const ASYNC_EVENTS: usize = 1_000;

/// Marks each message (queue records) or event (`{"id": …}`) done with a file named by
/// its id: a duplicate delivery writes the same file again.
const MARKS_DONE: &str = r#"import { writeFileSync } from "node:fs";
export const handler = async (event) => {
  const ids = event.Records ? event.Records.map((record) => record.body) : [event.id];
  for (const id of ids) writeFileSync(`/buckets/done/${id}`, "1");
  return { done: ids.length };
};
"#;

fn serve(workspace: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args(["serve", "--port", "0", "--workspace"])
        .arg(workspace)
        .env(
            "LAMBDESK_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn done_ids(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_killed_serve_loses_no_message_and_no_event() {
    // A short visibility timeout: messages in flight at the kill come back quickly.
    let test = TestWorkspace::with_config("[queues.work]\nvisibility_timeout_secs = 2\n");
    test.add_js(
        "marker",
        "index.handler",
        &[("index.mjs", MARKS_DONE)],
        |config| {
            config.timeout_secs = 2;
            config
                .triggers
                .push(common::queue_trigger("work", 10, false));
            config
                .permissions
                .buckets
                .insert("done".to_owned(), BucketAccess::ReadWrite);
        },
    );
    let root = test.workspace.root().to_owned();
    let done_dir = root.join("buckets/done");
    std::fs::create_dir_all(&done_dir).unwrap();

    // Everything is queued before serve starts, as a previous run could have left it.
    let (functions, _) = load_functions(&test.workspace);
    let settings = known_queues(&test.workspace, &functions)["work"].clone();
    let queues = QueueStore::open(&state_path(&test.workspace)).unwrap();
    let messages: Vec<NewMessage> = (0..QUEUED_MESSAGES)
        .map(|n| NewMessage::with_body(format!("q{n}")))
        .collect();
    queues
        .send(&settings, &messages, chrono::Utc::now().timestamp_millis())
        .unwrap();
    let backlog = AsyncStore::open(&state_path(&test.workspace)).unwrap();
    for n in 0..ASYNC_EVENTS {
        let event = format!("{{\"id\":\"a{n}\"}}");
        let new = NewAsyncEvent {
            function: "marker",
            event: &event,
            origin: "test",
            hops: 0,
        };
        backlog
            .enqueue(&new, chrono::Utc::now().timestamp_millis())
            .unwrap();
    }

    let mut first = serve(&root);
    let started = Instant::now();
    while done_ids(&done_dir).len() < 1_500 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "serve made no progress"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    first.kill().unwrap(); // SIGKILL: no clean stop
    first.wait().unwrap();
    let done_at_kill = done_ids(&done_dir).len();
    eprintln!(
        "killed after {done_at_kill} of {} done",
        QUEUED_MESSAGES + ASYNC_EVENTS
    );

    let mut second = serve(&root);
    let expected: BTreeSet<String> = (0..QUEUED_MESSAGES)
        .map(|n| format!("q{n}"))
        .chain((0..ASYNC_EVENTS).map(|n| format!("a{n}")))
        .collect();
    let started = Instant::now();
    loop {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let drained = queues.counts("work", now_ms).unwrap() == QueueCounts::default()
            && backlog.waiting().unwrap() == 0;
        if drained {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "not drained: {:?}, {} events waiting, {} done",
            queues.counts("work", now_ms).unwrap(),
            backlog.waiting().unwrap(),
            done_ids(&done_dir).len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let done = done_ids(&done_dir);
    let missing: Vec<&String> = expected.difference(&done).take(10).collect();
    assert!(
        missing.is_empty(),
        "lost: {missing:?} ({} done)",
        done.len()
    );
    assert_eq!(done.len(), expected.len());
    Command::new("kill")
        .args(["-INT", &second.id().to_string()])
        .status()
        .unwrap();
    assert!(second.wait().unwrap().success());
}
