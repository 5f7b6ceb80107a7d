//! The invocations of this session, newest last: what the Logs view shows in each
//! invocation's header, what "Re-run with this event" sends again, and what the Monitor
//! charts plot over time. Bounded in count and in the bytes of events kept.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::InvocationRecord;

/// Invocations remembered; older ones stay in the log files only.
const MAX_INVOCATIONS: usize = 20_000;

/// Bytes of events kept for re-running; the oldest events are forgotten first (their
/// invocations stay, without the Re-run button).
const MAX_EVENT_BYTES: usize = 64 * 1024 * 1024;

/// One finished invocation, as the Logs and Monitor views need it.
#[derive(Debug, Clone)]
pub struct InvocationSummary {
    pub request_id: String,
    pub function: String,
    pub started_at: DateTime<Utc>,
    pub duration_ms: f64,
    pub billed_duration_ms: u64,
    pub memory_size_mb: u32,
    /// `None` when the invocation succeeded; else Lambda's `errorType`.
    pub error_type: Option<String>,
    pub cost_usd: f64,
    /// What started it: "Test", "Re-run", later the trigger.
    pub source: String,
    /// The event it ran with, while the byte budget allows keeping it.
    pub event: Option<Arc<str>>,
}

impl InvocationSummary {
    pub fn new(record: &InvocationRecord, cost_usd: f64, source: &str, event: Arc<str>) -> Self {
        Self {
            request_id: record.request_id.clone(),
            function: record.function.clone(),
            started_at: record.started_at,
            duration_ms: record.duration_ms,
            billed_duration_ms: record.billed_duration_ms,
            memory_size_mb: record.memory_size_mb,
            error_type: record.error().map(|error| error.error_type.clone()),
            cost_usd,
            source: source.to_owned(),
            event: Some(event),
        }
    }

    pub fn is_success(&self) -> bool {
        self.error_type.is_none()
    }
}

#[derive(Debug, Default)]
pub struct InvocationHistory {
    invocations: VecDeque<InvocationSummary>,
    /// Sequence number of `invocations[0]`; an invocation's sequence number never changes.
    first_sequence: u64,
    by_request_id: HashMap<String, u64>,
    event_bytes: usize,
    /// Sequence number of the oldest invocation that may still hold its event.
    oldest_event_sequence: u64,
}

impl InvocationHistory {
    pub fn push(&mut self, summary: InvocationSummary) {
        if self.invocations.len() == MAX_INVOCATIONS {
            self.pop_oldest();
        }
        self.event_bytes += summary.event.as_ref().map_or(0, |event| event.len());
        let sequence = self.first_sequence + self.invocations.len() as u64;
        self.by_request_id
            .insert(summary.request_id.clone(), sequence);
        self.invocations.push_back(summary);
        self.forget_events_over_budget();
    }

    fn pop_oldest(&mut self) {
        if let Some(oldest) = self.invocations.pop_front() {
            self.event_bytes -= oldest.event.as_ref().map_or(0, |event| event.len());
            // Retries share a request id: the map may point at a newer attempt.
            if self.by_request_id.get(&oldest.request_id) == Some(&self.first_sequence) {
                self.by_request_id.remove(&oldest.request_id);
            }
            self.first_sequence += 1;
            self.oldest_event_sequence = self.oldest_event_sequence.max(self.first_sequence);
        }
    }

    fn forget_events_over_budget(&mut self) {
        while self.event_bytes > MAX_EVENT_BYTES {
            let index = (self.oldest_event_sequence - self.first_sequence) as usize;
            let Some(summary) = self.invocations.get_mut(index) else {
                return;
            };
            if let Some(event) = summary.event.take() {
                self.event_bytes -= event.len();
            }
            self.oldest_event_sequence += 1;
        }
    }

    pub fn get(&self, request_id: &str) -> Option<&InvocationSummary> {
        let sequence = self.by_request_id.get(request_id)?;
        self.invocations
            .get(usize::try_from(sequence - self.first_sequence).ok()?)
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &InvocationSummary> {
        self.invocations.iter()
    }

    pub fn len(&self) -> usize {
        self.invocations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.invocations.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(request_id: &str, event: &str) -> InvocationSummary {
        InvocationSummary {
            request_id: request_id.to_owned(),
            function: "f".to_owned(),
            started_at: Utc::now(),
            duration_ms: 1.0,
            billed_duration_ms: 1,
            memory_size_mb: 128,
            error_type: None,
            cost_usd: 0.0,
            source: "Test".to_owned(),
            event: Some(Arc::from(event)),
        }
    }

    #[test]
    fn finds_invocations_by_request_id() {
        let mut history = InvocationHistory::default();
        history.push(summary("a", "{}"));
        history.push(summary("b", "[1]"));
        assert_eq!(
            history.get("b").and_then(|s| s.event.as_deref()),
            Some("[1]")
        );
        assert!(history.get("c").is_none());
    }

    #[test]
    fn keeps_at_most_max_invocations() {
        let mut history = InvocationHistory::default();
        for n in 0..MAX_INVOCATIONS + 5 {
            history.push(summary(&n.to_string(), "{}"));
        }
        assert_eq!(history.len(), MAX_INVOCATIONS);
        assert!(history.get("4").is_none());
        assert!(history.get("5").is_some());
        assert_eq!(
            history.iter().next_back().map(|s| s.request_id.as_str()),
            Some((MAX_INVOCATIONS + 4).to_string().as_str())
        );
    }

    #[test]
    fn a_retry_under_the_same_request_id_stays_findable() {
        let mut history = InvocationHistory::default();
        history.push(summary("same", "{\"attempt\":1}"));
        for n in 0..MAX_INVOCATIONS - 1 {
            history.push(summary(&n.to_string(), "{}"));
        }
        history.push(summary("same", "{\"attempt\":2}"));
        // The first attempt is gone; the map still finds the second.
        assert_eq!(
            history.get("same").and_then(|s| s.event.as_deref()),
            Some("{\"attempt\":2}")
        );
    }

    #[test]
    fn forgets_the_oldest_events_over_the_byte_budget() {
        let mut history = InvocationHistory::default();
        let big = "x".repeat(MAX_EVENT_BYTES / 2);
        history.push(summary("1", &big));
        history.push(summary("2", &big));
        history.push(summary("3", &big));
        assert!(history.get("1").is_some_and(|s| s.event.is_none()));
        assert!(history.get("2").is_some_and(|s| s.event.is_some()));
        assert!(history.get("3").is_some_and(|s| s.event.is_some()));
    }
}
