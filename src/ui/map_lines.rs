//! The map's lines: their colours by meaning, and the curves they take between cards.

use crate::model::EdgeKind;

/// A line's colour and width by what it means.
pub fn edge_stroke(visuals: &egui::Visuals, kind: EdgeKind, enabled: bool) -> egui::Stroke {
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
pub struct MiddleColumn {
    pub left: f32,
    pub right: f32,
    /// Sorted, to find the gap nearest a line by bisection: hundreds of lines times
    /// hundreds of gaps each frame otherwise.
    pub gaps: Vec<f32>,
}

impl MiddleColumn {
    /// Whether a line from `start` to `end` passes the column, through one of its gaps.
    pub fn is_crossed(&self, start: egui::Pos2, end: egui::Pos2) -> bool {
        start.x < self.left && end.x > self.right && !self.gaps.is_empty()
    }

    /// The gap nearest the height `y`.
    pub fn nearest_gap(&self, y: f32) -> Option<f32> {
        let after = self.gaps.partition_point(|gap| *gap < y);
        let below = self.gaps.get(after).copied();
        let above = after
            .checked_sub(1)
            .and_then(|index| self.gaps.get(index).copied());
        match (above, below) {
            (Some(above), Some(below)) => Some(if y - above <= below - y { above } else { below }),
            (above, below) => above.or(below),
        }
    }
}

/// The points of a line from `from` to `to` (screen rectangles of two cards): forwards an
/// S-curve between facing sides, through the gap between two function cards when it
/// passes their column; within a column a bow to the right; backwards between the facing
/// sides, a little lower, so it runs beside the line it answers rather than over it.
pub fn curve_points(
    from: egui::Rect,
    to: egui::Rect,
    zoom: f32,
    middle: &MiddleColumn,
) -> Vec<egui::Pos2> {
    let bow = 60.0 * zoom;
    let (start, end) = (from.right_center(), to.left_center());
    if middle.is_crossed(start, end)
        && let Some(gap_y) = middle.nearest_gap((start.y + end.y) / 2.0)
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

/// What the lines mean, in their colours.
pub fn legend_ui(ui: &mut egui::Ui) {
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
