//! The function overview at the top of the Configuration tab, as in the Lambda console:
//! the function in the middle, a card per trigger on the left, its destinations on the
//! right, lines between them. Cards open their form, toggle, or ask to be removed; while
//! triggers run, each card counts its events and errors and its line pulses as one passes.

use chrono::{DateTime, Utc};

use crate::console::{OverviewActivity, TriggerActivity, next_schedule_fire};
use crate::model::{Destination, FunctionConfig, Trigger};

use super::destination_form::DestinationSlot;
use super::live_activity::pulse_strength;

/// A running schedule's expression and when it fires next.
pub type ScheduleFire = (String, Option<DateTime<Utc>>);

/// Room for the header, the main line and the detail line with its activity.
const CARD_HEIGHT: f32 = 66.0;
const CARD_GAP: f32 = 8.0;
/// Room between the columns for the lines.
const LANE_WIDTH: f32 = 36.0;
const ADD_ROW_HEIGHT: f32 = 26.0;

/// What the user asked for on the overview this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverviewAction {
    EditTrigger(usize),
    SetEnabled(usize, bool),
    /// Asks first: the tab shows a confirmation.
    RemoveTrigger(usize),
    AddTrigger,
    EditDestination(DestinationSlot),
    RemoveDestination(DestinationSlot),
    AddDestination,
    /// Fire the trigger's source for real (the console does it; nothing is edited).
    SendTestEvent(usize),
    /// Show the Logs view filtered to this function (the trigger's invocations).
    ShowTriggerLogs(usize),
    /// Show the Logs view filtered to the destination's function.
    ShowDestinationLogs(DestinationSlot),
}

/// What the overview shows about the function.
pub struct OverviewFacts<'a> {
    pub function: &'a str,
    pub config: &'a FunctionConfig,
    pub gateway_url: Option<&'a str>,
    pub fires: &'a [ScheduleFire],
    /// What passed through each card in the last minute.
    pub activity: &'a OverviewActivity,
    pub now: DateTime<Utc>,
}

/// A trigger card's two lines: the source, then what it is.
fn trigger_lines(trigger: &Trigger, facts: &OverviewFacts<'_>) -> (&'static str, String, String) {
    match trigger {
        Trigger::Http { route, .. } => {
            let url = facts.gateway_url.map_or_else(
                || "the HTTP gateway is not running".to_owned(),
                |url| {
                    let path = route.split_once(' ').map_or("/", |(_, path)| path);
                    format!("{url}{path}")
                },
            );
            ("HTTP route", route.clone(), url)
        }
        Trigger::Bucket {
            bucket,
            events,
            prefix,
            suffix,
            ..
        } => {
            let mut parts = vec![bucket.clone()];
            parts.extend(prefix.clone());
            parts.extend(suffix.as_ref().map(|suffix| format!("*{suffix}")));
            let events = events
                .iter()
                .map(|event| {
                    let event = event.trim_start_matches("s3:");
                    event.strip_suffix(":*").unwrap_or(event).to_owned()
                })
                .collect::<Vec<_>>()
                .join(", ");
            parts.push(events);
            ("Bucket", parts.join(" · "), String::new())
        }
        Trigger::Schedule {
            expression,
            timezone,
            ..
        } => {
            let next = facts
                .fires
                .iter()
                .find(|(running, _)| running == expression)
                .map_or_else(
                    // Not running (switched off, or no engine): from now.
                    || next_schedule_fire(expression, timezone.as_deref()),
                    |(_, next)| Ok(*next),
                );
            let detail = match next {
                Ok(Some(next)) => format!(
                    "next {}",
                    next.with_timezone(&chrono::Local).format("%H:%M")
                ),
                Ok(None) => "never fires again".to_owned(),
                Err(problem) => problem,
            };
            (
                "Schedule",
                format!("{expression} · {detail}"),
                String::new(),
            )
        }
        Trigger::Queue {
            queue,
            batch_size,
            maximum_batching_window_secs,
            report_batch_item_failures,
            ..
        } => {
            let mut detail = Vec::new();
            if let Some(window_secs) = maximum_batching_window_secs {
                detail.push(format!("window {window_secs} s"));
            }
            if *report_batch_item_failures {
                detail.push("reports item failures".to_owned());
            }
            (
                "Queue",
                format!("{queue} · batch {batch_size}"),
                detail.join(" · "),
            )
        }
        Trigger::Topic {
            topic,
            filter_policy,
            ..
        } => (
            "Topic",
            format!(
                "{topic} · {}",
                if filter_policy.is_some() {
                    "filter policy"
                } else {
                    "every message"
                }
            ),
            filter_policy
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
    }
}

fn destination_text(destination: &Destination) -> String {
    match destination {
        Destination::Function(name) => format!("function {name}"),
        Destination::Queue(name) => format!("queue {name}"),
        Destination::Topic(name) => format!("topic {name}"),
        Destination::Bucket(name) => format!("bucket {name}"),
    }
}

/// A link from `from` (a card's or the function's edge) to `to`, as a gentle S-curve;
/// `pulse` (1 as an event passes, fading to 0) thickens it and sends a dot along it.
fn link(
    painter: &egui::Painter,
    from: egui::Pos2,
    to: egui::Pos2,
    stroke: egui::Stroke,
    pulse: f32,
) {
    let bend = (to.x - from.x) * 0.5;
    let stroke = if pulse > 0.0 {
        egui::Stroke::new(
            stroke.width + 2.5 * pulse,
            stroke.color.gamma_multiply(1.0 + 0.5 * pulse),
        )
    } else {
        stroke
    };
    let curve = egui::epaint::CubicBezierShape::from_points_stroke(
        [
            from,
            from + egui::vec2(bend, 0.0),
            to - egui::vec2(bend, 0.0),
            to,
        ],
        false,
        egui::Color32::TRANSPARENT,
        stroke,
    );
    if pulse > 0.0 {
        // The event travels from the source to the target as the pulse fades.
        painter.circle_filled(curve.sample(1.0 - pulse), 2.0 + 2.5 * pulse, stroke.color);
    }
    painter.add(curve);
    painter.circle_filled(to, 3.0, stroke.color);
}

/// The words of a card: its title, main and detail lines, and what clicking it does.
struct CardText<'a> {
    title: &'a str,
    main: &'a str,
    detail: &'a str,
    edit_label: &'a str,
}

/// What a card counts, and the accessible name of its Logs link.
struct CardActivity<'a> {
    activity: &'a TriggerActivity,
    logs_label: String,
}

/// What was clicked on a card (its controls report through their closures).
#[derive(Default)]
struct CardClicks {
    edit: bool,
    logs: bool,
}

/// "12/min · 2 errors" (errors in the error colour) and a Logs link, right to left.
fn activity_ui(ui: &mut egui::Ui, card: &CardActivity<'_>) -> bool {
    let logs = ui
        .add(egui::Link::new(egui::RichText::new("Logs").small()))
        .accessible_name(&card.logs_label)
        .on_hover_text("Show this function's logs")
        .clicked();
    let activity = card.activity;
    if activity.errors_last_minute > 0 {
        let errors = activity.errors_last_minute;
        let text = if errors == 1 {
            "1 error".to_owned()
        } else {
            format!("{errors} errors")
        };
        ui.add(
            egui::Label::new(
                egui::RichText::new(text)
                    .small()
                    .color(ui.visuals().error_fg_color),
            )
            .selectable(false),
        )
        .on_hover_text("Invocations that returned an error in the last minute");
    }
    let rate = egui::RichText::new(format!("{}/min", activity.per_minute)).small();
    let rate = if activity.per_minute == 0 {
        rate.weak()
    } else {
        rate.strong()
    };
    ui.add(egui::Label::new(rate).selectable(false))
        .on_hover_text("Events passed to the function in the last minute");
    logs
}

/// One card: a frame at `rect` with a header (title and the controls `header_ui` adds at
/// its right), a main line (with what `main_ui` adds at its right) and a weak detail line
/// (with the card's activity at its right); clicking elsewhere on it is `edit_label`.
fn card_ui(
    ui: &mut egui::Ui,
    rect: egui::Rect,
    dimmed: bool,
    text: &CardText<'_>,
    header_ui: impl FnOnce(&mut egui::Ui),
    main_ui: impl FnOnce(&mut egui::Ui),
    activity: Option<&CardActivity<'_>>,
) -> CardClicks {
    let CardText {
        title,
        main,
        detail,
        edit_label,
    } = *text;
    let id = ui.make_persistent_id(("overview_card", edit_label, rect.min.y.to_bits()));
    // Interacted before the controls are added, so the controls sit on top of it.
    let click = ui.interact(rect, id, egui::Sense::click());
    click.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, edit_label));
    let click = click.on_hover_text("Click to edit");
    let visuals = ui.visuals();
    let fill = if click.hovered() {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        visuals.extreme_bg_color
    };
    let stroke = if click.hovered() {
        visuals.widgets.hovered.bg_stroke
    } else {
        visuals.widgets.noninteractive.bg_stroke
    };
    ui.painter()
        .rect(rect, 6.0, fill, stroke, egui::StrokeKind::Inside);
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect.shrink2(egui::vec2(8.0, 4.0)))
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    if dimmed {
        child.multiply_opacity(0.55);
    }
    child.horizontal(|ui| {
        // Not selectable: selectable text would take the click that opens the form.
        ui.add(egui::Label::new(egui::RichText::new(title).small().strong()).selectable(false));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), header_ui);
    });
    // The main line gives way to its controls (it is truncated, they are not).
    egui::Sides::new().shrink_left().truncate().show(
        &mut child,
        |ui| ui.add(egui::Label::new(main).selectable(false)),
        main_ui,
    );
    let detail_label = egui::Label::new(egui::RichText::new(detail).small().weak())
        .truncate()
        .selectable(false);
    let mut logs = false;
    if let Some(activity) = activity {
        egui::Sides::new().shrink_left().truncate().show(
            &mut child,
            |ui| ui.add(detail_label),
            |ui| logs = activity_ui(ui, activity),
        );
    } else if !detail.is_empty() {
        child.add(detail_label);
    }
    CardClicks {
        edit: click.clicked(),
        logs,
    }
}

/// Draws the overview; returns what the user asked for.
pub fn overview_ui(ui: &mut egui::Ui, facts: &OverviewFacts<'_>) -> Option<OverviewAction> {
    let config = facts.config;
    let destinations: Vec<(DestinationSlot, &Destination)> = [
        (DestinationSlot::OnSuccess, &config.destinations.on_success),
        (DestinationSlot::OnFailure, &config.destinations.on_failure),
    ]
    .into_iter()
    .filter_map(|(slot, destination)| destination.as_ref().map(|destination| (slot, destination)))
    .collect();
    let rows = config.triggers.len().max(destinations.len()).max(1);
    #[expect(clippy::cast_precision_loss, reason = "a handful of cards")]
    let cards_height = rows as f32 * (CARD_HEIGHT + CARD_GAP);
    let width = ui.available_width();
    let (area, _) = ui.allocate_exact_size(
        egui::vec2(width, cards_height + ADD_ROW_HEIGHT),
        egui::Sense::hover(),
    );
    let center_width = ((width - 2.0 * LANE_WIDTH) * 0.2).clamp(110.0, 180.0);
    let side_width = ((width - 2.0 * LANE_WIDTH - center_width) / 2.0).clamp(150.0, 360.0);
    let left = egui::Rect::from_min_size(area.min, egui::vec2(side_width, cards_height));
    let center_x = left.max.x + LANE_WIDTH;
    let right_x = center_x + center_width + LANE_WIDTH;
    let function_rect = egui::Rect::from_center_size(
        egui::pos2(
            center_x + center_width / 2.0,
            area.min.y + cards_height / 2.0 - CARD_GAP / 2.0,
        ),
        egui::vec2(center_width, CARD_HEIGHT + 8.0),
    );
    let card_rect = |x: f32, row: usize| {
        #[expect(clippy::cast_precision_loss, reason = "a handful of cards")]
        let y = area.min.y + row as f32 * (CARD_HEIGHT + CARD_GAP);
        egui::Rect::from_min_size(egui::pos2(x, y), egui::vec2(side_width, CARD_HEIGHT))
    };
    // Rows are centred on the function when one side has fewer cards.
    let offset = |count: usize| (rows - count.max(1)) / 2;

    let visuals = ui.visuals().clone();
    let line_on = egui::Stroke::new(1.5, visuals.selection.bg_fill);
    let line_off = egui::Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color);
    let mut action = None;

    let trigger_offset = offset(config.triggers.len());
    for (index, trigger) in config.triggers.iter().enumerate() {
        let rect = card_rect(area.min.x, index + trigger_offset);
        let stroke = if trigger.is_enabled() {
            line_on
        } else {
            line_off
        };
        let no_activity = TriggerActivity::default();
        let activity = facts.activity.triggers.get(index).unwrap_or(&no_activity);
        link(
            ui.painter(),
            rect.right_center(),
            function_rect.left_center(),
            stroke,
            pulse_strength(activity, facts.now),
        );
        let (title, main, detail) = trigger_lines(trigger, facts);
        let mut enabled = trigger.is_enabled();
        let running = enabled;
        let mut send_test_event = false;
        let edit_label = format!("Edit {}", trigger.summary());
        let text = CardText {
            title,
            main: &main,
            detail: &detail,
            edit_label: &edit_label,
        };
        let card_activity = CardActivity {
            activity,
            logs_label: format!("Logs of {}", trigger.summary()),
        };
        let clicks = card_ui(
            ui,
            rect,
            !enabled,
            &text,
            |ui| {
                if ui.small_button("Remove").clicked() {
                    action = Some(OverviewAction::RemoveTrigger(index));
                }
                if ui
                    .checkbox(&mut enabled, "Enabled")
                    .on_hover_text("Enabled: switched off, it stays configured")
                    .changed()
                {
                    action = Some(OverviewAction::SetEnabled(index, enabled));
                }
            },
            |ui| {
                send_test_event = ui
                    .add_enabled(running, egui::Button::new("Send test event").small())
                    .on_hover_text("Fire this source for real; the invocation shows in Logs")
                    .on_disabled_hover_text("Switched off: nothing would pick it up")
                    .clicked();
            },
            Some(&card_activity),
        );
        if send_test_event {
            action = Some(OverviewAction::SendTestEvent(index));
        }
        if clicks.logs {
            action = Some(OverviewAction::ShowTriggerLogs(index));
        }
        if clicks.edit && action.is_none() {
            action = Some(OverviewAction::EditTrigger(index));
        }
    }
    if config.triggers.is_empty() {
        let rect = card_rect(area.min.x, trigger_offset);
        ui.put(
            rect,
            egui::Label::new(egui::RichText::new("No triggers yet").weak()),
        );
    }

    let destination_offset = offset(destinations.len());
    for (row, (slot, destination)) in destinations.iter().enumerate() {
        let rect = card_rect(right_x, row + destination_offset);
        let stroke = match slot {
            DestinationSlot::OnSuccess => line_on,
            DestinationSlot::OnFailure => egui::Stroke::new(1.5, visuals.warn_fg_color),
        };
        // Only a function destination's deliveries are in the history (see the console).
        let activity = match slot {
            DestinationSlot::OnSuccess => &facts.activity.on_success,
            DestinationSlot::OnFailure => &facts.activity.on_failure,
        };
        link(
            ui.painter(),
            function_rect.right_center(),
            rect.left_center(),
            stroke,
            pulse_strength(activity, facts.now),
        );
        let edit_label = format!("Edit {} destination", slot.label().to_lowercase());
        let card_activity = matches!(destination, Destination::Function(_)).then(|| CardActivity {
            activity,
            logs_label: format!("Logs of the {} destination", slot.label().to_lowercase()),
        });
        let main = destination_text(destination);
        let text = CardText {
            title: slot.label(),
            main: &main,
            detail: "asynchronous invocations",
            edit_label: &edit_label,
        };
        let clicks = card_ui(
            ui,
            rect,
            false,
            &text,
            |ui| {
                if ui.small_button("Remove").clicked() {
                    action = Some(OverviewAction::RemoveDestination(*slot));
                }
            },
            |_| {},
            card_activity.as_ref(),
        );
        if clicks.logs {
            action = Some(OverviewAction::ShowDestinationLogs(*slot));
        }
        if clicks.edit && action.is_none() {
            action = Some(OverviewAction::EditDestination(*slot));
        }
    }

    // The function, drawn last so the lines end under its edge.
    ui.painter().rect(
        function_rect,
        8.0,
        visuals.widgets.inactive.weak_bg_fill,
        egui::Stroke::new(1.5, visuals.selection.bg_fill),
        egui::StrokeKind::Inside,
    );
    ui.painter().text(
        function_rect.center() - egui::vec2(0.0, 9.0),
        egui::Align2::CENTER_CENTER,
        facts.function,
        egui::FontId::proportional(15.0),
        visuals.strong_text_color(),
    );
    ui.painter().text(
        function_rect.center() + egui::vec2(0.0, 11.0),
        egui::Align2::CENTER_CENTER,
        format!(
            "{}{} · {} MB · {} s",
            config.runtime.id(),
            if config.runtime.is_native_process() {
                " (native process)"
            } else {
                ""
            },
            config.memory_mb,
            config.timeout_secs
        ),
        egui::FontId::proportional(11.0),
        visuals.weak_text_color(),
    );

    let add_row = |x: f32| {
        egui::Rect::from_min_size(
            egui::pos2(x, area.min.y + cards_height + 2.0),
            egui::vec2(140.0_f32.min(side_width), ADD_ROW_HEIGHT - 4.0),
        )
    };
    if ui
        .put(add_row(area.min.x), egui::Button::new("+ Add trigger"))
        .clicked()
    {
        action = Some(OverviewAction::AddTrigger);
    }
    if destinations.len() < 2
        && ui
            .put(add_row(right_x), egui::Button::new("+ Add destination"))
            .clicked()
    {
        action = Some(OverviewAction::AddDestination);
    }
    action
}
