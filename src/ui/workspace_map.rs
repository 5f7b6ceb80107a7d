//! The workspace map: every function, route, schedule, bucket, queue and topic on one
//! canvas, laid out left to right (sources, functions, targets), with a line per trigger,
//! destination, subscription, dead-letter queue and (dashed) permitted write, and the
//! recursive loops marked in red. Drag the background to pan, scroll to zoom; click a card
//! or line to select it (Delete removes it after a confirmation, Ctrl+Z undoes); the
//! palette adds resources.

mod edges;

use std::path::PathBuf;
use std::sync::Arc;

use super::map_activity::MapLiveActivity;
use super::map_connect::{
    MapRequest, PORT_HIT_RADIUS, PortCard, PortSide, connection_from_port, port_ui,
};
use super::map_lines::legend_ui;
use super::map_palette::{MapPalette, PaletteAction};
use super::map_positions::{CARD_HEIGHT, CARD_WIDTH, MapPositions};
use super::map_selection::MapSelectionState;
use crate::console::{Command, Console, ConsoleState};
use crate::model::{EdgeKind, MapSelection, NodeId, NodeKind, WorkspaceGraph};

const MIN_ZOOM: f32 = 0.25;
const MAX_ZOOM: f32 = 2.5;
/// Space kept around the cards when fitting them into the view, in points.
const FIT_MARGIN: f32 = 24.0;
/// Scrolling this many points doubles (or halves) the zoom, roughly.
const SCROLL_POINTS_PER_DOUBLING: f32 = 300.0;

/// What a card shows, worked out once per reading of the graph rather than every frame:
/// a map of hundreds of cards must not format hundreds of strings per frame.
struct Card {
    node: NodeId,
    id: egui::Id,
    is_function: bool,
    on_loop: bool,
    /// The card's top-left corner in map coordinates, copied from `MapPositions` when it
    /// changes: looking hundreds of node names up in maps each frame shows in the profile.
    map_min: egui::Pos2,
    /// "Function process-orders": the card's accessibility label.
    accessible_label: String,
    /// "Function · js", "Queue": the small line above the name.
    title: String,
    /// The title's and the name's text, laid out at `galleys_for`'s zoom when first shown.
    galleys: Option<(Arc<egui::Galley>, Arc<egui::Galley>)>,
}

/// A line between two cards, by their index in `WorkspaceMap::cards`.
struct Line {
    from: usize,
    to: usize,
    kind: EdgeKind,
    enabled: bool,
    on_loop: bool,
}

/// The map's graph, where its cards are, and how it is panned and zoomed.
pub struct WorkspaceMap {
    graph: WorkspaceGraph,
    cards: Vec<Card>,
    lines: Vec<Line>,
    positions: MapPositions,
    /// What the graph was read at: the workspace, its disk generation and function count.
    built_for: Option<(PathBuf, u64, usize)>,
    /// The zoom and pixels per point the cards' galleys were laid out for.
    galleys_for: (f32, f32),
    /// How full the font atlas was when last seen: it only fills up until egui clears
    /// it, and a cleared atlas makes the galleys laid out before point at wrong glyphs.
    font_atlas_fill_ratio: f32,
    /// Where the map's origin is drawn, relative to the view's top-left corner.
    pan: egui::Vec2,
    zoom: f32,
    /// Fit the cards into the view on the next frame (first opening, "Fit").
    fit_pending: bool,
    /// Fit them once the graph is read again (a card was just added).
    fit_after_refresh: bool,
    /// The card and port a line is being dragged from.
    connecting_from: Option<(usize, PortSide)>,
    /// The selected card or line, and the confirmation of its deletion.
    selection: MapSelectionState,
    palette: MapPalette,
    /// The console's count of layout writes not made by the map (an undone move).
    layout_generation: u64,
    /// Each line's bounds and points in map points, by line index (see `edges.rs`).
    curves: Vec<(egui::Rect, Vec<egui::Pos2>)>,
    /// `curves` match the cards' places.
    curves_valid: bool,
    /// Events per minute on the cards, pulses on the trigger lines.
    activity: MapLiveActivity,
}

impl Default for WorkspaceMap {
    fn default() -> Self {
        Self {
            graph: WorkspaceGraph::default(),
            cards: Vec::new(),
            lines: Vec::new(),
            positions: MapPositions::default(),
            built_for: None,
            galleys_for: (0.0, 0.0),
            font_atlas_fill_ratio: 0.0,
            pan: egui::Vec2::ZERO,
            zoom: 1.0,
            fit_pending: true,
            fit_after_refresh: false,
            connecting_from: None,
            selection: MapSelectionState::default(),
            palette: MapPalette::default(),
            layout_generation: 0,
            curves: Vec::new(),
            curves_valid: false,
            activity: MapLiveActivity::default(),
        }
    }
}

impl WorkspaceMap {
    /// Reads the graph again when the workspace's files changed, and the saved card
    /// positions when another workspace opened.
    fn refresh(&mut self, console: &Console, state: &ConsoleState, commands: &mut Vec<Command>) {
        let key = (
            state.workspace_root.clone(),
            state.disk_generation,
            state.functions.len(),
        );
        let layout_changed = state.map_layout_generation != self.layout_generation;
        if self.built_for.as_ref() == Some(&key) && !layout_changed {
            return;
        }
        let other_workspace = self
            .built_for
            .as_ref()
            .is_none_or(|(root, _, _)| *root != key.0);
        if other_workspace {
            self.fit_pending = true;
            self.selection = MapSelectionState::default();
        }
        if other_workspace || layout_changed {
            self.layout_generation = state.map_layout_generation;
            if let Err(error) = self.positions.load(console.load_map_layout()) {
                commands.push(Command::ShowMessage(error.to_string()));
            }
        }
        self.graph = WorkspaceGraph::of_workspace(console.workspace());
        if std::mem::take(&mut self.fit_after_refresh) {
            self.fit_pending = true;
        }
        self.positions.relayout(&self.graph);
        self.rebuild_cards(state);
        let nodes: Vec<&NodeId> = self.cards.iter().map(|card| &card.node).collect();
        let lines: Vec<_> = self
            .lines
            .iter()
            .map(|line| (line.from, line.to, line.kind))
            .collect();
        self.activity.set_graph(console.workspace(), &nodes, &lines);
        // The card indexes changed under a line being dragged.
        self.connecting_from = None;
        let graph = &self.graph;
        self.selection.keep_if(|selected| match selected {
            MapSelection::Card(node) => graph.nodes.contains(node),
            MapSelection::Line { from, to, kind } => graph
                .edges
                .iter()
                .any(|edge| edge.from == *from && edge.to == *to && edge.kind == *kind),
        });
        self.built_for = Some(key);
    }

    /// Copies each card's place from `positions`.
    fn place_cards(&mut self) {
        self.curves_valid = false;
        for card in &mut self.cards {
            card.map_min = self.positions.get(&card.node).unwrap_or_default();
        }
    }

    fn rebuild_cards(&mut self, state: &ConsoleState) {
        let loop_nodes: Vec<&NodeId> = self
            .graph
            .loops
            .iter()
            .flat_map(|recursive_loop| &recursive_loop.path)
            .collect();
        self.cards = self
            .graph
            .nodes
            .iter()
            .map(|node| {
                let is_function = node.kind == NodeKind::Function;
                let title = match (is_function, state.function(&node.key)) {
                    (true, Some(entry)) => entry.runtime.map_or_else(
                        || "Function · does not load".to_owned(),
                        |runtime| format!("Function · {}", runtime.id()),
                    ),
                    _ => node.kind.title().to_owned(),
                };
                Card {
                    node: node.clone(),
                    map_min: egui::Pos2::ZERO,
                    id: egui::Id::unique(("map_card", node)),
                    is_function,
                    on_loop: loop_nodes.contains(&node),
                    accessible_label: format!("{} {}", node.kind.title(), node.label()),
                    title,
                    galleys: None,
                }
            })
            .collect();
        let index: std::collections::BTreeMap<&NodeId, usize> = self
            .cards
            .iter()
            .enumerate()
            .map(|(index, card)| (&card.node, index))
            .collect();
        let on_loop = self.graph.loop_edges();
        self.lines = self
            .graph
            .edges
            .iter()
            .filter_map(|edge| {
                Some(Line {
                    from: *index.get(&edge.from)?,
                    to: *index.get(&edge.to)?,
                    kind: edge.kind,
                    enabled: edge.enabled,
                    on_loop: edge.enabled && on_loop.contains(&(&edge.from, &edge.to)),
                })
            })
            .collect();
        self.place_cards();
    }

    /// Pans and zooms so every card shows.
    fn fit(&mut self, view: egui::Rect) {
        let Some(bounds) = self
            .cards
            .iter()
            .map(|card| {
                egui::Rect::from_min_size(card.map_min, egui::vec2(CARD_WIDTH, CARD_HEIGHT))
            })
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

    fn screen_rect(&self, view: egui::Rect, map_min: egui::Pos2) -> egui::Rect {
        egui::Rect::from_min_size(
            view.min + self.pan + map_min.to_vec2() * self.zoom,
            egui::vec2(CARD_WIDTH, CARD_HEIGHT) * self.zoom,
        )
    }

    /// Draws the map; returns what a click, a palette choice or a connection dropped on
    /// a card asks the app to open.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        console: &Console,
        state: &ConsoleState,
        commands: &mut Vec<Command>,
    ) -> Option<MapRequest> {
        self.refresh(console, state, commands);
        self.activity.refresh(ui.ctx(), console);
        self.toolbar_ui(ui, state, commands);
        let mut request = None;
        let error_color = ui.visuals().error_fg_color;
        for recursive_loop in &self.graph.loops {
            ui.colored_label(error_color, recursive_loop.note());
        }
        request = self.selection.strip_ui(ui, console).or(request);
        request = self.selection.keys(ui, console, commands).or(request);
        self.selection.confirm_ui(ui.ctx(), commands);
        if self.palette.open {
            let functions: Vec<String> = state
                .functions
                .iter()
                .map(|entry| entry.name.clone())
                .collect();
            egui::Panel::left("map_palette")
                .resizable(false)
                .default_size(220.0)
                .show(ui, |ui| match self.palette.ui(ui, &functions) {
                    Some(PaletteAction::Command(command)) => {
                        commands.push(command);
                        // Show the new card, wherever the layout puts it.
                        self.fit_after_refresh = true;
                    }
                    Some(PaletteAction::Request(wanted)) => request = Some(wanted),
                    None => {}
                });
        }
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
        let rects: Vec<egui::Rect> = self
            .cards
            .iter()
            .map(|card| self.screen_rect(view, card.map_min))
            .collect();
        let clicked_at = background
            .clicked()
            .then(|| background.interact_pointer_pos())
            .flatten();
        let clicked_line = self.edges_ui(ui, &painter, view, clicked_at);
        if clicked_at.is_some() {
            // A click on the background selects the line under it, or nothing.
            self.selection.selected = clicked_line.and_then(|index| {
                let line = self.lines.get(index)?;
                Some(MapSelection::Line {
                    from: self.cards.get(line.from)?.node.clone(),
                    to: self.cards.get(line.to)?.node.clone(),
                    kind: line.kind,
                })
            });
        }
        self.cards_ui(
            ui,
            &painter,
            (view, background.id),
            &rects,
            console,
            commands,
        )
        .or(request)
    }

    /// The rows above the map: the palette, Fit, Reset layout, Undo and Redo; the legend.
    fn toolbar_ui(&mut self, ui: &mut egui::Ui, state: &ConsoleState, commands: &mut Vec<Command>) {
        // Wrapped: an overflowing row (a narrow window) would widen the map past it.
        ui.horizontal_wrapped(|ui| {
            ui.heading("Workspace map");
            ui.separator();
            let palette = ui
                .toggle_value(&mut self.palette.open, "+ Add resource")
                .on_hover_text("A queue, topic, bucket, route, schedule or function");
            if palette.changed() {
                // The palette takes or gives back room at the left: every card in view.
                self.fit_pending = true;
            }
            if ui.button("Fit").on_hover_text("Show every card").clicked() {
                self.fit_pending = true;
            }
            let reset = ui
                .add_enabled(
                    self.positions.has_placements(),
                    egui::Button::new("Reset layout"),
                )
                .on_hover_text("Put every card back where the automatic layout puts it");
            if reset.clicked() {
                self.positions.reset();
                self.place_cards();
                commands.push(Command::SaveMapLayout {
                    layout: Box::new(self.positions.placements().clone()),
                });
            }
            for (label, next, command) in [
                ("Undo", &state.next_undo, Command::Undo),
                ("Redo", &state.next_redo, Command::Redo),
            ] {
                let button = ui.add_enabled(next.is_some(), egui::Button::new(label));
                let button = match next {
                    Some(next) => button.on_hover_text(format!("{label}: {next}")),
                    None => button,
                };
                if button.clicked() {
                    commands.push(command);
                }
            }
            ui.label(egui::RichText::new(format!("{:.0} %", self.zoom * 100.0)).weak());
        });
        ui.horizontal_wrapped(legend_ui);
    }

    fn cards_ui(
        &mut self,
        ui: &mut egui::Ui,
        painter: &egui::Painter,
        (view, view_id): (egui::Rect, egui::Id),
        rects: &[egui::Rect],
        console: &Console,
        commands: &mut Vec<Command>,
    ) -> Option<MapRequest> {
        let galleys_for = (self.zoom, ui.ctx().pixels_per_point());
        let fill_ratio = ui.ctx().fonts(|fonts| fonts.font_atlas_fill_ratio());
        let atlas_cleared = fill_ratio < self.font_atlas_fill_ratio;
        self.font_atlas_fill_ratio = fill_ratio;
        if galleys_for != self.galleys_for || atlas_cleared {
            self.galleys_for = galleys_for;
            for card in &mut self.cards {
                card.galleys = None;
            }
            self.activity.forget_galleys();
        }
        let mut open = None;
        let mut moved = None;
        let mut dropped = None;
        // Without a screen reader only the cards near the pointer (and one being dragged)
        // take input: a map of hundreds of cards registered thousands of hit-test
        // rectangles (card, counter, Logs link, ports) every frame.
        let accessible = ui.ctx().accesskit_node_builder(view_id, |_| ()).is_some();
        let pointer = ui.input(|input| input.pointer.latest_pos());
        let dragged = ui.ctx().dragged_id();
        let reach = 2.0 * PORT_HIT_RADIUS * self.zoom.max(0.75);
        for (index, (card, &rect)) in self.cards.iter_mut().zip(rects).enumerate() {
            let shown = rect.intersect(view);
            if !shown.is_positive() {
                continue;
            }
            let interactive = accessible
                || pointer.is_some_and(|pointer| rect.expand(reach).contains(pointer))
                || dragged.is_some_and(|id| {
                    id == card.id || id == card.id.with("port") || id == card.id.with("in_port")
                })
                || self.connecting_from.is_some_and(|(from, _)| from == index);
            let response = interactive.then(|| {
                let response = ui.interact(shown, card.id, egui::Sense::click_and_drag());
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, &card.accessible_label)
                });
                response.on_hover_text(if card.is_function {
                    "Click to select, double-click to open the function, drag to move it"
                } else {
                    "Click to select, drag to move it"
                })
            });
            if let Some(response) = &response {
                if response.double_clicked() && card.is_function {
                    open = Some(MapRequest::Open(card.node.key.clone()));
                } else if response.clicked() {
                    self.selection.selected = Some(MapSelection::Card(card.node.clone()));
                }
                if response.dragged() || response.drag_stopped() {
                    moved = Some((
                        card.node.clone(),
                        response.drag_delta() / self.zoom,
                        response.drag_stopped(),
                    ));
                }
            }
            let is_selected = matches!(
                &self.selection.selected,
                Some(MapSelection::Card(node)) if *node == card.node
            );
            let hovered = response.as_ref().is_some_and(egui::Response::hovered);
            let visuals = ui.visuals();
            let (fill, mut stroke) = if hovered && card.is_function {
                (
                    visuals.widgets.hovered.weak_bg_fill,
                    visuals.widgets.hovered.bg_stroke,
                )
            } else if card.is_function {
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
            if card.on_loop {
                stroke = egui::Stroke::new(2.0, visuals.error_fg_color);
            }
            if is_selected {
                stroke = egui::Stroke::new(3.0, visuals.selection.stroke.color);
            }
            painter.rect(
                rect,
                6.0 * self.zoom,
                fill,
                stroke,
                egui::StrokeKind::Inside,
            );
            // Laid out once per zoom: the font cache would find the same galleys, but
            // only after hashing and copying every card's strings each frame.
            let (title, name) = card.galleys.get_or_insert_with(|| {
                (
                    painter.layout_no_wrap(
                        card.title.clone(),
                        egui::FontId::proportional(11.0 * self.zoom),
                        egui::Color32::PLACEHOLDER,
                    ),
                    painter.layout_no_wrap(
                        card.node.label().to_owned(),
                        egui::FontId::proportional(14.0 * self.zoom),
                        egui::Color32::PLACEHOLDER,
                    ),
                )
            });
            let text = painter.with_clip_rect(rect.shrink(4.0 * self.zoom).intersect(view));
            let left = rect.left() + 9.0 * self.zoom;
            for (galley, center_y, color) in [
                (title, 15.0, visuals.weak_text_color()),
                (name, 34.0, visuals.strong_text_color()),
            ] {
                let at = egui::Align2::LEFT_CENTER.anchor_size(
                    egui::pos2(left, rect.top() + center_y * self.zoom),
                    galley.size(),
                );
                text.galley(at.min, Arc::clone(galley), color);
            }
            let counter_id = card.id.with("counter");
            if self.activity.counter_ui(
                ui,
                &text,
                (rect, view),
                index,
                (counter_id, interactive),
                self.zoom,
            ) {
                open = Some(if card.is_function {
                    MapRequest::Logs(card.node.key.clone())
                } else {
                    MapRequest::SourceLogs(card.node.clone())
                });
            }
            // Interacted after its card, so a press on a port starts a line rather
            // than moving the card.
            for side in [PortSide::Left, PortSide::Right] {
                if !side.is_on(card.node.kind) {
                    continue;
                }
                let center = match side {
                    PortSide::Left => rect.left_center(),
                    PortSide::Right => rect.right_center(),
                };
                if !view.contains(center) {
                    continue;
                }
                let port_card = PortCard {
                    id: card.id,
                    label: &card.accessible_label,
                    is_function: card.is_function,
                };
                let Some(port) = port_ui(
                    ui,
                    painter,
                    view,
                    port_card,
                    (side, center),
                    self.zoom,
                    interactive,
                ) else {
                    continue;
                };
                if port.drag_started() {
                    self.connecting_from = Some((index, side));
                }
                if port.drag_stopped() && self.connecting_from == Some((index, side)) {
                    self.connecting_from = None;
                    dropped = Some((index, side));
                }
            }
        }
        let pointer = ui.input(|input| input.pointer.latest_pos());
        if let (Some((from, side)), Some(pointer)) = (self.connecting_from, pointer)
            && let Some(from_rect) = rects.get(from)
        {
            // The rubber band, until the button is released.
            let color = ui.visuals().selection.stroke.color;
            let start = match side {
                PortSide::Left => from_rect.left_center(),
                PortSide::Right => from_rect.right_center(),
            };
            painter.line_segment([start, pointer], egui::Stroke::new(2.0, color));
        }
        if let (Some((from, side)), Some(pointer)) = (dropped, pointer) {
            // The topmost card under the pointer: the last drawn.
            let target = rects
                .iter()
                .rposition(|rect| view.contains(pointer) && rect.contains(pointer));
            if let Some(target) = target {
                open = connection_from_port(
                    side,
                    &self.cards[from].node,
                    &self.cards[target].node,
                    console.workspace(),
                )
                .or(open);
            }
        }
        if let Some((node, delta, stopped)) = moved {
            self.positions.move_card(&node, delta);
            self.place_cards();
            if stopped {
                commands.push(Command::SaveMapLayout {
                    layout: Box::new(self.positions.placements().clone()),
                });
            }
        }
        open
    }
}
