//! A streaming handler's response as a Function URL in `RESPONSE_STREAM` mode sends it:
//! the status and headers as soon as the handler's first bytes arrive (from the JSON
//! prelude `awslambda.HttpResponseStream.from` writes before the body, ended by 8 NUL
//! bytes; without one a 200 with the stream's content type), then each chunk as it comes,
//! in HTTP/1.1's chunked encoding. A function that fails after its response started can no
//! longer change the status: the stream is cut off, so the client sees an incomplete
//! response rather than a complete one.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body_util::{Either, Full};
use hyper::Response;
use hyper::body::{Body, Frame};
use serde_json::Value;
use tokio::sync::mpsc::Receiver;

use crate::runtime::StreamedPart;

/// The content type of a stream that starts with an HTTP prelude.
pub const HTTP_INTEGRATION_CONTENT_TYPE: &str =
    "application/vnd.awslambda.http-integration-response";

/// What ends the prelude.
const PRELUDE_DELIMITER: [u8; 8] = [0; 8];

/// A prelude longer than this is not one (status, headers and cookies fit well within).
const MAX_PRELUDE_BYTES: usize = 1024 * 1024;

/// Resolves to whether the invocation succeeded, once it ended.
pub type InvocationEnd = Pin<Box<dyn Future<Output = bool> + Send>>;

/// The gateway's response bodies: whole, or streamed.
pub type GatewayBody = Either<Full<Bytes>, StreamedBody>;

/// Why a streamed body ended early; hyper then closes the connection without the chunked
/// encoding's last chunk.
#[derive(Debug, thiserror::Error)]
#[error("the function failed after its response had started streaming")]
pub struct StreamCutOff;

/// The rest of a streamed response: chunks as the handler writes them, to the end of the
/// invocation.
pub struct StreamedBody {
    /// Body bytes that came with the prelude.
    first: Option<Bytes>,
    parts: Receiver<StreamedPart>,
    /// `None` once the end was seen.
    end: Option<InvocationEnd>,
}

impl Body for StreamedBody {
    type Data = Bytes;
    type Error = StreamCutOff;

    fn poll_frame(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, StreamCutOff>>> {
        let this = self.get_mut();
        if let Some(first) = this.first.take().filter(|first| !first.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        loop {
            match this.parts.poll_recv(context) {
                Poll::Ready(Some(StreamedPart::Chunk(chunk))) => {
                    return Poll::Ready(Some(Ok(Frame::data(chunk))));
                }
                Poll::Ready(Some(StreamedPart::Started { .. })) => {}
                // Every part is in: the invocation is over (or about to be).
                Poll::Ready(None) => break,
                Poll::Pending => return Poll::Pending,
            }
        }
        let Some(end) = this.end.as_mut() else {
            return Poll::Ready(None);
        };
        match end.as_mut().poll(context) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(succeeded) => {
                this.end = None;
                if succeeded {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Err(StreamCutOff)))
                }
            }
        }
    }
}

/// The HTTP response of a stream that started with `content_type`: status and headers
/// from its prelude when it has one. `None` when the prelude is malformed or the
/// invocation ended before finishing it (the gateway then answers as for a failure).
pub async fn streamed_response(
    content_type: String,
    mut parts: Receiver<StreamedPart>,
    end: InvocationEnd,
) -> Option<Response<GatewayBody>> {
    if content_type != HTTP_INTEGRATION_CONTENT_TYPE {
        let response = Response::builder()
            .status(200)
            .header("content-type", content_type)
            .body(Either::Right(StreamedBody {
                first: None,
                parts,
                end: Some(end),
            }));
        return response.ok();
    }
    let mut read = BytesMut::new();
    let split_at = loop {
        if let Some(at) = read
            .windows(PRELUDE_DELIMITER.len())
            .position(|window| window == PRELUDE_DELIMITER)
        {
            break at;
        }
        if read.len() > MAX_PRELUDE_BYTES {
            return None;
        }
        match parts.recv().await? {
            StreamedPart::Chunk(chunk) => read.extend_from_slice(&chunk),
            StreamedPart::Started { .. } => {}
        }
    };
    let prelude: Value = serde_json::from_slice(&read[..split_at]).ok()?;
    let first = read.split_off(split_at + PRELUDE_DELIMITER.len()).freeze();
    let mut response = Response::builder().status(prelude_status(&prelude)?);
    if let Some(headers) = prelude.get("headers").and_then(Value::as_object) {
        for (name, value) in headers {
            let value = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            response = response.header(name.as_str(), value);
        }
    }
    if let Some(cookies) = prelude.get("cookies").and_then(Value::as_array) {
        for cookie in cookies.iter().filter_map(Value::as_str) {
            response = response.header("set-cookie", cookie);
        }
    }
    response
        .body(Either::Right(StreamedBody {
            first: Some(first),
            parts,
            end: Some(end),
        }))
        .ok()
}

/// The prelude's `statusCode` (200 when absent); `None` when it is not a status.
fn prelude_status(prelude: &Value) -> Option<u16> {
    match prelude.get("statusCode") {
        None | Some(Value::Null) => Some(200),
        Some(status) => status
            .as_u64()
            .and_then(|status| u16::try_from(status).ok())
            .filter(|status| (100..=599).contains(status)),
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt as _;

    use super::*;

    async fn respond(
        content_type: &str,
        chunks: &[&[u8]],
        succeeded: bool,
    ) -> Option<(Response<GatewayBody>, Result<Bytes, StreamCutOff>)> {
        let (sink, parts) = crate::runtime::response_channel();
        for chunk in chunks {
            sink.send(StreamedPart::Chunk(Bytes::copy_from_slice(chunk)))
                .await
                .expect("room in the channel");
        }
        drop(sink);
        let response = streamed_response(
            content_type.to_owned(),
            parts,
            Box::pin(std::future::ready(succeeded)),
        )
        .await?;
        let (head, body) = response.into_parts();
        let collected = body.collect().await.map(|collected| collected.to_bytes());
        let collected = collected.map_err(|_| StreamCutOff);
        Some((
            Response::from_parts(head, Either::Left(Full::new(Bytes::new()))),
            collected,
        ))
    }

    #[tokio::test]
    async fn the_prelude_gives_status_headers_and_cookies_even_split_across_chunks() {
        let (response, body) = respond(
            HTTP_INTEGRATION_CONTENT_TYPE,
            &[
                br#"{"statusCode":201,"headers":{"x-kind":"made"},"#,
                br#""cookies":["a=1","b=2"]}"#,
                &[0, 0, 0, 0],
                &[0, 0, 0, 0, b'h', b'i'],
                b"!",
            ],
            true,
        )
        .await
        .expect("a response");
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["x-kind"], "made");
        let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert_eq!(body.expect("complete"), "hi!");
    }

    #[tokio::test]
    async fn a_plain_stream_is_a_200_with_its_content_type_and_a_failure_cuts_it_off() {
        let (response, body) = respond("text/plain", &[b"a", b"b"], false)
            .await
            .expect("a response");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/plain");
        assert!(body.is_err());
    }

    #[tokio::test]
    async fn an_unfinished_or_malformed_prelude_is_no_response() {
        assert!(
            respond(
                HTTP_INTEGRATION_CONTENT_TYPE,
                &[b"{\"statusCode\":201}"],
                true
            )
            .await
            .is_none()
        );
        assert!(
            respond(
                HTTP_INTEGRATION_CONTENT_TYPE,
                &[b"{\"statusCode\":7}", &[0; 8]],
                true
            )
            .await
            .is_none()
        );
    }
}
