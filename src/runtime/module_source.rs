use std::path::Path;

use crate::model::{Function, Runtime};

use super::error::InvokeError;

/// The first four bytes of every WebAssembly binary.
const WASM_MAGIC: &[u8] = b"\0asm";
/// Core modules are version 1; components use another layer/version word.
const CORE_MODULE_VERSION: &[u8] = &[1, 0, 0, 0];

/// The WebAssembly binary for a function, from its WAT text or `.wasm` file.
/// Only a file inside the function's folder is read: a handler that is a symlink out of
/// it is refused before anything is opened.
pub fn module_bytes(function: &Function) -> Result<Vec<u8>, InvokeError> {
    // Errors name the path as the user wrote it; the bytes come from where it resolves.
    let path = function.code_path();
    if !matches!(function.config.runtime, Runtime::Wat | Runtime::Wasm) {
        return Err(InvokeError::UnsupportedRuntime(function.config.runtime));
    }
    let resolved = function
        .resolved_code_path()
        .map_err(|error| load_error(&path, error))?;
    match function.config.runtime {
        Runtime::Wat => {
            let text =
                std::fs::read_to_string(&resolved).map_err(|error| load_error(&path, error))?;
            parse_wat(&path, &text)
        }
        Runtime::Wasm => {
            let bytes = std::fs::read(&resolved).map_err(|error| load_error(&path, error))?;
            check_wasm_header(&path, &bytes)?;
            Ok(bytes)
        }
        runtime @ (Runtime::Js
        | Runtime::Rust
        | Runtime::Go
        | Runtime::Python
        | Runtime::Ruby
        | Runtime::Java
        | Runtime::Provided) => Err(InvokeError::UnsupportedRuntime(runtime)),
    }
}

/// A built module (a Rust or Go function's), read from where the build put it; errors name
/// the function's code path.
pub fn built_module_bytes(path: &Path, module_path: &Path) -> Result<Vec<u8>, InvokeError> {
    let bytes = std::fs::read(module_path).map_err(|error| {
        load_error(
            path,
            format!(
                "cannot read the built module {}: {error}",
                module_path.display()
            ),
        )
    })?;
    check_wasm_header(path, &bytes)?;
    Ok(bytes)
}

fn load_error(path: &Path, error: impl std::fmt::Display) -> InvokeError {
    InvokeError::Load {
        path: path.to_owned(),
        message: error.to_string(),
    }
}

/// WAT text to binary; a syntax error names the line and column (`--> main.wat:3:5`).
fn parse_wat(path: &Path, text: &str) -> Result<Vec<u8>, InvokeError> {
    wat::Parser::new()
        .parse_str(Some(path), text)
        .map_err(|error| load_error(path, format!("WAT syntax error: {error}")))
}

fn check_wasm_header(path: &Path, bytes: &[u8]) -> Result<(), InvokeError> {
    if !bytes.starts_with(WASM_MAGIC) {
        return Err(load_error(
            path,
            "not a WebAssembly module: it does not start with the bytes \\0asm",
        ));
    }
    if bytes.get(4..8) != Some(CORE_MODULE_VERSION) {
        return Err(load_error(
            path,
            "a WebAssembly component or an unknown binary version; lambdesk runs core WASI preview 1 modules (wasm32-wasip1)",
        ));
    }
    Ok(())
}
