//! A snapshot of the JS runtime after its bootstrap (wizer): every execution environment
//! starts from an engine that is already up, with console, timers, `require` and the web
//! APIs defined, so Init only loads the handler module. Made once per machine and kept in
//! the module cache folder next to the compiled code.

use std::path::Path;
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use wasmtime::{Engine, Instance, Linker, Module, Store, Val};
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType, Wizer};

use crate::model::write_atomically;

use super::engine::ticks_for;
use super::outbound_http::GatewayAddress;
use super::sandbox::{Sandbox, SandboxSetup, SandboxState};

/// The guest's export that runs the bootstrap (see runtimes/js/src/lib.rs).
const PREINIT_EXPORT: &str = "lambdesk_preinit";

/// Generous limits for the bootstrap, which takes milliseconds.
const PREINIT_MEMORY_MB: u32 = 256;
const PREINIT_TIMEOUT: Duration = Duration::from_secs(30);

/// The pre-initialised runtime for `wasm`: from the cache folder, or made now and stored.
pub async fn snapshot(
    engine: &Engine,
    linker: &Linker<SandboxState>,
    cache_dir: &Path,
    wasm: &[u8],
) -> wasmtime::Result<Vec<u8>> {
    let digest: String = Sha256::digest(wasm)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let path = cache_dir.join(format!("js-runtime-snapshot-{digest}.wasm"));
    // A damaged file fails to compile later and is simply made again next time.
    if let Ok(bytes) = std::fs::read(&path)
        && bytes.starts_with(b"\0asm")
    {
        return Ok(bytes);
    }
    let snapshot = make_snapshot(engine, linker, wasm).await?;
    // The cache is an optimisation: a failed write only means doing this again.
    let _ = write_atomically(&path, &snapshot);
    Ok(snapshot)
}

async fn make_snapshot(
    engine: &Engine,
    linker: &Linker<SandboxState>,
    wasm: &[u8],
) -> wasmtime::Result<Vec<u8>> {
    let mut wizer = Wizer::new();
    wizer.init_func(PREINIT_EXPORT);
    let (context, instrumented) = wizer.instrument(wasm)?;
    let module = Module::new(engine, &instrumented)?;
    // No variables, no files, no arguments: nothing of this machine goes into the snapshot.
    let setup = SandboxSetup {
        variables: Vec::new(),
        args: Vec::new(),
        preopens: Vec::new(),
        tmp: None,
        memory_mb: PREINIT_MEMORY_MB,
        timeout: PREINIT_TIMEOUT,
        gateway: GatewayAddress::default(),
    };
    let mut sandbox = Sandbox::new(engine, &setup, Vec::new())
        .map_err(|error| wasmtime::format_err!("{error}"))?;
    let store = &mut sandbox.store;
    store.set_epoch_deadline(ticks_for(PREINIT_TIMEOUT));
    let instance = linker.instantiate_async(&mut *store, &module).await?;
    instance
        .get_typed_func::<(), ()>(&mut *store, PREINIT_EXPORT)?
        .call_async(&mut *store, ())
        .await?;
    wizer
        .snapshot(&context, &mut SnapshotSource { store, instance })
        .await
}

/// What wizer reads the state from: our own store and instance.
struct SnapshotSource<'a> {
    store: &'a mut Store<SandboxState>,
    instance: Instance,
}

impl InstanceState for SnapshotSource<'_> {
    async fn global_get(&mut self, name: &str, _type_hint: ValType) -> SnapshotVal {
        let value = self
            .instance
            .get_global(&mut *self.store, name)
            .map(|global| global.get(&mut *self.store));
        match value {
            Some(Val::I32(x)) => SnapshotVal::I32(x),
            Some(Val::I64(x)) => SnapshotVal::I64(x),
            Some(Val::F32(x)) => SnapshotVal::F32(x),
            Some(Val::F64(x)) => SnapshotVal::F64(x),
            Some(Val::V128(x)) => SnapshotVal::V128(x.as_u128()),
            // wizer only asks for the globals it exported itself, all numeric.
            _ => SnapshotVal::I32(0),
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        match self.instance.get_memory(&mut *self.store, name) {
            Some(memory) => contents(memory.data(&*self.store)),
            None => contents(&[]),
        }
    }
}
