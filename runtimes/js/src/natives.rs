//! The few functions the bootstrap needs from outside the engine: output, files under
//! `/var/task`, clocks, randomness, the environment. Everything else is JavaScript.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::Instant;

use rquickjs::{Ctx, Function, Module, Object, Promise, Value};

use crate::loader;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    /// WASI's CSPRNG: fills `len` bytes at `buf`; returns an errno.
    fn random_get(buf: *mut u8, len: usize) -> u16;
}

thread_local! {
    /// The monotonic clock's origin for this environment. Set at Init, not kept from a
    /// snapshot: a snapshot's clock readings mean nothing in a later process.
    static MONOTONIC_START: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Starts this environment's monotonic clock (`performance.now()`, timers) at zero.
pub fn restart_clock() {
    MONOTONIC_START.with(|start| start.set(Some(Instant::now())));
}

fn monotonic_start() -> Instant {
    MONOTONIC_START.with(|start| {
        start.get().unwrap_or_else(|| {
            let now = Instant::now();
            start.set(Some(now));
            now
        })
    })
}

pub fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    // SAFETY: `bytes` is a valid buffer of `len` bytes.
    let errno = unsafe { random_get(bytes.as_mut_ptr(), len) };
    if errno != 0 {
        // WASI hosts always provide randomness; fall back to the clock rather than zeros.
        let seed = monotonic_start().elapsed().as_nanos();
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = (seed >> ((index % 16) * 8)) as u8 ^ index as u8;
        }
    }
    bytes
}

pub fn install<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<()> {
    let natives = Object::new(ctx.clone())?;
    natives.set(
        "write",
        Function::new(ctx.clone(), |fd: i32, text: String| {
            let result = if fd == 2 {
                let mut stderr = std::io::stderr().lock();
                stderr
                    .write_all(text.as_bytes())
                    .and_then(|()| stderr.flush())
            } else {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush())
            };
            result.is_ok()
        })?,
    )?;
    natives.set(
        "readFile",
        Function::new(ctx.clone(), |path: String| {
            std::fs::read_to_string(path).ok()
        })?,
    )?;
    natives.set(
        "isFile",
        Function::new(ctx.clone(), |path: String| {
            std::path::Path::new(&path).is_file()
        })?,
    )?;
    natives.set(
        "isEsm",
        Function::new(ctx.clone(), |path: String| loader::is_es_module(&path))?,
    )?;
    natives.set(
        "compileScript",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, source: String, filename: String| -> rquickjs::Result<Value<'js>> {
                let mut options = rquickjs::context::EvalOptions::default();
                options.strict = false;
                options.filename = Some(filename);
                ctx.eval_with_options(source, options)
            },
        )?,
    )?;
    natives.set(
        "importModule",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, specifier: String| -> rquickjs::Result<Promise<'js>> {
                Module::import(&ctx, specifier)
            },
        )?,
    )?;
    natives.set(
        "monotonicMs",
        Function::new(ctx.clone(), || {
            monotonic_start().elapsed().as_secs_f64() * 1000.0
        })?,
    )?;
    natives.set(
        "randomBytes",
        Function::new(ctx.clone(), |len: usize| random_bytes(len.min(65_536)))?,
    )?;
    natives.set(
        "environment",
        Function::new(ctx.clone(), || {
            std::env::vars().collect::<BTreeMap<String, String>>()
        })?,
    )?;
    ctx.globals().set("__lambdesk_natives", natives)?;
    Ok(())
}
