//! A minimal stand-in for Lambda's Runtime API, for testing a runtime client by itself:
//! `GET /2018-06-01/runtime/invocation/next` answers the next event the test queued (with
//! Lambda's `Lambda-Runtime-*` headers), and what the client posts to
//! `/invocation/{id}/response`, `/invocation/{id}/error` and `/runtime/init/error` comes back
//! to the test as a [`Posted`]. HTTP/1.1 with kept-alive connections, as Lambda's is.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An event for the client's next `next`.
#[derive(Debug, Clone)]
pub struct QueuedEvent {
    pub request_id: String,
    pub body: String,
    /// `Lambda-Runtime-*` headers beyond the request id (deadline, ARN, trace, …).
    pub headers: Vec<(String, String)>,
}

/// What the client posted.
#[derive(Debug, Clone, PartialEq)]
pub enum Posted {
    Response {
        request_id: String,
        body: String,
    },
    Error {
        request_id: String,
        /// `Lambda-Runtime-Function-Error-Type`.
        error_type: Option<String>,
        body: serde_json::Value,
    },
    InitError {
        error_type: Option<String>,
        body: serde_json::Value,
    },
}

pub struct RuntimeApiStandIn {
    pub address: String,
    events: SyncSender<QueuedEvent>,
    posted: Receiver<Posted>,
}

impl RuntimeApiStandIn {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the stand-in");
        let address = listener.local_addr().expect("address").to_string();
        let (events, queued) = sync_channel::<QueuedEvent>(16);
        let (post, posted) = sync_channel::<Posted>(16);
        let queued = Arc::new(Mutex::new(queued));
        std::thread::Builder::new()
            .name("runtime-api-standin".to_owned())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { return };
                    let (queued, post) = (Arc::clone(&queued), post.clone());
                    std::thread::Builder::new()
                        .name("runtime-api-standin-connection".to_owned())
                        .spawn(move || serve(stream, &queued, &post))
                        .expect("connection thread");
                }
            })
            .expect("stand-in thread");
        Self {
            address,
            events,
            posted,
        }
    }

    pub fn queue(&self, event: QueuedEvent) {
        self.events.send(event).expect("queue an event");
    }

    /// What the client posts next; a client that posts nothing within `wait` fails the test.
    pub fn next_posted(&self, wait: Duration) -> Posted {
        match self.posted.recv_timeout(wait) {
            Ok(posted) => posted,
            Err(RecvTimeoutError::Timeout) => {
                panic!("the runtime client posted nothing within {wait:?}")
            }
            Err(RecvTimeoutError::Disconnected) => panic!("the stand-in stopped"),
        }
    }
}

fn serve(stream: TcpStream, queued: &Mutex<Receiver<QueuedEvent>>, post: &SyncSender<Posted>) {
    let mut writer = stream.try_clone().expect("clone the stream");
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|length| length.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let error_type = headers.get("lambda-runtime-function-error-type").cloned();
        let json =
            || serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body.clone()));
        let answer = if method == "GET" && path == "/2018-06-01/runtime/invocation/next" {
            let next = queued.lock().expect("queue").recv();
            let Ok(event) = next else { return };
            let mut head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {}\r\n",
                event.request_id
            );
            for (name, value) in &event.headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            format!(
                "{head}Content-Length: {}\r\n\r\n{}",
                event.body.len(),
                event.body
            )
        } else if let Some(rest) = path.strip_prefix("/2018-06-01/runtime/invocation/") {
            let posted = match rest.rsplit_once('/') {
                Some((id, "response")) => Posted::Response {
                    request_id: id.to_owned(),
                    body: body.clone(),
                },
                Some((id, "error")) => Posted::Error {
                    request_id: id.to_owned(),
                    error_type,
                    body: json(),
                },
                _ => panic!("unexpected path {path}"),
            };
            let _ = post.send(posted);
            accepted()
        } else if path == "/2018-06-01/runtime/init/error" {
            let _ = post.send(Posted::InitError {
                error_type,
                body: json(),
            });
            accepted()
        } else {
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_owned()
        };
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

fn accepted() -> String {
    let body = r#"{"status":"OK"}"#;
    format!(
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}
