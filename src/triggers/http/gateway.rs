//! The local HTTP gateway: an HTTP/1.1 server on 127.0.0.1 serving every `http` trigger
//! of a workspace, as API Gateway's HTTP API does (routes, payload 2.0, its errors).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};

use super::listener::LocalServer;
use super::request_event::{GatewayIdentity, IncomingRequest, request_event};
use super::request_limits::{
    DEFAULT_CLIENT_READ_TIMEOUT, check_declared_length, check_host, read_body,
};
use super::response_mapping::{GatewayResponse, map_response};
use super::rest_and_alb_events::{alb_request_event, rest_request_event};
use super::route::{HttpRoute, RouteTable};
use super::streamed_response::{GatewayBody, InvocationEnd, streamed_response};
use crate::model::{Function, HttpPayload, Outcome, Trigger, Workspace};
use crate::runtime::{InvokeError, StreamedPart, response_channel};
use crate::triggers::context::{TriggerContext, load_functions};

/// API Gateway's default (and maximum) integration timeout for HTTP APIs.
pub const DEFAULT_INTEGRATION_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct GatewayOptions {
    /// 0 picks a free port (tests).
    pub port: u16,
    /// A request whose function has not answered by then gets a 503.
    pub integration_timeout: Duration,
    /// A client that has not sent a request's headers, or then its body, by then is
    /// dropped (the body with a 408).
    pub client_read_timeout: Duration,
}

impl GatewayOptions {
    pub fn for_workspace(workspace: &Workspace) -> Self {
        Self {
            port: workspace.config().gateway_port,
            integration_timeout: DEFAULT_INTEGRATION_TIMEOUT,
            client_read_timeout: DEFAULT_CLIENT_READ_TIMEOUT,
        }
    }
}

/// The routes of every function's `http` triggers, with the functions they invoke.
/// Functions whose configuration does not load are left out, each with a message.
pub fn workspace_routes(
    workspace: &Workspace,
) -> (RouteTable, HashMap<String, Arc<Function>>, Vec<String>) {
    let (functions, mut problems) = load_functions(workspace);
    let (routes, served, route_problems) = routes_of(&functions);
    problems.extend(route_problems);
    (routes, served, problems)
}

/// The routes of the functions' enabled `http` triggers, with the functions they invoke; a
/// route taken twice or malformed is a message.
pub fn routes_of(
    functions: &[Function],
) -> (RouteTable, HashMap<String, Arc<Function>>, Vec<String>) {
    let mut routes: Vec<HttpRoute> = Vec::new();
    let mut served = HashMap::new();
    let mut problems = Vec::new();
    for function in functions {
        let name = &function.name;
        let mut serves = false;
        for trigger in &function.config.triggers {
            let Trigger::Http {
                route,
                enabled: true,
                ..
            } = trigger
            else {
                continue;
            };
            if let Some(taken) = routes.iter().find(|known| known.route_key == *route) {
                problems.push(format!(
                    "{name}: the route `{route}` is already served by {}",
                    taken.function
                ));
                continue;
            }
            match HttpRoute::parse(route, name) {
                Ok(parsed) => {
                    routes.push(parsed.with_payload(trigger.http_payload()));
                    serves = true;
                }
                Err(message) => problems.push(format!("{name}: {message}")),
            }
        }
        if serves {
            served.insert(name.clone(), Arc::new(function.clone()));
        }
    }
    (RouteTable::new(routes), served, problems)
}

/// The routes served and the functions they invoke; replaced as a whole on a change.
struct RouteSet {
    routes: RouteTable,
    functions: HashMap<String, Arc<Function>>,
}

struct GatewayState {
    context: Arc<TriggerContext>,
    route_set: RwLock<Arc<RouteSet>>,
    identity: GatewayIdentity,
    integration_timeout: Duration,
    client_read_timeout: Duration,
    /// Set once the listener is bound (before any request arrives).
    local_port: std::sync::atomic::AtomicU16,
}

/// A running gateway; `stop` ends it cleanly.
pub struct HttpGateway {
    state: Arc<GatewayState>,
    server: LocalServer,
}

impl HttpGateway {
    /// Binds 127.0.0.1 and serves `routes` until stopped. Call within a tokio runtime.
    pub async fn start(
        context: Arc<TriggerContext>,
        routes: RouteTable,
        functions: HashMap<String, Arc<Function>>,
        options: &GatewayOptions,
    ) -> std::io::Result<Self> {
        // Requests carry the port in their events; port 0 is known once bound.
        let listener_port = std::sync::atomic::AtomicU16::new(options.port);
        let identity = GatewayIdentity::new(&context.workspace.config().region);
        let sink = Arc::clone(&context.sink);
        let state = Arc::new(GatewayState {
            context,
            route_set: RwLock::new(Arc::new(RouteSet { routes, functions })),
            identity,
            integration_timeout: options.integration_timeout,
            client_read_timeout: options.client_read_timeout,
            local_port: listener_port,
        });
        let server = LocalServer::start(
            options.port,
            "the HTTP gateway",
            sink,
            options.client_read_timeout,
            Arc::clone(&state),
            |state, source_ip, request| async move { handle(state, &source_ip, request).await },
        )
        .await?;
        state.local_port.store(
            server.local_addr().port(),
            std::sync::atomic::Ordering::Relaxed,
        );
        Ok(Self { state, server })
    }

    /// Serves other routes from the next request on (a function's triggers changed);
    /// requests in flight finish with the function they started with.
    pub fn set_routes(&self, routes: RouteTable, functions: HashMap<String, Arc<Function>>) {
        let mut route_set = self
            .state
            .route_set
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *route_set = Arc::new(RouteSet { routes, functions });
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// Stops accepting connections and waits (up to 30 s) for requests in flight.
    pub async fn stop(self) {
        self.server.stop().await;
    }
}

fn to_hyper(response: GatewayResponse) -> Response<GatewayBody> {
    let mut builder = Response::builder().status(response.status);
    if let Some(reason) = response
        .reason
        .and_then(|reason| hyper::ext::ReasonPhrase::try_from(reason).ok())
    {
        builder = builder.extension(reason);
    }
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Either::Left(Full::new(Bytes::from(response.body))))
        .unwrap_or_else(|_| {
            // A header the function set is not valid HTTP.
            let fallback = GatewayResponse::function_error();
            let mut response = Response::new(Either::Left(Full::new(Bytes::from(fallback.body))));
            *response.status_mut() = hyper::StatusCode::BAD_GATEWAY;
            response
        })
}

/// A response made whole, or one whose body streams from a running function.
enum Answer {
    Whole(GatewayResponse),
    Streamed(Response<GatewayBody>),
}

impl From<GatewayResponse> for Answer {
    fn from(response: GatewayResponse) -> Self {
        Self::Whole(response)
    }
}

async fn handle(
    state: Arc<GatewayState>,
    source_ip: &str,
    request: Request<Incoming>,
) -> Response<GatewayBody> {
    match answer(&state, source_ip, request).await {
        Answer::Whole(response) => to_hyper(response),
        Answer::Streamed(response) => response,
    }
}

async fn answer(state: &Arc<GatewayState>, source_ip: &str, request: Request<Incoming>) -> Answer {
    if let Err(refused) = check_host(&request).and_then(|()| check_declared_length(request.body()))
    {
        return refused.into();
    }
    let method = request.method().as_str().to_owned();
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |target| target.as_str().to_owned(),
    );
    let route_set = Arc::clone(
        &state
            .route_set
            .read()
            .unwrap_or_else(PoisonError::into_inner),
    );
    let Some(found) = route_set.routes.find(&method, request.uri().path()) else {
        return GatewayResponse::not_found().into();
    };
    let Some(function) = route_set.functions.get(&found.route.function).cloned() else {
        return GatewayResponse::not_found().into();
    };
    let protocol = match request.version() {
        hyper::Version::HTTP_10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let route_key = found.route.route_key.clone();
    let payload = found.route.payload;
    let rest_resource = found.route.rest_resource();
    let path_parameters = found.path_parameters;
    let body = match read_body(request.into_body(), state.client_read_timeout).await {
        Ok(body) => body,
        Err(refused) => return refused.into(),
    };
    let incoming = IncomingRequest {
        method: &method,
        target: &target,
        headers,
        body: &body,
        source_ip,
        local_port: state.local_port.load(std::sync::atomic::Ordering::Relaxed),
        protocol,
    };
    let event: Arc<str> = Arc::from(match payload {
        HttpPayload::HttpApiV2 => {
            request_event(&incoming, &route_key, path_parameters, &state.identity).event_json()
        }
        HttpPayload::RestApiV1 => {
            rest_request_event(&incoming, &rest_resource, path_parameters, &state.identity)
                .event()
                .to_string()
        }
        HttpPayload::Alb {
            multi_value_headers,
        } => alb_request_event(
            &incoming,
            &function.name,
            multi_value_headers,
            &state.identity,
        )
        .event()
        .to_string(),
    });
    let context = Arc::clone(&state.context);
    let origin = format!("HTTP {route_key}");
    let started = tokio::time::Instant::now();
    let deadline = started + state.integration_timeout;
    // A streaming handler's parts arrive here while it runs; any other handler sends none.
    let (sink, mut parts) = response_channel();
    let mut invocation = Box::pin(async move {
        context
            .invoke_streaming(&function, event, origin, sink)
            .await
    });
    // Most invocations finish in their first poll (a guest that neither sleeps nor
    // computes past an epoch tick, when the sandbox yields): those run right here. One
    // that has to wait moves to a task of its own, so that past the gateway's timeout, or
    // after the client hung up, it still finishes and is logged, as on AWS. (A spawn, a
    // join and a timer for every request were ~4 % of `serve`'s CPU under HTTP load.)
    let first_poll = std::future::poll_fn(|context| Poll::Ready(invocation.as_mut().poll(context)));
    let result = match first_poll.await {
        // The first poll outlasted the gateway's timeout without pausing (a module
        // compiled on a cold start): the gateway would have given up on it.
        Poll::Ready(_) if started.elapsed() > state.integration_timeout => Err(()),
        Poll::Ready(result) => {
            // A streaming handler that finished at once: its parts wait in the channel.
            if let Ok(StreamedPart::Started { content_type }) = parts.try_recv() {
                let succeeded = result.as_ref().is_ok_and(|record| record.is_success());
                let end: InvocationEnd = Box::pin(std::future::ready(succeeded));
                return stream_to_client(content_type, parts, end, deadline, payload).await;
            }
            Ok(Ok(result))
        }
        Poll::Pending => {
            let task = tokio::spawn(invocation);
            // The first part says the handler streams; the channel's end, that it
            // finished without streaming.
            match tokio::time::timeout_at(deadline, parts.recv()).await {
                Err(_elapsed) => Err(()),
                Ok(Some(StreamedPart::Started { content_type })) => {
                    let end: InvocationEnd = Box::pin(async move {
                        matches!(task.await, Ok(Ok(record)) if record.is_success())
                    });
                    return stream_to_client(content_type, parts, end, deadline, payload).await;
                }
                Ok(_) => tokio::time::timeout_at(deadline, task)
                    .await
                    .map_err(|_| ()),
            }
        }
    };
    match result {
        Err(()) => GatewayResponse::timed_out(),
        Ok(Err(_)) => GatewayResponse::invoke_failed(),
        Ok(Ok(Err(InvokeError::TooManyRequests { .. }))) => GatewayResponse::throttled(),
        Ok(Ok(Err(InvokeError::RequestTooLarge { .. }))) => GatewayResponse::too_large(),
        Ok(Ok(Err(_))) => GatewayResponse::invoke_failed(),
        Ok(Ok(Ok(record))) => match &record.outcome {
            Outcome::Success(response) => map_response(payload, response)
                .unwrap_or_else(|_| GatewayResponse::function_error_of(payload)),
            Outcome::Failure(_) => GatewayResponse::function_error_of(payload),
        },
    }
    .into()
}

/// A streaming handler's response, sent as it is written (see `streamed_response`). The
/// gateway's timeout holds until the status and headers are known, not after.
async fn stream_to_client(
    content_type: String,
    parts: tokio::sync::mpsc::Receiver<StreamedPart>,
    end: InvocationEnd,
    deadline: tokio::time::Instant,
    payload: HttpPayload,
) -> Answer {
    match tokio::time::timeout_at(deadline, streamed_response(content_type, parts, end)).await {
        Err(_elapsed) => GatewayResponse::timed_out().into(),
        Ok(Some(response)) => Answer::Streamed(response),
        Ok(None) => GatewayResponse::function_error_of(payload).into(),
    }
}
