//! Functions send to queues and publish to topics with the JS runtime's `lambdesk`
//! module (through their `/outbox`), within their `[permissions]`: from `lambdesk invoke`
//! and from a trigger, the message arrives with the id the function was given.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::process::Command;

use common::engine::{start, wait_until};
use common::{TestWorkspace, queue_trigger};
use lambdesk::triggers::queues::{NewMessage, QueueStore};
use lambdesk::triggers::state_db::state_path;
use serde_json::Value;

const PRODUCER: &str = r#"import { sendMessage, publish } from "lambdesk";
export const handler = async (event) => {
  const sent = await sendMessage("orders", { id: event.id }, { attributes: { kind: "order", price: 12.5 } });
  const published = await publish("alerts", `order ${event.id} placed`, { subject: "New order" });
  return { sent: sent.MessageId, published: published.MessageId };
};
"#;

const SNEAKY: &str = r#"import { sendMessage } from "lambdesk";
export const handler = async () => sendMessage("payroll", "give me a raise");
"#;

fn invoke(test: &TestWorkspace, function: &str, event: &str) -> (std::process::Output, Value) {
    let event_file = test.dir.path().join("event.json");
    std::fs::write(&event_file, event).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args(["invoke", function, "--event"])
        .arg(&event_file)
        .arg("--workspace")
        .arg(test.workspace.root())
        .env(
            "LAMBDESK_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        )
        .output()
        .unwrap();
    let response = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, response)
}

#[test]
fn a_function_sends_to_a_queue_and_publishes_to_a_topic() {
    let test = TestWorkspace::with_config(
        "[queues.orders]\n[queues.audit]\n[topics.alerts]\nsubscriptions = [{ queue = \"audit\", raw_message_delivery = true }]\n",
    );
    test.add_js(
        "producer",
        "index.handler",
        &[("index.mjs", PRODUCER)],
        |config| {
            config.permissions.queues.push("orders".to_owned());
            config.permissions.topics.push("alerts".to_owned());
        },
    );
    let (output, response) = invoke(&test, "producer", "{\"id\": 7}");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = QueueStore::open(&state_path(&test.workspace)).unwrap();
    let orders = store.peek("orders", 10, 0).unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].body, "{\"id\":7}");
    assert_eq!(orders[0].message_id, response["sent"].as_str().unwrap());
    assert_eq!(orders[0].attributes["kind"].value, "order");
    assert_eq!(orders[0].attributes["price"].data_type, "Number");
    let audit = store.peek("audit", 10, 0).unwrap();
    assert_eq!(audit[0].body, "order 7 placed");
}

#[test]
fn sending_without_permission_is_access_denied() {
    let test = TestWorkspace::with_config("[queues.payroll]\n");
    test.add_js(
        "sneaky",
        "index.handler",
        &[("index.mjs", SNEAKY)],
        |config| {
            // Some messaging permission, but not this queue.
            config.permissions.topics.push("alerts".to_owned());
        },
    );
    let (output, response) = invoke(&test, "sneaky", "{}");
    assert!(!output.status.success());
    assert_eq!(response["errorType"], "AccessDeniedException");
    // Writing the outbox by hand does not get around it: lambdesk checks again.
    let by_hand = r#"import { writeFileSync } from "node:fs";
export const handler = async () => {
  writeFileSync("/outbox/1.json", JSON.stringify({ type: "queue", queue: "payroll", body: "raise" }));
  return "done";
};
"#;
    test.add_js(
        "sneakier",
        "index.handler",
        &[("index.mjs", by_hand)],
        |config| {
            config.permissions.topics.push("alerts".to_owned());
        },
    );
    let (output, response) = invoke(&test, "sneakier", "{}");
    // The message could not go out, so the invocation failed (a trigger would retry it).
    assert_eq!(response["errorType"], "Lambdesk.MessageNotSent");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("AccessDeniedException: the function `sneakier` is not authorized to perform sqs:SendMessage on queue `payroll`"), "{log}");
    let store = QueueStore::open(&state_path(&test.workspace)).unwrap();
    assert!(store.peek("payroll", 10, 0).unwrap().is_empty());
}

#[test]
fn a_triggered_function_forwards_to_another_queue() {
    let test = TestWorkspace::with_config("[queues.inbox]\n[queues.outbox]\n");
    let forwarder = r#"import { sendMessage } from "lambdesk";
export const handler = async (event) => {
  for (const record of event.Records) await sendMessage("outbox", record.body.toUpperCase());
};
"#;
    test.add_js(
        "forwarder",
        "index.handler",
        &[("index.mjs", forwarder)],
        |config| {
            config.permissions.queues.push("outbox".to_owned());
            config.triggers.push(queue_trigger("inbox", 10, false));
        },
    );
    test.add_js(
        "final",
        "index.handler",
        &[(
            "index.mjs",
            "export const handler = async (event) => event.Records.map((r) => r.body);\n",
        )],
        |config| {
            config.triggers.push(queue_trigger("outbox", 10, false));
        },
    );
    let engine = start(&test);
    let store = QueueStore::open(&state_path(&test.workspace)).unwrap();
    let (functions, _) = lambdesk::triggers::context::load_functions(&test.workspace);
    let queues = lambdesk::triggers::queues::known_queues(&test.workspace, &functions);
    store
        .send(
            &queues["inbox"],
            &[NewMessage::with_body("hello")],
            chrono::Utc::now().timestamp_millis(),
        )
        .unwrap();
    wait_until("the forwarded message", || {
        !engine.recorder.runs_of("final").is_empty()
    });
    let run = &engine.recorder.runs_of("final")[0];
    let event: Value = serde_json::from_str(&run.event).unwrap();
    assert_eq!(event["Records"][0]["body"], "HELLO");
    engine.stop();
}

#[test]
fn a_function_sending_to_the_queue_it_consumes_is_stopped_after_16_invocations() {
    let test = TestWorkspace::with_config(
        "[queues.echo]\nmax_receive_count = 5\ndead_letter_queue = \"echo-dlq\"\n[queues.echo-dlq]\n",
    );
    let echo = r#"import { sendMessage } from "lambdesk";
export const handler = async (event) => {
  for (const record of event.Records) await sendMessage("echo", record.body);
};
"#;
    test.add_js("echo", "index.handler", &[("index.mjs", echo)], |config| {
        config.permissions.queues.push("echo".to_owned());
        config.triggers.push(queue_trigger("echo", 10, false));
    });
    let engine = start(&test);
    let store = QueueStore::open(&state_path(&test.workspace)).unwrap();
    let (functions, _) = lambdesk::triggers::context::load_functions(&test.workspace);
    let queues = lambdesk::triggers::queues::known_queues(&test.workspace, &functions);
    store
        .send(
            &queues["echo"],
            &[NewMessage::with_body("again")],
            chrono::Utc::now().timestamp_millis(),
        )
        .unwrap();
    wait_until("the loop stopped", || {
        engine
            .recorder
            .problems()
            .iter()
            .any(|problem| problem.contains("recursive invocation loop"))
    });
    assert_eq!(engine.recorder.runs_of("echo").len(), 16);
    let dead = store.peek("echo-dlq", 10, 0).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].body, "again");
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(
        engine.recorder.runs_of("echo").len(),
        16,
        "no invocation after the stop"
    );
    engine.stop();
}

/// The same handler as on AWS, with the SDK v3 clients.
const WITH_THE_AWS_SDK: &str = r#"import { SQSClient, SendMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
const sqs = new SQSClient({ region: process.env.AWS_REGION });
const sns = new SNSClient({});
export const handler = async (event) => {
  const QueueUrl = `https://sqs.${process.env.AWS_REGION}.amazonaws.com/123456789012/orders`;
  const one = await sqs.send(new SendMessageCommand({
    QueueUrl,
    MessageBody: JSON.stringify({ id: event.id }),
    MessageAttributes: { kind: { DataType: "String", StringValue: "order" } },
  }));
  const batch = await sqs.send(new SendMessageBatchCommand({
    QueueUrl,
    Entries: [{ Id: "a", MessageBody: "second" }, { Id: "b", MessageBody: "third" }],
  }));
  const published = await sns.send(new PublishCommand({
    TopicArn: "arn:aws:sns:us-east-1:123456789012:alerts",
    Message: "placed",
    Subject: "Order",
  }));
  return { one: one.MessageId, batch: batch.Successful.length, published: published.MessageId, status: one.$metadata.httpStatusCode };
};
"#;

#[test]
fn a_handler_written_with_the_aws_sdk_sends_and_publishes_unchanged() {
    let test = TestWorkspace::with_config(
        "[queues.orders]\n[queues.audit]\n[topics.alerts]\nsubscriptions = [{ queue = \"audit\" }]\n",
    );
    test.add_js(
        "sdk",
        "index.handler",
        &[("index.mjs", WITH_THE_AWS_SDK)],
        |config| {
            config.permissions.queues.push("orders".to_owned());
            config.permissions.topics.push("alerts".to_owned());
        },
    );
    let (output, response) = invoke(&test, "sdk", "{\"id\": 9}");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(response["batch"], 2);
    assert_eq!(response["status"], 200);
    let store = QueueStore::open(&state_path(&test.workspace)).unwrap();
    let orders = store.peek("orders", 10, 0).unwrap();
    let bodies: Vec<&str> = orders.iter().map(|message| message.body.as_str()).collect();
    assert_eq!(bodies, vec!["{\"id\":9}", "second", "third"]);
    assert_eq!(orders[0].message_id, response["one"].as_str().unwrap());
    assert_eq!(orders[0].attributes["kind"].value, "order");
    let audit = store.peek("audit", 10, 0).unwrap();
    let envelope: Value = serde_json::from_str(&audit[0].body).unwrap();
    assert_eq!(envelope["Message"], "placed");
    assert_eq!(envelope["Subject"], "Order");
    assert_eq!(envelope["MessageId"], response["published"]);
}

#[test]
fn messages_left_in_the_outbox_of_a_killed_process_are_sent_at_the_next_start() {
    let test = TestWorkspace::with_config("[queues.orders]\n");
    test.add_js(
        "producer",
        "index.handler",
        &[("index.mjs", PRODUCER)],
        |config| {
            config.permissions.queues.push("orders".to_owned());
        },
    );
    // What a process (long gone: no such pid) left between an invocation's end and the send.
    let orphan = test
        .workspace
        .state_dir()
        .join("outbox/producer/999999999-abc");
    std::fs::create_dir_all(&orphan).unwrap();
    std::fs::write(
        orphan.join("000000000000001-000000001.json"),
        r#"{"type":"queue","queue":"orders","body":"left behind","messageId":"11111111-2222-3333-4444-555555555555"}"#,
    )
    .unwrap();
    let engine = start(&test);
    let store = QueueStore::open(&state_path(&test.workspace)).unwrap();
    let orders = store.peek("orders", 10, 0).unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].body, "left behind");
    assert_eq!(orders[0].message_id, "11111111-2222-3333-4444-555555555555");
    assert!(!orphan.exists());
    engine.stop();
}
