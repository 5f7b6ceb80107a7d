use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// A guest's stdout or stderr, kept in memory up to `limit_bytes`. Writes past the limit
/// are counted, not stored, and never fail: the guest finishes, and the host decides
/// (for stdout, a response over 6 MB becomes `Function.ResponseSizeTooLarge`).
#[derive(Debug, Clone)]
pub struct CapturedOutput {
    limit_bytes: usize,
    shared: Arc<Mutex<Captured>>,
}

#[derive(Debug, Default)]
struct Captured {
    bytes: Vec<u8>,
    total_bytes: usize,
}

impl CapturedOutput {
    pub fn new(limit_bytes: usize) -> Self {
        Self {
            limit_bytes,
            shared: Arc::default(),
        }
    }

    fn append(&self, data: &[u8]) {
        let mut captured = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        captured.total_bytes = captured.total_bytes.saturating_add(data.len());
        let room = self.limit_bytes.saturating_sub(captured.bytes.len());
        let kept = data.len().min(room);
        captured.bytes.extend_from_slice(&data[..kept]);
    }

    /// The stored bytes and the total written, and starts over: an execution environment
    /// reuses its stdout and stderr for each invocation.
    pub fn take_all(&self) -> (Vec<u8>, usize) {
        let mut captured = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        let total_bytes = std::mem::take(&mut captured.total_bytes);
        (std::mem::take(&mut captured.bytes), total_bytes)
    }
}

/// How much a guest may write in one call; the limit is applied in `append`, not here.
const WRITE_PERMIT_BYTES: usize = 1 << 20;

impl OutputStream for CapturedOutput {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(WRITE_PERMIT_BYTES)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CapturedOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CapturedOutput {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_up_to_the_limit_and_counts_the_rest() {
        let output = CapturedOutput::new(4);
        output.append(b"abc");
        output.append(b"def");
        assert_eq!(output.take_all(), (b"abcd".to_vec(), 6));
        assert_eq!(output.take_all(), (Vec::new(), 0));
    }
}
