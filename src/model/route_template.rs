//! API Gateway HTTP API route keys as written in `function.toml`: `GET /items/{id}`,
//! `ANY /{proxy+}`, `$default`. The model checks their syntax when a function's
//! configuration loads, and which routes of a workspace API Gateway would refuse side by
//! side; `triggers::http` matches requests against them.

use std::fmt;

/// The route key of the catch-all route.
pub const DEFAULT_ROUTE: &str = "$default";

/// The methods a route key can name; `ANY` matches the methods no other route names.
pub const HTTP_METHODS: &[&str] = &[
    "ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
];

/// One segment of a route's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteSegment {
    Literal(String),
    /// `{id}`: one segment.
    Variable(String),
    /// `{proxy+}`: the rest of the path, one segment or more; only last.
    Greedy(String),
}

/// A parsed route key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTemplate {
    /// `None` for `ANY` and `$default`.
    method: Option<String>,
    /// Empty segments (`/items/`, `//`) are left out, as requests are matched without them.
    segments: Vec<RouteSegment>,
    is_default: bool,
}

/// Why a route key cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error(
        "`{route_key}` is not a route: use `METHOD /path` (for example `GET /items/{{id}}`) or `$default`"
    )]
    NotARoute { route_key: String },
    #[error("`{method}` is not an HTTP method (use one of {})", HTTP_METHODS.join(", "))]
    UnknownMethod { method: String },
    #[error("the path `{path}` must start with `/`")]
    RelativePath { path: String },
    #[error("the path `{path}` contains a space")]
    SpaceInPath { path: String },
    #[error(
        "`{segment}` in `{path}` opens a path variable but does not close it: write `{{name}}`"
    )]
    UnclosedVariable { path: String, segment: String },
    #[error("`{segment}` in `{path}`: a path variable must be a whole segment, such as `{{id}}`")]
    PartialVariable { path: String, segment: String },
    #[error("`{segment}` in `{path}`: a path variable needs a name, such as `{{id}}`")]
    UnnamedVariable { path: String, segment: String },
    #[error(
        "`{segment}` in `{path}`: the greedy path variable must be at the end of the path, as API Gateway requires"
    )]
    GreedyNotLast { path: String, segment: String },
    #[error("`{{{name}}}` appears twice in `{path}`: each path variable needs its own name")]
    RepeatedVariable { path: String, name: String },
}

impl RouteTemplate {
    /// Parses a route key with API Gateway's rules.
    pub fn parse(route_key: &str) -> Result<Self, RouteError> {
        if route_key == DEFAULT_ROUTE {
            return Ok(Self {
                method: None,
                segments: Vec::new(),
                is_default: true,
            });
        }
        let Some((method, path)) = route_key.split_once(' ') else {
            return Err(RouteError::NotARoute {
                route_key: route_key.to_owned(),
            });
        };
        if !HTTP_METHODS.contains(&method) {
            return Err(RouteError::UnknownMethod {
                method: method.to_owned(),
            });
        }
        if !path.starts_with('/') {
            return Err(RouteError::RelativePath {
                path: path.to_owned(),
            });
        }
        if path.contains(char::is_whitespace) {
            return Err(RouteError::SpaceInPath {
                path: path.to_owned(),
            });
        }
        let parts: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
        let mut segments = Vec::with_capacity(parts.len());
        for (index, part) in parts.iter().enumerate() {
            let segment = parse_segment(path, part)?;
            if let RouteSegment::Greedy(_) = segment
                && index + 1 != parts.len()
            {
                return Err(RouteError::GreedyNotLast {
                    path: path.to_owned(),
                    segment: (*part).to_owned(),
                });
            }
            if let RouteSegment::Variable(name) | RouteSegment::Greedy(name) = &segment
                && segments
                    .iter()
                    .any(|known| variable_name(known) == Some(name))
            {
                return Err(RouteError::RepeatedVariable {
                    path: path.to_owned(),
                    name: name.clone(),
                });
            }
            segments.push(segment);
        }
        Ok(Self {
            method: (method != "ANY").then(|| method.to_owned()),
            segments,
            is_default: false,
        })
    }

    /// The method the route takes; `None` for `ANY` (and `$default`).
    pub fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    pub fn segments(&self) -> &[RouteSegment] {
        &self.segments
    }

    pub fn is_default(&self) -> bool {
        self.is_default
    }

    /// Whether the two routes take exactly the same requests, so that API Gateway would
    /// refuse the second: the same method and the same path once variable names are set
    /// aside (`GET /x/{id}` and `GET /x/{key}`; `GET /x` and `GET /x/`).
    pub fn conflicts_with(&self, other: &Self) -> bool {
        self.is_default == other.is_default
            && self.method == other.method
            && self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|pair| match pair {
                    (RouteSegment::Literal(own), RouteSegment::Literal(theirs)) => own == theirs,
                    (RouteSegment::Variable(_), RouteSegment::Variable(_))
                    | (RouteSegment::Greedy(_), RouteSegment::Greedy(_)) => true,
                    _ => false,
                })
    }
}

fn variable_name(segment: &RouteSegment) -> Option<&String> {
    match segment {
        RouteSegment::Variable(name) | RouteSegment::Greedy(name) => Some(name),
        RouteSegment::Literal(_) => None,
    }
}

fn parse_segment(path: &str, part: &str) -> Result<RouteSegment, RouteError> {
    let error_fields = || (path.to_owned(), part.to_owned());
    let Some(inner) = part.strip_prefix('{') else {
        if part.contains(['{', '}']) {
            let (path, segment) = error_fields();
            return Err(RouteError::PartialVariable { path, segment });
        }
        return Ok(RouteSegment::Literal(part.to_owned()));
    };
    let Some(name) = inner.strip_suffix('}') else {
        let (path, segment) = error_fields();
        return Err(if inner.contains('}') {
            RouteError::PartialVariable { path, segment }
        } else {
            RouteError::UnclosedVariable { path, segment }
        });
    };
    let (name, greedy) = match name.strip_suffix('+') {
        Some(name) => (name, true),
        None => (name, false),
    };
    if name.contains(['{', '}', '+']) {
        let (path, segment) = error_fields();
        return Err(RouteError::PartialVariable { path, segment });
    }
    if name.is_empty() {
        let (path, segment) = error_fields();
        return Err(RouteError::UnnamedVariable { path, segment });
    }
    Ok(if greedy {
        RouteSegment::Greedy(name.to_owned())
    } else {
        RouteSegment::Variable(name.to_owned())
    })
}

impl fmt::Display for RouteSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Literal(literal) => f.write_str(literal),
            Self::Variable(name) => write!(f, "{{{name}}}"),
            Self::Greedy(name) => write!(f, "{{{name}+}}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(route_key: &str) -> String {
        match RouteTemplate::parse(route_key) {
            Ok(parsed) => panic!("{route_key}: expected an error, parsed {parsed:?}"),
            Err(error) => error.to_string(),
        }
    }

    fn conflict(a: &str, b: &str) -> bool {
        let a = RouteTemplate::parse(a).unwrap();
        let b = RouteTemplate::parse(b).unwrap();
        assert_eq!(a.conflicts_with(&b), b.conflicts_with(&a));
        a.conflicts_with(&b)
    }

    #[test]
    fn parses_literals_variables_and_a_greedy_end() {
        let route = RouteTemplate::parse("GET /pets/{id}/{rest+}").unwrap();
        assert_eq!(route.method(), Some("GET"));
        assert_eq!(
            route.segments(),
            [
                RouteSegment::Literal("pets".into()),
                RouteSegment::Variable("id".into()),
                RouteSegment::Greedy("rest".into()),
            ]
        );
        assert_eq!(RouteTemplate::parse("ANY /").unwrap().method(), None);
        assert!(RouteTemplate::parse("$default").unwrap().is_default());
    }

    #[test]
    fn a_greedy_variable_must_be_last() {
        assert_eq!(
            error("GET /{proxy+}/x"),
            "`{proxy+}` in `/{proxy+}/x`: the greedy path variable must be at the end of the path, as API Gateway requires"
        );
    }

    #[test]
    fn a_brace_that_is_not_closed_is_refused_not_taken_literally() {
        assert_eq!(
            error("GET /items/{id"),
            "`{id` in `/items/{id` opens a path variable but does not close it: write `{name}`"
        );
        assert!(error("GET /items/id}").contains("must be a whole segment"));
        assert!(error("GET /items/{id}.json").contains("must be a whole segment"));
        assert!(error("GET /items/x{id}").contains("must be a whole segment"));
        assert!(error("GET /items/{}").contains("needs a name"));
        assert!(error("GET /items/{+}").contains("needs a name"));
    }

    #[test]
    fn other_malformed_keys() {
        assert!(error("GET").contains("is not a route"));
        assert!(error("get /x").contains("`get` is not an HTTP method"));
        assert!(error("GET x").contains("must start with `/`"));
        assert!(error("GET /a b").contains("contains a space"));
        assert_eq!(
            error("GET /{id}/x/{id}"),
            "`{id}` appears twice in `/{id}/x/{id}`: each path variable needs its own name"
        );
    }

    #[test]
    fn routes_conflict_when_they_take_the_same_requests() {
        assert!(conflict("GET /x/{id}", "GET /x/{key}"));
        assert!(conflict("GET /x", "GET /x/"));
        assert!(conflict("GET /x/{a+}", "GET /x/{b+}"));
        assert!(conflict("ANY /x", "ANY /x"));
        assert!(conflict("$default", "$default"));
        assert!(!conflict("GET /x", "ANY /x"));
        assert!(!conflict("GET /x", "POST /x"));
        assert!(!conflict("GET /x/{id}", "GET /x/y"));
        assert!(!conflict("GET /x/{id}", "GET /x/{id+}"));
        assert!(!conflict("GET /x", "GET /x/{id}"));
        assert!(!conflict("ANY /", "$default"));
    }
}
