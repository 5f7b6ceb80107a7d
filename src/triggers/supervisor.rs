//! Runs the engine's long-lived tasks (a schedule, a bucket watch, a queue poller,
//! asynchronous delivery) so that one that panics is not silently gone: the panic is
//! reported through the sink, with what stopped and why, and the task starts again after
//! a back-off (1 s, doubling up to a minute), so that a task that panics at once does not
//! spin.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{JoinError, JoinHandle};

use super::context::InvocationSink;

/// A task's work, as a source hands it to the supervisor.
pub type TaskFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The wait before the first restart.
pub const FIRST_RESTART_DELAY: Duration = Duration::from_secs(1);

/// The longest wait between restarts; a task that ran this long before panicking starts
/// again after [`FIRST_RESTART_DELAY`].
pub const MAX_RESTART_DELAY: Duration = Duration::from_secs(60);

/// Spawns supervised tasks, reporting their panics to the sink.
#[derive(Clone)]
pub struct Supervisor {
    sink: Arc<dyn InvocationSink>,
}

impl Supervisor {
    pub fn new(sink: Arc<dyn InvocationSink>) -> Self {
        Self { sink }
    }

    /// Runs `first`; if it panics, says so and runs `restart()` after the back-off, until
    /// a run returns or `stop` turns true. `what` names the task in the message ("the
    /// schedule `rate(5 minutes)` of `tick`").
    pub fn spawn<Restart>(
        &self,
        what: String,
        mut stop: watch::Receiver<bool>,
        first: TaskFuture,
        restart: Restart,
    ) -> JoinHandle<()>
    where
        Restart: Fn() -> TaskFuture + Send + 'static,
    {
        let sink = Arc::clone(&self.sink);
        tokio::spawn(async move {
            let mut run = first;
            let mut delay = FIRST_RESTART_DELAY;
            loop {
                let started = tokio::time::Instant::now();
                // A task of its own: its panic ends it alone and comes back as a JoinError.
                let attempt = tokio::spawn(with_injected_fault(what.clone(), run)).await;
                let panic = match attempt {
                    Ok(()) => return,
                    Err(error) if error.is_panic() => panic_message(error),
                    // Cancelled: the runtime is shutting down.
                    Err(_) => return,
                };
                if started.elapsed() >= MAX_RESTART_DELAY {
                    delay = FIRST_RESTART_DELAY;
                }
                sink.problem(format!(
                    "{what} stopped unexpectedly (panic: {panic}); it restarts in {} s",
                    delay.as_secs()
                ));
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    // Stopped (or the engine gone) meanwhile: nothing to restart.
                    _ = stop.wait_for(|stopped| *stopped) => return,
                }
                delay = (delay * 2).min(MAX_RESTART_DELAY);
                run = restart();
            }
        })
    }
}

/// What a panic said (`panic!("…")` carries a `&str` or a `String`).
fn panic_message(error: JoinError) -> String {
    let payload = error.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

#[cfg(not(test))]
async fn with_injected_fault(_what: String, run: TaskFuture) {
    run.await;
}

#[cfg(test)]
async fn with_injected_fault(what: String, run: TaskFuture) {
    if fault_injection::take(&what) {
        panic!("{}", fault_injection::INJECTED_PANIC);
    }
    run.await;
}

/// Makes a supervised task panic, for the tests of what happens then.
#[cfg(test)]
pub mod fault_injection {
    use std::sync::{Mutex, PoisonError};

    /// What an injected panic says.
    pub const INJECTED_PANIC: &str = "a fault injected by a test";

    static PANIC_NEXT_RUN_OF: Mutex<Vec<String>> = Mutex::new(Vec::new());

    /// The next run of the task named `what` panics as it starts (once).
    pub fn panic_next_run_of(what: &str) {
        PANIC_NEXT_RUN_OF
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(what.to_owned());
    }

    pub(super) fn take(what: &str) -> bool {
        let mut armed = PANIC_NEXT_RUN_OF
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match armed.iter().position(|armed| armed == what) {
            Some(index) => {
                armed.swap_remove(index);
                true
            }
            None => false,
        }
    }
}
