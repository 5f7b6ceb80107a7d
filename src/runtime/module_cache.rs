use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use wasmtime::component::Component;
use wasmtime::{Engine, Module};

use crate::model::write_atomically;

/// Where a loaded module came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleOrigin {
    /// Compiled by Cranelift in this process (and written to the cache).
    Compiled,
    /// Loaded from the on-disk cache: no compilation.
    DiskCache,
    /// Compiled by Winch, the baseline compiler, for a rebuilt Rust or Go function's first
    /// answer; never written to the cache. Cranelift's code replaces it once compiled
    /// in the background (then the origin is `Compiled`).
    Baseline,
    /// Not a module: the function runs as a native process (`provided`), started at its
    /// first invocation.
    NativeProcess,
}

/// Compiled modules on disk, keyed by the hash of the module's bytes and of the engine's
/// configuration, so a second process start loads machine code instead of recompiling.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// `$LAMBDESK_CACHE_DIR`, else the user's cache folder. The cache is shared by every
    /// workspace: entries are keyed by content, so sharing is safe and a module compiled
    /// once is never compiled again on this machine.
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("LAMBDESK_CACHE_DIR") {
            return PathBuf::from(dir);
        }
        dirs::cache_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("lambdesk")
            .join("modules")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Loads `wasm` from the cache or compiles it (validating it) and caches the result.
    pub fn load(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<(Module, ModuleOrigin)> {
        if let Some(module) = self.lookup(engine, wasm) {
            return Ok((module, ModuleOrigin::DiskCache));
        }
        Ok((self.compile(engine, wasm)?, ModuleOrigin::Compiled))
    }

    /// `wasm`'s compiled code for `engine` if the cache has it.
    pub fn lookup(&self, engine: &Engine, wasm: &[u8]) -> Option<Module> {
        let path = self.path_of(engine, wasm);
        if !path.is_file() {
            return None;
        }
        let loaded = deserialize_file(engine, &path);
        if loaded.is_err() {
            // A truncated or foreign file: drop it, so it is compiled again.
            let _ = std::fs::remove_file(&path);
        }
        loaded.ok()
    }

    /// Compiles `wasm` (validating it) and caches the result.
    pub fn compile(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Module> {
        let module = Module::from_binary(engine, wasm)?;
        // The cache is an optimisation: failing to write it must not fail the invocation.
        if let Ok(serialized) = module.serialize() {
            let _ = write_atomically(&self.path_of(engine, wasm), &serialized);
        }
        Ok(module)
    }

    fn path_of(&self, engine: &Engine, wasm: &[u8]) -> PathBuf {
        self.dir.join(format!("{}.cwasm", cache_key(engine, wasm)))
    }
}

impl ModuleCache {
    /// `load` for a component (a language pack's runtime).
    pub fn load_component(
        &self,
        engine: &Engine,
        wasm: &[u8],
    ) -> wasmtime::Result<(Component, ModuleOrigin)> {
        let path = self
            .dir
            .join(format!("{}.component.cwasm", cache_key(engine, wasm)));
        if path.is_file() {
            match deserialize_component_file(engine, &path) {
                Ok(component) => return Ok((component, ModuleOrigin::DiskCache)),
                Err(_) => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        let component = Component::from_binary(engine, wasm)?;
        if let Ok(serialized) = component.serialize() {
            let _ = write_atomically(&path, &serialized);
        }
        Ok((component, ModuleOrigin::Compiled))
    }
}

fn cache_key(engine: &Engine, wasm: &[u8]) -> String {
    let content = Sha256::digest(wasm);
    // Compiled code is only valid for the same wasmtime version and settings.
    let mut engine_hasher = std::hash::DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hasher);
    let mut key = String::with_capacity(82);
    for byte in content {
        key.push_str(&format!("{byte:02x}"));
    }
    key.push('-');
    key.push_str(&format!("{:016x}", engine_hasher.finish()));
    key
}

#[expect(
    unsafe_code,
    reason = "wasmtime requires unsafe to load precompiled machine code"
)]
fn deserialize_file(engine: &Engine, path: &Path) -> wasmtime::Result<Module> {
    // SAFETY: the file is one this cache wrote with `Module::serialize` for an engine with
    // the same compatibility hash (it is in the file name); files are written atomically,
    // so it is never a partial write, and wasmtime checks its header and version.
    unsafe { Module::deserialize_file(engine, path) }
}

#[expect(
    unsafe_code,
    reason = "wasmtime requires unsafe to load precompiled machine code"
)]
fn deserialize_component_file(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // SAFETY: as for `deserialize_file`: a file this cache wrote with
    // `Component::serialize` for an engine with the same compatibility hash, written
    // atomically; wasmtime checks its header and version.
    unsafe { Component::deserialize_file(engine, path) }
}
