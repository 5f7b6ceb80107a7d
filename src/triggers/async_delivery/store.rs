//! The durable backlog of asynchronous invocations: an SQLite file in the workspace's
//! state folder (`.lambdesk/state.sqlite`), so events queued by buckets and schedules
//! survive a crash or a stop and are delivered in order of arrival on the next start.
//!
//! An event is *leased* while it runs; a lease that expires (the process died) makes the
//! event due again: delivery is at least once, as on Lambda.

use std::path::Path;

use rusqlite::{OptionalExtension as _, TransactionBehavior, params};

pub use crate::triggers::state_db::StoreError;
use crate::triggers::state_db::{StateDb, process_is_running};

/// One queued asynchronous invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsyncEvent {
    pub id: i64,
    pub function: String,
    pub event: String,
    /// What queued it: `Schedule rate(5 minutes)`, `Bucket photos`, `Destination of f`.
    pub origin: String,
    /// Lambda keeps one request id across the retries of an event.
    pub request_id: String,
    pub enqueued_at_ms: i64,
    /// Invocations so far (0 before the first).
    pub attempts: u32,
    /// Invocations in the chain that led here (recursive loop detection).
    pub hops: u32,
}

/// What to queue.
#[derive(Debug, Clone)]
pub struct NewAsyncEvent<'a> {
    pub function: &'a str,
    pub event: &'a str,
    pub origin: &'a str,
    pub hops: u32,
}

#[derive(Debug)]
pub struct AsyncStore {
    db: StateDb,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS async_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    function TEXT NOT NULL,
    event TEXT NOT NULL,
    origin TEXT NOT NULL,
    request_id TEXT NOT NULL,
    enqueued_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    hops INTEGER NOT NULL DEFAULT 0,
    due_at_ms INTEGER NOT NULL,
    leased_until_ms INTEGER NOT NULL DEFAULT 0,
    lease_owner INTEGER
);
CREATE INDEX IF NOT EXISTS async_events_due ON async_events (due_at_ms, id);
";

impl AsyncStore {
    /// Opens (creating) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = StateDb::open(path, SCHEMA)?;
        db.add_column_if_missing("async_events", "lease_owner", "INTEGER")?;
        Ok(Self { db })
    }

    /// Queues an event, due now; returns its id.
    pub fn enqueue(&self, new: &NewAsyncEvent<'_>, now_ms: i64) -> Result<i64, StoreError> {
        let connection = self.db.connection();
        connection
            .execute(
                "INSERT INTO async_events (function, event, origin, request_id, enqueued_at_ms, hops, due_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5)",
                params![
                    new.function,
                    new.event,
                    new.origin,
                    uuid::Uuid::new_v4().to_string(),
                    now_ms,
                    new.hops
                ],
            )
            .map_err(self.db.query_error())?;
        Ok(connection.last_insert_rowid())
    }

    /// Leases up to `limit` due events, oldest first, for `lease_ms`.
    pub fn lease_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<AsyncEvent>, StoreError> {
        let mut connection = self.db.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(self.db.query_error())?;
        let events = {
            let mut statement = transaction
                .prepare(
                    "SELECT id, function, event, origin, request_id, enqueued_at_ms, attempts, hops
                     FROM async_events WHERE due_at_ms <= ?1 AND leased_until_ms <= ?1
                     ORDER BY due_at_ms, id LIMIT ?2",
                )
                .map_err(self.db.query_error())?;
            let rows = statement
                .query_map(
                    params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)],
                    |row| {
                        Ok(AsyncEvent {
                            id: row.get(0)?,
                            function: row.get(1)?,
                            event: row.get(2)?,
                            origin: row.get(3)?,
                            request_id: row.get(4)?,
                            enqueued_at_ms: row.get(5)?,
                            attempts: row.get(6)?,
                            hops: row.get(7)?,
                        })
                    },
                )
                .map_err(self.db.query_error())?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(self.db.query_error())?
        };
        for event in &events {
            transaction
                .execute(
                    "UPDATE async_events SET leased_until_ms = ?1, lease_owner = ?3 WHERE id = ?2",
                    params![now_ms + lease_ms, event.id, std::process::id()],
                )
                .map_err(self.db.query_error())?;
        }
        transaction.commit().map_err(self.db.query_error())?;
        Ok(events)
    }

    /// The event is done with (delivered, or given up on and sent to its destination).
    pub fn remove(&self, id: i64) -> Result<(), StoreError> {
        self.db
            .connection()
            .execute("DELETE FROM async_events WHERE id = ?1", params![id])
            .map_err(self.db.query_error())?;
        Ok(())
    }

    /// Makes the event due again at `due_at_ms` after `attempts` invocations.
    pub fn retry_later(&self, id: i64, attempts: u32, due_at_ms: i64) -> Result<(), StoreError> {
        self.db.connection()
            .execute(
                "UPDATE async_events SET attempts = ?1, due_at_ms = ?2, leased_until_ms = 0 WHERE id = ?3",
                params![attempts, due_at_ms, id],
            )
            .map_err(self.db.query_error())?;
        Ok(())
    }

    /// Makes the events leased by processes that are gone due again: called when
    /// delivery starts, so what a stopped or crashed process was running is delivered at
    /// once (at least once), while a console and `serve` running on one workspace keep
    /// each other's leases.
    pub fn release_leases(&self) -> Result<(), StoreError> {
        let owners: Vec<Option<i64>> = {
            let connection = self.db.connection();
            let mut statement = connection
                .prepare("SELECT DISTINCT lease_owner FROM async_events WHERE leased_until_ms > 0")
                .map_err(self.db.query_error())?;
            let rows = statement
                .query_map([], |row| row.get(0))
                .map_err(self.db.query_error())?;
            rows.collect::<Result<_, _>>()
                .map_err(self.db.query_error())?
        };
        for owner in owners {
            if owner
                .is_some_and(|pid| pid != i64::from(std::process::id()) && process_is_running(pid))
            {
                continue;
            }
            self.db.connection()
                .execute(
                    "UPDATE async_events SET leased_until_ms = 0, lease_owner = NULL WHERE lease_owner IS ?1",
                    params![owner],
                )
                .map_err(self.db.query_error())?;
        }
        Ok(())
    }

    /// Events waiting, leased or not.
    pub fn waiting(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .db
            .connection()
            .query_row("SELECT COUNT(*) FROM async_events", [], |row| row.get(0))
            .map_err(self.db.query_error())?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// When the next event is due, if any is waiting.
    pub fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        self.db
            .connection()
            .query_row(
                "SELECT MIN(MAX(due_at_ms, leased_until_ms)) FROM async_events",
                [],
                |row| row.get::<_, Option<i64>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(self.db.query_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_event<'a>(function: &'a str, event: &'a str) -> NewAsyncEvent<'a> {
        NewAsyncEvent {
            function,
            event,
            origin: "test",
            hops: 0,
        }
    }

    #[test]
    fn events_come_out_in_order_of_arrival_and_leases_hide_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = AsyncStore::open(&dir.path().join("state.sqlite")).unwrap();
        store.enqueue(&new_event("a", "1"), 1_000).unwrap();
        store.enqueue(&new_event("b", "2"), 1_001).unwrap();
        let leased = store.lease_due(2_000, 10, 500).unwrap();
        assert_eq!(
            leased.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
            vec!["1", "2"]
        );
        assert!(store.lease_due(2_100, 10, 500).unwrap().is_empty());
        // The lease ran out (the process died): due again, same request id.
        let again = store.lease_due(2_600, 10, 500).unwrap();
        assert_eq!(again.len(), 2);
        assert_eq!(again[0].request_id, leased[0].request_id);
    }

    #[test]
    fn a_retry_waits_and_counts_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let store = AsyncStore::open(&dir.path().join("state.sqlite")).unwrap();
        let id = store.enqueue(&new_event("a", "1"), 0).unwrap();
        let leased = store.lease_due(0, 10, 1_000).unwrap();
        store.retry_later(id, 1, 60_000).unwrap();
        assert!(store.lease_due(59_999, 10, 1_000).unwrap().is_empty());
        assert_eq!(store.next_due_ms().unwrap(), Some(60_000));
        let retried = store.lease_due(60_000, 10, 1_000).unwrap();
        assert_eq!(retried[0].attempts, 1);
        assert_eq!(retried[0].request_id, leased[0].request_id);
        store.remove(id).unwrap();
        assert_eq!(store.waiting().unwrap(), 0);
        assert_eq!(store.next_due_ms().unwrap(), None);
    }

    #[test]
    fn leases_of_a_running_process_are_kept_and_of_a_gone_one_released() {
        let dir = tempfile::tempdir().unwrap();
        let store = AsyncStore::open(&dir.path().join("state.sqlite")).unwrap();
        store.enqueue(&new_event("a", "mine"), 0).unwrap();
        store.enqueue(&new_event("a", "theirs"), 0).unwrap();
        store.enqueue(&new_event("a", "crashed"), 0).unwrap();
        store.lease_due(0, 10, 1_000_000).unwrap();
        // Pretend one lease belongs to a running process (pid 1 is always there) and one
        // to a process that is gone.
        let connection = store.db.connection();
        connection
            .execute(
                "UPDATE async_events SET lease_owner = 1 WHERE event = 'theirs'",
                [],
            )
            .unwrap();
        connection
            .execute(
                "UPDATE async_events SET lease_owner = 999999999 WHERE event = 'crashed'",
                [],
            )
            .unwrap();
        drop(connection);
        store.release_leases().unwrap();
        let due: Vec<String> = store
            .lease_due(1, 10, 10)
            .unwrap()
            .into_iter()
            .map(|event| event.event)
            .collect();
        assert_eq!(due, vec!["mine", "crashed"]);
    }

    #[test]
    fn events_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        AsyncStore::open(&path)
            .unwrap()
            .enqueue(&new_event("a", "kept"), 0)
            .unwrap();
        let reopened = AsyncStore::open(&path).unwrap();
        assert_eq!(reopened.lease_due(0, 10, 10).unwrap()[0].event, "kept");
    }

    #[test]
    fn an_event_on_a_full_disk_says_disk_full_and_keeps_the_backlog() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = AsyncStore::open(&path).unwrap();
        store.enqueue(&new_event("a", "kept"), 0).unwrap();
        // SQLite's page limit stands in for a full disk: the same SQLITE_FULL error.
        let connection = store.db.connection();
        let pages: i64 = connection
            .query_row("PRAGMA page_count", [], |row| row.get(0))
            .unwrap();
        connection
            .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
            .unwrap();
        drop(connection);
        let large = "x".repeat(200_000);
        let error = store.enqueue(&new_event("a", &large), 1).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("disk full: "), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert_eq!(store.waiting().unwrap(), 1);
    }

    #[test]
    fn a_damaged_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        std::fs::write(
            &path,
            b"this is not a database, just some text that got here",
        )
        .unwrap();
        let error = AsyncStore::open(&path).unwrap_err().to_string();
        assert!(error.contains("state.sqlite"), "{error}");
    }
}
