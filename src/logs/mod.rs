//! Lambda-format log records and their store: the newest lines in memory, every line
//! appended to `.lambdesk/logs/<function>.jsonl`, and live subscribers.

mod lambda_format;
mod log_file_writer;
mod log_store;
mod log_time;

pub use lambda_format::{end_line, lambda_log_entries, report_line, start_line};
pub use log_store::{LogEntry, LogError, LogStore};
