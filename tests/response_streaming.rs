//! Response streaming (`awslambda.streamifyResponse`, `awslambda.HttpResponseStream`):
//! through the HTTP gateway over a real socket the client gets the status, the headers and
//! the first chunks while the handler still runs, as from a Function URL in
//! `RESPONSE_STREAM` mode; `Runtime::invoke` returns the streamed body buffered, as the
//! Invoke API does; `lambdesk invoke` prints it.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Recorder, TestWorkspace, invoke};
use lambdesk::model::{Outcome, Trigger};
use lambdesk::triggers::http::{
    DEFAULT_CLIENT_READ_TIMEOUT, DEFAULT_INTEGRATION_TIMEOUT, GatewayOptions, HttpGateway,
    workspace_routes,
};
use lambdesk::triggers::{InvocationSink, TriggerContext};
use serde_json::json;

/// Writes "a", waits a second, writes "b".
const A_PAUSE_B: &str =
    "export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('a');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  responseStream.write('b');
  responseStream.end();
});";

/// What a client read from one connection: each read with the time it returned.
struct Received {
    reads: Vec<(Instant, Vec<u8>)>,
}

impl Received {
    fn all(&self) -> Vec<u8> {
        self.reads
            .iter()
            .flat_map(|(_, bytes)| bytes.clone())
            .collect()
    }

    fn head(&self) -> String {
        let all = self.all();
        let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        String::from_utf8_lossy(&all[..split]).to_lowercase()
    }

    fn status(&self) -> u16 {
        self.head()[9..12].parse().unwrap()
    }

    /// The body, its chunked encoding undone, and whether it ended with the last chunk.
    fn body(&self) -> (Vec<u8>, bool) {
        let all = self.all();
        let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let mut rest = &all[split + 4..];
        let mut body = Vec::new();
        loop {
            let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") else {
                return (body, false);
            };
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
            if size == 0 {
                return (body, true);
            }
            let Some(chunk) = rest.get(line_end + 2..line_end + 2 + size) else {
                return (body, false);
            };
            body.extend_from_slice(chunk);
            rest = &rest[(line_end + 4 + size).min(rest.len())..];
        }
    }

    /// When the first read that held `needle` (counting from the body's start) returned.
    fn arrival_of(&self, needle: u8) -> Instant {
        let mut seen = Vec::new();
        for (at, bytes) in &self.reads {
            seen.extend_from_slice(bytes);
            let Some(split) = seen.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            if seen[split + 4..].contains(&needle) {
                return *at;
            }
        }
        panic!("{} never arrived", needle as char);
    }
}

/// A GET on its own connection, every read timed.
fn get(addr: SocketAddr, target: &str) -> Received {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!("GET {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut reads = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    // A cut-off stream may end with a reset rather than an orderly close.
    while let Ok(read @ 1..) = stream.read(&mut buffer) {
        reads.push((Instant::now(), buffer[..read].to_vec()));
    }
    Received { reads }
}

struct Running {
    gateway: HttpGateway,
    recorder: Arc<Recorder>,
    tokio: tokio::runtime::Runtime,
}

/// A gateway serving `GET /<name>` for each `(name, index.mjs source)`.
fn serve(test: &TestWorkspace, functions: &[(&str, &str)]) -> Running {
    for (name, source) in functions {
        test.add_js(name, "index.handler", &[("index.mjs", source)], |config| {
            config.triggers = vec![Trigger::http(&format!("GET /{name}"))];
        });
    }
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
    for function in functions.values() {
        tokio.block_on(context.runtime.prepare(function)).unwrap();
    }
    let options = GatewayOptions {
        port: 0,
        integration_timeout: DEFAULT_INTEGRATION_TIMEOUT,
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
fn the_client_gets_the_headers_and_the_first_chunk_while_the_handler_still_runs() {
    let test = TestWorkspace::new();
    let running = serve(&test, &[("stream", A_PAUSE_B)]);
    let received = get(running.addr(), "/stream");
    assert_eq!(received.status(), 200);
    let head = received.head();
    assert!(
        head.contains("content-type: application/octet-stream"),
        "{head}"
    );
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert_eq!(received.body(), (b"ab".to_vec(), true));
    // "a" came in a read of its own, well before "b": the handler was still waiting. (The
    // handler waits 1 s; a slow machine only makes the gap longer.)
    let gap = received.arrival_of(b'b') - received.arrival_of(b'a');
    assert!(
        gap >= Duration::from_millis(500),
        "a and b came {gap:?} apart"
    );
    let runs = running.recorder.runs_of("stream");
    assert_eq!(runs.len(), 1);
    let record = runs[0].result.as_ref().unwrap();
    assert_eq!(record.outcome, Outcome::Success(json!("ab")));
    running.stop();
}

#[test]
fn http_response_stream_from_sets_status_headers_and_cookies_and_pipeline_feeds_the_stream() {
    let test = TestWorkspace::new();
    let created =
        "export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201,
    headers: { 'content-type': 'text/plain', 'x-made-by': 'lambdesk' },
    cookies: ['one=1', 'two=2'],
  });
  stream.write('made ');
  stream.end('it');
});";
    let piped = "import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/csv');
  await pipeline(Readable.from(['id,name\\n', '1,one\\n', '2,two\\n']), responseStream);
});";
    let running = serve(&test, &[("created", created), ("piped", piped)]);

    let received = get(running.addr(), "/created");
    assert_eq!(received.status(), 201);
    let head = received.head();
    assert!(head.contains("content-type: text/plain"), "{head}");
    assert!(head.contains("x-made-by: lambdesk"), "{head}");
    assert!(head.contains("set-cookie: one=1"), "{head}");
    assert!(head.contains("set-cookie: two=2"), "{head}");
    assert_eq!(received.body(), (b"made it".to_vec(), true));

    let received = get(running.addr(), "/piped");
    assert_eq!(received.status(), 200);
    assert!(received.head().contains("content-type: text/csv"));
    assert_eq!(received.body(), (b"id,name\n1,one\n2,two\n".to_vec(), true));
    running.stop();
}

#[test]
fn an_error_or_the_timeout_after_the_first_chunk_cuts_the_stream_off_and_is_a_function_error() {
    let test = TestWorkspace::new();
    let failing =
        "export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('partial');
  await new Promise((resolve) => setTimeout(resolve, 100));
  throw new TypeError('broke mid-stream');
});";
    let plain = "export const handler = async () => ({ statusCode: 200, body: 'whole' });";
    let stalling =
        "export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('first');
  await new Promise(() => {});
});";
    let running = serve(
        &test,
        &[
            ("failing", failing),
            ("plain", plain),
            ("stalling", stalling),
        ],
    );

    let received = get(running.addr(), "/failing");
    assert_eq!(received.status(), 200);
    let (body, complete) = received.body();
    assert_eq!(body, b"partial");
    assert!(!complete, "the stream must not end as if complete");
    let runs = running.recorder.runs_of("failing");
    let record = runs[0].result.as_ref().unwrap();
    let error = record.error().unwrap();
    assert_eq!(error.error_type, "TypeError");
    assert_eq!(error.error_message, "broke mid-stream");
    assert!(
        record
            .log_lines
            .iter()
            .any(|line| line.contains("Invoke Error") && line.contains("broke mid-stream")),
        "{:#?}",
        record.log_lines
    );

    // The function's timeout still holds once the response streams.
    let received = get(running.addr(), "/stalling");
    assert_eq!(received.status(), 200);
    assert_eq!(received.body(), (b"first".to_vec(), false));
    let runs = running.recorder.runs_of("stalling");
    let record = runs[0].result.as_ref().unwrap();
    assert_eq!(record.error().unwrap().error_type, "Sandbox.Timedout");

    // A handler that does not stream answers as before: whole, with its length.
    let received = get(running.addr(), "/plain");
    assert_eq!(received.status(), 200);
    assert!(received.head().contains("content-length: 5"));
    assert!(received.all().ends_with(b"\r\n\r\nwhole"));
    running.stop();
}

#[tokio::test]
async fn invoke_returns_the_streamed_body_and_errors_as_lambda_reports_them() {
    let test = TestWorkspace::new();
    let runtime = test.runtime();
    let function = test.add_js(
        "stream",
        "index.handler",
        &[("index.mjs", A_PAUSE_B)],
        |_| {},
    );
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(json!("ab")));

    // Lambda's runtime refuses a streaming handler that is not async, with a string.
    let not_async = "exports.handler = awslambda.streamifyResponse((event, responseStream) => { responseStream.end('x'); });";
    let function = test.add_js("sync", "index.handler", &[("index.js", not_async)], |_| {});
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let error = record.error().unwrap();
    assert_eq!(error.error_type, "string");
    assert_eq!(
        error.error_message,
        "Streaming does not support non-async handlers."
    );

    // Past Lambda's 20 MB for a streamed response, the invocation fails.
    let too_large =
        "export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const megabyte = Buffer.alloc(1024 * 1024, 120);
  for (let i = 0; i < 21; i++) responseStream.write(megabyte);
  responseStream.end();
});";
    let function = test.add_js(
        "large",
        "index.handler",
        &[("index.mjs", too_large)],
        |config| {
            config.memory_mb = 512;
        },
    );
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        record.error().unwrap().error_type,
        "Function.ResponseSizeTooLarge"
    );
    // The environment is whole: the next invocation of the first function still streams.
    let function = test.workspace.function("stream").unwrap();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(record.outcome, Outcome::Success(json!("ab")));
}

#[test]
fn lambdesk_invoke_prints_the_streamed_body() {
    let test = TestWorkspace::new();
    test.add_js(
        "stream",
        "index.handler",
        &[("index.mjs", A_PAUSE_B)],
        |_| {},
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("--workspace")
        .arg(test.workspace.root())
        .args(["invoke", "stream"])
        .env("LAMBDESK_CACHE_DIR", test.cache_dir())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ab");
    assert!(stderr.contains("REPORT RequestId"), "{stderr}");
}
