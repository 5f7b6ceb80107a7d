//! Changes to a function's triggers and destinations, as the console's forms and
//! `lambdesk trigger …` / `lambdesk destination set` make them: each is checked as the
//! configuration loader checks the file, then written into `function.toml` in place
//! (`config_file.rs`), or refused with nothing written.

use super::config_file::ConfigSaved;
use super::function_config::{Destination, Destinations, FunctionConfig, Trigger};
use super::toml_in_place::OnConflict;
use super::workspace::{Workspace, WorkspaceError};

/// Why an edit of the workspace's configuration was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// Reading or writing a file failed, or the file is invalid as it is.
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// The edit holds a value the configuration loader would refuse.
    #[error("{0}")]
    Invalid(String),
    /// `index` (0-based) is past the function's triggers; shown counted from 1, as
    /// trigger lists number them.
    #[error("function `{function}` has no trigger {}: {}", index + 1, count_hint(*count))]
    NoSuchTrigger {
        function: String,
        index: usize,
        count: usize,
    },
    /// A queue, topic or bucket of that name exists already.
    #[error("there is already a {kind} named `{name}`")]
    AlreadyExists { kind: &'static str, name: String },
    /// No queue, topic or bucket of that name is declared.
    #[error("there is no {kind} named `{name}`{}", available_hint(available))]
    NotFound {
        kind: &'static str,
        name: String,
        available: Vec<String>,
    },
    /// A queue or topic that something still uses cannot be deleted.
    #[error("{kind} `{name}` is in use by {}: change or remove those first", users.join(", "))]
    InUse {
        kind: &'static str,
        name: String,
        users: Vec<String>,
    },
}

fn count_hint(count: usize) -> String {
    match count {
        0 => "it has no triggers".to_owned(),
        1 => "it has 1 trigger (number 1)".to_owned(),
        count => format!("its triggers are numbered 1 to {count}"),
    }
}

fn available_hint(available: &[String]) -> String {
    if available.is_empty() {
        String::new()
    } else {
        format!(" (there are: {})", available.join(", "))
    }
}

/// `queue:dlq`, `topic:done`, `function:alert` or `bucket:results`: a destination as a
/// user types it.
pub fn parse_destination(text: &str) -> Result<Destination, String> {
    let parsed = match text.split_once(':') {
        Some(("function", name)) => Some(Destination::Function(name.to_owned())),
        Some(("queue", name)) => Some(Destination::Queue(name.to_owned())),
        Some(("topic", name)) => Some(Destination::Topic(name.to_owned())),
        Some(("bucket", name)) => Some(Destination::Bucket(name.to_owned())),
        _ => None,
    };
    parsed.ok_or_else(|| {
        format!(
            "`{text}` is not a destination: use function:NAME, queue:NAME, topic:NAME or bucket:NAME"
        )
    })
}

/// A destination as [`parse_destination`] reads it.
pub fn destination_text(destination: &Destination) -> String {
    match destination {
        Destination::Function(name) => format!("function:{name}"),
        Destination::Queue(name) => format!("queue:{name}"),
        Destination::Topic(name) => format!("topic:{name}"),
        Destination::Bucket(name) => format!("bucket:{name}"),
    }
}

/// The first problem the loader would find in `config`, without its location (the
/// edited file is not written, so a line number would point at nothing).
fn first_problem(config: &FunctionConfig) -> Option<String> {
    config
        .problems()
        .into_iter()
        .next()
        .map(|(_, message)| message)
}

impl Workspace {
    /// Adds `trigger` after the function's other triggers; returns its index (0-based).
    /// Refused when the loader would refuse it, when its route is one another enabled
    /// route takes (naming that function), or when its queue hides a message for less
    /// time than the function may run (Lambda refuses such an event source mapping).
    pub fn add_trigger(&self, function: &str, trigger: Trigger) -> Result<usize, EditError> {
        let base = self.function(function)?.config;
        if let Some(problem) = trigger.problem() {
            return Err(EditError::Invalid(format!(
                "cannot add the {} trigger to `{function}`: {problem}",
                trigger.kind()
            )));
        }
        self.check_can_run(function, &base, &trigger)?;
        let mut edited = base.clone();
        edited.triggers.push(trigger);
        let index = edited.triggers.len() - 1;
        self.save_edit(function, &base, &edited)?;
        Ok(index)
    }

    /// Removes the trigger at `index` (0-based) and returns it.
    pub fn remove_trigger(&self, function: &str, index: usize) -> Result<Trigger, EditError> {
        let base = self.function(function)?.config;
        let mut edited = base.clone();
        if index >= edited.triggers.len() {
            return Err(EditError::NoSuchTrigger {
                function: function.to_owned(),
                index,
                count: edited.triggers.len(),
            });
        }
        let removed = edited.triggers.remove(index);
        self.save_edit(function, &base, &edited)?;
        Ok(removed)
    }

    /// Switches the trigger at `index` (0-based) on or off; it stays configured. Switching
    /// an HTTP route on is refused when another enabled route takes its requests.
    pub fn set_trigger_enabled(
        &self,
        function: &str,
        index: usize,
        enabled: bool,
    ) -> Result<ConfigSaved, EditError> {
        let base = self.function(function)?.config;
        let mut edited = base.clone();
        let count = edited.triggers.len();
        let Some(trigger) = edited.triggers.get_mut(index) else {
            return Err(EditError::NoSuchTrigger {
                function: function.to_owned(),
                index,
                count,
            });
        };
        if trigger.is_enabled() == enabled {
            return Ok(ConfigSaved::Unchanged);
        }
        trigger.set_enabled(enabled);
        if enabled {
            self.check_can_run(function, &base, trigger)?;
        }
        self.save_edit(function, &base, &edited)
    }

    /// Replaces the function's destinations (`Destinations::default()` clears them).
    pub fn set_destinations(
        &self,
        function: &str,
        destinations: Destinations,
    ) -> Result<ConfigSaved, EditError> {
        let base = self.function(function)?.config;
        let mut edited = base.clone();
        edited.destinations = destinations;
        if let Some(problem) = first_problem(&edited) {
            return Err(EditError::Invalid(format!(
                "cannot set the destinations of `{function}`: {problem}"
            )));
        }
        self.save_edit(function, &base, &edited)
    }

    /// What refuses an enabled trigger beside the rest of the workspace, as Lambda and API
    /// Gateway refuse it.
    fn check_can_run(
        &self,
        function: &str,
        config: &FunctionConfig,
        trigger: &Trigger,
    ) -> Result<(), EditError> {
        match trigger {
            Trigger::Http {
                route,
                enabled: true,
                ..
            } => match self.route_served_by(route) {
                Some((other, other_route)) => Err(EditError::Invalid(format!(
                    "route `{route}` conflicts with `{other_route}` of function `{other}`: API Gateway would not know which one a request is for"
                ))),
                None => Ok(()),
            },
            Trigger::Queue {
                queue,
                enabled: true,
                ..
            } => {
                let visibility_timeout_secs = self
                    .read_workspace_config()?
                    .queues
                    .get(queue)
                    .cloned()
                    .unwrap_or_default()
                    .visibility_timeout_secs;
                if visibility_timeout_secs < config.timeout_secs {
                    return Err(EditError::Invalid(format!(
                        "Queue visibility timeout: {visibility_timeout_secs} seconds is less than Function timeout: {} seconds (raise visibility_timeout_secs of queue `{queue}`, or lower the timeout of `{function}`)",
                        config.timeout_secs
                    )));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Writes an edit made on the configuration just read; a file changed in between by
    /// someone else is a conflict, never overwritten.
    fn save_edit(
        &self,
        function: &str,
        base: &FunctionConfig,
        edited: &FunctionConfig,
    ) -> Result<ConfigSaved, EditError> {
        Ok(self.update_function_config(function, base, edited, OnConflict::Refuse)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FUNCTION_FILE, WORKSPACE_FILE};

    const HELLO: &str = "# Says hello.\nruntime = \"wat\"\nhandler = \"main.wat\" # the module\n\n# nightly report\n[[triggers]]\ntype = \"schedule\"\nexpression = \"rate(1 day)\"\n";

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(WORKSPACE_FILE), "region = \"eu-west-1\"\n").unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        for (name, text) in [
            ("hello", HELLO),
            (
                "items",
                "runtime = \"wat\"\nhandler = \"main.wat\"\n[[triggers]]\ntype = \"http\"\nroute = \"GET /items\"\n",
            ),
        ] {
            let function_dir = dir.path().join("functions").join(name);
            std::fs::create_dir_all(&function_dir).unwrap();
            std::fs::write(function_dir.join("main.wat"), "(module)").unwrap();
            std::fs::write(function_dir.join(FUNCTION_FILE), text).unwrap();
        }
        (dir, workspace)
    }

    fn hello_file(dir: &tempfile::TempDir) -> String {
        std::fs::read_to_string(dir.path().join("functions/hello").join(FUNCTION_FILE)).unwrap()
    }

    #[test]
    fn a_trigger_is_added_at_the_end_and_the_comments_stay() {
        let (dir, workspace) = workspace();
        let index = workspace
            .add_trigger(
                "hello",
                Trigger::Bucket {
                    bucket: "photos".into(),
                    events: vec!["s3:ObjectCreated:*".into()],
                    prefix: Some("uploads/".into()),
                    suffix: None,
                    enabled: false,
                },
            )
            .unwrap();
        assert_eq!(index, 1);
        assert_eq!(
            hello_file(&dir),
            format!(
                "{HELLO}\n[[triggers]]\ntype = \"bucket\"\nbucket = \"photos\"\nevents = [\"s3:ObjectCreated:*\"]\nprefix = \"uploads/\"\nenabled = false\n"
            )
        );
    }

    #[test]
    fn a_bad_trigger_or_a_taken_route_is_refused_and_nothing_is_written() {
        let (dir, workspace) = workspace();
        let bad = Trigger::Schedule {
            expression: "rate(5 minute)".into(),
            timezone: None,
            enabled: true,
        };
        let message = workspace.add_trigger("hello", bad).unwrap_err().to_string();
        assert!(
            message.contains("`rate(5 minute)` is not a valid schedule expression"),
            "{message}"
        );
        let message = workspace
            .add_trigger("hello", Trigger::http("GET /items/"))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("conflicts with `GET /items` of function `items`"),
            "{message}"
        );
        assert_eq!(hello_file(&dir), HELLO);
    }

    #[test]
    fn a_queue_that_hides_messages_shorter_than_the_timeout_is_refused() {
        let (dir, workspace) = workspace();
        let (_, base) = (0, workspace.function("hello").unwrap().config);
        let mut slow = base.clone();
        slow.timeout_secs = 60;
        workspace
            .update_function_config("hello", &base, &slow, OnConflict::Refuse)
            .unwrap();
        let before = hello_file(&dir);
        let queue = Trigger::Queue {
            queue: "orders".into(),
            batch_size: 10,
            maximum_batching_window_secs: None,
            report_batch_item_failures: false,
            maximum_concurrency: None,
            enabled: true,
        };
        let message = workspace
            .add_trigger("hello", queue)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with(
                "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"
            ),
            "{message}"
        );
        assert_eq!(hello_file(&dir), before);
    }

    #[test]
    fn triggers_are_switched_and_removed_by_index() {
        let (dir, workspace) = workspace();
        workspace.set_trigger_enabled("hello", 0, false).unwrap();
        assert_eq!(hello_file(&dir), format!("{HELLO}enabled = false\n"));
        assert_eq!(
            workspace.set_trigger_enabled("hello", 0, false).unwrap(),
            ConfigSaved::Unchanged
        );
        workspace.set_trigger_enabled("hello", 0, true).unwrap();
        assert_eq!(hello_file(&dir), HELLO);
        let message = workspace
            .remove_trigger("hello", 1)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "function `hello` has no trigger 2: it has 1 trigger (number 1)"
        );
        let removed = workspace.remove_trigger("hello", 0).unwrap();
        assert_eq!(removed.kind(), "schedule");
        assert!(hello_file(&dir).starts_with(
            "# Says hello.\nruntime = \"wat\"\nhandler = \"main.wat\" # the module\n"
        ));
        assert!(!hello_file(&dir).contains("triggers"));
    }

    #[test]
    fn destinations_are_parsed_set_and_cleared() {
        let (dir, workspace) = workspace();
        assert_eq!(
            parse_destination("queue:dlq"),
            Ok(Destination::Queue("dlq".into()))
        );
        assert!(
            parse_destination("sqs:dlq")
                .unwrap_err()
                .contains("queue:NAME")
        );
        let destinations = Destinations {
            on_success: Some(Destination::Topic("done".into())),
            on_failure: Some(Destination::Queue("dlq".into())),
        };
        workspace.set_destinations("hello", destinations).unwrap();
        assert_eq!(
            hello_file(&dir),
            format!(
                "{HELLO}\n[destinations.on_success]\ntopic = \"done\"\n\n[destinations.on_failure]\nqueue = \"dlq\"\n"
            )
        );
        let fifo = Destinations {
            on_failure: Some(Destination::Queue("dlq.fifo".into())),
            ..Destinations::default()
        };
        let message = workspace
            .set_destinations("hello", fifo)
            .unwrap_err()
            .to_string();
        assert!(message.contains("FIFO"), "{message}");
        workspace
            .set_destinations("hello", Destinations::default())
            .unwrap();
        assert_eq!(hello_file(&dir), HELLO);
    }
}
