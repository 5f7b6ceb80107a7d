//! A client of Lambda's Runtime API (`AWS_LAMBDA_RUNTIME_API`, plain HTTP/1.1 on the
//! execution environment's loopback): the next invocation, its response or error, and
//! the error of a failed initialisation.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

const API_VERSION: &str = "2018-06-01";

#[derive(Debug, thiserror::Error)]
pub enum RuntimeApiError {
    #[error("cannot reach the Runtime API at {address}: {source}")]
    Connect {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the Runtime API at {address} failed a request to {path}: {message}")]
    Http {
        address: String,
        path: String,
        message: String,
    },
    #[error("the Runtime API answered {path} with status {status}: {body}")]
    Status {
        path: String,
        status: u16,
        body: String,
    },
    #[error("the Runtime API's next invocation has no Lambda-Runtime-Aws-Request-Id header")]
    NoRequestId,
}

/// One invocation as `GET …/runtime/invocation/next` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextInvocation {
    pub request_id: String,
    /// `Lambda-Runtime-Deadline-Ms`: when Lambda stops the invocation, in Unix ms.
    pub deadline_ms: Option<i64>,
    pub invoked_function_arn: Option<String>,
    pub trace_id: Option<String>,
    /// `Lambda-Runtime-Client-Context`: the invoking client's context, JSON.
    pub client_context: Option<String>,
    pub event: Bytes,
}

/// The Runtime API at `host:port`.
#[derive(Debug, Clone)]
pub struct RuntimeApiClient {
    address: String,
}

impl RuntimeApiClient {
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            address: address.into(),
        }
    }

    /// Waits for the next invocation (the Runtime API holds the request until there is one).
    pub async fn next_invocation(&self) -> Result<NextInvocation, RuntimeApiError> {
        let path = format!("/{API_VERSION}/runtime/invocation/next");
        let (headers, event) = self.request("GET", &path, None, Bytes::new()).await?;
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let request_id =
            header("lambda-runtime-aws-request-id").ok_or(RuntimeApiError::NoRequestId)?;
        Ok(NextInvocation {
            request_id,
            deadline_ms: header("lambda-runtime-deadline-ms").and_then(|ms| ms.parse().ok()),
            invoked_function_arn: header("lambda-runtime-invoked-function-arn"),
            trace_id: header("lambda-runtime-trace-id"),
            client_context: header("lambda-runtime-client-context"),
            event,
        })
    }

    /// `POST …/invocation/<id>/response`.
    pub async fn respond(&self, request_id: &str, response: Bytes) -> Result<(), RuntimeApiError> {
        let path = format!("/{API_VERSION}/runtime/invocation/{request_id}/response");
        self.request("POST", &path, None, response).await.map(drop)
    }

    /// `POST …/invocation/<id>/error` with Lambda's error JSON.
    pub async fn report_error(
        &self,
        request_id: &str,
        error_type: &str,
        error_json: Bytes,
    ) -> Result<(), RuntimeApiError> {
        let path = format!("/{API_VERSION}/runtime/invocation/{request_id}/error");
        self.request("POST", &path, Some(error_type), error_json)
            .await
            .map(drop)
    }

    /// `POST …/runtime/init/error`: the function cannot start.
    pub async fn report_init_error(
        &self,
        error_type: &str,
        error_json: Bytes,
    ) -> Result<(), RuntimeApiError> {
        let path = format!("/{API_VERSION}/runtime/init/error");
        self.request("POST", &path, Some(error_type), error_json)
            .await
            .map(drop)
    }

    /// One request on a connection of its own: the API is on the loopback, and a long
    /// poll for the next invocation must not be cut by an idle connection's end.
    async fn request(
        &self,
        method: &str,
        path: &str,
        error_type: Option<&str>,
        body: Bytes,
    ) -> Result<(hyper::HeaderMap, Bytes), RuntimeApiError> {
        let http_error = |message: String| RuntimeApiError::Http {
            address: self.address.clone(),
            path: path.to_owned(),
            message,
        };
        let stream = tokio::net::TcpStream::connect(&self.address)
            .await
            .map_err(|source| RuntimeApiError::Connect {
                address: self.address.clone(),
                source,
            })?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| http_error(error.to_string()))?;
        let driver = tokio::spawn(connection);
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, &self.address);
        if let Some(error_type) = error_type {
            request = request
                .header("Lambda-Runtime-Function-Error-Type", error_type)
                .header(hyper::header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(body))
            .map_err(|error| http_error(error.to_string()))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|error| http_error(error.to_string()))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| http_error(error.to_string()))?
            .to_bytes();
        driver.abort();
        if !status.is_success() {
            return Err(RuntimeApiError::Status {
                path: path.to_owned(),
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        Ok((headers, body))
    }
}
