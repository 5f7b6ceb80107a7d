//! Live activity on the workspace map: "N/min" and errors (in red) on each source and
//! function card, a pulse along a trigger line as an event passes, and a Logs link on
//! each card that counts. Counted as the overview counts (`live_activity`): when an
//! invocation was recorded, at most ten times a second, or once a second for the counts
//! to fall, never per frame; only the visible cards draw their counters.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::live_activity::pulse_strength;
use crate::console::{Console, MapActivity, MapFunction, TriggerActivity, map_activity};
use crate::model::{EdgeKind, NodeId, NodeKind, Workspace};

/// New invocations are counted at most this often.
const RECOUNT_AFTER_CHANGE: Duration = Duration::from_millis(100);
/// Counts fall as the minute passes even when nothing new runs.
const RECOUNT_ANYWAY: Duration = Duration::from_secs(1);
/// Frames while a pulse fades: smooth enough, and nothing while all is quiet.
const PULSE_FRAME: Duration = Duration::from_millis(33);

/// What a card counts: the events a source passed, or every invocation of a function.
#[derive(Debug, Clone, PartialEq)]
enum Counts {
    Source(NodeId),
    Function(String),
}

/// A card's counter, its text formatted when counted rather than each frame.
#[derive(Debug, Default)]
struct CardCount {
    activity: TriggerActivity,
    rate: String,
    errors: Option<String>,
    /// Laid out at the map's zoom when first drawn.
    galleys: Option<(Arc<egui::Galley>, Option<Arc<egui::Galley>>)>,
}

impl CardCount {
    fn new(activity: TriggerActivity) -> Self {
        let errors = match activity.errors_last_minute {
            0 => None,
            1 => Some("1 error".to_owned()),
            errors => Some(format!("{errors} errors")),
        };
        Self {
            activity,
            rate: format!("{}/min", activity.per_minute),
            errors,
            galleys: None,
        }
    }
}

/// The map's live activity, kept between frames.
#[derive(Debug, Default)]
pub struct MapLiveActivity {
    functions: Vec<MapFunction>,
    /// By card index: what it counts, if anything (a queue only written to counts nothing).
    card_counts: Vec<Option<Counts>>,
    /// By line index: the trigger line's source and function.
    line_keys: Vec<Option<(NodeId, String)>>,
    counted_at: Option<Instant>,
    /// The newest invocation in the history when counted.
    newest_request_id: Option<String>,
    cards: Vec<Option<CardCount>>,
    lines: Vec<TriggerActivity>,
    /// "Logs", laid out at the map's zoom when first drawn.
    logs_galley: Option<Arc<egui::Galley>>,
}

impl MapLiveActivity {
    /// Takes the map's new cards and lines (`(from, to, kind)` by card index); counts
    /// again on the next frame.
    pub fn set_graph(
        &mut self,
        workspace: &Workspace,
        nodes: &[&NodeId],
        lines: &[(usize, usize, EdgeKind)],
    ) {
        self.functions = workspace
            .functions()
            .into_iter()
            .filter_map(|(name, function)| {
                let function = function.ok()?;
                Some(MapFunction::new(&name, &function.config))
            })
            .collect();
        self.line_keys = lines
            .iter()
            .map(|&(from, to, kind)| {
                let (from, to) = (nodes.get(from)?, nodes.get(to)?);
                (kind == EdgeKind::Trigger && to.kind == NodeKind::Function)
                    .then(|| ((*from).clone(), to.key.clone()))
            })
            .collect();
        // A set: hundreds of cards times hundreds of lines otherwise.
        let sources: HashSet<&NodeId> = self
            .line_keys
            .iter()
            .flatten()
            .map(|(from, _)| from)
            .collect();
        self.card_counts = nodes
            .iter()
            .map(|node| {
                if node.kind == NodeKind::Function {
                    Some(Counts::Function(node.key.clone()))
                } else {
                    sources
                        .contains(*node)
                        .then(|| Counts::Source((*node).clone()))
                }
            })
            .collect();
        self.counted_at = None;
    }

    /// Counts again if it is due, and asks for the frames the activity needs.
    pub fn refresh(&mut self, ctx: &egui::Context, console: &Console) {
        let ledger = console.ledger();
        let newest = ledger.history.iter().next_back().map(|s| &s.request_id);
        let due = match self.counted_at {
            None => true,
            Some(at) => {
                let elapsed = at.elapsed();
                let changed = self.newest_request_id.as_ref() != newest;
                if changed && elapsed < RECOUNT_AFTER_CHANGE {
                    // Counted a moment ago: count the news on a frame soon after.
                    ctx.request_repaint_after(RECOUNT_AFTER_CHANGE - elapsed);
                }
                elapsed >= RECOUNT_ANYWAY || (changed && elapsed >= RECOUNT_AFTER_CHANGE)
            }
        };
        if due {
            let activity = map_activity(&ledger.history, &self.functions, Utc::now());
            self.newest_request_id = newest.cloned();
            self.counted_at = Some(Instant::now());
            self.take(&activity);
        }
        drop(ledger);
        let now = Utc::now();
        let counted = || self.cards.iter().flatten().map(|card| &card.activity);
        if self
            .lines
            .iter()
            .any(|line| pulse_strength(line, now) > 0.0)
        {
            ctx.request_repaint_after(PULSE_FRAME);
        } else if counted().any(|activity| activity.per_minute > 0) {
            ctx.request_repaint_after(RECOUNT_ANYWAY);
        }
    }

    fn take(&mut self, activity: &MapActivity) {
        let old = std::mem::take(&mut self.cards);
        self.cards = self
            .card_counts
            .iter()
            .enumerate()
            .map(|(index, counts)| {
                let counted = match counts.as_ref()? {
                    Counts::Source(node) => activity.sources.get(node),
                    Counts::Function(name) => activity.functions.get(name),
                };
                let counted = counted.copied().unwrap_or_default();
                // Unchanged counts keep their galleys.
                match old.get(index) {
                    Some(Some(card)) if card.activity == counted => old_card(card),
                    _ => Some(CardCount::new(counted)),
                }
            })
            .collect();
        self.lines = self
            .line_keys
            .iter()
            .map(|key| {
                key.as_ref()
                    .and_then(|key| activity.lines.get(key))
                    .copied()
                    .unwrap_or_default()
            })
            .collect();
    }

    /// Lays the counters' text out again (a new zoom, a cleared font atlas).
    pub fn forget_galleys(&mut self) {
        self.logs_galley = None;
        for card in self.cards.iter_mut().flatten() {
            card.galleys = None;
        }
    }

    /// How lit line `index` is now, from 1 as an event passes down to 0.
    pub fn line_pulse(&self, index: usize, now: DateTime<Utc>) -> f32 {
        self.lines
            .get(index)
            .map_or(0.0, |line| pulse_strength(line, now))
    }

    /// Draws card `index`'s counter at the right of its title line and a Logs link
    /// within `view`, with widget ids derived from `id`; returns whether the user asked
    /// for the card's logs (a function's, or the invocations a source caused).
    pub fn counter_ui(
        &mut self,
        ui: &egui::Ui,
        painter: &egui::Painter,
        (rect, view): (egui::Rect, egui::Rect),
        index: usize,
        (id, interactive): (egui::Id, bool),
        zoom: f32,
    ) -> bool {
        let font = egui::FontId::proportional(11.0 * zoom);
        let logs = Arc::clone(self.logs_galley.get_or_insert_with(|| {
            painter.layout_no_wrap("Logs".to_owned(), font.clone(), egui::Color32::PLACEHOLDER)
        }));
        let Some(Some(card)) = self.cards.get_mut(index) else {
            return false;
        };
        let Some(Some(counts)) = self.card_counts.get(index) else {
            return false;
        };
        let visuals = ui.visuals();
        // Only a card near the pointer (or any, for a screen reader) takes input: hundreds
        // of hit-test rectangles per frame otherwise.
        let interact = |rect: egui::Rect, id: egui::Id, sense: egui::Sense| {
            interactive.then(|| ui.interact(rect.intersect(view), id, sense))
        };
        let (rate, errors) = card.galleys.get_or_insert_with(|| {
            let layout = |text: &str| {
                painter.layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::PLACEHOLDER)
            };
            (layout(&card.rate), card.errors.as_deref().map(layout))
        });
        let center_y = rect.top() + 15.0 * zoom;
        let mut right = rect.right() - 12.0 * zoom;
        let mut logs_clicked = false;
        {
            // Formatted only for the accessibility tree, not every frame.
            let label = || match counts {
                Counts::Function(name) => format!("Logs of {name}"),
                Counts::Source(node) => format!("Logs of {}", node.describe()),
            };
            let hover = match counts {
                Counts::Function(_) => "Show this function's logs",
                Counts::Source(_) => "Show the logs of the invocations this source caused",
            };
            let at =
                egui::Align2::RIGHT_CENTER.anchor_size(egui::pos2(right, center_y), logs.size());
            if let Some(response) = interact(at, id.with("logs"), egui::Sense::click()) {
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Link, true, label()));
                logs_clicked |= response.on_hover_text(hover).clicked();
            }
            painter.galley(at.min, logs, visuals.hyperlink_color);
            right = at.left() - 6.0 * zoom;
        }
        let rate_at =
            egui::Align2::RIGHT_CENTER.anchor_size(egui::pos2(right, center_y), rate.size());
        let rate_color = if card.activity.per_minute == 0 {
            visuals.weak_text_color()
        } else {
            visuals.strong_text_color()
        };
        if let Some(response) = interact(rate_at, id, egui::Sense::click()) {
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &card.rate));
            let hover = if matches!(counts, Counts::Function(_)) {
                "Invocations in the last minute, from any source; click for the logs"
            } else {
                "Events passed to functions in the last minute; click for their logs"
            };
            logs_clicked |= response.on_hover_text(hover).clicked();
        }
        painter.galley(rate_at.min, Arc::clone(rate), rate_color);
        if let (Some(errors), Some(text)) = (errors, &card.errors) {
            let at = egui::Align2::RIGHT_CENTER.anchor_size(
                egui::pos2(rate_at.left() - 6.0 * zoom, center_y),
                errors.size(),
            );
            if let Some(response) = interact(at, id.with("errors"), egui::Sense::hover()) {
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text));
            }
            painter.galley(at.min, Arc::clone(errors), visuals.error_fg_color);
        }
        logs_clicked
    }
}

/// A card whose counts did not change, with its galleys.
fn old_card(card: &CardCount) -> Option<CardCount> {
    Some(CardCount {
        activity: card.activity,
        rate: card.rate.clone(),
        errors: card.errors.clone(),
        galleys: card.galleys.clone(),
    })
}

/// A trigger line lit by `pulse`: wider and brighter, with the event as a dot travelling
/// from the source to the function as the pulse fades.
pub fn pulse_line(
    painter: &egui::Painter,
    points: &[egui::Pos2],
    stroke: egui::Stroke,
    pulse: f32,
    zoom: f32,
) {
    let lit = egui::Stroke::new(
        stroke.width + 2.5 * pulse,
        stroke.color.gamma_multiply(1.0 + 0.5 * pulse),
    );
    painter.add(egui::Shape::line(points.to_vec(), lit));
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "an index into a few hundred points"
    )]
    let at = ((1.0 - pulse) * (points.len().saturating_sub(1)) as f32) as usize;
    if let Some(&dot) = points.get(at) {
        painter.circle_filled(dot, (2.0 + 2.5 * pulse) * zoom.min(1.0), lit.color);
    }
}
