//! `runtime = "ruby"`: Ruby handlers run on CRuby inside the sandbox (Ruby's language
//! pack, prepared once per machine) as on Lambda's Ruby runtime: handler styles, context,
//! logging, errors in aws_lambda_ric's JSON, warm environments.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke};
use lambdesk::model::{FunctionError, InvocationRecord, Outcome, error_types};
use serde_json::{Value, json};

async fn run_ruby(files: &[(&str, &str)], handler: &str, event: &str) -> InvocationRecord {
    let test = TestWorkspace::new();
    let function = test.add_ruby("fn", handler, files, |_| {});
    let runtime = test.runtime();
    invoke(&test, &runtime, &function, event).await.unwrap()
}

fn response(record: &InvocationRecord) -> Value {
    match &record.outcome {
        Outcome::Success(value) => value.clone(),
        Outcome::Failure(error) => panic!(
            "the function failed: {error:?}\nlogs: {:#?}",
            record.log_lines
        ),
    }
}

async fn failure(files: &[(&str, &str)], handler: &str) -> (FunctionError, InvocationRecord) {
    let record = run_ruby(files, handler, "{}").await;
    match &record.outcome {
        Outcome::Failure(error) => (error.clone(), record),
        Outcome::Success(value) => panic!("expected a failure, got {value}"),
    }
}

#[tokio::test]
async fn a_handler_gets_the_event_and_keeps_its_globals_while_warm() {
    let source = "$count = 0\n\ndef lambda_handler(event:, context:)\n  $count += 1\n  puts \"hello from #{event['name']}\"\n  { greeting: \"Hello, #{event['name']}\", count: $count }\nend\n";
    let test = TestWorkspace::new();
    let function = test.add_ruby(
        "hello",
        "lambda_function.lambda_handler",
        &[("lambda_function.rb", source)],
        |_| {},
    );
    let runtime = test.runtime();
    let first = invoke(&test, &runtime, &function, r#"{"name":"Ada"}"#)
        .await
        .unwrap();
    assert_eq!(
        response(&first),
        json!({"greeting": "Hello, Ada", "count": 1})
    );
    assert_eq!(first.log_lines, vec!["hello from Ada".to_owned()]);
    assert!(first.init_duration_ms.is_some());
    let second = invoke(&test, &runtime, &function, r#"{"name":"Bo"}"#)
        .await
        .unwrap();
    assert_eq!(
        response(&second),
        json!({"greeting": "Hello, Bo", "count": 2})
    );
    assert_eq!(second.init_duration_ms, None, "warm");
    assert_eq!(runtime.idle_environments("hello"), 1);
}
