//! API Gateway HTTP API routes: `GET /items/{id}`, `ANY /{proxy+}`, `$default`, and the
//! choice of the most specific route for a request, as API Gateway makes it: literal
//! segments beat path variables, path variables beat a greedy `{proxy+}`, an explicit
//! method beats `ANY`, and `$default` catches what nothing else matches.

use std::collections::BTreeMap;

use crate::model::HttpPayload;
pub use crate::model::route_template::DEFAULT_ROUTE;
use crate::model::route_template::{RouteSegment, RouteTemplate};
use crate::triggers::events::percent_decode;

/// One route and the function it invokes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    /// As written: `GET /items/{id}` (the event's `routeKey`).
    pub route_key: String,
    pub function: String,
    /// The event the function receives and the response it answers with.
    pub payload: HttpPayload,
    template: RouteTemplate,
}

/// How well a route matches, compared field by field: not greedy (API Gateway prefers any
/// full match to a greedy one), then more literal segments, then an explicit method, then
/// more segments.
type Specificity = (bool, usize, bool, usize);

impl HttpRoute {
    /// Parses a route key (already checked by the function's configuration).
    pub fn parse(route_key: &str, function: &str) -> Result<Self, String> {
        let template = RouteTemplate::parse(route_key).map_err(|error| error.to_string())?;
        Ok(Self {
            route_key: route_key.to_owned(),
            function: function.to_owned(),
            payload: HttpPayload::default(),
            template,
        })
    }

    /// The same route, sending `payload` events.
    #[must_use]
    pub fn with_payload(self, payload: HttpPayload) -> Self {
        Self { payload, ..self }
    }

    /// The REST API resource this route stands for (`resource` in payload 1.0): its path
    /// template (`/items/{id}`), or `/{proxy+}` for `$default`, which REST APIs lack.
    pub fn rest_resource(&self) -> String {
        match self.route_key.split_once(' ') {
            Some((_, path)) if !self.template.is_default() => path.to_owned(),
            _ => crate::triggers::events::apigw_rest::PROXY_RESOURCE.to_owned(),
        }
    }

    /// Whether this route takes `method` on `path` (percent-encoded, without the query),
    /// with its specificity and the path parameters it binds (decoded).
    fn matches(&self, method: &str, path: &str) -> Option<(Specificity, BTreeMap<String, String>)> {
        if self.template.is_default() {
            return None;
        }
        if self.template.method().is_some_and(|own| own != method) {
            return None;
        }
        let parts: Vec<&str> = path
            .split('/')
            .skip(1)
            .filter(|part| !part.is_empty())
            .collect();
        let mut parameters = BTreeMap::new();
        let mut literals = 0;
        let mut greedy = false;
        let segments = self.template.segments();
        for (index, segment) in segments.iter().enumerate() {
            match segment {
                RouteSegment::Literal(literal) => {
                    if parts.get(index) != Some(&literal.as_str()) {
                        return None;
                    }
                    literals += 1;
                }
                RouteSegment::Variable(name) => {
                    let part = parts.get(index)?;
                    parameters.insert(name.clone(), percent_decode(part));
                }
                RouteSegment::Greedy(name) => {
                    let rest = parts.get(index..).filter(|rest| !rest.is_empty())?;
                    parameters.insert(name.clone(), percent_decode(&rest.join("/")));
                    greedy = true;
                }
            }
        }
        if !greedy && parts.len() != segments.len() {
            return None;
        }
        let specificity = (
            !greedy,
            literals,
            self.template.method().is_some(),
            segments.len(),
        );
        Some((specificity, parameters))
    }
}

/// Every HTTP route of a workspace.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<HttpRoute>,
}

/// The route a request goes to and the path parameters it binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'a> {
    pub route: &'a HttpRoute,
    pub path_parameters: BTreeMap<String, String>,
}

impl RouteTable {
    pub fn new(routes: Vec<HttpRoute>) -> Self {
        Self { routes }
    }

    pub fn routes(&self) -> &[HttpRoute] {
        &self.routes
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The most specific route for the request, else `$default`, else none (404).
    pub fn find(&self, method: &str, path: &str) -> Option<RouteMatch<'_>> {
        let best = self
            .routes
            .iter()
            .filter_map(|route| {
                route
                    .matches(method, path)
                    .map(|(specificity, parameters)| (specificity, route, parameters))
            })
            .max_by_key(|(specificity, _, _)| *specificity);
        match best {
            Some((_, route, path_parameters)) => Some(RouteMatch {
                route,
                path_parameters,
            }),
            None => self
                .routes
                .iter()
                .find(|route| route.template.is_default())
                .map(|route| RouteMatch {
                    route,
                    path_parameters: BTreeMap::new(),
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(routes: &[(&str, &str)]) -> RouteTable {
        RouteTable::new(
            routes
                .iter()
                .map(|(key, function)| HttpRoute::parse(key, function).unwrap())
                .collect(),
        )
    }

    fn target(
        table: &RouteTable,
        method: &str,
        path: &str,
    ) -> Option<(String, Vec<(String, String)>)> {
        table.find(method, path).map(|found| {
            (
                found.route.route_key.clone(),
                found.path_parameters.into_iter().collect(),
            )
        })
    }

    #[test]
    fn the_most_specific_route_wins() {
        // The example of API Gateway's documentation on routing.
        let routes = table(&[
            ("GET /pets/dog/1", "a"),
            ("GET /pets/dog/{id}", "b"),
            ("GET /pets/{proxy+}", "c"),
            ("ANY /{proxy+}", "d"),
            ("$default", "e"),
        ]);
        assert_eq!(
            target(&routes, "GET", "/pets/dog/1").unwrap().0,
            "GET /pets/dog/1"
        );
        assert_eq!(
            target(&routes, "GET", "/pets/dog/2").unwrap(),
            (
                "GET /pets/dog/{id}".to_owned(),
                vec![("id".to_owned(), "2".to_owned())]
            )
        );
        assert_eq!(
            target(&routes, "GET", "/pets/cat/1").unwrap(),
            (
                "GET /pets/{proxy+}".to_owned(),
                vec![("proxy".to_owned(), "cat/1".to_owned())]
            )
        );
        assert_eq!(
            target(&routes, "POST", "/pets/dog/1").unwrap().0,
            "ANY /{proxy+}"
        );
        assert_eq!(target(&routes, "GET", "/").unwrap().0, "$default");
    }

    #[test]
    fn a_full_match_beats_a_greedy_one_with_more_literals() {
        let routes = table(&[
            ("GET /api/v1/{proxy+}", "a"),
            ("GET /api/{version}/{resource}", "b"),
        ]);
        assert_eq!(
            target(&routes, "GET", "/api/v1/users").unwrap().0,
            "GET /api/{version}/{resource}"
        );
        assert_eq!(
            target(&routes, "GET", "/api/v1/users/7").unwrap().0,
            "GET /api/v1/{proxy+}"
        );
    }

    #[test]
    fn an_explicit_method_beats_any() {
        let routes = table(&[("ANY /items/{id}", "a"), ("DELETE /items/{id}", "b")]);
        assert_eq!(
            target(&routes, "DELETE", "/items/7").unwrap().0,
            "DELETE /items/{id}"
        );
        assert_eq!(
            target(&routes, "PUT", "/items/7").unwrap().0,
            "ANY /items/{id}"
        );
    }

    #[test]
    fn nothing_matches_without_a_default_route() {
        let routes = table(&[("GET /items/{id}", "a"), ("GET /items", "b")]);
        assert!(target(&routes, "GET", "/items/7/extra").is_none());
        assert!(target(&routes, "GET", "/other").is_none());
        assert!(target(&routes, "POST", "/items").is_none());
        assert_eq!(target(&routes, "GET", "/items").unwrap().0, "GET /items");
    }

    #[test]
    fn path_parameters_are_decoded() {
        let routes = table(&[("GET /files/{name}", "a")]);
        assert_eq!(
            target(&routes, "GET", "/files/a%20b.txt").unwrap().1,
            vec![("name".to_owned(), "a b.txt".to_owned())]
        );
    }

    #[test]
    fn a_greedy_variable_must_be_last() {
        assert!(HttpRoute::parse("GET /{proxy+}/x", "a").is_err());
    }
}
