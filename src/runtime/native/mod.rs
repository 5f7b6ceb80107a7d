//! Native execution environments: a function's runtime as a process of the host, outside
//! the WebAssembly sandbox, talking to Lambda's Runtime API (`runtime = "provided"`, the
//! `bootstrap` contract of Lambda's OS-only runtimes). The launch is data
//! ([`NativeLaunch`]), so another runtime that runs as a process (Java) reuses the rest:
//! the Runtime API server (`runtime_api`), the process with its rlimit, process group and
//! parent-death signal (`process`), its log (`log_pipe`), its memory (`memory_use`), and
//! the environment that ties them together (`environment`).

mod environment;
mod launch;
mod log_pipe;
mod memory_use;
mod process;
mod runtime_api;

pub use environment::{
    NativeEnvironment, NativeRequest, NativeStart, init_failure, reusable_after,
};
pub use launch::{BOOTSTRAP_FILE, NativeLaunch, check_bootstrap};
