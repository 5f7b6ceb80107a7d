//! The file operations `fs_more.js` adds to Node's `fs` (rename, rm, rmdir, lstat, symlink,
//! readlink, access, truncate) and a write that tells which step failed, so that a full
//! `/tmp` reads as Node's `ENOSPC: no space left on device, write` rather than `open`.
//! Each returns false (or null) on failure and leaves the error for `fsLastError`.

use std::cell::Cell;
use std::io::Write as _;

use rquickjs::{Ctx, Function, Object, TypedArray};

use crate::natives::{fs_change_failed, fs_failed};

thread_local! {
    /// The step of the last failed `fsWriteFile`: `"open"` or `"write"` (Node's syscall).
    static LAST_WRITE_STEP: Cell<&'static str> = const { Cell::new("open") };
}

/// Writes or appends `bytes` to `path`, remembering which step failed.
fn write_file(path: &str, bytes: &[u8], append: bool) -> bool {
    let opened = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path);
    let (step, result) = match opened {
        Err(error) => ("open", Err(error)),
        Ok(mut file) => ("write", file.write_all(bytes)),
    };
    LAST_WRITE_STEP.with(|last| last.set(step));
    result
        .map_err(|error| fs_change_failed(&error, path))
        .is_ok()
}

unsafe extern "C" {
    /// wasi-libc's POSIX symlink (over WASI's `path_symlink`); std's own is unstable.
    #[link_name = "symlink"]
    fn libc_symlink(
        target: *const std::ffi::c_char,
        link_path: *const std::ffi::c_char,
    ) -> std::ffi::c_int;
}

/// Makes `path` a symbolic link to `target`.
fn symlink(target: &str, path: &str) -> std::io::Result<()> {
    let invalid = |_| std::io::Error::from(std::io::ErrorKind::InvalidInput);
    let target_c = std::ffi::CString::new(target).map_err(invalid)?;
    let path_c = std::ffi::CString::new(path).map_err(invalid)?;
    // SAFETY: both are valid NUL-terminated strings that outlive the call.
    let status = unsafe { libc_symlink(target_c.as_ptr(), path_c.as_ptr()) };
    if status == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// [`std::fs::Metadata`] as `[size, kind, mtimeMs]` (kind: 0 file, 1 folder, 2 symlink).
fn stat_numbers(metadata: &std::fs::Metadata) -> Vec<f64> {
    let modified_ms = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0.0, |since| since.as_secs_f64() * 1000.0);
    let kind = if metadata.file_type().is_symlink() {
        2.0
    } else if metadata.is_dir() {
        1.0
    } else {
        0.0
    };
    #[allow(clippy::cast_precision_loss, reason = "file sizes fit f64")]
    let size = metadata.len() as f64;
    vec![size, kind, modified_ms]
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    natives.set(
        "fsWriteFile",
        Function::new(
            ctx.clone(),
            |path: String, bytes: TypedArray<'js, u8>, append: bool| {
                // SAFETY: the slice is used before any JavaScript runs again.
                let slice = unsafe { bytes.as_bytes() }.unwrap_or_default();
                write_file(&path, slice, append)
            },
        )?,
    )?;
    natives.set(
        "fsLastWriteStep",
        Function::new(ctx.clone(), || LAST_WRITE_STEP.with(Cell::get))?,
    )?;
    natives.set(
        "fsRename",
        Function::new(ctx.clone(), |from: String, to: String| {
            std::fs::rename(&from, &to)
                .map_err(|error| fs_change_failed(&error, &from))
                .is_ok()
        })?,
    )?;
    // `fsRemove(path, folder, recursive)`: a file, an empty folder, or a whole tree.
    natives.set(
        "fsRemove",
        Function::new(
            ctx.clone(),
            |path: String, folder: bool, recursive: bool| {
                let removed = match (folder, recursive) {
                    (true, true) => std::fs::remove_dir_all(&path),
                    (true, false) => std::fs::remove_dir(&path),
                    (false, _) => std::fs::remove_file(&path),
                };
                removed
                    .map_err(|error| fs_change_failed(&error, &path))
                    .is_ok()
            },
        )?,
    )?;
    natives.set(
        "fsLstat",
        Function::new(ctx.clone(), |path: String| {
            std::fs::symlink_metadata(&path)
                .map_err(|error| fs_failed(&error, &path))
                .ok()
                .map(|metadata| stat_numbers(&metadata))
        })?,
    )?;
    natives.set(
        "fsSymlink",
        Function::new(ctx.clone(), |target: String, path: String| {
            symlink(&target, &path)
                .map_err(|error| fs_change_failed(&error, &path))
                .is_ok()
        })?,
    )?;
    natives.set(
        "fsReadlink",
        Function::new(ctx.clone(), |path: String| {
            std::fs::read_link(&path)
                .map_err(|error| fs_failed(&error, &path))
                .ok()
                .map(|target| target.to_string_lossy().into_owned())
        })?,
    )?;
    natives.set(
        "fsTruncate",
        Function::new(ctx.clone(), |path: String, len: u64| {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|file| file.set_len(len))
                .map_err(|error| fs_change_failed(&error, &path))
                .is_ok()
        })?,
    )?;
    Ok(())
}
