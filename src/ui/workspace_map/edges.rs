//! The map's lines: drawn between their cards' screen rectangles, the selected one wider,
//! the ones on a recursive loop red, and found under a click.

use super::WorkspaceMap;
use crate::model::{EdgeKind, MapSelection};
use crate::ui::map_activity::pulse_line;
use crate::ui::map_lines::{MiddleColumn, curve_points, edge_stroke};
use crate::ui::map_positions::{CARD_HEIGHT, CARD_WIDTH, COLUMN_GAP, ROW_GAP};
use crate::ui::map_selection::{LINE_HIT_DISTANCE, distance_to_line};

impl WorkspaceMap {
    /// Works the lines' curves out in map points, once per placement of the cards:
    /// panning and zooming then only scale them, where flattening hundreds of Bézier
    /// curves every frame showed in the profile.
    fn curves_in_map_points(&mut self) {
        if self.curves_valid {
            return;
        }
        let card_size = egui::vec2(CARD_WIDTH, CARD_HEIGHT);
        let rects: Vec<egui::Rect> = self
            .cards
            .iter()
            .map(|card| egui::Rect::from_min_size(card.map_min, card_size))
            .collect();
        let half_gap = ROW_GAP / 2.0;
        // The functions' column of the automatic layout, which lines from the sources to
        // the targets cross.
        let column_left = CARD_WIDTH + COLUMN_GAP;
        let mut gaps: Vec<f32> = self
            .cards
            .iter()
            .zip(&rects)
            .filter(|(card, _)| card.is_function)
            .flat_map(|(_, card)| [card.top() - half_gap, card.bottom() + half_gap])
            .collect();
        gaps.sort_by(f32::total_cmp);
        let middle = MiddleColumn {
            left: column_left,
            right: column_left + CARD_WIDTH,
            gaps,
        };
        // A line bows up to 60 points beside its cards.
        let reach = egui::vec2(60.0, 20.0);
        self.curves = self
            .lines
            .iter()
            .map(|line| {
                let (from, to) = (rects[line.from], rects[line.to]);
                // A line stays within its cards' box, widened by its bow, and the gap it
                // takes through the functions' column.
                let mut bounds = from.union(to).expand2(reach);
                let (start, end) = (from.right_center(), to.left_center());
                if middle.is_crossed(start, end)
                    && let Some(gap_y) = middle.nearest_gap((start.y + end.y) / 2.0)
                {
                    bounds.extend_with_y(gap_y);
                }
                (bounds, curve_points(from, to, 1.0, &middle))
            })
            .collect();
        self.curves_valid = true;
    }

    /// Draws the lines; returns the one nearest `clicked_at`, if a click fell on one.
    pub(super) fn edges_ui(
        &mut self,
        ui: &egui::Ui,
        painter: &egui::Painter,
        view: egui::Rect,
        clicked_at: Option<egui::Pos2>,
    ) -> Option<usize> {
        self.curves_in_map_points();
        let visuals = ui.visuals();
        let (origin, zoom) = (view.min + self.pan, self.zoom);
        let to_screen = |point: egui::Pos2| origin + point.to_vec2() * zoom;
        let now = chrono::Utc::now();
        let selected = match &self.selection.selected {
            Some(MapSelection::Line { from, to, kind }) => Some((from, to, *kind)),
            _ => None,
        };
        let mut clicked: Option<(usize, f32)> = None;
        for (index, (line, (map_bounds, map_points))) in
            self.lines.iter().zip(&self.curves).enumerate()
        {
            let bounds =
                egui::Rect::from_min_max(to_screen(map_bounds.min), to_screen(map_bounds.max));
            if !bounds.intersects(view) {
                continue;
            }
            let mut stroke = edge_stroke(visuals, line.kind, line.enabled);
            if line.on_loop {
                stroke = egui::Stroke::new(2.5, visuals.error_fg_color);
            }
            let is_selected = selected.is_some_and(|(from, to, kind)| {
                kind == line.kind
                    && self.cards[line.from].node == *from
                    && self.cards[line.to].node == *to
            });
            if is_selected {
                stroke.width = 4.0;
            }
            let points: Vec<egui::Pos2> =
                map_points.iter().map(|point| to_screen(*point)).collect();
            if let Some(at) = clicked_at
                && bounds.expand(LINE_HIT_DISTANCE).contains(at)
            {
                let distance = distance_to_line(&points, at);
                if distance <= LINE_HIT_DISTANCE
                    && clicked.is_none_or(|(_, nearest)| distance < nearest)
                {
                    clicked = Some((index, distance));
                }
            }
            let Some(&end) = points.last() else {
                continue;
            };
            if line.kind == EdgeKind::PermittedWrite {
                painter.extend(egui::Shape::dashed_line(
                    &points,
                    stroke,
                    6.0 * self.zoom,
                    4.0 * self.zoom,
                ));
            } else {
                let pulse = self.activity.line_pulse(index, now);
                if pulse > 0.0 {
                    pulse_line(painter, &points, stroke, pulse, self.zoom);
                } else {
                    painter.add(egui::Shape::line(points, stroke));
                }
            }
            painter.circle_filled(end, 3.0 * self.zoom.min(1.0), stroke.color);
        }
        clicked.map(|(index, _)| index)
    }
}
