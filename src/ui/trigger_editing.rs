//! What the function overview's cards and forms change in `function.toml`, and the open
//! form or confirmation between the user's click and the change.

use crate::console::Command;
use crate::model::{Destination, FunctionConfig, Trigger, Workspace};

use super::destination_form::{DestinationForm, DestinationOutcome, DestinationSlot};
use super::function_overview::OverviewAction;
use super::trigger_form::{FormContext, FormOutcome, TriggerForm};

/// One change the overview makes to a function's configuration; saved on its own, so
/// only the keys it touches are written.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigChange {
    /// Replace trigger `index`, or (`None`) append one.
    SetTrigger(Option<usize>, Trigger),
    SetEnabled(usize, bool),
    RemoveTrigger(usize),
    SetDestination(DestinationSlot, Option<Destination>),
}

impl ConfigChange {
    pub fn apply(&self, config: &mut FunctionConfig) {
        match self {
            Self::SetTrigger(Some(index), trigger) => {
                if let Some(slot) = config.triggers.get_mut(*index) {
                    *slot = trigger.clone();
                }
            }
            Self::SetTrigger(None, trigger) => config.triggers.push(trigger.clone()),
            Self::SetEnabled(index, enabled) => {
                if let Some(trigger) = config.triggers.get_mut(*index) {
                    trigger.set_enabled(*enabled);
                }
            }
            Self::RemoveTrigger(index) => {
                if *index < config.triggers.len() {
                    config.triggers.remove(*index);
                }
            }
            Self::SetDestination(slot, destination) => {
                let target = match slot {
                    DestinationSlot::OnSuccess => &mut config.destinations.on_success,
                    DestinationSlot::OnFailure => &mut config.destinations.on_failure,
                };
                target.clone_from(destination);
            }
        }
    }
}

/// What is open over the overview.
#[derive(Debug, Clone, Default)]
pub enum OverviewEditor {
    #[default]
    Closed,
    Trigger(Box<TriggerForm>),
    Destination(DestinationForm),
    /// "Remove this trigger?"
    ConfirmRemoveTrigger(usize),
    /// "Remove this destination?"
    ConfirmRemoveDestination(DestinationSlot),
}

impl OverviewEditor {
    pub fn is_open(&self) -> bool {
        !matches!(self, Self::Closed)
    }

    /// Opens what a click on the overview asks for; a toggle is a change at once.
    pub fn on_action(
        &mut self,
        action: OverviewAction,
        config: &FunctionConfig,
    ) -> Option<ConfigChange> {
        match action {
            OverviewAction::EditTrigger(index) => {
                if let Some(trigger) = config.triggers.get(index) {
                    *self = Self::Trigger(Box::new(TriggerForm::editing(index, trigger)));
                }
            }
            OverviewAction::SetEnabled(index, enabled) => {
                return Some(ConfigChange::SetEnabled(index, enabled));
            }
            OverviewAction::RemoveTrigger(index) => *self = Self::ConfirmRemoveTrigger(index),
            OverviewAction::AddTrigger => *self = Self::Trigger(Box::default()),
            OverviewAction::EditDestination(slot) => {
                let destination = match slot {
                    DestinationSlot::OnSuccess => &config.destinations.on_success,
                    DestinationSlot::OnFailure => &config.destinations.on_failure,
                };
                if let Some(destination) = destination {
                    *self = Self::Destination(DestinationForm::editing(slot, destination));
                }
            }
            OverviewAction::RemoveDestination(slot) => {
                *self = Self::ConfirmRemoveDestination(slot);
            }
            OverviewAction::AddDestination => {
                // The free slot: failures first, what users most often want to catch.
                let slot = if config.destinations.on_failure.is_none() {
                    DestinationSlot::OnFailure
                } else {
                    DestinationSlot::OnSuccess
                };
                *self = Self::Destination(DestinationForm::adding(slot));
            }
            // Not an edit: the tab sends it to the console.
            OverviewAction::SendTestEvent(_)
            | OverviewAction::ShowTriggerLogs(_)
            | OverviewAction::ShowDestinationLogs(_) => {}
        }
        None
    }

    /// The open form or confirmation, in a frame under the overview; the changes the user
    /// confirmed (a destination moved to the other slot is two). A queue, topic or bucket
    /// the user asked to create is a command in `commands`.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        workspace: &Workspace,
        function: &str,
        config: &FunctionConfig,
        commands: &mut Vec<Command>,
    ) -> Vec<ConfigChange> {
        let mut changes = Vec::new();
        let mut close = false;
        egui::Frame::group(ui.style())
            .inner_margin(10.0)
            .show(ui, |ui| match self {
                Self::Closed => {}
                Self::Trigger(form) => {
                    let context = FormContext {
                        workspace,
                        function,
                        config,
                    };
                    match form.ui(ui, &context) {
                        Some(FormOutcome::Save(trigger)) => {
                            changes.push(ConfigChange::SetTrigger(form.editing, trigger));
                            close = true;
                        }
                        Some(FormOutcome::Cancel) => close = true,
                        Some(FormOutcome::Create(command)) => commands.push(command),
                        None => {}
                    }
                }
                Self::Destination(form) => match form.ui(ui, workspace) {
                    Some(DestinationOutcome::Save {
                        slot,
                        destination,
                        replaces,
                    }) => {
                        if let Some(old) = replaces {
                            changes.push(ConfigChange::SetDestination(old, None));
                        }
                        changes.push(ConfigChange::SetDestination(slot, Some(destination)));
                        close = true;
                    }
                    Some(DestinationOutcome::Cancel) => close = true,
                    Some(DestinationOutcome::Create(command)) => commands.push(command),
                    None => {}
                },
                Self::ConfirmRemoveTrigger(index) => {
                    let Some(trigger) = config.triggers.get(*index) else {
                        close = true;
                        return;
                    };
                    ui.label(format!(
                        "Remove the trigger `{}` from function.toml? Its settings are deleted; to keep them, switch it off instead.",
                        trigger.summary()
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Remove trigger").clicked() {
                            changes.push(ConfigChange::RemoveTrigger(*index));
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
                Self::ConfirmRemoveDestination(slot) => {
                    ui.label(format!(
                        "Remove the {} destination from function.toml?",
                        slot.label().to_lowercase()
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Remove destination").clicked() {
                            changes.push(ConfigChange::SetDestination(*slot, None));
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
            });
        if close {
            *self = Self::Closed;
        }
        changes
    }
}
