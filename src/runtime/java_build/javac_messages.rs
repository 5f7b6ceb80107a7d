//! javac's output read into what lambdesk shows: each error and warning at its file, line
//! and column. javac writes `Hello.java:12: error: cannot find symbol`, then the source
//! line, a caret line under the column, and indented details (`symbol: variable x`).

use std::path::{Path, PathBuf};

use crate::model::{BuildDiagnostic, DiagnosticLevel};

/// Reads all of javac's output; files are named relative to `function_dir` when inside it.
pub fn parse(output: &str, function_dir: &Path) -> (Vec<BuildDiagnostic>, Vec<String>) {
    let mut diagnostics: Vec<BuildDiagnostic> = Vec::new();
    let mut other_lines = Vec::new();
    // Lines after a diagnostic's first: source line, caret line, then details.
    let mut lines_after: Option<usize> = None;
    let mut details: Vec<String> = Vec::new();
    let finish = |diagnostics: &mut Vec<BuildDiagnostic>, details: &mut Vec<String>| {
        if let Some(last) = diagnostics.last_mut()
            && !details.is_empty()
        {
            last.message = format!("{} ({})", last.message, details.join("; "));
        }
        details.clear();
    };
    for line in output.lines() {
        if let Some(diagnostic) = header(line, function_dir) {
            finish(&mut diagnostics, &mut details);
            diagnostics.push(diagnostic);
            lines_after = Some(0);
            continue;
        }
        match lines_after {
            // The source line.
            Some(0) => lines_after = Some(1),
            // The caret line under the column.
            Some(1) => {
                if let Some(caret) = line.find('^').filter(|_| line.trim() == "^")
                    && let Some(last) = diagnostics.last_mut()
                {
                    last.column = u32::try_from(line[..caret].chars().count() + 1).unwrap_or(1);
                }
                lines_after = Some(2);
            }
            Some(count) if line.starts_with("  ") => {
                details.push(line.split_whitespace().collect::<Vec<_>>().join(" "));
                lines_after = Some(count + 1);
            }
            _ => {
                finish(&mut diagnostics, &mut details);
                lines_after = None;
                let is_count = line
                    .split_whitespace()
                    .next()
                    .is_some_and(|word| word.bytes().all(|byte| byte.is_ascii_digit()))
                    && (line.ends_with(" error")
                        || line.ends_with(" errors")
                        || line.ends_with(" warning")
                        || line.ends_with(" warnings"));
                if !line.trim().is_empty() && !is_count {
                    other_lines.push(line.to_owned());
                }
            }
        }
    }
    finish(&mut diagnostics, &mut details);
    (diagnostics, other_lines)
}

/// `path/Hello.java:12: error: message` (or `warning:`).
fn header(line: &str, function_dir: &Path) -> Option<BuildDiagnostic> {
    let java_at = line.find(".java:")?;
    let file = &line[..java_at + ".java".len()];
    let rest = &line[java_at + ".java:".len()..];
    let (number, rest) = rest.split_once(": ")?;
    let line_number: u32 = number.parse().ok()?;
    let (level, message) = if let Some(message) = rest.strip_prefix("error: ") {
        (DiagnosticLevel::Error, message)
    } else if let Some(message) = rest.strip_prefix("warning: ") {
        (DiagnosticLevel::Warning, message)
    } else {
        return None;
    };
    let file = Path::new(file);
    let file = file
        .strip_prefix(function_dir)
        .map_or_else(|_| file.to_path_buf(), PathBuf::from);
    Some(BuildDiagnostic {
        file,
        line: line_number,
        column: 1,
        level,
        message: message.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_their_file_line_column_and_details() {
        let output = "/ws/hello/src/main/java/example/Hello.java:7: error: cannot find symbol\n        return greetng;\n               ^\n  symbol:   variable greetng\n  location: class Hello\n/ws/hello/src/main/java/example/Hello.java:9: warning: [removal] Integer(int) in Integer has been deprecated and marked for removal\n        Object boxed = new Integer(3);\n                       ^\n1 error\n1 warning\n";
        let (diagnostics, other) = parse(output, Path::new("/ws/hello"));
        assert_eq!(
            diagnostics,
            vec![
                BuildDiagnostic {
                    file: PathBuf::from("src/main/java/example/Hello.java"),
                    line: 7,
                    column: 16,
                    level: DiagnosticLevel::Error,
                    message: "cannot find symbol (symbol: variable greetng; location: class Hello)"
                        .to_owned(),
                },
                BuildDiagnostic {
                    file: PathBuf::from("src/main/java/example/Hello.java"),
                    line: 9,
                    column: 24,
                    level: DiagnosticLevel::Warning,
                    message: "[removal] Integer(int) in Integer has been deprecated and marked for removal".to_owned(),
                },
            ]
        );
        assert!(other.is_empty(), "{other:?}");
    }

    #[test]
    fn javacs_own_complaints_are_kept_apart() {
        let (diagnostics, other) = parse(
            "error: invalid flag: -foo\nUsage: javac <options> <source files>\n",
            Path::new("/ws"),
        );
        assert!(diagnostics.is_empty());
        assert_eq!(other[0], "error: invalid flag: -foo");
    }
}
