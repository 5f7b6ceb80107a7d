//! Connecting on the workspace map: a port on each card's right edge, and what a line
//! dragged from it to another card asks for. A drop only opens the function's form,
//! filled in; nothing is written until the user saves it there, so Cancel writes nothing.

use crate::model::{Destination, NodeId, NodeKind, Trigger};

/// The port's radius on the card, in points at 100 % zoom.
pub const PORT_RADIUS: f32 = 5.0;
/// How far from the port's centre a press still takes it: a 10-point circle is small for
/// a hand, and a miss would move the card instead.
pub const PORT_HIT_RADIUS: f32 = 9.0;

/// What a click or a drop on the map asks the app to show.
#[derive(Debug, Clone, PartialEq)]
pub enum MapRequest {
    /// A function card was clicked: open the function.
    Open(String),
    /// A function card's count or Logs link was clicked: the Logs view of the function.
    Logs(String),
    /// A source was dropped on `function`: its "+ Add trigger" form, filled in.
    AddTrigger { function: String, trigger: Trigger },
    /// `function` was dropped on a target: its "+ Add destination" form, filled in.
    AddDestination {
        function: String,
        destination: Destination,
    },
}

/// What a line dragged from `from`'s port and dropped on `to` asks for: a trigger from a
/// source to a function, a destination from a function to a queue, topic, bucket or
/// another function; `None` for anything else (a queue dropped on a topic).
pub fn connection(from: &NodeId, to: &NodeId) -> Option<MapRequest> {
    if from == to {
        return None;
    }
    if to.kind == NodeKind::Function {
        let trigger = match from.kind {
            NodeKind::Route => Trigger::http(&from.key),
            NodeKind::Schedule => Trigger::Schedule {
                expression: from.label().to_owned(),
                timezone: None,
                enabled: true,
            },
            NodeKind::Bucket => Trigger::Bucket {
                bucket: from.key.clone(),
                events: vec!["s3:ObjectCreated:*".to_owned()],
                prefix: None,
                suffix: None,
                enabled: true,
            },
            NodeKind::Queue => Trigger::Queue {
                queue: from.key.clone(),
                batch_size: 10,
                maximum_batching_window_secs: None,
                report_batch_item_failures: false,
                maximum_concurrency: None,
                enabled: true,
            },
            NodeKind::Topic => Trigger::Topic {
                topic: from.key.clone(),
                filter_policy: None,
                enabled: true,
            },
            NodeKind::Function => {
                return Some(MapRequest::AddDestination {
                    function: from.key.clone(),
                    destination: Destination::Function(to.key.clone()),
                });
            }
        };
        return Some(MapRequest::AddTrigger {
            function: to.key.clone(),
            trigger,
        });
    }
    if from.kind != NodeKind::Function {
        return None;
    }
    let destination = match to.kind {
        NodeKind::Queue => Destination::Queue(to.key.clone()),
        NodeKind::Topic => Destination::Topic(to.key.clone()),
        NodeKind::Bucket => Destination::Bucket(to.key.clone()),
        NodeKind::Route | NodeKind::Schedule | NodeKind::Function => return None,
    };
    Some(MapRequest::AddDestination {
        function: from.key.clone(),
        destination,
    })
}
