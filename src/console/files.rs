//! A function's files as the console reads and writes them: code, saved events, unsaved
//! copies, renames and deletes, new functions from blueprints or `.wasm` files.

use super::state::ConfigSaveOutcome;
use super::*;
use crate::model::{FunctionConfig, OnConflict, Trigger, WorkspaceError};

impl Console {
    /// A function's file, if `relative_path` stays inside the function's folder (the
    /// workspace checks); otherwise the user is told why.
    pub(super) fn file_path(&mut self, function: &str, relative_path: &str) -> Option<PathBuf> {
        match self.workspace.function_file(function, relative_path) {
            Ok(path) => Some(path),
            Err(error) => {
                self.notify(NotificationLevel::Error, error.to_string());
                None
            }
        }
    }

    pub(super) fn rename_file(&mut self, function: &str, from: &str, to: &str) {
        let (Some(old_path), Some(new_path)) =
            (self.file_path(function, from), self.file_path(function, to))
        else {
            return;
        };
        if new_path.exists() {
            self.notify(NotificationLevel::Error, format!("{to} already exists"));
            return;
        }
        let result = new_path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::rename(&old_path, &new_path));
        if let Err(error) = result {
            self.notify(
                NotificationLevel::Error,
                format!("Could not rename {from}: {error}"),
            );
        }
        self.refresh_functions();
    }

    /// Where the unsaved copy of a function's file is kept (`None` for a path outside
    /// the function's folder).
    pub(super) fn autosave_path(&self, function: &str, relative_path: &str) -> Option<PathBuf> {
        self.workspace.function_file(function, relative_path).ok()?;
        Some(
            self.workspace
                .state_dir()
                .join("unsaved")
                .join(function)
                .join(relative_path),
        )
    }

    /// Unsaved changes to a file left by an earlier session (a crash), if they differ
    /// from the file on disk.
    pub fn unsaved_copy(&self, function: &str, relative_path: &str) -> Option<String> {
        let copy = std::fs::read_to_string(self.autosave_path(function, relative_path)?).ok()?;
        let saved = self.read_file(function, relative_path).unwrap_or_default();
        (copy != saved).then_some(copy)
    }

    /// The text of a function's file, for the editor.
    pub fn read_file(&self, function: &str, relative_path: &str) -> std::io::Result<String> {
        let path = self
            .workspace
            .function_file(function, relative_path)
            .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidInput, error))?;
        std::fs::read_to_string(path)
    }

    /// Writes a function's file. With `expected`, only if the file still holds that text
    /// (what the editor loaded): a save never writes over changes it has not seen.
    pub(super) fn save_file(
        &mut self,
        function: &str,
        relative_path: &str,
        contents: &str,
        expected: Option<&str>,
    ) {
        let Some(path) = self.file_path(function, relative_path) else {
            return;
        };
        if let Some(expected) = expected {
            let now = match std::fs::read_to_string(&path) {
                Ok(text) => Some(text),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => {
                    self.notify(
                        NotificationLevel::Error,
                        format!("Could not read {}: {error}", path.display()),
                    );
                    return;
                }
            };
            if now.as_deref() != Some(expected) {
                self.notify(NotificationLevel::Error, format!(
                    "{relative_path} changed on disk since it was opened; not saved. Reload it, \
                     or choose to keep your version."
                ));
                self.state
                    .save_conflicts
                    .insert((function.to_owned(), relative_path.to_owned()));
                return;
            }
        }
        self.state
            .save_conflicts
            .remove(&(function.to_owned(), relative_path.to_owned()));
        match write_atomically(&path, contents.as_bytes()) {
            // The other views of this file read it again; saved code is checked now,
            // not at the next Test.
            Ok(()) => {
                self.state.disk_generation += 1;
                if is_code_file(relative_path) {
                    self.check_code(function);
                }
            }
            Err(error) => self.notify(
                NotificationLevel::Error,
                format!("Could not save {}: {error}", path.display()),
            ),
        }
        self.refresh_functions();
    }

    /// An empty file for the user to fill; an existing file is never overwritten.
    pub(super) fn new_file(&mut self, function: &str, relative_path: &str) {
        let Some(path) = self.file_path(function, relative_path) else {
            return;
        };
        if path.exists() {
            self.notify(
                NotificationLevel::Error,
                format!("{relative_path} already exists"),
            );
            return;
        }
        if let Err(error) = write_atomically(&path, b"") {
            self.notify(
                NotificationLevel::Error,
                format!("Could not create {}: {error}", path.display()),
            );
        }
        self.refresh_functions();
    }

    /// Saves the Configuration tab's change into `function.toml` in place, merged with
    /// what the file says now; keys changed on both sides are refused unless `overwrite`.
    pub(super) fn save_config(
        &mut self,
        function: &str,
        base: &FunctionConfig,
        config: &FunctionConfig,
        overwrite: bool,
    ) {
        let on_conflict = if overwrite {
            OnConflict::KeepEdited
        } else {
            OnConflict::Refuse
        };
        let paths = vec![self.function_file_path(function)];
        let saved = self.record_edit(
            format!("Save the configuration of {function}"),
            paths,
            |workspace| workspace.update_function_config(function, base, config, on_conflict),
        );
        let outcome = match saved {
            Ok(_) => ConfigSaveOutcome::Saved,
            Err(WorkspaceError::ChangedOnDisk { keys, .. }) => ConfigSaveOutcome::Conflict(keys),
            Err(error) => {
                self.notify(NotificationLevel::Error, error.to_string());
                ConfigSaveOutcome::Failed(error.to_string())
            }
        };
        self.state.last_config_save = Some((function.to_owned(), outcome));
        self.refresh_functions();
        // The tabs read the file again: it may now hold changes merged from elsewhere.
        self.state.disk_generation += 1;
    }

    pub(super) fn event_path(&mut self, function: &str, name: &str) -> Option<PathBuf> {
        let file = if name.ends_with(".json") {
            name.to_owned()
        } else {
            format!("{name}.json")
        };
        self.file_path(function, &format!("events/{file}"))
    }

    pub(super) fn save_event(&mut self, function: &str, name: &str, json: &str) {
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !valid_name {
            self.notify(
                NotificationLevel::Error,
                format!("`{name}` cannot be an event name: use letters, digits, `-`, `_` and `.`"),
            );
            return;
        }
        let Some(path) = self.event_path(function, name) else {
            return;
        };
        match write_atomically(&path, json.as_bytes()) {
            Ok(()) => self.state.events_changed = true,
            Err(error) => {
                self.notify(
                    NotificationLevel::Error,
                    format!("Could not save {}: {error}", path.display()),
                );
            }
        }
    }

    /// A function named after the file (`image-resize.wasm` → `image-resize`), running it
    /// as `main.wasm` in WASI command mode.
    pub(super) fn import_wasm(&mut self, path: &Path) {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.notify(
                    NotificationLevel::Error,
                    format!("Could not read {}: {error}", path.display()),
                );
                return;
            }
        };
        if !bytes.starts_with(b"\0asm") {
            self.notify(
                NotificationLevel::Error,
                format!(
                    "{} is not a WebAssembly module (it does not start with \\0asm)",
                    path.display()
                ),
            );
            return;
        }
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut name: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        if name.is_empty() {
            name = "imported".to_owned();
        }
        let taken = |candidate: &str| self.workspace.functions_dir().join(candidate).exists();
        if taken(&name) {
            let base = name.clone();
            name = (2..)
                .map(|n| format!("{base}-{n}"))
                .find(|candidate| !taken(candidate))
                .unwrap_or(base);
        }
        let config = FunctionConfig::new(crate::model::Runtime::Wasm, "main.wasm");
        match self
            .workspace
            .create_function(&name, &config, &[("main.wasm", &bytes)])
        {
            Ok(function) => {
                self.refresh_functions();
                // A Python or Ruby language pack is prepared now (once per machine, with its
                // progress on the Test tab), not at the first Test.
                if matches!(
                    function.config.runtime,
                    crate::model::Runtime::Python | crate::model::Runtime::Ruby
                ) {
                    self.check_code(&function.name);
                }
                self.state.created = Some(function.name);
            }
            Err(error) => self.notify(NotificationLevel::Error, error.to_string()),
        }
    }

    pub(super) fn rename_function(&mut self, from: &str, to: &str) {
        if let Err(reason) = crate::model::validate_function_name(to) {
            self.notify(
                NotificationLevel::Error,
                format!("Cannot rename to `{to}`: {reason}"),
            );
            return;
        }
        let functions_dir = self.workspace.functions_dir();
        let (old_dir, new_dir) = (functions_dir.join(from), functions_dir.join(to));
        if new_dir.exists() {
            self.notify(
                NotificationLevel::Error,
                format!("A function named `{to}` already exists"),
            );
            return;
        }
        match std::fs::rename(&old_dir, &new_dir) {
            Ok(()) => {
                self.runtime.unload(from);
                if let Some(result) = self.state.results.remove(from) {
                    self.state.results.insert(to.to_owned(), result);
                }
                self.refresh_functions();
                self.state.created = Some(to.to_owned());
            }
            Err(error) => {
                self.notify(
                    NotificationLevel::Error,
                    format!("Could not rename {}: {error}", old_dir.display()),
                );
            }
        }
    }

    pub(super) fn delete_function(&mut self, function: &str) {
        if crate::model::validate_function_name(function).is_err() {
            return;
        }
        let dir = self.workspace.functions_dir().join(function);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {
                self.runtime.unload(function);
                self.state.results.remove(function);
            }
            Err(error) => {
                self.notify(
                    NotificationLevel::Error,
                    format!("Could not delete {}: {error}", dir.display()),
                );
            }
        }
        self.refresh_functions();
    }

    pub(super) fn create_function(
        &mut self,
        blueprint: &str,
        name: &str,
        memory_mb: u32,
        triggers: Vec<Trigger>,
    ) {
        let created = blueprints::find(Some(&self.workspace), blueprint).and_then(|blueprint| {
            blueprint.create_function_with(&self.workspace, name, memory_mb, triggers)
        });
        match created {
            Ok(function) => {
                self.refresh_functions();
                // Python's language pack is prepared now (once per machine, with its
                // progress on the Test tab), not at the first Test.
                if function.config.runtime == crate::model::Runtime::Python {
                    self.check_code(&function.name);
                }
                self.state.created = Some(function.name);
            }
            Err(error) => self.notify(NotificationLevel::Error, error.to_string()),
        }
    }
}

/// The editable files of a function: everything but saved events, sorted; at most a few
/// levels deep.
pub(super) fn code_files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, depth: usize, found: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || (depth == 0 && name == "events") {
                continue;
            }
            let relative = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if entry.path().is_dir() {
                if depth < 4 {
                    walk(&entry.path(), &relative, depth + 1, found);
                }
            } else {
                found.push(relative);
            }
        }
    }
    let mut found = Vec::new();
    walk(dir, "", 0, &mut found);
    found.sort();
    found
}

/// Whether a saved file is code the runtime loads (so saving it is worth a check).
fn is_code_file(relative_path: &str) -> bool {
    // A Rust function's check builds its crate when a source changed (build on save).
    [
        ".mjs",
        ".js",
        ".cjs",
        ".json",
        ".wat",
        ".wasm",
        ".rs",
        "Cargo.toml",
        ".go",
        "go.mod",
        ".py",
        ".rb",
        ".java",
    ]
    .iter()
    .any(|extension| relative_path.ends_with(extension))
        && !relative_path.starts_with("events/")
}

#[cfg(test)]
mod tests {
    use super::is_code_file;

    #[test]
    fn saving_any_language_s_code_is_worth_a_check_and_an_event_file_is_not() {
        for path in [
            "index.mjs",
            "lib/util.js",
            "main.wat",
            "src/lib.rs",
            "Cargo.toml",
            // Go's build on save: these were missing, so a saved main.go was not built.
            "main.go",
            "go.mod",
            "lambda_function.py",
            "app/handlers.py",
            "lambda_function.rb",
            "src/main/java/example/Hello.java",
        ] {
            assert!(is_code_file(path), "{path}");
        }
        for path in ["events/hello.json", "README.md", "notes.txt"] {
            assert!(!is_code_file(path), "{path}");
        }
    }
}
