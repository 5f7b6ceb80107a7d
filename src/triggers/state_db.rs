//! The workspace's state database, `.lambdesk/state.sqlite`: the asynchronous backlog and
//! the queues live there, each behind its own connection (SQLite's WAL lets the console,
//! `serve` and the CLI open it at once).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the workspace state {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the workspace state {} is damaged ({detail}); move it aside to start with an empty backlog",
        path.display()
    )]
    Damaged { path: PathBuf, detail: String },
    /// A full disk shows up here as SQLite's "database or disk is full": nothing was
    /// written, and the caller says so.
    #[error("the workspace state {}: {source}", path.display())]
    Query {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

/// The workspace's state file.
pub fn state_path(workspace: &crate::model::Workspace) -> PathBuf {
    workspace.state_dir().join("state.sqlite")
}

/// Opens (creating) the database at `path` and makes sure `schema` exists.
pub fn open_state_db(path: &Path, schema: &str) -> Result<Connection, StoreError> {
    let open_error = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        // A missing folder shows up as the open error below.
        let _ = std::fs::create_dir_all(parent);
    }
    let connection = Connection::open(path).map_err(open_error)?;
    // Every transaction that reads and then writes starts IMMEDIATE (takes the write lock
    // first): a deferred one would fail with "database is locked" when another connection
    // (the CLI, the console's view) wrote in between, instead of waiting its turn.
    // WAL: a crash (kill -9) loses nothing committed; NORMAL sync is durable against a
    // process crash, which is what a local console meets.
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
        )
        .map_err(open_error)?;
    // A quick check: a corrupt file is reported now, not as lost events later.
    let integrity: String = connection
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(open_error)?;
    if integrity != "ok" {
        return Err(StoreError::Damaged {
            path: path.to_owned(),
            detail: integrity,
        });
    }
    connection.execute_batch(schema).map_err(open_error)?;
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
