//! The global `fetch` in a JS function: it reaches the workspace's own HTTP routes
//! through the running gateway (`LAMBDESK_GATEWAY_URL`, 127.0.0.1 or localhost), even
//! from a function the gateway itself is serving, and every other destination fails as
//! a refused connection does in Node (`TypeError: fetch failed`, `cause.code`
//! `ECONNREFUSED`).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::{Recorder, TestWorkspace};
use lambdesk::model::{Function, InvocationRecord, Outcome, Trigger};
use lambdesk::runtime::Runtime;
use lambdesk::triggers::async_delivery::AsyncOptions;
use lambdesk::triggers::http::GatewayOptions;
use lambdesk::triggers::{EngineOptions, InvocationSink, TriggerContext, TriggerEngine};
use serde_json::{Value, json};

fn response(record: &InvocationRecord) -> Value {
    match &record.outcome {
        Outcome::Success(value) => value.clone(),
        Outcome::Failure(error) => panic!("the function failed: {error:?}\n{:?}", record.log_lines),
    }
}

/// A function that answers on `POST /orders/{id}` with what it was sent.
const CALLEE: &str = r#"
export const handler = async (event) => ({
  statusCode: 201,
  headers: { "content-type": "application/json", "x-served-by": "orders" },
  body: JSON.stringify({
    id: event.pathParameters.id,
    method: event.requestContext.http.method,
    query: event.rawQueryString,
    token: event.headers["x-token"],
    body: JSON.parse(event.body),
  }),
});
"#;

/// Calls the orders route through the gateway, by 127.0.0.1 and by localhost.
const CALLER: &str = r#"
export const handler = async () => {
  const base = process.env.LAMBDESK_GATEWAY_URL;
  const response = await fetch(`${base}/orders/7?full=1`, {
    method: "POST",
    headers: { "x-token": "abc", "content-type": "application/json" },
    body: JSON.stringify({ qty: 2 }),
  });
  const byName = await fetch(new Request(base.replace("127.0.0.1", "localhost") + "/orders/8", { method: "POST", body: "{}" }));
  const missing = await fetch(`${base}/nothing-here`);
  return {
    base: base.replace(/:\d+$/, ":PORT"),
    status: response.status,
    ok: response.ok,
    statusText: response.statusText,
    contentType: response.headers.get("Content-Type"),
    servedBy: response.headers.get("x-served-by"),
    json: await response.json(),
    byName: { status: byName.status, id: (await byName.json()).id },
    missing: { status: missing.status, ok: missing.ok, text: await missing.text() },
  };
};
"#;

struct Running {
    runtime: Arc<Runtime>,
    engine: Option<TriggerEngine>,
    tokio: tokio::runtime::Runtime,
}

impl Running {
    fn start(test: &TestWorkspace) -> Self {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let runtime = Arc::new(test.runtime());
        let context = Arc::new(TriggerContext::new(
            test.workspace.clone(),
            Arc::clone(&runtime),
            Arc::new(Recorder::default()) as Arc<dyn InvocationSink>,
        ));
        let options = EngineOptions {
            gateway: GatewayOptions {
                port: 0,
                integration_timeout: Duration::from_secs(30),
                client_read_timeout: Duration::from_secs(30),
            },
            delivery: AsyncOptions::default(),
            invoke_api: None,
        };
        let engine = tokio.block_on(TriggerEngine::start(context, options));
        assert!(engine.problems.is_empty(), "{:?}", engine.problems);
        Self {
            runtime,
            engine: Some(engine),
            tokio,
        }
    }

    fn addr(&self) -> SocketAddr {
        self.engine.as_ref().unwrap().gateway_addr().unwrap()
    }

    fn invoke(&self, test: &TestWorkspace, function: &Function) -> InvocationRecord {
        self.tokio
            .block_on(self.runtime.invoke(&test.workspace, function, b"{}"))
            .unwrap()
    }

    fn stop(mut self) {
        let engine = self.engine.take().unwrap();
        self.tokio.block_on(engine.stop());
    }
}

fn add(test: &TestWorkspace, name: &str, source: &str, routes: &[&str]) -> Function {
    test.add_js(name, "index.handler", &[("index.mjs", source)], |config| {
        config.triggers = routes.iter().map(|route| Trigger::http(route)).collect();
    })
}

/// GET `target` on its own connection; the status and the body.
fn get(addr: SocketAddr, target: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

#[test]
fn a_handler_fetches_another_function_s_route_through_the_gateway() {
    let test = TestWorkspace::new();
    add(&test, "orders", CALLEE, &["POST /orders/{id}"]);
    let caller = add(&test, "caller", CALLER, &[]);
    let running = Running::start(&test);
    let answer = response(&running.invoke(&test, &caller));
    assert_eq!(
        answer,
        json!({
            "base": "http://127.0.0.1:PORT",
            "status": 201,
            "ok": true,
            "statusText": "Created",
            "contentType": "application/json",
            "servedBy": "orders",
            "json": {"id": "7", "method": "POST", "query": "full=1", "token": "abc", "body": {"qty": 2}},
            "byName": {"status": 201, "id": "8"},
            "missing": {"status": 404, "ok": false, "text": "{\"message\":\"Not Found\"}"},
        })
    );
    running.stop();
}

#[test]
fn a_function_the_gateway_serves_can_call_the_gateway_again() {
    let test = TestWorkspace::new();
    add(&test, "orders", CALLEE, &["POST /orders/{id}"]);
    let front = r#"
export const handler = async () => {
  const response = await fetch(`${process.env.LAMBDESK_GATEWAY_URL}/orders/42`, { method: "POST", body: "[1]" });
  return { statusCode: 200, body: JSON.stringify({ upstream: response.status, order: await response.json() }) };
};
"#;
    add(&test, "front", front, &["GET /front"]);
    let running = Running::start(&test);
    let (status, body) = get(running.addr(), "/front");
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["upstream"], 201);
    assert_eq!(body["order"]["id"], "42");
    assert_eq!(body["order"]["body"], json!([1]));
    running.stop();
}

/// What a failed fetch threw, as a handler sees it.
const REFUSED: &str = r#"
const attempt = async (url) => {
  try {
    await fetch(url);
    return "answered";
  } catch (error) {
    return {
      isTypeError: error instanceof TypeError,
      message: error.message,
      code: error.cause && error.cause.code,
      errno: error.cause && error.cause.errno,
      syscall: error.cause && error.cause.syscall,
      cause: error.cause && error.cause.message,
    };
  }
};
export const handler = async () => ({
  internet: await attempt("https://example.com/"),
  otherPort: await attempt("http://127.0.0.1:1/"),
});
"#;

#[test]
fn every_other_destination_is_a_refused_connection() {
    let test = TestWorkspace::new();
    add(&test, "orders", CALLEE, &["POST /orders/{id}"]);
    let function = add(&test, "curious", REFUSED, &[]);
    let running = Running::start(&test);
    let gateway = format!("http://{}", running.addr());
    let answer = response(&running.invoke(&test, &function));
    for (attempt, target) in [
        ("internet", "example.com:443"),
        ("otherPort", "127.0.0.1:1"),
    ] {
        let failure = &answer[attempt];
        assert_eq!(failure["isTypeError"], true, "{failure}");
        assert_eq!(failure["message"], "fetch failed");
        assert_eq!(failure["code"], "ECONNREFUSED");
        assert_eq!(failure["errno"], -111);
        assert_eq!(failure["syscall"], "connect");
        assert_eq!(
            failure["cause"],
            format!(
                "connect ECONNREFUSED {target} (lambdesk functions reach only the workspace's own HTTP gateway, {gateway})"
            )
        );
    }
    running.stop();
}

#[tokio::test]
async fn without_a_running_gateway_fetch_is_refused_too() {
    let test = TestWorkspace::new();
    let function = add(&test, "curious", REFUSED, &[]);
    let runtime = test.runtime();
    let record = common::invoke(&test, &runtime, &function, "{}")
        .await
        .unwrap();
    let answer = response(&record);
    let failure = &answer["otherPort"];
    assert_eq!(failure["code"], "ECONNREFUSED");
    let cause = failure["cause"].as_str().unwrap();
    assert!(cause.contains("it is not running"), "{cause}");
}
