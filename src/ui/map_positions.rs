//! Where the map's cards stand: the automatic left-to-right layout (sources, functions,
//! targets), over which the cards the user dragged keep their place, remembered in
//! `.lambdesk/map-layout.json`.

use std::collections::BTreeMap;

use crate::model::{
    EdgeKind, MapLayout, MapLayoutError, MapPoint, NodeId, NodeKind, WorkspaceGraph,
};

pub const CARD_WIDTH: f32 = 190.0;
pub const CARD_HEIGHT: f32 = 50.0;
pub const ROW_GAP: f32 = 14.0;
/// Room between the columns for the lines.
pub const COLUMN_GAP: f32 = 120.0;

/// The column a node stands in: 0 sources, 1 functions, 2 targets.
fn column(graph: &WorkspaceGraph, node: &NodeId) -> usize {
    match node.kind {
        NodeKind::Function => 1,
        NodeKind::Route | NodeKind::Schedule => 0,
        _ if graph
            .edges
            .iter()
            .any(|edge| edge.kind == EdgeKind::Trigger && &edge.from == node) =>
        {
            0
        }
        _ => 2,
    }
}

/// The automatic left-to-right layout: functions by name, each source and target next to
/// the first function it is connected with, so that few lines cross.
pub fn automatic_layout(graph: &WorkspaceGraph) -> BTreeMap<NodeId, egui::Pos2> {
    let mut rank: BTreeMap<&NodeId, usize> = BTreeMap::new();
    for (index, node) in graph
        .nodes
        .iter()
        .filter(|node| node.kind == NodeKind::Function)
        .enumerate()
    {
        rank.insert(node, index);
    }
    // Sources take their function's rank, then targets their source's or function's.
    for wanted_column in [0, 2] {
        for edge in &graph.edges {
            let (near, far) = if wanted_column == 0 {
                (&edge.to, &edge.from)
            } else {
                (&edge.from, &edge.to)
            };
            if column(graph, far) != wanted_column {
                continue;
            }
            if let Some(&near_rank) = rank.get(near) {
                let entry = rank.entry(far).or_insert(near_rank);
                *entry = (*entry).min(near_rank);
            }
        }
    }
    let mut columns: [Vec<&NodeId>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for node in &graph.nodes {
        columns[column(graph, node)].push(node);
    }
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0);
    let mut positions = BTreeMap::new();
    for (column_index, nodes) in columns.iter_mut().enumerate() {
        nodes.sort_by_key(|node| (rank.get(*node).copied().unwrap_or(usize::MAX), *node));
        #[expect(clippy::cast_precision_loss, reason = "hundreds of cards at most")]
        let (x, top) = (
            column_index as f32 * (CARD_WIDTH + COLUMN_GAP),
            (tallest - nodes.len()) as f32 * (CARD_HEIGHT + ROW_GAP) / 2.0,
        );
        for (row, node) in nodes.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "hundreds of cards at most")]
            let y = top + row as f32 * (CARD_HEIGHT + ROW_GAP);
            positions.insert((*node).clone(), egui::pos2(x, y));
        }
    }
    positions
}

/// The automatic layout with the user's placements over it.
#[derive(Default)]
pub struct MapPositions {
    automatic: BTreeMap<NodeId, egui::Pos2>,
    placed: MapLayout,
}

impl MapPositions {
    /// Lays `graph` out again; the user's placements stay.
    pub fn relayout(&mut self, graph: &WorkspaceGraph) {
        self.automatic = automatic_layout(graph);
    }

    /// Takes the placements the console read from `.lambdesk/map-layout.json` (a
    /// workspace just opened). A damaged file was set aside by the model and is reported;
    /// the map then starts from its automatic layout.
    pub fn load(
        &mut self,
        loaded: Result<MapLayout, MapLayoutError>,
    ) -> Result<(), MapLayoutError> {
        match loaded {
            Ok(placed) => {
                self.placed = placed;
                Ok(())
            }
            Err(error) => {
                self.placed = MapLayout::default();
                Err(error)
            }
        }
    }

    /// A card's top-left corner in map coordinates: where the user put it, or where the
    /// automatic layout does.
    pub fn get(&self, node: &NodeId) -> Option<egui::Pos2> {
        let automatic = self.automatic.get(node)?;
        Some(
            self.placed
                .positions
                .get(node)
                .map_or(*automatic, |at| egui::pos2(at.x_points, at.y_points)),
        )
    }

    /// Moves a card by `delta` map points (while it is dragged; saved by `save`).
    pub fn move_card(&mut self, node: &NodeId, delta: egui::Vec2) {
        let Some(now) = self.get(node) else {
            return;
        };
        let moved = now + delta;
        self.placed.positions.insert(
            node.clone(),
            MapPoint {
                x_points: moved.x,
                y_points: moved.y,
            },
        );
    }

    /// Whether any card stands where the user put it.
    pub fn has_placements(&self) -> bool {
        !self.placed.positions.is_empty()
    }

    /// Forgets every placement: the automatic layout again.
    pub fn reset(&mut self) {
        self.placed = MapLayout::default();
    }

    /// The placements, for the console to write (`Command::SaveMapLayout`).
    pub fn placements(&self) -> &MapLayout {
        &self.placed
    }
}
