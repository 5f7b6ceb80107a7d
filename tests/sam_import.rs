//! `lambdesk import`: the SAM projects in `tests/fixtures/sam/` (written in the shapes of
//! AWS's sample applications and `sam init` templates) imported by the real binary. Each
//! workspace loads, the report lists exactly what did not come over, functions invoke
//! (JavaScript and Python), and triggers work: HTTP routes through the gateway, a queue
//! message to its function, a topic's filter policies.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::engine::wait_up_to;
use common::serve::Serve;
use common::{TestWorkspace, invoke, response};
use lambdesk::model::{
    Architecture, BucketAccess, Destination, QueueSubscription, Runtime, Trigger, Workspace,
};
use serde_json::{Value, json};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sam")
        .join(path)
}

fn lambdesk(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args(args)
        .env(
            "LAMBDESK_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `lambdesk --workspace ROOT import TEMPLATE --json EXTRA…`.
fn run_import(template: &str, root: &Path, extra: &[&str]) -> Output {
    let template = fixture(template);
    let mut args = vec![
        "--workspace".as_ref(),
        root.as_os_str(),
        "import".as_ref(),
        template.as_os_str(),
        "--json".as_ref(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    lambdesk(&args)
}

/// Imports `template` into a new workspace folder `name`; the test workspace and the
/// report. Every function of the imported workspace loads.
fn import(template: &str, name: &str, extra: &[&str]) -> (TestWorkspace, Value) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    let output = run_import(template, &root, extra);
    assert!(
        output.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let workspace = Workspace::open(&root).unwrap();
    for (function, loaded) in workspace.functions() {
        if let Err(error) = loaded {
            panic!("function {function} does not load: {error}");
        }
    }
    (TestWorkspace { dir, workspace }, report)
}

/// The report's `resource.property` entries, in its order.
fn not_carried_over(report: &Value) -> Vec<String> {
    report["not_carried_over"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let property = item["property"].as_str().unwrap();
            let resource = item["resource"].as_str().unwrap();
            if property.is_empty() {
                resource.to_owned()
            } else {
                format!("{resource}.{property}")
            }
        })
        .collect()
}

fn reason_for<'a>(report: &'a Value, at: &str) -> &'a str {
    report["not_carried_over"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| {
            let property = item["property"].as_str().unwrap();
            let resource = item["resource"].as_str().unwrap();
            at == resource || at == format!("{resource}.{property}")
        })
        .and_then(|item| item["reason"].as_str())
        .unwrap_or_else(|| panic!("no report entry for {at}: {report:#}"))
}

/// `GET path` on the gateway: the status and the body as JSON.
fn get(port: u16, path: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn wait_serving(serve: &Serve) {
    wait_up_to(Duration::from_secs(90), "serve is serving", || {
        serve.said("serving")
    });
}

fn gateway_port(serve: &Serve) -> u16 {
    wait_serving(serve);
    let output = serve.output();
    output
        .lines()
        .find_map(|line| line.strip_prefix("lambdesk\tHTTP gateway on http://127.0.0.1:"))
        .and_then(|port| port.trim().parse().ok())
        .unwrap_or_else(|| panic!("serve says where the gateway listens:\n{output}"))
}

#[test]
fn a_node_hello_world_imports_with_globals_and_its_routes_answer_through_the_gateway() {
    let (test, report) = import("hello-node/template.yaml", "hello", &[]);
    assert_eq!(
        not_carried_over(&report),
        [
            "Globals.Function.Tracing",
            "Globals.Api.Cors",
            "HelloWorldFunction.Properties.Events.HelloRest.Properties.Auth",
            "HelloApi",
            "Outputs.HelloWorldApi",
            "Outputs.HelloWorldFunction",
        ]
    );
    assert!(reason_for(&report, "Globals.Function.Tracing").contains("X-Ray"));
    let function = test.workspace.function("HelloWorldFunction").unwrap();
    let config = &function.config;
    assert_eq!(config.runtime, Runtime::Js);
    assert_eq!(config.handler, "app.lambdaHandler");
    assert_eq!((config.memory_mb, config.timeout_secs), (256, 3));
    assert_eq!(config.architecture, Some(Architecture::Arm64));
    assert_eq!(
        config.environment.iter().collect::<Vec<_>>(),
        [
            (&"GREETING".to_owned(), &"Hello".to_owned()),
            (&"STAGE".to_owned(), &"dev".to_owned())
        ]
    );
    assert_eq!(
        config.triggers,
        [
            Trigger::http("GET /hello"),
            Trigger::Http {
                route: "GET /rest/hello/{name}".to_owned(),
                payload: Some("1.0".to_owned()),
                multi_value_headers: false,
                enabled: true,
            },
        ]
    );
    assert!(function.dir.join("package.json").is_file());

    let serve = Serve::start(test.workspace.root());
    let port = gateway_port(&serve);
    let (status, body) = get(port, "/hello");
    assert_eq!(status, 200, "{}", serve.output());
    assert_eq!(
        body,
        json!({"message": "Hello, world", "stage": "dev", "version": "2.0"})
    );
    let (status, body) = get(port, "/rest/hello/Ada");
    assert_eq!(status, 200, "{}", serve.output());
    assert_eq!(
        body,
        json!({"message": "Hello, Ada", "stage": "dev", "version": "1.0"})
    );
}

#[tokio::test]
async fn a_python_s3_processor_keeps_its_filter_rules_and_policies_and_invokes() {
    let (test, report) = import("python-s3/template.yaml", "uploads-app", &[]);
    assert_eq!(
        not_carried_over(&report),
        [
            "UploadBucket.Properties.VersioningConfiguration",
            "ResultsTable",
            "ProcessUploadFunction.Properties.Environment.Variables.TABLE_NAME",
            "ProcessUploadFunction.Properties.Policies[2]",
        ]
    );
    assert!(reason_for(&report, "ResultsTable").contains("DynamoDB tables are not emulated"));
    assert_eq!(
        report["buckets"],
        json!(["resultsbucket", "uploads-app-uploads"])
    );
    let root = test.workspace.root();
    assert!(root.join("buckets/uploads-app-uploads").is_dir());
    assert!(root.join("buckets/resultsbucket").is_dir());
    let function = test.workspace.function("ProcessUploadFunction").unwrap();
    let config = &function.config;
    assert_eq!(config.runtime, Runtime::Python);
    assert_eq!(
        (
            config.memory_mb,
            config.timeout_secs,
            config.ephemeral_storage_mb
        ),
        (512, 30, 1024)
    );
    assert_eq!(
        config.triggers,
        [Trigger::Bucket {
            bucket: "uploads-app-uploads".to_owned(),
            events: vec!["s3:ObjectCreated:*".to_owned()],
            prefix: Some("incoming/".to_owned()),
            suffix: Some(".csv".to_owned()),
            enabled: true,
        }]
    );
    assert_eq!(
        config.permissions.buckets.iter().collect::<Vec<_>>(),
        [
            (&"resultsbucket".to_owned(), &BucketAccess::ReadWrite),
            (&"uploads-app-uploads".to_owned(), &BucketAccess::Read),
        ]
    );

    let runtime = test.runtime();
    let event = json!({"Records": [{"s3": {"bucket": {"name": "uploads-app-uploads"}, "object": {"key": "incoming/a+b.csv"}}}]});
    let record = invoke(&test, &runtime, &function, &event.to_string())
        .await
        .unwrap();
    assert_eq!(
        response(&record),
        json!({"processed": ["uploads-app-uploads/incoming/a b.csv"], "results_bucket": "resultsbucket"})
    );
}

#[test]
fn a_fifo_queue_with_redrive_reaches_its_function_from_another_functions_sdk_call() {
    let (test, report) = import("sqs-fifo/template.yaml", "orders-app", &[]);
    assert_eq!(
        not_carried_over(&report),
        [
            "OrdersQueue.Properties.KmsMasterKeyId",
            "PlaceOrderFunction.Properties.DeadLetterQueue",
        ]
    );
    let config = test.workspace.config();
    let orders = &config.queues["orders.fifo"];
    assert!(orders.fifo && orders.content_based_deduplication);
    assert_eq!(orders.visibility_timeout_secs, 180);
    assert_eq!(orders.dead_letter_queue.as_deref(), Some("orders-dlq.fifo"));
    assert_eq!(orders.max_receive_count, Some(3));
    assert!(config.queues["orders-dlq.fifo"].fifo);
    assert_eq!(
        config.queues["orders-dlq.fifo"].message_retention_secs,
        1_209_600
    );
    assert!(!config.queues["FailedOrders"].fifo);

    let consumer = test
        .workspace
        .function("ProcessOrdersFunction")
        .unwrap()
        .config;
    assert_eq!(consumer.reserved_concurrency, Some(5));
    assert_eq!(
        consumer.triggers,
        [Trigger::Queue {
            queue: "orders.fifo".to_owned(),
            batch_size: 10,
            maximum_batching_window_secs: Some(5),
            report_batch_item_failures: true,
            maximum_concurrency: Some(2),
            enabled: true,
        }]
    );
    assert!(
        consumer.permissions.is_empty(),
        "the poller policy is the trigger's"
    );
    let producer = test
        .workspace
        .function("PlaceOrderFunction")
        .unwrap()
        .config;
    assert_eq!(producer.permissions.queues, ["orders.fifo"]);
    assert_eq!(
        producer.destinations.on_failure,
        Some(Destination::Queue("FailedOrders".to_owned()))
    );
    let async_config = producer.async_config.unwrap();
    assert_eq!(
        (
            async_config.maximum_retry_attempts,
            async_config.maximum_event_age_secs
        ),
        (1, 3600)
    );

    let serve = Serve::start(test.workspace.root());
    wait_serving(&serve);
    let event = test.dir.path().join("order.json");
    std::fs::write(&event, r#"{"id": 7}"#).unwrap();
    let invoked = lambdesk(&[
        "--workspace".as_ref(),
        test.workspace.root().as_os_str(),
        "invoke".as_ref(),
        "PlaceOrderFunction".as_ref(),
        "--event".as_ref(),
        event.as_os_str(),
    ]);
    assert!(
        invoked.status.success(),
        "{}",
        String::from_utf8_lossy(&invoked.stderr)
    );
    let answer: Value = serde_json::from_slice(&invoked.stdout).unwrap();
    assert_eq!(
        answer,
        json!({"sent": true, "queueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/orders.fifo"})
    );
    wait_up_to(
        Duration::from_secs(60),
        "the consumer gets the order",
        || serve.said("order 7 from group web"),
    );
}

#[test]
fn an_sns_topics_filter_policies_come_over_for_its_function_and_its_queue() {
    let (test, report) = import("sns-filter/template.yaml", "alerts-app", &[]);
    assert_eq!(
        not_carried_over(&report),
        [
            "AlertsTopic.Properties.DisplayName",
            "EmailSubscription.Properties",
        ]
    );
    assert_eq!(
        test.workspace.config().topics["alerts"].subscriptions,
        [QueueSubscription {
            queue: "alerts-audit".to_owned(),
            filter_policy: Some(json!({"severity": [{"anything-but": "debug"}]})),
            raw_message_delivery: true,
        }]
    );
    let function = test.workspace.function("NotifyFunction").unwrap();
    assert_eq!(
        function.config.triggers,
        [Trigger::Topic {
            topic: "alerts".to_owned(),
            filter_policy: Some(json!({"severity": ["critical", {"prefix": "sev1"}]})),
            enabled: true,
        }]
    );
    let publish = |severity: &str| {
        let output = lambdesk(&[
            "--workspace".as_ref(),
            test.workspace.root().as_os_str(),
            "topic".as_ref(),
            "publish".as_ref(),
            "alerts".as_ref(),
            "disk full".as_ref(),
            "--attr".as_ref(),
            format!("severity={severity}").as_ref(),
        ]);
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let critical = publish("critical");
    assert!(critical.contains("→ function NotifyFunction"), "{critical}");
    assert!(critical.contains("→ queue alerts-audit"), "{critical}");
    let debug = publish("debug");
    assert!(debug.contains("✗ function NotifyFunction"), "{debug}");
    assert!(debug.contains("✗ queue alerts-audit"), "{debug}");
}

#[test]
fn schedules_keep_their_expression_time_zone_and_state() {
    let (test, report) = import("schedules/template.yaml", "jobs", &[]);
    assert_eq!(
        not_carried_over(&report),
        [
            "NightlyReportFunction.Properties.Events.Nightly.Properties.RetryPolicy",
            "NightlyReportFunction.Properties.Events.Weekly.Properties.Input",
        ]
    );
    let triggers = test
        .workspace
        .function("NightlyReportFunction")
        .unwrap()
        .config
        .triggers;
    let schedule = |expression: &str, timezone: Option<&str>, enabled: bool| Trigger::Schedule {
        expression: expression.to_owned(),
        timezone: timezone.map(str::to_owned),
        enabled,
    };
    assert_eq!(
        triggers,
        [
            schedule("rate(5 minutes)", None, false),
            schedule("cron(30 2 * * ? *)", Some("Europe/Berlin"), true),
            schedule("cron(0 8 ? * MON *)", None, true),
        ]
    );
}

#[tokio::test]
async fn parameters_conditions_mappings_and_every_short_form_are_worked_out() {
    let (test, report) = import("intrinsics/template.yaml", "shop", &[]);
    assert_eq!(
        not_carried_over(&report),
        [
            "ProdOnlyTopic.Condition",
            "ApiFunction.Properties.Environment.Variables.SHARED_VPC",
            "ApiFunction.Properties.Environment.Variables.ZONE",
            "ApiFunction.Properties.Environment.Variables.API_KEY",
        ]
    );
    assert!(
        reason_for(
            &report,
            "ApiFunction.Properties.Environment.Variables.API_KEY"
        )
        .contains("--parameter-overrides ApiKeySecret=VALUE")
    );
    let function = test.workspace.function("shop-api-dev").unwrap();
    let config = &function.config;
    assert_eq!((config.memory_mb, config.timeout_secs), (256, 10));
    assert_eq!(
        config.description.as_deref(),
        Some("API for shop in us-east-1 (aws, amazonaws.com)")
    );
    let environment: Value = serde_json::to_value(&config.environment).unwrap();
    assert_eq!(
        environment,
        json!({
            "ACCOUNT": "000000000000",
            "BUCKET": "shop-events-dev",
            "BUCKET_ARN": "arn:aws:s3:::shop-events-dev",
            "ENCODED": "bGFtYmRlc2s=",
            "FIRST_ORIGIN": "https://a.example.com",
            "QUEUE_ARN": "arn:aws:sqs:us-east-1:000000000000:shop-jobs",
            "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/000000000000/shop-jobs",
            "SECOND_HOST": "b.example.com",
            "STAGE": "dev",
            "SUBNET": "10.0.1.0/24",
            "VERBOSE": "yes",
        })
    );
    assert_eq!(config.permissions.queues, ["shop-jobs"]);
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        response(&record),
        json!({"stage": "dev", "bucket": "shop-events-dev", "verbose": "yes", "secondHost": "b.example.com"})
    );

    let (prod, report) = import(
        "intrinsics/template.yaml",
        "shop",
        &[
            "--parameter-overrides",
            "Stage=prod",
            "ParameterKey=ApiKeySecret,ParameterValue=s3cr3t",
        ],
    );
    assert_eq!(
        not_carried_over(&report),
        [
            "ApiFunction.Properties.Environment.Variables.SHARED_VPC",
            "ApiFunction.Properties.Environment.Variables.ZONE",
        ]
    );
    let config = prod.workspace.function("shop-api-prod").unwrap().config;
    assert_eq!((config.memory_mb, config.timeout_secs), (1024, 30));
    assert_eq!(
        config.environment["PROD_TOPIC"],
        "arn:aws:sns:us-east-1:000000000000:ProdOnlyTopic"
    );
    assert_eq!(config.environment["API_KEY"], "s3cr3t");
    assert_eq!(config.environment["VERBOSE"], "no");
    assert!(prod.workspace.config().topics.contains_key("ProdOnlyTopic"));
}

#[test]
fn a_parameter_value_outside_its_allowed_values_or_unknown_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    let output = run_import(
        "intrinsics/template.yaml",
        &root,
        &["--parameter-overrides", "Stage=qa"],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("parameter `Stage`: `qa` is not one of its AllowedValues: dev, prod"),
        "{stderr}"
    );
    assert!(!root.exists(), "nothing was written");
    let output = run_import(
        "intrinsics/template.yaml",
        &root,
        &["--parameter-overrides", "Stag=prod"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("names `Stag`, which the template's Parameters do not declare")
    );
}

#[tokio::test]
async fn a_json_template_imports_and_its_python_function_invokes() {
    let (test, report) = import("json-template/template.json", "echo", &[]);
    assert_eq!(not_carried_over(&report), Vec::<String>::new());
    let function = test.workspace.function("EchoFunction").unwrap();
    assert_eq!(function.config.permissions.queues, ["WorkQueue"]);
    assert_eq!(
        function.config.triggers,
        [
            Trigger::Http {
                route: "POST /echo".to_owned(),
                payload: Some("1.0".to_owned()),
                multi_value_headers: false,
                enabled: true,
            },
            Trigger::Queue {
                queue: "WorkQueue".to_owned(),
                batch_size: 5,
                maximum_batching_window_secs: None,
                report_batch_item_failures: false,
                maximum_concurrency: None,
                enabled: true,
            },
        ]
    );
    assert_eq!(
        test.workspace.config().queues["WorkQueue"].visibility_timeout_secs,
        60
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        response(&record),
        json!({"greeting": "hi", "queue": "WorkQueue", "where": "us-east-1/arn:aws:sqs:us-east-1:000000000000:WorkQueue"})
    );
}

#[tokio::test]
async fn java_and_custom_runtimes_run_and_what_lambdesk_lacks_is_reported() {
    let (test, report) = import("mixed-runtimes/template.yaml", "mixed", &[]);
    assert_eq!(
        not_carried_over(&report),
        [
            "OrdersTable",
            "ClickStream",
            "SharedLayer",
            "NodeFunction.Properties.Layers",
            "NodeFunction.Properties.VpcConfig",
            "NodeFunction.Properties.Events.Clicks",
            "NodeFunction.Properties.Events.TableChanges",
            "NodeFunction.Properties.Policies[0]",
        ]
    );
    assert_eq!(
        test.workspace.function_names().unwrap(),
        ["CustomRuntimeFunction", "JavaFunction", "NodeFunction"]
    );
    let java = test.workspace.function("JavaFunction").unwrap();
    assert_eq!(
        (java.config.runtime, java.config.handler.as_str()),
        (Runtime::Java, "helloworld.App::handleRequest")
    );
    assert_eq!(java.config.memory_mb, 512);
    let custom = test.workspace.function("CustomRuntimeFunction").unwrap();
    assert_eq!(
        (custom.config.runtime, custom.config.handler.as_str()),
        (Runtime::Provided, "bootstrap")
    );
    let node = test.workspace.function("NodeFunction").unwrap().config;
    assert_eq!(node.triggers, [Trigger::http("GET /ping")]);

    let runtime = test.runtime();
    // The template's bootstrap is a shell script that speaks the Runtime API with curl.
    let record = invoke(&test, &runtime, &custom, r#"{"echo":1}"#)
        .await
        .unwrap();
    assert_eq!(response(&record), json!({"echo": 1}));
    if Command::new("javac")
        .arg("-version")
        .output()
        .is_ok_and(|output| output.status.success())
    {
        let record = invoke(&test, &runtime, &java, "{}").await.unwrap();
        assert_eq!(response(&record), json!({"hello": "java"}));
    } else {
        eprintln!("no javac: the imported Java function is not invoked");
    }
}

#[test]
fn go_binaries_and_dotnet_keep_their_code_aside_and_builds_to_do_are_reported() {
    let (test, report) = import("not-runnable/template.yaml", "kept", &[]);
    assert_eq!(
        not_carried_over(&report),
        [
            "GoFunction",
            "DotnetFunction",
            "UnbuiltGoFunction.Metadata.BuildMethod",
            "UnbuiltGoFunction.CodeUri",
            "JavaWithDependencies.CodeUri",
            "PythonWithRequirements.CodeUri",
            "NodeWithDependencies.CodeUri",
        ]
    );
    assert!(
        reason_for(&report, "PythonWithRequirements.CodeUri")
            .starts_with("requirements.txt lists requests that sam build would install"),
        "boto3 is installed in the folder: {}",
        reason_for(&report, "PythonWithRequirements.CodeUri")
    );
    assert!(
        reason_for(&report, "NodeWithDependencies.CodeUri").contains("npm install"),
        "{}",
        reason_for(&report, "NodeWithDependencies.CodeUri")
    );
    assert!(reason_for(&report, "GoFunction").contains("no `go1.x` runtime"));
    assert!(
        reason_for(&report, "UnbuiltGoFunction.CodeUri")
            .contains("GOOS=linux go build -tags lambda.norpc -o bootstrap")
    );
    assert!(
        reason_for(&report, "JavaWithDependencies.CodeUri")
            .starts_with("pom.xml's dependencies jackson-databind are not fetched")
    );
    assert_eq!(
        test.workspace.function_names().unwrap(),
        [
            "JavaWithDependencies",
            "NodeWithDependencies",
            "PythonWithRequirements",
            "UnbuiltGoFunction"
        ]
    );
    let functions = report["functions"].as_array().unwrap();
    assert_eq!(functions[0]["name"], "GoFunction");
    assert_eq!(functions[0]["runtime"], Value::Null);
    let root = test.workspace.root();
    let go = root.join("not-runnable/GoFunction");
    assert!(go.join("main.go").is_file());
    let kept: Value =
        serde_json::from_str(&std::fs::read_to_string(go.join("sam-function.json")).unwrap())
            .unwrap();
    assert_eq!(kept["runtime"], "go1.x");
    assert_eq!(kept["properties"]["Handler"], "hello-world");
}

#[test]
fn an_import_over_existing_functions_is_refused_unless_forced_and_the_old_folder_is_kept() {
    let (test, _) = import("hello-node/template.yaml", "hello", &[]);
    let root = test.workspace.root().to_owned();
    let app = root.join("functions/HelloWorldFunction/app.mjs");
    std::fs::write(&app, "export const lambdaHandler = async () => 'mine';\n").unwrap();
    let refused = run_import("hello-node/template.yaml", &root, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("already has function `HelloWorldFunction`") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(std::fs::read_to_string(&app).unwrap().contains("mine"));

    let forced = run_import("hello-node/template.yaml", &root, &["--force"]);
    assert!(forced.status.success());
    assert!(!std::fs::read_to_string(&app).unwrap().contains("mine"));
    let replaced: Vec<PathBuf> = std::fs::read_dir(root.join(".lambdesk/replaced"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(replaced.len(), 1);
    assert!(
        std::fs::read_to_string(replaced[0].join("app.mjs"))
            .unwrap()
            .contains("mine")
    );
}

#[test]
fn a_route_another_function_serves_is_left_out_and_reported() {
    let test = TestWorkspace::new();
    test.add_js(
        "existing",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |config| {
            config.triggers.push(Trigger::http("GET /hello"));
        },
    );
    let output = run_import("hello-node/template.yaml", test.workspace.root(), &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        reason_for(&report, "HelloWorldFunction.Properties.Events")
            .contains("`http GET /hello` conflicts with `GET /hello` of function `existing`")
    );
    let imported = test.workspace.function("HelloWorldFunction").unwrap();
    assert_eq!(imported.config.triggers.len(), 1);
    test.workspace.function("existing").unwrap();
}

#[test]
fn the_text_report_lists_what_did_not_come_over() {
    let dir = tempfile::tempdir().unwrap();
    let template = fixture("mixed-runtimes/template.yaml");
    let root = dir.path().join("mixed");
    let output = lambdesk(&[
        "--workspace".as_ref(),
        root.as_os_str(),
        "import".as_ref(),
        template.as_os_str(),
    ]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("function NodeFunction (nodejs20.x → js)"),
        "{text}"
    );
    assert!(
        text.contains("function JavaFunction (java21 → java)"),
        "{text}"
    );
    assert!(text.contains("not carried over (8):"), "{text}");
    assert!(
        text.contains("  OrdersTable: DynamoDB tables are not emulated"),
        "{text}"
    );
}

#[tokio::test]
async fn an_exported_workspaces_template_comes_back_as_it_was() {
    let (test, report) = import("lambdesk-export/template.yaml", "photos-app", &[]);
    assert_eq!(not_carried_over(&report), Vec::<String>::new());
    assert_eq!(report["buckets"], json!(["photos"]));
    assert_eq!(report["topics"], json!(["resized.fifo"]));
    let function = test.workspace.function("resize").unwrap();
    let config = &function.config;
    assert_eq!(
        (config.runtime, config.handler.as_str()),
        (Runtime::Wat, "main.wat")
    );
    assert_eq!(
        config.permissions.buckets.iter().collect::<Vec<_>>(),
        [(&"photos".to_owned(), &BucketAccess::ReadWrite)]
    );
    assert_eq!(config.permissions.topics, ["resized.fifo"]);
    assert_eq!(
        config.destinations.on_failure,
        Some(Destination::Bucket("photos".to_owned()))
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(response(&record), json!({"hello": "wat"}));
}
