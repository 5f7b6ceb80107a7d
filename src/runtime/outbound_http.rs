//! `fetch` from inside the sandbox. A guest has no sockets: the JS runtime hands each
//! request to the host (`lambdesk::http_fetch`), which sends it only to the workspace's
//! own HTTP gateway on 127.0.0.1 and answers every other destination as a refused
//! connection, as a function would see a network that has nothing but its own API.
//!
//! The host function is async: while the request is out, the guest's fiber is suspended
//! and the async runtime's thread serves others, among them the gateway's connection that
//! answers this very request (a function calling its own route must not wait on itself).
//!
//! Frames, both ways: one line of JSON (the head), a newline, then the body's bytes.
//! The answer waits in the store until the guest reads it (`lambdesk::http_response_read`)
//! into a buffer of the length `http_fetch` returned.

use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::Uri;
use hyper::header::{HOST, HeaderName, HeaderValue};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use wasmtime::{Caller, Extern, Linker};

use super::MAX_PAYLOAD_BYTES;
use super::sandbox::SandboxState;

/// The host module of lambdesk's own imports (only the JS runtime may import it).
pub const IMPORT_MODULE: &str = "lambdesk";

/// A response body past this is refused: the gateway answers at most 6 MB (Lambda's
/// payload limit), plus what base64 and headers add.
const MAX_RESPONSE_BODY_BYTES: usize = 2 * MAX_PAYLOAD_BYTES;

/// Where the workspace's HTTP gateway listens, while one runs: set by the trigger engine,
/// read at each request (an execution environment outlives a gateway's restart).
#[derive(Debug, Clone, Default)]
pub struct GatewayAddress(Arc<RwLock<Option<SocketAddr>>>);

impl GatewayAddress {
    pub fn set(&self, address: Option<SocketAddr>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = address;
    }

    pub fn get(&self) -> Option<SocketAddr> {
        *self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// `http://127.0.0.1:<port>`, what a function is told to call.
    pub fn url(&self) -> Option<String> {
        self.get().map(|address| format!("http://{address}"))
    }
}

/// A store's side of `fetch`: the gateway to send to, and the answer not yet read.
#[derive(Debug, Default)]
pub struct OutboundHttp {
    gateway: GatewayAddress,
    answer: Option<Vec<u8>>,
}

impl OutboundHttp {
    pub fn new(gateway: GatewayAddress) -> Self {
        Self {
            gateway,
            answer: None,
        }
    }
}

#[derive(Deserialize)]
struct RequestHead {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResponseHead {
    status: u16,
    status_text: String,
    headers: Vec<(String, String)>,
}

/// Why a request got no response, in Node's terms (`err.cause.code`).
#[derive(Debug, Serialize)]
struct FetchFailure {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
}

#[derive(Serialize)]
struct FailureHead {
    error: FetchFailure,
}

/// Adds `lambdesk::http_fetch(ptr, len) -> len` and `lambdesk::http_response_read(ptr,
/// len) -> len` to `linker`.
pub fn add_to_linker(linker: &mut Linker<SandboxState>) -> wasmtime::Result<()> {
    linker.func_wrap_async(
        IMPORT_MODULE,
        "http_fetch",
        |mut caller: Caller<'_, SandboxState>, (pointer, len): (u32, u32)| {
            Box::new(async move {
                let request = read_guest(&mut caller, pointer, len)?;
                let gateway = caller.data().http.gateway.get();
                let answer = answer_frame(gateway, &request).await;
                let answer_len = u32::try_from(answer.len())?;
                caller.data_mut().http.answer = Some(answer);
                Ok(answer_len)
            })
        },
    )?;
    linker.func_wrap(
        IMPORT_MODULE,
        "http_response_read",
        |mut caller: Caller<'_, SandboxState>, pointer: u32, len: u32| -> wasmtime::Result<u32> {
            let answer = caller.data_mut().http.answer.take().unwrap_or_default();
            let count = answer.len().min(usize::try_from(len)?);
            let memory = guest_memory(&mut caller)?;
            memory.write(&mut caller, usize::try_from(pointer)?, &answer[..count])?;
            Ok(u32::try_from(count)?)
        },
    )?;
    Ok(())
}

fn guest_memory(caller: &mut Caller<'_, SandboxState>) -> wasmtime::Result<wasmtime::Memory> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| wasmtime::format_err!("the guest exports no memory"))
}

fn read_guest(
    caller: &mut Caller<'_, SandboxState>,
    pointer: u32,
    len: u32,
) -> wasmtime::Result<Vec<u8>> {
    let memory = guest_memory(caller)?;
    let mut bytes = vec![0; usize::try_from(len)?];
    memory.read(&*caller, usize::try_from(pointer)?, &mut bytes)?;
    Ok(bytes)
}

/// The answer frame for a request frame: the gateway's response, or why there is none.
async fn answer_frame(gateway: Option<SocketAddr>, request: &[u8]) -> Vec<u8> {
    let (head, body) = match split_frame(request) {
        Ok(parts) => parts,
        Err(message) => return failure_frame(invalid_request(message)),
    };
    match send(gateway, head, body).await {
        Ok((head, body)) => {
            let mut frame = serde_json::to_vec(&head).unwrap_or_default();
            frame.push(b'\n');
            frame.extend_from_slice(&body);
            frame
        }
        Err(failure) => failure_frame(failure),
    }
}

fn failure_frame(error: FetchFailure) -> Vec<u8> {
    let mut frame = serde_json::to_vec(&FailureHead { error }).unwrap_or_default();
    frame.push(b'\n');
    frame
}

fn invalid_request(message: String) -> FetchFailure {
    FetchFailure {
        code: "ERR_INVALID_ARG_VALUE",
        message,
        address: None,
        port: None,
    }
}

fn split_frame(frame: &[u8]) -> Result<(RequestHead, Bytes), String> {
    let newline = frame
        .iter()
        .position(|&byte| byte == b'\n')
        .ok_or("the request has no head")?;
    let head = serde_json::from_slice(&frame[..newline])
        .map_err(|error| format!("the request's head is not valid: {error}"))?;
    Ok((head, Bytes::copy_from_slice(&frame[newline + 1..])))
}

/// Sends the request to the gateway if it is addressed to it.
async fn send(
    gateway: Option<SocketAddr>,
    head: RequestHead,
    body: Bytes,
) -> Result<(ResponseHead, Bytes), FetchFailure> {
    let uri: Uri = head
        .url
        .parse()
        .map_err(|error| invalid_request(format!("invalid URL {}: {error}", head.url)))?;
    let target = gateway_target(gateway, &uri)?;
    let refused = |detail: String| refused_failure(&uri, &detail);
    let stream = tokio::net::TcpStream::connect(target)
        .await
        .map_err(|error| {
            refused(format!(
                "the workspace's HTTP gateway did not answer: {error}"
            ))
        })?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| {
            refused(format!(
                "the workspace's HTTP gateway did not answer: {error}"
            ))
        })?;
    // Ends when the response is read and `sender` dropped, or the gateway hangs up.
    tokio::spawn(connection);
    let request = build_request(&head, &uri, body)?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| FetchFailure {
            code: "ECONNRESET",
            message: format!("the workspace's HTTP gateway closed the connection: {error}"),
            address: None,
            port: None,
        })?;
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = Limited::new(response.into_body(), MAX_RESPONSE_BODY_BYTES)
        .collect()
        .await
        .map_err(|error| FetchFailure {
            code: "ECONNRESET",
            message: format!("the response's body could not be read: {error}"),
            address: None,
            port: None,
        })?
        .to_bytes();
    let head = ResponseHead {
        status: status.as_u16(),
        status_text: status.canonical_reason().unwrap_or_default().to_owned(),
        headers,
    };
    Ok((head, body))
}

fn build_request(
    head: &RequestHead,
    uri: &Uri,
    body: Bytes,
) -> Result<hyper::Request<Full<Bytes>>, FetchFailure> {
    let path = uri.path_and_query().map_or("/", |path| path.as_str());
    let mut request = hyper::Request::builder()
        .method(head.method.as_str())
        .uri(path)
        .body(Full::new(body))
        .map_err(|error| invalid_request(format!("invalid request: {error}")))?;
    let headers = request.headers_mut();
    for (name, value) in &head.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid_request(format!("invalid header name {name:?}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| invalid_request(format!("invalid value of header {name}")))?;
        headers.append(name, value);
    }
    if !headers.contains_key(HOST)
        && let Some(authority) = uri.authority()
        && let Ok(host) = HeaderValue::from_str(authority.as_str())
    {
        headers.insert(HOST, host);
    }
    Ok(request)
}

/// The gateway's socket when `uri` names it (`http://127.0.0.1:<port>` or
/// `http://localhost:<port>`); any other destination is a refused connection.
fn gateway_target(gateway: Option<SocketAddr>, uri: &Uri) -> Result<SocketAddr, FetchFailure> {
    let local = matches!(uri.host(), Some("127.0.0.1" | "localhost"));
    let plain_http = uri.scheme_str() == Some("http");
    let port = uri.port_u16().unwrap_or(if plain_http { 80 } else { 443 });
    match gateway {
        Some(gateway) if local && plain_http && port == gateway.port() => Ok(gateway),
        Some(gateway) => Err(refused_failure(
            uri,
            &format!(
                "lambdesk functions reach only the workspace's own HTTP gateway, http://{gateway}"
            ),
        )),
        None => Err(refused_failure(
            uri,
            "lambdesk functions reach only the workspace's own HTTP gateway, and it is not running (a function with an http trigger starts it: `lambdesk serve` or the console)",
        )),
    }
}

/// `connect ECONNREFUSED <host>:<port> (<why>)`, as Node's net module words it.
fn refused_failure(uri: &Uri, detail: &str) -> FetchFailure {
    let address = uri.host().unwrap_or_default().to_owned();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    FetchFailure {
        code: "ECONNREFUSED",
        message: format!("connect ECONNREFUSED {address}:{port} ({detail})"),
        address: Some(address),
        port: Some(port),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        text.parse().expect("a valid URI")
    }

    #[test]
    fn only_the_gateway_is_reachable() {
        let gateway: SocketAddr = "127.0.0.1:4567".parse().expect("an address");
        for allowed in ["http://127.0.0.1:4567/items", "http://localhost:4567/"] {
            assert_eq!(
                gateway_target(Some(gateway), &uri(allowed)).ok(),
                Some(gateway)
            );
        }
        for refused in [
            "https://127.0.0.1:4567/",
            "http://127.0.0.1:4568/",
            "http://10.0.0.1:4567/",
            "https://example.com/",
        ] {
            let failure = gateway_target(Some(gateway), &uri(refused)).expect_err(refused);
            assert_eq!(failure.code, "ECONNREFUSED");
            assert!(
                failure
                    .message
                    .contains("only the workspace's own HTTP gateway")
            );
        }
        let failure = gateway_target(None, &uri("http://127.0.0.1:4567/")).expect_err("no gateway");
        assert!(
            failure.message.contains("it is not running"),
            "{}",
            failure.message
        );
    }
}
