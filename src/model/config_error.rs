use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// A problem in a configuration file (`lambdesk.toml`, `function.toml`), located the way a
/// person fixes it: the file, the line and the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based; `None` when the problem is the whole file (e.g. it is missing).
    pub line: Option<usize>,
    /// The key as written in TOML, dotted for nested keys (`triggers[1].batch_size`).
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One step of a path to a key inside a TOML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySegment {
    Key(String),
    Index(usize),
}

impl KeySegment {
    pub fn key(name: &str) -> Self {
        Self::Key(name.to_owned())
    }
}

impl ConfigError {
    /// Turns a serde/TOML error into a located error. The TOML error carries a byte span;
    /// the key is read off that line.
    pub fn from_toml(file: &Path, text: &str, error: &toml::de::Error) -> Self {
        let (line, key) = match error.span() {
            Some(span) => {
                let line = line_of_offset(text, span.start);
                (Some(line), key_on_line(text, line))
            }
            None => (None, None),
        };
        Self {
            file: file.to_owned(),
            line,
            key,
            message: error.message().trim().to_owned(),
        }
    }

    /// The same error with `note` after its message (what the user should do about it).
    #[must_use]
    pub fn with_note(mut self, note: &str) -> Self {
        self.message = format!("{} ({note})", self.message);
        self
    }

    /// A semantic problem with the value at `path` (e.g. `memory_mb` out of range).
    pub fn at_key(file: &Path, text: &str, path: &[KeySegment], message: String) -> Self {
        Self {
            file: file.to_owned(),
            line: locate_key(text, path).map(|offset| line_of_offset(text, offset)),
            key: Some(display_path(path)),
            message,
        }
    }
}

fn display_path(path: &[KeySegment]) -> String {
    let mut shown = String::new();
    for segment in path {
        match segment {
            KeySegment::Key(key) => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(key);
            }
            KeySegment::Index(index) => shown.push_str(&format!("[{index}]")),
        }
    }
    shown
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn key_on_line(text: &str, line: usize) -> Option<String> {
    let content = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = content.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_owned())
}

/// The byte offset of the key at `path`, or of the closest enclosing key that exists.
fn locate_key(text: &str, path: &[KeySegment]) -> Option<usize> {
    let document = DeTable::parse(text).ok()?;
    let mut table = document.get_ref();
    let mut found = None;
    let mut index = 0;
    while index < path.len() {
        let KeySegment::Key(name) = &path[index] else {
            return found;
        };
        let Some((key, value)) = table
            .iter()
            .find(|(key, _)| key.get_ref().as_ref() == name.as_str())
        else {
            return found;
        };
        found = Some(key.span().start);
        index += 1;
        let mut value = value.get_ref();
        if let (DeValue::Array(items), Some(KeySegment::Index(item))) = (value, path.get(index)) {
            let Some(element) = items.get(*item) else {
                return found;
            };
            found = Some(element.span().start);
            value = element.get_ref();
            index += 1;
        }
        match value {
            DeValue::Table(inner) => table = inner,
            _ => return found,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "runtime = \"wat\"\nmemory_mb = 64\n\n[[triggers]]\ntype = \"queue\"\nqueue = \"a\"\n\n[[triggers]]\ntype = \"queue\"\nqueue = \"b\"\nbatch_size = 0\n";

    #[test]
    fn locates_top_level_and_nested_keys() {
        let file = Path::new("function.toml");
        let error = ConfigError::at_key(file, TEXT, &[KeySegment::key("memory_mb")], "x".into());
        assert_eq!(error.line, Some(2));
        let nested = [
            KeySegment::key("triggers"),
            KeySegment::Index(1),
            KeySegment::key("batch_size"),
        ];
        let error = ConfigError::at_key(file, TEXT, &nested, "x".into());
        assert_eq!(error.line, Some(11));
        assert_eq!(error.key.as_deref(), Some("triggers[1].batch_size"));
        assert_eq!(
            error.to_string(),
            "function.toml:11: key `triggers[1].batch_size`: x"
        );
    }
}
