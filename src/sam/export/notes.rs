//! What an export tells the user per function and resource: what needs a change before
//! it runs on Lambda, and what does not carry over (never dropped silently).

use std::fmt;

use serde::Serialize;

/// How much a note asks of the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteLevel {
    /// Carried over, with something worth knowing (a name that changes on AWS).
    Info,
    /// Carried over, but it needs a change before it works on Lambda.
    ActionNeeded,
    /// Left out of the template, with the reason.
    NotCarriedOver,
}

impl NoteLevel {
    pub fn label(self) -> &'static str {
        match self {
            Self::Info => "note",
            Self::ActionNeeded => "action needed",
            Self::NotCarriedOver => "not carried over",
        }
    }
}

/// One note: what it is about (`function process-orders`, `queue orders`) and what to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportNote {
    pub level: NoteLevel,
    pub subject: String,
    pub message: String,
}

impl fmt::Display for ExportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.level.label(),
            self.subject,
            self.message
        )
    }
}

/// The notes gathered while exporting.
#[derive(Debug, Default)]
pub struct Notes(Vec<ExportNote>);

impl Notes {
    pub fn add(
        &mut self,
        level: NoteLevel,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(ExportNote {
            level,
            subject: subject.into(),
            message: message.into(),
        });
    }

    pub fn into_vec(self) -> Vec<ExportNote> {
        self.0
    }
}

/// `function <name>`: the subject of a function's notes.
pub fn function_subject(name: &str) -> String {
    format!("function {name}")
}
