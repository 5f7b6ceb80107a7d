//! Queues with SQS semantics in the workspace's state database: a received message is
//! hidden for the visibility timeout and comes back unless deleted with its receipt
//! handle; after `max_receive_count` receives it moves to the dead-letter queue; messages
//! older than the retention period are dropped; FIFO queues hand out a message group in
//! order and hold the group back while a batch of it is in flight, and drop duplicates
//! within SQS's five-minute deduplication window.

use std::path::Path;

use rusqlite::{OptionalExtension as _, Transaction, TransactionBehavior, params};
use sha2::{Digest as _, Sha256};

use crate::model::QueueConfig;
use crate::triggers::message_attribute::MessageAttributes;
use crate::triggers::state_db::{StateDb, StoreError};

/// SQS's deduplication interval for FIFO queues.
const DEDUPLICATION_WINDOW_MS: i64 = 5 * 60 * 1000;

/// A queue's settings as the store applies them (from `[queues.<name>]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSettings {
    pub name: String,
    pub visibility_timeout_ms: i64,
    pub retention_ms: i64,
    /// `(dead-letter queue, max receive count)`.
    pub redrive: Option<(String, u32)>,
    pub fifo: bool,
    pub content_based_deduplication: bool,
}

impl QueueSettings {
    pub fn new(name: &str, config: &QueueConfig) -> Self {
        Self {
            name: name.to_owned(),
            visibility_timeout_ms: i64::from(config.visibility_timeout_secs) * 1000,
            retention_ms: i64::from(config.message_retention_secs) * 1000,
            redrive: config
                .dead_letter_queue
                .clone()
                .zip(config.max_receive_count),
            fifo: config.fifo,
            content_based_deduplication: config.content_based_deduplication,
        }
    }
}

/// A message to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewMessage {
    pub body: String,
    pub attributes: MessageAttributes,
    /// FIFO: the message group (required).
    pub group_id: Option<String>,
    /// FIFO: the deduplication id (or the body's hash with content-based deduplication).
    pub deduplication_id: Option<String>,
    /// The id to give the message (a function's `sendMessage` already told its caller);
    /// a fresh UUID when absent.
    pub message_id: Option<String>,
    /// Invocations in the chain that sent it (recursive loop detection).
    pub hops: u32,
}

impl NewMessage {
    pub fn with_body(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            ..Self::default()
        }
    }
}

/// What `send` did with one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub message_id: String,
    /// FIFO: a message with the same deduplication id was sent in the last 5 minutes; this
    /// one was accepted and dropped, as SQS does.
    pub duplicate: bool,
}

/// A message as a consumer receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    pub attributes: MessageAttributes,
    pub group_id: Option<String>,
    pub deduplication_id: Option<String>,
    /// SQS's `SequenceNumber` (FIFO).
    pub sequence_number: i64,
    pub sent_at_ms: i64,
    pub first_receive_at_ms: i64,
    /// Including this receive.
    pub receive_count: u32,
    /// Invocations in the chain that sent it.
    pub hops: u32,
}

/// A message as the browser shows it, without receiving it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeekedMessage {
    pub message_id: String,
    pub body: String,
    pub attributes: MessageAttributes,
    pub group_id: Option<String>,
    pub sent_at_ms: i64,
    pub receive_count: u32,
    pub in_flight: bool,
    /// Set when the message was moved here from that queue (a dead-letter queue).
    pub source_queue: Option<String>,
}

/// SQS's `ApproximateNumberOfMessages` and `ApproximateNumberOfMessagesNotVisible`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub visible: u64,
    pub in_flight: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("`{queue}` is a FIFO queue: every message needs a message group id")]
    MissingGroup { queue: String },
    #[error(
        "`{queue}` is a FIFO queue without content-based deduplication: every message needs a deduplication id (or set content_based_deduplication = true)"
    )]
    MissingDeduplicationId { queue: String },
    #[error("`{queue}` is a standard queue: deduplication ids are for FIFO queues")]
    DeduplicationOnStandardQueue { queue: String },
    #[error("`{queue}` is a standard queue: message groups are for FIFO queues")]
    GroupOnStandardQueue { queue: String },
    #[error("the binary attribute `{name}` is not base64")]
    BadBinaryAttribute { name: String },
    #[error("the message is {size_bytes} bytes; SQS takes at most 262144 bytes (256 KiB)")]
    TooLarge { size_bytes: usize },
}

/// SQS's maximum message size (body and attributes).
pub const MAX_MESSAGE_BYTES: usize = 262_144;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS queue_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    attributes TEXT NOT NULL,
    group_id TEXT,
    deduplication_id TEXT,
    sent_at_ms INTEGER NOT NULL,
    first_receive_at_ms INTEGER,
    receive_count INTEGER NOT NULL DEFAULT 0,
    visible_at_ms INTEGER NOT NULL,
    receipt_handle TEXT,
    source_queue TEXT,
    hops INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queue_messages_order ON queue_messages (queue, seq);
CREATE INDEX IF NOT EXISTS queue_messages_groups ON queue_messages (queue, group_id, visible_at_ms);
CREATE TABLE IF NOT EXISTS queue_deduplication (
    queue TEXT NOT NULL,
    deduplication_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    PRIMARY KEY (queue, deduplication_id)
);
";

#[derive(Debug)]
pub struct QueueStore {
    db: StateDb,
}

/// One row read while receiving.
struct Candidate {
    seq: i64,
    message_id: String,
    body: String,
    attributes: String,
    group_id: Option<String>,
    deduplication_id: Option<String>,
    sent_at_ms: i64,
    first_receive_at_ms: Option<i64>,
    receive_count: u32,
    hops: u32,
}

impl QueueStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = StateDb::open(path, SCHEMA)?;
        db.add_column_if_missing("queue_messages", "hops", "INTEGER NOT NULL DEFAULT 0")?;
        Ok(Self { db })
    }

    /// Sends messages in one transaction: all are stored, or none (and the error says why).
    pub fn send(
        &self,
        queue: &QueueSettings,
        messages: &[NewMessage],
        now_ms: i64,
    ) -> Result<Vec<Sent>, SendError> {
        for message in messages {
            check_message(queue, message)?;
        }
        let mut connection = self.db.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(self.db.query_error())?;
        if queue.fifo {
            transaction
                .execute(
                    "DELETE FROM queue_deduplication WHERE queue = ?1 AND expires_at_ms <= ?2",
                    params![queue.name, now_ms],
                )
                .map_err(self.db.query_error())?;
        }
        let mut sent = Vec::with_capacity(messages.len());
        {
            let mut insert = transaction
                .prepare_cached(
                    "INSERT INTO queue_messages (queue, message_id, body, attributes, group_id, deduplication_id, sent_at_ms, visible_at_ms, hops)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                )
                .map_err(self.db.query_error())?;
            for message in messages {
                let deduplication_id = deduplication_id_of(queue, message);
                if let Some(id) = &deduplication_id
                    && let Some(original) = self.duplicate_of(&transaction, queue, id, now_ms)?
                {
                    sent.push(Sent {
                        message_id: original,
                        duplicate: true,
                    });
                    continue;
                }
                let message_id = message
                    .message_id
                    .clone()
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                let attributes =
                    serde_json::to_string(&message.attributes).unwrap_or_else(|_| "{}".to_owned());
                insert
                    .execute(params![
                        queue.name,
                        message_id,
                        message.body,
                        attributes,
                        message.group_id,
                        deduplication_id,
                        now_ms,
                        message.hops
                    ])
                    .map_err(self.db.query_error())?;
                if let Some(id) = &deduplication_id {
                    transaction
                        .execute(
                            "INSERT OR REPLACE INTO queue_deduplication (queue, deduplication_id, message_id, expires_at_ms) VALUES (?1, ?2, ?3, ?4)",
                            params![queue.name, id, message_id, now_ms + DEDUPLICATION_WINDOW_MS],
                        )
                        .map_err(self.db.query_error())?;
                }
                sent.push(Sent {
                    message_id,
                    duplicate: false,
                });
            }
        }
        transaction.commit().map_err(self.db.query_error())?;
        Ok(sent)
    }

    fn duplicate_of(
        &self,
        transaction: &Transaction<'_>,
        queue: &QueueSettings,
        deduplication_id: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        transaction
            .query_row(
                "SELECT message_id FROM queue_deduplication WHERE queue = ?1 AND deduplication_id = ?2 AND expires_at_ms > ?3",
                params![queue.name, deduplication_id, now_ms],
                |row| row.get(0),
            )
            .optional()
            .map_err(self.db.query_error())
    }

    /// Receives up to `max` messages: each is hidden for the visibility timeout and comes
    /// with a fresh receipt handle. On the way, messages past their retention are
    /// dropped and messages received `max_receive_count` times move to the dead-letter
    /// queue.
    pub fn receive(
        &self,
        queue: &QueueSettings,
        max: usize,
        now_ms: i64,
    ) -> Result<Vec<ReceivedMessage>, StoreError> {
        let mut connection = self.db.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(self.db.query_error())?;
        let mut received = Vec::with_capacity(max);
        let mut skipped_seq = 0_i64;
        // Each pass reads a window of visible messages in order; messages that move to
        // the dead-letter queue or expire make room for another pass.
        loop {
            let wanted = max - received.len();
            if wanted == 0 {
                break;
            }
            let candidates =
                self.visible_candidates(&transaction, queue, skipped_seq, wanted, now_ms)?;
            if candidates.is_empty() {
                break;
            }
            for candidate in candidates {
                skipped_seq = candidate.seq;
                if now_ms - candidate.sent_at_ms >= queue.retention_ms {
                    transaction
                        .execute("DELETE FROM queue_messages WHERE seq = ?1", [candidate.seq])
                        .map_err(self.db.query_error())?;
                    continue;
                }
                if let Some((dead_letter_queue, max_receive_count)) = &queue.redrive
                    && candidate.receive_count >= *max_receive_count
                {
                    transaction
                        .execute(
                            "UPDATE queue_messages SET queue = ?1, source_queue = ?2, receive_count = 0, visible_at_ms = ?3, receipt_handle = NULL WHERE seq = ?4",
                            params![dead_letter_queue, queue.name, now_ms, candidate.seq],
                        )
                        .map_err(self.db.query_error())?;
                    continue;
                }
                let receipt_handle = receipt_handle_for(candidate.seq);
                let first_receive_at_ms = candidate.first_receive_at_ms.unwrap_or(now_ms);
                let receive_count = candidate.receive_count + 1;
                transaction
                    .execute(
                        "UPDATE queue_messages SET receive_count = ?1, first_receive_at_ms = ?2, visible_at_ms = ?3, receipt_handle = ?4 WHERE seq = ?5",
                        params![
                            receive_count,
                            first_receive_at_ms,
                            now_ms + queue.visibility_timeout_ms,
                            receipt_handle,
                            candidate.seq
                        ],
                    )
                    .map_err(self.db.query_error())?;
                received.push(ReceivedMessage {
                    message_id: candidate.message_id,
                    receipt_handle,
                    body: candidate.body,
                    attributes: serde_json::from_str(&candidate.attributes).unwrap_or_default(),
                    group_id: candidate.group_id,
                    deduplication_id: candidate.deduplication_id,
                    sequence_number: candidate.seq,
                    sent_at_ms: candidate.sent_at_ms,
                    first_receive_at_ms,
                    receive_count,
                    hops: candidate.hops,
                });
            }
        }
        transaction.commit().map_err(self.db.query_error())?;
        Ok(received)
    }

    /// Visible messages after `after_seq`, oldest first; for a FIFO queue only those of
    /// groups with nothing in flight (a group's order holds across batches).
    fn visible_candidates(
        &self,
        transaction: &Transaction<'_>,
        queue: &QueueSettings,
        after_seq: i64,
        limit: usize,
        now_ms: i64,
    ) -> Result<Vec<Candidate>, StoreError> {
        let sql = if queue.fifo {
            "SELECT seq, message_id, body, attributes, group_id, deduplication_id, sent_at_ms, first_receive_at_ms, receive_count, hops
             FROM queue_messages AS m
             WHERE queue = ?1 AND seq > ?2 AND visible_at_ms <= ?3
               AND NOT EXISTS (SELECT 1 FROM queue_messages AS held
                               WHERE held.queue = m.queue AND held.group_id = m.group_id AND held.visible_at_ms > ?3)
             ORDER BY seq LIMIT ?4"
        } else {
            "SELECT seq, message_id, body, attributes, group_id, deduplication_id, sent_at_ms, first_receive_at_ms, receive_count, hops
             FROM queue_messages
             WHERE queue = ?1 AND seq > ?2 AND visible_at_ms <= ?3
             ORDER BY seq LIMIT ?4"
        };
        let mut statement = transaction
            .prepare_cached(sql)
            .map_err(self.db.query_error())?;
        let rows = statement
            .query_map(
                params![
                    queue.name,
                    after_seq,
                    now_ms,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |row| {
                    Ok(Candidate {
                        seq: row.get(0)?,
                        message_id: row.get(1)?,
                        body: row.get(2)?,
                        attributes: row.get(3)?,
                        group_id: row.get(4)?,
                        deduplication_id: row.get(5)?,
                        sent_at_ms: row.get(6)?,
                        first_receive_at_ms: row.get(7)?,
                        receive_count: row.get(8)?,
                        hops: row.get(9)?,
                    })
                },
            )
            .map_err(self.db.query_error())?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(self.db.query_error())
    }

    /// Deletes received messages by receipt handle; a handle that is no longer current
    /// (the message became visible and was received again) deletes nothing. Returns how
    /// many were deleted.
    pub fn delete(&self, queue: &str, receipt_handles: &[&str]) -> Result<usize, StoreError> {
        let mut connection = self.db.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(self.db.query_error())?;
        let mut deleted = 0;
        {
            let mut statement = transaction
                .prepare_cached(
                    "DELETE FROM queue_messages WHERE seq = ?1 AND queue = ?2 AND receipt_handle = ?3",
                )
                .map_err(self.db.query_error())?;
            for handle in receipt_handles {
                let Some(seq) = seq_of_receipt_handle(handle) else {
                    continue;
                };
                deleted += statement
                    .execute(params![seq, queue, handle])
                    .map_err(self.db.query_error())?;
            }
        }
        transaction.commit().map_err(self.db.query_error())?;
        Ok(deleted)
    }

    /// Moves received messages to `dead_letter_queue` now (a stopped loop), or deletes them
    /// when there is none; returns how many.
    pub fn dead_letter(
        &self,
        queue: &str,
        dead_letter_queue: Option<&str>,
        receipt_handles: &[&str],
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let mut connection = self.db.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(self.db.query_error())?;
        let mut moved = 0;
        for handle in receipt_handles {
            let Some(seq) = seq_of_receipt_handle(handle) else {
                continue;
            };
            moved += match dead_letter_queue {
                Some(dlq) => transaction.execute(
                    "UPDATE queue_messages SET queue = ?1, source_queue = ?2, receive_count = 0, visible_at_ms = ?3, receipt_handle = NULL WHERE seq = ?4 AND queue = ?2 AND receipt_handle = ?5",
                    params![dlq, queue, now_ms, seq, handle],
                ),
                None => transaction.execute(
                    "DELETE FROM queue_messages WHERE seq = ?1 AND queue = ?2 AND receipt_handle = ?3",
                    params![seq, queue, handle],
                ),
            }
            .map_err(self.db.query_error())?;
        }
        transaction.commit().map_err(self.db.query_error())?;
        Ok(moved)
    }

    /// Drops messages past the queue's retention period among its oldest ones (the
    /// receiving side drops the rest as it meets them), so counts and the browser do not
    /// show messages SQS would have deleted. Returns how many went.
    pub fn expire(&self, queue: &QueueSettings, now_ms: i64) -> Result<usize, StoreError> {
        self.db
            .connection()
            .execute(
                "DELETE FROM queue_messages WHERE seq IN
                   (SELECT seq FROM queue_messages WHERE queue = ?1 ORDER BY seq LIMIT 1000)
                 AND sent_at_ms <= ?2",
                params![queue.name, now_ms - queue.retention_ms],
            )
            .map_err(self.db.query_error())
    }

    pub fn counts(&self, queue: &str, now_ms: i64) -> Result<QueueCounts, StoreError> {
        self.db.connection()
            .query_row(
                "SELECT COALESCE(SUM(visible_at_ms <= ?2), 0), COALESCE(SUM(visible_at_ms > ?2), 0) FROM queue_messages WHERE queue = ?1",
                params![queue, now_ms],
                |row| {
                    Ok(QueueCounts {
                        visible: row.get::<_, i64>(0)?.try_into().unwrap_or_default(),
                        in_flight: row.get::<_, i64>(1)?.try_into().unwrap_or_default(),
                    })
                },
            )
            .map_err(self.db.query_error())
    }

    /// The oldest `limit` messages of the queue, visible or in flight, without receiving
    /// them.
    pub fn peek(
        &self,
        queue: &str,
        limit: usize,
        now_ms: i64,
    ) -> Result<Vec<PeekedMessage>, StoreError> {
        let connection = self.db.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT message_id, body, attributes, group_id, sent_at_ms, receive_count, visible_at_ms, source_queue
                 FROM queue_messages WHERE queue = ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(self.db.query_error())?;
        let rows = statement
            .query_map(
                params![queue, i64::try_from(limit).unwrap_or(i64::MAX)],
                |row| {
                    let attributes: String = row.get(2)?;
                    Ok(PeekedMessage {
                        message_id: row.get(0)?,
                        body: row.get(1)?,
                        attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                        group_id: row.get(3)?,
                        sent_at_ms: row.get(4)?,
                        receive_count: row.get(5)?,
                        in_flight: row.get::<_, i64>(6)? > now_ms,
                        source_queue: row.get(7)?,
                    })
                },
            )
            .map_err(self.db.query_error())?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(self.db.query_error())
    }

    /// Deletes every message of the queue (SQS's `PurgeQueue`); returns how many.
    pub fn purge(&self, queue: &str) -> Result<usize, StoreError> {
        let mut connection = self.db.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(self.db.query_error())?;
        transaction
            .execute("DELETE FROM queue_deduplication WHERE queue = ?1", [queue])
            .map_err(self.db.query_error())?;
        let purged = transaction
            .execute("DELETE FROM queue_messages WHERE queue = ?1", [queue])
            .map_err(self.db.query_error())?;
        transaction.commit().map_err(self.db.query_error())?;
        Ok(purged)
    }

    /// Moves the messages of a dead-letter queue back to the queues they came from
    /// (SQS's redrive to source), visible now with their receive counts reset; returns
    /// how many moved.
    pub fn redrive(&self, dead_letter_queue: &str, now_ms: i64) -> Result<usize, StoreError> {
        self.db.connection()
            .execute(
                "UPDATE queue_messages SET queue = source_queue, source_queue = NULL, receive_count = 0, first_receive_at_ms = NULL, visible_at_ms = ?2, receipt_handle = NULL
                 WHERE queue = ?1 AND source_queue IS NOT NULL",
                params![dead_letter_queue, now_ms],
            )
            .map_err(self.db.query_error())
    }
}

/// A receipt handle names the message's row, so deleting by handle finds the row by its
/// key; the random part makes each receive's handle different.
fn receipt_handle_for(seq: i64) -> String {
    format!("{seq}-{}", uuid::Uuid::new_v4().simple())
}

fn seq_of_receipt_handle(handle: &str) -> Option<i64> {
    handle.split_once('-')?.0.parse().ok()
}

fn check_message(queue: &QueueSettings, message: &NewMessage) -> Result<(), SendError> {
    let size_bytes = message.body.len()
        + message
            .attributes
            .iter()
            .map(|(name, attribute)| name.len() + attribute.data_type.len() + attribute.value.len())
            .sum::<usize>();
    if size_bytes > MAX_MESSAGE_BYTES {
        return Err(SendError::TooLarge { size_bytes });
    }
    let queue_name = || queue.name.clone();
    if queue.fifo {
        if message.group_id.is_none() {
            return Err(SendError::MissingGroup {
                queue: queue_name(),
            });
        }
        if message.deduplication_id.is_none() && !queue.content_based_deduplication {
            return Err(SendError::MissingDeduplicationId {
                queue: queue_name(),
            });
        }
    } else if message.deduplication_id.is_some() {
        return Err(SendError::DeduplicationOnStandardQueue {
            queue: queue_name(),
        });
    }
    Ok(())
}

/// FIFO: the given id, else the SHA-256 of the body (content-based deduplication).
fn deduplication_id_of(queue: &QueueSettings, message: &NewMessage) -> Option<String> {
    if !queue.fifo {
        return None;
    }
    message.deduplication_id.clone().or_else(|| {
        let digest = Sha256::digest(message.body.as_bytes());
        Some(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triggers::message_attribute::MessageAttribute;

    fn standard(name: &str) -> QueueSettings {
        QueueSettings::new(name, &QueueConfig::default())
    }

    fn fifo(name: &str) -> QueueSettings {
        QueueSettings::new(
            name,
            &QueueConfig {
                fifo: true,
                content_based_deduplication: true,
                ..QueueConfig::default()
            },
        )
    }

    fn open() -> (tempfile::TempDir, QueueStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = QueueStore::open(&dir.path().join("state.sqlite")).unwrap();
        (dir, store)
    }

    fn bodies(messages: &[ReceivedMessage]) -> Vec<&str> {
        messages
            .iter()
            .map(|message| message.body.as_str())
            .collect()
    }

    fn in_group(body: &str, group: &str) -> NewMessage {
        NewMessage {
            group_id: Some(group.to_owned()),
            ..NewMessage::with_body(body)
        }
    }

    #[test]
    fn a_received_message_is_hidden_until_its_visibility_timeout_ends() {
        let (_dir, store) = open();
        let queue = standard("orders");
        store
            .send(
                &queue,
                &[NewMessage::with_body("a"), NewMessage::with_body("b")],
                1_000,
            )
            .unwrap();
        let first = store.receive(&queue, 10, 2_000).unwrap();
        assert_eq!(bodies(&first), vec!["a", "b"]);
        assert_eq!(first[0].receive_count, 1);
        assert!(
            store
                .receive(&queue, 10, 2_000 + 29_999)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.counts("orders", 2_001).unwrap(),
            QueueCounts {
                visible: 0,
                in_flight: 2
            }
        );
        // Not deleted: back after 30 s, received a second time, with a new handle.
        let again = store.receive(&queue, 10, 32_000).unwrap();
        assert_eq!(again[0].receive_count, 2);
        assert_eq!(again[0].first_receive_at_ms, 2_000);
        assert_ne!(again[0].receipt_handle, first[0].receipt_handle);
        // The old handle no longer deletes; the new one does.
        assert_eq!(
            store.delete("orders", &[&first[0].receipt_handle]).unwrap(),
            0
        );
        assert_eq!(
            store.delete("orders", &[&again[0].receipt_handle]).unwrap(),
            1
        );
        assert_eq!(store.peek("orders", 10, 32_000).unwrap().len(), 1);
    }

    #[test]
    fn after_max_receive_count_a_message_moves_to_the_dead_letter_queue_and_back() {
        let (_dir, store) = open();
        let queue = QueueSettings::new(
            "jobs",
            &QueueConfig {
                visibility_timeout_secs: 1,
                max_receive_count: Some(2),
                dead_letter_queue: Some("jobs-dlq".to_owned()),
                ..QueueConfig::default()
            },
        );
        store
            .send(&queue, &[NewMessage::with_body("poison")], 0)
            .unwrap();
        assert_eq!(store.receive(&queue, 1, 0).unwrap().len(), 1);
        assert_eq!(store.receive(&queue, 1, 1_000).unwrap().len(), 1);
        // The third receive finds it received twice: it moves instead.
        assert!(store.receive(&queue, 1, 2_000).unwrap().is_empty());
        let dead = store.peek("jobs-dlq", 10, 2_000).unwrap();
        assert_eq!(dead[0].body, "poison");
        assert_eq!(dead[0].source_queue.as_deref(), Some("jobs"));
        assert_eq!(store.counts("jobs", 2_000).unwrap(), QueueCounts::default());
        assert_eq!(store.redrive("jobs-dlq", 3_000).unwrap(), 1);
        let back = store.receive(&queue, 1, 3_000).unwrap();
        assert_eq!(
            (back[0].body.as_str(), back[0].receive_count),
            ("poison", 1)
        );
    }

    #[test]
    fn messages_past_retention_are_dropped() {
        let (_dir, store) = open();
        let queue = QueueSettings::new(
            "short",
            &QueueConfig {
                message_retention_secs: 60,
                ..QueueConfig::default()
            },
        );
        store
            .send(&queue, &[NewMessage::with_body("old")], 0)
            .unwrap();
        store
            .send(&queue, &[NewMessage::with_body("new")], 50_000)
            .unwrap();
        // Receiving drops what it meets past retention …
        assert_eq!(
            bodies(&store.receive(&queue, 10, 60_000).unwrap()),
            vec!["new"]
        );
        // … and `expire` the oldest ones without receiving (for counts and browsing).
        store
            .send(&queue, &[NewMessage::with_body("stale")], 1_000)
            .unwrap();
        assert_eq!(store.expire(&queue, 61_000).unwrap(), 1);
        assert_eq!(store.peek("short", 10, 60_000).unwrap().len(), 1);
    }

    #[test]
    fn fifo_groups_are_in_order_and_held_while_in_flight() {
        let (_dir, store) = open();
        let queue = fifo("orders.fifo");
        let messages = [
            in_group("a1", "a"),
            in_group("b1", "b"),
            in_group("a2", "a"),
            in_group("a3", "a"),
        ];
        store.send(&queue, &messages, 0).unwrap();
        let first = store.receive(&queue, 2, 0).unwrap();
        assert_eq!(bodies(&first), vec!["a1", "b1"]);
        // Both groups are in flight: nothing more until they are done.
        assert!(store.receive(&queue, 10, 1).unwrap().is_empty());
        store
            .delete("orders.fifo", &[&first[0].receipt_handle])
            .unwrap();
        assert_eq!(
            bodies(&store.receive(&queue, 10, 2).unwrap()),
            vec!["a2", "a3"]
        );
        assert!(first[1].sequence_number > first[0].sequence_number);
    }

    #[test]
    fn fifo_drops_duplicates_within_five_minutes() {
        let (_dir, store) = open();
        let queue = fifo("pay.fifo");
        let first = store.send(&queue, &[in_group("charge 5", "g")], 0).unwrap();
        let again = store
            .send(&queue, &[in_group("charge 5", "g")], 60_000)
            .unwrap();
        assert!(again[0].duplicate);
        assert_eq!(again[0].message_id, first[0].message_id);
        assert_eq!(store.peek("pay.fifo", 10, 60_000).unwrap().len(), 1);
        let later = store
            .send(&queue, &[in_group("charge 5", "g")], 301_000)
            .unwrap();
        assert!(!later[0].duplicate);
    }

    #[test]
    fn bad_messages_are_refused_with_the_reason() {
        let (_dir, store) = open();
        let no_group = store.send(&fifo("a.fifo"), &[NewMessage::with_body("x")], 0);
        assert!(matches!(no_group, Err(SendError::MissingGroup { .. })));
        let big = NewMessage::with_body("x".repeat(MAX_MESSAGE_BYTES + 1));
        assert!(matches!(
            store.send(&standard("a"), &[big], 0),
            Err(SendError::TooLarge { .. })
        ));
        let dedup = NewMessage {
            deduplication_id: Some("1".to_owned()),
            ..NewMessage::with_body("x")
        };
        assert!(store.send(&standard("a"), &[dedup], 0).is_err());
        assert_eq!(store.peek("a", 10, 0).unwrap().len(), 0);
    }

    #[test]
    fn attributes_and_purge() {
        let (_dir, store) = open();
        let queue = standard("q");
        let mut message = NewMessage::with_body("x");
        message
            .attributes
            .insert("kind".to_owned(), MessageAttribute::string("order"));
        store.send(&queue, &[message.clone(), message], 0).unwrap();
        let received = store.receive(&queue, 1, 0).unwrap();
        assert_eq!(received[0].attributes["kind"].value, "order");
        assert_eq!(store.purge("q").unwrap(), 2);
        assert_eq!(store.counts("q", 0).unwrap(), QueueCounts::default());
    }

    #[test]
    fn a_full_disk_is_an_error_and_keeps_what_was_stored() {
        let (_dir, store) = open();
        let queue = standard("q");
        store
            .send(&queue, &[NewMessage::with_body("kept")], 0)
            .unwrap();
        // SQLite's page limit stands in for a full disk: the same SQLITE_FULL error.
        let pages: i64 = store
            .db
            .connection()
            .query_row("PRAGMA page_count", [], |row| row.get(0))
            .unwrap();
        store
            .db
            .connection()
            .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
            .unwrap();
        let batch: Vec<NewMessage> = (0..200)
            .map(|n| NewMessage::with_body(format!("{n}").repeat(500)))
            .collect();
        let error = store.send(&queue, &batch, 1).unwrap_err().to_string();
        assert!(error.starts_with("disk full: "), "{error}");
        // Nothing of the batch is half-stored, and the earlier message is still there.
        let left = store.peek("q", 1_000, 1).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].body, "kept");
    }

    #[test]
    fn two_connections_sending_and_receiving_at_once_never_fail() {
        // The console, `serve` and the CLI each have their own connection to the file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let (sender, receiver) = (
            QueueStore::open(&path).unwrap(),
            QueueStore::open(&path).unwrap(),
        );
        let queue = standard("q");
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for n in 0..400 {
                    sender
                        .send(&queue, &[NewMessage::with_body(n.to_string())], 0)
                        .unwrap();
                }
            });
            scope.spawn(|| {
                for _ in 0..400 {
                    let received = receiver.receive(&queue, 10, 0).unwrap();
                    let handles: Vec<&str> = received
                        .iter()
                        .map(|message| message.receipt_handle.as_str())
                        .collect();
                    receiver.delete("q", &handles).unwrap();
                }
            });
        });
    }

    #[test]
    fn messages_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        QueueStore::open(&path)
            .unwrap()
            .send(&standard("q"), &[NewMessage::with_body("kept")], 0)
            .unwrap();
        let reopened = QueueStore::open(&path).unwrap();
        assert_eq!(
            bodies(&reopened.receive(&standard("q"), 1, 0).unwrap()),
            vec!["kept"]
        );
    }
}
