//! The Invoke API's listener on 127.0.0.1 (`lambda_api_port`) and its routes: Lambda's
//! `2015-03-31` paths, signed or not (a signature by any credentials is accepted: it is
//! local, and the SDKs always sign).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response};

use super::api_response::ApiResponse;
use super::function_cache::FunctionCache;
use super::function_shape::{configuration, get_function};
use super::invocations::{InvokeRequest, invoke};
use super::list_functions::list_functions;
use super::response_stream_invocation::{EventStreamBody, invoke_with_response_stream};
use super::update_configuration::update_configuration;
use crate::model::function_arn;
use crate::model::{Function, Workspace, WorkspaceError};
use crate::triggers::async_delivery::AsyncDelivery;
use crate::triggers::context::TriggerContext;
use crate::triggers::http::LocalServer;
use crate::triggers::http::request_limits::{
    DEFAULT_CLIENT_READ_TIMEOUT, check_declared_length, check_host, read_body,
};

/// Where Lambda's API keeps its functions (the API version is part of the path).
const FUNCTIONS_PATH: &str = "/2015-03-31/functions";

/// Where `InvokeWithResponseStream` is (a later version of the API).
const STREAMING_FUNCTIONS_PATH: &str = "/2021-11-15/functions";

#[derive(Debug, Clone)]
pub struct InvokeApiOptions {
    /// 0 picks a free port (tests).
    pub port: u16,
    /// A client that has not sent a request's headers, or then its body, by then is
    /// dropped.
    pub client_read_timeout: Duration,
}

impl InvokeApiOptions {
    pub fn for_workspace(workspace: &Workspace) -> Self {
        Self {
            port: workspace.config().lambda_api_port,
            client_read_timeout: DEFAULT_CLIENT_READ_TIMEOUT,
        }
    }
}

pub(super) struct ApiState {
    pub context: Arc<TriggerContext>,
    /// The durable backlog `Event` invocations go to; `None` when it could not open.
    pub delivery: Option<Arc<AsyncDelivery>>,
    pub region: String,
    client_read_timeout: Duration,
    functions: FunctionCache,
}

impl ApiState {
    /// The function as its `function.toml` says now (checked per request, so that an
    /// edit takes effect at once, as an update does on Lambda), or the answer saying why
    /// not.
    pub fn function(&self, name: &str) -> Result<Arc<Function>, ApiResponse> {
        match self.functions.function(&self.context.workspace, name) {
            Ok(function) => Ok(function),
            Err(WorkspaceError::UnknownFunction { .. } | WorkspaceError::InvalidName(_)) => Err(
                ApiResponse::function_not_found(&function_arn(&self.region, name)),
            ),
            Err(error) => Err(ApiResponse::error(
                409,
                "ResourceConflictException",
                &format!("The function's configuration does not load: {error}"),
            )),
        }
    }
}

/// The Invoke API, running; `stop` ends it cleanly.
pub struct InvokeApi {
    server: LocalServer,
}

impl InvokeApi {
    /// Binds 127.0.0.1 and serves until stopped. Call within a tokio runtime.
    pub async fn start(
        context: Arc<TriggerContext>,
        delivery: Option<Arc<AsyncDelivery>>,
        options: &InvokeApiOptions,
    ) -> std::io::Result<Self> {
        let sink = Arc::clone(&context.sink);
        let state = Arc::new(ApiState {
            region: context.workspace.config().region.clone(),
            context,
            delivery,
            client_read_timeout: options.client_read_timeout,
            functions: FunctionCache::default(),
        });
        let server = LocalServer::start(
            options.port,
            "the Lambda Invoke API",
            sink,
            options.client_read_timeout,
            state,
            |state, _source_ip, request| async move {
                match answer(&state, request).await {
                    Answer::Whole(answer) => to_hyper(answer).map(Either::Left),
                    Answer::Streamed(response) => response.map(Either::Right),
                }
            },
        )
        .await?;
        Ok(Self { server })
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.server.local_addr()
    }

    /// Stops accepting connections and waits (up to 30 s) for requests in flight.
    pub async fn stop(self) {
        self.server.stop().await;
    }
}

fn to_hyper(answer: ApiResponse) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() =
        hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::OK);
    for (name, value) in answer.headers {
        // `from_bytes` takes Lambda's mixed-case names (`X-Amz-Function-Error`) as they
        // are written here; a value that is not a header's is left out.
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// An answer whole, or an event stream (`InvokeWithResponseStream`'s) that goes on
/// while the function runs.
pub(super) enum Answer {
    Whole(ApiResponse),
    Streamed(Response<EventStreamBody>),
}

impl From<ApiResponse> for Answer {
    fn from(answer: ApiResponse) -> Self {
        Self::Whole(answer)
    }
}

/// One of the API's operations, by method and path.
enum Operation {
    ListFunctions,
    GetFunction,
    GetConfiguration,
    UpdateConfiguration,
    Invoke,
    InvokeWithResponseStream,
}

async fn answer(state: &ApiState, request: Request<Incoming>) -> Answer {
    if let Err(refused) = check_host(&request).and_then(|()| check_declared_length(request.body()))
    {
        return ApiResponse::from_refusal(refused).into();
    }
    let path = request.uri().path();
    let (streaming_api, rest) = match (
        path.strip_prefix(FUNCTIONS_PATH),
        path.strip_prefix(STREAMING_FUNCTIONS_PATH),
    ) {
        (Some(rest), _) => (false, rest),
        (None, Some(rest)) => (true, rest),
        (None, None) => return unknown_operation(request.method(), path).into(),
    };
    let segments: Vec<&str> = rest.split('/').filter(|part| !part.is_empty()).collect();
    let (operation, name) = match (request.method(), streaming_api, segments.as_slice()) {
        (&Method::GET, false, []) => (Operation::ListFunctions, ""),
        (&Method::GET, false, [name]) => (Operation::GetFunction, *name),
        (&Method::GET, false, [name, "configuration"]) => (Operation::GetConfiguration, *name),
        (&Method::PUT, false, [name, "configuration"]) => (Operation::UpdateConfiguration, *name),
        (&Method::POST, false, [name, "invocations"]) => (Operation::Invoke, *name),
        (&Method::POST, true, [name, "response-streaming-invocations"]) => {
            (Operation::InvokeWithResponseStream, *name)
        }
        _ => return unknown_operation(request.method(), path).into(),
    };
    let (name, name_qualifier) = function_name(&percent_decode(name));
    let query = request.uri().query().map(str::to_owned);
    let qualifier = query_value(query.as_deref(), "Qualifier").or(name_qualifier);
    if let Some(qualifier) = qualifier.filter(|qualifier| qualifier != "$LATEST") {
        // Only `$LATEST` exists: lambdesk has no versions or aliases.
        return ApiResponse::function_not_found(&format!(
            "{}:{qualifier}",
            function_arn(&state.region, &name)
        ))
        .into();
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let invocation_type = header("x-amz-invocation-type");
    let tail_log = header("x-amz-log-type").is_some_and(|kind| kind == "Tail");
    let client_context = header("x-amz-client-context");
    let body = match read_body(request.into_body(), state.client_read_timeout).await {
        Ok(body) => body,
        Err(refused) => return ApiResponse::from_refusal(refused).into(),
    };
    let invoke_request = InvokeRequest {
        function: &name,
        invocation_type: invocation_type.as_deref(),
        tail_log,
        client_context: client_context.as_deref(),
        body: body.clone(),
    };
    let whole = match operation {
        Operation::ListFunctions => list_functions(state, query.as_deref()),
        Operation::GetFunction => match state.function(&name) {
            Ok(function) => ApiResponse::json(200, &get_function(&state.region, &function)),
            Err(refused) => refused,
        },
        Operation::GetConfiguration => match state.function(&name) {
            Ok(function) => ApiResponse::json(200, &configuration(&state.region, &function)),
            Err(refused) => refused,
        },
        Operation::UpdateConfiguration => update_configuration(state, &name, &body),
        Operation::Invoke => invoke(state, invoke_request).await,
        Operation::InvokeWithResponseStream => {
            return invoke_with_response_stream(state, invoke_request).await;
        }
    };
    whole.into()
}

fn unknown_operation(method: &Method, path: &str) -> ApiResponse {
    ApiResponse::error(
        404,
        "UnknownOperationException",
        &format!("lambdesk's Lambda API has no operation {method} {path}"),
    )
}

/// The function a path names, as Lambda takes it: a name, `name:qualifier`, a partial
/// ARN (`000000000000:function:name`) or a whole one, each with an optional qualifier.
fn function_name(given: &str) -> (String, Option<String>) {
    let unqualified = given
        .split_once(":function:")
        .map_or(given, |(_, function)| function);
    match unqualified.split_once(':') {
        Some((name, qualifier)) => (name.to_owned(), Some(qualifier.to_owned())),
        None => (unqualified.to_owned(), None),
    }
}

/// The value of `key` in a query string, percent-decoded.
pub(super) fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == key)
        .map(|(_, value)| percent_decode(value))
}

/// `%24LATEST` → `$LATEST`; the SDKs escape `$` and `:` in paths and queries. A `%` not
/// followed by two hex digits stays as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|byte| char::from(*byte).to_digit(16))
        };
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                #[expect(clippy::cast_possible_truncation, reason = "two hex digits fit a byte")]
                decoded.push((high * 16 + low) as u8);
                index += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_arns_and_qualifiers_are_taken_as_lambda_takes_them() {
        assert_eq!(function_name("hello"), ("hello".to_owned(), None));
        assert_eq!(
            function_name("hello:$LATEST"),
            ("hello".to_owned(), Some("$LATEST".to_owned()))
        );
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:000000000000:function:hello"),
            ("hello".to_owned(), None)
        );
        assert_eq!(
            function_name("000000000000:function:hello:prod"),
            ("hello".to_owned(), Some("prod".to_owned()))
        );
        assert_eq!(percent_decode("%24LATEST"), "$LATEST");
        assert_eq!(percent_decode("a%3Ab%zz%4"), "a:b%zz%4");
        assert_eq!(
            query_value(Some("x=1&Qualifier=%24LATEST"), "Qualifier").as_deref(),
            Some("$LATEST")
        );
    }
}
