use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::environment_mode::Environment;
use super::native::NativeEnvironment;

/// How long an unused execution environment is kept warm by default (Lambda keeps them
/// for minutes; the exact figure is not documented).
pub const DEFAULT_IDLE_ENVIRONMENT_TTL: Duration = Duration::from_secs(10 * 60);

/// Idle execution environments per function. An invocation takes one out (so
/// concurrent invocations get separate environments) and puts it back when done.
/// WebAssembly environments by default; native processes (`provided`) have a pool of
/// their own.
pub struct EnvironmentPool<E = Environment> {
    idle_ttl: Duration,
    idle: Mutex<HashMap<String, Vec<E>>>,
}

/// What the pool needs to know of an environment.
pub trait PooledEnvironment {
    /// What it was made from; a different one means new code or configuration.
    fn fingerprint(&self) -> u64;
    fn last_used(&self) -> Instant;
    /// Whether it can still serve (a native process may have exited while idle).
    fn is_usable(&self) -> bool {
        true
    }
}

impl PooledEnvironment for Environment {
    fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    fn last_used(&self) -> Instant {
        self.last_used
    }
}

impl PooledEnvironment for NativeEnvironment {
    fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    fn last_used(&self) -> Instant {
        self.last_used
    }

    fn is_usable(&self) -> bool {
        self.is_alive()
    }
}

impl<E: PooledEnvironment> EnvironmentPool<E> {
    pub fn new(idle_ttl: Duration) -> Self {
        Self {
            idle_ttl,
            idle: Mutex::default(),
        }
    }

    /// A warm environment made from `fingerprint`; environments of older code and those
    /// idle for too long are dropped on the way.
    pub fn take(&self, function: &str, fingerprint: u64) -> Option<E> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let environments = idle.get_mut(function)?;
        environments.retain(|environment| {
            environment.fingerprint() == fingerprint
                && environment.last_used().elapsed() < self.idle_ttl
                && environment.is_usable()
        });
        environments.pop()
    }

    pub fn put_back(&self, function: &str, environment: E) {
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
