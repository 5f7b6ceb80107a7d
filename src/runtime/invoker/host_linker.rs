//! The host functions a function's own module may import, linked the same way into
//! every engine's linker (Cranelift's and Winch's: a linker serves only its engine).

use wasmtime::{Engine, Linker};

use crate::runtime::error::{InvokeError, describe};
use crate::runtime::sandbox::SandboxState;
use crate::runtime::{outbound_http, response_stream, tmp_quota_shims};

/// WASI preview 1, `/tmp`'s quota around its file functions, the response stream and
/// outbound HTTP, for modules compiled by `engine`.
pub(super) fn module_linker(engine: &Engine) -> Result<Linker<SandboxState>, InvokeError> {
    let sandbox_error = |error: wasmtime::Error| InvokeError::Sandbox(describe(&error));
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_async(&mut linker, |state: &mut SandboxState| &mut state.wasi)
        .map_err(sandbox_error)?;
    tmp_quota_shims::add_to_linker(&mut linker).map_err(sandbox_error)?;
    response_stream::add_to_linker(&mut linker).map_err(sandbox_error)?;
    outbound_http::add_to_linker(&mut linker).map_err(sandbox_error)?;
    Ok(linker)
}
