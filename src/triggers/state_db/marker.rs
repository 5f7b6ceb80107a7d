//! Telling lambdesk's state database from a damaged one. Every state database lambdesk
//! creates carries a marker row (`lambdesk_meta`: format version, creation time), written
//! before the file appears under its name. A file that exists without the marker and
//! without lambdesk's tables (emptied to 0 bytes, overwritten, not SQLite at all), or
//! that SQLite finds corrupt, is damaged: it is moved aside, never overwritten, and the
//! caller refuses to start, instead of silently starting over with an empty database and
//! losing every queued message and event without a word.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension as _, TransactionBehavior};

use super::StoreError;

/// The state database's format; written in the marker row.
pub const FORMAT_VERSION: i64 = 1;

const MARKER_TABLE: &str = "
CREATE TABLE IF NOT EXISTS lambdesk_meta (
    format_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);";

/// The tables of state databases written before the marker existed: one of them is proof
/// enough that the file is lambdesk's.
const LAMBDESK_TABLES: [&str; 3] = ["queue_messages", "queue_deduplication", "async_events"];

/// Why opening an existing file failed.
enum Refusal {
    /// The file is not a usable state database: move it aside.
    Damaged(String),
    /// Something else (busy, no permission, disk full): the file is left alone.
    Failed(rusqlite::Error),
}

impl From<rusqlite::Error> for Refusal {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                Self::Damaged(format!("SQLite says: {error}"))
            }
            _ => Self::Failed(error),
        }
    }
}

/// Opens the state database at `path`: creates it (with the marker) where there is none,
/// checks it where there is one. A damaged file is moved aside and reported.
pub fn open_checked(path: &Path) -> Result<Connection, StoreError> {
    let open_error = |source| StoreError::from_sqlite(path, source, true);
    match std::fs::metadata(path) {
        Err(error) if error.kind() == ErrorKind::NotFound => create_with_marker(path)?,
        _ => {}
    }
    match open_existing(path) {
        Ok(connection) => Ok(connection),
        Err(Refusal::Failed(source)) => Err(open_error(source)),
        Err(Refusal::Damaged(detail)) => Err(move_aside(path, detail)),
    }
}

/// Creates a new state database with its marker under a temporary name, then links it
/// into place without replacing anything: whoever opens `path` meanwhile (another
/// process, another store of this one) never sees a half-made file, which would look
/// emptied. If another process created it first, theirs is kept.
fn create_with_marker(path: &Path) -> Result<(), StoreError> {
    let temporary = sibling(path, &format!(".new-{}", uuid::Uuid::new_v4()));
    let written = (|| {
        let mut connection = Connection::open(&temporary)?;
        let transaction = connection.transaction()?;
        transaction.execute_batch(MARKER_TABLE)?;
        write_marker(&transaction, "created")?;
        transaction.commit()
    })()
    .map_err(|source| StoreError::from_sqlite(path, source, true));
    let linked = written.and_then(|()| match move_without_replacing(&temporary, path) {
        // Created by someone else in the meantime: that one is used.
        Err(error) if error.kind() != ErrorKind::AlreadyExists => Err(StoreError::Create {
            path: path.to_owned(),
            source: error,
        }),
        _ => Ok(()),
    });
    let _ = std::fs::remove_file(&temporary);
    linked
}

fn write_marker(connection: &Connection, how: &str) -> Result<(), rusqlite::Error> {
    connection.execute(
        "INSERT INTO lambdesk_meta (format_version, created_at, created_by)
         SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM lambdesk_meta)",
        rusqlite::params![
            FORMAT_VERSION,
            chrono::Utc::now().to_rfc3339(),
            format!("lambdesk {} ({how})", env!("CARGO_PKG_VERSION"))
        ],
    )?;
    Ok(())
}

/// Opens an existing file and checks that it is lambdesk's state database, in good
/// repair. An older version's database (lambdesk's tables, no marker) gets the marker.
fn open_existing(path: &Path) -> Result<Connection, Refusal> {
    // A file emptied to 0 bytes would open as a new, empty database.
    if std::fs::metadata(path).is_ok_and(|metadata| metadata.len() == 0) {
        return Err(Refusal::Damaged("it is empty: 0 bytes".to_owned()));
    }
    // Without CREATE: a file that went away meanwhile is an error, not a new database.
    let flags = OpenFlags::default().difference(OpenFlags::SQLITE_OPEN_CREATE);
    let mut connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    // A quick check: a corrupt file is reported now, not as lost events later.
    let integrity: String = connection.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
    if integrity != "ok" {
        return Err(Refusal::Damaged(format!(
            "SQLite's check says: {integrity}"
        )));
    }
    if !has_marker(&connection)? {
        if !has_lambdesk_tables(&connection)? {
            return Err(Refusal::Damaged(
                "it is not lambdesk's: it has neither lambdesk's marker nor its tables".to_owned(),
            ));
        }
        add_marker(&mut connection)?;
    }
    // Every transaction that reads and then writes starts IMMEDIATE (takes the write lock
    // first): a deferred one would fail with "database is locked" when another connection
    // (the CLI, the console's view) wrote in between, instead of waiting its turn.
    // WAL: a crash (kill -9) loses nothing committed; NORMAL sync is durable against a
    // process crash, which is what a local console meets.
    connection.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    Ok(connection)
}

fn has_marker(connection: &Connection) -> Result<bool, rusqlite::Error> {
    if !has_table(connection, "lambdesk_meta")? {
        return Ok(false);
    }
    connection
        .query_row("SELECT 1 FROM lambdesk_meta LIMIT 1", [], |_| Ok(()))
        .optional()
        .map(|row| row.is_some())
}

fn has_lambdesk_tables(connection: &Connection) -> Result<bool, rusqlite::Error> {
    for table in LAMBDESK_TABLES {
        if has_table(connection, table)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn has_table(connection: &Connection, table: &str) -> Result<bool, rusqlite::Error> {
    connection
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |_| Ok(()),
        )
        .optional()
        .map(|row| row.is_some())
}

/// Marks a database written by a version before the marker. Two processes may do it at
/// once: the second finds the row there and adds none.
fn add_marker(connection: &mut Connection) -> Result<(), rusqlite::Error> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    transaction.execute_batch(MARKER_TABLE)?;
    write_marker(
        &transaction,
        "marker added to a database of an older version",
    )?;
    transaction.commit()
}

/// Moves the damaged file (and its write-ahead log) to `state.sqlite.damaged-<time>`,
/// never replacing a file there, and says so in the error.
fn move_aside(path: &Path, detail: String) -> StoreError {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut moved = Err(std::io::Error::from(ErrorKind::AlreadyExists));
    let mut kept = PathBuf::new();
    for attempt in 1..100 {
        let suffix = if attempt == 1 {
            format!(".damaged-{stamp}")
        } else {
            format!(".damaged-{stamp}-{attempt}")
        };
        kept = sibling(path, &suffix);
        moved = move_without_replacing(path, &kept);
        if !matches!(&moved, Err(error) if error.kind() == ErrorKind::AlreadyExists) {
            break;
        }
    }
    match moved {
        Ok(()) => {
            // The log holds pages of the damaged file: kept with it (SQLite finds it there
            // when the copy is opened), and never replayed into a new database.
            for companion in ["-wal", "-shm"] {
                let from = sibling(path, companion);
                if from.exists() {
                    let _ = move_without_replacing(&from, &sibling(&kept, companion));
                }
            }
            StoreError::Damaged {
                path: path.to_owned(),
                detail,
                kept,
            }
        }
        Err(error) => StoreError::DamagedInPlace {
            path: path.to_owned(),
            detail,
            reason: error.to_string(),
        },
    }
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(suffix);
    path.with_file_name(name)
}

/// Renames `from` to `to` unless `to` exists (then `AlreadyExists`): a hard link cannot
/// replace a file, so two processes can never overwrite each other's file. Where links
/// are not supported, a rename after a check.
fn move_without_replacing(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => std::fs::remove_file(from),
        Err(error) if error.kind() == ErrorKind::AlreadyExists => Err(error),
        Err(error) if !from.exists() => Err(error),
        Err(_) if to.exists() => Err(std::io::Error::from(ErrorKind::AlreadyExists)),
        Err(_) => std::fs::rename(from, to),
    }
}
