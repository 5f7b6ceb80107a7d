use crate::console::{
    Command, ConsoleState, FunctionStatus, Notification, NotificationLevel, format_usd,
};

/// The bottom bar: the session's cost meter, the gateway, the Invoke API, the workspace,
/// and the newest notification not yet seen with a button that opens them all.
pub fn ui(
    ui: &mut egui::Ui,
    state: &ConsoleState,
    commands: &mut Vec<Command>,
    notifications_open: &mut bool,
) {
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
        if let Some(url) = &state.invoke_api_url {
            ui.label(format!("Invoke API {url}")).on_hover_text(format!(
                "Lambda's Invoke API for the AWS CLI and SDKs: aws lambda invoke --endpoint-url {url} --function-name NAME out.json"
            ));
            ui.separator();
        }
        let unseen = state.notifications.unseen().count();
        let button = if unseen == 0 {
            "Notifications".to_owned()
        } else {
            format!("Notifications ({unseen})")
        };
        if ui
            .selectable_label(*notifications_open, button)
            .on_hover_text("Everything lambdesk told you this session")
            .clicked()
        {
            *notifications_open = !*notifications_open;
            commands.push(Command::MarkNotificationsSeen);
        }
        if let Some(newest) = state.notifications.unseen().next_back() {
            let color = level_color(ui, newest.level);
            // One line however long the note: the full text is in the list and on hover.
            let first_line = newest.text.lines().next().unwrap_or_default();
            ui.add(egui::Label::new(egui::RichText::new(first_line).color(color)).truncate())
                .on_hover_text(&newest.text);
        } else {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(state.workspace_root.display().to_string()).weak(),
                )
                .truncate(),
            );
        }
    });
}

/// Every notification, newest first, with its time and level; Clear forgets them.
pub fn notifications_window_ui(
    ctx: &egui::Context,
    state: &ConsoleState,
    commands: &mut Vec<Command>,
    open: &mut bool,
) {
    if !*open {
        return;
    }
    egui::Window::new("Notifications")
        .open(open)
        .default_size([520.0, 320.0])
        .anchor(egui::Align2::RIGHT_BOTTOM, [-8.0, -36.0])
        .show(ctx, |ui| {
            if state.notifications.is_empty() {
                ui.weak("Nothing to report.");
                return;
            }
            if ui.button("Clear all").clicked() {
                commands.push(Command::ClearNotifications);
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                for notification in state.notifications.iter().rev() {
                    notification_ui(ui, notification);
                }
            });
        });
}

fn notification_ui(ui: &mut egui::Ui, notification: &Notification) {
    ui.horizontal_top(|ui| {
        ui.weak(notification.at.format("%H:%M:%S").to_string());
        let level = match notification.level {
            NotificationLevel::Info => "info",
            NotificationLevel::Warning => "warning",
            NotificationLevel::Error => "error",
        };
        ui.colored_label(level_color(ui, notification.level), level);
        ui.add(egui::Label::new(&notification.text).wrap().selectable(true));
    });
    ui.separator();
}

fn level_color(ui: &egui::Ui, level: NotificationLevel) -> egui::Color32 {
    match level {
        NotificationLevel::Info => ui.visuals().text_color(),
        NotificationLevel::Warning => ui.visuals().warn_fg_color,
        NotificationLevel::Error => ui.visuals().error_fg_color,
    }
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
