//! Cancelling a build: the console's Cancel asks for a function's build to stop; a watch
//! beside the running compiler kills it within a tenth of a second, even while the
//! compiler is silent in one long crate (reading its output would only notice at the next
//! line). A request made when no build runs is dropped when the next build starts.

use std::collections::BTreeSet;
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How often the watch looks for a request.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Functions whose build the user asked to stop.
static REQUESTS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn requests() -> MutexGuard<'static, BTreeSet<String>> {
    REQUESTS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Asks the running build of `function` to stop.
pub fn request_cancel(function: &str) {
    requests().insert(function.to_owned());
}

/// Starts the compiler in a process group of its own, so a cancel stops what it started
/// too (rustc, build scripts, go's compile and link), not only the driver.
pub fn in_own_process_group(command: &mut Command) -> &mut Command {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    command
}

/// Kills `child` and, on unix, its process group (see `in_own_process_group`), with the
/// system's `kill`: std has no group kill, and a crate for it would rebuild wasmtime's.
fn kill_with_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let group = format!("-{}", child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    let _ = child.kill();
}

/// A compiler process under watch: killed if its function's build is cancelled.
pub struct WatchedChild {
    child: Arc<Mutex<Child>>,
    finished: Arc<AtomicBool>,
    cancelled: Arc<AtomicBool>,
}

fn lock(child: &Mutex<Child>) -> MutexGuard<'_, Child> {
    child.lock().unwrap_or_else(PoisonError::into_inner)
}

impl WatchedChild {
    /// Watches `child` (its output already taken) building `function`; an earlier request
    /// for `function` no longer counts.
    pub fn new(function: &str, child: Child) -> Self {
        requests().remove(function);
        let watched = Self {
            child: Arc::new(Mutex::new(child)),
            finished: Arc::new(AtomicBool::new(false)),
            cancelled: Arc::new(AtomicBool::new(false)),
        };
        let (child, finished, cancelled) = (
            Arc::clone(&watched.child),
            Arc::clone(&watched.finished),
            Arc::clone(&watched.cancelled),
        );
        let function = function.to_owned();
        let watch = std::thread::Builder::new()
            .name("build cancel watch".to_owned())
            .spawn(move || {
                while !finished.load(Ordering::Acquire) {
                    if requests().remove(&function) {
                        cancelled.store(true, Ordering::Release);
                        // Killed, its output ends and the build's reading loop with it.
                        kill_with_group(&mut lock(&child));
                        return;
                    }
                    std::thread::sleep(POLL_INTERVAL);
                }
            });
        if watch.is_err() {
            // No watch: the build runs to its end, as before cancelling existed.
            watched.finished.store(true, Ordering::Release);
        }
        watched
    }

    /// Waits for the process to end (polling, so the watch can still kill it); `Err` is
    /// `Cancelled` when the user stopped it.
    pub fn wait(self) -> Result<std::io::Result<ExitStatus>, Cancelled> {
        let status = loop {
            match lock(&self.child).try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) => {}
                Err(error) => break Err(error),
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        self.finished.store(true, Ordering::Release);
        if self.cancelled.load(Ordering::Acquire) {
            return Err(Cancelled);
        }
        Ok(status)
    }
}

/// The build was stopped by the user.
#[derive(Debug)]
pub struct Cancelled;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_requested_cancel_kills_a_silent_process_and_a_stale_request_is_dropped() {
        request_cancel("stale");
        let quick = Command::new("true").spawn().unwrap();
        let watched = WatchedChild::new("stale", quick);
        assert!(watched.wait().unwrap().unwrap().success(), "not cancelled");

        let slow = Command::new("sleep").arg("30").spawn().unwrap();
        let watched = WatchedChild::new("slow", slow);
        let started = std::time::Instant::now();
        request_cancel("slow");
        assert!(watched.wait().is_err(), "cancelled");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
