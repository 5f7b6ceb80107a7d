//! The Monitor's four charts over time, like the Lambda console's Monitor tab:
//! invocations, duration p50/p99, errors, and cost per period.

use chrono::{DateTime, Local, Utc};
use egui_plot::{Bar, BarChart, GridInput, GridMark, Legend, Line, Plot, PlotPoints};

use crate::console::{MetricsPeriod, MetricsSeries, format_usd};

const CHART_HEIGHT: f32 = 150.0;

/// The time of a chart's x value (seconds since the epoch), in local time.
fn clock_label(unix_secs: f64, period_secs: i64) -> String {
    #[expect(clippy::cast_possible_truncation, reason = "seconds on a chart axis")]
    let Some(time) = DateTime::<Utc>::from_timestamp(unix_secs.round() as i64, 0) else {
        return String::new();
    };
    let local = time.with_timezone(&Local);
    if period_secs >= 86_400 {
        local.format("%b %d").to_string()
    } else if period_secs >= 60 {
        local.format("%H:%M").to_string()
    } else {
        local.format("%H:%M:%S").to_string()
    }
}

/// Each period with the x of its centre (seconds since the epoch), and half its width.
fn centred(series: &MetricsSeries) -> (f64, impl Iterator<Item = (f64, &MetricsPeriod)>) {
    #[expect(
        clippy::cast_precision_loss,
        reason = "seconds since the epoch fit f64"
    )]
    let half_period = series.period_secs as f64 / 2.0;
    let periods = series.periods.iter().map(move |period| {
        #[expect(
            clippy::cast_precision_loss,
            reason = "seconds since the epoch fit f64"
        )]
        let x = period.start_unix_secs as f64 + half_period;
        (x, period)
    });
    (half_period, periods)
}

/// Bars centred on their period, one per period.
fn bars(series: &MetricsSeries, value: impl Fn(&MetricsPeriod) -> f64) -> Vec<Bar> {
    let (half_period, periods) = centred(series);
    periods
        .map(|(x, period)| Bar::new(x, value(period)).width(half_period * 1.6))
        .collect()
}

/// A line through the periods that have a value.
fn points(
    series: &MetricsSeries,
    value: impl Fn(&MetricsPeriod) -> Option<f64>,
) -> PlotPoints<'static> {
    let (_, periods) = centred(series);
    periods
        .filter_map(|(x, period)| Some([x, value(period)?]))
        .collect::<Vec<_>>()
        .into()
}

/// Clock-friendly steps for the time axis, in seconds.
const TIME_STEPS_SECS: [f64; 14] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 86_400.0,
];

/// Marks on whole seconds, minutes or hours: about five labels across the chart.
#[expect(
    clippy::needless_pass_by_value,
    reason = "the signature egui_plot's grid spacer takes"
)]
fn time_marks(input: GridInput) -> Vec<GridMark> {
    let (min, max) = input.bounds;
    let wanted_step = ((max - min) / 5.0).max(input.base_step_size);
    let step = TIME_STEPS_SECS
        .into_iter()
        .find(|step| *step >= wanted_step)
        .unwrap_or(86_400.0);
    let mut marks = Vec::new();
    let mut value = (min / step).ceil() * step;
    while value <= max && marks.len() < 100 {
        marks.push(GridMark {
            value,
            step_size: step,
        });
        value += step;
    }
    marks
}

/// The x range every chart shows: the session's periods, so the four line up.
fn x_range(series: &MetricsSeries) -> (f64, f64) {
    let first = series
        .periods
        .first()
        .map_or(0, |period| period.start_unix_secs);
    let last = series
        .periods
        .last()
        .map_or(0, |period| period.start_unix_secs + series.period_secs);
    #[expect(
        clippy::cast_precision_loss,
        reason = "seconds since the epoch fit f64"
    )]
    (first as f64, last as f64)
}

/// A chart with its title above it (a label, so it is read out and findable).
fn chart<'a>(ui: &mut egui::Ui, id: &str, title: &str, series: &MetricsSeries) -> Plot<'a> {
    ui.strong(title);
    let period_secs = series.period_secs;
    let (x_min, x_max) = x_range(series);
    Plot::new(id.to_owned())
        .height(CHART_HEIGHT)
        .default_x_bounds(x_min, x_max)
        .x_grid_spacer(time_marks)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .y_axis_min_width(48.0)
        .x_axis_formatter(move |mark: GridMark, _| clock_label(mark.value, period_secs))
        .label_formatter(|_| None)
        .legend(Legend::default())
}

/// Draws the charts in a 2×2 grid.
pub fn ui(ui: &mut egui::Ui, series: &MetricsSeries) {
    let ok_color = egui::Color32::from_rgb(0x3f, 0xb9, 0x50);
    let error_color = ui.visuals().error_fg_color;
    // The x axis centres its last time label on the chart's right edge: keep room for
    // the half of it that sticks out, or a narrow window cuts it off.
    const LAST_LABEL_OVERHANG: f32 = 32.0;
    let half_width = ((ui.available_width() - ui.spacing().item_spacing.x - LAST_LABEL_OVERHANG)
        / 2.0)
        .max(200.0);
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half_width);
            chart(ui, "invocations_chart", "Invocations", series)
                .include_y(1.0)
                .show(ui, |plot| {
                    plot.bar_chart(
                        BarChart::new("Invocations", bars(series, |p| p.invocations as f64))
                            .color(egui::Color32::from_rgb(0x4a, 0x90, 0xe2)),
                    );
                });
        });
        ui.vertical(|ui| {
            ui.set_width(half_width);
            chart(ui, "duration_chart", "Duration p50 / p99 (ms)", series).show(ui, |plot| {
                plot.line(Line::new("p50", points(series, |p| p.duration_p50_ms)).color(ok_color));
                plot.line(
                    Line::new("p99", points(series, |p| p.duration_p99_ms))
                        .color(egui::Color32::from_rgb(0xe2, 0x9a, 0x4a)),
                );
            });
        });
    });
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half_width);
            chart(ui, "errors_chart", "Error count", series)
                .include_y(1.0)
                .show(ui, |plot| {
                    plot.bar_chart(
                        BarChart::new("Errors", bars(series, |p| p.errors as f64))
                            .color(error_color),
                    );
                });
        });
        ui.vertical(|ui| {
            ui.set_width(half_width);
            chart(ui, "cost_chart", "Cost (USD)", series)
                .y_axis_formatter(|mark: GridMark, _| format_usd(mark.value))
                .show(ui, |plot| {
                    plot.bar_chart(
                        BarChart::new("Cost", bars(series, |p| p.cost_usd))
                            .color(egui::Color32::from_rgb(0x9b, 0x6a, 0xd6)),
                    );
                });
        });
    });
}
