//! The names a blueprint's triggers need (an HTTP route, a bucket, a queue, a topic, a
//! schedule expression), as the user edits them before creating a function, and what is
//! wrong with them in this workspace: an invalid value (the configuration loader's own
//! check) or a route another function already serves, which API Gateway would refuse.

use crate::model::{
    Trigger, Workspace, conflicting_route, route_template::RouteTemplate, table_header,
    validate_function_name,
};

/// What the check says about one proposed trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerNote {
    /// Creation is refused while it stands.
    Problem(String),
    /// Worth knowing, not an error (a queue lambdesk.toml does not declare).
    Info(String),
}

impl TriggerNote {
    pub fn is_problem(&self) -> bool {
        matches!(self, Self::Problem(_))
    }

    pub fn message(&self) -> &str {
        match self {
            Self::Problem(message) | Self::Info(message) => message,
        }
    }
}

/// The kind of name a trigger needs, as a field label: `HTTP route`, `Queue`, ….
pub fn field_kind(trigger: &Trigger) -> &'static str {
    match trigger {
        Trigger::Http { .. } => "HTTP route",
        Trigger::Bucket { .. } => "Bucket",
        Trigger::Schedule { .. } => "Schedule expression",
        Trigger::Queue { .. } => "Queue",
        Trigger::Topic { .. } => "Topic",
    }
}

/// The name the user is asked for: the route, bucket, expression, queue or topic.
pub fn field_value(trigger: &Trigger) -> &str {
    match trigger {
        Trigger::Http { route, .. } => route,
        Trigger::Bucket { bucket, .. } => bucket,
        Trigger::Schedule { expression, .. } => expression,
        Trigger::Queue { queue, .. } => queue,
        Trigger::Topic { topic, .. } => topic,
    }
}

/// `trigger` with its name replaced by `value`; its other settings stay the blueprint's.
pub fn with_field_value(trigger: &Trigger, value: &str) -> Trigger {
    let mut edited = trigger.clone();
    match &mut edited {
        Trigger::Http { route: name, .. }
        | Trigger::Bucket { bucket: name, .. }
        | Trigger::Schedule {
            expression: name, ..
        }
        | Trigger::Queue { queue: name, .. }
        | Trigger::Topic { topic: name, .. } => value.clone_into(name),
    }
    edited
}

/// One label per trigger, distinct: `HTTP route 1`, `HTTP route 2` when a kind repeats.
pub fn field_labels(triggers: &[Trigger]) -> Vec<String> {
    triggers
        .iter()
        .enumerate()
        .map(|(index, trigger)| {
            let kind = field_kind(trigger);
            let same_kind = |other: &Trigger| field_kind(other) == kind;
            if triggers.iter().filter(|other| same_kind(other)).count() > 1 {
                let number = triggers[..=index]
                    .iter()
                    .filter(|other| same_kind(other))
                    .count();
                format!("{kind} {number}")
            } else {
                kind.to_owned()
            }
        })
        .collect()
}

/// What is wrong with, or worth knowing about, each proposed trigger (in order) if a new
/// function of `workspace` had them.
pub fn check_triggers(workspace: &Workspace, triggers: &[Trigger]) -> Vec<Option<TriggerNote>> {
    triggers
        .iter()
        .enumerate()
        .map(|(index, trigger)| {
            if let Some(problem) = trigger.problem() {
                return Some(TriggerNote::Problem(problem));
            }
            match trigger {
                Trigger::Http {
                    route,
                    enabled: true,
                    ..
                } => route_conflict(workspace, route, &triggers[..index]).map(TriggerNote::Problem),
                Trigger::Queue { queue, .. } if !workspace.config().queues.contains_key(queue) => {
                    Some(TriggerNote::Info(format!(
                        "queue `{queue}` is not declared in lambdesk.toml: it is used with SQS's defaults (add {} to change them)",
                        table_header("queues", queue)
                    )))
                }
                Trigger::Topic { topic, .. } if !workspace.config().topics.contains_key(topic) => {
                    Some(TriggerNote::Info(format!(
                        "topic `{topic}` is not declared in lambdesk.toml: it is used with SNS's defaults, without queue subscriptions (add {} to change them)",
                        table_header("topics", topic)
                    )))
                }
                _ => None,
            }
        })
        .collect()
}

/// Why `route` cannot be added beside the workspace's routes and the `earlier` proposed
/// triggers: the route it conflicts with, and whose it is.
fn route_conflict(workspace: &Workspace, route: &str, earlier: &[Trigger]) -> Option<String> {
    const REFUSED: &str = "API Gateway refuses a route that conflicts with an existing one";
    let template = RouteTemplate::parse(route).ok()?;
    let earlier_conflict = conflicting_route(earlier, &template);
    if let Some(other) = earlier_conflict {
        return Some(format!(
            "`{route}` takes the same requests as `{other}` above: {REFUSED}"
        ));
    }
    let (function, other) = workspace.route_served_by(route)?;
    Some(if other == route {
        format!("`{route}` is already served by function `{function}`: {REFUSED}")
    } else {
        format!(
            "`{route}` takes the same requests as `{other}` of function `{function}`: {REFUSED}"
        )
    })
}

/// A route for `triggers[index]` that conflicts with nothing: its path under the new
/// function's name (`GET /items` → `GET /shop/items`). `None` when that conflicts too, or
/// the trigger is no route or `$default`.
pub fn suggested_route(
    workspace: &Workspace,
    function_name: &str,
    triggers: &[Trigger],
    index: usize,
) -> Option<String> {
    let Some(Trigger::Http { route, .. }) = triggers.get(index) else {
        return None;
    };
    validate_function_name(function_name).ok()?;
    let (method, path) = route.split_once(' ')?;
    let path = path.trim();
    let suggestion = if path == "/" {
        format!("{method} /{function_name}")
    } else {
        format!("{method} /{function_name}{path}")
    };
    let mut proposed = triggers.to_vec();
    proposed[index] = with_field_value(&triggers[index], &suggestion);
    // Checked against the other proposed routes in both orders: it must not collide with
    // a later one either.
    let others: Vec<Trigger> = proposed
        .iter()
        .enumerate()
        .filter(|(other, _)| *other != index)
        .map(|(_, trigger)| trigger.clone())
        .collect();
    let is_free = proposed[index].problem().is_none()
        && route_conflict(workspace, &suggestion, &others).is_none();
    is_free.then_some(suggestion)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FunctionConfig, Runtime};

    fn workspace_serving(route: &str) -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let mut config = FunctionConfig::new(Runtime::Wat, "main.wat");
        config.triggers.push(Trigger::http(route));
        workspace
            .create_function("items-api", &config, &[("main.wat", b"(module)")])
            .unwrap();
        (dir, workspace)
    }

    #[test]
    fn a_route_another_function_serves_is_a_problem_naming_it() {
        let (_dir, workspace) = workspace_serving("GET /items/{id}");
        let notes = check_triggers(
            &workspace,
            &[
                Trigger::http("GET /items/{key}"),
                Trigger::http("GET /items"),
                Trigger::http("GET /items/"),
            ],
        );
        assert_eq!(
            notes[0].as_ref().map(TriggerNote::message),
            Some(
                "`GET /items/{key}` takes the same requests as `GET /items/{id}` of function `items-api`: API Gateway refuses a route that conflicts with an existing one"
            )
        );
        assert_eq!(notes[1], None);
        assert!(
            notes[2].as_ref().is_some_and(
                |note| note.is_problem() && note.message().contains("as `GET /items` above")
            ),
            "{notes:?}"
        );
    }

    #[test]
    fn invalid_names_are_problems_and_undeclared_queues_are_information() {
        let (_dir, workspace) = workspace_serving("GET /items");
        let blueprint_queue = Trigger::Queue {
            queue: "orders".to_owned(),
            batch_size: 10,
            maximum_batching_window_secs: None,
            report_batch_item_failures: true,
            maximum_concurrency: None,
            enabled: true,
        };
        let notes = check_triggers(
            &workspace,
            &[
                Trigger::http("GET items"),
                with_field_value(&blueprint_queue, "bad name"),
                blueprint_queue.clone(),
            ],
        );
        assert!(notes[0].as_ref().is_some_and(TriggerNote::is_problem));
        assert!(
            notes[1]
                .as_ref()
                .is_some_and(|note| note.is_problem() && note.message().contains("`bad name`")),
            "{notes:?}"
        );
        let info = notes[2].as_ref().unwrap();
        assert!(!info.is_problem());
        assert!(info.message().contains("[queues.orders]"), "{info:?}");
    }

    #[test]
    fn the_suggested_route_is_under_the_function_name_and_free() {
        let (_dir, workspace) = workspace_serving("GET /items");
        let triggers = [Trigger::http("GET /items"), Trigger::http("POST /items")];
        assert_eq!(
            suggested_route(&workspace, "shop", &triggers, 0).as_deref(),
            Some("GET /shop/items")
        );
        let taken = [
            Trigger::http("GET /items"),
            Trigger::http("GET /shop/items"),
        ];
        assert_eq!(suggested_route(&workspace, "shop", &taken, 0), None);
    }

    #[test]
    fn labels_are_numbered_when_a_kind_repeats() {
        let labels = field_labels(&[
            Trigger::http("GET /a"),
            Trigger::http("GET /b"),
            with_field_value(
                &Trigger::Topic {
                    topic: String::new(),
                    filter_policy: None,
                    enabled: true,
                },
                "alerts",
            ),
        ]);
        assert_eq!(labels, ["HTTP route 1", "HTTP route 2", "Topic"]);
    }
}
