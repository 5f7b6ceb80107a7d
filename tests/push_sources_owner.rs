//! Two processes on one workspace (two `serve`, or the console and `serve`): one runs the
//! buckets, schedules and asynchronous delivery, so every bucket file and every schedule
//! fire is processed once; the other says who owns them, and takes over when the owner
//! stops or is killed.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::engine::{Engine, start, wait_up_to};
use common::serve::Serve;
use common::{Recorder, TestWorkspace};
use lambdesk::model::{BucketAccess, Trigger};
use lambdesk::triggers::async_delivery::AsyncOptions;
use lambdesk::triggers::http::GatewayOptions;
use lambdesk::triggers::push_sources_owner::PushSourcesOwner;
use lambdesk::triggers::{EngineOptions, InvocationSink, TriggerContext, TriggerEngine};

/// A second engine on the workspace, as another process would start it (`start` insists
/// on an engine without problems; this one has the note about the owner).
fn start_another(test: &TestWorkspace) -> Engine {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let recorder = Arc::new(Recorder::default());
    let context = Arc::new(TriggerContext::new(
        test.workspace.clone(),
        Arc::new(test.runtime()),
        Arc::clone(&recorder) as Arc<dyn InvocationSink>,
    ));
    let options = EngineOptions {
        gateway: GatewayOptions {
            port: 0,
            integration_timeout: Duration::from_secs(30),
            client_read_timeout: Duration::from_secs(30),
        },
        delivery: AsyncOptions::default(),
        invoke_api: None,
    };
    let engine = tokio.block_on(TriggerEngine::start(context, options));
    Engine {
        engine: Some(engine),
        recorder,
        tokio,
    }
}

fn engine(engine: &Engine) -> &TriggerEngine {
    engine.engine.as_ref().unwrap()
}

/// How many times each object key was processed, over both engines.
fn runs_by_key(engines: &[&Engine]) -> BTreeMap<String, usize> {
    let mut runs = BTreeMap::new();
    for engine in engines {
        for run in engine.recorder.runs_of("count") {
            let event: serde_json::Value = serde_json::from_str(&run.event).unwrap();
            let key = event["Records"][0]["s3"]["object"]["key"]
                .as_str()
                .unwrap()
                .to_owned();
            *runs.entry(key).or_default() += 1;
        }
    }
    runs
}

/// Waits until `keys` were processed and nothing is left in the backlog (a duplicate
/// fire would be queued by then, and run).
fn wait_for_keys(engines: &[&Engine], keys: &[String], backlog_of: &Engine) {
    wait_up_to(Duration::from_secs(60), "every file processed", || {
        let runs = runs_by_key(engines);
        keys.iter().all(|key| runs.contains_key(key))
            && engine(backlog_of)
                .delivery()
                .unwrap()
                .store()
                .waiting()
                .unwrap()
                == 0
    });
}

fn drop_files(test: &TestWorkspace, names: &[String]) {
    let inbox = test.workspace.root().join("buckets/inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for name in names {
        std::fs::write(inbox.join(name), name).unwrap();
    }
}

fn counting_workspace(trigger: Trigger) -> TestWorkspace {
    let test = TestWorkspace::new();
    test.add_wat("count", &common::writes_stdout("{}"), |config| {
        config.triggers = vec![trigger];
    });
    test
}

#[test]
fn two_engines_process_each_bucket_file_once_and_the_second_takes_over_when_the_first_stops() {
    let test = counting_workspace(Trigger::Bucket {
        bucket: "inbox".to_owned(),
        events: vec!["s3:ObjectCreated:*".to_owned()],
        prefix: None,
        suffix: None,
        enabled: true,
    });
    let first = start(&test);
    let second = start_another(&test);
    assert_eq!(engine(&first).push_sources_owner(), PushSourcesOwner::Owned);
    let PushSourcesOwner::RunBy { pid, .. } = engine(&second).push_sources_owner() else {
        panic!("both engines run the push sources");
    };
    assert_eq!(pid, Some(std::process::id()));
    assert!(
        engine(&second)
            .problems
            .iter()
            .any(|note| note.contains("this process runs HTTP and queues only")),
        "{:?}",
        engine(&second).problems
    );

    let before: Vec<String> = (0..50).map(|n| format!("before-{n}.txt")).collect();
    drop_files(&test, &before);
    wait_for_keys(&[&first, &second], &before, &first);
    let runs = runs_by_key(&[&first, &second]);
    assert_eq!(runs.len(), 50, "{runs:?}");
    assert!(runs.values().all(|count| *count == 1), "{runs:?}");

    first.stop();
    wait_up_to(
        Duration::from_secs(10),
        "the second engine takes over",
        || engine(&second).push_sources_owner() == PushSourcesOwner::Owned,
    );
    let after: Vec<String> = (0..10).map(|n| format!("after-{n}.txt")).collect();
    drop_files(&test, &after);
    wait_for_keys(&[&second], &after, &second);
    let runs = runs_by_key(&[&second]);
    for key in &after {
        assert_eq!(runs.get(key), Some(&1), "{runs:?}");
    }
    second.stop();
}

#[test]
fn a_schedule_fires_from_one_engine_only() {
    let test = counting_workspace(Trigger::Schedule {
        expression: "cron(* * * * ? *)".to_owned(),
        timezone: None,
        enabled: true,
    });
    let first = start(&test);
    let second = start_another(&test);

    // The next minute's fire (at most a minute away).
    wait_up_to(Duration::from_secs(75), "the schedule fired", || {
        !first.recorder.runs_of("count").is_empty()
            && engine(&first)
                .delivery()
                .unwrap()
                .store()
                .waiting()
                .unwrap()
                == 0
    });

    assert_eq!(first.recorder.runs_of("count").len(), 1);
    assert!(second.recorder.runs_of("count").is_empty());
    first.stop();
    second.stop();
}

/// Writes `/buckets/done/<key>.<request id>` per event: a file processed twice leaves two.
const MARKS_DONE: &str = r#"import { writeFileSync } from "node:fs";
export const handler = async (event, context) => {
  const key = event.Records[0].s3.object.key;
  writeFileSync(`/buckets/done/${key}.${context.awsRequestId}`, "1");
  return {};
};
"#;

/// Waits until `serve` said `text`.
fn wait_for(serve: &Serve, text: &str) {
    wait_up_to(Duration::from_secs(60), text, || serve.said(text));
}

/// How many times each key was processed, from the marker files.
fn done_counts(done: &Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for entry in std::fs::read_dir(done).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((key, _request_id)) = name.split_once(".txt.") {
            *counts.entry(format!("{key}.txt")).or_default() += 1;
        }
    }
    counts
}

#[test]
fn two_serve_processes_process_each_file_once_and_the_second_takes_over_when_the_first_is_killed() {
    let test = TestWorkspace::new();
    test.add_js(
        "marker",
        "index.handler",
        &[("index.mjs", MARKS_DONE)],
        |config| {
            config.triggers = vec![Trigger::Bucket {
                bucket: "inbox".to_owned(),
                events: vec!["s3:ObjectCreated:*".to_owned()],
                prefix: None,
                suffix: None,
                enabled: true,
            }];
            config
                .permissions
                .buckets
                .insert("done".to_owned(), BucketAccess::ReadWrite);
        },
    );
    let done = test.workspace.root().join("buckets/done");
    std::fs::create_dir_all(&done).unwrap();
    let mut owner = Serve::start(test.workspace.root());
    wait_for(&owner, "serving");
    let other = Serve::start(test.workspace.root());
    wait_for(&other, "serving");
    assert!(
        other.said("are run by `lambdesk serve` (pid"),
        "{}",
        other.output()
    );

    let before: Vec<String> = (0..20).map(|n| format!("before-{n}.txt")).collect();
    drop_files(&test, &before);
    // Bounded generously: with a cold module cache the JS runtime is compiled first.
    wait_up_to(Duration::from_secs(180), "every file processed", || {
        done_counts(&done).len() == before.len()
    });
    // A second process firing too would have queued its events by now; the owner
    // delivers both in order of arrival, so its backlog ends empty only after them.
    let backlog = lambdesk::triggers::async_delivery::AsyncStore::open(
        &lambdesk::triggers::state_db::state_path(&test.workspace),
    )
    .unwrap();
    wait_up_to(Duration::from_secs(60), "the backlog is empty", || {
        backlog.waiting().unwrap() == 0
    });
    let counts = done_counts(&done);
    assert!(counts.values().all(|count| *count == 1), "{counts:?}");

    owner.child.kill().unwrap();
    owner.child.wait().unwrap();
    wait_for(
        &other,
        "this one now runs buckets, schedules and async delivery",
    );
    let after: Vec<String> = (0..5).map(|n| format!("after-{n}.txt")).collect();
    drop_files(&test, &after);
    wait_up_to(Duration::from_secs(60), "the new files processed", || {
        let counts = done_counts(&done);
        after.iter().all(|key| counts.contains_key(key))
    });
    wait_up_to(Duration::from_secs(60), "the backlog is empty", || {
        backlog.waiting().unwrap() == 0
    });
    let counts = done_counts(&done);
    for key in &after {
        assert_eq!(counts.get(key), Some(&1), "{counts:?}");
    }
}
