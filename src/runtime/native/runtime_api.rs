//! Lambda's Runtime API (`/2018-06-01/runtime/…`) for one native execution environment,
//! on 127.0.0.1 at a port of its own: `AWS_LAMBDA_RUNTIME_API` is a bare `host:port`
//! that clients put the API's paths after, so the port is what tells environments apart.
//! Statuses, headers and error bodies are those of Lambda (as AWS's runtime interface
//! emulator gives them): 202 `{"status":"OK"}`, 400 `InvalidRequestID`, 403
//! `InvalidStateTransition`, 413 `RequestEntityTooLarge`.

use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;

use crate::runtime::MAX_PAYLOAD_BYTES;
use crate::runtime::response_stream::{ResponseSink, ResponseStreamState, StreamedBody};

const API_PREFIX: &str = "/2018-06-01/runtime/";
const ERROR_TYPE_HEADER: &str = "lambda-runtime-function-error-type";
/// A streamed response's error, in its trailers: the error JSON, base64-encoded.
const ERROR_BODY_TRAILER: &str = "lambda-runtime-function-error-body";
/// `streaming` when the runtime streams its response (chunked, with error trailers).
const RESPONSE_MODE_HEADER: &str = "lambda-runtime-function-response-mode";

/// One invocation, as `next` hands it to the runtime.
#[derive(Debug, Clone)]
pub struct PendingInvocation {
    pub request_id: String,
    pub event: Bytes,
    pub deadline_ms: i64,
    pub invoked_function_arn: String,
    pub trace_id: String,
    pub client_context: Option<String>,
    pub cognito_identity: Option<String>,
    /// Where a streamed response goes as it comes, when someone listens.
    pub sink: Option<ResponseSink>,
}

/// What the runtime told the API.
#[derive(Debug)]
pub enum RuntimeEvent {
    /// Its first `next`: Init is over.
    Ready,
    /// `…/{id}/response`: the body's first `MAX_PAYLOAD_BYTES + 1` bytes and its size;
    /// or, streamed (`Lambda-Runtime-Function-Response-Mode: streaming`), what was sent
    /// on as it came.
    Response {
        body: Vec<u8>,
        total_bytes: usize,
        streamed: Option<StreamedBody>,
    },
    /// `…/{id}/error`, with `Lambda-Runtime-Function-Error-Type` if given.
    Error {
        error_type: Option<String>,
        body: Vec<u8>,
    },
    /// `init/error`.
    InitError {
        error_type: Option<String>,
        body: Vec<u8>,
    },
}

/// Where the runtime is in Lambda's state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Started; Init runs until its first `next` or `init/error`.
    Initializing,
    /// In `next` (or between invocations).
    Ready,
    /// `next` gave it this request id; it answers with `response` or `error`.
    Invoking(String),
    /// It reported `init/error`.
    InitFailed,
}

impl Phase {
    /// The state's name in Lambda's `InvalidStateTransition` messages.
    fn name(&self) -> &'static str {
        match self {
            Self::Initializing => "Started",
            Self::Ready => "Ready",
            Self::Invoking(_) => "Invoking",
            Self::InitFailed => "InitError",
        }
    }
}

/// A runtime's connection, served by hyper when the environment's task polls it.
type Connection = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The API of one environment: where it listens, its connections, and its two
/// directions. Nothing runs on a task of its own: the task that waits for the runtime
/// (Init, an invocation) polls the listener and the connections itself, so an answer
/// goes out and a request comes in without waking another task or thread — each such
/// hand-over cost tens of microseconds of a warm invocation. Between invocations nothing
/// polls them: a runtime's `next` waits in its socket until there is an event to give.
pub struct RuntimeApi {
    pub address: SocketAddr,
    listener: tokio::net::TcpListener,
    connections: Vec<Connection>,
    state: Arc<ApiState>,
    /// Invocations for `next` to hand out, one at a time.
    invocations: mpsc::Sender<PendingInvocation>,
    /// What the runtime posted.
    events: mpsc::Receiver<RuntimeEvent>,
}

struct ApiState {
    phase: Mutex<Phase>,
    invocations: tokio::sync::Mutex<mpsc::Receiver<PendingInvocation>>,
    events: mpsc::Sender<RuntimeEvent>,
    /// The invocation in progress's response stream (its listener, what it streamed).
    stream: tokio::sync::Mutex<ResponseStreamState>,
}

impl RuntimeApi {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let (invocations, invocations_rx) = mpsc::channel(1);
        let (events_tx, events) = mpsc::channel(4);
        let state = Arc::new(ApiState {
            phase: Mutex::new(Phase::Initializing),
            invocations: tokio::sync::Mutex::new(invocations_rx),
            events: events_tx,
            stream: tokio::sync::Mutex::new(ResponseStreamState::default()),
        });
        Ok(Self {
            address,
            listener,
            connections: Vec::new(),
            state,
            invocations,
            events,
        })
    }

    /// Gives `invocation` to the runtime's `next` (waiting now, or the next one). False
    /// when one is already waiting to be taken.
    pub fn offer(&self, invocation: PendingInvocation) -> bool {
        self.invocations.try_send(invocation).is_ok()
    }

    /// The invocation is over: what it streamed, if it did. Lets its listener go (the
    /// listener's channel ends).
    pub fn finish_stream(&self) -> Option<StreamedBody> {
        // Held only while a streamed response is read, which is over once the invocation
        // ended with an answer; an invocation that ended otherwise takes its environment
        // down, and the stream with it.
        self.state
            .stream
            .try_lock()
            .ok()
            .and_then(|mut stream| stream.finish())
    }

    /// Serves the runtime's requests until it tells the API something. Cancel-safe: a
    /// request half served goes on at the next call.
    pub async fn next_event(&mut self) -> Option<RuntimeEvent> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<RuntimeEvent>> {
        while let Poll::Ready(accepted) = self.listener.poll_accept(cx) {
            match accepted {
                Ok((stream, _)) => self.connections.push(self.serve(stream)),
                // Out of descriptors, or the like: the runtime's connect waits.
                Err(_) => break,
            }
        }
        // A connection ends when the runtime closes it or dies.
        self.connections
            .retain_mut(|connection| connection.as_mut().poll(cx).is_pending());
        // Polled last: what a connection just posted is seen in this same poll.
        self.events.poll_recv(cx)
    }

    fn serve(&self, stream: tokio::net::TcpStream) -> Connection {
        // Small requests and answers: do not let Nagle hold them back.
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&self.state);
        let service = hyper::service::service_fn(move |request| {
            let state = Arc::clone(&state);
            async move { Ok::<_, Infallible>(state.handle(request).await) }
        });
        Box::pin(async move {
            // Lambda's headers are written `Lambda-Runtime-Aws-Request-Id` (Go's
            // canonical form); a runtime may compare them as written.
            let _ = hyper::server::conn::http1::Builder::new()
                .title_case_headers(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        })
    }
}

impl ApiState {
    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn handle(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let Some(route) = request.uri().path().strip_prefix(API_PREFIX) else {
            return not_found();
        };
        let route = route.to_owned();
        let method = request.method().clone();
        let parts: Vec<&str> = route.split('/').collect();
        match (method, parts.as_slice()) {
            (Method::GET, ["invocation", "next"]) => self.next().await,
            (Method::POST, ["invocation", request_id, "response"]) => {
                self.response(request_id, request).await
            }
            (Method::POST, ["invocation", request_id, "error"]) => {
                self.error(request_id, request).await
            }
            (Method::POST, ["init", "error"]) => self.init_error(request).await,
            (
                _,
                ["invocation", "next"]
                | ["invocation", _, "response" | "error"]
                | ["init", "error"],
            ) => json_response(
                StatusCode::METHOD_NOT_ALLOWED,
                r#"{"errorMessage":"Method not allowed","errorType":"MethodNotAllowed"}"#
                    .to_owned(),
            ),
            _ => not_found(),
        }
    }

    async fn next(&self) -> Response<Full<Bytes>> {
        let first = {
            let mut phase = self.phase();
            match &*phase {
                Phase::Invoking(_) | Phase::InitFailed => {
                    return invalid_transition(&phase, "Ready");
                }
                Phase::Initializing => {
                    *phase = Phase::Ready;
                    true
                }
                Phase::Ready => false,
            }
        };
        if first && self.events.send(RuntimeEvent::Ready).await.is_err() {
            return internal_error();
        }
        let pending = self.invocations.lock().await.recv().await;
        let Some(mut invocation) = pending else {
            // The environment is being dropped; its process goes with it.
            return internal_error();
        };
        self.stream.lock().await.start(invocation.sink.take());
        *self.phase() = Phase::Invoking(invocation.request_id.clone());
        invocation_response(invocation)
    }

    /// Refuses an answer unless `request_id` is the invocation in progress: Lambda's 403
    /// when none is, 400 for another id.
    fn refusal_of_answer(&self, request_id: &str, to: &str) -> Option<Response<Full<Bytes>>> {
        let phase = self.phase();
        match &*phase {
            Phase::Invoking(current) if current == request_id => None,
            Phase::Invoking(_) => Some(json_response(
                StatusCode::BAD_REQUEST,
                r#"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#
                    .to_owned(),
            )),
            _ => Some(invalid_transition(&phase, to)),
        }
    }

    async fn response(
        &self,
        request_id: &str,
        request: Request<Incoming>,
    ) -> Response<Full<Bytes>> {
        if let Some(refusal) = self.refusal_of_answer(request_id, "InvocationResponse") {
            return refusal;
        }
        let streaming = request
            .headers()
            .get(RESPONSE_MODE_HEADER)
            .is_some_and(|mode| mode.as_bytes().eq_ignore_ascii_case(b"streaming"));
        if streaming {
            return self.streamed_response(request).await;
        }
        let Ok((body, total_bytes)) = read_body(request.into_body()).await else {
            return truncated_request();
        };
        *self.phase() = Phase::Ready;
        let too_large = total_bytes > MAX_PAYLOAD_BYTES;
        let event = RuntimeEvent::Response {
            body,
            total_bytes,
            streamed: None,
        };
        if self.events.send(event).await.is_err() {
            return internal_error();
        }
        if too_large {
            return json_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    r#"{{"errorMessage":"Exceeded maximum allowed payload size ({MAX_PAYLOAD_BYTES} bytes).","errorType":"RequestEntityTooLarge"}}"#
                ),
            );
        }
        accepted()
    }

    /// A streamed response: its chunks go on to the invocation's listener as they come
    /// (Lambda's 20 MB limit; its first 6 MB kept for the record), and an error the
    /// runtime hit midway comes in its trailers (`Lambda-Runtime-Function-Error-Type`,
    /// `…-Error-Body` base64), as Lambda's custom runtime guide describes.
    async fn streamed_response(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let mut body = request.into_body();
        let mut stream = self.stream.lock().await;
        stream.open_and_announce(content_type).await;
        let mut trailers = None;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                return truncated_request();
            };
            match frame.into_data() {
                // Past the limit the rest is read and dropped; the record says why.
                Ok(chunk) => drop(stream.write(chunk).await),
                Err(frame) => trailers = frame.into_trailers().ok(),
            }
        }
        let streamed = stream.finish();
        drop(stream);
        *self.phase() = Phase::Ready;
        let trailer = |name: &str| {
            trailers
                .as_ref()
                .and_then(|trailers| trailers.get(name))
                .and_then(|value| value.to_str().ok())
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let event = match trailer(ERROR_TYPE_HEADER) {
            Some(error_type) => {
                use base64::Engine as _;
                let body = trailer(ERROR_BODY_TRAILER)
                    .and_then(|encoded| {
                        base64::engine::general_purpose::STANDARD
                            .decode(encoded)
                            .ok()
                    })
                    .unwrap_or_default();
                RuntimeEvent::Error {
                    error_type: Some(error_type),
                    body,
                }
            }
            None => RuntimeEvent::Response {
                body: Vec::new(),
                total_bytes: 0,
                streamed,
            },
        };
        if self.events.send(event).await.is_err() {
            return internal_error();
        }
        accepted()
    }

    async fn error(&self, request_id: &str, request: Request<Incoming>) -> Response<Full<Bytes>> {
        if let Some(refusal) = self.refusal_of_answer(request_id, "InvocationErrorResponse") {
            return refusal;
        }
        let error_type = error_type_of(&request);
        let Ok((body, _)) = read_body(request.into_body()).await else {
            return truncated_request();
        };
        *self.phase() = Phase::Ready;
        if self
            .events
            .send(RuntimeEvent::Error { error_type, body })
            .await
            .is_err()
        {
            return internal_error();
        }
        accepted()
    }

    async fn init_error(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        {
            let mut phase = self.phase();
            if *phase != Phase::Initializing {
                return invalid_transition(&phase, "InitError");
            }
            *phase = Phase::InitFailed;
        }
        let error_type = error_type_of(&request);
        let Ok((body, _)) = read_body(request.into_body()).await else {
            return truncated_request();
        };
        if self
            .events
            .send(RuntimeEvent::InitError { error_type, body })
            .await
            .is_err()
        {
            return internal_error();
        }
        accepted()
    }
}

fn error_type_of(request: &Request<Incoming>) -> Option<String> {
    request
        .headers()
        .get(ERROR_TYPE_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// The body's first `MAX_PAYLOAD_BYTES + 1` bytes (enough to tell it is too large) and
/// its whole size; the rest is read and dropped.
async fn read_body(mut body: Incoming) -> Result<(Vec<u8>, usize), hyper::Error> {
    let mut kept = Vec::new();
    let mut total_bytes = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            total_bytes += data.len();
            let room = (MAX_PAYLOAD_BYTES + 1).saturating_sub(kept.len());
            kept.extend_from_slice(&data[..data.len().min(room)]);
        }
    }
    Ok((kept, total_bytes))
}

/// `next`'s answer: the event, and the invocation's context in Lambda's headers (the
/// optional ones only when the invocation has them).
fn invocation_response(invocation: PendingInvocation) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(invocation.event));
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", &invocation.request_id);
    set(
        "lambda-runtime-deadline-ms",
        &invocation.deadline_ms.to_string(),
    );
    set(
        "lambda-runtime-invoked-function-arn",
        &invocation.invoked_function_arn,
    );
    set("lambda-runtime-trace-id", &invocation.trace_id);
    if let Some(client_context) = &invocation.client_context {
        set("lambda-runtime-client-context", client_context);
    }
    if let Some(cognito_identity) = &invocation.cognito_identity {
        set("lambda-runtime-cognito-identity", cognito_identity);
    }
    set("content-type", "application/json");
    response
}

fn json_response(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn accepted() -> Response<Full<Bytes>> {
    json_response(StatusCode::ACCEPTED, r#"{"status":"OK"}"#.to_owned())
}

fn invalid_transition(from: &Phase, to: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({
        "errorMessage": format!(
            "State transition from {} to {to} failed for runtime. Error: State transition is not allowed",
            from.name()
        ),
        "errorType": "InvalidStateTransition",
    });
    json_response(StatusCode::FORBIDDEN, body.to_string())
}

fn truncated_request() -> Response<Full<Bytes>> {
    json_response(
        StatusCode::BAD_REQUEST,
        r#"{"errorMessage":"HTTP request detected as truncated","errorType":"TruncatedHTTPRequest"}"#
            .to_owned(),
    )
}

fn internal_error() -> Response<Full<Bytes>> {
    json_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        r#"{"errorMessage":"Internal Server Error","errorType":"InternalServerError"}"#.to_owned(),
    )
}

fn not_found() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"404 page not found\n")));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
