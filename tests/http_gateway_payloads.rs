//! HTTP triggers in the other payload formats, over real sockets: `payload = "1.0"` sends
//! API Gateway's REST API event and maps its response; `payload = "alb"` sends an
//! Application Load Balancer's target event, with or without multi-value headers, and
//! maps its response (`statusDescription` included).
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
use lambdesk::model::Trigger;
use lambdesk::triggers::http::{
    DEFAULT_CLIENT_READ_TIMEOUT, DEFAULT_INTEGRATION_TIMEOUT, GatewayOptions, HttpGateway,
    workspace_routes,
};
use lambdesk::triggers::{InvocationSink, TriggerContext};
use serde_json::{Value, json};

/// An HTTP response as it arrived: the status line, the headers in order, the body.
struct Reply {
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn status(&self) -> u16 {
        self.status_line.split(' ').nth(1).unwrap().parse().unwrap()
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request on its own connection; `headers` are written as given.
fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Content-Length: 0\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status_line = lines.next().unwrap().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    Reply {
        status_line,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A JS function on `route` in `payload` format answering with `handler_body`.
fn add_function(
    test: &TestWorkspace,
    name: &str,
    route: &str,
    payload: &str,
    multi_value_headers: bool,
    handler_body: &str,
) {
    let source = format!("export const handler = async (event) => {{ {handler_body} }};\n");
    test.add_js(name, "index.handler", &[("index.mjs", &source)], |config| {
        config.triggers = vec![Trigger::Http {
            route: route.to_owned(),
            payload: Some(payload.to_owned()),
            multi_value_headers,
            enabled: true,
        }];
    });
}

struct Running {
    gateway: HttpGateway,
    tokio: tokio::runtime::Runtime,
}

fn start(test: &TestWorkspace) -> Running {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let context = Arc::new(TriggerContext::new(
        test.workspace.clone(),
        Arc::new(test.runtime()),
        Arc::new(Recorder::default()) as Arc<dyn InvocationSink>,
    ));
    let (routes, functions, problems) = workspace_routes(&test.workspace);
    assert!(problems.is_empty(), "{problems:?}");
    let options = GatewayOptions {
        port: 0,
        integration_timeout: DEFAULT_INTEGRATION_TIMEOUT,
        client_read_timeout: DEFAULT_CLIENT_READ_TIMEOUT,
    };
    let gateway = tokio
        .block_on(HttpGateway::start(context, routes, functions, &options))
        .unwrap();
    Running { gateway, tokio }
}

impl Running {
    fn addr(&self) -> SocketAddr {
        self.gateway.local_addr()
    }

    fn stop(self) {
        self.tokio.block_on(self.gateway.stop());
    }
}

const ECHO_EVENT: &str = "return { statusCode: 200, body: JSON.stringify(event) };";

#[test]
fn payload_1_0_sends_the_rest_api_event() {
    let test = TestWorkspace::new();
    add_function(&test, "items", "GET /items/{id}", "1.0", false, ECHO_EVENT);
    add_function(&test, "rest", "$default", "1.0", false, ECHO_EVENT);
    let running = start(&test);
    let reply = request(
        running.addr(),
        "GET",
        "/items/42?tag=a&tag=b%20c",
        &[
            ("User-Agent", "curl/8.0"),
            ("X-Custom", "one"),
            ("X-Custom", "two"),
        ],
    );
    assert_eq!(reply.status(), 200);
    let event = reply.json();
    assert_eq!(event["resource"], "/items/{id}");
    assert_eq!(event["path"], "/items/42");
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["pathParameters"], json!({"id": "42"}));
    // The last value in the single-value maps, every value in the multi-value ones;
    // query values decoded.
    assert_eq!(event["headers"]["X-Custom"], "two");
    assert_eq!(
        event["multiValueHeaders"]["X-Custom"],
        json!(["one", "two"])
    );
    assert_eq!(event["headers"]["User-Agent"], "curl/8.0");
    assert_eq!(event["queryStringParameters"], json!({"tag": "b c"}));
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"tag": ["a", "b c"]})
    );
    assert_eq!(event["stageVariables"], Value::Null);
    assert_eq!(event["body"], Value::Null);
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["requestContext"]["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(event["requestContext"]["identity"]["userAgent"], "curl/8.0");
    assert_eq!(event["requestContext"]["resourcePath"], "/items/{id}");
    assert_eq!(event["requestContext"]["httpMethod"], "GET");
    // Every field of SAM's sample is there with the same JSON type (the request's own
    // headers, query and path variables aside; a GET has no body and the stage no
    // variables: null).
    common::assert_same_shape(
        &common::aws_sample("sam-apigateway-aws-proxy.json"),
        &event,
        "",
        &[
            ".headers.*",
            ".multiValueHeaders.*",
            ".queryStringParameters.*",
            ".multiValueQueryStringParameters.*",
            ".pathParameters.*",
            ".body",
            ".stageVariables",
        ],
    );

    // `$default` is the catch-all resource, whose variable is `proxy`; no query: null.
    let event = request(running.addr(), "POST", "/a/b", &[]).json();
    assert_eq!(event["resource"], "/{proxy+}");
    assert_eq!(event["pathParameters"], json!({"proxy": "a/b"}));
    assert_eq!(event["queryStringParameters"], Value::Null);
    assert_eq!(event["multiValueQueryStringParameters"], Value::Null);
    running.stop();
}

#[test]
fn payload_1_0_responses_are_mapped_as_rest_apis_map_them() {
    let test = TestWorkspace::new();
    add_function(
        &test,
        "created",
        "POST /things",
        "1.0",
        false,
        r#"return { statusCode: 201, headers: { "X-One": "1", "X-Both": "single" },
            multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"], "X-Both": ["m1", "m2"] },
            body: "made", isBase64Encoded: false };"#,
    );
    add_function(
        &test,
        "inferred",
        "GET /inferred",
        "1.0",
        false,
        r#"return "no status code";"#,
    );
    let running = start(&test);
    let reply = request(running.addr(), "POST", "/things", &[]);
    assert_eq!(reply.status(), 201);
    assert_eq!(reply.body, b"made");
    assert_eq!(reply.all("x-one"), ["1"]);
    assert_eq!(reply.all("set-cookie"), ["a=1", "b=2"]);
    // A name in both maps takes the values of multiValueHeaders.
    assert_eq!(reply.all("x-both"), ["m1", "m2"]);
    assert_eq!(reply.all("content-type"), ["application/json"]);

    // REST APIs infer nothing: an answer without statusCode is a malformed proxy
    // response.
    let reply = request(running.addr(), "GET", "/inferred", &[]);
    assert_eq!(reply.status(), 502);
    assert_eq!(reply.json(), json!({"message": "Internal server error"}));
    running.stop();
}

#[test]
fn payload_alb_sends_the_target_group_event_and_maps_its_response() {
    let test = TestWorkspace::new();
    add_function(&test, "echo", "GET /echo", "alb", false, ECHO_EVENT);
    add_function(
        &test,
        "teapot",
        "GET /teapot",
        "alb",
        false,
        r#"return { statusCode: 418, statusDescription: "418 I'm a teapot",
            headers: { "X-Brew": "earl grey" }, multiValueHeaders: { "x-ignored": ["1"] },
            body: "dGVh", isBase64Encoded: true };"#,
    );
    add_function(
        &test,
        "bare",
        "GET /bare",
        "alb",
        false,
        r#"return { body: "no status" };"#,
    );
    let running = start(&test);
    let reply = request(
        running.addr(),
        "GET",
        "/echo?tag=a&tag=b%20c",
        &[("X-Custom", "one"), ("X-Custom", "two")],
    );
    assert_eq!(reply.status(), 200);
    let event = reply.json();
    assert!(
        event["requestContext"]["elb"]["targetGroupArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/echo/")
    );
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["path"], "/echo");
    // The last value, the query undecoded, header names in lower case.
    assert_eq!(event["queryStringParameters"], json!({"tag": "b%20c"}));
    assert_eq!(event["headers"]["x-custom"], "two");
    assert!(event.get("multiValueHeaders").is_none());
    assert_eq!(event["body"], "");
    assert_eq!(event["isBase64Encoded"], false);
    common::assert_same_shape(
        &common::aws_sample("sam-alb-request.json"),
        &event,
        "",
        &[".headers.*", ".queryStringParameters.query"],
    );

    let reply = request(running.addr(), "GET", "/teapot", &[]);
    assert_eq!(reply.status_line, "HTTP/1.1 418 I'm a teapot");
    assert_eq!(reply.body, b"tea");
    assert_eq!(reply.all("x-brew"), ["earl grey"]);
    // Without multi-value headers the target group reads `headers` only.
    assert!(reply.all("x-ignored").is_empty());

    let reply = request(running.addr(), "GET", "/bare", &[]);
    assert_eq!(reply.status(), 502);
    assert!(String::from_utf8_lossy(&reply.body).contains("502 Bad Gateway"));
    running.stop();
}

#[test]
fn payload_alb_with_multi_value_headers_sends_and_reads_every_value() {
    let test = TestWorkspace::new();
    add_function(
        &test,
        "multi",
        "GET /multi",
        "alb",
        true,
        r#"return { statusCode: 200, statusDescription: "200 OK",
            headers: { "x-single": "ignored" },
            multiValueHeaders: { "set-cookie": ["a=1", "b=2"], "content-type": ["application/json"] },
            body: JSON.stringify(event) };"#,
    );
    let running = start(&test);
    let reply = request(
        running.addr(),
        "GET",
        "/multi?tag=a&tag=b",
        &[("X-Custom", "one"), ("X-Custom", "two")],
    );
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.all("set-cookie"), ["a=1", "b=2"]);
    assert!(reply.all("x-single").is_empty());
    let event = reply.json();
    assert_eq!(
        event["multiValueHeaders"]["x-custom"],
        json!(["one", "two"])
    );
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"tag": ["a", "b"]})
    );
    assert!(event.get("headers").is_none());
    assert!(event.get("queryStringParameters").is_none());
    running.stop();
}
