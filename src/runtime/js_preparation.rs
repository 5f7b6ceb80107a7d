//! What the one-time preparation of the JS runtime is doing (taking its snapshot,
//! compiling it), so the console can say why the first JavaScript Test of a machine takes
//! seconds instead of showing "Running…" without a word.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A step of preparing the JS runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsPreparationStep {
    /// Starting QuickJS once and snapshotting it after its bootstrap.
    Snapshot,
    /// Compiling the snapshot to machine code (or loading that from the cache).
    Compile,
}

impl JsPreparationStep {
    /// The step's place among all of them, from 1.
    pub fn number(self) -> usize {
        match self {
            Self::Snapshot => 1,
            Self::Compile => 2,
        }
    }

    pub const COUNT: usize = 2;

    pub fn description(self) -> &'static str {
        match self {
            Self::Snapshot => "starting the JavaScript engine and taking its snapshot",
            Self::Compile => "compiling the JavaScript engine to machine code",
        }
    }
}

/// The step in progress and since when; `None` when nothing is being prepared.
#[derive(Debug, Default)]
pub(super) struct JsPreparation(Mutex<Option<(JsPreparationStep, Instant)>>);

impl JsPreparation {
    pub(super) fn begin(&self, step: JsPreparationStep) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((step, Instant::now()));
    }

    pub(super) fn end(&self) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The step in progress and how long it has taken so far.
    pub(super) fn current(&self) -> Option<(JsPreparationStep, Duration)> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map(|(step, since)| (step, since.elapsed()))
    }
}
