use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::environment_mode::Environment;

/// How long an unused execution environment is kept warm by default (Lambda keeps them
/// for minutes; the exact figure is not documented).
pub const DEFAULT_IDLE_ENVIRONMENT_TTL: Duration = Duration::from_secs(10 * 60);

/// Idle execution environments per function. An invocation takes one out (so
/// concurrent invocations get separate environments) and puts it back when done.
pub struct EnvironmentPool {
    idle_ttl: Duration,
    idle: Mutex<HashMap<String, Vec<Environment>>>,
}

impl EnvironmentPool {
    pub fn new(idle_ttl: Duration) -> Self {
        Self {
            idle_ttl,
            idle: Mutex::default(),
        }
    }

    /// A warm environment made from `fingerprint`; environments of older code and those
    /// idle for too long are dropped on the way.
    pub fn take(&self, function: &str, fingerprint: u64) -> Option<Environment> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let environments = idle.get_mut(function)?;
        environments.retain(|environment| {
            environment.fingerprint == fingerprint
                && environment.last_used.elapsed() < self.idle_ttl
        });
        environments.pop()
    }

    pub fn put_back(&self, function: &str, environment: Environment) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(function.to_owned())
            .or_default()
            .push(environment);
    }

    /// Drops every idle environment of `function`.
    pub fn clear(&self, function: &str) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(function);
    }

    pub fn idle_count(&self, function: &str) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(function)
            .map_or(0, Vec::len)
    }
}
