//! What is selected on the workspace map (a card or a line), the strip that shows it with
//! its actions (Open, Logs, Delete…), the confirmation a deletion asks first (listing
//! everything that goes with it), and the map's keys: Delete, Ctrl+Z, Ctrl+Shift+Z.

use super::map_connect::MapRequest;
use crate::console::{Command, Console};
use crate::model::{EdgeKind, MapSelection, NodeKind};

/// How far from a line a click still selects it, in points.
pub const LINE_HIT_DISTANCE: f32 = 6.0;

/// The selection and the open confirmation.
#[derive(Debug, Default)]
pub struct MapSelectionState {
    pub selected: Option<MapSelection>,
    /// "Delete …?": what the deletion removes, or why it cannot be done.
    confirm: Option<(MapSelection, Result<Vec<String>, String>)>,
}

/// A line's meaning, in words.
fn line_title(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Trigger => "Trigger",
        EdgeKind::OnSuccess => "On-success destination",
        EdgeKind::OnFailure => "On-failure destination",
        EdgeKind::Subscription => "Subscription",
        EdgeKind::DeadLetter => "Dead-letter queue",
        EdgeKind::PermittedWrite => "Permission to write",
    }
}

/// "queue orders -> function hello", "Queue orders": a selection in a sentence.
pub fn describe(selection: &MapSelection) -> String {
    match selection {
        MapSelection::Card(node) => format!("{} {}", node.kind.title(), node.label()),
        MapSelection::Line { from, to, kind } => format!(
            "{}: {} -> {}",
            line_title(*kind),
            from.describe(),
            to.describe()
        ),
    }
}

/// The distance from `point` to the polyline `points`.
pub fn distance_to_line(points: &[egui::Pos2], point: egui::Pos2) -> f32 {
    points
        .windows(2)
        .map(|segment| {
            let (a, b) = (segment[0], segment[1]);
            let along = b - a;
            let length_sq = along.length_sq();
            let t = if length_sq > 0.0 {
                ((point - a).dot(along) / length_sq).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (a + along * t).distance(point)
        })
        .fold(f32::INFINITY, f32::min)
}

impl MapSelectionState {
    /// Forgets a selection whose card or line is gone (the files changed).
    pub fn keep_if(&mut self, exists: impl Fn(&MapSelection) -> bool) {
        if self
            .selected
            .as_ref()
            .is_some_and(|selected| !exists(selected))
        {
            self.selected = None;
        }
    }

    /// Asks to delete the selection: a function goes through its page's own confirmation;
    /// anything else is worked out now and listed in the confirmation.
    fn ask_delete(&mut self, console: &Console) -> Option<MapRequest> {
        let selection = self.selected.clone()?;
        if let MapSelection::Card(node) = &selection
            && node.kind == NodeKind::Function
        {
            return Some(MapRequest::DeleteFunction(node.key.clone()));
        }
        let planned = console
            .workspace()
            .plan_removal(&selection)
            .map(|removal| removal.removes)
            .map_err(|error| error.to_string());
        self.confirm = Some((selection, planned));
        None
    }

    /// The map's keys, unless a text field has the keyboard (a clicked card has the focus
    /// too, and must still take Delete).
    pub fn keys(
        &mut self,
        ui: &egui::Ui,
        console: &Console,
        commands: &mut Vec<Command>,
    ) -> Option<MapRequest> {
        if ui.ctx().text_edit_focused() {
            return None;
        }
        let redo = ui.input_mut(|input| {
            input.consume_key(
                egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
                egui::Key::Z,
            ) || input.consume_key(egui::Modifiers::COMMAND, egui::Key::Y)
        });
        let undo = ui.input_mut(|input| input.consume_key(egui::Modifiers::COMMAND, egui::Key::Z));
        if redo {
            commands.push(Command::Redo);
        } else if undo {
            commands.push(Command::Undo);
        }
        let (delete, escape) = ui.input(|input| {
            (
                input.key_pressed(egui::Key::Delete) || input.key_pressed(egui::Key::Backspace),
                input.key_pressed(egui::Key::Escape),
            )
        });
        if escape {
            if self.confirm.is_some() {
                self.confirm = None;
            } else {
                self.selected = None;
            }
        }
        if delete && self.confirm.is_none() {
            return self.ask_delete(console);
        }
        None
    }

    /// The strip under the toolbar: the selection and what can be done with it, or how
    /// to use the map (one row either way, so a click never moves the cards).
    pub fn strip_ui(&mut self, ui: &mut egui::Ui, console: &Console) -> Option<MapRequest> {
        let Some(selected) = self.selected.clone() else {
            ui.horizontal(|ui| {
                ui.set_min_height(ui.spacing().interact_size.y);
                ui.label(
                    egui::RichText::new(
                        "Drag the background to move the map, a card to move it, a circle on a card's edge to \
                         another card to connect them; click a card or line to select it; scroll to zoom.",
                    )
                    .small()
                    .weak(),
                );
            });
            return None;
        };
        let mut request = None;
        ui.horizontal(|ui| {
            ui.set_min_height(ui.spacing().interact_size.y);
            ui.label(egui::RichText::new(format!("Selected: {}", describe(&selected))).strong());
            match &selected {
                MapSelection::Card(node) if node.kind == NodeKind::Function => {
                    if ui.button("Open").clicked() {
                        request = Some(MapRequest::Open(node.key.clone()));
                    }
                    if ui.button("Show logs").clicked() {
                        request = Some(MapRequest::Logs(node.key.clone()));
                    }
                }
                MapSelection::Card(node) => {
                    if ui
                        .button("Show logs")
                        .on_hover_text("The logs of the invocations this source caused")
                        .clicked()
                    {
                        request = Some(MapRequest::SourceLogs(node.clone()));
                    }
                }
                MapSelection::Line { from, to, kind } => {
                    let function = if *kind == EdgeKind::Trigger { to } else { from };
                    if function.kind == NodeKind::Function
                        && ui.button(format!("Open {}", function.key)).clicked()
                    {
                        request = Some(MapRequest::Open(function.key.clone()));
                    }
                }
            }
            if ui
                .button("Delete...")
                .on_hover_text("Delete it (asks first; Ctrl+Z undoes)")
                .clicked()
            {
                request = request.take().or_else(|| self.ask_delete(console));
            }
        });
        request
    }

    /// "Delete …?" with the list of what goes, Delete and Cancel.
    pub fn confirm_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let Some((selection, planned)) = &self.confirm else {
            return;
        };
        let mut close = false;
        egui::Window::new(format!("Delete {}", describe(selection)))
            .collapsible(false)
            .min_width(380.0)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                match planned {
                    Ok(removes) => {
                        ui.label("This removes:");
                        for line in removes {
                            ui.label(format!("• {line}"));
                        }
                        ui.weak("The files are edited in place; Ctrl+Z on the map undoes it.");
                    }
                    Err(problem) => {
                        ui.colored_label(ui.visuals().error_fg_color, problem);
                    }
                }
                ui.horizontal(|ui| {
                    if planned.is_ok() && ui.button("Delete").clicked() {
                        commands.push(Command::RemoveFromMap {
                            selection: selection.clone(),
                        });
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            });
        if close {
            if self
                .confirm
                .as_ref()
                .is_some_and(|(_, planned)| planned.is_ok())
                && commands
                    .iter()
                    .any(|command| matches!(command, Command::RemoveFromMap { .. }))
            {
                self.selected = None;
            }
            self.confirm = None;
        }
    }
}
