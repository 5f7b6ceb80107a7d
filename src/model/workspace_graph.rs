//! The workspace as a graph, for the console's workspace map: every function, bucket,
//! queue, topic, schedule and HTTP route, and what connects them (triggers, destinations,
//! topic subscriptions, dead-letter queues, permitted writes), with the recursive loops
//! found before anything runs.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::function_config::{BucketAccess, Destination, FunctionConfig, Trigger};
use super::workspace::Workspace;
use super::workspace_config::WorkspaceConfig;

/// How many invocations of a recursive loop Lambda allows before it stops the loop.
pub const LAMBDA_RECURSION_LIMIT_INVOCATIONS: u32 = 16;

/// What a node of the map stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// An HTTP API route (`GET /items/{id}`).
    Route,
    /// An EventBridge schedule of one function.
    Schedule,
    /// A bucket folder.
    Bucket,
    /// A queue.
    Queue,
    /// A topic.
    Topic,
    /// A function.
    Function,
}

impl NodeKind {
    /// The word a user reads on a card: "Function", "HTTP route", …
    pub fn title(self) -> &'static str {
        match self {
            Self::Route => "HTTP route",
            Self::Schedule => "Schedule",
            Self::Bucket => "Bucket",
            Self::Queue => "Queue",
            Self::Topic => "Topic",
            Self::Function => "Function",
        }
    }
}

/// One node: its kind and a key unique among nodes of that kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    pub kind: NodeKind,
    /// The resource's name; a schedule's is `function: expression`, since two functions'
    /// schedules with the same expression are two EventBridge rules.
    pub key: String,
}

impl NodeId {
    pub fn new(kind: NodeKind, key: &str) -> Self {
        Self {
            kind,
            key: key.to_owned(),
        }
    }

    /// What a card shows as its name: the route, the expression, the resource's name.
    pub fn label(&self) -> &str {
        match self.kind {
            NodeKind::Schedule => self
                .key
                .split_once(": ")
                .map_or(self.key.as_str(), |(_, expression)| expression),
            _ => &self.key,
        }
    }

    /// "queue orders", "function process-orders": a node in a sentence.
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            NodeKind::Route => "route",
            NodeKind::Schedule => "schedule",
            NodeKind::Bucket => "bucket",
            NodeKind::Queue => "queue",
            NodeKind::Topic => "topic",
            NodeKind::Function => "function",
        };
        format!("{kind} {}", self.label())
    }
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// A source invokes a function (`[[triggers]]`).
    Trigger,
    /// An asynchronous invocation's result goes to a target on success.
    OnSuccess,
    /// … or on failure.
    OnFailure,
    /// A topic delivers to a queue (`[topics.*] subscriptions` of `lambdesk.toml`).
    Subscription,
    /// A queue moves messages received too often to its dead-letter queue.
    DeadLetter,
    /// A function may write to a bucket, send to a queue or publish to a topic
    /// (`[permissions]`): it may, so the map draws it dashed.
    PermittedWrite,
}

/// A line of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: EdgeKind,
    /// A trigger switched off (`enabled = false`) carries nothing: it is no part of a loop.
    pub enabled: bool,
}

/// A cycle that leads from a source through a function back to that source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecursiveLoop {
    /// The nodes in order; the last one leads back to the first.
    pub path: Vec<NodeId>,
}

impl RecursiveLoop {
    /// The warning a user reads: the path and what Lambda does about it.
    pub fn note(&self) -> String {
        let mut steps: Vec<String> = self.path.iter().map(NodeId::describe).collect();
        if let Some(first) = self.path.first() {
            steps.push(first.describe());
        }
        format!(
            "Recursive loop: {}. Lambda stops such a loop after {LAMBDA_RECURSION_LIMIT_INVOCATIONS} invocations.",
            steps.join(" -> ")
        )
    }

    /// The loop's edges as (from, to) pairs, the closing one included.
    pub fn steps(&self) -> impl Iterator<Item = (&NodeId, &NodeId)> {
        self.path
            .iter()
            .zip(self.path.iter().cycle().skip(1))
            .take(self.path.len())
    }
}

/// The workspace's resources and what connects them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceGraph {
    /// Every node once, sorted by kind then key.
    pub nodes: BTreeSet<NodeId>,
    pub edges: Vec<Edge>,
    pub loops: Vec<RecursiveLoop>,
}

/// The card a trigger of `function` draws its line from: a schedule is the function's own
/// (two functions on "rate(5 minutes)" fire apart), every other source is shared.
pub fn trigger_source(function: &str, trigger: &Trigger) -> NodeId {
    match trigger {
        Trigger::Http { route, .. } => NodeId::new(NodeKind::Route, route),
        Trigger::Bucket { bucket, .. } => NodeId::new(NodeKind::Bucket, bucket),
        Trigger::Schedule { expression, .. } => {
            NodeId::new(NodeKind::Schedule, &format!("{function}: {expression}"))
        }
        Trigger::Queue { queue, .. } => NodeId::new(NodeKind::Queue, queue),
        Trigger::Topic { topic, .. } => NodeId::new(NodeKind::Topic, topic),
    }
}

impl WorkspaceGraph {
    /// The graph of the workspace's functions as their `function.toml` says now, and its
    /// bucket folders; a function whose configuration does not load is a node without
    /// lines.
    pub fn of_workspace(workspace: &Workspace) -> Self {
        let configs: Vec<(String, Option<FunctionConfig>)> = workspace
            .functions()
            .into_iter()
            .map(|(name, function)| (name, function.ok().map(|function| function.config)))
            .collect();
        let functions: Vec<(&str, Option<&FunctionConfig>)> = configs
            .iter()
            .map(|(name, config)| (name.as_str(), config.as_ref()))
            .collect();
        let mut graph = Self::build(workspace.config(), &functions);
        // A bucket nothing uses yet (just made from the palette) is a card too.
        for bucket in workspace.bucket_folder_names() {
            graph.nodes.insert(NodeId::new(NodeKind::Bucket, &bucket));
        }
        graph
    }

    /// The graph of `functions` (name, configuration if it loads) in a workspace with
    /// `config`'s queues and topics.
    pub fn build(config: &WorkspaceConfig, functions: &[(&str, Option<&FunctionConfig>)]) -> Self {
        let mut graph = Self::default();
        for name in config.queues.keys() {
            graph.nodes.insert(NodeId::new(NodeKind::Queue, name));
        }
        for (name, queue) in &config.queues {
            if let Some(dead_letter_queue) = &queue.dead_letter_queue {
                graph.connect(
                    NodeId::new(NodeKind::Queue, name),
                    NodeId::new(NodeKind::Queue, dead_letter_queue),
                    EdgeKind::DeadLetter,
                    true,
                );
            }
        }
        for (name, topic) in &config.topics {
            graph.nodes.insert(NodeId::new(NodeKind::Topic, name));
            for subscription in &topic.subscriptions {
                graph.connect(
                    NodeId::new(NodeKind::Topic, name),
                    NodeId::new(NodeKind::Queue, &subscription.queue),
                    EdgeKind::Subscription,
                    true,
                );
            }
        }
        for (name, function_config) in functions {
            let function = NodeId::new(NodeKind::Function, name);
            graph.nodes.insert(function.clone());
            if let Some(function_config) = function_config {
                graph.add_function(&function, function_config);
            }
        }
        graph.loops = graph.find_loops();
        graph
    }

    fn connect(&mut self, from: NodeId, to: NodeId, kind: EdgeKind, enabled: bool) {
        self.nodes.insert(from.clone());
        self.nodes.insert(to.clone());
        let edge = Edge {
            from,
            to,
            kind,
            enabled,
        };
        if !self.edges.contains(&edge) {
            self.edges.push(edge);
        }
    }

    fn add_function(&mut self, function: &NodeId, config: &FunctionConfig) {
        for trigger in &config.triggers {
            self.connect(
                trigger_source(&function.key, trigger),
                function.clone(),
                EdgeKind::Trigger,
                trigger.is_enabled(),
            );
        }
        let destinations = [
            (&config.destinations.on_success, EdgeKind::OnSuccess),
            (&config.destinations.on_failure, EdgeKind::OnFailure),
        ];
        for (destination, kind) in destinations {
            let Some(destination) = destination else {
                continue;
            };
            let target = match destination {
                Destination::Function(name) => NodeId::new(NodeKind::Function, name),
                Destination::Queue(name) => NodeId::new(NodeKind::Queue, name),
                Destination::Topic(name) => NodeId::new(NodeKind::Topic, name),
                Destination::Bucket(name) => NodeId::new(NodeKind::Bucket, name),
            };
            self.connect(function.clone(), target, kind, true);
        }
        let permissions = &config.permissions;
        let written_buckets = permissions
            .buckets
            .iter()
            .filter(|(_, access)| **access == BucketAccess::ReadWrite)
            .map(|(bucket, _)| NodeId::new(NodeKind::Bucket, bucket));
        let queues = permissions
            .queues
            .iter()
            .map(|queue| NodeId::new(NodeKind::Queue, queue));
        let topics = permissions
            .topics
            .iter()
            .map(|topic| NodeId::new(NodeKind::Topic, topic));
        let targets: Vec<NodeId> = written_buckets.chain(queues).chain(topics).collect();
        for target in targets {
            self.connect(function.clone(), target, EdgeKind::PermittedWrite, true);
        }
    }

    /// For every line into a function, the shortest way from that function back to where
    /// the line starts: Lambda's recursive loops. Each cycle is reported once, starting at
    /// the source that triggers it.
    fn find_loops(&self) -> Vec<RecursiveLoop> {
        let mut next: BTreeMap<&NodeId, Vec<&NodeId>> = BTreeMap::new();
        for edge in self.edges.iter().filter(|edge| edge.enabled) {
            next.entry(&edge.from).or_default().push(&edge.to);
        }
        let mut loops = Vec::new();
        let mut seen: BTreeSet<BTreeSet<&NodeId>> = BTreeSet::new();
        for edge in self.edges.iter().filter(|edge| edge.enabled) {
            if edge.to.kind != NodeKind::Function {
                continue;
            }
            let Some(way_back) = shortest_path(&next, &edge.to, &edge.from) else {
                continue;
            };
            let mut path = vec![edge.from.clone()];
            // The way back ends at the source, which already starts the path.
            path.extend(
                way_back
                    .iter()
                    .take(way_back.len() - 1)
                    .map(|&node| node.clone()),
            );
            let members: BTreeSet<&NodeId> = way_back.into_iter().collect();
            if seen.insert(members) {
                loops.push(RecursiveLoop { path });
            }
        }
        loops
    }

    /// The edges that lie on a recursive loop, to mark them.
    pub fn loop_edges(&self) -> BTreeSet<(&NodeId, &NodeId)> {
        self.loops.iter().flat_map(RecursiveLoop::steps).collect()
    }
}

/// The nodes from `from` to `to`, both included, over the fewest edges.
fn shortest_path<'a>(
    next: &BTreeMap<&'a NodeId, Vec<&'a NodeId>>,
    from: &'a NodeId,
    to: &'a NodeId,
) -> Option<Vec<&'a NodeId>> {
    let mut came_from: BTreeMap<&NodeId, &NodeId> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to];
            let mut current = to;
            while current != from {
                current = came_from.get(current)?;
                path.push(current);
            }
            path.reverse();
            return Some(path);
        }
        for &following in next.get(node).into_iter().flatten() {
            if following != from && !came_from.contains_key(following) {
                came_from.insert(following, node);
                queue.push_back(following);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(text: &str) -> FunctionConfig {
        toml::from_str(text).unwrap()
    }

    fn node(kind: NodeKind, key: &str) -> NodeId {
        NodeId::new(kind, key)
    }

    #[test]
    fn the_sample_workspace_is_drawn_with_its_triggers_subscription_and_dead_letter_queue() {
        let dir = tempfile::tempdir().unwrap();
        let workspace =
            crate::sample_workspace::open_sample_workspace(&dir.path().join("sample")).unwrap();
        let graph = WorkspaceGraph::of_workspace(&workspace);
        for name in ["echo", "hello", "items-api", "on-alert", "process-orders"] {
            assert!(
                graph.nodes.contains(&node(NodeKind::Function, name)),
                "{name}"
            );
        }
        let has = |from: NodeId, to: NodeId, kind: EdgeKind| {
            graph
                .edges
                .iter()
                .any(|edge| edge.from == from && edge.to == to && edge.kind == kind)
        };
        let items_api = node(NodeKind::Function, "items-api");
        assert!(has(
            node(NodeKind::Route, "GET /items/{id}"),
            items_api,
            EdgeKind::Trigger
        ));
        assert!(has(
            node(NodeKind::Queue, "orders"),
            node(NodeKind::Function, "process-orders"),
            EdgeKind::Trigger
        ));
        assert!(has(
            node(NodeKind::Topic, "alerts"),
            node(NodeKind::Function, "on-alert"),
            EdgeKind::Trigger
        ));
        assert!(has(
            node(NodeKind::Topic, "alerts"),
            node(NodeKind::Queue, "alert-audit"),
            EdgeKind::Subscription
        ));
        assert!(has(
            node(NodeKind::Queue, "orders"),
            node(NodeKind::Queue, "orders-dlq"),
            EdgeKind::DeadLetter
        ));
        assert!(graph.loops.is_empty(), "{:?}", graph.loops);
    }

    #[test]
    fn a_function_writing_into_the_bucket_that_triggers_it_is_a_loop() {
        let thumbnails = function(
            r#"
            runtime = "js"
            handler = "index.handler"
            [[triggers]]
            type = "bucket"
            bucket = "photos"
            [permissions]
            buckets = { photos = "read-write", other = "read-write", logs = "read" }
            "#,
        );
        let graph = WorkspaceGraph::build(
            &WorkspaceConfig::default(),
            &[("thumbnails", Some(&thumbnails))],
        );
        assert!(graph.edges.iter().any(|edge| {
            edge.kind == EdgeKind::PermittedWrite && edge.to == node(NodeKind::Bucket, "other")
        }));
        // Read access writes nothing.
        assert!(!graph.nodes.contains(&node(NodeKind::Bucket, "logs")));
        assert_eq!(
            graph.loops,
            vec![RecursiveLoop {
                path: vec![
                    node(NodeKind::Bucket, "photos"),
                    node(NodeKind::Function, "thumbnails")
                ]
            }]
        );
        assert_eq!(
            graph.loops[0].note(),
            "Recursive loop: bucket photos -> function thumbnails -> bucket photos. \
             Lambda stops such a loop after 16 invocations."
        );
        assert_eq!(graph.loop_edges().len(), 2);
    }

    #[test]
    fn a_queue_loop_through_a_topic_and_a_destination_is_found_once_with_its_path() {
        let config: WorkspaceConfig = toml::from_str(
            r#"
            [queues.orders]
            [topics.events]
            subscriptions = [{ queue = "orders" }]
            "#,
        )
        .unwrap();
        // process publishes to events, which delivers to orders, which triggers process.
        let process = function(
            r#"
            runtime = "js"
            handler = "index.handler"
            [[triggers]]
            type = "queue"
            queue = "orders"
            [permissions]
            topics = ["events"]
            "#,
        );
        // retry's success goes back to the queue that triggers it.
        let retry = function(
            r#"
            runtime = "js"
            handler = "index.handler"
            [[triggers]]
            type = "queue"
            queue = "retries"
            [destinations]
            on_success = { queue = "retries" }
            "#,
        );
        let graph = WorkspaceGraph::build(
            &config,
            &[("process", Some(&process)), ("retry", Some(&retry))],
        );
        assert_eq!(
            graph.loops,
            vec![
                RecursiveLoop {
                    path: vec![
                        node(NodeKind::Queue, "orders"),
                        node(NodeKind::Function, "process"),
                        node(NodeKind::Topic, "events"),
                    ]
                },
                RecursiveLoop {
                    path: vec![
                        node(NodeKind::Queue, "retries"),
                        node(NodeKind::Function, "retry"),
                    ]
                },
            ]
        );
    }

    #[test]
    fn a_switched_off_trigger_closes_no_loop() {
        let thumbnails = function(
            r#"
            runtime = "js"
            handler = "index.handler"
            [[triggers]]
            type = "bucket"
            bucket = "photos"
            enabled = false
            [permissions]
            buckets = { photos = "read-write" }
            "#,
        );
        let graph = WorkspaceGraph::build(
            &WorkspaceConfig::default(),
            &[("thumbnails", Some(&thumbnails))],
        );
        assert!(graph.loops.is_empty());
        assert_eq!(graph.edges.len(), 2);
    }
}
