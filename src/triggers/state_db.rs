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
        // A missing folder shows up as the open error below.
        let _ = std::fs::create_dir_all(parent);
    }
    let connection = marker::open_checked(path)?;
    connection
        .execute_batch(schema)
        .map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
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
        |source| StoreError::Query {
            path: self.path.clone(),
            source,
        }
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
        Err(source) if connection.prepare(&probe).is_err() => Err(StoreError::Open {
            path: path.to_owned(),
            source,
        }),
        _ => Ok(()),
    }
}

/// Whether the process `pid` (another lambdesk) is still running. Where the system
/// cannot tell, no process counts as running: its leftovers are taken over (delivered
/// again, at least once).
pub fn process_is_running(pid: impl Into<i64>) -> bool {
    cfg!(target_os = "linux") && Path::new(&format!("/proc/{}", pid.into())).exists()
}
