/// What a panel asks the console to do; applied after the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run a function with an event (the Test button).
    Invoke { function: String, event: String },
    /// Save a function's file (Ctrl+S in the editor).
    SaveFile {
        function: String,
        relative_path: String,
        contents: String,
    },
    /// Reread the workspace's functions from disk.
    Refresh,
    /// Hide the message in the status bar.
    DismissMessage,
}
