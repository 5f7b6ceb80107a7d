//! Queues with SQS semantics behind queue triggers (event source mappings): SQS records
//! as Lambda delivers them, deletion on success, the visibility timeout and the
//! dead-letter queue on failure, partial batch failures, FIFO order, and the CLI sending
//! to a running engine.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::process::Command;

use common::engine::{Engine, start, wait_until};
use common::{TestWorkspace, assert_same_shape, aws_sample, queue_trigger};
use lambdesk::triggers::context::load_functions;
use lambdesk::triggers::message_attribute::MessageAttribute;
use lambdesk::triggers::queues::{NewMessage, QueueCounts, known_queues, queue_settings};
use md5::{Digest as _, Md5};
use serde_json::Value;

fn send(test: &TestWorkspace, engine: &Engine, queue: &str, messages: &[NewMessage]) {
    let delivery = engine.engine.as_ref().unwrap().delivery().unwrap();
    let (functions, _) = load_functions(&test.workspace);
    let settings = queue_settings(&known_queues(&test.workspace, &functions), queue).unwrap();
    delivery
        .queues()
        .send(&settings, messages, chrono::Utc::now().timestamp_millis())
        .unwrap();
    delivery.queue_sent().notify_waiters();
}

fn counts(engine: &Engine, queue: &str) -> QueueCounts {
    let delivery = engine.engine.as_ref().unwrap().delivery().unwrap();
    delivery
        .queues()
        .counts(queue, chrono::Utc::now().timestamp_millis())
        .unwrap()
}

/// The SQS records of every run of `function`, in the order the runs ended.
fn records_of(engine: &Engine, function: &str) -> Vec<Vec<Value>> {
    engine
        .recorder
        .runs_of(function)
        .iter()
        .map(|run| {
            let event: Value = serde_json::from_str(&run.event).unwrap();
            event["Records"].as_array().unwrap().clone()
        })
        .collect()
}

fn bodies(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|record| record["body"].as_str().unwrap().to_owned())
        .collect()
}

const RECEIVES: &str =
    "export const handler = async (event) => ({ received: event.Records.length });\n";
const FAILS: &str = "export const handler = async () => { throw new Error('cannot process'); };\n";
/// Reports the messages whose body starts with `bad` as failed.
const PARTIAL: &str = "export const handler = async (event) => ({ batchItemFailures: event.Records.filter((r) => r.body.startsWith('bad')).map((r) => ({ itemIdentifier: r.messageId })) });\n";

#[test]
fn a_queue_trigger_receives_sqs_records_and_deletes_them_on_success() {
    let test = TestWorkspace::with_config("region = \"eu-west-1\"\n[queues.orders]\n");
    test.add_js(
        "consumer",
        "index.handler",
        &[("index.mjs", RECEIVES)],
        |config| {
            config.triggers.push(queue_trigger("orders", 10, false));
        },
    );
    let engine = start(&test);
    let mut message = NewMessage::with_body("{\"order\":1}");
    message
        .attributes
        .insert("kind".to_owned(), MessageAttribute::string("order"));
    send(
        &test,
        &engine,
        "orders",
        &[
            message,
            NewMessage::with_body("two"),
            NewMessage::with_body("three"),
        ],
    );
    wait_until("three messages processed and deleted", || {
        records_of(&engine, "consumer").concat().len() == 3
            && counts(&engine, "orders") == QueueCounts::default()
    });
    let records = records_of(&engine, "consumer").concat();
    let mut all_bodies = bodies(&records);
    all_bodies.sort();
    assert_eq!(all_bodies, vec!["three", "two", "{\"order\":1}"]);
    let first = records
        .iter()
        .find(|record| record["body"] == "{\"order\":1}")
        .unwrap();
    let sample = aws_sample("sqs-event.json");
    assert_same_shape(
        &sample["Records"][0],
        first,
        "",
        // The sample's attributes are of three types; this message has one String.
        &[".messageAttributes.*"],
    );
    assert_eq!(first["eventSource"], "aws:sqs");
    assert_eq!(first["awsRegion"], "eu-west-1");
    assert_eq!(
        first["eventSourceARN"],
        "arn:aws:sqs:eu-west-1:123456789012:orders"
    );
    assert_eq!(first["attributes"]["ApproximateReceiveCount"], "1");
    assert_eq!(
        first["messageAttributes"]["kind"],
        serde_json::json!({"stringValue": "order", "stringListValues": [], "binaryListValues": [], "dataType": "String"})
    );
    // The MD5 of the body, as SQS computes it.
    let md5_of_body = format!("{:x}", Md5::digest(b"{\"order\":1}"));
    assert_eq!(first["md5OfBody"], md5_of_body.as_str());
    engine.stop();
}

#[test]
fn a_failed_batch_comes_back_after_the_visibility_timeout_then_moves_to_the_dead_letter_queue() {
    let test = TestWorkspace::with_config(
        "[queues.jobs]\nvisibility_timeout_secs = 1\nmax_receive_count = 2\ndead_letter_queue = \"jobs-dlq\"\n[queues.jobs-dlq]\n",
    );
    test.add_js(
        "worker",
        "index.handler",
        &[("index.mjs", FAILS)],
        |config| {
            // Lambda wants the visibility timeout at least the function's timeout.
            config.timeout_secs = 1;
            config.triggers.push(queue_trigger("jobs", 10, false));
        },
    );
    let engine = start(&test);
    send(&test, &engine, "jobs", &[NewMessage::with_body("poison")]);
    wait_until("the message in the dead-letter queue", || {
        counts(&engine, "jobs-dlq").visible == 1
    });
    let runs = records_of(&engine, "worker");
    assert_eq!(runs.len(), 2, "received twice, then moved");
    assert_eq!(runs[0][0]["attributes"]["ApproximateReceiveCount"], "1");
    assert_eq!(runs[1][0]["attributes"]["ApproximateReceiveCount"], "2");
    assert_eq!(runs[0][0]["messageId"], runs[1][0]["messageId"]);
    assert_ne!(runs[0][0]["receiptHandle"], runs[1][0]["receiptHandle"]);
    assert_eq!(counts(&engine, "jobs"), QueueCounts::default());
    engine.stop();
}

/// A batch whose handler rejects with `null` failed (Lambda reports "handled"): its
/// message is not deleted but received again, then dead-lettered.
#[test]
fn a_batch_rejected_with_null_is_not_deleted() {
    let test = TestWorkspace::with_config(
        "[queues.nulls]\nvisibility_timeout_secs = 1\nmax_receive_count = 2\ndead_letter_queue = \"nulls-dlq\"\n[queues.nulls-dlq]\n",
    );
    test.add_js(
        "rejecter",
        "index.handler",
        &[(
            "index.mjs",
            "export const handler = () => Promise.reject(null);\n",
        )],
        |config| {
            config.timeout_secs = 1;
            config.triggers.push(queue_trigger("nulls", 10, false));
        },
    );
    let engine = start(&test);
    send(&test, &engine, "nulls", &[NewMessage::with_body("kept")]);
    wait_until("the message in the dead-letter queue", || {
        counts(&engine, "nulls-dlq").visible == 1
    });
    let delivery = engine.engine.as_ref().unwrap().delivery().unwrap();
    assert_eq!(
        delivery.queues().peek("nulls-dlq", 10, 0).unwrap()[0].body,
        "kept"
    );
    assert_eq!(
        records_of(&engine, "rejecter").len(),
        2,
        "received twice, then moved"
    );
    engine.stop();
}

#[test]
fn only_the_reported_batch_item_failures_come_back() {
    let test = TestWorkspace::with_config(
        "[queues.mixed]\nvisibility_timeout_secs = 1\nmax_receive_count = 1\ndead_letter_queue = \"mixed-dlq\"\n[queues.mixed-dlq]\n",
    );
    test.add_js(
        "picky",
        "index.handler",
        &[("index.mjs", PARTIAL)],
        |config| {
            config.timeout_secs = 1;
            config.triggers.push(queue_trigger("mixed", 10, true));
        },
    );
    let engine = start(&test);
    send(
        &test,
        &engine,
        "mixed",
        &[
            NewMessage::with_body("ok 1"),
            NewMessage::with_body("bad 1"),
            NewMessage::with_body("ok 2"),
        ],
    );
    wait_until("the failed message in the dead-letter queue", || {
        counts(&engine, "mixed-dlq").visible == 1
    });
    let delivery = engine.engine.as_ref().unwrap().delivery().unwrap();
    let dead = delivery.queues().peek("mixed-dlq", 10, 0).unwrap();
    assert_eq!(dead[0].body, "bad 1");
    assert_eq!(dead[0].source_queue.as_deref(), Some("mixed"));
    assert_eq!(counts(&engine, "mixed"), QueueCounts::default());
    assert_eq!(records_of(&engine, "picky").concat().len(), 3);
    engine.stop();
}

#[test]
fn a_visibility_timeout_shorter_than_the_function_timeout_is_refused() {
    let test = TestWorkspace::with_config("[queues.slow]\nvisibility_timeout_secs = 10\n");
    test.add_js(
        "slow",
        "index.handler",
        &[("index.mjs", RECEIVES)],
        |config| {
            config.timeout_secs = 60;
            config.triggers.push(queue_trigger("slow", 10, false));
        },
    );
    let context = std::sync::Arc::new(lambdesk::triggers::TriggerContext::new(
        test.workspace.clone(),
        std::sync::Arc::new(test.runtime()),
        std::sync::Arc::new(common::Recorder::default()),
    ));
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let engine = tokio.block_on(lambdesk::triggers::TriggerEngine::start(
        context,
        lambdesk::triggers::EngineOptions {
            gateway: lambdesk::triggers::http::GatewayOptions {
                port: 0,
                integration_timeout: std::time::Duration::from_secs(30),
                client_read_timeout: std::time::Duration::from_secs(30),
            },
            delivery: lambdesk::triggers::async_delivery::AsyncOptions::default(),
            invoke_api: None,
        },
    ));
    assert!(engine.queue_mappings().is_empty());
    assert!(
        engine.problems.iter().any(|problem| problem.contains(
            "Queue visibility timeout: 10 seconds is less than Function timeout: 60 seconds"
        )),
        "{:?}",
        engine.problems
    );
    tokio.block_on(engine.stop());
}

#[test]
fn a_fifo_queue_delivers_a_group_in_order() {
    let test = TestWorkspace::with_config(
        "[queues.\"steps.fifo\"]\nfifo = true\ncontent_based_deduplication = true\n",
    );
    test.add_js(
        "stepper",
        "index.handler",
        &[("index.mjs", RECEIVES)],
        |config| {
            config.triggers.push(queue_trigger("steps.fifo", 1, false));
        },
    );
    let engine = start(&test);
    let messages: Vec<NewMessage> = (0..12)
        .map(|step| NewMessage {
            group_id: Some(if step % 2 == 0 { "even" } else { "odd" }.to_owned()),
            ..NewMessage::with_body(step.to_string())
        })
        .collect();
    send(&test, &engine, "steps.fifo", &messages);
    wait_until("twelve steps", || {
        records_of(&engine, "stepper").len() == 12
    });
    let order: Vec<u32> = records_of(&engine, "stepper")
        .concat()
        .iter()
        .map(|record| record["body"].as_str().unwrap().parse().unwrap())
        .collect();
    for parity in [0, 1] {
        let group: Vec<u32> = order
            .iter()
            .copied()
            .filter(|step| step % 2 == parity)
            .collect();
        let mut sorted = group.clone();
        sorted.sort_unstable();
        assert_eq!(group, sorted, "group order kept: {order:?}");
    }
    let record = &records_of(&engine, "stepper")[0][0];
    assert!(record["attributes"]["MessageGroupId"].is_string());
    assert_eq!(
        record["attributes"]["SequenceNumber"]
            .as_str()
            .unwrap()
            .len(),
        20
    );
    engine.stop();
}

#[test]
fn the_cli_sends_to_a_running_engine_and_lists_peeks_and_purges() {
    let test = TestWorkspace::with_config("[queues.inbox]\n[queues.parked]\n");
    test.add_js(
        "reader",
        "index.handler",
        &[("index.mjs", RECEIVES)],
        |config| {
            config.triggers.push(queue_trigger("inbox", 10, false));
        },
    );
    let engine = start(&test);
    let lambdesk = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
            .args(args)
            .arg("--workspace")
            .arg(test.workspace.root())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    lambdesk(&[
        "queue",
        "send",
        "inbox",
        "from the shell",
        "--attr",
        "source=cli",
    ]);
    wait_until("the message from another process", || {
        records_of(&engine, "reader").concat().len() == 1
    });
    assert_eq!(
        records_of(&engine, "reader")[0][0]["messageAttributes"]["source"]["stringValue"],
        "cli"
    );

    // A queue nobody consumes keeps its messages: peek shows them, purge empties it.
    let batch = test.dir.path().join("batch.txt");
    std::fs::write(&batch, "one\ntwo\n\nthree\n").unwrap();
    assert!(
        lambdesk(&[
            "queue",
            "send",
            "parked",
            "--batch-file",
            batch.to_str().unwrap()
        ])
        .contains("sent 3")
    );
    let listed = lambdesk(&["queue", "list"]);
    let parked_line = listed
        .lines()
        .find(|line| line.starts_with("parked"))
        .unwrap();
    assert!(
        parked_line.split_whitespace().any(|word| word == "3"),
        "{listed}"
    );
    assert!(
        listed
            .lines()
            .any(|line| line.starts_with("inbox") && line.contains("reader")),
        "{listed}"
    );
    let peeked = lambdesk(&["queue", "peek", "parked"]);
    assert!(
        peeked.contains("  one") && peeked.contains("  three"),
        "{peeked}"
    );
    assert!(lambdesk(&["queue", "purge", "parked"]).contains("purged 3"));
    assert_eq!(counts(&engine, "parked"), QueueCounts::default());

    let unknown = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args(["queue", "send", "nope", "x", "--workspace"])
        .arg(test.workspace.root())
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no queue `nope`"));
    engine.stop();
}
