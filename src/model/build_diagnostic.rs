//! What building a function's code says: compiler errors and warnings at a file, line
//! and column (for the editor's markers and the Problems list), and how far a build is.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One compiler message about a line of the function's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildDiagnostic {
    /// Relative to the function's folder when the file is inside it (`src/lib.rs`).
    pub file: PathBuf,
    /// 1-based, as editors and compilers count.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub level: DiagnosticLevel,
    /// The compiler's one-line message (`mismatched types`).
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    Error,
    Warning,
}

impl fmt::Display for BuildDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            DiagnosticLevel::Error => "error",
            DiagnosticLevel::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {level}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// How far a build has come: crates (Rust) or packages (Go) compiled out of an estimate
/// of the total (the previous build's count, else for Rust the packages of `Cargo.lock`;
/// cargo's own unit graph is unstable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BuildProgress {
    pub crates_compiled: usize,
    /// At least `crates_compiled`; `None` before anything is known.
    pub crates_total: Option<usize>,
}

impl BuildProgress {
    /// One more crate or package compiled; the estimate grows if it was short.
    pub fn count_one(&mut self) {
        self.crates_compiled += 1;
        self.crates_total = self
            .crates_total
            .map(|total| total.max(self.crates_compiled));
    }
}
