//! The function runtime: one wasmtime engine (and Winch's, for a rebuilt Rust or Go
//! module's first answers), a compiled-module cache on disk, sandbox
//! limits, and the invoker that turns an event into an [`InvocationRecord`].
//!
//! Nothing here knows about egui; the console and the CLI drive it through [`Runtime`].
//!
//! [`InvocationRecord`]: crate::model::InvocationRecord

mod build_cancel;
mod captured_output;
mod code_stamp;
mod command_mode;
mod compiled_function_cache;
mod engine;
mod environment_mode;
mod environment_pool;
mod ephemeral_storage;
mod error;
mod folder_stamp;
mod function_build;
mod go_build;
mod invoker;
mod java_build;
mod js_preparation;
mod js_runtime;
mod js_snapshot;
mod lambda_environment;
mod language_pack;
mod memory_limiter;
mod module_cache;
mod module_source;
mod native;
mod outbound_http;
mod outbox;
mod outcome;
mod python_pack;
mod response_stream;
mod ruby_abi;
mod ruby_pack;
mod rust_build;
mod sandbox;
mod tmp_quota_p2;
mod tmp_quota_shims;

pub use build_cancel::request_cancel as cancel_build;
pub use error::InvokeError;
pub use function_build::{BuildError, BuildReport, FunctionBuilder};
pub use go_build::{GO_BUILD_DIR_VAR, GO_PROGRAM_VAR, GoBuildOptions, GoBuilder, MIN_GO_VERSION};
pub use invoker::{
    BuildStatus, BuiltCodeCompilers, InvokeOptions, PreparedReport, Runtime, RuntimeOptions,
};
pub use java_build::{
    JAVA_BUILD_DIR_VAR, JAVA_HOME_VAR, JavaBuildOptions, JavaBuilder, JavaCode, JavaLaunch, Jdk,
    MIN_JAVA_VERSION, RuntimeClient,
};
pub use js_preparation::JsPreparationStep;
pub use js_runtime::{EMBEDDED_JS_RUNTIME, JS_RUNTIME_OVERRIDE_VAR};
pub use language_pack::{LanguagePack, PackError, PackLanguage, PackProgress, PackState, PackStep};
pub use module_cache::{ModuleCache, ModuleOrigin};
pub use outbox::{orphaned_outboxes, take_messages};
pub use python_pack::PYTHON_RUNTIME_NAME;
pub use response_stream::{
    MAX_STREAMED_RESPONSE_BYTES, ResponseSink, StreamedPart, response_channel,
};
pub use ruby_pack::RUBY_RUNTIME_NAME;
pub use rust_build::{
    CARGO_PROGRAM_VAR, RUST_TARGET_DIR_VAR, RUSTC_PROGRAM_VAR, RustBuildOptions, RustBuilder,
    WASM_TARGET,
};

/// Lambda's limit for a synchronous request or response payload: 6 MB.
pub const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;
