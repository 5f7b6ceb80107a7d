//! Response streaming: what a streaming handler (`awslambda.streamifyResponse`) writes
//! leaves the guest chunk by chunk through two host functions of the `lambdesk` import
//! module (see runtimes/js/src/response_stream_natives.rs), and goes on to whoever invoked
//! it through a bounded channel, while the handler still runs. The HTTP gateway sends the
//! chunks to its client as a Function URL in `RESPONSE_STREAM` mode does; every invocation
//! also keeps the start of the body for its record, as the Invoke API returns a streaming
//! function's response buffered.

use bytes::Bytes;
use tokio::sync::mpsc;
use wasmtime::{Caller, Extern, Linker};

use super::MAX_PAYLOAD_BYTES;
use super::sandbox::SandboxState;

/// The host functions' import module, lambdesk's own (a function's own wasm module may
/// not import it: they are the JS runtime's).
const MODULE: &str = "lambdesk";

/// Lambda's (soft) limit for a streamed response: 20 MB.
pub const MAX_STREAMED_RESPONSE_BYTES: usize = 20 * 1024 * 1024;

/// Parts that wait for a slow reader before the handler's next write waits: the stream
/// is never buffered past this, whatever the handler writes.
const SINK_CAPACITY_PARTS: usize = 16;

/// What `response_stream_write` answers the guest.
const WRITE_SENT: i32 = 0;
const WRITE_TOO_LARGE: i32 = 1;

/// What a streaming handler sends while it runs, in order: `Started`, then its chunks.
/// The invocation's end (its record) says whether the stream ended well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamedPart {
    /// The handler's response stream started, with its content type
    /// (`application/vnd.awslambda.http-integration-response` after
    /// `awslambda.HttpResponseStream.from`: the body starts with a JSON prelude).
    Started { content_type: String },
    /// Bytes the handler wrote, as it wrote them.
    Chunk(Bytes),
}

/// Where an invocation sends its streamed parts.
pub type ResponseSink = mpsc::Sender<StreamedPart>;

/// A sink for one invocation and the receiver its parts arrive on. The sender is dropped
/// when the invocation ends, so the receiver's `None` means the invocation is over.
pub fn response_channel() -> (ResponseSink, mpsc::Receiver<StreamedPart>) {
    mpsc::channel(SINK_CAPACITY_PARTS)
}

/// The response stream of the invocation running in a sandbox.
#[derive(Debug, Default)]
pub struct ResponseStreamState {
    /// `None` when nobody listens (a trigger's invocation, or the listener went away).
    sink: Option<ResponseSink>,
    streamed: Option<StreamedBody>,
}

/// What a streaming invocation wrote, for its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedBody {
    pub content_type: String,
    /// The body's first `MAX_PAYLOAD_BYTES`, as the Invoke API would return it.
    pub kept: Vec<u8>,
    pub total_bytes: usize,
    /// The handler wrote past `MAX_STREAMED_RESPONSE_BYTES`; what came after was refused.
    pub too_large: bool,
}

/// What to do with a chunk the guest wrote.
enum Admission {
    Refused,
    Kept,
    Send(ResponseSink),
}

impl ResponseStreamState {
    /// A new invocation starts, sending its parts to `sink` if it streams.
    pub fn start(&mut self, sink: Option<ResponseSink>) {
        self.sink = sink;
        self.streamed = None;
    }

    /// The invocation ended: what it streamed, if it did. Drops the sink (its receiver
    /// then knows the invocation is over).
    pub fn finish(&mut self) -> Option<StreamedBody> {
        self.sink = None;
        self.streamed.take()
    }

    /// The handler opened its response stream with `content_type`: the listener hears
    /// `Started`. Nothing happens for a second open.
    pub async fn open_and_announce(&mut self, content_type: String) {
        if let Some((sink, content_type)) = self.open(content_type)
            && sink
                .send(StreamedPart::Started { content_type })
                .await
                .is_err()
        {
            // The listener went away (a client that hung up): the function runs on, as
            // on Lambda, and its record still gets the body.
            self.sink = None;
        }
    }

    /// A chunk the handler wrote: kept for the record and sent on (waiting while the
    /// listener is `SINK_CAPACITY_PARTS` behind; the invocation's timeout still ends the
    /// wait). False when the stream is past `MAX_STREAMED_RESPONSE_BYTES`.
    pub async fn write(&mut self, chunk: Bytes) -> bool {
        match self.admit(&chunk) {
            Admission::Refused => false,
            Admission::Kept => true,
            Admission::Send(sink) => {
                if sink.send(StreamedPart::Chunk(chunk)).await.is_err() {
                    self.sink = None;
                }
                true
            }
        }
    }

    fn open(&mut self, content_type: String) -> Option<(ResponseSink, String)> {
        if self.streamed.is_some() {
            return None;
        }
        self.streamed = Some(StreamedBody {
            content_type: content_type.clone(),
            kept: Vec::new(),
            total_bytes: 0,
            too_large: false,
        });
        self.sink.clone().map(|sink| (sink, content_type))
    }

    fn admit(&mut self, chunk: &[u8]) -> Admission {
        let Some(streamed) = self.streamed.as_mut() else {
            // Written without opening: not from the JS runtime's stream; ignored.
            return Admission::Kept;
        };
        let total_bytes = streamed.total_bytes.saturating_add(chunk.len());
        if streamed.too_large || total_bytes > MAX_STREAMED_RESPONSE_BYTES {
            streamed.too_large = true;
            return Admission::Refused;
        }
        streamed.total_bytes = total_bytes;
        let room = MAX_PAYLOAD_BYTES.saturating_sub(streamed.kept.len());
        streamed
            .kept
            .extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.sink.clone().map_or(Admission::Kept, Admission::Send)
    }
}

/// Adds `lambdesk::response_stream_open(ptr, len)` (the content type) and
/// `lambdesk::response_stream_write(ptr, len)` (a chunk) to `linker`.
pub fn add_to_linker(linker: &mut Linker<SandboxState>) -> wasmtime::Result<()> {
    linker.func_wrap_async(
        MODULE,
        "response_stream_open",
        |mut caller: Caller<'_, SandboxState>, (pointer, len): (i32, i32)| {
            Box::new(async move {
                let bytes = guest_bytes(&mut caller, pointer, len)?;
                let content_type = String::from_utf8_lossy(&bytes).into_owned();
                caller
                    .data_mut()
                    .response_stream
                    .open_and_announce(content_type)
                    .await;
                Ok(WRITE_SENT)
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "response_stream_write",
        |mut caller: Caller<'_, SandboxState>, (pointer, len): (i32, i32)| {
            Box::new(async move {
                let chunk = Bytes::from(guest_bytes(&mut caller, pointer, len)?);
                if !caller.data_mut().response_stream.write(chunk).await {
                    return Ok(WRITE_TOO_LARGE);
                }
                Ok(WRITE_SENT)
            })
        },
    )?;
    Ok(())
}

/// A copy of the guest's `len` bytes at `pointer`; out of bounds is the guest's trap.
fn guest_bytes(
    caller: &mut Caller<'_, SandboxState>,
    pointer: i32,
    len: i32,
) -> wasmtime::Result<Vec<u8>> {
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        return Err(wasmtime::format_err!("the guest exports no memory"));
    };
    let start = usize::try_from(pointer.cast_unsigned())?;
    let end = start.saturating_add(usize::try_from(len.cast_unsigned())?);
    memory
        .data(&*caller)
        .get(start..end)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| wasmtime::format_err!("a response stream write outside the guest's memory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_bytes_and_refuses_past_the_limit() {
        let mut state = ResponseStreamState::default();
        state.start(None);
        assert!(matches!(state.admit(b"before"), Admission::Kept));
        assert_eq!(state.finish(), None, "a write before open is not a stream");

        state.start(None);
        assert!(state.open("text/plain".to_owned()).is_none(), "no sink");
        assert!(matches!(state.admit(b"ab"), Admission::Kept));
        let big = vec![b'x'; MAX_STREAMED_RESPONSE_BYTES];
        assert!(matches!(state.admit(&big), Admission::Refused));
        assert!(matches!(state.admit(b"c"), Admission::Refused));
        let streamed = state.finish().expect("streamed");
        assert_eq!(streamed.content_type, "text/plain");
        assert_eq!(streamed.total_bytes, 2);
        assert_eq!(streamed.kept, b"ab");
        assert!(streamed.too_large);
    }
}
