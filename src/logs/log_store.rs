use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::model::InvocationRecord;

use super::lambda_format::lambda_log_entries;
use super::log_file_writer::LogFileWriter;

/// One log line with what it belongs to. The strings are shared: an entry is cloned
/// into the memory ring and to every subscriber, and the lines of one invocation share
/// their function, request id and stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    #[serde(with = "super::log_time")]
    pub time: DateTime<Utc>,
    pub function: Arc<str>,
    pub request_id: Arc<str>,
    pub log_stream: Arc<str>,
    pub message: Arc<str>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot write the log file {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the log file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: not a log entry: {message}", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// How many lines a subscriber may fall behind before it misses some (it is told how
/// many with `RecvError::Lagged`, and can reread them from the files).
const SUBSCRIBER_BACKLOG_LINES: usize = 4096;

/// Every invocation's log lines: the newest `capacity_lines` in memory for the console,
/// all of them appended to `<logs_dir>/<function>.jsonl`, and pushed to subscribers.
#[derive(Debug)]
pub struct LogStore {
    capacity_lines: usize,
    recent: Mutex<VecDeque<LogEntry>>,
    sender: broadcast::Sender<LogEntry>,
    /// Appends to the files in batches, off the invocation's path.
    files: LogFileWriter,
}

impl LogStore {
    pub fn new(logs_dir: PathBuf, capacity_lines: usize) -> Self {
        let (sender, _) = broadcast::channel(SUBSCRIBER_BACKLOG_LINES);
        Self {
            capacity_lines,
            recent: Mutex::new(VecDeque::with_capacity(capacity_lines.min(65_536))),
            sender,
            files: LogFileWriter::new(logs_dir),
        }
    }

    /// Live log lines from now on. A receiver that falls more than a few thousand lines
    /// behind gets `Lagged` instead of slowing invocations down.
    pub fn subscribe(&self) -> broadcast::Receiver<LogEntry> {
        self.sender.subscribe()
    }

    /// The lines kept in memory, oldest first.
    pub fn recent(&self) -> Vec<LogEntry> {
        self.lock_recent().iter().cloned().collect()
    }

    fn lock_recent(&self) -> std::sync::MutexGuard<'_, VecDeque<LogEntry>> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn log_file(&self, function: &str) -> PathBuf {
        self.files.log_file(function)
    }

    /// Writes every line still waiting to its file; reports a write that failed.
    pub fn flush(&self) -> Result<(), LogError> {
        self.files.flush()
    }

    /// Records an invocation's START … REPORT lines. Subscribers and the memory ring get
    /// them at once, the file within a few milliseconds (`flush` to be sure); an error
    /// says the file could not be opened, or that an earlier batch could not be written.
    pub fn append_invocation(&self, record: &InvocationRecord) -> Result<(), LogError> {
        self.append_entries(&record.function, lambda_log_entries(record))
    }

    /// One line in `function`'s log for an invocation that could not start (no sandbox
    /// ran, so there is no START/END/REPORT): the Logs view shows why.
    pub fn append_not_started(
        &self,
        function: &str,
        origin: &str,
        reason: &str,
    ) -> Result<(), LogError> {
        let entry = LogEntry {
            time: Utc::now(),
            function: Arc::from(function),
            request_id: Arc::from(uuid::Uuid::new_v4().to_string()),
            log_stream: Arc::from("lambdesk"),
            message: Arc::from(format!(
                "{origin}: the invocation could not start: {reason}"
            )),
        };
        self.append_entries(function, vec![entry])
    }

    fn append_entries(&self, function: &str, entries: Vec<LogEntry>) -> Result<(), LogError> {
        let written = self.files.append(function, &entries);
        // A store that keeps no lines in memory (`serve`'s) skips the ring's lock.
        if self.capacity_lines > 0 {
            let mut recent = self.lock_recent();
            for entry in &entries {
                if recent.len() == self.capacity_lines {
                    recent.pop_front();
                }
                recent.push_back(entry.clone());
            }
        }
        for entry in entries {
            // No subscribers is fine: the lines are in memory and on disk.
            let _ = self.sender.send(entry);
        }
        written
    }

    /// All entries of a function's log file, oldest first.
    pub fn read_function_log(&self, function: &str) -> Result<Vec<LogEntry>, LogError> {
        self.files.write_waiting();
        read_log_file(&self.log_file(function))
    }
}

fn read_log_file(path: &Path) -> Result<Vec<LogEntry>, LogError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(LogError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|error| LogError::Corrupt {
                path: path.to_owned(),
                line: index + 1,
                message: error.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Architecture, Outcome};

    fn record(function: &str, lines: &[&str]) -> InvocationRecord {
        InvocationRecord {
            request_id: uuid::Uuid::new_v4().to_string(),
            function: function.into(),
            started_at: Utc::now(),
            duration_ms: 0.08,
            billed_duration_ms: 1,
            memory_size_mb: 128,
            max_memory_used_mb: 1,
            init_duration_ms: Some(1.5),
            build_duration_ms: None,
            architecture: Architecture::X86_64,
            ephemeral_storage_mb: 512,
            log_stream: "2026/11/26/[$LATEST]abc".into(),
            outcome: Outcome::Success(serde_json::Value::Null),
            init_log_lines: Vec::new(),
            outbox: Vec::new(),
            log_lines: lines.iter().map(|line| (*line).to_owned()).collect(),
        }
    }

    #[test]
    fn an_invocation_that_could_not_start_is_logged_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::new(dir.path().join("logs"), 5);
        store
            .append_not_started(
                "echo",
                "Schedule nightly",
                "the function is over its reserved concurrency",
            )
            .unwrap();
        let lines = store.read_function_log("echo").unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(
            &*lines[0].message,
            "Schedule nightly: the invocation could not start: the function is over its reserved concurrency"
        );
        assert_eq!(store.recent().len(), 1);
    }

    #[test]
    fn keeps_the_newest_lines_and_appends_everything_to_disk() {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::new(dir.path().join("logs"), 5);
        let mut live = store.subscribe();
        store.append_invocation(&record("echo", &["one"])).unwrap();
        store
            .append_invocation(&record("echo", &["two", "three"]))
            .unwrap();
        // 4 + 5 lines written; memory keeps the newest 5.
        let recent = store.recent();
        assert_eq!(recent.len(), 5);
        assert!(recent[0].message.starts_with("START"));
        assert_eq!(&*recent[1].message, "two");
        assert_eq!(store.read_function_log("echo").unwrap().len(), 9);
        let first = live.try_recv().unwrap();
        assert!(first.message.starts_with("START RequestId: "));
        assert_eq!(&*live.try_recv().unwrap().message, "one");
    }

    #[test]
    fn a_store_without_memory_lines_still_writes_and_broadcasts() {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::new(dir.path().to_owned(), 0);
        let mut live = store.subscribe();
        store.append_invocation(&record("f", &["one"])).unwrap();
        assert!(store.recent().is_empty());
        assert!(live.try_recv().unwrap().message.starts_with("START"));
        assert_eq!(store.read_function_log("f").unwrap().len(), 4);
    }

    #[test]
    fn a_log_file_deleted_while_open_is_written_anew() {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::new(dir.path().join("logs"), 10);
        store.append_invocation(&record("f", &["one"])).unwrap();
        store.flush().unwrap();
        std::fs::remove_dir_all(dir.path().join("logs")).unwrap();
        store.append_invocation(&record("f", &["two"])).unwrap();
        let lines = store.read_function_log("f").unwrap();
        assert!(lines.iter().any(|entry| &*entry.message == "two"));
        assert!(!lines.iter().any(|entry| &*entry.message == "one"));
    }

    #[test]
    fn a_corrupt_log_file_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::new(dir.path().to_owned(), 10);
        store.append_invocation(&record("echo", &[])).unwrap();
        store.flush().unwrap();
        let path = store.log_file("echo");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{not json\n");
        std::fs::write(&path, text).unwrap();
        let error = store.read_function_log("echo").unwrap_err().to_string();
        assert!(error.contains("echo.jsonl:4"), "{error}");
    }
}
