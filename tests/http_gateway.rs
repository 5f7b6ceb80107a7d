//! The HTTP gateway over real sockets: routes, the API Gateway 2.0 event a function
//! receives (compared with `tests/fixtures/aws-events`), response mapping, API Gateway's errors,
//! concurrency, and `lambdesk serve` as a user runs it.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{Recorder, TestWorkspace};
use lambdesk::model::Trigger;
use lambdesk::triggers::http::{
    DEFAULT_CLIENT_READ_TIMEOUT, DEFAULT_INTEGRATION_TIMEOUT, GatewayOptions, HttpGateway,
    workspace_routes,
};
use lambdesk::triggers::{InvocationSink, TriggerContext};
use serde_json::Value;

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// One HTTP/1.1 request on its own connection.
fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    // A server may answer (413) before reading a large body, and close.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A JS function answering with `body` (a JS expression over `event`), on `routes`.
fn add_http_function(test: &TestWorkspace, name: &str, routes: &[&str], handler_body: &str) {
    let source = format!("export const handler = async (event) => {{ {handler_body} }};\n");
    test.add_js(name, "index.handler", &[("index.mjs", &source)], |config| {
        config.triggers = routes.iter().map(|route| Trigger::http(route)).collect();
    });
}

struct Running {
    gateway: HttpGateway,
    recorder: Arc<Recorder>,
    tokio: tokio::runtime::Runtime,
}

fn start(test: &TestWorkspace, integration_timeout: Duration) -> Running {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let recorder = Arc::new(Recorder::default());
    let context = Arc::new(TriggerContext::new(
        test.workspace.clone(),
        Arc::new(test.runtime()),
        Arc::clone(&recorder) as Arc<dyn InvocationSink>,
    ));
    let (routes, functions, problems) = workspace_routes(&test.workspace);
    assert!(problems.is_empty(), "{problems:?}");
    // Compile (and for JS, snapshot) every function first: a cold start on a fresh
    // machine must not count against a short integration timeout.
    for function in functions.values() {
        tokio.block_on(context.runtime.prepare(function)).unwrap();
    }
    let options = GatewayOptions {
        port: 0,
        integration_timeout,
        client_read_timeout: DEFAULT_CLIENT_READ_TIMEOUT,
    };
    let gateway = tokio
        .block_on(HttpGateway::start(context, routes, functions, &options))
        .unwrap();
    Running {
        gateway,
        recorder,
        tokio,
    }
}

impl Running {
    fn addr(&self) -> SocketAddr {
        self.gateway.local_addr()
    }

    fn stop(self) {
        self.tokio.block_on(self.gateway.stop());
    }
}

#[test]
fn the_function_receives_api_gateway_s_payload_2_0() {
    let test = TestWorkspace::new();
    add_http_function(
        &test,
        "items",
        &["GET /items/{id}"],
        "return { statusCode: 200, body: JSON.stringify(event) };",
    );
    let running = start(&test, DEFAULT_INTEGRATION_TIMEOUT);
    let reply = request(
        running.addr(),
        "GET",
        "/items/42?full=1&tag=a&tag=b",
        &[
            ("User-Agent", "curl/8.0"),
            ("X-Custom", "one"),
            ("Cookie", "session=abc; theme=dark"),
        ],
        b"",
    );
    assert_eq!(reply.status, 200);
    let event = reply.json();
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "GET /items/{id}");
    assert_eq!(event["rawPath"], "/items/42");
    assert_eq!(event["rawQueryString"], "full=1&tag=a&tag=b");
    assert_eq!(event["pathParameters"], serde_json::json!({"id": "42"}));
    assert_eq!(
        event["queryStringParameters"],
        serde_json::json!({"full": "1", "tag": "a,b"})
    );
    assert_eq!(
        event["cookies"],
        serde_json::json!(["session=abc", "theme=dark"])
    );
    assert_eq!(event["headers"]["x-custom"], "one");
    assert_eq!(event["headers"]["user-agent"], "curl/8.0");
    assert!(event["headers"].get("cookie").is_none());
    assert_eq!(event["requestContext"]["http"]["method"], "GET");
    assert_eq!(event["requestContext"]["http"]["path"], "/items/42");
    assert_eq!(event["requestContext"]["http"]["sourceIp"], "127.0.0.1");
    assert_eq!(event["requestContext"]["http"]["userAgent"], "curl/8.0");
    assert_eq!(event["requestContext"]["routeKey"], "GET /items/{id}");
    assert_eq!(event["isBase64Encoded"], false);
    assert!(event.get("body").is_none());

    // Every field of AWS's sample is there with the same JSON type (the sample's mTLS
    // `authentication` aside: a gateway without mTLS sends none; headers are the
    // request's own).
    common::assert_same_shape(
        &common::aws_sample("apigw-v2-request-no-authorizer.json"),
        &event,
        "",
        &[".requestContext.authentication", ".headers.*"],
    );
    running.stop();
}

#[test]
fn responses_are_mapped_as_api_gateway_maps_them() {
    let test = TestWorkspace::new();
    add_http_function(
        &test,
        "page",
        &["GET /page"],
        r#"return { statusCode: 201, headers: { "Content-Type": "text/html" }, cookies: ["a=1", "b=2"], body: "<h1>Hello</h1>" };"#,
    );
    add_http_function(&test, "bare", &["GET /bare"], "return { message: 'hi' };");
    add_http_function(
        &test,
        "text",
        &["GET /text"],
        "return 'Hello from Lambda!';",
    );
    add_http_function(
        &test,
        "image",
        &["GET /image"],
        r#"return { statusCode: 200, headers: { "content-type": "image/png" }, body: "iVBORw==", isBase64Encoded: true };"#,
    );
    add_http_function(
        &test,
        "upload",
        &["POST /upload"],
        "return { isBase64Encoded: event.isBase64Encoded, body: event.body };",
    );
    let running = start(&test, DEFAULT_INTEGRATION_TIMEOUT);
    let addr = running.addr();

    let page = request(addr, "GET", "/page", &[], b"");
    assert_eq!(page.status, 201);
    assert_eq!(page.header("content-type"), Some("text/html"));
    let cookies: Vec<&str> = page
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(cookies, vec!["a=1", "b=2"]);
    assert_eq!(page.body, b"<h1>Hello</h1>");

    let bare = request(addr, "GET", "/bare", &[], b"");
    assert_eq!(bare.status, 200);
    assert_eq!(bare.header("content-type"), Some("application/json"));
    assert_eq!(bare.json(), serde_json::json!({"message": "hi"}));

    let text = request(addr, "GET", "/text", &[], b"");
    assert_eq!(
        (text.status, text.body.as_slice()),
        (200, b"Hello from Lambda!".as_slice())
    );

    let image = request(addr, "GET", "/image", &[], b"");
    assert_eq!(image.body, [0x89, b'P', b'N', b'G']);

    let upload = request(
        addr,
        "POST",
        "/upload",
        &[("content-type", "application/octet-stream")],
        &[0, 1, 2, 255],
    );
    assert_eq!(
        upload.json(),
        serde_json::json!({"isBase64Encoded": true, "body": "AAEC/w=="})
    );
    running.stop();
}

#[test]
fn the_most_specific_route_wins_and_unknown_routes_are_404() {
    let test = TestWorkspace::new();
    add_http_function(&test, "one", &["GET /items/{id}"], "return 'one';");
    add_http_function(
        &test,
        "proxy",
        &["ANY /{proxy+}"],
        "return event.pathParameters.proxy;",
    );
    let running = start(&test, DEFAULT_INTEGRATION_TIMEOUT);
    let addr = running.addr();
    assert_eq!(request(addr, "GET", "/items/1", &[], b"").body, b"one");
    assert_eq!(
        request(addr, "DELETE", "/items/1", &[], b"").body,
        b"items/1"
    );
    assert_eq!(request(addr, "GET", "/a/b/c", &[], b"").body, b"a/b/c");
    let root = request(addr, "GET", "/", &[], b"");
    assert_eq!(root.status, 404);
    assert_eq!(root.json(), serde_json::json!({"message": "Not Found"}));
    running.stop();
}

#[test]
fn function_errors_timeouts_and_large_bodies_get_api_gateway_s_errors() {
    let test = TestWorkspace::new();
    add_http_function(&test, "fails", &["GET /fails"], "throw new Error('boom');");
    add_http_function(&test, "bad", &["GET /bad"], "return { statusCode: 'x' };");
    add_http_function(
        &test,
        "slow",
        &["GET /slow"],
        "await new Promise((resolve) => setTimeout(resolve, 1500)); return 'late';",
    );
    add_http_function(&test, "echo", &["POST /echo"], "return 'ok';");
    let running = start(&test, Duration::from_millis(400));
    let addr = running.addr();
    let fails = request(addr, "GET", "/fails", &[], b"");
    assert_eq!(fails.status, 502);
    assert_eq!(
        fails.json(),
        serde_json::json!({"message": "Internal Server Error"})
    );
    assert_eq!(request(addr, "GET", "/bad", &[], b"").status, 502);
    let slow = request(addr, "GET", "/slow", &[], b"");
    assert_eq!(slow.status, 503);
    assert_eq!(
        slow.json(),
        serde_json::json!({"message": "Service Unavailable"})
    );
    let big = vec![b'x'; 6 * 1024 * 1024 + 1];
    let too_large = request(
        addr,
        "POST",
        "/echo",
        &[("content-type", "text/plain")],
        &big,
    );
    assert_eq!(too_large.status, 413);
    // The slow function ran to its end and was logged, as on AWS.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !running
        .recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .any(|invocation| invocation.function == "slow")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the slow invocation was not recorded"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let recorded = running.recorder.0.lock().unwrap();
    let slow_run = recorded
        .iter()
        .find(|invocation| invocation.function == "slow")
        .expect("the slow invocation was recorded");
    assert_eq!(slow_run.origin, "HTTP GET /slow");
    assert!(slow_run.result.as_ref().unwrap().is_success());
    drop(recorded);
    running.stop();
}

#[test]
fn parallel_requests_run_in_parallel_up_to_the_reserved_concurrency() {
    let test = TestWorkspace::new();
    let source = "export const handler = async () => { const start = Date.now(); await new Promise((r) => setTimeout(r, 1000)); return { start, end: Date.now() }; };\n";
    test.add_js(
        "limited",
        "index.handler",
        &[("index.mjs", source)],
        |config| {
            config.reserved_concurrency = Some(2);
            config.triggers = vec![Trigger::http("GET /limited")];
        },
    );
    let running = start(&test, DEFAULT_INTEGRATION_TIMEOUT);
    let addr = running.addr();
    let replies: Vec<Reply> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| scope.spawn(move || request(addr, "GET", "/limited", &[], b"")))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });
    let mut counts: HashMap<u16, usize> = HashMap::new();
    for reply in &replies {
        *counts.entry(reply.status).or_default() += 1;
    }
    assert_eq!(counts.get(&200), Some(&2), "{counts:?}");
    assert_eq!(counts.get(&429), Some(&1), "{counts:?}");
    let throttled = replies.iter().find(|reply| reply.status == 429).unwrap();
    assert_eq!(
        throttled.json(),
        serde_json::json!({"message": "Too Many Requests"})
    );
    // The two that ran, ran side by side: each started before the other ended.
    let spans: Vec<(i64, i64)> = replies
        .iter()
        .filter(|reply| reply.status == 200)
        .map(|reply| {
            let span = reply.json();
            (
                span["start"].as_i64().unwrap(),
                span["end"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        spans[0].0 < spans[1].1 && spans[1].0 < spans[0].1,
        "{spans:?}"
    );
    running.stop();
}

#[test]
fn lambdesk_serve_answers_http_and_stops_on_ctrl_c() {
    serve_answers_http_and_stops_on("-INT");
}

/// SIGTERM (`kill`, a service manager) stops as cleanly: the log is in its file.
#[test]
fn lambdesk_serve_stops_cleanly_on_sigterm() {
    serve_answers_http_and_stops_on("-TERM");
}

fn serve_answers_http_and_stops_on(signal: &str) {
    let test = TestWorkspace::new();
    add_http_function(
        &test,
        "hello",
        &["GET /hello"],
        "console.log('serving', event.rawPath); return { statusCode: 200, headers: {'content-type': 'text/html'}, body: '<p>hi</p>' };",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .args(["serve", "--port", "0", "--workspace"])
        .arg(test.workspace.root())
        .env(
            "LAMBDESK_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let addr: SocketAddr = loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "serve ended early"
        );
        if let Some(url) = line
            .trim()
            .strip_prefix("lambdesk\tHTTP gateway on http://")
        {
            break url.parse().unwrap();
        }
    };
    let reply = request(addr, "GET", "/hello", &[], b"");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"<p>hi</p>");
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(exit.success(), "{exit:?}\n{rest}");
    assert!(rest.contains("hello\tSTART RequestId: "), "{rest}");
    assert!(rest.contains("INFO\tserving /hello"), "{rest}");
    assert!(rest.contains("hello\tREPORT RequestId: "), "{rest}");
    assert!(rest.trim_end().ends_with("lambdesk\tstopped"), "{rest}");
    // And the log is in the workspace's files.
    let log = std::fs::read_to_string(test.workspace.logs_dir().join("hello.jsonl")).unwrap();
    assert!(log.contains("REPORT RequestId"));
}

#[test]
fn an_invocation_finishes_and_is_logged_after_its_client_hung_up() {
    let test = TestWorkspace::new();
    add_http_function(
        &test,
        "patient",
        &["GET /patient"],
        "await new Promise((resolve) => setTimeout(resolve, 300)); console.log('done waiting'); return 'late';",
    );
    let running = start(&test, DEFAULT_INTEGRATION_TIMEOUT);
    let mut stream = TcpStream::connect(running.addr()).unwrap();
    stream
        .write_all(b"GET /patient HTTP/1.1\r\nhost: localhost\r\ncontent-length: 0\r\n\r\n")
        .unwrap();
    // The client leaves while the function waits on its timer.
    std::thread::sleep(Duration::from_millis(50));
    drop(stream);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while running.recorder.runs_of("patient").is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let runs = running.recorder.runs_of("patient");
    assert_eq!(runs.len(), 1, "the invocation was dropped with its client");
    let record = runs[0].result.as_ref().unwrap();
    assert!(record.is_success(), "{:?}", record.outcome);
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line.contains("done waiting")),
        "{:?}",
        record.log_lines
    );
    running.stop();
}

#[test]
fn a_guest_computing_past_the_gateway_s_timeout_gets_a_503_in_time() {
    let test = TestWorkspace::new();
    // Its own timeout (5 s) is far past the gateway's (300 ms), and it never pauses.
    test.add_wat(
        "busy",
        "(module (func (export \"_start\") (loop $forever (br $forever))))",
        |config| {
            config.triggers = vec![Trigger::http("GET /busy")];
            config.timeout_secs = 5;
        },
    );
    let running = start(&test, Duration::from_millis(300));
    let asked = std::time::Instant::now();
    let reply = request(running.addr(), "GET", "/busy", &[], b"");
    let waited = asked.elapsed();
    assert_eq!(reply.status, 503);
    // Answered by the gateway's timeout, not after the function's own.
    assert!(waited < Duration::from_secs(4), "answered after {waited:?}");
    running.stop();
}
