//! A `lambdesk serve` process on a workspace, its output lines collected, killed when
//! dropped: for the tests that check what a user running `serve` sees.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub struct Serve {
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Serve {
    /// Starts `lambdesk serve` on any free ports (the gateway's and the Invoke API's), with the test run's module cache and
    /// Rust and Go build folders.
    pub fn start(workspace: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lambdesk"))
            .args([
                "serve",
                "--port",
                "0",
                "--lambda-api-port",
                "0",
                "--workspace",
            ])
            .arg(workspace)
            .env(
                "LAMBDESK_CACHE_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
            )
            .env("LAMBDESK_RUST_TARGET_DIR", super::rust_target_dir())
            .env("LAMBDESK_GO_BUILD_DIR", super::go_build_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lambdesk serve starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let outputs = [
            child
                .stdout
                .take()
                .map(|output| Box::new(output) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|output| Box::new(output) as Box<dyn std::io::Read + Send>),
        ];
        for output in outputs.into_iter().flatten() {
            let lines = Arc::clone(&lines);
            std::thread::Builder::new()
                .name("serve output".to_owned())
                .spawn(move || {
                    for line in BufReader::new(output).lines().map_while(Result::ok) {
                        lines.lock().expect("lines").push(line);
                    }
                })
                .expect("a thread for serve's output");
        }
        Self { child, lines }
    }

    /// How many lines so far contain `text`.
    pub fn count(&self, text: &str) -> usize {
        self.lines
            .lock()
            .expect("lines")
            .iter()
            .filter(|line| line.contains(text))
            .count()
    }

    pub fn said(&self, text: &str) -> bool {
        self.count(text) > 0
    }

    /// Everything it said, for a failure message.
    pub fn output(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
