//! Cranelift's incremental compilation cache, kept in memory for the process: a module
//! that is new (a Go or Rust function rebuilt after a one-line change) is mostly the same
//! functions as the one before it (a Go module is the runtime and standard library
//! around a little user code), and each function compiled before is taken from here
//! instead of being compiled again. Whole modules are cached on disk by `module_cache`;
//! this only speeds up the compile of one that is not there. It helps most when the
//! edit leaves the module's data in place (a logic change: a Go rebuild answers in half
//! the time); a longer string moves the data after it, and with it most functions' code.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Compiled functions kept at most, in bytes: a few rebuilt Go modules' worth. Reaching
/// it empties the cache, so memory stays bounded and the newest code is what is kept.
const MAX_STORED_BYTES: usize = 128 << 20;

#[derive(Debug, Default)]
pub struct CompiledFunctionCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<Vec<u8>, Vec<u8>>,
    stored_bytes: usize,
}

impl wasmtime::CacheStore for CompiledFunctionCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .entries
            .get(key)
            .map(|value| Cow::Owned(value.clone()))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let size = key.len() + value.len();
        if size > MAX_STORED_BYTES {
            return false;
        }
        if state.stored_bytes + size > MAX_STORED_BYTES {
            state.entries.clear();
            state.stored_bytes = 0;
        }
        if state.entries.insert(key.to_vec(), value).is_none() {
            state.stored_bytes += size;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::CacheStore as _;

    #[test]
    fn a_stored_function_is_found_and_a_full_cache_starts_again() {
        let cache = CompiledFunctionCache::default();
        assert!(cache.insert(b"key", vec![1, 2, 3]));
        assert_eq!(cache.get(b"key").as_deref(), Some(&[1, 2, 3][..]));
        assert!(cache.get(b"other").is_none());
        assert!(cache.insert(b"big", vec![0; MAX_STORED_BYTES - 4]));
        assert!(cache.get(b"key").is_none(), "emptied to make room");
        assert!(cache.get(b"big").is_some());
        assert!(!cache.insert(b"huge", vec![0; MAX_STORED_BYTES + 1]));
    }
}
