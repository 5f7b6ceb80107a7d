//! The workspace map: every function, route, schedule, bucket, queue and topic on one
//! canvas, laid out left to right (sources, functions, targets), with a line per trigger,
//! destination, subscription, dead-letter queue and (dashed) permitted write, and the
//! recursive loops marked in red. Drag the background to pan, scroll to zoom.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::console::{Console, ConsoleState};
use crate::model::{EdgeKind, NodeId, NodeKind, WorkspaceGraph};

const CARD_WIDTH: f32 = 190.0;
const CARD_HEIGHT: f32 = 50.0;
const ROW_GAP: f32 = 14.0;
/// Room between the columns for the lines.
const COLUMN_GAP: f32 = 120.0;
const MIN_ZOOM: f32 = 0.25;
const MAX_ZOOM: f32 = 2.5;
/// Space kept around the cards when fitting them into the view, in points.
const FIT_MARGIN: f32 = 24.0;
/// Scrolling this many points doubles (or halves) the zoom, roughly.
const SCROLL_POINTS_PER_DOUBLING: f32 = 300.0;

/// The map's graph, where its cards are, and how it is panned and zoomed.
pub struct WorkspaceMap {
    graph: WorkspaceGraph,
    /// The top-left corner of each card, in map coordinates (unzoomed points).
    positions: BTreeMap<NodeId, egui::Pos2>,
    /// What the graph was read at: the workspace, its disk generation and function count.
    built_for: Option<(PathBuf, u64, usize)>,
    /// Where the map's origin is drawn, relative to the view's top-left corner.
    pan: egui::Vec2,
    zoom: f32,
    /// Fit the cards into the view on the next frame (first opening, "Fit").
    fit_pending: bool,
}

impl Default for WorkspaceMap {
    fn default() -> Self {
        Self {
            graph: WorkspaceGraph::default(),
            positions: BTreeMap::new(),
            built_for: None,
            pan: egui::Vec2::ZERO,
            zoom: 1.0,
            fit_pending: true,
        }
    }
}

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
fn layout(graph: &WorkspaceGraph) -> BTreeMap<NodeId, egui::Pos2> {
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

/// A line's colour and width by what it means.
fn edge_stroke(visuals: &egui::Visuals, kind: EdgeKind, enabled: bool) -> egui::Stroke {
    let color = match kind {
        _ if !enabled => visuals.widgets.noninteractive.bg_stroke.color,
        EdgeKind::Trigger | EdgeKind::OnSuccess => visuals.selection.bg_fill,
        EdgeKind::OnFailure => visuals.warn_fg_color,
        EdgeKind::Subscription => visuals.hyperlink_color,
        EdgeKind::DeadLetter => visuals.warn_fg_color.gamma_multiply(0.7),
        EdgeKind::PermittedWrite => visuals.weak_text_color(),
    };
    egui::Stroke::new(1.5, color)
}

/// An S-curve from `start` to `end`, leaving and arriving horizontally.
fn s_curve(start: egui::Pos2, end: egui::Pos2) -> Vec<egui::Pos2> {
    let bend = (end.x - start.x) * 0.5;
    flatten([
        start,
        start + egui::vec2(bend, 0.0),
        end - egui::vec2(bend, 0.0),
        end,
    ])
}

fn flatten(points: [egui::Pos2; 4]) -> Vec<egui::Pos2> {
    egui::epaint::CubicBezierShape::from_points_stroke(
        points,
        false,
        egui::Color32::TRANSPARENT,
        egui::Stroke::NONE,
    )
    .flatten(Some(0.5))
}

/// Where a line from the sources to the targets crosses the functions' column: its left
/// and right edge and the heights of the gaps between function cards (screen points).
struct MiddleColumn {
    left: f32,
    right: f32,
    gaps: Vec<f32>,
}

/// The points of a line from `from` to `to` (screen rectangles of two cards): forwards an
/// S-curve between facing sides, through the gap between two function cards when it
/// passes their column; within a column a bow to the right; backwards between the facing
/// sides, a little lower, so it runs beside the line it answers rather than over it.
fn curve_points(
    from: egui::Rect,
    to: egui::Rect,
    zoom: f32,
    middle: &MiddleColumn,
) -> Vec<egui::Pos2> {
    let bow = 60.0 * zoom;
    let (start, end) = (from.right_center(), to.left_center());
    let nearest_gap = middle.gaps.iter().copied().min_by(|a, b| {
        let middle_y = (start.y + end.y) / 2.0;
        (a - middle_y).abs().total_cmp(&(b - middle_y).abs())
    });
    if start.x < middle.left
        && end.x > middle.right
        && let Some(gap_y) = nearest_gap
    {
        let margin = 12.0 * zoom;
        let mut points = s_curve(start, egui::pos2(middle.left - margin, gap_y));
        points.extend(s_curve(egui::pos2(middle.right + margin, gap_y), end));
        return points;
    }
    let points = if to.left() > from.right() {
        let (start, end) = (from.right_center(), to.left_center());
        let bend = (end.x - start.x) * 0.5;
        [
            start,
            start + egui::vec2(bend, 0.0),
            end - egui::vec2(bend, 0.0),
            end,
        ]
    } else if to.right() < from.left() {
        let lower = egui::vec2(0.0, 10.0 * zoom);
        return s_curve(from.left_center() + lower, to.right_center() + lower);
    } else {
        let (start, end) = (from.right_center(), to.right_center());
        [
            start,
            start + egui::vec2(bow, 0.0),
            end + egui::vec2(bow, 0.0),
            end,
        ]
    };
    flatten(points)
}

impl WorkspaceMap {
    /// Reads the graph again when the workspace's files changed.
    fn refresh(&mut self, console: &Console, state: &ConsoleState) {
        let key = (
            state.workspace_root.clone(),
            state.disk_generation,
            state.functions.len(),
        );
        if self.built_for.as_ref() == Some(&key) {
            return;
        }
        if self
            .built_for
            .as_ref()
            .is_none_or(|(root, _, _)| *root != key.0)
        {
            self.fit_pending = true;
        }
        self.graph = WorkspaceGraph::of_workspace(console.workspace());
        self.positions = layout(&self.graph);
        self.built_for = Some(key);
    }

    /// Pans and zooms so every card shows.
    fn fit(&mut self, view: egui::Rect) {
        let Some(bounds) = self
            .positions
            .values()
            .map(|min| egui::Rect::from_min_size(*min, egui::vec2(CARD_WIDTH, CARD_HEIGHT)))
            .reduce(|all, card| all.union(card))
        else {
            return;
        };
        let room = view.size() - egui::vec2(2.0 * FIT_MARGIN, 2.0 * FIT_MARGIN);
        // Lines to a target below its card bow down by up to 60 points.
        let bounds = bounds.expand2(egui::vec2(0.0, 30.0));
        self.zoom = (room.x / bounds.width())
            .min(room.y / bounds.height())
            .clamp(MIN_ZOOM, 1.2);
        self.pan = view.size() / 2.0 - bounds.center().to_vec2() * self.zoom;
    }

    fn screen_rect(&self, view: egui::Rect, node: &NodeId) -> Option<egui::Rect> {
        let min = self.positions.get(node)?;
        Some(egui::Rect::from_min_size(
            view.min + self.pan + min.to_vec2() * self.zoom,
            egui::vec2(CARD_WIDTH, CARD_HEIGHT) * self.zoom,
        ))
    }

    /// Draws the map; returns the function whose card was clicked, to open it.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        console: &Console,
        state: &ConsoleState,
    ) -> Option<String> {
        self.refresh(console, state);
        ui.horizontal(|ui| {
            ui.heading("Workspace map");
            ui.separator();
            if ui.button("Fit").on_hover_text("Show every card").clicked() {
                self.fit_pending = true;
            }
            ui.label(egui::RichText::new(format!("{:.0} %", self.zoom * 100.0)).weak());
            ui.separator();
            legend_ui(ui);
        });
        let error_color = ui.visuals().error_fg_color;
        for recursive_loop in &self.graph.loops {
            ui.colored_label(error_color, recursive_loop.note());
        }
        ui.label(
            egui::RichText::new("Drag the background to move the map, scroll to zoom.")
                .small()
                .weak(),
        );
        let (view, background) =
            ui.allocate_exact_size(ui.available_size(), egui::Sense::click_and_drag());
        if self.fit_pending {
            self.fit(view);
            self.fit_pending = false;
        }
        self.pan += background.drag_delta();
        if let Some(pointer) = ui.input(|input| input.pointer.hover_pos())
            && view.contains(pointer)
        {
            let (scroll_points, zoom_factor) =
                ui.input(|input| (input.smooth_scroll_delta.y, input.zoom_delta()));
            let factor = zoom_factor * (scroll_points / SCROLL_POINTS_PER_DOUBLING).exp2();
            if (factor - 1.0).abs() > f32::EPSILON {
                let anchor = pointer - view.min;
                let map_point = (anchor - self.pan) / self.zoom;
                self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
                self.pan = anchor - map_point * self.zoom;
            }
        }
        let painter = ui.painter_at(view);
        painter.rect_filled(view, 4.0, ui.visuals().faint_bg_color);
        self.edges_ui(ui, &painter, view);
        self.cards_ui(ui, &painter, view, state)
    }

    fn edges_ui(&self, ui: &egui::Ui, painter: &egui::Painter, view: egui::Rect) {
        let visuals = ui.visuals();
        let on_loop = self.graph.loop_edges();
        let function_cards: Vec<egui::Rect> = self
            .graph
            .nodes
            .iter()
            .filter(|node| node.kind == NodeKind::Function)
            .filter_map(|node| self.screen_rect(view, node))
            .collect();
        let half_gap = ROW_GAP * self.zoom / 2.0;
        let middle = MiddleColumn {
            left: function_cards.first().map_or(0.0, egui::Rect::left),
            right: function_cards.first().map_or(0.0, egui::Rect::right),
            gaps: function_cards
                .iter()
                .flat_map(|card| [card.top() - half_gap, card.bottom() + half_gap])
                .collect(),
        };
        for edge in &self.graph.edges {
            let (Some(from), Some(to)) = (
                self.screen_rect(view, &edge.from),
                self.screen_rect(view, &edge.to),
            ) else {
                continue;
            };
            let mut stroke = edge_stroke(visuals, edge.kind, edge.enabled);
            if edge.enabled && on_loop.contains(&(&edge.from, &edge.to)) {
                stroke = egui::Stroke::new(2.5, visuals.error_fg_color);
            }
            let points = curve_points(from, to, self.zoom, &middle);
            let Some(&end) = points.last() else {
                continue;
            };
            if edge.kind == EdgeKind::PermittedWrite {
                painter.extend(egui::Shape::dashed_line(
                    &points,
                    stroke,
                    6.0 * self.zoom,
                    4.0 * self.zoom,
                ));
            } else {
                painter.add(egui::Shape::line(points, stroke));
            }
            painter.circle_filled(end, 3.0 * self.zoom.min(1.0), stroke.color);
        }
    }

    fn cards_ui(
        &self,
        ui: &mut egui::Ui,
        painter: &egui::Painter,
        view: egui::Rect,
        state: &ConsoleState,
    ) -> Option<String> {
        let on_loop: Vec<&NodeId> = self
            .graph
            .loops
            .iter()
            .flat_map(|recursive_loop| &recursive_loop.path)
            .collect();
        let mut open = None;
        for node in &self.graph.nodes {
            let Some(rect) = self.screen_rect(view, node) else {
                continue;
            };
            let shown = rect.intersect(view);
            if !shown.is_positive() {
                continue;
            }
            let is_function = node.kind == NodeKind::Function;
            let label = format!("{} {}", node.kind.title(), node.label());
            let sense = if is_function {
                egui::Sense::click()
            } else {
                egui::Sense::hover()
            };
            let response = ui.interact(shown, ui.make_persistent_id(("map_card", node)), sense);
            response.widget_info(|| {
                let role = if is_function {
                    egui::Role::Button
                } else {
                    egui::Role::Label
                };
                egui::WidgetInfo::labeled(role, true, &label)
            });
            let response = if is_function {
                response.on_hover_text("Click to open the function")
            } else {
                response
            };
            if response.clicked() {
                open = Some(node.key.clone());
            }
            let visuals = ui.visuals();
            let (fill, mut stroke) = if response.hovered() && is_function {
                (
                    visuals.widgets.hovered.weak_bg_fill,
                    visuals.widgets.hovered.bg_stroke,
                )
            } else if is_function {
                (
                    visuals.widgets.inactive.weak_bg_fill,
                    egui::Stroke::new(1.5, visuals.selection.bg_fill),
                )
            } else {
                (
                    visuals.extreme_bg_color,
                    visuals.widgets.noninteractive.bg_stroke,
                )
            };
            if on_loop.contains(&node) {
                stroke = egui::Stroke::new(2.0, visuals.error_fg_color);
            }
            painter.rect(
                rect,
                6.0 * self.zoom,
                fill,
                stroke,
                egui::StrokeKind::Inside,
            );
            let title = match (is_function, state.function(&node.key)) {
                (true, Some(entry)) => entry.runtime.map_or_else(
                    || "Function · does not load".to_owned(),
                    |runtime| format!("Function · {}", runtime.id()),
                ),
                _ => node.kind.title().to_owned(),
            };
            let text = painter.with_clip_rect(rect.shrink(4.0 * self.zoom).intersect(view));
            let left = rect.left() + 9.0 * self.zoom;
            text.text(
                egui::pos2(left, rect.top() + 15.0 * self.zoom),
                egui::Align2::LEFT_CENTER,
                title,
                egui::FontId::proportional(11.0 * self.zoom),
                visuals.weak_text_color(),
            );
            text.text(
                egui::pos2(left, rect.top() + 34.0 * self.zoom),
                egui::Align2::LEFT_CENTER,
                node.label(),
                egui::FontId::proportional(14.0 * self.zoom),
                visuals.strong_text_color(),
            );
        }
        open
    }
}

/// What the lines mean, in their colours.
fn legend_ui(ui: &mut egui::Ui) {
    let visuals = ui.visuals().clone();
    let entries = [
        (EdgeKind::Trigger, "trigger / on success"),
        (EdgeKind::OnFailure, "on failure"),
        (EdgeKind::Subscription, "subscription"),
        (EdgeKind::DeadLetter, "dead-letter queue"),
        (EdgeKind::PermittedWrite, "may write (dashed)"),
    ];
    for (kind, text) in entries {
        let color = edge_stroke(&visuals, kind, true).color;
        ui.label(
            egui::RichText::new(format!("— {text}"))
                .small()
                .color(color),
        );
    }
}
