use crate::model::{FunctionConfig, Trigger};

/// What a panel asks the console to do; applied after the frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run a function with an event (the Test button).
    Invoke { function: String, event: String },
    /// Run an earlier invocation again, same function and event (Logs > Re-run).
    Rerun { request_id: String },
    /// Rename (move) a function's file; `to` may name a sub-folder (`lib/util.mjs`).
    RenameFile {
        function: String,
        from: String,
        to: String,
    },
    /// Delete a function's file (after the user confirmed).
    DeleteFile {
        function: String,
        relative_path: String,
    },
    /// Keep a copy of an unsaved file beside the workspace's state, so a crash loses
    /// nothing; `None` removes the copy (the file was saved or the changes discarded).
    Autosave {
        function: String,
        relative_path: String,
        contents: Option<String>,
    },
    /// Stop a running invocation of the function (the Cancel button).
    Cancel { function: String },
    /// Save a function's file (Ctrl+S in the editor). With `expected`, only if the file
    /// on disk still holds that text (what the editor loaded); `None` writes regardless
    /// (a new file, or the user chose to keep their version).
    SaveFile {
        function: String,
        relative_path: String,
        contents: String,
        expected: Option<String>,
    },
    /// Forget that saving a file was refused because it changed on disk (the user
    /// reloaded it).
    DismissSaveConflict {
        function: String,
        relative_path: String,
    },
    /// Create an empty file in a function's folder (Code > New file); refused if it
    /// exists.
    NewFile {
        function: String,
        relative_path: String,
    },
    /// Save a function's configuration (the Configuration tab): the change from `base`
    /// (as the tab read it) to `config`, merged into the file as it is now. Keys changed
    /// on both sides are refused unless `overwrite`.
    SaveConfig {
        function: String,
        base: Box<FunctionConfig>,
        config: Box<FunctionConfig>,
        overwrite: bool,
    },
    /// Create a function from a blueprint (the Create function dialog), with the
    /// blueprint's triggers as the user edited their names.
    CreateFunction {
        blueprint: String,
        name: String,
        memory_mb: u32,
        triggers: Vec<Trigger>,
    },
    /// Save a test event as `functions/<function>/events/<name>.json`.
    SaveEvent {
        function: String,
        name: String,
        json: String,
    },
    /// Delete a saved test event.
    DeleteEvent { function: String, name: String },
    /// Rename a function (its folder); saved events and code move with it.
    RenameFunction { from: String, to: String },
    /// Delete a function's folder (after the user confirmed).
    DeleteFunction { function: String },
    /// Create a `wasm` function from a prebuilt module file (File > Import .wasm).
    ImportWasm { path: std::path::PathBuf },
    /// Export the workspace as an AWS SAM application into a folder (File > Export SAM
    /// application).
    ExportSamApplication { out_dir: std::path::PathBuf },
    /// Close the export's window.
    DismissSamExport,
    /// Write log lines to a file the user chose (Logs > Export).
    ExportLogs {
        path: std::path::PathBuf,
        text: String,
    },
    /// Send a message to a queue (Queues & Topics > Send message); `attributes` one a
    /// line, `name=value` or `name:Number=42`.
    SendMessage {
        queue: String,
        body: String,
        attributes: String,
        group_id: Option<String>,
    },
    /// Delete every message of a queue (after the user confirmed).
    PurgeQueue { queue: String },
    /// Move a dead-letter queue's messages back to their source queues.
    RedriveQueue { queue: String },
    /// Show a queue's messages in the browser (`None` closes it).
    BrowseQueue { queue: Option<String> },
    /// Publish to a topic (Queues & Topics > Publish message).
    Publish {
        topic: String,
        message: String,
        subject: String,
        attributes: String,
    },
    /// Fire trigger `index` of `function` for real, as its source would (a trigger
    /// card's "Send test event"): the invocation it causes shows in Logs.
    SendTestEvent { function: String, index: usize },
    /// Declare a queue in `lambdesk.toml` (a form's "Create queue" offer).
    CreateQueue {
        queue: String,
        visibility_timeout_secs: u32,
    },
    /// Declare a topic in `lambdesk.toml` (a form's "Create topic" offer).
    CreateTopic { topic: String },
    /// Make a bucket's folder `buckets/<bucket>/` (a form's "Create bucket folder").
    CreateBucket { bucket: String },
    /// Remember where the user put the workspace map's cards
    /// (`.lambdesk/map-layout.json`).
    SaveMapLayout {
        layout: Box<crate::model::MapLayout>,
    },
    /// Delete a line or card of the workspace map and what goes with it (after the user
    /// confirmed the list).
    RemoveFromMap {
        selection: crate::model::MapSelection,
    },
    /// Take back the last edit of the workspace's files (Ctrl+Z on the map).
    Undo,
    /// Make the last undone edit again (Ctrl+Shift+Z).
    Redo,
    /// Build a compiled function (Rust, Go) now, changed or not (the Code tab's Build).
    Build { function: String },
    /// Stop the running build of a compiled function (the build bar's Cancel).
    CancelBuild { function: String },
    /// Reread the workspace's functions from disk.
    Refresh,
    /// Tell the user something went wrong (something the UI itself could not do).
    ShowMessage(String),
    /// The user looked at the notifications: none is new any more.
    MarkNotificationsSeen,
    /// Forget every notification.
    ClearNotifications,
}
