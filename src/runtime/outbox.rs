//! A function's `/outbox`: how a sandboxed function sends to queues and publishes to
//! topics without any host import. The guest writes one JSON file per message (the JS
//! runtime's `lambdesk` module does it for JS; any WASI program can); when the invocation
//! ends the host takes the files, in name order, and hands the messages to whoever
//! invoked the function to deliver. A JS execution environment keeps one outbox folder
//! for its life (it runs one invocation at a time); a command-mode invocation gets its own.

use std::path::{Path, PathBuf};

use wasmtime_wasi::FsPerms;

use crate::model::OutgoingMessage;

/// Where the outbox appears inside the sandbox.
pub const OUTBOX_GUEST_PATH: &str = "/outbox";

#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    /// A fresh, empty outbox `<state dir>/outbox/<function>/<pid>-<id>/`: the process id
    /// tells a later start whose outbox a crash left behind.
    pub fn create(state_dir: &Path, function: &str) -> std::io::Result<Self> {
        let dir = state_dir.join("outbox").join(function).join(format!(
            "{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    /// The preopen that shows it to the guest as `/outbox`, writable.
    pub fn preopen(&self) -> (PathBuf, String, FsPerms) {
        (
            self.dir.clone(),
            OUTBOX_GUEST_PATH.to_owned(),
            FsPerms::ReadWrite,
        )
    }

    /// Takes every message written since the last take, oldest name first, and empties
    /// the folder. A file that is not a message becomes a log line saying why.
    pub fn take(&self) -> (Vec<OutgoingMessage>, Vec<String>) {
        take_messages(&self.dir)
    }
}

/// The outboxes under `state_dir` that processes no longer running left behind (killed
/// between an invocation's end and the sending of its messages): `(function, folder)`.
pub fn orphaned_outboxes(
    state_dir: &Path,
    is_running: impl Fn(u32) -> bool,
) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let Ok(functions) = std::fs::read_dir(state_dir.join("outbox")) else {
        return found;
    };
    for function in functions.flatten() {
        let Ok(boxes) = std::fs::read_dir(function.path()) else {
            continue;
        };
        for outbox in boxes.flatten() {
            let name = outbox.file_name().to_string_lossy().into_owned();
            let owner = name
                .split_once('-')
                .and_then(|(pid, _)| pid.parse::<u32>().ok());
            if owner.is_some_and(|pid| !is_running(pid)) {
                found.push((
                    function.file_name().to_string_lossy().into_owned(),
                    outbox.path(),
                ));
            }
        }
    }
    found
}

/// The messages in an outbox folder, oldest name first; the files are removed.
pub fn take_messages(dir: &Path) -> (Vec<OutgoingMessage>, Vec<String>) {
    let mut messages = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (messages, problems);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let read = std::fs::read(&path);
        // Taken either way: a bad file must not be read again with the next invocation.
        let _ = std::fs::remove_file(&path);
        let parsed = read.map_err(|error| error.to_string()).and_then(|bytes| {
            serde_json::from_slice::<OutgoingMessage>(&bytes).map_err(|error| error.to_string())
        });
        match parsed {
            Ok(message) => messages.push(message),
            Err(error) => problems.push(format!(
                "lambdesk: {OUTBOX_GUEST_PATH}/{name} is not a message and was not sent: {error}"
            )),
        }
    }
    (messages, problems)
}

impl Drop for Outbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_taken_in_name_order_and_bad_files_reported() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::create(dir.path(), "f").unwrap();
        let (host_dir, guest_path, _) = outbox.preopen();
        assert_eq!(guest_path, "/outbox");
        std::fs::write(
            host_dir.join("2.json"),
            r#"{"type":"topic","topic":"alerts","message":"hi"}"#,
        )
        .unwrap();
        std::fs::write(
            host_dir.join("1.json"),
            r#"{"type":"queue","queue":"orders","body":"{}","attributes":{"kind":{"type":"String","value":"a"}}}"#,
        )
        .unwrap();
        std::fs::write(host_dir.join("3.json"), "not json").unwrap();
        let (messages, problems) = outbox.take();
        assert!(matches!(&messages[0], OutgoingMessage::Queue { queue, .. } if queue == "orders"));
        assert!(matches!(&messages[1], OutgoingMessage::Topic { topic, .. } if topic == "alerts"));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("/outbox/3.json"));
        assert_eq!(outbox.take(), (Vec::new(), Vec::new()));
        drop(outbox);
        assert!(!host_dir.exists());
    }
}
