//! `runtime = "python"`: Python handlers run on CPython inside the sandbox (Python's
//! language pack, prepared once per machine) as on Lambda's Python runtime: handler
//! styles, context, logging, errors in awslambdaric's JSON, warm environments.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke, response};
use lambdesk::model::{BucketAccess, FunctionError, InvocationRecord, Outcome, error_types};
use serde_json::{Value, json};

async fn run_python(files: &[(&str, &str)], handler: &str, event: &str) -> InvocationRecord {
    let test = TestWorkspace::new();
    let function = test.add_python("fn", handler, files, |_| {});
    let runtime = test.runtime();
    invoke(&test, &runtime, &function, event).await.unwrap()
}

#[tokio::test]
async fn a_handler_gets_the_event_and_keeps_its_globals_while_warm() {
    let source = "count = 0\n\ndef lambda_handler(event, context):\n    global count\n    count += 1\n    print('hello from', event['name'])\n    return {'greeting': 'Hello, ' + event['name'], 'count': count}\n";
    let test = TestWorkspace::new();
    let function = test.add_python(
        "hello",
        "lambda_function.lambda_handler",
        &[("lambda_function.py", source)],
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

async fn failure(files: &[(&str, &str)], handler: &str) -> (FunctionError, InvocationRecord) {
    let record = run_python(files, handler, "{}").await;
    (common::function_error(&record), record)
}

#[tokio::test]
async fn a_raised_exception_is_lambdas_python_error_json_and_is_logged() {
    let source = "def lambda_handler(event, context):\n    raise ValueError(\"boom\")\n";
    let (error, record) = failure(
        &[("lambda_function.py", source)],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(error.error_type, "ValueError");
    assert_eq!(error.error_message, "boom");
    assert_eq!(
        error.request_id.as_deref(),
        Some(record.request_id.as_str())
    );
    assert_eq!(
        error.stack_trace,
        Some(json!([
            "  File \"/var/task/lambda_function.py\", line 2, in lambda_handler\n    raise ValueError(\"boom\")\n"
        ]))
    );
    assert_eq!(
        error.trace, None,
        "Python's runtime has no Node-style `trace`"
    );
    assert_eq!(
        record.log_lines,
        vec![
            "[ERROR] ValueError: boom".to_owned(),
            "Traceback (most recent call last):".to_owned(),
            "  File \"/var/task/lambda_function.py\", line 2, in lambda_handler".to_owned(),
            "    raise ValueError(\"boom\")".to_owned(),
        ]
    );
    let json = serde_json::to_value(&error).unwrap();
    let mut keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        vec!["errorMessage", "errorType", "requestId", "stackTrace"],
        "{json}"
    );
}

#[tokio::test]
async fn module_and_handler_errors_are_named_as_lambdas_python_runtime_names_them() {
    let (error, record) = failure(
        &[("lambda_function.py", "import not_a_module\n")],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(error.error_type, "Runtime.ImportModuleError");
    assert_eq!(
        error.error_message,
        "Unable to import module 'lambda_function': No module named 'not_a_module'"
    );
    assert!(record.init_duration_ms.is_some());
    assert_eq!(
        record.log_lines.first().map(String::as_str),
        Some(
            "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'not_a_module'"
        )
    );

    let (error, _) = failure(&[("other.py", "x = 1\n")], "lambda_function.lambda_handler").await;
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        (
            "Runtime.ImportModuleError",
            "Unable to import module 'lambda_function': No module named 'lambda_function'"
        )
    );

    let (error, _) = failure(
        &[("lambda_function.py", "def handler(e, c):\n    return 1\n")],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        (
            "Runtime.HandlerNotFound",
            "Handler 'lambda_handler' missing on module 'lambda_function'"
        )
    );

    let (error, _) = failure(&[("lambda_function.py", "x = 1\n")], "lambda_function").await;
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        (
            "Runtime.MalformedHandlerName",
            "Bad handler 'lambda_function': not enough values to unpack (expected 2, got 1)"
        )
    );

    let (error, _) = failure(
        &[(
            "lambda_function.py",
            "def lambda_handler(event, context)\n    return 1\n",
        )],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(error.error_type, "Runtime.UserCodeSyntaxError");
    assert!(
        error
            .error_message
            .starts_with("Syntax error in module 'lambda_function': "),
        "{error:?}"
    );

    let (error, _) = failure(
        &[(
            "lambda_function.py",
            "def lambda_handler(event, context):\n    return {1, 2}\n",
        )],
        "lambda_function.lambda_handler",
    )
    .await;
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        (
            "Runtime.MarshalError",
            "Unable to marshal response: Object of type set is not JSON serializable"
        )
    );
}

#[tokio::test]
async fn the_context_has_lambdas_attributes_and_remaining_time() {
    let source = r#"
def lambda_handler(event, context):
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "client_context": context.client_context and [
            context.client_context.client.app_title, context.client_context.custom, context.client_context.env],
    }
"#;
    let test = TestWorkspace::new();
    let function = test.add_python(
        "ctx-fn",
        "lambda_function.lambda_handler",
        &[("lambda_function.py", source)],
        |config| {
            config.memory_mb = 256;
            config.timeout_secs = 7;
        },
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let answer = response(&record);
    assert_eq!(answer["aws_request_id"], json!(record.request_id));
    assert_eq!(answer["function_name"], json!("ctx-fn"));
    assert_eq!(answer["function_version"], json!("$LATEST"));
    assert_eq!(
        answer["memory_limit_in_mb"],
        json!("256"),
        "a string, as on Lambda"
    );
    assert!(
        answer["invoked_function_arn"]
            .as_str()
            .unwrap()
            .ends_with(":function:ctx-fn"),
        "{answer}"
    );
    assert_eq!(answer["log_group_name"], json!("/aws/lambda/ctx-fn"));
    assert_eq!(answer["log_stream_name"], json!(record.log_stream));
    let remaining = answer["remaining"].as_i64().unwrap();
    assert!((6_000..=7_000).contains(&remaining), "{remaining}");
    assert_eq!(answer["identity"], json!([null, null]));
    assert_eq!(answer["client_context"], json!(null));

    // A caller's client context (the Invoke API's `ClientContext`), as awslambdaric
    // gives it: `client` an object with the app's fields, `custom` and `env` dicts.
    let client_context = r#"{"client":{"app_title":"tests","installation_id":"i-1"},"custom":{"k":"v"},"env":{"locale":"en"}}"#;
    let record =
        common::invoke_with_client_context(&test, &runtime, &function, "{}", client_context)
            .await
            .unwrap();
    assert_eq!(
        response(&record)["client_context"],
        json!(["tests", {"k": "v"}, {"locale": "en"}])
    );
}

#[tokio::test]
async fn logging_uses_lambdas_format_and_the_level_from_aws_lambda_log_level() {
    let source = r#"
import logging
logger = logging.getLogger()

def lambda_handler(event, context):
    logger.debug("debug line")
    logger.info("info %s", "line")
    logger.warning("warning line")
    return None
"#;
    let test = TestWorkspace::new();
    let plain = test.add_python(
        "plain",
        "lambda_function.lambda_handler",
        &[("lambda_function.py", source)],
        |_| {},
    );
    let leveled = test.add_python(
        "leveled",
        "lambda_function.lambda_handler",
        &[("lambda_function.py", source)],
        |config| {
            config
                .environment
                .insert("AWS_LAMBDA_LOG_LEVEL".to_owned(), "INFO".to_owned());
        },
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &plain, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(Value::Null));
    let line = regex::Regex::new(&format!(
        r"^\[WARNING\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{}\twarning line$",
        record.request_id
    ))
    .unwrap();
    assert_eq!(record.log_lines.len(), 1, "{:?}", record.log_lines);
    assert!(
        line.is_match(&record.log_lines[0]),
        "{:?}",
        record.log_lines
    );

    let record = invoke(&test, &runtime, &leveled, "{}").await.unwrap();
    let levels: Vec<&str> = record
        .log_lines
        .iter()
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    assert_eq!(
        levels,
        vec!["[INFO]", "[WARNING]"],
        "{:?}",
        record.log_lines
    );
    assert!(record.log_lines[0].ends_with("\tinfo line"));
}

#[tokio::test]
async fn dotted_module_paths_sibling_modules_and_vendored_packages_import() {
    let files = [
        (
            "app/handlers.py",
            "from app import util\nimport vendored_pkg\n\ndef main(event, context):\n    return util.shout(vendored_pkg.NAME)\n",
        ),
        (
            "app/util.py",
            "def shout(text):\n    return text.upper() + '!'\n",
        ),
        (
            "vendored_pkg/__init__.py",
            "NAME = 'from a vendored package'\n",
        ),
    ];
    let record = run_python(&files, "app/handlers.main", "{}").await;
    assert_eq!(response(&record), json!("FROM A VENDORED PACKAGE!"));
}

#[tokio::test]
async fn tmp_is_writable_and_kept_while_warm_and_the_environment_has_lambdas_variables_only() {
    let source = r#"
import os

def lambda_handler(event, context):
    path = "/tmp/counter.txt"
    count = int(open(path).read()) if os.path.exists(path) else 0
    with open(path, "w") as f:
        f.write(str(count + 1))
    return {"count": count + 1, "env": sorted(os.environ.keys()), "greeting": os.environ["GREETING"], "cwd": os.getcwd()}
"#;
    let test = TestWorkspace::new();
    let function = test.add_python(
        "tmp-fn",
        "lambda_function.lambda_handler",
        &[("lambda_function.py", source)],
        |config| {
            config
                .environment
                .insert("GREETING".to_owned(), "hi".to_owned());
        },
    );
    let runtime = test.runtime();
    let first = response(&invoke(&test, &runtime, &function, "{}").await.unwrap());
    let second = response(&invoke(&test, &runtime, &function, "{}").await.unwrap());
    assert_eq!(
        (first["count"].clone(), second["count"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(first["greeting"], json!("hi"));
    assert_eq!(first["cwd"], json!("/var/task"));
    let names: Vec<&str> = first["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    for expected in [
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_REGION",
        "LAMBDA_TASK_ROOT",
        "_HANDLER",
        "AWS_EXECUTION_ENV",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    for host_only in ["HOME", "PATH", "CARGO_MANIFEST_DIR", "USER"] {
        assert!(!names.contains(&host_only), "{host_only} leaked: {names:?}");
    }
}

#[tokio::test]
async fn a_timeout_and_an_exhausted_memory_limit_end_the_invocation_as_lambda_does() {
    let test = TestWorkspace::new();
    let spin = test.add_python(
        "spin",
        "lambda_function.lambda_handler",
        &[(
            "lambda_function.py",
            "def lambda_handler(event, context):\n    if event.get('spin'):\n        while True:\n            pass\n    return 'ok'\n",
        )],
        |config| config.timeout_secs = 1,
    );
    let hungry = test.add_python(
        "hungry",
        "lambda_function.lambda_handler",
        &[(
            "lambda_function.py",
            "def lambda_handler(event, context):\n    block = bytearray(event['mb'] * 1024 * 1024)\n    return len(block)\n",
        )],
        |config| config.memory_mb = 128,
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &spin, r#"{"spin": true}"#)
        .await
        .unwrap();
    let Outcome::Failure(error) = &record.outcome else {
        panic!("{:?}", record.outcome)
    };
    assert_eq!(error.error_type, error_types::TIMEOUT);
    assert!(record.duration_ms < 1_500.0, "{}", record.duration_ms);
    let after = invoke(&test, &runtime, &spin, "{}").await.unwrap();
    assert_eq!(
        response(&after),
        json!("ok"),
        "a new environment serves next"
    );

    let record = invoke(&test, &runtime, &hungry, r#"{"mb": 8}"#)
        .await
        .unwrap();
    assert_eq!(response(&record), json!(8 * 1024 * 1024));
    let record = invoke(&test, &runtime, &hungry, r#"{"mb": 300}"#)
        .await
        .unwrap();
    let Outcome::Failure(error) = &record.outcome else {
        panic!("{:?}", record.outcome)
    };
    assert_eq!(error.error_type, error_types::OUT_OF_MEMORY, "{error:?}");
}

#[tokio::test]
async fn each_environment_draws_its_own_random_numbers() {
    let source = "import random, uuid\n\ndef lambda_handler(event, context):\n    return [random.random(), str(uuid.uuid4())]\n";
    let test = TestWorkspace::new();
    let function = test.add_python(
        "dice",
        "lambda_function.lambda_handler",
        &[("lambda_function.py", source)],
        |_| {},
    );
    let runtime = test.runtime();
    let first = response(&invoke(&test, &runtime, &function, "{}").await.unwrap());
    runtime.unload("dice");
    let second = response(&invoke(&test, &runtime, &function, "{}").await.unwrap());
    assert_ne!(first[0], second[0]);
    assert_ne!(first[1], second[1]);
}

/// Python's writes go through WASI preview 2; `/tmp`'s size limit holds there as well
/// (1 MB here to keep the test quick; the runtime keeps whatever limit it is given): past
/// it a write fails and removing a file makes room again. A resize says ENOSPC (WASI's
/// number, 51); a write through a file object or `os.write` says EIO (29): CPython's WASI
/// layer (componentize-py's preview 1 adapter) reports every failed stream write as EIO,
/// whatever the host answered.
#[tokio::test]
async fn a_python_write_past_the_tmp_limit_is_enospc() {
    let test = TestWorkspace::new();
    let source = r#"
import os

def attempt(action):
    try:
        action()
        return "ok"
    except OSError as error:
        return [error.errno, error.strerror]

def write(path, data, mode="w"):
    with open(path, mode) as f:
        f.write(data)

def raw_write(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        os.write(fd, data.encode())
    finally:
        os.close(fd)

def lambda_handler(event, context):
    chunk = "a" * (600 * 1024)
    return {
        "first": attempt(lambda: write("/tmp/a", chunk)),
        "second": attempt(lambda: write("/tmp/b", chunk)),
        "raw": attempt(lambda: raw_write("/tmp/c", chunk)),
        "grown": attempt(lambda: os.truncate("/tmp/a", 2 * 1024 * 1024)),
        "appended": attempt(lambda: write("/tmp/a", chunk, "a")),
        "after_removing": attempt(lambda: (os.remove("/tmp/a"), write("/tmp/b", chunk))),
        "size": os.path.getsize("/tmp/b"),
    }
"#;
    let mut function = test.add_python(
        "filler",
        "lambda_function.lambda_handler",
        &[("lambda_function.py", source)],
        |_| {},
    );
    function.config.ephemeral_storage_mb = 1;
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let failed_write = json!([29, "I/O error"]);
    assert_eq!(
        response(&record),
        json!({
            "first": "ok",
            "second": failed_write,
            "raw": failed_write,
            "grown": [51, "No space left on device"],
            "appended": failed_write,
            "after_removing": "ok",
            "size": 600 * 1024,
        })
    );
}

/// Buckets in `[permissions]` are folders at `/buckets/<name>`, as for every runtime: read
/// and written where granted, read-only where only read is.
#[tokio::test]
async fn buckets_are_folders_read_and_written_as_permitted() {
    let source = r#"
import os

def lambda_handler(event, context):
    with open("/buckets/inbox/note.txt") as f:
        note = f.read()
    with open("/buckets/outbox-files/copy.txt", "w") as f:
        f.write(note.upper())
    try:
        open("/buckets/inbox/forbidden.txt", "w").close()
        refused = None
    except OSError as error:
        refused = type(error).__name__
    return {"note": note, "listing": sorted(os.listdir("/buckets/inbox")), "refused": refused}
"#;
    let test = TestWorkspace::new();
    let function = test.add_python(
        "mover",
        "lambda_function.lambda_handler",
        &[("lambda_function.py", source)],
        |config| {
            config
                .permissions
                .buckets
                .insert("inbox".to_owned(), BucketAccess::Read);
            config
                .permissions
                .buckets
                .insert("outbox-files".to_owned(), BucketAccess::ReadWrite);
        },
    );
    let inbox = test.workspace.buckets_dir().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("note.txt"), "hello bucket").unwrap();
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        response(&record),
        json!({"note": "hello bucket", "listing": ["note.txt"], "refused": "PermissionError"})
    );
    assert_eq!(
        std::fs::read_to_string(test.workspace.buckets_dir().join("outbox-files/copy.txt"))
            .unwrap(),
        "HELLO BUCKET"
    );
}
