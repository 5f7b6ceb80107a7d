use std::path::{Path, PathBuf};

use super::atomic_write::write_atomically;
use super::config_error::ConfigError;
use super::function_config::{Architecture, FunctionConfig, Runtime};
use super::names::validate_function_name;
use super::workspace_config::WorkspaceConfig;

pub const WORKSPACE_FILE: &str = "lambdesk.toml";
pub const FUNCTION_FILE: &str = "function.toml";

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("there is no function named `{name}` in {}{}", workspace.display(), available_hint(available))]
    UnknownFunction {
        name: String,
        workspace: PathBuf,
        available: Vec<String>,
    },
    #[error(
        "{} changed on disk since it was read, and both changed {}: reload it, or save again to keep your values",
        file.display(), keys.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", ")
    )]
    ChangedOnDisk { file: PathBuf, keys: Vec<String> },
    #[error("`{path}` is not a file inside the folder of function `{function}`: {reason}")]
    OutsideFunction {
        path: String,
        function: String,
        reason: String,
    },
    #[error("invalid function name: {0}")]
    InvalidName(String),
    #[error("a function named `{0}` already exists")]
    AlreadyExists(String),
    #[error(
        "{} is not a lambdesk workspace (it has no {WORKSPACE_FILE}) and is not empty; choose an empty or new folder",
        .0.display()
    )]
    NotAWorkspace(PathBuf),
}

fn available_hint(available: &[String]) -> String {
    if available.is_empty() {
        " (it has no functions yet)".to_owned()
    } else {
        format!(" (functions: {})", available.join(", "))
    }
}

pub(super) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> WorkspaceError + '_ {
    move |source| WorkspaceError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A workspace folder: `lambdesk.toml`, `functions/<name>/`, `buckets/`, `.lambdesk/`.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    config: WorkspaceConfig,
}

/// One function of a workspace, its configuration validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    pub dir: PathBuf,
    pub config: FunctionConfig,
    /// The function's own architecture or else the workspace's default.
    pub architecture: Architecture,
}

impl Function {
    pub fn config_path(&self) -> PathBuf {
        self.dir.join(FUNCTION_FILE)
    }

    /// The code the runtime loads: the module file for wat/wasm, the entry file for js.
    pub fn code_path(&self) -> PathBuf {
        self.dir.join(&self.config.handler)
    }

    pub fn events_dir(&self) -> PathBuf {
        self.dir.join("events")
    }
}

impl Workspace {
    /// Opens the workspace at `root`, creating it when the folder does not exist yet or
    /// is empty.
    pub fn open(root: &Path) -> Result<Self, WorkspaceError> {
        let config_path = root.join(WORKSPACE_FILE);
        if !config_path.exists() {
            let is_empty = match std::fs::read_dir(root) {
                Ok(mut entries) => entries.next().is_none(),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => true,
                Err(error) => return Err(io_error(root)(error)),
            };
            if !is_empty {
                return Err(WorkspaceError::NotAWorkspace(root.to_owned()));
            }
            Self::create(root)?;
        }
        let text = std::fs::read_to_string(&config_path).map_err(io_error(&config_path))?;
        let config: WorkspaceConfig = toml::from_str(&text)
            .map_err(|error| ConfigError::from_toml(&config_path, &text, &error))?;
        if let Some((path, message)) = config.problems().into_iter().next() {
            return Err(ConfigError::at_key(&config_path, &text, &path, message).into());
        }
        Ok(Self {
            // Absolute: a native process runs in its function's folder, where a path
            // relative to lambdesk's own current folder (`--workspace ws`) means nothing.
            root: std::path::absolute(root).unwrap_or_else(|_| root.to_owned()),
            config,
        })
    }

    fn create(root: &Path) -> Result<(), WorkspaceError> {
        let functions = root.join("functions");
        std::fs::create_dir_all(&functions).map_err(io_error(&functions))?;
        let config_path = root.join(WORKSPACE_FILE);
        let text = format!(
            "# lambdesk workspace: settings shared by every function here.\n{}",
            toml::to_string(&WorkspaceConfig::default()).unwrap_or_default()
        );
        write_atomically(&config_path, text.as_bytes()).map_err(io_error(&config_path))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> &WorkspaceConfig {
        &self.config
    }

    pub fn functions_dir(&self) -> PathBuf {
        self.root.join("functions")
    }

    pub fn buckets_dir(&self) -> PathBuf {
        self.root.join("buckets")
    }

    /// `.lambdesk/`: state that lambdesk keeps (logs, queues); not meant to be edited.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".lambdesk")
    }

    pub fn logs_dir(&self) -> PathBuf {
        self.state_dir().join("logs")
    }

    /// Names of the function folders (those holding a `function.toml`), sorted.
    pub fn function_names(&self) -> Result<Vec<String>, WorkspaceError> {
        let dir = self.functions_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(io_error(&dir)(error)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_error(&dir))?;
            if entry.path().join(FUNCTION_FILE).is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Loads and validates one function's configuration.
    pub fn function(&self, name: &str) -> Result<Function, WorkspaceError> {
        validate_function_name(name).map_err(WorkspaceError::InvalidName)?;
        let dir = self.functions_dir().join(name);
        let config_path = dir.join(FUNCTION_FILE);
        let text = match std::fs::read_to_string(&config_path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(WorkspaceError::UnknownFunction {
                    name: name.to_owned(),
                    workspace: self.root.clone(),
                    available: self.function_names().unwrap_or_default(),
                });
            }
            Err(error) => return Err(io_error(&config_path)(error)),
        };
        self.function_from_text(name, &text, true)
    }

    /// Every function of the workspace, each as [`Self::function`] loads it, reading each
    /// `function.toml` once: checking routes function by function would read every other
    /// function's file for each function with a route (the map of a workspace of 200
    /// functions took 180 ms to open that way).
    pub fn functions(&self) -> Vec<(String, Result<Function, WorkspaceError>)> {
        let names = self.function_names().unwrap_or_default();
        let texts: Vec<Option<String>> = names
            .iter()
            .map(|name| {
                let path = self.functions_dir().join(name).join(FUNCTION_FILE);
                std::fs::read_to_string(path).ok()
            })
            .collect();
        let with_routes: Vec<(&str, FunctionConfig)> = names
            .iter()
            .zip(&texts)
            .filter_map(|(name, text)| {
                let text = text.as_deref()?;
                // As `route_conflict_of`: only configurations that parse claim routes.
                if !text.contains("http") {
                    return None;
                }
                Some((name.as_str(), toml::from_str(text).ok()?))
            })
            .collect();
        let conflicting = super::route_conflicts::functions_in_route_conflict(&with_routes);
        names
            .iter()
            .zip(texts)
            .map(|(name, text)| {
                let function = match text {
                    // A conflict's message names the other route: the full check says it.
                    Some(text) if !conflicting.contains(name.as_str()) => {
                        validate_function_name(name)
                            .map_err(WorkspaceError::InvalidName)
                            .and_then(|()| self.function_from_text(name, &text, false))
                    }
                    _ => self.function(name),
                };
                (name.clone(), function)
            })
            .collect()
    }

    /// A function whose `function.toml` says `text`; `check_routes` compares its routes
    /// with every other function's.
    fn function_from_text(
        &self,
        name: &str,
        text: &str,
        check_routes: bool,
    ) -> Result<Function, WorkspaceError> {
        let dir = self.functions_dir().join(name);
        let config_path = dir.join(FUNCTION_FILE);
        let config: FunctionConfig = toml::from_str(text)
            .map_err(|error| ConfigError::from_toml(&config_path, text, &error))?;
        if let Some((path, message)) = config.problems().into_iter().next() {
            return Err(ConfigError::at_key(&config_path, text, &path, message).into());
        }
        if check_routes
            && let Some(conflict) = self.route_conflict_of(name, &config_path, text, &config)
        {
            return Err(conflict.into());
        }
        let function = Function {
            name: name.to_owned(),
            architecture: config.architecture.unwrap_or(self.config.architecture),
            dir,
            config,
        };
        let module_based = matches!(function.config.runtime, Runtime::Wat | Runtime::Wasm);
        if module_based && let Err(problem) = function.resolved_code_path() {
            return Err(ConfigError::at_key(
                &config_path,
                text,
                &[super::config_error::KeySegment::key("handler")],
                problem.to_string(),
            )
            .into());
        }
        Ok(function)
    }

    /// Creates `functions/<name>/` with its `function.toml` and the given files
    /// (paths relative to the function's folder). A creation that fails leaves nothing
    /// behind: the files are written into a hidden folder beside it, renamed into place
    /// when all are there, and `function.toml` (which makes the folder a function) last.
    pub fn create_function(
        &self,
        name: &str,
        config: &FunctionConfig,
        files: &[(&str, &[u8])],
    ) -> Result<Function, WorkspaceError> {
        validate_function_name(name).map_err(WorkspaceError::InvalidName)?;
        let dir = self.functions_dir().join(name);
        if dir.exists() {
            return Err(WorkspaceError::AlreadyExists(name.to_owned()));
        }
        // Refused before anything is written: a function that would not load, or whose
        // route takes another function's requests (which would then stop loading too).
        let config_path = dir.join(FUNCTION_FILE);
        let text = toml::to_string(config).unwrap_or_default();
        if let Some((path, message)) = config.problems().into_iter().next() {
            return Err(ConfigError::at_key(&config_path, &text, &path, message).into());
        }
        if let Some(conflict) = self.route_conflict_of(name, &config_path, &text, config) {
            return Err(conflict.into());
        }
        let staging = self
            .functions_dir()
            .join(format!(".{name}.creating-{}", std::process::id()));
        let staged = files.iter().try_for_each(|(relative_path, contents)| {
            let path = staging.join(relative_path);
            write_atomically(&path, contents).map_err(io_error(&path))
        });
        let placed = staged
            .and_then(|()| std::fs::create_dir_all(&staging).map_err(io_error(&staging)))
            .and_then(|()| std::fs::rename(&staging, &dir).map_err(io_error(&dir)));
        if let Err(error) = placed {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error);
        }
        if let Err(error) = self.save_function_config(name, config) {
            // The folder is this call's own: it was missing above and renamed into place.
            let _ = std::fs::remove_dir_all(&dir);
            return Err(error);
        }
        self.function(name)
    }

    /// Writes `function.toml` atomically.
    pub fn save_function_config(
        &self,
        name: &str,
        config: &FunctionConfig,
    ) -> Result<(), WorkspaceError> {
        validate_function_name(name).map_err(WorkspaceError::InvalidName)?;
        let path = self.functions_dir().join(name).join(FUNCTION_FILE);
        let text = toml::to_string(config).map_err(|error| {
            WorkspaceError::Config(ConfigError {
                file: path.clone(),
                line: None,
                key: None,
                message: error.to_string(),
            })
        })?;
        write_atomically(&path, text.as_bytes()).map_err(io_error(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Trigger;

    #[test]
    fn a_missing_workspace_is_created_and_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("new-ws");
        let workspace = Workspace::open(&root).unwrap();
        assert!(root.join(WORKSPACE_FILE).is_file());
        assert!(workspace.function_names().unwrap().is_empty());
        assert_eq!(Workspace::open(&root).unwrap().config().region, "us-east-1");
    }

    #[test]
    fn a_non_empty_folder_without_lambdesk_toml_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let error = Workspace::open(dir.path()).unwrap_err();
        assert!(matches!(error, WorkspaceError::NotAWorkspace(_)));
        assert!(!dir.path().join(WORKSPACE_FILE).exists());
    }

    #[test]
    fn create_then_load_a_function() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let config = FunctionConfig::new(Runtime::Wat, "main.wat");
        let created = workspace
            .create_function("echo", &config, &[("main.wat", b"(module)")])
            .unwrap();
        assert_eq!(created.config, config);
        assert_eq!(workspace.function_names().unwrap(), vec!["echo"]);
        assert!(matches!(
            workspace.create_function("echo", &config, &[]),
            Err(WorkspaceError::AlreadyExists(_))
        ));
    }

    #[test]
    fn a_creation_failing_on_its_second_file_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let config = FunctionConfig::new(Runtime::Wat, "main.wat");
        // The second file needs `main.wat` to be a folder: it cannot be written.
        let error = workspace
            .create_function(
                "half",
                &config,
                &[("main.wat", b"(module)"), ("main.wat/inner.txt", b"x")],
            )
            .unwrap_err();
        assert!(matches!(error, WorkspaceError::Io { .. }), "{error}");
        assert!(error.to_string().contains("inner.txt"), "{error}");
        let left: Vec<_> = std::fs::read_dir(workspace.functions_dir())
            .map(|entries| entries.map(|entry| entry.unwrap().file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "left behind in functions/: {left:?}");
        // The name is free again.
        workspace
            .create_function("half", &config, &[("main.wat", b"(module)")])
            .unwrap();
        assert_eq!(workspace.function_names().unwrap(), vec!["half"]);
    }

    #[test]
    fn a_function_whose_route_conflicts_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let mut config = FunctionConfig::new(Runtime::Wat, "main.wat");
        config.triggers.push(Trigger::http("GET /items"));
        workspace
            .create_function("items-api", &config, &[("main.wat", b"(module)")])
            .unwrap();
        config.triggers = vec![Trigger::http("GET /other"), Trigger::http("GET /items/")];
        let error = workspace
            .create_function("copy", &config, &[("main.wat", b"(module)")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("key `triggers[1].route`"), "{error}");
        assert!(
            error.contains("conflicts with `GET /items` of function `items-api`"),
            "{error}"
        );
        assert_eq!(workspace.function_names().unwrap(), vec!["items-api"]);
        assert!(!workspace.functions_dir().join("copy").exists());
        let left: Vec<_> = std::fs::read_dir(workspace.functions_dir())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(left, ["items-api"]);
        workspace.function("items-api").unwrap();
    }

    #[test]
    fn a_function_that_would_not_load_is_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let mut config = FunctionConfig::new(Runtime::Wat, "main.wat");
        config.triggers.push(Trigger::Schedule {
            expression: "rate(5 minute)".to_owned(),
            timezone: None,
            enabled: true,
        });
        let error = workspace
            .create_function("tick", &config, &[("main.wat", b"(module)")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("key `triggers[0].expression`"), "{error}");
        assert!(!workspace.functions_dir().join("tick").exists());
    }

    #[test]
    fn validation_errors_name_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let function_dir = dir.path().join("functions/bad");
        std::fs::create_dir_all(&function_dir).unwrap();
        std::fs::write(function_dir.join("main.wat"), "(module)").unwrap();
        std::fs::write(
            function_dir.join(FUNCTION_FILE),
            "runtime = \"wat\"\nhandler = \"main.wat\"\nmemory_mb = 64\n",
        )
        .unwrap();
        let message = workspace.function("bad").unwrap_err().to_string();
        assert!(message.contains("function.toml:3"), "{message}");
        assert!(message.contains("`memory_mb`"), "{message}");

        std::fs::write(
            function_dir.join(FUNCTION_FILE),
            "runtime = \"wat\"\nhandler = \"main.wat\"\n\nmemroy_mb = 256\n",
        )
        .unwrap();
        let message = workspace.function("bad").unwrap_err().to_string();
        assert!(message.contains("function.toml:4"), "{message}");
        assert!(message.contains("memroy_mb"), "{message}");
    }

    #[test]
    fn a_rust_function_whose_handler_is_not_its_manifest_is_refused_at_load() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let function_dir = dir.path().join("functions/thumbs");
        std::fs::create_dir_all(function_dir.join("src")).unwrap();
        std::fs::write(function_dir.join("src/main.rs"), "fn main() {}").unwrap();
        std::fs::write(
            function_dir.join(FUNCTION_FILE),
            "# built by hand\nruntime = \"rust\"\nhandler = \"bootstrap\"\n",
        )
        .unwrap();
        let message = workspace.function("thumbs").unwrap_err().to_string();
        assert!(message.contains("function.toml:3"), "{message}");
        assert!(message.contains("`handler`"), "{message}");
        assert!(message.contains("Cargo.toml"), "{message}");
    }

    #[test]
    fn an_unknown_function_lists_the_ones_there_are() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let config = FunctionConfig::new(Runtime::Wat, "main.wat");
        workspace
            .create_function("echo", &config, &[("main.wat", b"(module)")])
            .unwrap();
        let message = workspace.function("ecko").unwrap_err().to_string();
        assert!(message.contains("no function named `ecko`"), "{message}");
        assert!(message.contains("functions: echo"), "{message}");
    }
}
