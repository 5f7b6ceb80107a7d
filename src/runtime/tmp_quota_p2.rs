//! `/tmp`'s size limit inside WASI preview 2, for component guests (Python's runtime):
//! what `tmp_quota_shims.rs` does for preview 1. wasmtime-wasi's
//! `wasi:filesystem/types` functions that can make a file larger are defined again over
//! its own: `descriptor.write` and `descriptor.set-size` answer `insufficient-space` past
//! the limit; the output streams `write-via-stream` and `append-via-stream` give for a
//! file under `/tmp` are wrapped, and their writes fail the same way (wasi-libc reads that
//! as ENOSPC). Which descriptors lead into `/tmp` is followed from `preopens.get-directories`
//! through `descriptor.open-at`, by the identity of the host file each one holds.
//! Renaming across `/tmp` and another folder is not refused here (preview 1 answers EXDEV).

use std::sync::{Arc, Weak};

use bytes::Bytes;
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource};
use wasmtime_wasi::WasiView as _;
use wasmtime_wasi::filesystem::{Descriptor, WasiFilesystemView as _};
use wasmtime_wasi::p2::bindings::filesystem::preopens::Host as _;
use wasmtime_wasi::p2::bindings::filesystem::types::{
    DescriptorFlags, ErrorCode, HostDescriptor as _, OpenFlags, PathFlags,
};
use wasmtime_wasi::p2::{
    DynOutputStream, FsResult, OutputStream, Pollable, StreamError, StreamResult,
};

use super::ephemeral_storage::{TMP_GUEST_PATH, TmpMount};
use super::sandbox::SandboxState;

/// The version of `wasi:filesystem` wasmtime-wasi 48 defines (a guest importing any 0.2.x
/// is linked to it).
const FILESYSTEM_TYPES: &str = "wasi:filesystem/types@0.2.12";
const FILESYSTEM_PREOPENS: &str = "wasi:filesystem/preopens@0.2.12";

/// The host files (and folders) of a sandbox that are `/tmp` or under it, held weakly:
/// a dropped descriptor's entry dies with it, so a reused handle is never mistaken.
#[derive(Debug, Default)]
pub struct TmpDescriptors(Vec<Weak<std::fs::File>>);

impl TmpDescriptors {
    fn add(&mut self, file: &Arc<std::fs::File>) {
        self.0.retain(|known| known.strong_count() > 0);
        self.0.push(Arc::downgrade(file));
    }

    fn contains(&self, file: &Arc<std::fs::File>) -> bool {
        self.0
            .iter()
            .any(|known| std::ptr::eq(known.as_ptr(), Arc::as_ptr(file)))
    }
}

/// The host file a descriptor holds.
fn host_file(descriptor: &Descriptor) -> &Arc<std::fs::File> {
    match descriptor {
        Descriptor::File(file) => &file.file,
        Descriptor::Dir(dir) => &dir.dir,
    }
}

/// `/tmp`'s mount if `fd` leads into it.
fn tmp_mount_of(state: &mut SandboxState, fd: &Resource<Descriptor>) -> Option<TmpMount> {
    let mount = state.tmp.as_ref()?.mount().clone();
    let rep = fd.rep();
    let descriptor = state
        .wasi
        .ctx()
        .table
        .get(&Resource::<Descriptor>::new_borrow(rep))
        .ok()?;
    let file = Arc::clone(host_file(descriptor));
    state.tmp_descriptors.contains(&file).then_some(mount)
}

/// The size of the file behind `fd` now, if it can be read.
fn size_of(state: &mut SandboxState, fd: &Resource<Descriptor>) -> Option<u64> {
    let rep = fd.rep();
    let table = state.wasi.ctx().table;
    let descriptor = table.get(&Resource::<Descriptor>::new_borrow(rep)).ok()?;
    host_file(descriptor)
        .metadata()
        .ok()
        .map(|metadata| metadata.len())
}

fn borrow(fd: &Resource<Descriptor>) -> Resource<Descriptor> {
    Resource::new_borrow(fd.rep())
}

/// An `FsResult` as the component function returns it.
fn lowered<T>(result: FsResult<T>) -> wasmtime::Result<Result<T, ErrorCode>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(error) => Ok(Err(error.downcast()?)),
    }
}

/// Replaces the functions above in `linker`, which already holds wasmtime-wasi's.
pub fn add_to_linker(linker: &mut Linker<SandboxState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut preopens = linker.instance(FILESYSTEM_PREOPENS)?;
    preopens.func_wrap(
        "get-directories",
        |mut store: StoreContextMut<'_, SandboxState>, (): ()| {
            let state = store.data_mut();
            let directories = state.filesystem().get_directories()?;
            for (fd, path) in &directories {
                if path == TMP_GUEST_PATH
                    && let Ok(descriptor) = state.wasi.ctx().table.get(&borrow(fd))
                {
                    let file = Arc::clone(host_file(descriptor));
                    state.tmp_descriptors.add(&file);
                }
            }
            Ok((directories,))
        },
    )?;
    let mut types = linker.instance(FILESYSTEM_TYPES)?;
    types.func_wrap_async(
        "[method]descriptor.open-at",
        |mut store: StoreContextMut<'_, SandboxState>,
         (fd, path_flags, path, open_flags, flags): (
            Resource<Descriptor>,
            PathFlags,
            String,
            OpenFlags,
            DescriptorFlags,
        )| {
            Box::new(async move {
                let state = store.data_mut();
                let under_tmp = tmp_mount_of(state, &fd).is_some();
                let opened = state
                    .filesystem()
                    .open_at(fd, path_flags, path, open_flags, flags)
                    .await;
                // WASI keeps every path inside the folder it starts from.
                if under_tmp
                    && let Ok(child) = &opened
                    && let Ok(descriptor) = state.wasi.ctx().table.get(&borrow(child))
                {
                    let file = Arc::clone(host_file(descriptor));
                    state.tmp_descriptors.add(&file);
                }
                Ok((lowered(opened)?,))
            })
        },
    )?;
    types.func_wrap_async(
        "[method]descriptor.write",
        |mut store: StoreContextMut<'_, SandboxState>,
         (fd, buffer, offset): (Resource<Descriptor>, Vec<u8>, u64)| {
            Box::new(async move {
                let state = store.data_mut();
                let mount = tmp_mount_of(state, &fd);
                // Sizes are read only for files under /tmp: other writes pay nothing.
                let before_bytes = match &mount {
                    Some(_) => size_of(state, &fd).unwrap_or(0),
                    None => 0,
                };
                let end_bytes = offset.saturating_add(buffer.len() as u64);
                if let Some(mount) = &mount
                    && !mount.admits(end_bytes.saturating_sub(before_bytes))
                {
                    return Ok((Err(ErrorCode::InsufficientSpace),));
                }
                let written = state.filesystem().write(borrow(&fd), buffer, offset).await;
                if let Some(mount) = &mount {
                    let after_bytes = size_of(state, &fd).unwrap_or(end_bytes);
                    mount.resized(before_bytes, after_bytes.max(before_bytes));
                }
                Ok((lowered(written)?,))
            })
        },
    )?;
    types.func_wrap_async(
        "[method]descriptor.set-size",
        |mut store: StoreContextMut<'_, SandboxState>, (fd, size): (Resource<Descriptor>, u64)| {
            Box::new(async move {
                let state = store.data_mut();
                let mount = tmp_mount_of(state, &fd);
                let before_bytes = match &mount {
                    Some(_) => size_of(state, &fd).unwrap_or(0),
                    None => 0,
                };
                if let Some(mount) = &mount
                    && !mount.admits(size.saturating_sub(before_bytes))
                {
                    return Ok((Err(ErrorCode::InsufficientSpace),));
                }
                let resized = state.filesystem().set_size(borrow(&fd), size).await;
                if let (Some(mount), Ok(())) = (&mount, &resized) {
                    mount.resized(before_bytes, size);
                }
                Ok((lowered(resized)?,))
            })
        },
    )?;
    types.func_wrap(
        "[method]descriptor.write-via-stream",
        |mut store: StoreContextMut<'_, SandboxState>,
         (fd, offset): (Resource<Descriptor>, u64)| {
            let state = store.data_mut();
            let mount = tmp_mount_of(state, &fd);
            let stream = state.filesystem().write_via_stream(fd, offset);
            Ok((lowered(counted(state, stream, mount))?,))
        },
    )?;
    types.func_wrap(
        "[method]descriptor.append-via-stream",
        |mut store: StoreContextMut<'_, SandboxState>, (fd,): (Resource<Descriptor>,)| {
            let state = store.data_mut();
            let mount = tmp_mount_of(state, &fd);
            let stream = state.filesystem().append_via_stream(fd);
            Ok((lowered(counted(state, stream, mount))?,))
        },
    )?;
    Ok(())
}

/// A stream into a file under `/tmp` replaced by one that counts what it writes.
fn counted(
    state: &mut SandboxState,
    stream: FsResult<Resource<DynOutputStream>>,
    mount: Option<TmpMount>,
) -> FsResult<Resource<DynOutputStream>> {
    let (Ok(stream), Some(mount)) = (&stream, mount) else {
        return stream;
    };
    let table = state.wasi.ctx().table;
    let inner = table.delete(Resource::<DynOutputStream>::new_own(stream.rep()))?;
    let wrapped: DynOutputStream = Box::new(TmpStream { inner, mount });
    Ok(table.push(wrapped)?)
}

/// A file stream under `/tmp`: each write is admitted against the limit first.
struct TmpStream {
    inner: DynOutputStream,
    mount: TmpMount,
}

/// What a full disk answers: wasi-libc turns it into ENOSPC.
fn no_space() -> StreamError {
    StreamError::LastOperationFailed(wasmtime::Error::from(std::io::Error::from_raw_os_error(
        NO_SPACE_ERRNO,
    )))
}

/// ENOSPC on Linux and macOS alike.
const NO_SPACE_ERRNO: i32 = 28;

#[async_trait::async_trait]
impl OutputStream for TmpStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        let len_bytes = bytes.len() as u64;
        // The stream's position is its own: count the whole write as growth, an
        // overstatement the next count of the folder corrects.
        if !self.mount.admits(len_bytes) {
            return Err(no_space());
        }
        self.inner.write(bytes)?;
        self.mount.grew_at_most(len_bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.inner.flush()
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        self.inner.check_write()
    }

    async fn cancel(&mut self) {
        self.inner.cancel().await;
    }
}

#[async_trait::async_trait]
impl Pollable for TmpStream {
    async fn ready(&mut self) {
        self.inner.ready().await;
    }
}
