//! cargo's `--message-format=json` lines, read into what lambdesk shows: the function's
//! diagnostics with file, line and column, each compiled crate (for the progress), the
//! built `.wasm` file and whether the build succeeded.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::{BuildDiagnostic, DiagnosticLevel};

/// One line of cargo's output, as far as lambdesk cares.
#[derive(Debug, PartialEq)]
pub enum CargoMessage {
    /// A crate was compiled (or found fresh); `wasm` is set for the function's own
    /// `cdylib`.
    Artifact {
        wasm: Option<PathBuf>,
    },
    Diagnostic(BuildDiagnostic),
    Finished {
        success: bool,
    },
    /// Anything else: build script output, notes without a place, unreadable lines.
    Other,
}

#[derive(Deserialize)]
struct Line {
    reason: String,
    #[serde(default)]
    manifest_path: Option<PathBuf>,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    success: Option<bool>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(default)]
    crate_types: Vec<String>,
}

#[derive(Deserialize)]
struct Message {
    level: String,
    message: String,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Deserialize)]
struct Span {
    file_name: PathBuf,
    line_start: u32,
    column_start: u32,
    is_primary: bool,
}

/// Reads one line; `crate_dir` is the function's crate (its `Cargo.toml`'s folder), to
/// tell its artifact from its dependencies' and to make file names relative to it.
pub fn parse_line(line: &str, crate_dir: &Path) -> CargoMessage {
    let Ok(line) = serde_json::from_str::<Line>(line) else {
        return CargoMessage::Other;
    };
    let package_dir = line
        .manifest_path
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf);
    match line.reason.as_str() {
        "compiler-artifact" => {
            let is_cdylib = line
                .target
                .is_some_and(|target| target.crate_types.iter().any(|kind| kind == "cdylib"));
            let is_own = package_dir.as_deref() == Some(crate_dir);
            let wasm = (is_own && is_cdylib)
                .then(|| {
                    line.filenames
                        .into_iter()
                        .find(|file| file.extension().is_some_and(|ext| ext == "wasm"))
                })
                .flatten();
            CargoMessage::Artifact { wasm }
        }
        "compiler-message" => line
            .message
            .and_then(|message| diagnostic_of(message, package_dir.as_deref(), crate_dir))
            .map_or(CargoMessage::Other, CargoMessage::Diagnostic),
        "build-finished" => CargoMessage::Finished {
            success: line.success.unwrap_or(false),
        },
        _ => CargoMessage::Other,
    }
}

/// An error or warning at its primary place; `None` for notes and for messages with no
/// place in a file (`aborting due to 1 previous error`).
fn diagnostic_of(
    message: Message,
    package_dir: Option<&Path>,
    crate_dir: &Path,
) -> Option<BuildDiagnostic> {
    let level = match message.level.as_str() {
        "error" | "error: internal compiler error" => DiagnosticLevel::Error,
        "warning" => DiagnosticLevel::Warning,
        _ => return None,
    };
    let span = message.spans.into_iter().find(|span| span.is_primary)?;
    // rustc is run from the package's workspace root: the function's folder here.
    let absolute = if span.file_name.is_absolute() {
        span.file_name
    } else {
        package_dir.unwrap_or(crate_dir).join(span.file_name)
    };
    let file = absolute
        .strip_prefix(crate_dir)
        .map_or_else(|_| absolute.clone(), Path::to_path_buf);
    Some(BuildDiagnostic {
        file,
        line: span.line_start,
        column: span.column_start,
        level,
        message: message.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRATE: &str = "/ws/functions/hello";

    #[test]
    fn an_error_becomes_a_diagnostic_at_its_primary_span() {
        let line = r#"{"reason":"compiler-message","package_id":"path+file:///ws/functions/hello#rust-hello@0.1.0","manifest_path":"/ws/functions/hello/Cargo.toml","target":{"kind":["cdylib"],"crate_types":["cdylib"],"name":"rust_hello"},"message":{"rendered":"error[E0308]: mismatched types","$message_type":"diagnostic","children":[],"code":{"code":"E0308","explanation":""},"level":"error","message":"mismatched types","spans":[{"file_name":"src/lib.rs","byte_start":10,"byte_end":13,"line_start":7,"line_end":7,"column_start":18,"column_end":21,"is_primary":false,"text":[],"label":null,"expansion":null},{"file_name":"src/lib.rs","byte_start":10,"byte_end":13,"line_start":8,"line_end":8,"column_start":18,"column_end":21,"is_primary":true,"text":[],"label":"expected `u32`","expansion":null}]}}"#;
        assert_eq!(
            parse_line(line, Path::new(CRATE)),
            CargoMessage::Diagnostic(BuildDiagnostic {
                file: PathBuf::from("src/lib.rs"),
                line: 8,
                column: 18,
                level: DiagnosticLevel::Error,
                message: "mismatched types".to_owned(),
            })
        );
    }

    #[test]
    fn only_the_functions_own_cdylib_is_the_module() {
        let own = r#"{"reason":"compiler-artifact","manifest_path":"/ws/functions/hello/Cargo.toml","target":{"crate_types":["cdylib"]},"filenames":["/t/wasm32-wasip1/release/rust_hello.wasm"],"fresh":false}"#;
        let dependency = r#"{"reason":"compiler-artifact","manifest_path":"/home/.cargo/serde/Cargo.toml","target":{"crate_types":["lib"]},"filenames":["/t/deps/libserde.rlib"],"fresh":false}"#;
        assert_eq!(
            parse_line(own, Path::new(CRATE)),
            CargoMessage::Artifact {
                wasm: Some(PathBuf::from("/t/wasm32-wasip1/release/rust_hello.wasm"))
            }
        );
        assert_eq!(
            parse_line(dependency, Path::new(CRATE)),
            CargoMessage::Artifact { wasm: None }
        );
        assert_eq!(
            parse_line(
                r#"{"reason":"build-finished","success":false}"#,
                Path::new(CRATE)
            ),
            CargoMessage::Finished { success: false }
        );
        assert_eq!(
            parse_line("not json", Path::new(CRATE)),
            CargoMessage::Other
        );
    }
}
