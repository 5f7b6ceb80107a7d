//! Building compiled functions (Rust, Go, Java) from the console: the Code tab's Build button, and
//! after a save the code check builds a stale crate anyway. The build runs on the
//! console's runtime in the background; its progress and the compiler's diagnostics are
//! read from the runtime each frame (`build_status`), the outcome comes back as an event.

use std::sync::Arc;

use super::{Console, ConsoleEvent, NotificationLevel};
use crate::runtime::BuildStatus;

/// How the last build the console started ended, for the Code tab's build bar.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildOutcome {
    /// Built, in this many seconds.
    Built { seconds: f64 },
    /// It did not build: the compiler's errors are in the build status; other reasons
    /// (no cargo, no wasm target) are here.
    Failed(String),
}

impl Console {
    /// Builds `name` in the background whether or not its sources changed.
    pub(super) fn build_function(&mut self, name: &str) {
        let function = match self.workspace.function(name) {
            Ok(function) => function,
            Err(error) => {
                self.notify(NotificationLevel::Error, error.to_string());
                return;
            }
        };
        if !self.state.building.insert(name.to_owned()) {
            return;
        }
        let runtime = Arc::clone(&self.runtime);
        let sender = self.events_sender.clone();
        let waker = Arc::clone(&self.waker);
        self.tokio.spawn(async move {
            let outcome = match runtime.build(&function).await {
                Ok(report) => BuildOutcome::Built {
                    seconds: report.duration.as_secs_f64(),
                },
                Err(error) => BuildOutcome::Failed(error.to_string()),
            };
            let _ = sender.send(ConsoleEvent::BuildFinished {
                function: function.name.clone(),
                outcome,
            });
            waker();
        });
    }

    pub(super) fn take_build_outcome(&mut self, function: &str, outcome: BuildOutcome) {
        self.state.building.remove(function);
        self.state.last_builds.insert(function.to_owned(), outcome);
    }

    /// A compiled function's build while it runs (progress) and the last one's errors and
    /// warnings (the editor's markers and Problems list).
    pub fn build_status(&self, function: &str) -> Option<BuildStatus> {
        self.runtime.build_status(function)
    }
}
