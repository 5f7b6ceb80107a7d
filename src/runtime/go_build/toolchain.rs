//! Whether this machine can build a Go function: `go` found and at least Go 1.24 (the
//! first with `go:wasmexport`). Checked before each build so a missing or old Go is one
//! clear message with how to install it, not a build log.

use std::path::Path;
use std::process::{Command, Stdio};

use super::{BuildError, MIN_GO_VERSION};

/// Runs `go version` where the function's module is.
pub fn check(program: &str, module_dir: &Path) -> Result<(), BuildError> {
    let output = Command::new(program)
        .arg("version")
        .current_dir(module_dir)
        // The version of the go found, not of a toolchain go.mod would switch to.
        .env("GOTOOLCHAIN", "local")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success());
    let Some(output) = output else {
        return Err(BuildError::GoMissing {
            program: program.to_owned(),
        });
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text
        .split_whitespace()
        .find_map(|word| {
            word.strip_prefix("go")
                .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .unwrap_or_default()
        .to_owned();
    if is_at_least(&version, MIN_GO_VERSION) {
        Ok(())
    } else {
        Err(BuildError::GoTooOld {
            program: program.to_owned(),
            version: if version.is_empty() {
                text.trim().to_owned()
            } else {
                format!("Go {version}")
            },
        })
    }
}

/// `1.27.3` ≥ `1.24`; a release candidate `1.24rc1` counts as 1.24.
fn is_at_least(version: &str, minimum: &str) -> bool {
    let numbers = |text: &str| -> Vec<u32> {
        text.split('.')
            .map(|part| {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().unwrap_or(0)
            })
            .collect()
    };
    if version.is_empty() {
        return false;
    }
    numbers(version) >= numbers(minimum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_their_numbers() {
        assert!(is_at_least("1.27.3", "1.24"));
        assert!(is_at_least("1.24", "1.24"));
        assert!(is_at_least("1.24rc1", "1.24"));
        assert!(is_at_least("2.0", "1.24"));
        assert!(!is_at_least("1.23.4", "1.24"));
        assert!(!is_at_least("1.9", "1.24"));
        assert!(!is_at_least("", "1.24"));
    }
}
