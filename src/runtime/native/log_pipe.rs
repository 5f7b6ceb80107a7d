//! A native process's log: its stdout and stderr are one pipe (so their lines keep the
//! order they were written in, as Lambda's log keeps them), read by the task that waits
//! for the process, not by a thread of its own. Which invocation a line belongs to needs
//! no marker then: the process wrote its lines before it posted its answer, so once the
//! answer is in, a read of the pipe until it is empty holds every one of them.
//!
//! The pipe is not watched for each write either: while Init or an invocation runs it
//! is emptied every few milliseconds (with the memory sampling), into a pipe made as
//! large as the system allows (1 MB by default). A process that logs and answers within
//! that time wakes lambdesk once, for its answer; handing each line over from a reader
//! thread, or waking for each write, cost one or two thread wake-ups per invocation
//! (on a 2-vCPU machine each is 20–30 µs, a good part of a warm invocation). Between
//! invocations nothing reads: a process that writes more than the pipe holds then waits
//! until its next invocation, much as Lambda freezes an idle environment.

use std::io::{PipeReader, PipeWriter};

use crate::runtime::sandbox::MAX_LOG_BYTES;

/// How much one read takes from the pipe.
const READ_CHUNK_BYTES: usize = 64 * 1024;

/// The pipe's size asked for: Linux's `pipe-max-size` default, which any process may
/// set. Without it a pipe holds 64 KB.
const PIPE_BYTES: usize = 1024 * 1024;

/// lambdesk's end of the pipe and the lines read from it not yet taken.
pub struct LogPipe {
    /// Non-blocking.
    reader: PipeReader,
    /// What one read fills, kept: it is read after every invocation.
    read_buffer: Vec<u8>,
    /// Every write end is closed: the process and all it started are gone.
    closed: bool,
    /// The end of the last read that was not a whole line yet.
    unfinished: Vec<u8>,
    lines: Vec<String>,
    kept_bytes: usize,
    dropped_bytes: usize,
}

/// The process's ends of the pipe: give one to stdout and one to stderr.
pub struct ProcessEnds {
    pub stdout: PipeWriter,
    pub stderr: PipeWriter,
}

impl LogPipe {
    pub fn new() -> std::io::Result<(Self, ProcessEnds)> {
        let (reader, writer) = std::io::pipe()?;
        rustix::io::ioctl_fionbio(&reader, true)?;
        // A smaller pipe only makes a very chatty process wait for the next read.
        let _ = rustix::pipe::fcntl_setpipe_size(&reader, PIPE_BYTES);
        let ends = ProcessEnds {
            stdout: writer.try_clone()?,
            stderr: writer,
        };
        let pipe = Self {
            reader,
            read_buffer: vec![0; READ_CHUNK_BYTES],
            closed: false,
            unfinished: Vec::new(),
            lines: Vec::new(),
            kept_bytes: 0,
            dropped_bytes: 0,
        };
        Ok((pipe, ends))
    }

    /// Reads what the pipe holds now, keeping it for the next take; makes room for the
    /// process to write more.
    pub fn read_written_so_far(&mut self) {
        // Taken out while lines are split from it, which needs `self`.
        let mut chunk = std::mem::take(&mut self.read_buffer);
        while !self.closed {
            match rustix::io::read(&self.reader, &mut chunk[..]) {
                Ok(0) => self.closed = true,
                Ok(count) => self.split_lines(&chunk[..count]),
                Err(rustix::io::Errno::INTR) => {}
                // Empty (`EAGAIN`), or unreadable: nothing more now.
                Err(_) => break,
            }
        }
        self.read_buffer = chunk;
    }

    /// Reads the pipe until it is empty, then takes the lines read since the last take
    /// (the invocation's, or Init's). A line the process left unfinished ends here.
    pub fn take_lines_written_so_far(&mut self) -> Vec<String> {
        self.read_written_so_far();
        if !self.unfinished.is_empty() {
            let unfinished = std::mem::take(&mut self.unfinished);
            self.push_line(&unfinished);
        }
        let mut lines = std::mem::take(&mut self.lines);
        self.kept_bytes = 0;
        let dropped_bytes = std::mem::take(&mut self.dropped_bytes);
        if dropped_bytes > 0 {
            lines.push(format!(
                "[lambdesk] {dropped_bytes} more bytes of log output were dropped (the limit is {MAX_LOG_BYTES} bytes per invocation)"
            ));
        }
        lines
    }

    fn split_lines(&mut self, mut bytes: &[u8]) {
        while let Some(end) = bytes.iter().position(|byte| *byte == b'\n') {
            if self.unfinished.is_empty() {
                self.push_line(&bytes[..end]);
            } else {
                self.unfinished.extend_from_slice(&bytes[..end]);
                let line = std::mem::take(&mut self.unfinished);
                self.push_line(&line);
            }
            bytes = &bytes[end + 1..];
        }
        self.unfinished.extend_from_slice(bytes);
    }

    fn push_line(&mut self, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if self.kept_bytes + line.len() > MAX_LOG_BYTES {
            self.dropped_bytes += line.len() + 1;
        } else {
            self.kept_bytes += line.len() + 1;
            self.lines.push(String::from_utf8_lossy(line).into_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn lines_written_before_a_take_belong_to_the_invocation_that_ends() {
        let (mut pipe, mut ends) = LogPipe::new().unwrap();
        ends.stdout.write_all(b"first\nsecond\r\n").unwrap();
        ends.stderr.write_all(b"third, from stderr\n").unwrap();
        ends.stdout.write_all(b"unfinished").unwrap();
        assert_eq!(
            pipe.take_lines_written_so_far(),
            ["first", "second", "third, from stderr", "unfinished"]
        );
        ends.stdout.write_all(b"next invocation\n").unwrap();
        assert_eq!(pipe.take_lines_written_so_far(), ["next invocation"]);
        assert!(pipe.take_lines_written_so_far().is_empty());
    }

    /// Writes `count` lines of 1 KB on a thread of its own.
    fn write_kilobyte_lines(mut stdout: PipeWriter, count: usize) -> std::thread::JoinHandle<()> {
        std::thread::Builder::new()
            .name("test-log-writer".to_owned())
            .spawn(move || {
                for _ in 0..count {
                    writeln!(stdout, "{}", "x".repeat(1023)).unwrap();
                }
            })
            .unwrap()
    }

    #[test]
    fn a_process_may_write_a_megabyte_unread_and_more_while_it_is_read() {
        let (mut pipe, ends) = LogPipe::new().unwrap();
        drop(ends.stderr);
        // Nearly 1 MB with nobody reading: the pipe holds it all (64 KB would not).
        let writer = write_kilobyte_lines(ends.stdout.try_clone().unwrap(), 1000);
        let waited = std::time::Instant::now();
        while !writer.is_finished() && waited.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(writer.is_finished(), "the writer waited for a read");
        let lines = pipe.take_lines_written_so_far();
        assert_eq!(lines.len(), 1000);
        assert!(lines.iter().all(|line| line.len() == 1023));

        // 3 MB, read every few milliseconds as an invocation's sampling reads it.
        let writer = write_kilobyte_lines(ends.stdout, 3000);
        while !writer.is_finished() {
            std::thread::sleep(std::time::Duration::from_millis(5));
            pipe.read_written_so_far();
        }
        assert_eq!(pipe.take_lines_written_so_far().len(), 3000);
        assert!(pipe.take_lines_written_so_far().is_empty());
    }
}
