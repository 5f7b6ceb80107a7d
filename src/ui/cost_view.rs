use crate::console::{
    Console, CostMeter, FunctionUsage, InvocationHistory, MetricsSeries, format_usd, metrics_series,
};
use crate::model::Architecture;

use super::monitor_charts;

/// What the charts' data was computed from: invocations so far, function, second.
type SeriesKey = (usize, Option<String>, i64);

/// The Monitor view: charts of this session's invocations over time, what each function
/// cost, and what it would cost a month at a given rate, with or without the free tier,
/// on either architecture.
#[derive(Debug)]
pub struct CostView {
    /// The function the charts show; `None` for all.
    charted: Option<String>,
    /// The charts' data and what it was computed from.
    series: Option<(MetricsSeries, SeriesKey)>,
    function: Option<String>,
    requests_per_day: f64,
    free_tier: bool,
}

impl Default for CostView {
    fn default() -> Self {
        Self {
            charted: None,
            series: None,
            function: None,
            requests_per_day: 100_000.0,
            free_tier: true,
        }
    }
}

impl CostView {
    pub fn ui(&mut self, ui: &mut egui::Ui, console: &Console) {
        let ledger = console.ledger();
        let meter = &ledger.meter;
        let functions: Vec<(String, FunctionUsage)> = meter
            .functions()
            .map(|(name, usage)| (name.to_owned(), *usage))
            .collect();
        ui.horizontal(|ui| {
            ui.heading("Monitor");
            ui.separator();
            ui.label("Function");
            let all = "All functions".to_owned();
            egui::ComboBox::from_id_salt("monitor_function")
                .selected_text(self.charted.as_ref().unwrap_or(&all))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.charted, None, all);
                    for (name, _) in &functions {
                        ui.selectable_value(&mut self.charted, Some(name.clone()), name);
                    }
                })
                .response
                .accessible_name("Charted function");
        });
        ui.weak("This session's invocations, priced at AWS Lambda's US East rates.");
        ui.add_space(6.0);
        if functions.is_empty() {
            ui.weak("Nothing to show yet: run a function from its Test tab.");
            return;
        }
        egui::ScrollArea::vertical()
            .id_salt("monitor_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.charts_ui(ui, &ledger.history);
                ui.add_space(12.0);
                self.cost_ui(ui, meter, &functions);
            });
    }

    fn charts_ui(&mut self, ui: &mut egui::Ui, history: &InvocationHistory) {
        let now = chrono::Utc::now();
        // Recomputed when an invocation finishes, the function changes, or a second passed.
        let key = (history.len(), self.charted.clone(), now.timestamp());
        if self
            .series
            .as_ref()
            .is_none_or(|(_, computed)| *computed != key)
        {
            let series = metrics_series(history, self.charted.as_deref(), now);
            self.series = Some((series, key));
        }
        if let Some((series, _)) = &self.series {
            monitor_charts::ui(ui, series);
            ui.weak(format!(
                "{} per bar; times are local",
                match series.period_secs {
                    secs if secs >= 3600 => format!("{} h", secs / 3600),
                    secs if secs >= 60 => format!("{} min", secs / 60),
                    secs => format!("{secs} s"),
                }
            ));
        }
    }

    fn cost_ui(
        &mut self,
        ui: &mut egui::Ui,
        meter: &CostMeter,
        functions: &[(String, FunctionUsage)],
    ) {
        ui.strong("Cost by function");
        egui::Grid::new("cost_table")
            .striped(true)
            .num_columns(6)
            .show(ui, |ui| {
                for header in [
                    "Function",
                    "Invocations",
                    "Errors",
                    "Avg billed",
                    "GB-seconds",
                    "Cost",
                ] {
                    ui.strong(header);
                }
                ui.end_row();
                for (name, usage) in functions {
                    ui.label(name);
                    ui.monospace(usage.invocations.to_string());
                    ui.monospace(usage.errors.to_string());
                    ui.monospace(format!("{:.1} ms", usage.average_billed_duration_ms()));
                    ui.monospace(format!("{:.6}", usage.gb_seconds));
                    ui.monospace(format_usd(usage.cost_usd));
                    ui.end_row();
                }
            });
        ui.add_space(12.0);
        ui.strong("Monthly projection");
        let function = self
            .function
            .clone()
            .filter(|name| functions.iter().any(|(known, _)| known == name))
            .unwrap_or_else(|| functions[0].0.clone());
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("for")
                .selected_text(&function)
                .show_ui(ui, |ui| {
                    for (name, _) in functions {
                        if ui.selectable_label(*name == function, name).clicked() {
                            self.function = Some(name.clone());
                        }
                    }
                });
            ui.label("at");
            ui.add(
                egui::DragValue::new(&mut self.requests_per_day)
                    .range(0.0..=1.0e9)
                    .speed(1000.0),
            )
            .accessible_name("Requests per day");
            ui.label("requests a day");
            ui.checkbox(&mut self.free_tier, "free tier");
        });
        for architecture in [Architecture::X86_64, Architecture::Arm64] {
            if let Some(cost) = meter.project_monthly(
                &function,
                self.requests_per_day,
                self.free_tier,
                Some(architecture),
            ) {
                ui.label(format!(
                    "{architecture}: {} a month ({:.0} GB-s, requests {}, duration {})",
                    format_usd(cost.total_usd()),
                    cost.gb_seconds,
                    format_usd(cost.requests_usd),
                    format_usd(cost.duration_usd)
                ));
            }
        }
    }
}
