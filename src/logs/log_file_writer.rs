//! Appends log lines to `<logs_dir>/<function>.jsonl` off the invocation's path: lines
//! wait in memory for a few milliseconds and go out in one write per file and batch.
//!
//! A write per invocation (an ext4 write that also updates the file's times, plus a
//! `fstat` to notice a deleted file) was a tenth of `serve`'s CPU under HTTP load; a
//! batch of a few hundred invocations costs the same one write.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::log_store::{LogEntry, LogError};

/// How long lines wait to be written with the ones that follow them. What a reader in
/// another process (`tail -f`, a second lambdesk) waits at most, and what a `kill -9`
/// can lose.
const BATCH_DELAY: Duration = Duration::from_millis(5);

/// Past this much waiting text (a disk that has stalled), the invocation that adds more
/// writes it itself: back-pressure instead of unbounded memory.
const MAX_PENDING_BYTES: usize = 4 << 20;

/// Lines waiting to be written, and how the writer thread and the appenders meet.
#[derive(Default)]
struct Pending {
    text_by_function: HashMap<String, Vec<u8>>,
    bytes: usize,
    /// Functions whose file was opened once: later appends do not take the files' lock
    /// (the writer thread holds it during its write).
    opened: HashSet<String>,
    /// The writer thread sleeps until told there is something to write.
    writer_waiting: bool,
    stopping: bool,
    /// A failed batch write, reported by the next `append` or `flush`.
    failure: Option<LogError>,
}

struct Shared {
    logs_dir: PathBuf,
    pending: Mutex<Pending>,
    wake_writer: Condvar,
    /// Open log files in append mode. Held while a batch is taken and written, so
    /// batches reach the files in the order their lines were appended.
    files: Mutex<HashMap<String, File>>,
}

#[derive(Debug)]
pub struct LogFileWriter {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Shared")
            .field("logs_dir", &self.logs_dir)
            .finish_non_exhaustive()
    }
}

impl LogFileWriter {
    pub fn new(logs_dir: PathBuf) -> Self {
        let shared = Arc::new(Shared {
            logs_dir,
            pending: Mutex::default(),
            wake_writer: Condvar::new(),
            files: Mutex::default(),
        });
        let for_thread = Arc::clone(&shared);
        // Without the thread every append writes at once: slower, same result.
        let writer = std::thread::Builder::new()
            .name("lambdesk-log-writer".to_owned())
            .spawn(move || for_thread.write_batches())
            .ok();
        Self { shared, writer }
    }

    pub fn log_file(&self, function: &str) -> PathBuf {
        log_file(&self.shared.logs_dir, function)
    }

    /// Queues `entries` for the function's file. The first append to a file opens it at
    /// once, so a folder that cannot be written is reported by the invocation that found
    /// it; a later failed write is reported by the next append.
    pub fn append(&self, function: &str, entries: &[LogEntry]) -> Result<(), LogError> {
        let mut text = Vec::with_capacity(entries.len() * 256);
        write_json_lines(entries, &mut text);
        if self.writer.is_none() {
            let mut files = self.shared.lock_files();
            let mut batch = HashMap::from([(function.to_owned(), text)]);
            return self.shared.write_batch(&mut files, &mut batch);
        }
        let (failure, over_limit) = {
            let mut pending = self.shared.lock_pending();
            if !pending.opened.contains(function) {
                // Once per function: open outside the lock, then queue.
                drop(pending);
                self.shared.open_if_closed(function)?;
                pending = self.shared.lock_pending();
                pending.opened.insert(function.to_owned());
            }
            pending.bytes += text.len();
            match pending.text_by_function.get_mut(function) {
                Some(waiting) => waiting.extend_from_slice(&text),
                None => {
                    pending.text_by_function.insert(function.to_owned(), text);
                }
            }
            if pending.writer_waiting {
                pending.writer_waiting = false;
                self.shared.wake_writer.notify_one();
            }
            (pending.failure.take(), pending.bytes > MAX_PENDING_BYTES)
        };
        if over_limit {
            self.write_waiting();
        }
        failure.map_or(Ok(()), Err)
    }

    /// Writes every waiting line now (before reading the files back, and at the end of a
    /// command), and reports a write that failed since the last report.
    pub fn flush(&self) -> Result<(), LogError> {
        self.write_waiting();
        self.shared
            .lock_pending()
            .failure
            .take()
            .map_or(Ok(()), Err)
    }

    /// Writes every waiting line now; a failure waits to be reported by the next
    /// `append` or `flush` (reading a log back is not the place to report another
    /// function's failed write).
    pub fn write_waiting(&self) {
        let mut files = self.shared.lock_files();
        let mut batch = {
            let mut pending = self.shared.lock_pending();
            pending.bytes = 0;
            std::mem::take(&mut pending.text_by_function)
        };
        if let Err(error) = self.shared.write_batch(&mut files, &mut batch) {
            self.shared.keep_failure(error);
        }
    }
}

impl Drop for LogFileWriter {
    fn drop(&mut self) {
        self.shared.lock_pending().stopping = true;
        self.shared.wake_writer.notify_one();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        // Whatever the thread left (it had stopped early): nothing logged is lost.
        if let Err(error) = self.flush() {
            eprintln!("lambdesk: {error}");
        }
    }
}

impl Shared {
    fn lock_pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_files(&self) -> MutexGuard<'_, HashMap<String, File>> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The writer thread: sleeps until lines wait, lets a batch gather, writes it.
    fn write_batches(&self) {
        loop {
            {
                let mut pending = self.lock_pending();
                while pending.text_by_function.is_empty() && !pending.stopping {
                    pending.writer_waiting = true;
                    pending = self
                        .wake_writer
                        .wait(pending)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                // Let a batch gather; a stop cuts the wait short (the owner flushes what
                // is left), so a command ends without waiting for the batch.
                let deadline = std::time::Instant::now() + BATCH_DELAY;
                while !pending.stopping {
                    let Some(left) = deadline.checked_duration_since(std::time::Instant::now())
                    else {
                        break;
                    };
                    pending = self
                        .wake_writer
                        .wait_timeout(pending, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
                if pending.stopping {
                    return;
                }
            }
            let mut files = self.lock_files();
            let mut batch = {
                let mut pending = self.lock_pending();
                pending.bytes = 0;
                std::mem::take(&mut pending.text_by_function)
            };
            if let Err(error) = self.write_batch(&mut files, &mut batch) {
                self.keep_failure(error);
            }
        }
    }

    /// Keeps a failed write for the next report; the first failure is the one told.
    fn keep_failure(&self, error: LogError) {
        let mut pending = self.lock_pending();
        if pending.failure.is_none() {
            pending.failure = Some(error);
        }
    }

    /// Opens the function's log file if it is not open yet.
    fn open_if_closed(&self, function: &str) -> Result<(), LogError> {
        let mut files = self.lock_files();
        if !files.contains_key(function) {
            let file = open_log_file(&self.logs_dir, function)?;
            files.insert(function.to_owned(), file);
        }
        Ok(())
    }

    /// One write per file; the first error is returned after trying every file.
    fn write_batch(
        &self,
        files: &mut HashMap<String, File>,
        batch: &mut HashMap<String, Vec<u8>>,
    ) -> Result<(), LogError> {
        let mut result = Ok(());
        for (function, text) in batch.drain() {
            if let Err(error) = self.write_text(files, &function, &text) {
                files.remove(&function);
                if result.is_ok() {
                    result = Err(error);
                }
            }
        }
        result
    }

    fn write_text(
        &self,
        files: &mut HashMap<String, File>,
        function: &str,
        text: &[u8],
    ) -> Result<(), LogError> {
        // A file deleted while open (the user cleared the logs) is opened anew.
        let still_linked = files
            .get(function)
            .and_then(|file| file.metadata().ok())
            .is_some_and(|metadata| metadata.nlink() > 0);
        if !still_linked {
            files.insert(
                function.to_owned(),
                open_log_file(&self.logs_dir, function)?,
            );
        }
        match files.get_mut(function) {
            Some(file) => file.write_all(text).map_err(|source| LogError::Write {
                path: log_file(&self.logs_dir, function),
                source,
            }),
            None => Ok(()),
        }
    }
}

/// The entries as JSON lines, exactly as `serde_json::to_string(entry)` writes each, but
/// with the function, request id and stream escaped once for the lines that share them
/// (an invocation's lines all do).
fn write_json_lines(entries: &[LogEntry], text: &mut Vec<u8>) {
    // Strings and a time: serialising them cannot fail.
    let mut shared: Option<(&LogEntry, Vec<u8>)> = None;
    for entry in entries {
        let same_invocation = shared.as_ref().is_some_and(|(first, _)| {
            Arc::ptr_eq(&first.function, &entry.function)
                && Arc::ptr_eq(&first.request_id, &entry.request_id)
                && Arc::ptr_eq(&first.log_stream, &entry.log_stream)
        });
        if !same_invocation {
            let mut fields = Vec::with_capacity(160);
            for (key, value) in [
                (&b",\"function\":"[..], &entry.function),
                (b",\"request_id\":", &entry.request_id),
                (b",\"log_stream\":", &entry.log_stream),
            ] {
                fields.extend_from_slice(key);
                let _ = serde_json::to_writer(&mut fields, &**value);
            }
            shared = Some((entry, fields));
        }
        text.extend_from_slice(b"{\"time\":");
        let _ =
            super::log_time::serialize(&entry.time, &mut serde_json::Serializer::new(&mut *text));
        if let Some((_, fields)) = &shared {
            text.extend_from_slice(fields);
        }
        text.extend_from_slice(b",\"message\":");
        let _ = serde_json::to_writer(&mut *text, &*entry.message);
        text.extend_from_slice(b"}\n");
    }
}

fn log_file(logs_dir: &Path, function: &str) -> PathBuf {
    logs_dir.join(format!("{function}.jsonl"))
}

/// Append mode: every batch is one write of whole lines, so two processes writing the
/// same file (the console and a CLI run) never interleave inside a line.
fn open_log_file(logs_dir: &Path, function: &str) -> Result<File, LogError> {
    let path = log_file(logs_dir, function);
    let write_error = |source| LogError::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(logs_dir).map_err(write_error)?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(write_error)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn entry(message: &str) -> LogEntry {
        LogEntry {
            time: chrono::Utc::now(),
            function: Arc::from("f"),
            request_id: Arc::from("r"),
            log_stream: Arc::from("s"),
            message: Arc::from(message),
        }
    }

    fn lines_in(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|line| {
                serde_json::from_str::<LogEntry>(line)
                    .unwrap()
                    .message
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn lines_are_written_exactly_as_serde_writes_an_entry() {
        let shared = entry("START RequestId: r");
        let lines = [
            shared.clone(),
            LogEntry {
                message: Arc::from("a \"quoted\"\tline\u{1}"),
                ..shared.clone()
            },
            // Another invocation's line, with strings that need escaping.
            LogEntry {
                function: Arc::from("other"),
                request_id: Arc::from("r\"2"),
                ..entry("END")
            },
        ];
        let mut text = Vec::new();
        write_json_lines(&lines, &mut text);
        let expected: String = lines
            .iter()
            .map(|line| serde_json::to_string(line).unwrap() + "\n")
            .collect();
        assert_eq!(String::from_utf8(text).unwrap(), expected);
    }

    #[test]
    fn lines_reach_the_file_by_themselves_shortly_after() {
        let dir = tempfile::tempdir().unwrap();
        let writer = LogFileWriter::new(dir.path().join("logs"));
        writer.append("f", &[entry("one"), entry("two")]).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while lines_in(&writer.log_file("f")).len() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(lines_in(&writer.log_file("f")), ["one", "two"]);
    }

    #[test]
    fn lines_from_many_threads_are_all_written_whole_and_in_each_threads_order() {
        let dir = tempfile::tempdir().unwrap();
        let writer = LogFileWriter::new(dir.path().to_owned());
        std::thread::scope(|scope| {
            for thread in 0..4 {
                let writer = &writer;
                scope.spawn(move || {
                    for index in 0..500 {
                        let message = format!("{thread}:{index}");
                        writer.append("f", &[entry(&message)]).unwrap();
                    }
                });
            }
        });
        drop(writer);
        let lines = lines_in(&dir.path().join("f.jsonl"));
        assert_eq!(lines.len(), 2000);
        for thread in 0..4 {
            let own: Vec<usize> = lines
                .iter()
                .filter_map(|line| line.strip_prefix(&format!("{thread}:")))
                .map(|index| index.parse().unwrap())
                .collect();
            assert_eq!(own, (0..500).collect::<Vec<_>>());
        }
    }

    #[test]
    fn dropping_the_writer_writes_what_waits_in_a_gathering_batch() {
        let dir = tempfile::tempdir().unwrap();
        let writer = LogFileWriter::new(dir.path().to_owned());
        // The thread is woken by the first line and gathers the batch when the stop
        // comes: the stop cuts the gathering short and the owner writes the lines.
        writer.append("f", &[entry("one")]).unwrap();
        writer.append("f", &[entry("two")]).unwrap();
        drop(writer);
        assert_eq!(lines_in(&dir.path().join("f.jsonl")), ["one", "two"]);
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_reported_by_the_first_append() {
        let dir = tempfile::tempdir().unwrap();
        let not_a_folder = dir.path().join("logs");
        std::fs::write(&not_a_folder, "a file").unwrap();
        let writer = LogFileWriter::new(not_a_folder);
        let error = writer.append("f", &[entry("one")]).unwrap_err();
        assert!(
            error.to_string().contains("cannot write the log file"),
            "{error}"
        );
    }

    #[test]
    fn a_failed_batch_is_reported_by_flush_and_the_next_append() {
        let dir = tempfile::tempdir().unwrap();
        // Every write to /dev/full fails as a full disk does.
        std::os::unix::fs::symlink("/dev/full", dir.path().join("f.jsonl")).unwrap();
        let writer = LogFileWriter::new(dir.path().to_owned());
        writer.append("f", &[entry("one")]).unwrap();
        let error = writer.flush().unwrap_err();
        assert!(error.to_string().contains("f.jsonl"), "{error}");
        // The writer thread's failed batch is told by a later append.
        writer.append("f", &[entry("two")]).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let error = loop {
            match writer.append("f", &[entry("more")]) {
                Err(error) => break error,
                Ok(()) if Instant::now() < deadline => std::thread::sleep(BATCH_DELAY),
                Ok(()) => panic!("no append reported the failed batch"),
            }
        };
        assert!(error.to_string().contains("f.jsonl"), "{error}");
    }
}
