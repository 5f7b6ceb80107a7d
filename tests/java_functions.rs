//! `runtime = "java"` through lambdesk's own invocation path: `Runtime::invoke` compiles
//! the function with javac when a source changed (time apart, never billed), starts a JVM
//! with lambdesk's Java runtime client as a native execution environment behind Lambda's
//! Runtime API, and keeps it warm. What Lambda's Java runtime returns: the blueprint's POJO
//! answer, Lambda's error JSON for an exception, a missing class, an Init failure, a
//! timeout, and compile errors at their line. Without a JDK 17+ the tests say why and pass.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, function_error, invoke, response};
use lambdesk::model::{Function, FunctionConfig, Runtime as Language};
use lambdesk::runtime::{BuildError, InvokeError, JavaBuilder};
use serde_json::json;

fn jdk_ready(test_name: &str) -> bool {
    match JavaBuilder::new(common::java_build_options()).check_toolchain() {
        Ok(_) => true,
        Err(reason) => {
            eprintln!("skipping {test_name}: {reason}");
            false
        }
    }
}

fn add_java(
    test: &TestWorkspace,
    name: &str,
    handler: &str,
    files: &[(&str, &str)],
    configure: impl FnOnce(&mut FunctionConfig),
) -> Function {
    let mut config = FunctionConfig::new(Language::Java, handler);
    configure(&mut config);
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, source)| (*path, source.as_bytes()))
        .collect();
    test.workspace
        .create_function(name, &config, &files)
        .unwrap()
}

const WORKER: &str = r#"package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

public class Worker implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private int calls;

    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        calls++;
        String action = String.valueOf(event.getOrDefault("action", "echo"));
        System.out.println("handling " + action);
        if (action.equals("fail")) {
            throw new IllegalArgumentException("bad order " + event.get("id"));
        }
        if (action.equals("sleep")) {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Map.of("calls", calls, "requestId", context.getAwsRequestId(),
                "function", context.getFunctionName(), "memory", context.getMemoryLimitInMB(),
                "greeting", String.valueOf(System.getenv("GREETING")));
    }
}
"#;

#[tokio::test]
async fn the_java_blueprint_is_compiled_then_answers_warm_with_lambdas_log() {
    if !jdk_ready("the_java_blueprint_is_compiled_then_answers_warm_with_lambdas_log") {
        return;
    }
    let test = TestWorkspace::new();
    let function = common::from_blueprint(&test, "java-hello", "hello");
    let runtime = test.runtime();
    let event = std::fs::read_to_string(function.dir.join("events/hello.json")).unwrap();
    let first = invoke(&test, &runtime, &function, &event).await.unwrap();
    assert_eq!(
        response(&first),
        json!({"message": "Hello, Ada!", "count": 1})
    );
    assert!(first.init_duration_ms.is_some(), "a cold start");
    assert!(first.build_duration_ms.is_some(), "javac ran first");
    assert_eq!(
        first.log_lines,
        [format!("greeting Ada (request {})", first.request_id)]
    );
    let second = invoke(&test, &runtime, &function, &event).await.unwrap();
    assert_eq!(
        response(&second),
        json!({"message": "Hello, Ada!", "count": 2})
    );
    assert_eq!(second.init_duration_ms, None, "the same warm JVM");
    assert_eq!(second.build_duration_ms, None, "nothing to compile");
}

#[tokio::test]
async fn exceptions_configuration_and_timeouts_are_lambdas() {
    if !jdk_ready("exceptions_configuration_and_timeouts_are_lambdas") {
        return;
    }
    let test = TestWorkspace::new();
    let function = add_java(
        &test,
        "worker",
        "example.Worker",
        &[("src/main/java/example/Worker.java", WORKER)],
        |config| {
            config.memory_mb = 256;
            config.timeout_secs = 2;
            config.environment.insert("GREETING".into(), "hej".into());
        },
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        response(&record),
        json!({"calls": 1, "requestId": record.request_id, "function": "worker",
               "memory": 256, "greeting": "hej"})
    );

    let failed = invoke(&test, &runtime, &function, r#"{"action": "fail", "id": 7}"#)
        .await
        .unwrap();
    let error = function_error(&failed);
    assert_eq!(error.error_type, "java.lang.IllegalArgumentException");
    assert_eq!(error.error_message, "bad order 7");
    assert_eq!(
        error
            .stack_trace
            .as_ref()
            .and_then(|trace| trace.get(0).cloned()),
        Some(json!("example.Worker.handleRequest(Worker.java:15)"))
    );
    assert!(
        failed
            .log_lines
            .iter()
            .any(|line| line == "bad order 7: java.lang.IllegalArgumentException"),
        "{:?}",
        failed.log_lines
    );
    // The environment stays warm after the handler's exception.
    let after = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(response(&after)["calls"], 3);
    assert_eq!(after.init_duration_ms, None);

    let slow = invoke(&test, &runtime, &function, r#"{"action": "sleep"}"#)
        .await
        .unwrap();
    assert_eq!(function_error(&slow).error_type, "Sandbox.Timedout");
    let fresh = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        response(&fresh)["calls"],
        1,
        "a timed-out JVM is not reused"
    );
}

#[tokio::test]
async fn init_failures_and_compile_errors_stop_before_the_handler() {
    if !jdk_ready("init_failures_and_compile_errors_stop_before_the_handler") {
        return;
    }
    let test = TestWorkspace::new();
    let broken = add_java(
        &test,
        "broken",
        "example.Broken",
        &[(
            "src/main/java/example/Broken.java",
            "package example;\n\npublic class Broken implements com.amazonaws.services.lambda.runtime.RequestHandler<Object, Object> {\n    static final String TABLE = System.getenv(\"TABLE_NAME\").trim();\n\n    public Object handleRequest(Object event, com.amazonaws.services.lambda.runtime.Context context) {\n        return TABLE;\n    }\n}\n",
        )],
        |_| {},
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &broken, "{}").await.unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "java.lang.ExceptionInInitializerError");
    assert_eq!(error.error_message, "Error loading class example.Broken");
    assert!(record.init_duration_ms.is_some());

    let missing = add_java(
        &test,
        "missing",
        "example.Missing::handle",
        &[("src/main/java/example/Worker.java", WORKER)],
        |_| {},
    );
    let record = invoke(&test, &runtime, &missing, "{}").await.unwrap();
    let error = function_error(&record);
    assert_eq!(error.error_type, "java.lang.ClassNotFoundException");
    assert_eq!(error.error_message, "Class not found: example.Missing");

    let source = "src/main/java/example/Worker.java";
    let typo = add_java(
        &test,
        "typo",
        "example.Worker",
        &[(source, &WORKER.replace("calls++;", "calls+++;"))],
        |_| {},
    );
    let Err(InvokeError::Build(BuildError::Compile { diagnostics })) =
        invoke(&test, &runtime, &typo, "{}").await
    else {
        panic!("the code does not compile");
    };
    assert_eq!(diagnostics[0].file, std::path::PathBuf::from(source));
    assert_eq!(diagnostics[0].line, 11);
}
