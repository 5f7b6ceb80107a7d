//! Node's error code and message for a file operation that failed with a WASI errno, so
//! that `err.code` and `err.message` read as they do on Lambda
//! (`EROFS: read-only file system, open '/var/task/x'`).
//!
//! Plain std only: the host's tests include this file to check the table.

/// The read-only folder that holds the function's code, as on Lambda.
const TASK_ROOT: &str = "/var/task";

/// WASI preview 1's `errno.perm`. wasmtime refuses any change inside a read-only preopen
/// with it; inside `/var/task` that is Lambda's read-only file system (EROFS).
const ERRNO_PERM: i32 = 63;

/// WASI preview 1 errnos (wasi-libc's `errno.h` uses the same numbers) with Node's code
/// and libuv's message (`uv_strerror`).
const NODE_ERRORS: &[(i32, &str, &str)] = &[
    (1, "E2BIG", "argument list too long"),
    (2, "EACCES", "permission denied"),
    (6, "EAGAIN", "resource temporarily unavailable"),
    (8, "EBADF", "bad file descriptor"),
    (10, "EBUSY", "resource busy or locked"),
    (20, "EEXIST", "file already exists"),
    (22, "EFBIG", "file too large"),
    (25, "EILSEQ", "illegal byte sequence"),
    (27, "EINTR", "interrupted system call"),
    (28, "EINVAL", "invalid argument"),
    (29, "EIO", "i/o error"),
    (31, "EISDIR", "illegal operation on a directory"),
    (32, "ELOOP", "too many symbolic links encountered"),
    (33, "EMFILE", "too many open files"),
    (34, "EMLINK", "too many links"),
    (37, "ENAMETOOLONG", "name too long"),
    (41, "ENFILE", "file table overflow"),
    (43, "ENODEV", "no such device"),
    (44, "ENOENT", "no such file or directory"),
    (48, "ENOMEM", "not enough memory"),
    (51, "ENOSPC", "no space left on device"),
    (52, "ENOSYS", "function not implemented"),
    (54, "ENOTDIR", "not a directory"),
    (55, "ENOTEMPTY", "directory not empty"),
    (58, "ENOTSUP", "operation not supported on socket"),
    (60, "ENXIO", "no such device or address"),
    (61, "EOVERFLOW", "value too large for defined data type"),
    (ERRNO_PERM, "EPERM", "operation not permitted"),
    (69, "EROFS", "read-only file system"),
    (70, "ESPIPE", "invalid seek"),
    (73, "ETIMEDOUT", "connection timed out"),
    (74, "ETXTBSY", "text file is busy"),
    (75, "EXDEV", "cross-device link not permitted"),
    // WASI's ENOTCAPABLE: outside every folder the function was granted (no such bucket
    // permission, `..` out of one): the access is denied.
    (76, "EACCES", "permission denied"),
];

/// Node's code and message for `errno` from an operation on `path`; `changes` says
/// whether it writes, creates or removes (rather than reads, where EPERM is a symlink
/// that leads out of a preopen).
pub fn node_error(errno: i32, path: &str, changes: bool) -> (&'static str, &'static str) {
    let errno = if errno == ERRNO_PERM && changes && is_in_task_root(path) {
        69
    } else {
        errno
    };
    NODE_ERRORS
        .iter()
        .find(|(number, _, _)| *number == errno)
        .map_or(("EIO", "i/o error"), |(_, code, message)| (*code, *message))
}

/// Whether `path`, made absolute and with `.` and `..` resolved, is `/var/task` or under
/// it. (A relative path is relative to `/`, WASI's working folder.)
fn is_in_task_root(path: &str) -> bool {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    let absolute = format!("/{}", parts.join("/"));
    absolute == TASK_ROOT || absolute.starts_with(&format!("{TASK_ROOT}/"))
}
