//! The overview's live activity, kept between frames: counting walks the last minute of
//! the session's history, so it runs when an invocation was recorded (at most ten times
//! a second) or once a second for the counts to fall as the minute passes, not per frame.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

use crate::console::{Console, OverviewActivity, TriggerActivity, overview_activity};
use crate::model::{Destinations, FunctionConfig, Trigger};

/// How long a line stays lit after an event passed it.
pub const PULSE: TimeDelta = TimeDelta::seconds(1);
/// New invocations are counted at most this often.
const RECOUNT_AFTER_CHANGE: Duration = Duration::from_millis(100);
/// Counts fall as the minute passes even when nothing new runs.
const RECOUNT_ANYWAY: Duration = Duration::from_secs(1);
/// Frames while a pulse fades: smooth enough, and nothing while all is quiet.
const PULSE_FRAME: Duration = Duration::from_millis(33);

#[derive(Debug, Default)]
pub struct LiveActivity {
    counted: Option<Counted>,
}

#[derive(Debug)]
struct Counted {
    at: Instant,
    function: String,
    triggers: Vec<Trigger>,
    destinations: Destinations,
    /// The newest invocation in the history when counted.
    newest_request_id: Option<String>,
    activity: OverviewActivity,
}

impl LiveActivity {
    /// The activity of `function`'s cards, counted again if it is due, and the frames it
    /// needs asked for.
    pub fn refresh(
        &mut self,
        ctx: &egui::Context,
        console: &Console,
        function: &str,
        config: &FunctionConfig,
    ) -> &OverviewActivity {
        let ledger = console.ledger();
        let newest = ledger.history.iter().next_back().map(|s| &s.request_id);
        let due = match &self.counted {
            None => true,
            Some(counted) => {
                let elapsed = counted.at.elapsed();
                let changed = counted.newest_request_id.as_ref() != newest;
                if changed && elapsed < RECOUNT_AFTER_CHANGE {
                    // Counted a moment ago: count the news on a frame soon after.
                    ctx.request_repaint_after(RECOUNT_AFTER_CHANGE - elapsed);
                }
                counted.function != function
                    || counted.triggers != config.triggers
                    || counted.destinations != config.destinations
                    || elapsed >= RECOUNT_ANYWAY
                    || (changed && elapsed >= RECOUNT_AFTER_CHANGE)
            }
        };
        if due {
            let activity = overview_activity(&ledger.history, function, config, Utc::now());
            self.counted = Some(Counted {
                at: Instant::now(),
                function: function.to_owned(),
                triggers: config.triggers.clone(),
                destinations: config.destinations.clone(),
                newest_request_id: newest.cloned(),
                activity,
            });
        }
        drop(ledger);
        let activity = &self
            .counted
            .as_ref()
            .expect("counted just above when missing")
            .activity;
        request_repaints(ctx, activity, Utc::now());
        activity
    }
}

/// How lit a line is, from 1 as an event passes down to 0 after `PULSE`.
pub fn pulse_strength(activity: &TriggerActivity, now: DateTime<Utc>) -> f32 {
    let Some(last_at) = activity.last_at else {
        return 0.0;
    };
    let age_ms = (now - last_at).num_milliseconds();
    if !(0..PULSE.num_milliseconds()).contains(&age_ms) {
        return 0.0;
    }
    #[expect(clippy::cast_precision_loss, reason = "under a second of milliseconds")]
    let strength = 1.0 - age_ms as f32 / PULSE.num_milliseconds() as f32;
    strength
}

/// Asks for the frames the overview's activity needs: quick ones while a pulse fades,
/// one a second while the counts of the last minute fall, none when all is quiet.
fn request_repaints(ctx: &egui::Context, activity: &OverviewActivity, now: DateTime<Utc>) {
    let cards = || {
        activity
            .triggers
            .iter()
            .chain([&activity.on_success, &activity.on_failure])
    };
    if cards().any(|card| pulse_strength(card, now) > 0.0) {
        ctx.request_repaint_after(PULSE_FRAME);
    } else if cards().any(|card| card.per_minute > 0) {
        ctx.request_repaint_after(RECOUNT_ANYWAY);
    }
}
