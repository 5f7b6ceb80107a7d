//! The workspace's state database, `.lambdesk/state.sqlite`: the asynchronous backlog and
//! the queues live there, each behind its own connection (SQLite's WAL lets the console,
//! `serve` and the CLI open it at once).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

mod marker;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the workspace state {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the workspace state {}: {source}", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Said instead of starting: the queued messages and events in the file are not
    /// readable, and starting over with an empty database would lose them without a word.
    #[error(
        "the workspace state {} is damaged ({detail}): its queued messages and asynchronous events cannot be read, so lambdesk stops here. The damaged file is kept as {}; start lambdesk again to begin with an empty state, or first put a good copy back at {}",
        path.display(),
        kept.display(),
        path.display()
    )]
    Damaged {
        path: PathBuf,
        detail: String,
        /// Where the damaged file was moved.
        kept: PathBuf,
    },
    #[error(
        "the workspace state {} is damaged ({detail}): its queued messages and asynchronous events cannot be read, so lambdesk stops here. It could not be moved aside ({reason}): move it away yourself to begin with an empty state",
        path.display()
    )]
    DamagedInPlace {
        path: PathBuf,
        detail: String,
        reason: String,
    },
    /// A full disk shows up here as SQLite's "database or disk is full": nothing was
    /// written, and the caller says so.
    #[error("the workspace state {}: {source}", path.display())]
    Query {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The statement (or transaction) that failed wrote nothing: SQLite rolls it back.
    #[error(
        "disk full: there is no room left to write the workspace state {}; free some space on that disk and try again",
        path.display()
    )]
    DiskFull {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// `Open` (or `Query`, once open) for a failure at `path`, or `DiskFull` when that is
    /// what it means.
    pub(super) fn from_sqlite(path: &Path, source: rusqlite::Error, opening: bool) -> Self {
        let path = path.to_owned();
        if sqlite_means_disk_full(&source) {
            return Self::DiskFull {
                path,
                source: Box::new(source),
            };
        }
        if opening {
            Self::Open { path, source }
        } else {
            Self::Query { path, source }
        }
    }
}

/// Whether SQLite failed because the disk is full: SQLITE_FULL (its "database or disk is
/// full", which its file writes report for ENOSPC), or SQLITE_IOERR_SHMSIZE ("disk I/O
/// error", code 4874), which it reports when the WAL index beside the database cannot
/// grow, as on a full disk.
pub fn sqlite_means_disk_full(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.code == rusqlite::ErrorCode::DiskFull
                || failure.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE
    )
}

/// Whether a system call failed because the disk (or the user's quota on it) is full:
/// ENOSPC, EDQUOT.
pub fn io_means_disk_full(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

impl StoreError {
    /// Whether the state database was found damaged (and lambdesk must not go on as if
    /// it were empty).
    pub fn is_damaged(&self) -> bool {
        matches!(self, Self::Damaged { .. } | Self::DamagedInPlace { .. })
    }
}

/// The workspace's state file.
pub fn state_path(workspace: &crate::model::Workspace) -> PathBuf {
    workspace.state_dir().join("state.sqlite")
}

/// Opens (creating) the database at `path` and makes sure `schema` exists. A file that
/// is there but damaged or emptied is moved aside and refused (see [`marker`]).
pub fn open_state_db(path: &Path, schema: &str) -> Result<Connection, StoreError> {
    if let Some(parent) = path.parent() {
        match std::fs::create_dir_all(parent) {
            Err(source) if io_means_disk_full(&source) => {
                return Err(StoreError::DiskFull {
                    path: path.to_owned(),
                    source: Box::new(source),
                });
            }
            // Any other problem with the folder shows up as the open error below.
            _ => {}
        }
    }
    let connection = marker::open_checked(path)?;
    connection
        .execute_batch(schema)
        .map_err(|source| StoreError::from_sqlite(path, source, true))?;
    Ok(connection)
}

/// One connection to the state database, shared by a store's threads.
#[derive(Debug)]
pub struct StateDb {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl StateDb {
    /// Opens (creating) the database at `path` with `schema`.
    pub fn open(path: &Path, schema: &str) -> Result<Self, StoreError> {
        Ok(Self {
            connection: Mutex::new(open_state_db(path, schema)?),
            path: path.to_owned(),
        })
    }

    pub fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Turns a failed statement into the store's error, naming the file.
    pub fn query_error(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::from_sqlite(&self.path, source, false)
    }

    /// See [`add_column_if_missing`].
    pub fn add_column_if_missing(
        &self,
        table: &str,
        column: &str,
        definition: &str,
    ) -> Result<(), StoreError> {
        add_column_if_missing(&self.connection(), &self.path, table, column, definition)
    }
}

/// Adds `column` (with its SQL `definition`) to `table` in a database made before the
/// column existed. Another process may add it at the same moment: then it is there,
/// which is all that matters.
fn add_column_if_missing(
    connection: &Connection,
    path: &Path,
    table: &str,
    column: &str,
    definition: &str,
) -> Result<(), StoreError> {
    let probe = format!("SELECT {column} FROM {table} LIMIT 0");
    if connection.prepare(&probe).is_ok() {
        return Ok(());
    }
    let added = connection.execute_batch(&format!(
        "ALTER TABLE {table} ADD COLUMN {column} {definition}"
    ));
    match added {
        Err(source) if connection.prepare(&probe).is_err() => {
            Err(StoreError::from_sqlite(path, source, true))
        }
        _ => Ok(()),
    }
}

/// Whether the process `pid` (another lambdesk) is still running. Where the system
/// cannot tell, no process counts as running: its leftovers are taken over (delivered
/// again, at least once).
pub fn process_is_running(pid: impl Into<i64>) -> bool {
    cfg!(target_os = "linux") && Path::new(&format!("/proc/{}", pid.into())).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_failure(extended_code: i32, message: &str) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(extended_code),
            Some(message.to_owned()),
        )
    }

    #[test]
    fn sqlite_s_full_disk_errors_say_disk_full_and_where() {
        let path = Path::new("/home/me/ws/.lambdesk/state.sqlite");
        for (code, sqlite_message) in [
            (rusqlite::ffi::SQLITE_FULL, "database or disk is full"),
            // What a full disk looked like before: "disk I/O error (code 4874)".
            (rusqlite::ffi::SQLITE_IOERR_SHMSIZE, "disk I/O error"),
        ] {
            for opening in [true, false] {
                let failure = sqlite_failure(code, sqlite_message);
                let message = StoreError::from_sqlite(path, failure, opening).to_string();
                assert_eq!(
                    message,
                    "disk full: there is no room left to write the workspace state \
                     /home/me/ws/.lambdesk/state.sqlite; free some space on that disk and try again"
                );
            }
        }
        let unreadable = StoreError::from_sqlite(
            path,
            sqlite_failure(rusqlite::ffi::SQLITE_IOERR_READ, "disk I/O error"),
            false,
        );
        assert_eq!(
            unreadable.to_string(),
            "the workspace state /home/me/ws/.lambdesk/state.sqlite: disk I/O error"
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_system_s_no_space_error_means_disk_full() {
        use std::io::Write as _;
        // /dev/full answers every write with ENOSPC, as a full disk does.
        let mut full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let no_space = full
            .write_all(b"x")
            .and_then(|()| full.flush())
            .unwrap_err();
        assert!(io_means_disk_full(&no_space), "{no_space:?}");
        let not_found = std::fs::File::open("/nowhere/at/all").unwrap_err();
        assert!(!io_means_disk_full(&not_found));
    }

    #[test]
    fn a_statement_that_fills_the_database_says_disk_full() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let db = StateDb::open(&path, "CREATE TABLE IF NOT EXISTS t (v TEXT);").unwrap();
        let connection = db.connection();
        // SQLite's page limit stands in for a full disk: the same SQLITE_FULL error.
        let pages: i64 = connection
            .query_row("PRAGMA page_count", [], |row| row.get(0))
            .unwrap();
        connection
            .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
            .unwrap();
        let error = connection
            .execute("INSERT INTO t (v) VALUES (?1)", ["x".repeat(100_000)])
            .map_err(db.query_error())
            .unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("disk full: "), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
    }
}
