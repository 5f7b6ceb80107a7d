//! lambdesk: a native console for serverless functions. The library holds everything the
//! console and the command line do; `main.rs` only parses arguments and starts things.
//!
//! Layers, top to bottom (nothing points back up): `runtime` (wasmtime sandbox) and
//! `triggers` (event sources) use `model`; `billing` and `logs` use `model`; `model` uses
//! serde only. See ARCHITECTURE.md.

pub mod billing;
pub mod blueprints;
pub mod console;
pub mod lambda_bootstrap;
pub mod logs;
pub mod model;
pub mod runtime;
pub mod sam;
pub mod sample_workspace;
pub mod triggers;
#[cfg(feature = "gui")]
pub mod ui;
