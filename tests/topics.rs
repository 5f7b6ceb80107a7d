//! Topics with SNS fan-out: subscribed functions get SNS's record as an asynchronous
//! invocation, subscribed queues SNS's envelope (or the raw message), filter policies
//! choose who gets what, destinations and the CLI publish.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::process::Command;

use common::engine::{Engine, start, wait_until};
use common::{TestWorkspace, assert_same_shape, aws_sample};
use lambdesk::model::{Destination, Trigger};
use lambdesk::triggers::message_attribute::{MessageAttributes, parse_attribute};
use lambdesk::triggers::topics::{Publication, PublishReport};
use serde_json::{Value, json};

fn subscribe(topic: &str, filter_policy: Option<Value>) -> Trigger {
    Trigger::Topic {
        topic: topic.to_owned(),
        filter_policy,
        enabled: true,
    }
}

fn attributes(pairs: &[&str]) -> MessageAttributes {
    pairs
        .iter()
        .map(|pair| parse_attribute(pair).unwrap())
        .collect()
}

fn publish(
    engine: &Engine,
    topic: &str,
    message: &str,
    attributes: MessageAttributes,
) -> PublishReport {
    let publication = Publication {
        topic: topic.to_owned(),
        message: message.to_owned(),
        subject: Some("Greetings".to_owned()),
        attributes,
        message_id: None,
    };
    engine
        .engine
        .as_ref()
        .unwrap()
        .delivery()
        .unwrap()
        .publish(&publication, 0)
        .unwrap()
}

/// The events of every run of `function`.
fn events_of(engine: &Engine, function: &str) -> Vec<Value> {
    engine
        .recorder
        .runs_of(function)
        .iter()
        .map(|run| serde_json::from_str(&run.event).unwrap())
        .collect()
}

const RECEIVES: &str = "export const handler = async (event) => ({ ok: true });\n";
const FAILS: &str = "export const handler = async () => { throw new Error('nope'); };\n";

#[test]
fn a_subscribed_function_gets_the_sns_record() {
    let test = TestWorkspace::with_config("region = \"eu-central-1\"\n");
    test.add_js(
        "listener",
        "index.handler",
        &[("index.mjs", RECEIVES)],
        |config| {
            config.triggers.push(subscribe("alerts", None));
        },
    );
    let engine = start(&test);
    let report = publish(
        &engine,
        "alerts",
        "disk full",
        attributes(&["severity=high"]),
    );
    assert_eq!(report.delivered_to, vec!["function listener"]);
    wait_until("the listener ran", || {
        events_of(&engine, "listener").len() == 1
    });
    let event = &events_of(&engine, "listener")[0];
    assert_same_shape(
        &aws_sample("sns-event.json"),
        event,
        "",
        &[".Records[0].Sns.MessageAttributes.*"],
    );
    let sns = &event["Records"][0]["Sns"];
    assert_eq!(sns["Message"], "disk full");
    assert_eq!(sns["Subject"], "Greetings");
    assert_eq!(sns["MessageId"], report.message_id.as_str());
    assert_eq!(
        sns["TopicArn"],
        "arn:aws:sns:eu-central-1:123456789012:alerts"
    );
    assert_eq!(
        sns["MessageAttributes"]["severity"],
        json!({"Type": "String", "Value": "high"})
    );
    let origin = &engine.recorder.runs_of("listener")[0].origin;
    assert_eq!(origin, "Topic alerts");
    engine.stop();
}

#[test]
fn filter_policies_choose_the_subscribers() {
    let test = TestWorkspace::with_config("");
    test.add_js(
        "orders",
        "index.handler",
        &[("index.mjs", RECEIVES)],
        |config| {
            config
                .triggers
                .push(subscribe("shop", Some(json!({"kind": ["order"]}))));
        },
    );
    test.add_js("big-spenders", "index.handler", &[("index.mjs", RECEIVES)], |config| {
        config.triggers.push(subscribe(
            "shop",
            Some(json!({"kind": [{"anything-but": "refund"}], "price": [{"numeric": [">=", 100]}]})),
        ));
    });
    let engine = start(&test);
    let cheap = publish(
        &engine,
        "shop",
        "cheap order",
        attributes(&["kind=order", "price:Number=50"]),
    );
    assert_eq!(cheap.delivered_to, vec!["function orders"]);
    assert_eq!(cheap.filtered_out, vec!["function big-spenders"]);
    let big = publish(
        &engine,
        "shop",
        "big order",
        attributes(&["kind=order", "price:Number=150"]),
    );
    assert_eq!(big.delivered_to.len(), 2);
    let refund = publish(
        &engine,
        "shop",
        "refund",
        attributes(&["kind=refund", "price:Number=500"]),
    );
    assert!(refund.delivered_to.is_empty());
    wait_until("three deliveries", || {
        events_of(&engine, "orders").len() == 2 && events_of(&engine, "big-spenders").len() == 1
    });
    assert_eq!(
        events_of(&engine, "big-spenders")[0]["Records"][0]["Sns"]["Message"],
        "big order"
    );
    engine.stop();
}

#[test]
fn queues_subscribe_with_the_sns_envelope_or_the_raw_message() {
    let test = TestWorkspace::with_config(
        "[queues.wrapped]\n[queues.raw]\n[topics.news]\nsubscriptions = [{ queue = \"wrapped\" }, { queue = \"raw\", raw_message_delivery = true }]\n",
    );
    let engine = start(&test);
    let report = publish(&engine, "news", "extra!", attributes(&["lang=en"]));
    assert_eq!(
        report.delivered_to,
        vec!["queue wrapped", "queue raw (raw)"]
    );
    let queues = engine.engine.as_ref().unwrap().delivery().unwrap().queues();
    let wrapped = queues.peek("wrapped", 10, 0).unwrap();
    let envelope: Value = serde_json::from_str(&wrapped[0].body).unwrap();
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["Message"], "extra!");
    assert_eq!(envelope["Subject"], "Greetings");
    assert_eq!(envelope["MessageId"], report.message_id.as_str());
    assert_eq!(envelope["MessageAttributes"]["lang"]["Value"], "en");
    for key in [
        "TopicArn",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
    ] {
        assert!(envelope[key].is_string(), "{key} in {envelope}");
    }
    let raw = queues.peek("raw", 10, 0).unwrap();
    assert_eq!(raw[0].body, "extra!");
    assert_eq!(raw[0].attributes["lang"].value, "en");
    engine.stop();
}

#[test]
fn a_failure_destination_topic_reaches_its_subscribers() {
    let test = TestWorkspace::with_config("async_retry_delays_secs = [0.05]\n");
    test.add_js(
        "flaky",
        "index.handler",
        &[("index.mjs", FAILS)],
        |config| {
            config.destinations.on_failure = Some(Destination::Topic("failures".to_owned()));
            config.async_config = Some(lambdesk::model::AsyncConfig {
                maximum_retry_attempts: 0,
                ..lambdesk::model::AsyncConfig::default()
            });
        },
    );
    test.add_js(
        "pager",
        "index.handler",
        &[("index.mjs", RECEIVES)],
        |config| {
            config.triggers.push(subscribe("failures", None));
        },
    );
    let engine = start(&test);
    engine.enqueue("flaky", "{\"job\":1}");
    wait_until("the pager ran", || events_of(&engine, "pager").len() == 1);
    let message = events_of(&engine, "pager")[0]["Records"][0]["Sns"]["Message"]
        .as_str()
        .unwrap()
        .to_owned();
    let record: Value = serde_json::from_str(&message).unwrap();
    assert_eq!(record["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(record["requestPayload"], json!({"job": 1}));
    engine.stop();
}

#[test]
fn the_cli_publishes_to_a_running_engine_and_lists_topics() {
    let test = TestWorkspace::with_config("");
    test.add_js(
        "listener",
        "index.handler",
        &[("index.mjs", RECEIVES)],
        |config| {
            config.triggers.push(subscribe(
                "alerts",
                Some(json!({"level": [{"prefix": "crit"}]})),
            ));
        },
    );
    let engine = start(&test);
    let lambdesk = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lambdesk"))
            .args(args)
            .arg("--workspace")
            .arg(test.workspace.root())
            .output()
            .unwrap()
    };
    let published = lambdesk(&[
        "topic",
        "publish",
        "alerts",
        "db down",
        "--attr",
        "level=critical",
    ]);
    assert!(
        published.status.success(),
        "{}",
        String::from_utf8_lossy(&published.stderr)
    );
    assert!(String::from_utf8_lossy(&published.stderr).contains("→ function listener"));
    wait_until("the listener ran", || {
        events_of(&engine, "listener").len() == 1
    });
    let filtered = lambdesk(&["topic", "publish", "alerts", "fyi", "--attr", "level=info"]);
    assert!(String::from_utf8_lossy(&filtered.stderr).contains("does not match"));
    let listed = String::from_utf8(lambdesk(&["topic", "list"]).stdout).unwrap();
    assert!(
        listed.contains("alerts") && listed.contains("function listener (filter policy)"),
        "{listed}"
    );
    let unknown = lambdesk(&["topic", "publish", "nope", "x"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no topic `nope`"));
    engine.stop();
}

#[test]
fn one_failing_subscription_does_not_stop_the_others() {
    let test = TestWorkspace::with_config(
        "[queues.wrapped]\n[queues.raw]\n[topics.big]\nsubscriptions = [{ queue = \"wrapped\" }, { queue = \"raw\", raw_message_delivery = true }]\n",
    );
    let engine = start(&test);
    // Fits SNS's limit, but not once wrapped in SNS's JSON envelope for SQS.
    let message = "x".repeat(262_000);
    let report = publish(&engine, "big", &message, MessageAttributes::new());
    assert_eq!(report.delivered_to, vec!["queue raw (raw)"]);
    assert_eq!(report.failed.len(), 1);
    assert!(
        report.failed[0].starts_with("queue wrapped: "),
        "{:?}",
        report.failed
    );
    assert!(report.failed[0].contains("262144"), "{:?}", report.failed);
    let queues = engine.engine.as_ref().unwrap().delivery().unwrap().queues();
    assert_eq!(queues.peek("raw", 10, 0).unwrap().len(), 1);
    assert!(queues.peek("wrapped", 10, 0).unwrap().is_empty());
    engine.stop();
}
