//! `/tmp`'s size limit inside WASI preview 1. wasmtime-wasi 48 lets a host choose the
//! folders a guest sees but not put a file system of its own behind them, so the preview 1
//! functions that can make a file under `/tmp` larger (`fd_write`, `fd_pwrite`,
//! `fd_filestat_set_size`) are defined again over wasmtime-wasi's own: past the limit
//! they answer ENOSPC, as a full disk does, otherwise they call wasmtime-wasi's function
//! and count what it added. `path_open`, `fd_renumber` and `fd_close` are wrapped to know
//! which descriptors lead into `/tmp`; `path_rename` and `path_link` between `/tmp` and
//! another folder answer EXDEV, as across file systems on Lambda, so no file enters
//! `/tmp` uncounted. (`fd_allocate` needs nothing: wasmtime-wasi does not support it.)
//!
//! Each shim does what wiggle's generated linker code does (take the guest's memory, set
//! the host-call fuel) and then calls the same generated ABI function.

use wasmtime::{AsContextMut, Caller, Extern, Linker};
use wasmtime_wasi::p1::types::{self, Errno};
use wasmtime_wasi::p1::wasi_snapshot_preview1::{self as preview1, WasiSnapshotPreview1};
use wiggle::{GuestMemory, GuestPtr};

use super::sandbox::SandboxState;

const MODULE: &str = "wasi_snapshot_preview1";

/// Replaces the preview 1 functions above in `linker`, which already holds
/// wasmtime-wasi's (`wasmtime_wasi::p1::add_to_linker_async`).
pub fn add_to_linker(linker: &mut Linker<SandboxState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    linker.func_wrap_async(
        MODULE,
        "fd_write",
        |mut caller: Caller<'_, SandboxState>,
         (fd, iovs, iovs_len, nwritten): (i32, i32, i32, i32)| {
            Box::new(async move {
                let (mut memory, state) = split(&mut caller)?;
                let len_bytes = first_buffer_bytes(&memory, iovs, iovs_len);
                let write = Growth::Write {
                    len_bytes,
                    offset_bytes: None,
                };
                let admission = admit(state, &mut memory, fd, write).await;
                if let Admission::Refused = admission {
                    return Ok(errno(Errno::Nospc));
                }
                let result =
                    preview1::fd_write(&mut state.wasi, &mut memory, fd, iovs, iovs_len, nwritten)
                        .await?;
                account(state, &mut memory, fd, admission).await;
                Ok(result)
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "fd_pwrite",
        |mut caller: Caller<'_, SandboxState>,
         (fd, iovs, iovs_len, offset, nwritten): (i32, i32, i32, i64, i32)| {
            Box::new(async move {
                let (mut memory, state) = split(&mut caller)?;
                let len_bytes = first_buffer_bytes(&memory, iovs, iovs_len);
                let write = Growth::Write {
                    len_bytes,
                    offset_bytes: Some(offset.cast_unsigned()),
                };
                let admission = admit(state, &mut memory, fd, write).await;
                if let Admission::Refused = admission {
                    return Ok(errno(Errno::Nospc));
                }
                let result = preview1::fd_pwrite(
                    &mut state.wasi,
                    &mut memory,
                    fd,
                    iovs,
                    iovs_len,
                    offset,
                    nwritten,
                )
                .await?;
                account(state, &mut memory, fd, admission).await;
                Ok(result)
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "fd_filestat_set_size",
        |mut caller: Caller<'_, SandboxState>, (fd, size): (i32, i64)| {
            Box::new(async move {
                let (mut memory, state) = split(&mut caller)?;
                let resize = Growth::SetSize(size.cast_unsigned());
                let admission = admit(state, &mut memory, fd, resize).await;
                if let Admission::Refused = admission {
                    return Ok(errno(Errno::Nospc));
                }
                let result =
                    preview1::fd_filestat_set_size(&mut state.wasi, &mut memory, fd, size).await?;
                account(state, &mut memory, fd, admission).await;
                Ok(result)
            })
        },
    )?;
    add_descriptor_followers(linker)?;
    linker.allow_shadowing(false);
    Ok(())
}

/// The shims that follow which descriptors lead into `/tmp`, and keep files from moving
/// into it uncounted.
fn add_descriptor_followers(linker: &mut Linker<SandboxState>) -> wasmtime::Result<()> {
    linker.func_wrap_async(
        MODULE,
        "path_open",
        |mut caller: Caller<'_, SandboxState>,
         (
            dir_fd,
            dirflags,
            path,
            path_len,
            oflags,
            rights_base,
            rights_inheriting,
            fdflags,
            opened,
        ): (i32, i32, i32, i32, i32, i64, i64, i32, i32)| {
            Box::new(async move {
                let (mut memory, state) = split(&mut caller)?;
                let result = preview1::path_open(
                    &mut state.wasi,
                    &mut memory,
                    dir_fd,
                    dirflags,
                    path,
                    path_len,
                    oflags,
                    rights_base,
                    rights_inheriting,
                    fdflags,
                    opened,
                )
                .await?;
                if let Some(quota) = state.tmp.as_mut()
                    && result == errno(Errno::Success)
                    && let Ok(opened_fd) = memory.read(GuestPtr::<u32>::new(opened.cast_unsigned()))
                {
                    quota.opened(dir_fd.cast_unsigned(), opened_fd);
                }
                Ok(result)
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "fd_close",
        |mut caller: Caller<'_, SandboxState>, (fd,): (i32,)| {
            Box::new(async move {
                let (mut memory, state) = split(&mut caller)?;
                let result = preview1::fd_close(&mut state.wasi, &mut memory, fd).await?;
                if let Some(quota) = state.tmp.as_mut()
                    && result == errno(Errno::Success)
                {
                    quota.closed(fd.cast_unsigned());
                }
                Ok(result)
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "fd_renumber",
        |mut caller: Caller<'_, SandboxState>, (from_fd, to_fd): (i32, i32)| {
            Box::new(async move {
                let (mut memory, state) = split(&mut caller)?;
                let result =
                    preview1::fd_renumber(&mut state.wasi, &mut memory, from_fd, to_fd).await?;
                if let Some(quota) = state.tmp.as_mut()
                    && result == errno(Errno::Success)
                {
                    quota.renumbered(from_fd.cast_unsigned(), to_fd.cast_unsigned());
                }
                Ok(result)
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "path_rename",
        |mut caller: Caller<'_, SandboxState>,
         (from_dir_fd, from, from_len, to_dir_fd, to, to_len): (i32, i32, i32, i32, i32, i32)| {
            Box::new(async move {
                let (mut memory, state) = split(&mut caller)?;
                if crosses_tmp(state, from_dir_fd, to_dir_fd) {
                    return Ok(errno(Errno::Xdev));
                }
                preview1::path_rename(
                    &mut state.wasi,
                    &mut memory,
                    from_dir_fd,
                    from,
                    from_len,
                    to_dir_fd,
                    to,
                    to_len,
                )
                .await
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "path_link",
        |mut caller: Caller<'_, SandboxState>,
         (from_dir_fd, flags, from, from_len, to_dir_fd, to, to_len): (
            i32,
            i32,
            i32,
            i32,
            i32,
            i32,
            i32,
        )| {
            Box::new(async move {
                let (mut memory, state) = split(&mut caller)?;
                if crosses_tmp(state, from_dir_fd, to_dir_fd) {
                    return Ok(errno(Errno::Xdev));
                }
                preview1::path_link(
                    &mut state.wasi,
                    &mut memory,
                    from_dir_fd,
                    flags,
                    from,
                    from_len,
                    to_dir_fd,
                    to,
                    to_len,
                )
                .await
            })
        },
    )?;
    Ok(())
}

/// The guest's memory and the store's state, as wiggle's generated code takes them.
fn split<'a>(
    caller: &'a mut Caller<'_, SandboxState>,
) -> wasmtime::Result<(GuestMemory<'a>, &'a mut SandboxState)> {
    let fuel = caller.as_context_mut().hostcall_fuel();
    match caller.get_export("memory") {
        Some(Extern::Memory(memory)) => {
            let (bytes, state) = memory.data_and_store_mut(caller);
            state.wasi.set_hostcall_fuel(fuel);
            Ok((GuestMemory::Unshared(bytes), state))
        }
        // The engine runs without the threads proposal: no guest has a shared memory.
        _ => wasmtime::bail!("missing required memory export"),
    }
}

fn errno(errno: Errno) -> i32 {
    i32::from(u16::from(errno))
}

/// How many bytes a write of `iovs` passes on: wasmtime-wasi writes the first non-empty
/// buffer only. Unreadable vectors count nothing: wasmtime-wasi then refuses the write.
fn first_buffer_bytes(memory: &GuestMemory<'_>, iovs: i32, iovs_len: i32) -> u64 {
    let vectors: types::CiovecArray =
        GuestPtr::new((iovs.cast_unsigned(), iovs_len.cast_unsigned()));
    for vector in vectors.iter() {
        let Ok(Ok(vector)) = vector.map(|vector| memory.read(vector)) else {
            return 0;
        };
        if vector.buf_len > 0 {
            return u64::from(vector.buf_len);
        }
    }
    0
}

/// What a call asks of a file.
#[derive(Clone, Copy)]
enum Growth {
    /// `len_bytes` at `offset_bytes`, or at the descriptor's position when `None`.
    Write {
        len_bytes: u64,
        offset_bytes: Option<u64>,
    },
    /// The file becomes this long (`ftruncate`).
    SetSize(u64),
}

enum Admission {
    /// Not a file under `/tmp` (or not one the call can work on): passed on as it is.
    Elsewhere,
    /// Over the limit: ENOSPC.
    Refused,
    /// Under `/tmp` and within the limit.
    Admitted {
        before_bytes: u64,
        growth_bytes: u64,
    },
}

/// Whether the call may go ahead, and what to count after it.
async fn admit(
    state: &mut SandboxState,
    memory: &mut GuestMemory<'_>,
    fd: i32,
    growth: Growth,
) -> Admission {
    let SandboxState { wasi, tmp, .. } = state;
    let Some(quota) = tmp
        .as_ref()
        .filter(|quota| quota.contains(fd.cast_unsigned()))
    else {
        return Admission::Elsewhere;
    };
    let descriptor = types::Fd::from(fd);
    // A failing stat or tell means wasmtime-wasi's function fails the same way.
    let Ok(stat) = wasi.fd_filestat_get(memory, descriptor).await else {
        return Admission::Elsewhere;
    };
    let before_bytes = stat.size;
    let (len_bytes, start_bytes) = match growth {
        Growth::SetSize(size_bytes) => (0, size_bytes),
        Growth::Write {
            len_bytes,
            offset_bytes: Some(offset_bytes),
        } => (len_bytes, offset_bytes),
        Growth::Write {
            len_bytes,
            offset_bytes: None,
        } => match wasi.fd_tell(memory, descriptor) {
            Ok(position_bytes) => (len_bytes, position_bytes),
            Err(_) => return Admission::Elsewhere,
        },
    };
    let end_growth_bytes = start_bytes
        .saturating_add(len_bytes)
        .saturating_sub(before_bytes);
    // A file opened to append grows by the whole write wherever its position is; finding
    // that out takes two more system calls, so only when it matters.
    let at_most_bytes = end_growth_bytes.max(len_bytes);
    if quota.admits(at_most_bytes) {
        return Admission::Admitted {
            before_bytes,
            growth_bytes: at_most_bytes,
        };
    }
    let appends = match wasi.fd_fdstat_get(memory, descriptor).await {
        Ok(stat) => stat.fs_flags.contains(types::Fdflags::APPEND),
        Err(_) => true,
    };
    let growth_bytes = if appends { len_bytes } else { end_growth_bytes };
    if quota.admits(growth_bytes) {
        Admission::Admitted {
            before_bytes,
            growth_bytes,
        }
    } else {
        Admission::Refused
    }
}

/// Counts what an admitted call did to the file's size.
async fn account(
    state: &mut SandboxState,
    memory: &mut GuestMemory<'_>,
    fd: i32,
    admission: Admission,
) {
    let Admission::Admitted {
        before_bytes,
        growth_bytes,
    } = admission
    else {
        return;
    };
    let SandboxState { wasi, tmp, .. } = state;
    let Some(quota) = tmp.as_ref() else {
        return;
    };
    match wasi.fd_filestat_get(memory, types::Fd::from(fd)).await {
        Ok(stat) => quota.resized(before_bytes, stat.size),
        Err(_) => quota.grew_at_most(growth_bytes),
    }
}

/// Whether a rename or link would move a file between `/tmp` and another folder.
fn crosses_tmp(state: &SandboxState, from_dir_fd: i32, to_dir_fd: i32) -> bool {
    state.tmp.as_ref().is_some_and(|quota| {
        quota.contains(from_dir_fd.cast_unsigned()) != quota.contains(to_dir_fd.cast_unsigned())
    })
}
