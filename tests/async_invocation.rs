//! Asynchronous invocation as Lambda does it, through the trigger engine: retries with
//! backoff, maximum event age, destinations (a bucket, a function), recursive loop
//! detection, and a backlog that survives a stop.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::TestWorkspace;
use common::engine::{files_under, start, wait_until, wait_up_to};
use lambdesk::model::{AsyncConfig, BucketAccess, Destination, Trigger};
use lambdesk::triggers::async_delivery::{AsyncStore, NewAsyncEvent};
use serde_json::Value;

/// An enabled `bucket` trigger for one S3 event name.
fn bucket_trigger(
    bucket: &str,
    event: &str,
    prefix: Option<&str>,
    suffix: Option<&str>,
) -> Trigger {
    Trigger::Bucket {
        bucket: bucket.to_owned(),
        events: vec![event.to_owned()],
        prefix: prefix.map(str::to_owned),
        suffix: suffix.map(str::to_owned),
        enabled: true,
    }
}

const FAILS: &str = "export const handler = async () => { throw new Error('always fails'); };\n";
const SUCCEEDS: &str = "export const handler = async (event) => ({ got: event });\n";

#[test]
fn a_failing_event_is_retried_twice_then_sent_to_the_failure_bucket() {
    let test = TestWorkspace::new();
    test.add_js(
        "flaky",
        "index.handler",
        &[("index.mjs", FAILS)],
        |config| {
            config.destinations.on_failure = Some(Destination::Bucket("failed".to_owned()));
        },
    );
    let engine = start(&test);
    engine.enqueue("flaky", "{\"order\":7}");
    let bucket = test.workspace.root().join("buckets/failed");
    wait_until("the failure record", || !files_under(&bucket).is_empty());
    let runs = engine.recorder.runs_of("flaky");
    let origins: Vec<&str> = runs.iter().map(|run| run.origin.as_str()).collect();
    assert_eq!(origins, vec!["test", "test (retry 1)", "test (retry 2)"]);
    let files = files_under(&bucket);
    assert_eq!(files.len(), 1);
    let key = files[0]
        .strip_prefix(&bucket)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(key.starts_with("aws/lambda/async/flaky/"), "{key}");
    let record: Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(record["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 3);
    // One request id across the retries, as on Lambda, and in the record.
    let ids: Vec<String> = runs
        .iter()
        .map(|run| run.result.as_ref().unwrap().request_id.clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(record["requestContext"]["requestId"], ids[0].as_str());
    assert_eq!(record["requestPayload"], serde_json::json!({"order": 7}));
    assert_eq!(record["responseContext"]["functionError"], "Unhandled");
    assert_eq!(record["responsePayload"]["errorMessage"], "always fails");
    engine.stop();
}

#[test]
fn zero_retries_means_one_attempt_and_success_goes_to_on_success() {
    let test = TestWorkspace::new();
    test.add_js("once", "index.handler", &[("index.mjs", FAILS)], |config| {
        config.async_config = Some(AsyncConfig {
            maximum_retry_attempts: 0,
            ..AsyncConfig::default()
        });
    });
    test.add_js(
        "ok",
        "index.handler",
        &[("index.mjs", SUCCEEDS)],
        |config| {
            config.destinations.on_success = Some(Destination::Function("audit".to_owned()));
        },
    );
    test.add_js("audit", "index.handler", &[("index.mjs", SUCCEEDS)], |_| {});
    let engine = start(&test);
    engine.enqueue("once", "{}");
    engine.enqueue("ok", "{\"n\":1}");
    wait_until("the audit function ran", || {
        !engine.recorder.runs_of("audit").is_empty()
    });
    let audit = &engine.recorder.runs_of("audit")[0];
    let record: Value = serde_json::from_str(&audit.event).unwrap();
    assert_eq!(record["requestContext"]["condition"], "Success");
    assert_eq!(
        record["responsePayload"],
        serde_json::json!({"got": {"n": 1}})
    );
    assert_eq!(audit.origin, "Destination of ok (Success)");
    wait_until("the failure was reported", || {
        engine
            .recorder
            .problems()
            .iter()
            .any(|problem| problem.contains("RetriesExhausted"))
    });
    assert_eq!(engine.recorder.runs_of("once").len(), 1);
    engine.stop();
}

#[test]
fn an_event_older_than_its_maximum_age_is_not_run() {
    let test = TestWorkspace::new();
    test.add_js(
        "late",
        "index.handler",
        &[("index.mjs", SUCCEEDS)],
        |config| {
            config.async_config = Some(AsyncConfig {
                maximum_event_age_secs: 60,
                ..AsyncConfig::default()
            });
            config.destinations.on_failure = Some(Destination::Bucket("expired".to_owned()));
        },
    );
    // Queued two minutes ago, while nothing was running.
    let store = AsyncStore::open(&test.workspace.state_dir().join("state.sqlite")).unwrap();
    let two_minutes_ago = chrono::Utc::now().timestamp_millis() - 120_000;
    store
        .enqueue(
            &NewAsyncEvent {
                function: "late",
                event: "{}",
                origin: "test",
                hops: 0,
            },
            two_minutes_ago,
        )
        .unwrap();
    drop(store);
    let engine = start(&test);
    let bucket = test.workspace.root().join("buckets/expired");
    wait_until("the expiry record", || !files_under(&bucket).is_empty());
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(&files_under(&bucket)[0]).unwrap()).unwrap();
    assert_eq!(record["requestContext"]["condition"], "EventAgeExceeded");
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 0);
    assert!(engine.recorder.runs_of("late").is_empty());
    engine.stop();
}

#[test]
fn a_function_that_invokes_itself_is_stopped_after_16_hops() {
    let test = TestWorkspace::new();
    // Answers little: each destination record holds the one before it.
    let again = "export const handler = async () => 'again';\n";
    test.add_js("loop", "index.handler", &[("index.mjs", again)], |config| {
        config.destinations.on_success = Some(Destination::Function("loop".to_owned()));
        // Regression: the record of the stopped loop went to on_failure, restarting it.
        config.destinations.on_failure = Some(Destination::Function("loop".to_owned()));
    });
    let engine = start(&test);
    engine.enqueue("loop", "{}");
    wait_until("the loop was stopped", || {
        engine
            .recorder
            .problems()
            .iter()
            .any(|problem| problem.contains("recursive invocation loop"))
    });
    // Give a runaway loop time to show itself.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(engine.recorder.runs_of("loop").len(), 16);
    let store = AsyncStore::open(&test.workspace.state_dir().join("state.sqlite")).unwrap();
    wait_until("the backlog emptied", || store.waiting().unwrap() == 0);
    engine.stop();
}

#[test]
fn queued_events_wait_for_the_next_start() {
    let test = TestWorkspace::new();
    test.add_js("later", "index.handler", &[("index.mjs", SUCCEEDS)], |_| {});
    // Queued while nothing runs (as `serve` was stopped with events waiting).
    let store = AsyncStore::open(&test.workspace.state_dir().join("state.sqlite")).unwrap();
    for n in 0..3 {
        store
            .enqueue(
                &NewAsyncEvent {
                    function: "later",
                    event: &format!("{{\"n\":{n}}}"),
                    origin: "test",
                    hops: 0,
                },
                chrono::Utc::now().timestamp_millis(),
            )
            .unwrap();
    }
    assert_eq!(store.waiting().unwrap(), 3);
    let engine = start(&test);
    wait_until("all three ran", || {
        engine.recorder.runs_of("later").len() == 3
    });
    wait_until("the backlog emptied", || store.waiting().unwrap() == 0);
    let mut events: Vec<String> = engine
        .recorder
        .runs_of("later")
        .iter()
        .map(|run| run.event.to_string())
        .collect();
    events.sort();
    assert_eq!(events, vec!["{\"n\":0}", "{\"n\":1}", "{\"n\":2}"]);
    engine.stop();
}

#[test]
fn files_written_to_a_bucket_invoke_its_functions_with_s3_events() {
    let test = TestWorkspace::new();
    test.add_js(
        "thumbs",
        "index.handler",
        &[("index.mjs", SUCCEEDS)],
        |config| {
            config.triggers = vec![bucket_trigger(
                "photos",
                "s3:ObjectCreated:*",
                Some("uploads/"),
                Some(".png"),
            )];
        },
    );
    test.add_js(
        "cleanup",
        "index.handler",
        &[("index.mjs", SUCCEEDS)],
        |config| {
            config.triggers = vec![bucket_trigger("photos", "s3:ObjectRemoved:*", None, None)];
        },
    );
    let engine = start(&test);
    let bucket = test.workspace.root().join("buckets/photos");
    std::fs::create_dir_all(bucket.join("uploads")).unwrap();
    let contents = b"not really a png";
    std::fs::write(bucket.join("uploads/my cat.png"), contents).unwrap();
    std::fs::write(
        bucket.join("uploads/notes.txt"),
        b"filtered out by the suffix",
    )
    .unwrap();
    wait_until("thumbs ran", || {
        !engine.recorder.runs_of("thumbs").is_empty()
    });
    let run = &engine.recorder.runs_of("thumbs")[0];
    assert_eq!(run.origin, "Bucket photos ObjectCreated:Put");
    let event: Value = serde_json::from_str(&run.event).unwrap();
    // The sample's bucket is versioned; a bucket folder is not, so no `versionId`.
    common::assert_same_shape(
        &common::aws_sample("s3-event.json"),
        &event,
        "",
        &[".Records[0].s3.object.versionId"],
    );
    let record = &event["Records"][0];
    assert_eq!(record["eventSource"], "aws:s3");
    assert_eq!(record["eventName"], "ObjectCreated:Put");
    assert_eq!(record["s3"]["bucket"]["name"], "photos");
    // S3 writes a space in a key as `+` (form URL encoding).
    assert_eq!(record["s3"]["object"]["key"], "uploads/my+cat.png");
    assert_eq!(record["s3"]["object"]["size"], contents.len());
    let md5 = format!("{:x}", <md5::Md5 as md5::Digest>::digest(contents));
    assert_eq!(record["s3"]["object"]["eTag"], md5.as_str());

    std::fs::remove_file(bucket.join("uploads/my cat.png")).unwrap();
    wait_until("cleanup ran", || {
        !engine.recorder.runs_of("cleanup").is_empty()
    });
    let removed: Value =
        serde_json::from_str(&engine.recorder.runs_of("cleanup")[0].event).unwrap();
    assert_eq!(removed["Records"][0]["eventName"], "ObjectRemoved:Delete");
    // One event per change: the write was announced once, the text file not at all.
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(engine.recorder.runs_of("thumbs").len(), 1);
    assert_eq!(engine.recorder.runs_of("cleanup").len(), 1);
    engine.stop();
}

/// Writes `loop.txt` into its bucket (preopened as fd 3) on every invocation.
const WRITES_INTO_ITS_BUCKET: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "loop.txt")
  (data (i32.const 200) "written by the function")
  (data (i32.const 300) "\"ok\"")
  (func (export "_start")
    (local $fd i32)
    ;; O_CREAT | O_TRUNC, right to write.
    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 8)
                   (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))
      (then
        (local.set $fd (i32.load (i32.const 16)))
        (i32.store (i32.const 0) (i32.const 200))
        (i32.store (i32.const 4) (i32.const 23))
        (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call $fd_close (local.get $fd)))))
    (i32.store (i32.const 0) (i32.const 300))
    (i32.store (i32.const 4) (i32.const 4))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

#[test]
fn a_function_writing_into_the_bucket_it_watches_is_stopped_after_16_hops() {
    let test = TestWorkspace::new();
    test.add_wat("thumbnail", WRITES_INTO_ITS_BUCKET, |config| {
        config.triggers = vec![bucket_trigger("photos", "s3:ObjectCreated:*", None, None)];
        config
            .permissions
            .buckets
            .insert("photos".to_owned(), BucketAccess::ReadWrite);
    });
    let engine = start(&test);
    let bucket = test.workspace.root().join("buckets/photos");
    std::fs::write(bucket.join("start.txt"), b"a user's upload").unwrap();
    wait_up_to(Duration::from_secs(60), "the loop was stopped", || {
        engine
            .recorder
            .problems()
            .iter()
            .any(|problem| problem.contains("recursive invocation loop"))
    });
    assert_eq!(
        std::fs::read_to_string(bucket.join("loop.txt")).unwrap(),
        "written by the function"
    );
    assert_eq!(engine.recorder.runs_of("thumbnail").len(), 16);
    // And it stays stopped.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(engine.recorder.runs_of("thumbnail").len(), 16);
    engine.stop();
}

#[test]
fn a_function_whose_success_records_land_in_its_own_bucket_is_stopped_after_16_hops() {
    let test = TestWorkspace::new();
    // Regression: records written to a destination bucket started a new chain each time.
    test.add_js(
        "archive",
        "index.handler",
        &[("index.mjs", SUCCEEDS)],
        |config| {
            config.triggers = vec![bucket_trigger("archive", "s3:ObjectCreated:*", None, None)];
            config.destinations.on_success = Some(Destination::Bucket("archive".to_owned()));
        },
    );
    let engine = start(&test);
    let bucket = test.workspace.root().join("buckets/archive");
    std::fs::write(bucket.join("first.json"), b"{}").unwrap();
    wait_up_to(Duration::from_secs(60), "the loop was stopped", || {
        engine
            .recorder
            .problems()
            .iter()
            .any(|problem| problem.contains("recursive invocation loop"))
    });
    assert_eq!(engine.recorder.runs_of("archive").len(), 16);
    engine.stop();
}

#[test]
fn a_schedule_fires_a_scheduled_event_at_its_time() {
    use lambdesk::triggers::schedule::{Schedule, ScheduleExpression};
    use lambdesk::triggers::schedule_runner::{ScheduledRule, run_schedules};
    let test = TestWorkspace::new();
    test.add_js("job", "index.handler", &[("index.mjs", SUCCEEDS)], |_| {});
    let engine = start(&test);
    // A rate(1 minute) rule created 59.5 s ago fires in half a second.
    let created = chrono::Utc::now() - chrono::TimeDelta::milliseconds(59_500);
    let rule = ScheduledRule {
        function: "job".to_owned(),
        rule: "job-schedule-1".to_owned(),
        expression: "rate(1 minute)".to_owned(),
        schedule: Schedule::new(
            ScheduleExpression::parse("rate(1 minute)").unwrap(),
            None,
            created,
        ),
    };
    let fire_time = created + chrono::TimeDelta::minutes(1);
    let delivery = Arc::clone(engine.engine.as_ref().unwrap().delivery().unwrap());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = engine.tokio.spawn(run_schedules(
        vec![rule],
        delivery,
        "us-east-1".to_owned(),
        stopped,
    ));
    wait_until("the job ran", || !engine.recorder.runs_of("job").is_empty());
    let run = &engine.recorder.runs_of("job")[0];
    assert_eq!(run.origin, "Schedule rate(1 minute)");
    let event: Value = serde_json::from_str(&run.event).unwrap();
    common::assert_same_shape(&common::aws_sample("scheduled-event.json"), &event, "", &[]);
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert_eq!(
        event["time"],
        fire_time
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            .as_str()
    );
    assert_eq!(
        event["resources"][0],
        "arn:aws:events:us-east-1:123456789012:rule/job-schedule-1"
    );
    let _ = stop.send(true);
    engine.tokio.block_on(runner).unwrap();
    engine.stop();
}
