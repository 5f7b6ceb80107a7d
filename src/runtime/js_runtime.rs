//! The embedded JavaScript runtime (QuickJS-NG compiled to wasm32-wasip1 from
//! `runtimes/js/`, committed as `assets/runtime/quickjs.wasm`).

use std::path::{Path, PathBuf};

/// The runtime built into this binary.
pub const EMBEDDED_JS_RUNTIME: &[u8] = include_bytes!("../../assets/runtime/quickjs.wasm");

/// The environment variable that points lambdesk at another build of the JS runtime
/// (CI uses it to run the JS tests against a freshly built one).
pub const JS_RUNTIME_OVERRIDE_VAR: &str = "LAMBDESK_JS_RUNTIME";

pub fn override_path() -> Option<PathBuf> {
    std::env::var_os(JS_RUNTIME_OVERRIDE_VAR).map(PathBuf::from)
}

/// The runtime's bytes: the file at `path` if given, else the embedded one.
pub fn runtime_bytes(path: Option<&Path>) -> std::io::Result<Vec<u8>> {
    match path {
        Some(path) => std::fs::read(path),
        None => Ok(EMBEDDED_JS_RUNTIME.to_vec()),
    }
}
