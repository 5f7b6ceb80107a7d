//! The few functions the bootstrap needs from outside the engine: output, files under
//! `/var/task`, clocks, randomness, the environment. Everything else is JavaScript.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::Instant;

use rquickjs::{Ctx, Function, Module, Object, Promise, Value};

use crate::{fs_errors, loader};

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

thread_local! {
    /// The last file-system error: Node's code (`ENOENT`) and the system's message.
    static LAST_FS_ERROR: std::cell::RefCell<(String, String)> =
        const { std::cell::RefCell::new((String::new(), String::new())) };
}

/// Remembers `error` from an operation on `path` for `fsLastError`, as Node's code and
/// libuv's message (JS builds Node's error from them).
pub(crate) fn fs_failed(error: &std::io::Error, path: &str) {
    remember_fs_error(error, path, false);
}

/// [`fs_failed`] for an operation that writes, creates or removes.
pub(crate) fn fs_change_failed(error: &std::io::Error, path: &str) {
    remember_fs_error(error, path, true);
}

fn remember_fs_error(error: &std::io::Error, path: &str, changes: bool) {
    use std::io::ErrorKind;
    let (code, message) = match error.raw_os_error() {
        Some(errno) => fs_errors::node_error(errno, path, changes),
        // Not from the system: std's own checks (a NUL in the path, a short write).
        None => match error.kind() {
            ErrorKind::InvalidInput => ("EINVAL", "invalid argument"),
            _ => ("EIO", "i/o error"),
        },
    };
    LAST_FS_ERROR.with(|last| *last.borrow_mut() = (code.to_owned(), message.to_owned()));
}

fn install_fs<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    natives.set(
        "fsReadBytes",
        Function::new(ctx.clone(), |path: String| {
            std::fs::read(&path)
                .map_err(|error| fs_failed(&error, &path))
                .ok()
        })?,
    )?;
    natives.set(
        "fsWrite",
        Function::new(ctx.clone(), |path: String, bytes: Vec<u8>, append: bool| {
            let written = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .truncate(!append)
                .open(&path)
                .and_then(|mut file| file.write_all(&bytes));
            written
                .map_err(|error| fs_change_failed(&error, &path))
                .is_ok()
        })?,
    )?;
    natives.set(
        "fsReaddir",
        Function::new(ctx.clone(), |path: String| {
            let names = std::fs::read_dir(&path).and_then(|entries| {
                entries
                    .map(|entry| {
                        entry.map(|entry| entry.file_name().to_string_lossy().into_owned())
                    })
                    .collect::<std::io::Result<Vec<String>>>()
            });
            names.map_err(|error| fs_failed(&error, &path)).ok()
        })?,
    )?;
    natives.set(
        "fsExists",
        Function::new(ctx.clone(), |path: String| {
            std::path::Path::new(&path).exists()
        })?,
    )?;
    natives.set(
        "fsMkdir",
        Function::new(ctx.clone(), |path: String, recursive: bool| {
            let made = if recursive {
                std::fs::create_dir_all(&path)
            } else {
                std::fs::create_dir(&path)
            };
            made.map_err(|error| fs_change_failed(&error, &path))
                .is_ok()
        })?,
    )?;
    natives.set(
        "fsUnlink",
        Function::new(ctx.clone(), |path: String| {
            std::fs::remove_file(&path)
                .map_err(|error| fs_change_failed(&error, &path))
                .is_ok()
        })?,
    )?;
    natives.set(
        "fsStat",
        Function::new(ctx.clone(), |path: String| {
            let metadata = std::fs::metadata(&path)
                .map_err(|error| fs_failed(&error, &path))
                .ok()?;
            let modified_ms = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0.0, |since| since.as_secs_f64() * 1000.0);
            #[allow(clippy::cast_precision_loss, reason = "file sizes fit f64")]
            let size = metadata.len() as f64;
            Some(vec![
                size,
                if metadata.is_dir() { 1.0 } else { 0.0 },
                modified_ms,
            ])
        })?,
    )?;
    natives.set(
        "fsLastError",
        Function::new(ctx.clone(), || {
            LAST_FS_ERROR.with(|last| {
                let (code, message) = last.borrow().clone();
                vec![code, message]
            })
        })?,
    )?;
    Ok(())
}

pub fn install<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<()> {
    let natives = Object::new(ctx.clone())?;
    install_fs(ctx, &natives)?;
    crate::fs_natives::install(ctx, &natives)?;
    crate::crypto_natives::install(ctx, &natives)?;
    crate::cipher_natives::install(ctx, &natives)?;
    crate::sign_natives::install(ctx, &natives)?;
    crate::rsa_keygen_natives::install(ctx, &natives)?;
    crate::agree_natives::install(ctx, &natives)?;
    crate::zlib_natives::install(ctx, &natives)?;
    crate::brotli_zstd_natives::install(ctx, &natives)?;
    crate::text_natives::install(ctx, &natives)?;
    crate::response_stream_natives::install(ctx, &natives)?;
    crate::http_natives::install(ctx, &natives)?;
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
