//! Each sandbox limit, shown both obeyed and violated, through the library's invoker.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{
    INFINITE_LOOP, TestWorkspace, command_module, grow_then_answer, invoke, response_of_length,
    writes_stdout,
};
use lambdesk::model::{Outcome, error_types};
use lambdesk::runtime::{InvokeError, MAX_PAYLOAD_BYTES};

fn error_type(record: &lambdesk::model::InvocationRecord) -> &str {
    record
        .error()
        .map_or("(succeeded)", |error| error.error_type.as_str())
}

#[tokio::test]
async fn memory_within_memory_mb_is_granted_and_reported() {
    let test = TestWorkspace::new();
    // 4001 pages of 64 KiB = 250.06 MiB: fits in 256 MB.
    let function = test.add_wat("grow", &grow_then_answer(4000), |config| {
        config.memory_mb = 256;
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(serde_json::json!("grown")));
    assert_eq!(record.max_memory_used_mb, 251);
    assert_eq!(record.memory_size_mb, 256);
}

#[tokio::test]
async fn memory_beyond_memory_mb_is_runtime_out_of_memory() {
    let test = TestWorkspace::new();
    let function = test.add_wat("grow", &grow_then_answer(4000), |config| {
        config.memory_mb = 128;
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(error_type(&record), error_types::OUT_OF_MEMORY);
    let message = &record.error().unwrap().error_message;
    assert!(message.contains("128 MB"), "{message}");
    // It never got past the limit.
    assert!(
        record.max_memory_used_mb <= 128,
        "{}",
        record.max_memory_used_mb
    );
}

#[tokio::test]
async fn an_initial_memory_above_the_limit_is_out_of_memory() {
    let test = TestWorkspace::new();
    // 3000 pages (187.5 MiB) declared up front.
    let wat = command_module("", "").replace(
        "(memory (export \"memory\") 1)",
        "(memory (export \"memory\") 3000)",
    );
    let function = test.add_wat("big", &wat, |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(error_type(&record), error_types::OUT_OF_MEMORY);
}

#[tokio::test]
async fn a_function_that_finishes_in_time_is_not_stopped() {
    let test = TestWorkspace::new();
    let function = test.add_wat("quick", &writes_stdout("42"), |config| {
        config.timeout_secs = 1;
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(serde_json::json!(42)));
    assert!(record.duration_ms < 1000.0);
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_at_the_timeout() {
    let test = TestWorkspace::new();
    let function = test.add_wat("spin", &command_module(INFINITE_LOOP, ""), |config| {
        config.timeout_secs = 1;
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(error_type(&record), error_types::TIMEOUT);
    let message = &record.error().unwrap().error_message;
    assert!(
        message.ends_with("Task timed out after 1.00 seconds"),
        "{message}"
    );
    assert!(message.starts_with(&format!("RequestId: {}", record.request_id)));
    assert!(
        (1000.0..1100.0).contains(&record.duration_ms),
        "stopped after {} ms; the deadline was 1000 ms",
        record.duration_ms
    );
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line.ends_with("Task timed out after 1.00 seconds")),
        "{:?}",
        record.log_lines
    );
    // Billed for the whole second, as Lambda bills a timeout.
    assert!(record.billed_duration_ms >= 1000);
}

#[tokio::test]
async fn a_guest_blocked_in_a_long_sleep_is_stopped_at_the_timeout() {
    let test = TestWorkspace::new();
    // poll_oneoff on one relative clock subscription of an hour: subscription at 256,
    // event at 512, count at 8. Layout: userdata u64 @0, tag u8 @8, clock id u32 @16,
    // timeout u64 @24, precision u64 @32, flags u16 @40.
    let body = r#"(i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.const 3600000000000))
    (i64.store (i32.const 288) (i64.const 0))
    (i32.store16 (i32.const 296) (i32.const 0))
    (drop (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 8)))"#;
    let function = test.add_wat("sleepy", &command_module(body, ""), |config| {
        config.timeout_secs = 1;
    });
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(error_type(&record), error_types::TIMEOUT);
    assert!(
        (1000.0..1100.0).contains(&record.duration_ms),
        "stopped after {} ms",
        record.duration_ms
    );
}

#[tokio::test]
async fn a_response_up_to_6_mb_is_returned() {
    let test = TestWorkspace::new();
    let length = 5 * 1024 * 1024;
    let function = test.add_wat("big", &response_of_length(length), |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let Outcome::Success(serde_json::Value::String(text)) = &record.outcome else {
        panic!("expected a string response, got {:?}", record.error());
    };
    assert_eq!(text.len(), length as usize);
}

#[tokio::test]
async fn a_response_over_6_mb_is_an_error() {
    let test = TestWorkspace::new();
    let length = 7 * 1024 * 1024;
    let function = test.add_wat("huge", &response_of_length(length), |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(error_type(&record), error_types::RESPONSE_TOO_LARGE);
    let message = &record.error().unwrap().error_message;
    assert!(
        message.contains(&format!("({} bytes)", length + 2)),
        "{message}"
    );
    assert!(
        message.contains(&MAX_PAYLOAD_BYTES.to_string()),
        "{message}"
    );
}

#[tokio::test]
async fn an_event_over_6_mb_is_refused_before_running() {
    let test = TestWorkspace::new();
    let function = test.add_wat("quick", &writes_stdout("1"), |_| {});
    let runtime = test.runtime();
    let event = format!("\"{}\"", "a".repeat(MAX_PAYLOAD_BYTES));
    let error = invoke(&test, &runtime, &function, &event)
        .await
        .unwrap_err();
    assert!(
        matches!(error, InvokeError::RequestTooLarge { .. }),
        "{error}"
    );
    assert_eq!(error.error_type(), "RequestEntityTooLargeException");
}

#[tokio::test]
async fn a_trap_is_an_exit_error_with_the_traps_message() {
    let test = TestWorkspace::new();
    let function = test.add_wat("trap", &command_module("unreachable", ""), |_| {});
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(error_type(&record), error_types::EXIT_ERROR);
    let error = record.error().unwrap();
    assert!(
        error
            .error_message
            .contains("wasm `unreachable` instruction executed"),
        "{}",
        error.error_message
    );
    assert!(
        error.trace.as_ref().is_some_and(|trace| !trace.is_empty()),
        "a trap carries the wasm backtrace"
    );
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line == "Runtime.ExitError")
    );
}

#[tokio::test]
async fn a_non_zero_exit_is_an_exit_error_and_zero_is_success() {
    let test = TestWorkspace::new();
    let runtime = test.runtime();
    let failing = test.add_wat(
        "exit3",
        &command_module("(call $proc_exit (i32.const 3))", ""),
        |_| {},
    );
    let record = invoke(&test, &runtime, &failing, "{}").await.unwrap();
    assert_eq!(error_type(&record), error_types::EXIT_ERROR);
    assert!(
        record
            .error()
            .unwrap()
            .error_message
            .ends_with("Runtime exited with error: exit status 3")
    );

    let body =
        "(call $write (i32.const 1) (i32.const 16) (i32.const 4)) (call $proc_exit (i32.const 0))";
    let fine = test.add_wat("exit0", &command_module(body, "true"), |_| {});
    let record = invoke(&test, &runtime, &fine, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(serde_json::json!(true)));
}

#[tokio::test]
async fn a_response_that_is_not_json_is_a_marshal_error() {
    let test = TestWorkspace::new();
    let runtime = test.runtime();
    let function = test.add_wat("text", &writes_stdout("hello world"), |_| {});
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(error_type(&record), error_types::MARSHAL_ERROR);
    // And no output at all is a `null` response, as a handler returning nothing.
    let silent = test.add_wat("silent", &command_module("", ""), |_| {});
    let record = invoke(&test, &runtime, &silent, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(serde_json::Value::Null));
}

#[tokio::test]
async fn reserved_concurrency_of_zero_throttles_every_invocation() {
    let test = TestWorkspace::new();
    let runtime = test.runtime();
    let function = test.add_wat("off", &writes_stdout("1"), |config| {
        config.reserved_concurrency = Some(0);
    });
    let error = invoke(&test, &runtime, &function, "{}").await.unwrap_err();
    assert_eq!(error.error_type(), "TooManyRequestsException");
    // With room, the same function runs.
    let mut config = function.config.clone();
    config.reserved_concurrency = Some(1);
    test.workspace.save_function_config("off", &config).unwrap();
    let function = test.workspace.function("off").unwrap();
    assert!(
        invoke(&test, &runtime, &function, "{}")
            .await
            .unwrap()
            .is_success()
    );
}
