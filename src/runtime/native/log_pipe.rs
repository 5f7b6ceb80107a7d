//! A native process's log: its stdout and stderr are one pipe (so their lines keep the
//! order they were written in, as Lambda's log keeps them), read line by line on a
//! thread. Which invocation a line belongs to is settled with a marker lambdesk writes
//! into the same pipe when an invocation ends: everything the process wrote before it
//! answered is before the marker, because the pipe keeps the order of writes.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, PipeReader, PipeWriter, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::runtime::sandbox::MAX_LOG_BYTES;

/// Starts and ends a marker line; a process's text does not contain these bytes.
const MARKER_EDGE: char = '\u{0}';
const MARKER_NAME: &str = "lambdesk-log-sync ";

/// How long to wait for the reader to reach a marker: it reads continuously, so only a
/// stuck machine takes long, and the wait must stay bounded.
const SYNC_TIMEOUT: Duration = Duration::from_secs(2);

/// The process's end of the pipe (for its stdout and stderr) and lambdesk's.
pub struct LogPipe {
    lines: Arc<LogLines>,
    /// lambdesk's own copy of the write end, for markers. It also keeps the pipe open,
    /// so the reader ends only when the process is gone and this is dropped.
    writer: Mutex<PipeWriter>,
    next_marker: AtomicU64,
}

/// The process's ends of the pipe: give one to stdout and one to stderr.
pub struct ProcessEnds {
    pub stdout: PipeWriter,
    pub stderr: PipeWriter,
}

#[derive(Default)]
struct LogLines {
    state: Mutex<LogState>,
}

#[derive(Default)]
struct LogState {
    lines: Vec<String>,
    kept_bytes: usize,
    dropped_bytes: usize,
    /// Markers written and not read yet, oldest first.
    waiters: VecDeque<(u64, oneshot::Sender<()>)>,
}

impl LogPipe {
    /// A new pipe and the thread that reads it, named after the process.
    pub fn new(name: &str) -> std::io::Result<(Self, ProcessEnds)> {
        let (reader, writer) = std::io::pipe()?;
        let ends = ProcessEnds {
            stdout: writer.try_clone()?,
            stderr: writer.try_clone()?,
        };
        let lines = Arc::new(LogLines::default());
        let read_into = Arc::clone(&lines);
        std::thread::Builder::new()
            .name(format!("lambdesk-log-{name}"))
            .spawn(move || read_lines(reader, &read_into))?;
        let pipe = Self {
            lines,
            writer: Mutex::new(writer),
            next_marker: AtomicU64::new(0),
        };
        Ok((pipe, ends))
    }

    /// Waits until every line the process wrote before now has been read, then takes
    /// the lines read since the last time (the invocation's, or Init's).
    pub async fn take_lines_written_so_far(&self) -> Vec<String> {
        let marker = self.next_marker.fetch_add(1, Ordering::Relaxed);
        let (reached, reached_rx) = oneshot::channel();
        self.lines.lock().waiters.push_back((marker, reached));
        let line = format!("{MARKER_EDGE}{MARKER_NAME}{marker}{MARKER_EDGE}\n");
        let written = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_all(line.as_bytes());
        if written.is_ok() {
            // A reader that stopped (it cannot, while this end is open) loses the wait
            // only: the lines read so far are still taken.
            let _ = tokio::time::timeout(SYNC_TIMEOUT, reached_rx).await;
        }
        self.lines.take()
    }
}

impl LogLines {
    fn lock(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn take(&self) -> Vec<String> {
        let mut state = self.lock();
        let dropped_bytes = std::mem::take(&mut state.dropped_bytes);
        state.kept_bytes = 0;
        let mut lines = std::mem::take(&mut state.lines);
        if dropped_bytes > 0 {
            lines.push(format!(
                "[lambdesk] {dropped_bytes} more bytes of log output were dropped (the limit is {MAX_LOG_BYTES} bytes per invocation)"
            ));
        }
        lines
    }

    fn push(&self, line: &str) {
        let mut state = self.lock();
        if state.kept_bytes + line.len() > MAX_LOG_BYTES {
            state.dropped_bytes += line.len() + 1;
        } else {
            state.kept_bytes += line.len() + 1;
            state.lines.push(line.to_owned());
        }
    }

    fn reached(&self, marker: u64) {
        let mut state = self.lock();
        while let Some((waiting, _)) = state.waiters.front() {
            if *waiting > marker {
                break;
            }
            if let Some((_, reached)) = state.waiters.pop_front() {
                let _ = reached.send(());
            }
        }
    }
}

/// The reader thread: one line at a time until every write end is closed.
fn read_lines(reader: PipeReader, lines: &LogLines) {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut buffer = Vec::with_capacity(1024);
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&buffer);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        match split_marker(text) {
            Some((before, marker)) => {
                // A line the process left unfinished ends where the marker begins.
                if !before.is_empty() {
                    lines.push(before);
                }
                lines.reached(marker);
            }
            None => lines.push(text),
        }
    }
}

/// `Some((text before it, marker))` for a line that ends with a marker.
fn split_marker(line: &str) -> Option<(&str, u64)> {
    let rest = line.strip_suffix(MARKER_EDGE)?;
    let start = rest.rfind(MARKER_EDGE)?;
    let marker = rest[start + MARKER_EDGE.len_utf8()..]
        .strip_prefix(MARKER_NAME)?
        .parse()
        .ok()?;
    Some((&line[..start], marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_after_an_unfinished_line_and_nowhere_else() {
        assert_eq!(split_marker("\u{0}lambdesk-log-sync 7\u{0}"), Some(("", 7)));
        assert_eq!(
            split_marker("half a line\u{0}lambdesk-log-sync 12\u{0}"),
            Some(("half a line", 12))
        );
        assert_eq!(split_marker("an ordinary line"), None);
        assert_eq!(split_marker("\u{0}something else\u{0}"), None);
    }

    #[tokio::test]
    async fn lines_written_before_the_marker_belong_to_the_invocation_that_ends() {
        let (pipe, mut ends) = LogPipe::new("test").unwrap();
        ends.stdout.write_all(b"first\nsecond\n").unwrap();
        ends.stderr.write_all(b"third, from stderr\n").unwrap();
        ends.stdout.write_all(b"unfinished").unwrap();
        assert_eq!(
            pipe.take_lines_written_so_far().await,
            ["first", "second", "third, from stderr", "unfinished"]
        );
        ends.stdout.write_all(b"next invocation\n").unwrap();
        assert_eq!(pipe.take_lines_written_so_far().await, ["next invocation"]);
        assert!(pipe.take_lines_written_so_far().await.is_empty());
    }
}
