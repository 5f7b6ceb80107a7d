//! Live activity on the workspace map: per trigger line (source → function), per source
//! card and per function card, the events of the last minute, their errors and when the
//! last one passed. One walk over the last minute for the whole map, so a map of hundreds
//! of functions costs what the overview of one does.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::model::{FunctionConfig, NodeId, Trigger, trigger_source};

use super::invocation_history::InvocationHistory;
use super::trigger_activity::{TriggerActivity, last_minute, trigger_origin_matches};

/// A function of the map and its triggers, each with the card its line starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFunction {
    pub name: String,
    pub triggers: Vec<(Trigger, NodeId)>,
}

impl MapFunction {
    /// `name`'s triggers as `config` lists them.
    pub fn new(name: &str, config: &FunctionConfig) -> Self {
        Self {
            name: name.to_owned(),
            triggers: config
                .triggers
                .iter()
                .map(|trigger| (trigger.clone(), trigger_source(name, trigger)))
                .collect(),
        }
    }
}

/// What the map's cards and lines show about the last minute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapActivity {
    /// By function: every invocation of it, whatever caused it.
    pub functions: HashMap<String, TriggerActivity>,
    /// By source card: the events it passed to any function.
    pub sources: HashMap<NodeId, TriggerActivity>,
    /// By trigger line (source card, function).
    pub lines: HashMap<(NodeId, String), TriggerActivity>,
}

/// The activity of every card and trigger line of the map of `functions`.
pub fn map_activity(
    history: &InvocationHistory,
    functions: &[MapFunction],
    now: DateTime<Utc>,
) -> MapActivity {
    let by_name: HashMap<&str, &MapFunction> = functions
        .iter()
        .map(|function| (function.name.as_str(), function))
        .collect();
    let mut activity = MapActivity::default();
    for (summary, finished_at) in last_minute(history, now) {
        let Some(function) = by_name.get(summary.function.as_str()) else {
            continue;
        };
        activity
            .functions
            .entry(function.name.clone())
            .or_default()
            .count(summary, finished_at);
        // One invocation came through one trigger; two alike triggers count it once.
        let Some((_, source)) = function
            .triggers
            .iter()
            .find(|(trigger, _)| trigger_origin_matches(trigger, &summary.source))
        else {
            continue;
        };
        activity
            .sources
            .entry(source.clone())
            .or_default()
            .count(summary, finished_at);
        activity
            .lines
            .entry((source.clone(), function.name.clone()))
            .or_default()
            .count(summary, finished_at);
    }
    activity
}

/// The request ids of the invocations in `history` that `source` (a source card of the
/// map of `functions`) caused: what its Logs link shows.
pub fn invocations_from_source(
    history: &InvocationHistory,
    functions: &[MapFunction],
    source: &NodeId,
) -> std::collections::HashSet<String> {
    let by_name: HashMap<&str, &MapFunction> = functions
        .iter()
        .map(|function| (function.name.as_str(), function))
        .collect();
    history
        .iter()
        .filter(|summary| {
            by_name
                .get(summary.function.as_str())
                .is_some_and(|function| {
                    function.triggers.iter().any(|(trigger, card)| {
                        card == source && trigger_origin_matches(trigger, &summary.source)
                    })
                })
        })
        .map(|summary| summary.request_id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::console::InvocationSummary;
    use crate::model::NodeKind;

    fn invocation(function: &str, source: &str, ago_secs: i64, error: bool) -> InvocationSummary {
        let now = Utc::now();
        InvocationSummary {
            request_id: format!("{function}-{source}-{ago_secs}"),
            function: function.to_owned(),
            started_at: now - TimeDelta::seconds(ago_secs),
            duration_ms: 0.0,
            billed_duration_ms: 1,
            memory_size_mb: 128,
            error_type: error.then(|| "Error".to_owned()),
            cost_usd: 0.0,
            source: source.to_owned(),
            event: None,
        }
    }

    #[test]
    fn counts_lines_sources_and_functions_of_the_last_minute() {
        let config = |triggers: &str| -> FunctionConfig {
            toml::from_str(&format!(
                "runtime = \"js\"\nhandler = \"index.handler\"\n{triggers}"
            ))
            .unwrap()
        };
        let queue = "[[triggers]]\ntype = \"queue\"\nqueue = \"orders\"\n";
        let api = config("[[triggers]]\ntype = \"http\"\nroute = \"GET /items/{id}\"\n");
        let functions = [
            MapFunction::new("api", &api),
            MapFunction::new("a", &config(queue)),
            MapFunction::new("b", &config(queue)),
        ];
        let mut history = InvocationHistory::default();
        history.push(invocation("api", "HTTP GET /items/{id}", 90, false));
        history.push(invocation("api", "HTTP GET /items/{id}", 20, true));
        history.push(invocation("api", "Console test", 10, false));
        history.push(invocation("a", "Queue orders", 5, false));
        history.push(invocation("b", "Queue orders (retry 1)", 2, true));
        let activity = map_activity(&history, &functions, Utc::now());

        let route = NodeId::new(NodeKind::Route, "GET /items/{id}");
        let orders = NodeId::new(NodeKind::Queue, "orders");
        assert_eq!(activity.functions["api"].per_minute, 2);
        assert_eq!(activity.functions["api"].errors_last_minute, 1);
        assert_eq!(activity.sources[&route].per_minute, 1);
        assert_eq!(activity.sources[&orders].per_minute, 2);
        assert_eq!(activity.sources[&orders].errors_last_minute, 1);
        assert_eq!(
            activity.lines[&(orders.clone(), "a".to_owned())].per_minute,
            1
        );
        assert_eq!(
            activity.lines[&(orders, "b".to_owned())].errors_last_minute,
            1
        );
    }
}
