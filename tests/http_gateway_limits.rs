//! What the HTTP gateway refuses before a function runs, over real sockets: API
//! Gateway's size limits (431, 413 before the body is sent), clients too slow to send
//! their request, and Host names other than this machine's (DNS rebinding).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::{Recorder, TestWorkspace, writes_stdout};
use lambdesk::model::Trigger;
use lambdesk::triggers::http::{GatewayOptions, HttpGateway, workspace_routes};
use lambdesk::triggers::{InvocationSink, TriggerContext};

/// How long a test waits for the gateway's answer before it counts as never coming.
const ANSWER_BOUND: Duration = Duration::from_secs(15);

struct Running {
    gateway: HttpGateway,
    recorder: Arc<Recorder>,
    tokio: tokio::runtime::Runtime,
}

/// A gateway serving `GET /answer` and `POST /answer` (a WAT function answering 42).
fn start(client_read_timeout: Duration) -> (TestWorkspace, Running) {
    let test = TestWorkspace::new();
    test.add_wat("answer", &writes_stdout("42"), |config| {
        config.triggers = vec![Trigger::http("ANY /answer")];
    });
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
    let options = GatewayOptions {
        port: 0,
        integration_timeout: Duration::from_secs(30),
        client_read_timeout,
    };
    let gateway = tokio
        .block_on(HttpGateway::start(context, routes, functions, &options))
        .unwrap();
    let running = Running {
        gateway,
        recorder,
        tokio,
    };
    (test, running)
}

impl Running {
    fn addr(&self) -> SocketAddr {
        self.gateway.local_addr()
    }

    fn stop(self) {
        self.tokio.block_on(self.gateway.stop());
    }
}

/// What came back for bytes written on a fresh connection.
struct Exchange {
    /// The server closed the connection (rather than the test giving up waiting).
    closed_by_server: bool,
    status: Option<u16>,
    body: String,
}

/// Writes `raw` (which may stop mid-request) and reads until the server closes or
/// [`ANSWER_BOUND`] passes.
fn exchange(addr: SocketAddr, raw: &[u8]) -> Exchange {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(ANSWER_BOUND)).unwrap();
    stream.write_all(raw).unwrap();
    let mut received = Vec::new();
    let read = stream.read_to_end(&mut received);
    let closed_by_server = match read {
        Ok(_) => true,
        Err(error) => !matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    };
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Exchange {
        closed_by_server,
        status,
        body,
    }
}

fn get_with_headers(extra_headers: &str) -> Vec<u8> {
    format!("GET /answer HTTP/1.1\r\n{extra_headers}connection: close\r\n\r\n").into_bytes()
}

#[test]
fn a_request_head_over_10_kb_gets_431() {
    let (_test, running) = start(Duration::from_secs(30));
    let addr = running.addr();
    let host = format!("host: {addr}\r\n");
    let under = exchange(
        addr,
        &get_with_headers(&format!("{host}x-padding: {}\r\n", "a".repeat(9_000))),
    );
    assert_eq!(under.status, Some(200), "{}", under.body);
    assert_eq!(under.body, "42");
    let over = exchange(
        addr,
        &get_with_headers(&format!("{host}x-padding: {}\r\n", "a".repeat(10_300))),
    );
    assert_eq!(over.status, Some(431));
    assert!(over.closed_by_server);
    assert_eq!(running.recorder.runs_of("answer").len(), 1);
    running.stop();
}

#[test]
fn a_declared_body_over_6_mb_gets_413_before_the_body_is_sent() {
    let (_test, running) = start(Duration::from_secs(60));
    let addr = running.addr();
    // Only the head: the answer has to come without the body (well before the read
    // timeout, which would otherwise end the wait with a 408).
    let head = format!(
        "POST /answer HTTP/1.1\r\nhost: {addr}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n",
        6 * 1024 * 1024 + 1
    );
    let refused = exchange(addr, head.as_bytes());
    assert_eq!(refused.status, Some(413), "{}", refused.body);
    assert_eq!(refused.body, r#"{"message":"Request Entity Too Large"}"#);
    assert!(running.recorder.runs_of("answer").is_empty());
    running.stop();
}

#[test]
fn a_client_that_stops_sending_is_dropped() {
    let (_test, running) = start(Duration::from_millis(300));
    let addr = running.addr();
    // Half a head: hyper's header read timeout closes the connection.
    let half_head = exchange(
        addr,
        format!("GET /answer HTTP/1.1\r\nhost: {addr}\r\n").as_bytes(),
    );
    assert!(
        half_head.closed_by_server,
        "the connection was still open after {ANSWER_BOUND:?}"
    );
    assert_eq!(half_head.status, None);
    // A whole head and part of the body: a 408, and the connection is closed.
    let half_body = exchange(
        addr,
        format!("POST /answer HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 100\r\n\r\n0123456789")
            .as_bytes(),
    );
    assert!(
        half_body.closed_by_server,
        "the connection was still open after {ANSWER_BOUND:?}"
    );
    assert_eq!(half_body.status, Some(408));
    assert_eq!(half_body.body, r#"{"message":"Request Timeout"}"#);
    assert!(running.recorder.runs_of("answer").is_empty());
    running.stop();
}

#[test]
fn only_requests_addressed_to_localhost_are_answered() {
    let (_test, running) = start(Duration::from_secs(30));
    let addr = running.addr();
    let port = addr.port();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "[::1]:3000".to_owned(),
        "LOCALHOST".to_owned(),
    ] {
        let answered = exchange(addr, &get_with_headers(&format!("host: {host}\r\n")));
        assert_eq!(answered.status, Some(200), "Host: {host}");
    }
    // A page on evil.example whose name now resolves to 127.0.0.1 (DNS rebinding).
    for host in [format!("evil.example:{port}"), "evil.example".to_owned()] {
        let refused = exchange(addr, &get_with_headers(&format!("host: {host}\r\n")));
        assert_eq!(refused.status, Some(403), "Host: {host}");
        let message: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
        assert!(
            message["message"].as_str().unwrap().starts_with(
                "Forbidden: the local gateway only answers requests addressed to localhost"
            ),
            "{message}"
        );
    }
    let absolute = exchange(
        addr,
        b"GET http://evil.example/answer HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n",
    );
    assert_eq!(absolute.status, Some(403));
    let no_host = exchange(addr, &get_with_headers(""));
    assert_eq!(no_host.status, Some(400));
    assert_eq!(no_host.body, r#"{"message":"Bad Request"}"#);
    let http_1_0 = exchange(addr, b"GET /answer HTTP/1.0\r\n\r\n");
    assert_eq!(http_1_0.status, Some(200));
    assert_eq!(http_1_0.body, "42");
    assert_eq!(running.recorder.runs_of("answer").len(), 5);
    running.stop();
}
