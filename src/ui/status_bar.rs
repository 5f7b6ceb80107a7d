use crate::console::{Command, ConsoleState, FunctionStatus, format_usd};

/// The bottom bar: the session's cost meter, and a message if there is one.
pub fn ui(ui: &mut egui::Ui, state: &ConsoleState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let totals = &state.totals;
        let noun = if totals.invocations == 1 {
            "invocation"
        } else {
            "invocations"
        };
        ui.label(format!(
            "{} {noun} · {:.6} GB-s · {}",
            totals.invocations,
            totals.gb_seconds,
            format_usd(totals.cost_usd)
        ));
        ui.separator();
        if let Some(url) = &state.gateway_url {
            ui.hyperlink_to(format!("HTTP gateway {url}"), url)
                .on_hover_text("Every http trigger of the workspace is served here");
            ui.separator();
        }
        ui.weak(state.workspace_root.display().to_string());
        if let Some(message) = &state.message {
            ui.separator();
            ui.colored_label(ui.visuals().error_fg_color, message);
            if ui.small_button("Dismiss").clicked() {
                commands.push(Command::DismissMessage);
            }
        }
    });
}

/// One colour per status, from the current theme.
pub fn status_color(ui: &egui::Ui, status: FunctionStatus) -> egui::Color32 {
    match status {
        FunctionStatus::NeverRun => ui.visuals().weak_text_color(),
        FunctionStatus::Running => ui.visuals().warn_fg_color,
        FunctionStatus::Ok => egui::Color32::from_rgb(0x3f, 0xb9, 0x50),
        FunctionStatus::Error => ui.visuals().error_fg_color,
    }
}
