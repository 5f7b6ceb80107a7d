use crate::console::{Console, FunctionUsage, format_usd};
use crate::model::Architecture;

/// The cost view: what each function cost this session, and what it would cost a month
/// at a given rate, with or without the free tier, on either architecture.
#[derive(Debug)]
pub struct CostView {
    function: Option<String>,
    requests_per_day: f64,
    free_tier: bool,
}

impl Default for CostView {
    fn default() -> Self {
        Self {
            function: None,
            requests_per_day: 100_000.0,
            free_tier: true,
        }
    }
}

impl CostView {
    pub fn ui(&mut self, ui: &mut egui::Ui, console: &Console) {
        let meter = console.meter();
        ui.heading("Cost");
        ui.weak("This session's invocations, priced at AWS Lambda's US East rates.");
        ui.add_space(6.0);
        let functions: Vec<(String, FunctionUsage)> = meter
            .functions()
            .map(|(name, usage)| (name.to_owned(), *usage))
            .collect();
        if functions.is_empty() {
            ui.weak("Nothing to price yet: run a function from its Test tab.");
            return;
        }
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
                for (name, usage) in &functions {
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
                    for (name, _) in &functions {
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
