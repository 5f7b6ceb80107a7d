use std::sync::Arc;

use chrono::TimeDelta;

use crate::model::InvocationRecord;

use super::log_store::LogEntry;

pub fn start_line(request_id: &str) -> String {
    format!("START RequestId: {request_id} Version: $LATEST")
}

pub fn end_line(request_id: &str) -> String {
    format!("END RequestId: {request_id}")
}

/// `REPORT RequestId: …\tDuration: 0.08 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\t
/// Max Memory Used: 1 MB` and, on a cold start, `\tInit Duration: 1.23 ms`.
pub fn report_line(record: &InvocationRecord) -> String {
    let mut line = format!(
        "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
        record.request_id,
        record.duration_ms,
        record.billed_duration_ms,
        record.memory_size_mb,
        record.max_memory_used_mb,
    );
    if let Some(init_duration_ms) = record.init_duration_ms {
        line.push_str(&format!("\tInit Duration: {init_duration_ms:.2} ms"));
    }
    line
}

/// The whole log of one invocation as Lambda writes it: on a cold start the lines of
/// Init, then START, the function's lines, END, REPORT.
pub fn lambda_log_entries(record: &InvocationRecord) -> Vec<LogEntry> {
    let ended_at = record.started_at
        + TimeDelta::microseconds(
            // Sub-microsecond precision is noise in a log timestamp.
            #[expect(clippy::cast_possible_truncation, reason = "durations fit in i64 µs")]
            {
                (record.duration_ms * 1000.0) as i64
            },
        );
    let function: Arc<str> = Arc::from(record.function.as_str());
    let request_id: Arc<str> = Arc::from(record.request_id.as_str());
    let log_stream: Arc<str> = Arc::from(record.log_stream.as_str());
    let entry = |time, message: &str| LogEntry {
        time,
        function: Arc::clone(&function),
        request_id: Arc::clone(&request_id),
        log_stream: Arc::clone(&log_stream),
        message: Arc::from(message),
    };
    let mut entries = Vec::with_capacity(record.init_log_lines.len() + record.log_lines.len() + 3);
    entries.extend(
        record
            .init_log_lines
            .iter()
            .map(|line| entry(record.started_at, line)),
    );
    entries.push(entry(record.started_at, &start_line(&record.request_id)));
    entries.extend(
        record
            .log_lines
            .iter()
            .map(|line| entry(record.started_at, line)),
    );
    entries.push(entry(ended_at, &end_line(&record.request_id)));
    entries.push(entry(ended_at, &report_line(record)));
    entries
}
