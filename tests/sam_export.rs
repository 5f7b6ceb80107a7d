//! `lambdesk export`: workspaces exported as SAM applications and checked with AWS's own
//! tools from PyPI (installed by `.ci/run` into a venv; `LAMBDESK_SAM_VENV` names it):
//! cfn-lint finds no error in the template, `sam validate --lint` (the SAM CLI, offline)
//! passes it and aws-sam-translator transforms it to CloudFormation, as `sam deploy` would. Without the tools those two checks say why and
//! are skipped; the template's content is checked either way.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::TestWorkspace;
use lambdesk::model::{
    Architecture, AsyncConfig, BucketAccess, Destination, FunctionConfig, Runtime as Language,
    Trigger,
};
use lambdesk::sam::export::{ExportOptions, ExportReport, NoteLevel, export_workspace};
use serde_json::{Value, json};

/// The venv with cfn-lint and aws-sam-translator, or `None` (and why, on stderr).
fn sam_tools(test_name: &str) -> Option<PathBuf> {
    common::venvs::SAM_VENV.with(test_name, &["samtranslator"], &["cfn-lint", "sam"])
}

/// Exports the workspace into the test's folder (Rust, Go and Java built in the test
/// run's folders, never the user's cache), then lints and transforms the template.
fn export_and_validate(test: &TestWorkspace, test_name: &str) -> ExportReport {
    let out = test.dir.path().join("sam-app");
    let options = ExportOptions {
        out_dir: out.clone(),
        builds: lambdesk::sam::export::Builds {
            rust: common::rust_build_options(),
            go: common::go_build_options(),
            java: common::java_build_options(),
        },
        ..ExportOptions::default()
    };
    let report = export_workspace(&test.workspace, &options).unwrap();
    let template_text = std::fs::read_to_string(out.join("template.yaml")).unwrap();
    if let Some(venv) = sam_tools(test_name) {
        let linted = Command::new(venv.join("bin/cfn-lint"))
            .arg(out.join("template.yaml"))
            .output()
            .unwrap();
        // cfn-lint exits 0 when clean, with bit 2 for errors (4: warnings, 8: informational).
        let code = linted.status.code().unwrap();
        assert_eq!(
            code & 2,
            0,
            "cfn-lint found errors:\n{}\n{}\n{template_text}",
            String::from_utf8_lossy(&linted.stdout),
            String::from_utf8_lossy(&linted.stderr)
        );
        // `sam validate --lint`, offline: the SAM CLI's own check of the template.
        let validated = Command::new(venv.join("bin/sam"))
            .args(["validate", "--lint", "--template"])
            .arg(out.join("template.yaml"))
            .env("SAM_CLI_TELEMETRY", "0")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .unwrap();
        assert!(
            validated.status.success()
                && String::from_utf8_lossy(&validated.stdout).contains("is a valid SAM Template"),
            "sam validate --lint refused the template:\n{}\n{}\n{template_text}",
            String::from_utf8_lossy(&validated.stdout),
            String::from_utf8_lossy(&validated.stderr)
        );
        let transformed = transform(&venv, &out);
        assert!(
            transformed["Resources"].as_object().unwrap().len()
                >= report.template["Resources"].as_object().unwrap().len(),
            "{transformed}"
        );
    }
    report
}

/// The CloudFormation aws-sam-translator makes of the export's template.
fn transform(venv: &Path, out: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sam/translate.py");
    let output = Command::new(venv.join("bin/python"))
        .arg(script)
        .arg(out.join("template.yaml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "aws-sam-translator refused the template:\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(out.join("template.yaml")).unwrap()
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn resource<'a>(report: &'a ExportReport, id: &str) -> &'a Value {
    let resource = &report.template["Resources"][id];
    assert!(!resource.is_null(), "no {id} in {:#}", report.template);
    resource
}

fn notes_about(report: &ExportReport, subject: &str) -> Vec<(NoteLevel, String)> {
    report
        .notes
        .iter()
        .filter(|note| note.subject == subject)
        .map(|note| (note.level, note.message.clone()))
        .collect()
}

#[test]
fn every_runtime_exports_with_lambdas_runtime_or_lambdesk_as_custom_runtime() {
    let test = TestWorkspace::new();
    test.add_js(
        "js-esm",
        "app.handler",
        &[("app.js", "import { S3Client } from \"@aws-sdk/client-s3\";\nexport const handler = async () => ({ ok: true });\n")],
        |config| {
            config.architecture = Some(Architecture::Arm64);
            config.memory_mb = 512;
            config.timeout_secs = 30;
            config.ephemeral_storage_mb = 1024;
            config.reserved_concurrency = Some(5);
            config.environment.insert("STAGE".into(), "2010-09-09".into());
        },
    );
    test.add_js(
        "js-cjs",
        "index.handler",
        &[("index.js", "exports.handler = async () => 1;\n")],
        |_| {},
    );
    test.add_python(
        "py",
        "app.handler",
        &[("app.py", "def handler(event, context):\n    return 1\n")],
        |_| {},
    );
    test.add_ruby(
        "rb",
        "app.handler",
        &[("app.rb", "def handler(event:, context:)\n  1\nend\n")],
        |_| {},
    );
    test.add_wat(
        "wat-fn",
        include_str!("../assets/sample/echo/main.wat"),
        |_| {},
    );
    let wasm = wat::parse_str(include_str!("../assets/sample/echo/main.wat")).unwrap();
    test.workspace
        .create_function(
            "wasm-fn",
            &FunctionConfig::new(Language::Wasm, "echo.wasm"),
            &[("echo.wasm", &wasm)],
        )
        .unwrap();
    let report = export_and_validate(&test, "every_runtime_exports");

    let runtime_of = |id: &str| resource(&report, id)["Properties"]["Runtime"].clone();
    assert_eq!(runtime_of("JsEsmFunction"), "nodejs22.x");
    assert_eq!(runtime_of("PyFunction"), "python3.14");
    assert_eq!(runtime_of("RbFunction"), "ruby3.4");
    assert_eq!(runtime_of("WatFnFunction"), "provided.al2023");
    assert_eq!(runtime_of("WasmFnFunction"), "provided.al2023");
    let js = &resource(&report, "JsEsmFunction")["Properties"];
    assert_eq!(js["Handler"], "app.handler");
    assert_eq!(js["Architectures"], json!(["arm64"]));
    assert_eq!(js["MemorySize"], 512);
    assert_eq!(js["Timeout"], 30);
    assert_eq!(js["EphemeralStorage"], json!({ "Size": 1024 }));
    assert_eq!(js["ReservedConcurrentExecutions"], 5);
    assert_eq!(
        js["Environment"],
        json!({ "Variables": { "STAGE": "2010-09-09" } })
    );
    assert_eq!(js["CodeUri"], "functions/js-esm/");

    // ES module syntax in a .js file: package.json says so; CommonJS is left alone.
    let out = &report.out_dir;
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("functions/js-esm/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(package["type"], "module");
    assert!(!out.join("functions/js-cjs/package.json").exists());
    assert!(out.join("functions/py/app.py").is_file());
    assert!(
        !out.join("functions/py/function.toml").exists(),
        "the template holds the configuration"
    );

    // WebAssembly: lambdesk's layer is the bootstrap; the code folder has what it loads.
    let wat = &resource(&report, "WatFnFunction");
    assert_eq!(wat["Properties"]["Handler"], "main.wat");
    assert_eq!(
        wat["Properties"]["Layers"],
        json!([{ "Ref": "LambdeskRuntimeX8664Layer" }])
    );
    assert_eq!(
        wat["Metadata"]["Lambdesk"],
        json!({ "Runtime": "wat", "Handler": "main.wat" })
    );
    let bootstrap_config =
        std::fs::read_to_string(out.join("functions/wasm-fn/function.toml")).unwrap();
    assert!(
        bootstrap_config.contains("runtime = \"wasm\""),
        "{bootstrap_config}"
    );
    assert!(
        bootstrap_config.contains("handler = \"echo.wasm\""),
        "{bootstrap_config}"
    );
    let layer = resource(&report, "LambdeskRuntimeX8664Layer");
    assert_eq!(layer["Type"], "AWS::Serverless::LayerVersion");
    assert_eq!(
        layer["Properties"]["CompatibleRuntimes"],
        json!(["provided.al2023"])
    );
    // No bootstrap was given: the note says how to build one.
    assert!(
        notes_about(&report, "layer lambdesk-x86_64")
            .iter()
            .any(|(level, message)| *level == NoteLevel::ActionNeeded
                && message.contains("--no-default-features")),
        "{:?}",
        report.notes
    );
    let template_text = std::fs::read_to_string(out.join("template.yaml")).unwrap();
    assert!(
        template_text.contains("AWSTemplateFormatVersion: \"2010-09-09\""),
        "{template_text}"
    );
    assert!(
        template_text.contains("STAGE: \"2010-09-09\""),
        "{template_text}"
    );
}

#[test]
fn every_trigger_type_becomes_a_sam_event() {
    let test = TestWorkspace::with_config(
        "[queues.jobs]\nvisibility_timeout_secs = 5\n[queues.\"work.fifo\"]\nfifo = true\n[topics.alerts]\n",
    );
    test.add_js(
        "api",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |config| {
            config.triggers = vec![
                Trigger::http("GET /items/{id}"),
                Trigger::http("ANY /{proxy+}"),
                Trigger::http("$default"),
                Trigger::Http {
                    route: "POST /legacy".into(),
                    payload: Some("1.0".into()),
                    multi_value_headers: false,
                    enabled: true,
                },
                Trigger::Http {
                    route: "GET /alb".into(),
                    payload: Some("alb".into()),
                    multi_value_headers: false,
                    enabled: true,
                },
            ];
        },
    );
    test.add_js(
        "worker",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |config| {
            config.timeout_secs = 10;
            config.triggers = vec![
                Trigger::Bucket {
                    bucket: "photos".into(),
                    events: vec!["s3:ObjectCreated:*".into(), "s3:ObjectRemoved:*".into()],
                    prefix: Some("uploads/".into()),
                    suffix: Some(".png".into()),
                    enabled: true,
                },
                Trigger::Schedule {
                    expression: "rate(5 minutes)".into(),
                    timezone: None,
                    enabled: true,
                },
                Trigger::Schedule {
                    expression: "cron(0 8 ? * MON-FRI *)".into(),
                    timezone: Some("Europe/Berlin".into()),
                    enabled: false,
                },
                Trigger::Queue {
                    queue: "jobs".into(),
                    batch_size: 50,
                    maximum_batching_window_secs: Some(2),
                    report_batch_item_failures: true,
                    maximum_concurrency: Some(5),
                    enabled: false,
                },
                Trigger::Queue {
                    queue: "work.fifo".into(),
                    batch_size: 10,
                    maximum_batching_window_secs: None,
                    report_batch_item_failures: false,
                    maximum_concurrency: None,
                    enabled: true,
                },
                Trigger::Topic {
                    topic: "alerts".into(),
                    filter_policy: Some(json!({ "level": ["high", { "prefix": "crit" }] })),
                    enabled: true,
                },
            ];
        },
    );
    test.add_js(
        "quiet",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |config| {
            config.triggers = vec![Trigger::Http {
                route: "GET /quiet".into(),
                payload: None,
                multi_value_headers: false,
                enabled: false,
            }];
        },
    );
    let report = export_and_validate(&test, "every_trigger_type");

    let api = &resource(&report, "ApiFunction")["Properties"]["Events"];
    assert_eq!(
        api["HttpGetItemsId"],
        json!({ "Type": "HttpApi", "Properties": { "Path": "/items/{id}", "Method": "GET" } })
    );
    assert_eq!(
        api["HttpAnyProxy"],
        json!({ "Type": "HttpApi", "Properties": { "Path": "/{proxy+}", "Method": "ANY" } })
    );
    assert_eq!(api["HttpDefaultRoute"], json!({ "Type": "HttpApi" }));
    assert_eq!(
        api["RestPostLegacy"],
        json!({ "Type": "Api", "Properties": { "Path": "/legacy", "Method": "POST" } })
    );
    assert_eq!(
        api.as_object().unwrap().len(),
        4,
        "the ALB route has no SAM event: {api:#}"
    );
    assert!(
        notes_about(&report, "function api")
            .iter()
            .any(|(level, message)| *level == NoteLevel::NotCarriedOver
                && message.contains("GET /alb"))
    );
    assert!(
        notes_about(&report, "function quiet")
            .iter()
            .any(|(level, message)| *level == NoteLevel::NotCarriedOver
                && message.contains("GET /quiet"))
    );
    assert!(
        resource(&report, "QuietFunction")["Properties"]
            .get("Events")
            .is_none()
    );
    assert!(report.template["Outputs"]["HttpApiUrl"].is_object());
    assert!(report.template["Outputs"]["RestApiUrl"].is_object());

    let worker = &resource(&report, "WorkerFunction")["Properties"]["Events"];
    assert_eq!(
        worker["PhotosUpload"],
        json!({ "Type": "S3", "Properties": {
            "Bucket": { "Ref": "PhotosBucket" },
            "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
            "Filter": { "S3Key": { "Rules": [{ "Name": "prefix", "Value": "uploads/" }, { "Name": "suffix", "Value": ".png" }] } },
        } })
    );
    assert_eq!(
        worker["Schedule"],
        json!({ "Type": "Schedule", "Properties": { "Schedule": "rate(5 minutes)" } })
    );
    assert_eq!(
        worker["Schedule2"],
        json!({ "Type": "ScheduleV2", "Properties": { "ScheduleExpression": "cron(0 8 ? * MON-FRI *)", "ScheduleExpressionTimezone": "Europe/Berlin", "State": "DISABLED" } })
    );
    assert_eq!(
        worker["JobsMessages"],
        json!({ "Type": "SQS", "Properties": {
            "Queue": { "Fn::GetAtt": ["JobsQueue", "Arn"] },
            "BatchSize": 50,
            "MaximumBatchingWindowInSeconds": 2,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": { "MaximumConcurrency": 5 },
            "Enabled": false,
        } })
    );
    assert_eq!(
        worker["WorkFifoMessages"]["Properties"]["Queue"],
        json!({ "Fn::GetAtt": ["WorkFifoQueue", "Arn"] })
    );
    assert_eq!(
        worker["AlertsNotifications"],
        json!({ "Type": "SNS", "Properties": { "Topic": { "Ref": "AlertsTopic" }, "FilterPolicy": { "level": ["high", { "prefix": "crit" }] } } })
    );
    // Lambda refuses a queue mapping whose visibility timeout is under the function's.
    assert!(
        notes_about(&report, "function worker")
            .iter()
            .any(|(level, message)| *level == NoteLevel::ActionNeeded
                && message.contains("queue `jobs`'s visibility timeout (5 s)")),
        "{:?}",
        report.notes
    );
    assert_eq!(
        resource(&report, "PhotosBucket")["Properties"]["BucketName"],
        json!({ "Fn::Sub": "photos-${AWS::AccountId}-${AWS::Region}" })
    );
}

#[test]
fn queues_topics_subscriptions_destinations_and_permissions_become_resources_and_least_privilege_policies()
 {
    let test = TestWorkspace::with_config(
        r#"
[queues.orders]
visibility_timeout_secs = 60
message_retention_secs = 86400
max_receive_count = 3
dead_letter_queue = "orders-dlq"
[queues.orders-dlq]
[queues."tasks.fifo"]
fifo = true
content_based_deduplication = true
max_receive_count = 5
dead_letter_queue = "tasks-dlq.fifo"
[queues."tasks-dlq.fifo"]
fifo = true
[queues.audit]
[topics.alerts]
subscriptions = [{ queue = "audit", filter_policy = { severity = ["high"] }, raw_message_delivery = true }, { queue = "orders" }]
"#,
    );
    std::fs::create_dir_all(test.workspace.buckets_dir().join("photos")).unwrap();
    std::fs::write(test.workspace.buckets_dir().join("photos/cat.png"), b"png").unwrap();
    test.add_js(
        "notify",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |_| {},
    );
    test.add_js(
        "work",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |config| {
            config
                .permissions
                .buckets
                .insert("photos".into(), BucketAccess::Read);
            config
                .permissions
                .buckets
                .insert("thumbnails".into(), BucketAccess::ReadWrite);
            config.permissions.queues = vec!["orders".into()];
            config.permissions.topics = vec!["alerts".into()];
            config.destinations.on_success = Some(Destination::Function("notify".into()));
            config.destinations.on_failure = Some(Destination::Queue("orders-dlq".into()));
            config.async_config = Some(AsyncConfig {
                maximum_retry_attempts: 1,
                maximum_event_age_secs: 3600,
            });
        },
    );
    test.add_js(
        "archive",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |config| {
            config.destinations.on_success = Some(Destination::Topic("alerts".into()));
            config.destinations.on_failure = Some(Destination::Bucket("failures".into()));
        },
    );
    test.add_js(
        "plain",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |_| {},
    );
    let report = export_and_validate(&test, "queues_topics_destinations_permissions");

    let work = &resource(&report, "WorkFunction")["Properties"];
    assert_eq!(
        work["Policies"],
        json!([
            { "S3ReadPolicy": { "BucketName": { "Fn::Sub": "photos-${AWS::AccountId}-${AWS::Region}" } } },
            { "S3CrudPolicy": { "BucketName": { "Fn::Sub": "thumbnails-${AWS::AccountId}-${AWS::Region}" } } },
            { "SQSSendMessagePolicy": { "QueueName": { "Fn::GetAtt": ["OrdersQueue", "QueueName"] } } },
            { "SNSPublishMessagePolicy": { "TopicName": { "Fn::GetAtt": ["AlertsTopic", "TopicName"] } } },
        ])
    );
    assert_eq!(
        work["EventInvokeConfig"],
        json!({
            "MaximumEventAgeInSeconds": 3600,
            "MaximumRetryAttempts": 1,
            "DestinationConfig": {
                "OnSuccess": { "Type": "Lambda", "Destination": { "Fn::GetAtt": ["NotifyFunction", "Arn"] } },
                "OnFailure": { "Type": "SQS", "Destination": { "Fn::GetAtt": ["OrdersDlqQueue", "Arn"] } },
            },
        })
    );
    assert!(
        resource(&report, "PlainFunction")["Properties"]
            .get("Policies")
            .is_none(),
        "no permissions, no policies"
    );
    assert_eq!(
        resource(&report, "ArchiveFunction")["Properties"]["EventInvokeConfig"]["DestinationConfig"],
        json!({
            "OnSuccess": { "Type": "SNS", "Destination": { "Ref": "AlertsTopic" } },
            "OnFailure": { "Type": "S3Bucket", "Destination": { "Fn::Sub": "arn:${AWS::Partition}:s3:::failures-${AWS::AccountId}-${AWS::Region}" } },
        })
    );

    assert_eq!(
        resource(&report, "OrdersQueue")["Properties"],
        json!({
            "QueueName": "orders",
            "VisibilityTimeout": 60,
            "MessageRetentionPeriod": 86400,
            "RedrivePolicy": { "deadLetterTargetArn": { "Fn::GetAtt": ["OrdersDlqQueue", "Arn"] }, "maxReceiveCount": 3 },
        })
    );
    let tasks = &resource(&report, "TasksFifoQueue")["Properties"];
    assert_eq!(tasks["QueueName"], "tasks.fifo");
    assert_eq!(tasks["FifoQueue"], true);
    assert_eq!(tasks["ContentBasedDeduplication"], true);
    assert_eq!(
        tasks["RedrivePolicy"]["deadLetterTargetArn"],
        json!({ "Fn::GetAtt": ["TasksDlqFifoQueue", "Arn"] })
    );
    assert_eq!(
        resource(&report, "AlertsTopicAuditQueueSubscription")["Properties"],
        json!({
            "Protocol": "sqs",
            "TopicArn": { "Ref": "AlertsTopic" },
            "Endpoint": { "Fn::GetAtt": ["AuditQueue", "Arn"] },
            "FilterPolicy": { "severity": ["high"] },
            "RawMessageDelivery": true,
        })
    );
    // SNS may deliver to a subscribed queue only with the queue's policy allowing it.
    let policy =
        &resource(&report, "AuditQueuePolicy")["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        policy["Principal"],
        json!({ "Service": "sns.amazonaws.com" })
    );
    assert_eq!(
        policy["Condition"],
        json!({ "ArnEquals": { "aws:SourceArn": [{ "Ref": "AlertsTopic" }] } })
    );
    assert!(report.template["Resources"]["OrdersQueuePolicy"].is_object());
    for bucket in ["PhotosBucket", "ThumbnailsBucket", "FailuresBucket"] {
        assert_eq!(resource(&report, bucket)["Type"], "AWS::S3::Bucket");
    }
    assert!(
        notes_about(&report, "bucket photos")
            .iter()
            .any(|(level, message)| *level == NoteLevel::NotCarriedOver
                && message.contains("aws s3 sync buckets/photos")),
        "{:?}",
        report.notes
    );
}

#[test]
fn code_that_reads_bucket_folders_is_told_how_to_use_s3_on_lambda() {
    let test = TestWorkspace::new();
    test.add_js(
        "js-reader",
        "index.handler",
        &[("index.mjs", "import { readFile } from 'node:fs/promises';\nexport const handler = async (event) => {\n  return (await readFile(`/buckets/photos/${event.key}`)).length;\n};\n")],
        |config| {
            config.permissions.buckets.insert("photos".into(), BucketAccess::Read);
        },
    );
    test.add_python(
        "py-reader",
        "app.handler",
        &[("app.py", "def handler(event, context):\n    with open(f\"/buckets/photos/{event['key']}\", 'rb') as f:\n        return len(f.read())\n")],
        |_| {},
    );
    test.add_js(
        "sdk-reader",
        "index.handler",
        &[("index.mjs", "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';\nexport const handler = async (event) => new S3Client({}).send(new GetObjectCommand({ Bucket: 'photos', Key: event.key }));\n")],
        |_| {},
    );
    let report = export_and_validate(&test, "code_that_reads_bucket_folders");
    let js = notes_about(&report, "function js-reader");
    assert!(
        js.iter()
            .any(|(level, message)| *level == NoteLevel::ActionNeeded
                && message.contains("index.mjs:3")
                && message.contains("GetObjectCommand")
                && message.contains("PutObjectCommand")),
        "{js:?}"
    );
    let python = notes_about(&report, "function py-reader");
    assert!(
        python
            .iter()
            .any(|(level, message)| *level == NoteLevel::ActionNeeded
                && message.contains("app.py:2")
                && message.contains("boto3")),
        "{python:?}"
    );
    assert!(
        !notes_about(&report, "function sdk-reader")
            .iter()
            .any(|(_, message)| message.contains("/buckets")),
        "the S3 SDK works in both places"
    );
    let notes_file = std::fs::read_to_string(report.out_dir.join("EXPORT-NOTES.md")).unwrap();
    assert!(notes_file.contains("## Action needed"), "{notes_file}");
    assert!(notes_file.contains("js-reader"), "{notes_file}");
}

#[test]
fn the_sample_workspace_exports() {
    let dir = tempfile::tempdir().unwrap();
    let workspace =
        lambdesk::sample_workspace::open_sample_workspace(&dir.path().join("ws")).unwrap();
    let test = TestWorkspace { dir, workspace };
    let report = export_and_validate(&test, "the_sample_workspace_exports");
    for id in [
        "EchoFunction",
        "HelloFunction",
        "ItemsApiFunction",
        "OnAlertFunction",
        "ProcessOrdersFunction",
        "ProcessUploadFunction",
        "OrdersQueue",
        "OrdersDlqQueue",
        "AlertAuditQueue",
        "AlertsTopic",
        "UploadsBucket",
    ] {
        resource(&report, id);
    }
}

#[test]
fn the_blueprints_export() {
    let test = TestWorkspace::new();
    let blueprints = lambdesk::blueprints::all(None).unwrap();
    let mut exported = 0;
    for blueprint in &blueprints {
        if blueprint.runtime.is_built() {
            continue; // built by the toolchain test below
        }
        blueprint
            .create_function(&test.workspace, &blueprint.id, 128)
            .unwrap();
        exported += 1;
    }
    assert!(exported >= 15, "{exported} blueprints");
    let report = export_and_validate(&test, "the_blueprints_export");
    assert_eq!(
        report.template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|resource| resource["Type"] == "AWS::Serverless::Function")
            .count(),
        exported
    );
}

#[test]
fn an_export_replaces_an_earlier_one_but_never_another_folder() {
    let test = TestWorkspace::new();
    test.add_js(
        "one",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 1;\n")],
        |_| {},
    );
    let out = test.dir.path().join("out");
    let options = ExportOptions {
        out_dir: out.clone(),
        ..ExportOptions::default()
    };
    export_workspace(&test.workspace, &options).unwrap();
    std::fs::remove_dir_all(test.workspace.functions_dir().join("one")).unwrap();
    test.add_js(
        "two",
        "index.handler",
        &[("index.mjs", "export const handler = async () => 2;\n")],
        |_| {},
    );
    export_workspace(&test.workspace, &options).unwrap();
    assert!(
        !out.join("functions/one").exists(),
        "a deleted function leaves the export"
    );
    assert!(out.join("functions/two/index.mjs").is_file());

    let other = test.dir.path().join("documents");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("thesis.txt"), "mine").unwrap();
    let refused = export_workspace(
        &test.workspace,
        &ExportOptions {
            out_dir: other.clone(),
            ..ExportOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(refused.contains("is not empty"), "{refused}");
    assert_eq!(
        std::fs::read_to_string(other.join("thesis.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn the_cli_exports_with_the_bootstrap_it_is_given_and_prints_the_notes() {
    let test = TestWorkspace::new();
    test.add_wat(
        "echo",
        include_str!("../assets/sample/echo/main.wat"),
        |_| {},
    );
    let out = test.dir.path().join("cli-out");
    let output = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("--workspace")
        .arg(test.workspace.root())
        .args(["export", "--out"])
        .arg(&out)
        .arg("--bootstrap-x86-64")
        .arg(env!("CARGO_BIN_EXE_lambdesk"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("template.yaml"), "{stdout}");
    assert!(
        stdout.contains("layers/lambdesk-x86_64/bootstrap"),
        "{stdout}"
    );
    assert!(stderr.contains("[note] function echo"), "{stderr}");
    use std::os::unix::fs::PermissionsExt as _;
    let bootstrap = std::fs::metadata(out.join("layers/lambdesk-x86_64/bootstrap")).unwrap();
    assert_eq!(bootstrap.permissions().mode() & 0o111, 0o111, "executable");
    assert_eq!(
        bootstrap.len(),
        std::fs::metadata(env!("CARGO_BIN_EXE_lambdesk"))
            .unwrap()
            .len()
    );

    let missing = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("--workspace")
        .arg(test.workspace.root())
        .args(["export", "--out"])
        .arg(&out)
        .args(["--bootstrap-arm64", "/nonexistent/lambdesk"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/lambdesk is not a file")
    );
}

#[test]
fn rust_and_go_functions_export_their_built_module_for_lambdesks_bootstrap() {
    let test_name = "rust_and_go_functions_export_their_built_module_for_lambdesks_bootstrap";
    let rust = common::rust_toolchain_ready(test_name);
    let go = common::go_toolchain_ready(test_name);
    let test = TestWorkspace::new();
    if rust {
        common::from_blueprint(&test, "rust-hello", "rusty");
    }
    if go {
        common::from_blueprint(&test, "go-hello", "gopher");
    }
    if !rust && !go {
        return;
    }
    let report = export_and_validate(&test, test_name);
    for (present, name, id) in [
        (rust, "rusty", "RustyFunction"),
        (go, "gopher", "GopherFunction"),
    ] {
        if !present {
            continue;
        }
        let function = resource(&report, id);
        assert_eq!(function["Properties"]["Runtime"], "provided.al2023");
        assert_eq!(function["Properties"]["Handler"], "function.wasm");
        let folder = report.out_dir.join("functions").join(name);
        let module = std::fs::read(folder.join("function.wasm")).unwrap();
        assert_eq!(&module[..4], b"\0asm", "{name}: a WebAssembly module");
        let config = std::fs::read_to_string(folder.join("function.toml")).unwrap();
        assert!(config.contains("runtime = \"wasm\""), "{config}");
        assert!(
            !folder.join("target").exists(),
            "{name}: no build output besides the module"
        );
    }
    if rust {
        assert_eq!(
            resource(&report, "RustyFunction")["Metadata"]["Lambdesk"],
            json!({ "Runtime": "rust", "Handler": "Cargo.toml" })
        );
    }
}

const JAVA_APP: &str = "package orders;\n\nimport com.amazonaws.services.lambda.runtime.Context;\nimport com.amazonaws.services.lambda.runtime.RequestHandler;\nimport java.util.Map;\n\npublic class App implements RequestHandler<Map<String, Object>, String> {\n    @Override\n    public String handleRequest(Map<String, Object> event, Context context) {\n        return \"order \" + event.get(\"id\");\n    }\n}\n";

const SHELL_BOOTSTRAP: &str =
    "#!/bin/sh\n# A custom runtime of the user's own.\nexec /usr/bin/env python3 -c 'print(1)'\n";

/// A `provided` function (the user's own `bootstrap`) and, with a JDK, a Java function.
fn add_java_and_provided(test: &TestWorkspace, java: bool) {
    if java {
        test.workspace
            .create_function(
                "orders",
                &FunctionConfig::new(Language::Java, "orders.App::handleRequest"),
                &[
                    ("src/main/java/orders/App.java", JAVA_APP.as_bytes()),
                    ("src/main/resources/orders.properties", b"tax=0.2\n"),
                ],
            )
            .unwrap();
    }
    let mut config = FunctionConfig::new(Language::Provided, "bootstrap");
    config.architecture = Some(Architecture::Arm64);
    test.workspace
        .create_function(
            "custom",
            &config,
            &[("bootstrap", SHELL_BOOTSTRAP.as_bytes())],
        )
        .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    let bootstrap = test.workspace.functions_dir().join("custom/bootstrap");
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn java_ready(test_name: &str) -> bool {
    match lambdesk::runtime::JavaBuilder::new(common::java_build_options()).check_toolchain() {
        Ok(_) => true,
        Err(reason) => {
            eprintln!("skipping the Java function of {test_name}: {reason}");
            false
        }
    }
}

#[test]
fn java_exports_with_its_classes_and_a_provided_function_with_its_own_bootstrap() {
    let test_name = "java_exports_with_its_classes_and_a_provided_function_with_its_own_bootstrap";
    let java = java_ready(test_name);
    let test = TestWorkspace::new();
    add_java_and_provided(&test, java);
    let report = export_and_validate(&test, test_name);

    let custom = resource(&report, "CustomFunction");
    assert_eq!(custom["Properties"]["Runtime"], "provided.al2023");
    assert_eq!(custom["Properties"]["Handler"], "bootstrap");
    assert_eq!(custom["Properties"]["Architectures"], json!(["arm64"]));
    assert!(
        custom["Properties"]["Layers"].is_null() && custom["Metadata"].is_null(),
        "its own bootstrap, not lambdesk's: {custom:#}"
    );
    use std::os::unix::fs::PermissionsExt as _;
    let bootstrap = report.out_dir.join("functions/custom/bootstrap");
    let mode = std::fs::metadata(&bootstrap).unwrap().permissions().mode();
    assert_ne!(mode & 0o111, 0, "the bootstrap stays executable");
    assert!(
        notes_about(&report, "function custom")
            .iter()
            .any(|(_, message)| message.contains("Linux on arm64")),
        "{:?}",
        report.notes
    );
    assert!(
        !report.template["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .any(|id| id.contains("Bootstrap")),
        "no lambdesk layer for a function with its own bootstrap"
    );
    if java {
        let orders = resource(&report, "OrdersFunction");
        assert_eq!(orders["Properties"]["Runtime"], "java21");
        assert_eq!(orders["Properties"]["Handler"], "orders.App::handleRequest");
        let folder = report.out_dir.join("functions/orders");
        let class = std::fs::read(folder.join("orders/App.class")).unwrap();
        assert_eq!(
            &class[..4],
            [0xCA, 0xFE, 0xBA, 0xBE],
            "a class file at the task root"
        );
        assert!(folder.join("src/main/java/orders/App.java").is_file());
        assert_eq!(
            std::fs::read_to_string(folder.join("orders.properties")).unwrap(),
            "tax=0.2\n",
            "resources at the task root, as Maven packages them"
        );
        let pom = std::fs::read_to_string(folder.join("pom.xml")).unwrap();
        assert!(
            pom.contains("<artifactId>aws-lambda-java-core</artifactId>")
                && pom.contains("<artifactId>orders</artifactId>")
                && !pom.contains("<sourceDirectory>"),
            "sam build compiles it with Maven: {pom}"
        );
        assert!(
            !folder.join("com/amazonaws").exists(),
            "Lambda's interfaces are the runtime's, not the package's"
        );
    }
}

#[test]
fn an_exported_workspace_imports_back_as_it_was() {
    let test_name = "an_exported_workspace_imports_back_as_it_was";
    let dir = tempfile::tempdir().unwrap();
    let workspace =
        lambdesk::sample_workspace::open_sample_workspace(&dir.path().join("ws")).unwrap();
    let test = TestWorkspace { dir, workspace };
    let java = java_ready(test_name);
    add_java_and_provided(&test, java);
    test.add_python(
        "py",
        "app.handler",
        &[("app.py", "def handler(event, context):\n    return 1\n")],
        |config| {
            config.memory_mb = 256;
            config.environment.insert("STAGE".into(), "dev".into());
        },
    );
    // Rust and Go functions go out as their built module on lambdesk's bootstrap and
    // come back as the crate and the Go module they were.
    if common::rust_toolchain_ready(test_name) {
        common::from_blueprint(&test, "rust-hello", "rusty");
    }
    if common::go_toolchain_ready(test_name) {
        common::from_blueprint(&test, "go-hello", "gopher");
    }
    let report = export_and_validate(&test, test_name);

    let root = test.dir.path().join("imported");
    let imported =
        lambdesk::sam::import::import_sam_template(&lambdesk::sam::import::ImportOptions {
            template: report.out_dir.join("template.yaml"),
            workspace_root: root.clone(),
            parameter_overrides: Vec::new(),
            force: false,
        })
        .unwrap();
    // Stack outputs (the API's URL on AWS) are the one thing reported.
    assert!(
        imported
            .not_carried_over
            .iter()
            .all(|item| item.resource == "Outputs"),
        "{:#?}",
        imported.not_carried_over
    );
    let back = lambdesk::model::Workspace::open(&root).unwrap();
    let before = lambdesk::sam::workspace_description::describe_workspace(&test.workspace).unwrap();
    let after = lambdesk::sam::workspace_description::describe_workspace(&back).unwrap();
    assert_eq!(
        after.functions.keys().collect::<Vec<_>>(),
        before.functions.keys().collect::<Vec<_>>()
    );
    for (name, function) in &before.functions {
        assert_eq!(after.functions[name], *function, "function {name}");
    }
    assert_eq!(after, before);
}
