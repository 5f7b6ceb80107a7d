//! `POST /2021-11-15/functions/{name}/response-streaming-invocations`: Lambda's
//! `InvokeWithResponseStream`. The answer is an AWS event stream
//! (`application/vnd.amazon.eventstream`, encoded by AWS's own `aws-smithy-eventstream`):
//! a `PayloadChunk` event for each chunk a streaming handler writes, sent as it writes
//! it, then one `InvokeComplete` event with the error, if any, and the log tail. A
//! function that does not stream answers in one `PayloadChunk`. An invocation that cannot
//! start (throttled, say) is refused with Lambda's error before any stream.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use hyper::Response;
use hyper::body::{Body, Frame};
use tokio::sync::mpsc::Receiver;
use tokio::task::JoinHandle;

use super::api_response::ApiResponse;
use super::invocations::{CheckedInvocation, InvokeRequest, checked, invoke_error, log_tail};
use super::server::{Answer, ApiState};
use crate::model::{InvocationRecord, Outcome};
use crate::runtime::{InvokeError, StreamedPart, response_channel};

type InvocationResult = Result<Arc<InvocationRecord>, InvokeError>;

pub(super) async fn invoke_with_response_stream(
    state: &ApiState,
    request: InvokeRequest<'_>,
) -> Answer {
    let CheckedInvocation {
        function,
        event,
        client_context,
    } = match checked(state, &request) {
        Ok(checked) => checked,
        Err(refused) => return refused.into(),
    };
    match request.invocation_type.unwrap_or("RequestResponse") {
        "RequestResponse" => {}
        "DryRun" => return ApiResponse::empty(204).into(),
        other => {
            return ApiResponse::invalid_parameter(&format!(
                "Invocation type `{other}` is not one of RequestResponse and DryRun for InvokeWithResponseStream"
            ))
            .into();
        }
    }
    let (sink, mut parts) = response_channel();
    let context = Arc::clone(&state.context);
    let mut invocation = tokio::spawn(async move {
        context
            .invoke_from_client(
                &function,
                event,
                "Invoke API (response stream)".to_owned(),
                client_context.as_deref(),
                Some(sink),
            )
            .await
    });
    // Until the function writes, or ends: an invocation refused before it ran is answered
    // as Lambda answers it, not inside a stream.
    let first = tokio::select! {
        part = parts.recv() => part,
        ended = &mut invocation => return whole_answer(ended, parts, request.tail_log),
    };
    let Some(first) = first else {
        // It ended without writing (its sink is gone).
        let ended = (&mut invocation).await;
        return whole_answer(ended, parts, request.tail_log);
    };
    let mut encoded = BytesMut::new();
    let streamed_any = payload_of(first, &mut encoded);
    Answer::Streamed(event_stream_response(EventStreamBody {
        first: Some(encoded.freeze()),
        parts,
        end: Some(invocation),
        streamed_any,
        tail_log: request.tail_log,
    }))
}

/// The answer to an invocation that ended before its stream was sent: Lambda's error
/// when it could not run; else its events, all at once.
fn whole_answer(
    ended: Result<InvocationResult, tokio::task::JoinError>,
    mut parts: Receiver<StreamedPart>,
    tail_log: bool,
) -> Answer {
    let result = ended.unwrap_or_else(|_| Err(task_failed()));
    if let Err(error) = &result {
        return invoke_error(error).into();
    }
    let mut events = BytesMut::new();
    let mut streamed_any = false;
    while let Ok(part) = parts.try_recv() {
        streamed_any |= payload_of(part, &mut events);
    }
    finish(&result, streamed_any, tail_log, &mut events);
    Answer::Streamed(event_stream_response(EventStreamBody::whole(
        events.freeze(),
    )))
}

fn task_failed() -> InvokeError {
    InvokeError::Sandbox("the invocation's task failed".to_owned())
}

fn event_stream_response(body: EventStreamBody) -> Response<EventStreamBody> {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/vnd.amazon.eventstream"),
    );
    headers.insert(
        "X-Amz-Executed-Version",
        hyper::header::HeaderValue::from_static("$LATEST"),
    );
    response
}

/// The event stream, as the function writes it.
pub struct EventStreamBody {
    /// Encoded events ready before the body was first polled.
    first: Option<Bytes>,
    parts: Receiver<StreamedPart>,
    /// `None` once `InvokeComplete` went out.
    end: Option<JoinHandle<InvocationResult>>,
    streamed_any: bool,
    tail_log: bool,
}

impl EventStreamBody {
    /// Events all known already.
    fn whole(events: Bytes) -> Self {
        let (_, parts) = response_channel();
        Self {
            first: Some(events),
            parts,
            end: None,
            streamed_any: true,
            tail_log: false,
        }
    }
}

impl Body for EventStreamBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(first) = this.first.take().filter(|first| !first.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        let Some(end) = this.end.as_mut() else {
            return Poll::Ready(None);
        };
        loop {
            match this.parts.poll_recv(context) {
                Poll::Ready(Some(part)) => {
                    let mut encoded = BytesMut::new();
                    if payload_of(part, &mut encoded) {
                        this.streamed_any = true;
                        return Poll::Ready(Some(Ok(Frame::data(encoded.freeze()))));
                    }
                }
                // Every part is in: the invocation is over (or about to be).
                Poll::Ready(None) => break,
                Poll::Pending => return Poll::Pending,
            }
        }
        let ended = ready!(Pin::new(end).poll(context));
        this.end = None;
        let result = ended.unwrap_or_else(|_| Err(task_failed()));
        let mut encoded = BytesMut::new();
        finish(&result, this.streamed_any, this.tail_log, &mut encoded);
        Poll::Ready(Some(Ok(Frame::data(encoded.freeze()))))
    }
}

/// Encodes a streamed chunk as a `PayloadChunk` event into `out`; whether it was one.
fn payload_of(part: StreamedPart, out: &mut BytesMut) -> bool {
    match part {
        StreamedPart::Started { .. } => false,
        StreamedPart::Chunk(chunk) => {
            encode_event(out, "PayloadChunk", "application/octet-stream", chunk);
            true
        }
    }
}

/// The invocation's end: a function that did not stream sends its answer as one
/// `PayloadChunk`; then `InvokeComplete` with `ErrorCode` (the error's type),
/// `ErrorDetails` (its message) and `LogResult` (the log's last 4 KB, base64) when asked.
fn finish(result: &InvocationResult, streamed_any: bool, tail_log: bool, out: &mut BytesMut) {
    let mut complete = serde_json::Map::new();
    match result {
        Ok(record) => {
            match &record.outcome {
                Outcome::Success(answer) if !streamed_any => {
                    let answer = Bytes::from(answer.to_string());
                    encode_event(out, "PayloadChunk", "application/octet-stream", answer);
                }
                Outcome::Success(_) => {}
                Outcome::Failure(error) => {
                    complete.insert("ErrorCode".to_owned(), error.error_type.clone().into());
                    complete.insert(
                        "ErrorDetails".to_owned(),
                        error.error_message.clone().into(),
                    );
                }
            }
            if tail_log {
                let tail = base64::engine::general_purpose::STANDARD.encode(log_tail(record));
                complete.insert("LogResult".to_owned(), tail.into());
            }
        }
        Err(error) => {
            complete.insert("ErrorCode".to_owned(), error.error_type().into());
            complete.insert("ErrorDetails".to_owned(), error.to_string().into());
        }
    }
    let payload = Bytes::from(serde_json::Value::Object(complete).to_string());
    encode_event(out, "InvokeComplete", "application/json", payload);
}

fn encode_event(
    out: &mut BytesMut,
    event_type: &'static str,
    content_type: &'static str,
    payload: Bytes,
) {
    let message = Message::new(payload)
        .add_header(Header::new(
            ":event-type",
            HeaderValue::String(event_type.into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String(content_type.into()),
        ))
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("event".into()),
        ));
    // Small headers and a payload under the stream's limits: encoding cannot fail.
    let _ = write_message_to(&message, out);
}
