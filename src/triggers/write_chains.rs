//! Lambda's recursive loop detection for writes: an invocation that may write to a bucket
//! is remembered while it runs (and briefly after), so a change the bucket watcher then
//! sees counts as the next hop of that invocation's chain. A thumbnail function that
//! writes into the bucket it watches is stopped after 16 hops instead of running forever.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long after an invocation ended a change in its buckets is still its doing: the
/// watcher announces a write within about two scans, later on a busy machine.
const ATTRIBUTION_WINDOW: Duration = Duration::from_secs(5);

#[derive(Debug)]
struct Writer {
    id: u64,
    bucket: String,
    hops: u32,
    ended: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct WriteChains {
    writers: Mutex<Vec<Writer>>,
    next_id: AtomicU64,
}

impl WriteChains {
    /// An invocation at `hops` that may write to `buckets` starts; returns its token.
    pub fn started(&self, buckets: &[String], hops: u32) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut writers = self.writers.lock().unwrap_or_else(PoisonError::into_inner);
        for bucket in buckets {
            writers.push(Writer {
                id,
                bucket: bucket.clone(),
                hops,
                ended: None,
            });
        }
        id
    }

    pub fn ended(&self, id: u64) {
        let now = Instant::now();
        let mut writers = self.writers.lock().unwrap_or_else(PoisonError::into_inner);
        for writer in writers.iter_mut().filter(|writer| writer.id == id) {
            writer.ended = Some(now);
        }
        // Forget writers past the window here too, so a busy function that writes
        // nothing watched does not grow the list.
        Self::forget_old(&mut writers, now);
    }

    fn forget_old(writers: &mut Vec<Writer>, now: Instant) {
        writers.retain(|writer| {
            writer
                .ended
                .is_none_or(|ended| now.duration_since(ended) < ATTRIBUTION_WINDOW)
        });
    }

    /// The hop count of a change just seen in `bucket`: one more than the invocations
    /// that may have made it, 0 when none could have (a user's own write).
    pub fn hops_of_change(&self, bucket: &str) -> u32 {
        let now = Instant::now();
        let mut writers = self.writers.lock().unwrap_or_else(PoisonError::into_inner);
        Self::forget_old(&mut writers, now);
        writers
            .iter()
            .filter(|writer| writer.bucket == bucket)
            .map(|writer| writer.hops + 1)
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_during_or_just_after_a_writer_continues_its_chain() {
        let chains = WriteChains::default();
        assert_eq!(chains.hops_of_change("photos"), 0);
        let id = chains.started(&["photos".to_owned()], 3);
        assert_eq!(chains.hops_of_change("photos"), 4);
        assert_eq!(chains.hops_of_change("other"), 0);
        chains.ended(id);
        assert_eq!(chains.hops_of_change("photos"), 4);
    }
}
