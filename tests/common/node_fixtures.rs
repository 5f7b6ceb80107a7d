//! Handlers kept in `tests/fixtures/node-builtins/`, run as JS functions, and the values
//! real Node.js printed for them (pasted into the tests).

use serde_json::Value;

use super::{TestWorkspace, invoke, response};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/node-builtins");

/// Runs `<name>.mjs` as the handler (30 s timeout), with `extra` files of the fixtures
/// folder beside it, and returns its response.
pub async fn run_fixture_with(name: &str, extra: &[&str]) -> Value {
    let source = std::fs::read(format!("{FIXTURES}/{name}.mjs")).expect("fixture");
    let extra_bytes: Vec<(&str, Vec<u8>)> = extra
        .iter()
        .map(|file| {
            let bytes = std::fs::read(format!("{FIXTURES}/{file}")).expect("fixture file");
            (*file, bytes)
        })
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![("index.mjs", &source)];
    files.extend(
        extra_bytes
            .iter()
            .map(|(file, bytes)| (*file, bytes.as_slice())),
    );
    let test = TestWorkspace::new();
    let mut config =
        lambdesk::model::FunctionConfig::new(lambdesk::model::Runtime::Js, "index.handler");
    config.timeout_secs = 30;
    let function = test
        .workspace
        .create_function("fn", &config, &files)
        .expect("create function");
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}")
        .await
        .expect("invoke");
    response(&record)
}

/// `run_fixture_with` and no other files.
pub async fn run_fixture(name: &str) -> Value {
    run_fixture_with(name, &[]).await
}

/// What Node printed, as JSON.
pub fn node_gives(json_text: &str) -> Value {
    serde_json::from_str(json_text).expect("the expected value is JSON")
}
