//! Routes of a workspace that API Gateway would refuse side by side: two enabled `http`
//! triggers that take the same requests (`GET /x/{id}` and `GET /x/{key}`, `GET /x` and
//! `GET /x/`), in one function or in two. All the functions of a workspace share one local
//! HTTP API, as the routes of one API Gateway HTTP API do.

use std::collections::BTreeSet;
use std::path::Path;

use super::config_error::{ConfigError, KeySegment};
use super::function_config::{FunctionConfig, Trigger};
use super::route_template::RouteTemplate;
use super::workspace::{FUNCTION_FILE, Workspace};

/// An enabled route of one function, where it is written.
struct RouteClaim {
    function: String,
    /// The index of its trigger in `[[triggers]]`.
    trigger_index: usize,
    route_key: String,
    template: RouteTemplate,
}

/// The enabled `http` routes of a configuration that parse (a malformed one is the
/// function's own problem, reported when it loads).
fn enabled_routes(function: &str, config: &FunctionConfig) -> Vec<RouteClaim> {
    config
        .triggers
        .iter()
        .enumerate()
        .filter_map(|(trigger_index, trigger)| match trigger {
            Trigger::Http {
                route,
                enabled: true,
                ..
            } => RouteTemplate::parse(route).ok().map(|template| RouteClaim {
                function: function.to_owned(),
                trigger_index,
                route_key: route.clone(),
                template,
            }),
            _ => None,
        })
        .collect()
}

/// The first enabled route among `triggers` that takes the same requests as `template`
/// (a proposed route checked against a function's or a form's other triggers).
pub fn conflicting_route<'a>(
    triggers: impl IntoIterator<Item = &'a Trigger>,
    template: &RouteTemplate,
) -> Option<&'a str> {
    triggers.into_iter().find_map(|trigger| match trigger {
        Trigger::Http {
            route,
            enabled: true,
            ..
        } => RouteTemplate::parse(route)
            .ok()
            .filter(|other| other.conflicts_with(template))
            .map(|_| route.as_str()),
        _ => None,
    })
}

/// The functions among `configs` (name, configuration) with an enabled route that
/// conflicts with another enabled route among them, its own or another function's: those
/// [`Workspace::function`] refuses to load.
pub(super) fn functions_in_route_conflict<'a>(
    configs: &[(&'a str, FunctionConfig)],
) -> BTreeSet<&'a str> {
    let claims: Vec<(&str, RouteClaim)> = configs
        .iter()
        .flat_map(|(name, config)| {
            enabled_routes(name, config)
                .into_iter()
                .map(move |claim| (*name, claim))
        })
        .collect();
    let mut conflicting = BTreeSet::new();
    for (later_position, (owner, claim)) in claims.iter().enumerate() {
        for (earlier_owner, earlier) in &claims[..later_position] {
            if earlier.template.conflicts_with(&claim.template) {
                conflicting.insert(*owner);
                conflicting.insert(*earlier_owner);
            }
        }
    }
    conflicting
}

fn route_path(trigger_index: usize) -> [KeySegment; 3] {
    [
        KeySegment::key("triggers"),
        KeySegment::Index(trigger_index),
        KeySegment::key("route"),
    ]
}

/// A function's configuration as read from disk, kept with its text to locate keys.
struct LoadedConfig {
    name: String,
    path: std::path::PathBuf,
    text: String,
    config: FunctionConfig,
}

impl Workspace {
    /// Every pair of enabled routes API Gateway would refuse together, each reported once,
    /// at the route written later (in function name order, then trigger order), naming the
    /// other route and its function.
    pub fn route_conflicts(&self) -> Vec<ConfigError> {
        let loaded = self.configs_with_routes(None);
        let claims: Vec<(usize, RouteClaim)> = loaded
            .iter()
            .enumerate()
            .flat_map(|(owner, config)| {
                enabled_routes(&config.name, &config.config)
                    .into_iter()
                    .map(move |claim| (owner, claim))
            })
            .collect();
        let mut conflicts = Vec::new();
        for (later_position, (owner, claim)) in claims.iter().enumerate() {
            let earlier = claims[..later_position]
                .iter()
                .find(|(_, earlier)| earlier.template.conflicts_with(&claim.template));
            if let Some((earlier_owner, earlier)) = earlier {
                let own = &loaded[*owner];
                let other = &loaded[*earlier_owner];
                conflicts.push(self.conflict_error(own, claim, other, earlier));
            }
        }
        conflicts
    }

    /// The enabled route of a function of the workspace that `route` would conflict with,
    /// as `(function, route key)`: what API Gateway would refuse `route` beside. `None`
    /// when nothing conflicts or `route` does not parse (its own problem).
    pub fn route_served_by(&self, route: &str) -> Option<(String, String)> {
        self.route_served_by_excluding(route, None)
    }

    /// As [`Self::route_served_by`], among the functions other than `function` (whose own
    /// routes a form checks against its draft instead of the file).
    pub fn route_served_by_other(&self, route: &str, function: &str) -> Option<(String, String)> {
        self.route_served_by_excluding(route, Some(function))
    }

    fn route_served_by_excluding(
        &self,
        route: &str,
        excluded: Option<&str>,
    ) -> Option<(String, String)> {
        let template = RouteTemplate::parse(route).ok()?;
        self.configs_with_routes(excluded)
            .into_iter()
            .find_map(|other| {
                enabled_routes(&other.name, &other.config)
                    .into_iter()
                    .find(|claim| claim.template.conflicts_with(&template))
                    .map(|claim| (claim.function, claim.route_key))
            })
    }

    /// The first route of `config` (the function `name`, read from `config_path`) that
    /// conflicts with another enabled route of the workspace.
    pub(super) fn route_conflict_of(
        &self,
        name: &str,
        config_path: &Path,
        text: &str,
        config: &FunctionConfig,
    ) -> Option<ConfigError> {
        let own_claims = enabled_routes(name, config);
        if own_claims.is_empty() {
            return None;
        }
        let own = LoadedConfig {
            name: name.to_owned(),
            path: config_path.to_owned(),
            text: text.to_owned(),
            config: config.clone(),
        };
        for (position, claim) in own_claims.iter().enumerate() {
            if let Some(earlier) = own_claims[..position]
                .iter()
                .find(|earlier| earlier.template.conflicts_with(&claim.template))
            {
                return Some(self.conflict_error(&own, claim, &own, earlier));
            }
        }
        for other in self.configs_with_routes(Some(name)) {
            for other_claim in enabled_routes(&other.name, &other.config) {
                if let Some(claim) = own_claims
                    .iter()
                    .find(|claim| claim.template.conflicts_with(&other_claim.template))
                {
                    return Some(self.conflict_error(&own, claim, &other, &other_claim));
                }
            }
        }
        None
    }

    /// The configurations that may hold an `http` trigger, except `skip`'s; those that do
    /// not parse are left out (their own load says why).
    fn configs_with_routes(&self, skip: Option<&str>) -> Vec<LoadedConfig> {
        let names = self.function_names().unwrap_or_default();
        names
            .into_iter()
            .filter(|name| Some(name.as_str()) != skip)
            .filter_map(|name| {
                let path = self.functions_dir().join(&name).join(FUNCTION_FILE);
                let text = std::fs::read_to_string(&path).ok()?;
                // Most functions have no HTTP trigger: skip parsing them.
                if !text.contains("http") {
                    return None;
                }
                let config = toml::from_str(&text).ok()?;
                Some(LoadedConfig {
                    name,
                    path,
                    text,
                    config,
                })
            })
            .collect()
    }

    fn conflict_error(
        &self,
        own: &LoadedConfig,
        claim: &RouteClaim,
        other: &LoadedConfig,
        other_claim: &RouteClaim,
    ) -> ConfigError {
        let other_location = ConfigError::at_key(
            &other.path,
            &other.text,
            &route_path(other_claim.trigger_index),
            String::new(),
        );
        let whose = if other_claim.function == claim.function {
            "of this function".to_owned()
        } else {
            format!("of function `{}`", other_claim.function)
        };
        let file = other
            .path
            .strip_prefix(self.root())
            .unwrap_or(&other.path)
            .display();
        let line = other_location
            .line
            .map(|line| format!(":{line}"))
            .unwrap_or_default();
        let key = other_location.key.unwrap_or_default();
        ConfigError::at_key(
            &own.path,
            &own.text,
            &route_path(claim.trigger_index),
            format!(
                "the route `{}` conflicts with `{}` {whose} ({file}{line}, key `{key}`): both take the same requests, and API Gateway refuses a route that conflicts with an existing one; change or disable one of them",
                claim.route_key, other_claim.route_key
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_with(functions: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        for (name, triggers) in functions {
            let function_dir = dir.path().join("functions").join(name);
            std::fs::create_dir_all(&function_dir).unwrap();
            std::fs::write(function_dir.join("main.wat"), "(module)").unwrap();
            std::fs::write(
                function_dir.join(FUNCTION_FILE),
                format!("runtime = \"wat\"\nhandler = \"main.wat\"\n{triggers}"),
            )
            .unwrap();
        }
        (dir, workspace)
    }

    fn http(route: &str) -> String {
        format!("\n[[triggers]]\ntype = \"http\"\nroute = \"{route}\"\n")
    }

    #[test]
    fn routes_differing_only_in_variable_names_conflict_across_functions() {
        let (_dir, workspace) = workspace_with(&[
            ("a", &http("GET /x/{id}")),
            ("b", &format!("{}{}", http("GET /y"), http("GET /x/{key}"))),
        ]);
        let a = workspace.function("a").unwrap_err().to_string();
        assert!(
            a.contains("function.toml:6: key `triggers[0].route`"),
            "{a}"
        );
        assert!(
            a.contains(
                "the route `GET /x/{id}` conflicts with `GET /x/{key}` of function `b` (functions/b/function.toml:10, key `triggers[1].route`)"
            ),
            "{a}"
        );
        let b = workspace.function("b").unwrap_err().to_string();
        assert!(
            b.contains("function.toml:10: key `triggers[1].route`"),
            "{b}"
        );
        assert!(
            b.contains("of function `a` (functions/a/function.toml:6"),
            "{b}"
        );

        let conflicts = workspace.route_conflicts();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert!(conflicts[0].to_string().contains("of function `a`"));
    }

    #[test]
    fn a_trailing_slash_is_the_same_route() {
        let (_dir, workspace) = workspace_with(&[("a", &http("GET /x")), ("b", &http("GET /x/"))]);
        let message = workspace.function("b").unwrap_err().to_string();
        assert!(
            message.contains("the route `GET /x/` conflicts with `GET /x` of function `a`"),
            "{message}"
        );
    }

    #[test]
    fn a_conflict_inside_one_function_names_both_triggers() {
        let (_dir, workspace) = workspace_with(&[(
            "a",
            &format!("{}{}", http("GET /x/{id}"), http("GET /x/{name}")),
        )]);
        let message = workspace.function("a").unwrap_err().to_string();
        assert!(message.contains("key `triggers[1].route`"), "{message}");
        assert!(
            message.contains(
                "of this function (functions/a/function.toml:6, key `triggers[0].route`)"
            ),
            "{message}"
        );
    }

    #[test]
    fn distinct_and_disabled_routes_do_not_conflict() {
        let disabled =
            "\n[[triggers]]\ntype = \"http\"\nroute = \"GET /x/{key}\"\nenabled = false\n";
        let (_dir, workspace) = workspace_with(&[
            (
                "a",
                &format!("{}{}", http("GET /x/{id}"), http("ANY /x/{id}")),
            ),
            ("b", &format!("{}{}", http("GET /x/y"), disabled)),
            ("c", ""),
        ]);
        for name in ["a", "b", "c"] {
            workspace.function(name).unwrap();
        }
        assert!(workspace.route_conflicts().is_empty());
    }

    #[test]
    fn a_proposed_route_names_the_function_serving_it() {
        let (_dir, workspace) = workspace_with(&[
            ("a", &http("GET /x/{id}")),
            (
                "b",
                "\n[[triggers]]\ntype = \"http\"\nroute = \"GET /y\"\nenabled = false\n",
            ),
        ]);
        assert_eq!(
            workspace.route_served_by("GET /x/{key}"),
            Some(("a".to_owned(), "GET /x/{id}".to_owned()))
        );
        assert_eq!(workspace.route_served_by("GET /y"), None);
        assert_eq!(workspace.route_served_by("GET /x"), None);
        assert_eq!(workspace.route_served_by("not a route"), None);
    }

    #[test]
    fn loading_every_function_at_once_refuses_the_same_functions_as_one_by_one() {
        let (_dir, workspace) = workspace_with(&[
            ("a", &http("GET /x/{id}")),
            ("b", &format!("{}{}", http("GET /y"), http("GET /x/{key}"))),
            ("c", &format!("{}{}", http("GET /z"), http("GET /z/"))),
            ("d", &http("GET /d")),
            ("e", ""),
            ("f", "runtime = \"nope\"\n"),
        ]);
        let all = workspace.functions();
        let names: Vec<&str> = all.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f"]);
        for (name, function) in &all {
            let one_by_one = workspace.function(name);
            assert_eq!(
                function
                    .as_ref()
                    .map_err(ToString::to_string)
                    .map(|f| &f.config),
                one_by_one
                    .as_ref()
                    .map_err(ToString::to_string)
                    .map(|f| &f.config),
                "{name}"
            );
        }
        let loaded: Vec<&str> = all
            .iter()
            .filter(|(_, function)| function.is_ok())
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(loaded, ["d", "e"]);
    }
}
