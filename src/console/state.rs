use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::billing::FunctionUsage;
use crate::model::{InvocationRecord, Runtime};

/// What the UI shows; changed only by the console.
#[derive(Debug, Clone)]
pub struct ConsoleState {
    pub workspace_root: PathBuf,
    pub functions: Vec<FunctionEntry>,
    /// Test invocations in flight: request id → function.
    pub running: BTreeMap<String, String>,
    /// The latest Test result per function.
    pub results: BTreeMap<String, TestResult>,
    /// Session totals for the status bar.
    pub totals: FunctionUsage,
    /// What the user has been told, newest last, with levels and history.
    pub notifications: super::Notifications,
    /// A function just created, for the UI to open.
    pub created: Option<String>,
    /// Saved events were added or removed.
    pub events_changed: bool,
    /// Where the HTTP gateway listens, while it runs.
    pub gateway_url: Option<String>,
    /// Where Lambda's Invoke API listens, while it runs (for the AWS CLI and SDKs).
    pub invoke_api_url: Option<String>,
    /// Counts changes to the workspace's files on disk (by the console or any other
    /// program): a view showing a file reads it again when this moves.
    pub disk_generation: u64,
    /// Files whose save was refused because they changed on disk since they were
    /// opened: (function, file).
    pub save_conflicts: BTreeSet<(String, String)>,
    /// The syntax error of a function's code, as its last run or the check after its
    /// last save found it (the Code tab marks the line).
    pub syntax_errors: BTreeMap<String, crate::model::FunctionError>,
    /// How the last Configuration tab save went, for the function it saved.
    pub last_config_save: Option<(String, ConfigSaveOutcome)>,
    /// What Undo and Redo would do ("Add queue trigger to resize"), for their buttons.
    pub next_undo: Option<String>,
    pub next_redo: Option<String>,
    /// Counts writes of the map's layout other than the map's own (an undone move): the
    /// map reads the layout again when this moves.
    pub map_layout_generation: u64,
    /// Compiled functions the console is building (the Build button).
    pub building: BTreeSet<String>,
    /// How the last build the console started of each function ended.
    pub last_builds: BTreeMap<String, super::BuildOutcome>,
    /// File > Export SAM application: running, or how it ended (until dismissed).
    pub sam_export: Option<super::SamExportState>,
}

/// What became of a Configuration tab save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSaveOutcome {
    /// Written (merged with any changes made to the file meanwhile), or already so.
    Saved,
    /// The file changed these keys too since the tab read it: nothing was written.
    Conflict(Vec<String>),
    /// Nothing was written, for this reason.
    Failed(String),
}

impl ConsoleState {
    pub fn new(workspace_root: PathBuf) -> Self {
        Self {
            workspace_root,
            functions: Vec::new(),
            running: BTreeMap::new(),
            results: BTreeMap::new(),
            totals: FunctionUsage::default(),
            notifications: super::Notifications::default(),
            created: None,
            events_changed: false,
            gateway_url: None,
            invoke_api_url: None,
            disk_generation: 0,
            save_conflicts: BTreeSet::new(),
            last_config_save: None,
            syntax_errors: BTreeMap::new(),
            next_undo: None,
            next_redo: None,
            map_layout_generation: 0,
            building: BTreeSet::new(),
            last_builds: BTreeMap::new(),
            sam_export: None,
        }
    }

    /// Whether a Test or Re-run of `function` is in flight.
    pub fn is_running(&self, function: &str) -> bool {
        self.running.values().any(|running| running == function)
    }

    pub fn function(&self, name: &str) -> Option<&FunctionEntry> {
        self.functions.iter().find(|entry| entry.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct FunctionEntry {
    pub name: String,
    /// `None` when the configuration does not load (see `problem`).
    pub runtime: Option<Runtime>,
    pub handler: Option<String>,
    pub files: Vec<String>,
    /// One line per trigger: `http GET /items/{id}`, `schedule rate(5 minutes)`.
    pub triggers: Vec<String>,
    pub status: FunctionStatus,
    pub problem: Option<String>,
}

impl FunctionEntry {
    /// The file the editor opens first: the handler's file (a Rust crate's `src/lib.rs`, a Go module's `main.go`).
    pub fn main_file(&self) -> Option<&str> {
        let handler = self.handler.as_deref()?;
        // A crate's or Go module's handler is its manifest; the code a user edits is
        // the library or the main package.
        let code = match handler {
            "Cargo.toml" => Some("src/lib.rs"),
            "go.mod" => Some("main.go"),
            _ => None,
        };
        if let Some(code) = code
            && let Some(file) = self.files.iter().find(|file| *file == code)
        {
            return Some(file);
        }
        let module = handler
            .rsplit_once('.')
            .map_or(handler, |(module, _)| module);
        self.files
            .iter()
            .find(|file| {
                file.as_str() == handler
                    || [".mjs", ".js", ".cjs", ".py", ".rb"]
                        .iter()
                        .any(|extension| **file == format!("{module}{extension}"))
            })
            .or_else(|| self.files.iter().find(|file| *file != "function.toml"))
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionStatus {
    NeverRun,
    Running,
    Ok,
    Error,
}

impl FunctionStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::NeverRun => "never run",
            Self::Running => "running",
            Self::Ok => "ok",
            Self::Error => "error",
        }
    }
}

#[derive(Debug, Clone)]
pub enum TestResult {
    Finished {
        /// Shared: the UI clones the state every frame, and a response can be megabytes.
        record: Arc<InvocationRecord>,
        cost_usd: f64,
    },
    /// The invocation could not run (bad code, throttled, …).
    NotRun { message: String },
}
