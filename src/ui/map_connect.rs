//! Connecting on the workspace map: a port on each card's right edge, and what a line
//! dragged from it to another card asks for. A drop only opens the function's form,
//! filled in; nothing is written until the user saves it there, so Cancel writes nothing.

use crate::model::{Destination, NodeId, NodeKind, Trigger, Workspace};

/// Which edge of a card a port is on: the right one means "invokes", the left one "is
/// invoked by", as in AWS Infrastructure Composer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortSide {
    Left,
    Right,
}

impl PortSide {
    /// Whether a card of `kind` has a port on this side: sources and functions invoke;
    /// functions, queues, topics and buckets receive.
    pub fn is_on(self, kind: NodeKind) -> bool {
        match self {
            Self::Right => true,
            Self::Left => !matches!(kind, NodeKind::Route | NodeKind::Schedule),
        }
    }
}

/// What a line dragged from `from`'s port on `side` and dropped on `to` asks for: from a
/// left port, the line runs the other way (`to` invokes `from`).
pub fn connection_from_port(
    side: PortSide,
    from: &NodeId,
    to: &NodeId,
    workspace: &Workspace,
) -> Option<MapRequest> {
    let (from, to) = match side {
        PortSide::Right => (from, to),
        PortSide::Left => (to, from),
    };
    let mut request = connection(from, to);
    // A schedule's card shows only its expression: the copy keeps its time zone too.
    if let Some(MapRequest::AddTrigger { trigger, .. }) = &mut request
        && let Some(schedule) = schedule_trigger(workspace, from)
    {
        *trigger = schedule;
    }
    request
}

/// The schedule trigger a schedule card stands for, as its function's file says it.
fn schedule_trigger(workspace: &Workspace, node: &NodeId) -> Option<Trigger> {
    if node.kind != NodeKind::Schedule {
        return None;
    }
    let (function, expression) = node.key.split_once(": ")?;
    let config = workspace.function(function).ok()?.config;
    let mut trigger = config.triggers.into_iter().find(
        |trigger| matches!(trigger, Trigger::Schedule { expression: e, .. } if e == expression),
    )?;
    trigger.set_enabled(true);
    Some(trigger)
}

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
    /// A source card's count or Logs link was clicked: the Logs view of the invocations
    /// it caused.
    SourceLogs(NodeId),
    /// Delete on a function card: the function page's own confirmation.
    DeleteFunction(String),
    /// The palette's Function: the Create function dialog.
    CreateFunction,
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

/// What a port needs to know of its card.
#[derive(Clone, Copy)]
pub struct PortCard<'a> {
    pub id: egui::Id,
    /// "Function hello": the card's accessibility label.
    pub label: &'a str,
    pub is_function: bool,
}

/// A card's port on `side`: a small circle a line is dragged from.
pub fn port_ui(
    ui: &egui::Ui,
    painter: &egui::Painter,
    view: egui::Rect,
    card: PortCard<'_>,
    (side, center): (PortSide, egui::Pos2),
    zoom: f32,
    interactive: bool,
) -> Option<egui::Response> {
    let hit = egui::Rect::from_center_size(
        center,
        egui::Vec2::splat(2.0 * PORT_HIT_RADIUS * zoom.max(0.75)),
    );
    // The label is formatted only for the accessibility tree, not every frame.
    let (id, label_prefix, hover) = match side {
        PortSide::Right => (
            card.id.with("port"),
            "Connect",
            if card.is_function {
                "Invokes: drag to a queue, topic, bucket or function to add a destination"
            } else {
                "Invokes: drag to a function to add a trigger"
            },
        ),
        PortSide::Left => (
            card.id.with("in_port"),
            "Connect into",
            if card.is_function {
                "Is invoked by: drag to a route, schedule, bucket, queue or topic to add a trigger"
            } else {
                "Receives: drag to a function to make this its destination"
            },
        ),
    };
    let port = interactive.then(|| {
        let port = ui.interact(hit.intersect(view), id, egui::Sense::drag());
        port.widget_info(|| {
            let label = format!("{label_prefix} {}", card.label);
            egui::WidgetInfo::labeled(egui::Role::Button, true, label)
        });
        port.on_hover_text(hover)
    });
    let visuals = ui.visuals();
    let color = if port
        .as_ref()
        .is_some_and(|port| port.hovered() || port.dragged())
    {
        visuals.selection.stroke.color
    } else {
        visuals.widgets.inactive.fg_stroke.color
    };
    painter.circle(
        center,
        PORT_RADIUS * zoom.max(0.75),
        visuals.extreme_bg_color,
        egui::Stroke::new(1.5, color),
    );
    port
}
