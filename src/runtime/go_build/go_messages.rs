//! `go build -v`'s stderr, read into what lambdesk shows: each compiled package (one
//! import path a line, for the progress) and the compiler's errors at file, line and
//! column (`./main.go:12:5: undefined: foo`) under a `# package` header line.

use std::path::{Path, PathBuf};

use crate::model::{BuildDiagnostic, DiagnosticLevel};

/// One line of go's stderr, as far as lambdesk cares.
#[derive(Debug, PartialEq)]
pub enum GoLine {
    /// A package was compiled (`-v` prints its import path).
    Package,
    /// A compiler error; Go has no warnings, and `vet` does not run on `go build`.
    Diagnostic(BuildDiagnostic),
    /// `# github.com/aws/aws-lambda-go/lambda`: whose errors follow.
    Header,
    /// Anything else: go's own errors (`go: …`), a message's continuation lines.
    Other,
}

/// Reads one line; go names files relative to `module_dir` (where it ran), and
/// diagnostics name them relative to `function_dir` (both canonical).
pub fn parse_line(line: &str, module_dir: &Path, function_dir: &Path) -> GoLine {
    if line.starts_with("# ") {
        return GoLine::Header;
    }
    if let Some(diagnostic) = diagnostic_of(line, module_dir, function_dir) {
        return GoLine::Diagnostic(diagnostic);
    }
    let is_import_path = !line.is_empty()
        && !line.contains(':')
        && !line.starts_with('#')
        && !line.chars().any(char::is_whitespace);
    if is_import_path {
        GoLine::Package
    } else {
        GoLine::Other
    }
}

/// `file:line:column: message` or `file:line: message`, for a Go source or `go.mod`.
fn diagnostic_of(line: &str, module_dir: &Path, function_dir: &Path) -> Option<BuildDiagnostic> {
    // The file is what precedes the first `:<digits>:`; a path may hold other colons.
    let (file, rest) = line.match_indices(':').find_map(|(at, _)| {
        let (file, rest) = (&line[..at], &line[at + 1..]);
        let (number, _) = rest.split_once(':')?;
        (!number.is_empty() && number.bytes().all(|byte| byte.is_ascii_digit()))
            .then_some((file, rest))
    })?;
    if !(file.ends_with(".go") || file.ends_with("go.mod")) {
        return None;
    }
    let (line_number, rest) = rest.split_once(':')?;
    let (column, message) = match rest.split_once(':') {
        Some((column, message))
            if !column.is_empty() && column.bytes().all(|byte| byte.is_ascii_digit()) =>
        {
            (column.parse().ok()?, message)
        }
        _ => (1, rest),
    };
    let relative = file.strip_prefix("./").unwrap_or(file);
    let absolute = module_dir.join(relative);
    let file = absolute
        .strip_prefix(function_dir)
        .map_or_else(|_| PathBuf::from(file), Path::to_path_buf);
    Some(BuildDiagnostic {
        file,
        line: line_number.parse().ok()?,
        column,
        level: DiagnosticLevel::Error,
        message: message.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str = "/ws/functions/hello";

    fn parse(line: &str) -> GoLine {
        parse_line(line, Path::new(FUNCTION), Path::new(FUNCTION))
    }

    fn error(file: &str, line: u32, column: u32, message: &str) -> GoLine {
        GoLine::Diagnostic(BuildDiagnostic {
            file: PathBuf::from(file),
            line,
            column,
            level: DiagnosticLevel::Error,
            message: message.to_owned(),
        })
    }

    #[test]
    fn an_error_names_its_file_relative_to_the_function() {
        assert_eq!(
            parse("./main.go:12:5: undefined: foo"),
            error("main.go", 12, 5, "undefined: foo")
        );
        assert_eq!(
            parse("lambdesk-go/lambda/handler.go:115:12: undefined: y"),
            error("lambdesk-go/lambda/handler.go", 115, 12, "undefined: y")
        );
        assert_eq!(
            parse("/ws/functions/hello/go.mod:3: unknown directive: requir"),
            error("go.mod", 3, 1, "unknown directive: requir")
        );
    }

    #[test]
    fn a_go_mod_in_a_subfolder_still_names_files_from_the_function_folder() {
        assert_eq!(
            parse_line(
                "./main.go:1:1: expected 'package', found x",
                Path::new("/ws/functions/hello/app"),
                Path::new(FUNCTION)
            ),
            error("app/main.go", 1, 1, "expected 'package', found x")
        );
    }

    #[test]
    fn headers_packages_and_go_errors_are_told_apart() {
        assert_eq!(parse("# hello"), GoLine::Header);
        assert_eq!(
            parse("github.com/aws/aws-lambda-go/lambda"),
            GoLine::Package
        );
        assert_eq!(parse("internal/goarch"), GoLine::Package);
        assert_eq!(
            parse("go: errors parsing go.mod:"),
            GoLine::Other,
            "go's own error"
        );
        assert_eq!(parse("\thave (int)"), GoLine::Other);
        assert_eq!(
            parse("./main.go:12:5: too many errors"),
            error("main.go", 12, 5, "too many errors")
        );
        assert_eq!(parse("too many errors"), GoLine::Other);
    }
}
