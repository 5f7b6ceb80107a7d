//! Every blueprint creates a function that runs successfully from its own test events.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke};
use lambdesk::blueprints;
use serde_json::{Value, json};

const SHIPPED: [&str; 22] = [
    "bucket-processor",
    "empty-function",
    "go-hello",
    "go-thumbnail",
    "hello-world",
    "http-api",
    "java-hello",
    "java-http-api",
    "python-bucket-processor",
    "python-hello",
    "python-http-api",
    "python-queue-processor",
    "queue-processor",
    "ruby-bucket-processor",
    "ruby-hello",
    "ruby-http-api",
    "ruby-queue-processor",
    "rust-hello",
    "s3-thumbnail",
    "scheduled-job",
    "topic-subscriber",
    "wat-echo",
];

#[test]
fn the_shipped_blueprints_are_listed_with_their_metadata() {
    let ids: Vec<String> = blueprints::all(None)
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(ids, SHIPPED);
    for blueprint in blueprints::all(None).unwrap() {
        assert!(
            !blueprint.name.is_empty() && !blueprint.description.is_empty(),
            "{}",
            blueprint.id
        );
        assert!(
            blueprint.test_events().count() >= 1,
            "{} has a test event",
            blueprint.id
        );
    }
}

#[test]
fn search_matches_words_in_name_description_and_tags() {
    let all = blueprints::all(None).unwrap();
    let found: Vec<&str> = all
        .iter()
        .filter(|b| b.matches("sqs"))
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(
        found,
        [
            "python-queue-processor",
            "queue-processor",
            "ruby-queue-processor"
        ]
    );
    let found: Vec<&str> = all
        .iter()
        .filter(|b| b.matches("WebAssembly echo"))
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(found, ["wat-echo"]);
}

async fn run_blueprint(id: &str) -> Vec<(String, Value)> {
    let test = TestWorkspace::new();
    let blueprint = blueprints::find(None, id).unwrap();
    let function = blueprint
        .create_function(&test.workspace, "fn", 256)
        .unwrap();
    assert_eq!(function.config.memory_mb, 256);
    let runtime = test.runtime();
    let mut results = Vec::new();
    for (path, event) in blueprint.test_events() {
        let record = invoke(
            &test,
            &runtime,
            &function,
            std::str::from_utf8(event).unwrap(),
        )
        .await
        .unwrap();
        assert!(
            record.is_success(),
            "{id} with {path}: {:?}\n{:#?}",
            record.error(),
            record.log_lines
        );
        results.push((path.to_owned(), record.payload()));
    }
    results
}

#[tokio::test]
async fn every_blueprint_runs_from_its_test_events() {
    for id in SHIPPED {
        let is_rust = id == "rust-hello" || id == "s3-thumbnail";
        if is_rust && !common::rust_toolchain_ready("a Rust blueprint in every_blueprint_runs") {
            continue;
        }
        let is_go = id == "go-hello" || id == "go-thumbnail";
        if is_go && !common::go_toolchain_ready("a Go blueprint in every_blueprint_runs") {
            continue;
        }
        let is_java = id.starts_with("java-");
        if is_java
            && let Err(reason) =
                lambdesk::runtime::JavaBuilder::new(common::java_build_options()).check_toolchain()
        {
            eprintln!("skipping a Java blueprint in every_blueprint_runs: {reason}");
            continue;
        }
        assert!(!run_blueprint(id).await.is_empty(), "{id}");
    }
}

#[tokio::test]
async fn the_http_api_blueprint_answers_with_an_api_gateway_response() {
    let (_, response) = run_blueprint("http-api").await.remove(0);
    assert_eq!(response["statusCode"], 200);
    assert_eq!(response["headers"]["content-type"], "application/json");
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({ "id": "1", "name": "coffee" }));
}

#[tokio::test]
async fn the_queue_blueprint_reports_only_the_failed_message() {
    let (_, response) = run_blueprint("queue-processor").await.remove(0);
    assert_eq!(
        response,
        json!({ "batchItemFailures": [{ "itemIdentifier": "message-2" }] })
    );
}

#[tokio::test]
async fn the_python_blueprints_answer_as_their_javascript_twins() {
    let (_, response) = run_blueprint("python-http-api").await.remove(0);
    assert_eq!(response["statusCode"], 200);
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({ "id": "1", "name": "coffee" }));
    let (_, response) = run_blueprint("python-queue-processor").await.remove(0);
    assert_eq!(
        response,
        json!({ "batchItemFailures": [{ "itemIdentifier": "message-2" }] })
    );
    let (_, response) = run_blueprint("python-bucket-processor").await.remove(0);
    assert_eq!(response["processed"][0]["key"], "uploads/cat photo.png");
    let (_, response) = run_blueprint("python-hello").await.remove(0);
    assert!(response["message"].as_str().unwrap().starts_with("Hello, "));
}

#[tokio::test]
async fn the_ruby_blueprints_answer_as_their_javascript_twins() {
    let (_, response) = run_blueprint("ruby-http-api").await.remove(0);
    assert_eq!(response["statusCode"], 200);
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({ "id": "1", "name": "coffee" }));
    let (_, response) = run_blueprint("ruby-queue-processor").await.remove(0);
    assert_eq!(
        response,
        json!({ "batchItemFailures": [{ "itemIdentifier": "message-2" }] })
    );
    let (_, response) = run_blueprint("ruby-bucket-processor").await.remove(0);
    assert_eq!(response["processed"][0]["key"], "uploads/cat photo.png");
    let (_, response) = run_blueprint("ruby-hello").await.remove(0);
    assert!(response["message"].as_str().unwrap().starts_with("Hello, "));
}

#[tokio::test]
async fn the_bucket_blueprint_decodes_keys() {
    let (_, response) = run_blueprint("bucket-processor").await.remove(0);
    assert_eq!(response["processed"][0]["key"], "uploads/cat photo.png");
}

#[test]
fn a_workspace_blueprint_is_offered_and_overrides_an_embedded_one() {
    let test = TestWorkspace::new();
    let dir = test.workspace.root().join("templates/hello-world");
    std::fs::create_dir_all(dir.join("events")).unwrap();
    std::fs::write(dir.join("blueprint.toml"), "name = \"Team hello\"\ndescription = \"Ours\"\nruntime = \"js\"\nhandler = \"index.handler\"\n").unwrap();
    std::fs::write(
        dir.join("index.mjs"),
        "export const handler = async () => 'team';",
    )
    .unwrap();
    std::fs::write(dir.join("events/e.json"), "{}").unwrap();
    let blueprint = blueprints::find(Some(&test.workspace), "hello-world").unwrap();
    assert_eq!(blueprint.name, "Team hello");
    assert!(
        blueprints::find(None, "nope")
            .unwrap_err()
            .to_string()
            .contains("hello-world")
    );
}

#[test]
fn functions_made_from_blueprints_start_with_their_triggers() {
    let test = TestWorkspace::new();
    let expected = [
        (
            "http-api",
            vec![
                "http GET /items",
                "http GET /items/{id}",
                "http POST /items",
            ],
        ),
        ("scheduled-job", vec!["schedule rate(5 minutes)"]),
        ("bucket-processor", vec!["bucket uploads"]),
        ("hello-world", vec![]),
    ];
    for (id, triggers) in expected {
        let blueprint = blueprints::find(None, id).unwrap();
        let function = blueprint.create_function(&test.workspace, id, 128).unwrap();
        // Read back from disk: the triggers are in function.toml.
        let saved = test.workspace.function(&function.name).unwrap();
        let summaries: Vec<String> = saved.config.triggers.iter().map(|t| t.summary()).collect();
        assert_eq!(summaries, triggers, "{id}");
    }
}

#[test]
fn a_blueprint_route_another_function_serves_is_refused_and_nothing_is_written() {
    let test = TestWorkspace::new();
    let blueprint = blueprints::find(Some(&test.workspace), "http-api").unwrap();
    blueprint
        .create_function(&test.workspace, "items-api", 128)
        .unwrap();

    let error = blueprint
        .create_function(&test.workspace, "shop", 128)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("conflicts with `GET /items` of function `items-api`"),
        "{error}"
    );
    assert_eq!(test.workspace.function_names().unwrap(), ["items-api"]);
    test.workspace.function("items-api").unwrap();

    // With the routes edited, as the Create function dialog and `new --route` pass them.
    let routes = [
        "GET /shop/items",
        "GET /shop/items/{id}",
        "POST /shop/items",
    ];
    let triggers: Vec<_> = blueprint
        .triggers
        .iter()
        .zip(routes)
        .map(|(trigger, route)| blueprints::with_field_value(trigger, route))
        .collect();
    assert!(
        blueprints::check_triggers(&test.workspace, &triggers)
            .iter()
            .all(Option::is_none)
    );
    blueprint
        .create_function_with(&test.workspace, "shop", 128, triggers)
        .unwrap();
    assert!(test.workspace.route_conflicts().is_empty());
}
