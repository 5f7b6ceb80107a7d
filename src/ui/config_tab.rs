use crate::console::{Command, ConfigSaveOutcome, Console};
use crate::model::{Architecture, Destination, FunctionConfig, Trigger};

use super::destination_form::{DestinationForm, DestinationSlot};
use super::function_overview::{OverviewAction, OverviewFacts, ScheduleFire, overview_ui};
use super::live_activity::LiveActivity;
use super::trigger_editing::{ConfigChange, OverviewEditor};
use super::trigger_form::TriggerForm;

/// The Configuration tab: memory, timeout, architecture, ephemeral storage, reserved
/// concurrency and environment variables, validated as typed and saved to function.toml.
#[derive(Debug, Default)]
pub struct ConfigTab {
    function: String,
    /// The configuration as read from `function.toml`: what the draft started from, and
    /// what a save diffs against (only the keys the user changed are written).
    base: Option<FunctionConfig>,
    draft: Option<FunctionConfig>,
    /// Environment variables as edited (a key may be half-typed or repeated).
    variables: Vec<(String, String)>,
    load_error: Option<String>,
    /// The console's count of disk changes when the file was read.
    disk_generation: u64,
    /// A save was sent; its outcome decides whether the tab reads the file again.
    pending_save: bool,
    /// The keys a save found changed in the file too (nothing was written).
    conflict: Option<Vec<String>>,
    /// The file changed on disk while the draft had unsaved changes.
    changed_on_disk: bool,
    /// The overview's open form or confirmation.
    editor: OverviewEditor,
    /// The pending save is one overview change: after it the draft stays (it holds the
    /// change and whatever else the user has not saved yet) and only the base is reread.
    saving_change: bool,
    /// What passed through the overview's cards lately, counted a few times a second.
    live: LiveActivity,
    /// A card's Logs link asked for the Logs view filtered to this function.
    logs_wanted: Option<String>,
}

impl ConfigTab {
    /// The function whose logs a card's Logs link asked for, once.
    pub fn take_logs_wanted(&mut self) -> Option<String> {
        self.logs_wanted.take()
    }

    /// Opens "+ Add trigger" filled with `trigger` (a connection drawn on the map).
    pub fn open_add_trigger(&mut self, trigger: &Trigger) {
        self.editor = OverviewEditor::Trigger(Box::new(TriggerForm::adding(trigger)));
    }

    /// Opens "+ Add destination" filled with `destination` on failure, what users most
    /// often want to catch, or on success when the failure slot is taken.
    pub fn open_add_destination(&mut self, destination: &Destination) {
        let slot = match &self.draft {
            Some(config) if config.destinations.on_failure.is_some() => DestinationSlot::OnSuccess,
            _ => DestinationSlot::OnFailure,
        };
        self.editor =
            OverviewEditor::Destination(DestinationForm::adding_target(slot, destination));
    }

    pub fn open_function(&mut self, console: &Console, function: &str) {
        // A form being filled in stays open when the file is reread under it.
        let editor = if self.function == function {
            std::mem::take(&mut self.editor)
        } else {
            OverviewEditor::default()
        };
        *self = Self {
            function: function.to_owned(),
            disk_generation: console.state().disk_generation,
            editor,
            ..Self::default()
        };
        match console.workspace().function(function) {
            Ok(function) => {
                self.variables = function
                    .config
                    .environment
                    .iter()
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect();
                self.base = Some(function.config.clone());
                self.draft = Some(function.config);
            }
            Err(error) => self.load_error = Some(error.to_string()),
        }
    }

    /// Whether the draft says what the file said when it was read.
    fn is_clean(&self) -> bool {
        self.candidate()
            .is_none_or(|(candidate, _)| self.base.as_ref() == Some(&candidate))
    }

    /// Follows the file: after a save, and whenever it changed on disk (the Code tab,
    /// another program), the tab shows what it says now, unless the user has unsaved
    /// changes here (then a save merges them).
    pub fn after_commands(&mut self, console: &Console) {
        let state = console.state();
        if self.pending_save
            && let Some((function, outcome)) = &state.last_config_save
            && *function == self.function
        {
            self.pending_save = false;
            match outcome {
                ConfigSaveOutcome::Saved => {
                    let reread = console.workspace().function(&self.function);
                    match reread {
                        Ok(function) if std::mem::take(&mut self.saving_change) => {
                            self.base = Some(function.config);
                            self.disk_generation = state.disk_generation;
                        }
                        _ => {
                            let function = self.function.clone();
                            self.open_function(console, &function);
                        }
                    }
                    return;
                }
                ConfigSaveOutcome::Conflict(keys) => self.conflict = Some(keys.clone()),
                ConfigSaveOutcome::Failed(_) => {}
            }
        }
        if state.disk_generation != self.disk_generation {
            self.disk_generation = state.disk_generation;
            if self.is_clean() {
                let function = self.function.clone();
                self.open_function(console, &function);
            } else {
                self.changed_on_disk = true;
            }
        }
    }

    /// A save, merged into the file as it is now.
    fn save(&mut self, candidate: FunctionConfig, overwrite: bool, commands: &mut Vec<Command>) {
        let Some(base) = self.base.clone() else {
            return;
        };
        commands.push(Command::SaveConfig {
            function: self.function.clone(),
            base: Box::new(base),
            config: Box::new(candidate),
            overwrite,
        });
        self.pending_save = true;
        self.saving_change = false;
        self.conflict = None;
    }

    /// Saves one overview change on its own (only the keys it touches are written) and
    /// makes it in the draft too, so unsaved edits elsewhere in the tab stay.
    fn save_change(&mut self, changes: &[ConfigChange], commands: &mut Vec<Command>) {
        let (Some(base), Some(draft)) = (self.base.as_mut(), self.draft.as_mut()) else {
            return;
        };
        let mut config = base.clone();
        for change in changes {
            change.apply(&mut config);
            change.apply(draft);
        }
        commands.push(Command::SaveConfig {
            function: self.function.clone(),
            base: Box::new(base.clone()),
            config: Box::new(config),
            overwrite: false,
        });
        self.pending_save = true;
        self.saving_change = true;
        self.conflict = None;
    }

    /// The overview of triggers and destinations, and the form or confirmation it opened.
    fn overview_ui(
        &mut self,
        ui: &mut egui::Ui,
        console: &Console,
        gateway_url: Option<&str>,
        fires: &[ScheduleFire],
        commands: &mut Vec<Command>,
    ) {
        let Some(draft) = self.draft.as_ref() else {
            return;
        };
        let activity = self.live.refresh(ui.ctx(), console, &self.function, draft);
        let facts = OverviewFacts {
            function: &self.function,
            config: draft,
            gateway_url,
            fires,
            activity,
            now: chrono::Utc::now(),
        };
        let mut changes = Vec::new();
        match overview_ui(ui, &facts) {
            Some(OverviewAction::SendTestEvent(index)) => commands.push(Command::SendTestEvent {
                function: self.function.clone(),
                index,
            }),
            Some(OverviewAction::ShowTriggerLogs(_)) => {
                self.logs_wanted = Some(self.function.clone());
            }
            Some(OverviewAction::ShowDestinationLogs(slot)) => {
                let destination = match slot {
                    DestinationSlot::OnSuccess => &draft.destinations.on_success,
                    DestinationSlot::OnFailure => &draft.destinations.on_failure,
                };
                if let Some(Destination::Function(target)) = destination {
                    self.logs_wanted = Some(target.clone());
                }
            }
            Some(action) => changes.extend(self.editor.on_action(action, draft)),
            None => {}
        }
        if self.editor.is_open() {
            ui.add_space(8.0);
            changes.extend(self.editor.ui(
                ui,
                console.workspace(),
                &self.function,
                draft,
                commands,
            ));
        }
        if !changes.is_empty() {
            self.save_change(&changes, commands);
        }
    }

    /// What changed on disk under the user's unsaved changes, and what they can do.
    fn disk_changes_ui(
        &mut self,
        ui: &mut egui::Ui,
        console: &Console,
        candidate: &FunctionConfig,
        commands: &mut Vec<Command>,
    ) {
        if let Some(keys) = self.conflict.clone() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Not saved: function.toml changed on disk since this tab read it, and it changed {} too.",
                    keys.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", ")
                ),
            );
            ui.horizontal(|ui| {
                if ui.button("Save mine over those keys").clicked() {
                    self.save(candidate.clone(), true, commands);
                }
                if ui.button("Reload from disk").clicked() {
                    let function = self.function.clone();
                    self.open_function(console, &function);
                }
            });
        } else if self.changed_on_disk {
            ui.horizontal(|ui| {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "function.toml changed on disk: saving merges your changes into it.",
                );
                if ui.button("Discard my changes").clicked() {
                    let function = self.function.clone();
                    self.open_function(console, &function);
                }
            });
        }
    }

    /// The draft with the variables table applied, and what is wrong with it.
    fn candidate(&self) -> Option<(FunctionConfig, Vec<String>)> {
        let mut config = self.draft.clone()?;
        let mut problems = Vec::new();
        config.environment.clear();
        for (key, value) in &self.variables {
            if key.trim().is_empty() {
                continue;
            }
            if config
                .environment
                .insert(key.trim().to_owned(), value.clone())
                .is_some()
            {
                problems.push(format!("`{}` is set twice", key.trim()));
            }
        }
        problems.extend(config.problems().into_iter().map(|(_, message)| message));
        Some((config, problems))
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        console: &Console,
        gateway_url: Option<&str>,
        fires: &[ScheduleFire],
        commands: &mut Vec<Command>,
    ) {
        // The overview and an open form can be taller than the window.
        egui::ScrollArea::vertical()
            .id_salt("configuration_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.contents_ui(ui, console, gateway_url, fires, commands);
            });
    }

    fn contents_ui(
        &mut self,
        ui: &mut egui::Ui,
        console: &Console,
        gateway_url: Option<&str>,
        fires: &[ScheduleFire],
        commands: &mut Vec<Command>,
    ) {
        if let Some(error) = &self.load_error {
            ui.colored_label(ui.visuals().error_fg_color, error);
            return;
        }
        self.overview_ui(ui, console, gateway_url, fires, commands);
        ui.add_space(8.0);
        ui.separator();
        let Some(draft) = self.draft.as_mut() else {
            return;
        };
        egui::Grid::new("configuration")
            .num_columns(2)
            .spacing([16.0, 8.0])
            .show(ui, |ui| {
                ui.label("Memory (MB)");
                let memory = egui::DragValue::new(&mut draft.memory_mb)
                    .range(128..=10_240)
                    .speed(16);
                ui.add(memory).accessible_name("Memory (MB)");
                ui.end_row();
                ui.label("Timeout (s)");
                let timeout = egui::DragValue::new(&mut draft.timeout_secs).range(1..=900);
                ui.add(timeout).accessible_name("Timeout (s)");
                ui.end_row();
                ui.label("Architecture");
                let mut architecture = draft.architecture.unwrap_or_default();
                egui::ComboBox::from_id_salt("architecture")
                    .selected_text(architecture.id())
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut architecture, Architecture::X86_64, "x86_64");
                        ui.selectable_value(&mut architecture, Architecture::Arm64, "arm64");
                    })
                    .response
                    .accessible_name("Architecture");
                // Only a choice writes the key: opening the tab must not change the file.
                if architecture != draft.architecture.unwrap_or_default() {
                    draft.architecture = Some(architecture);
                }
                ui.end_row();
                ui.label("Ephemeral storage (MB)");
                let storage = egui::DragValue::new(&mut draft.ephemeral_storage_mb)
                    .range(512..=10_240)
                    .speed(16);
                ui.add(storage).accessible_name("Ephemeral storage (MB)");
                ui.end_row();
                ui.label("Reserved concurrency");
                ui.horizontal(|ui| {
                    let mut reserved = draft.reserved_concurrency.is_some();
                    ui.checkbox(&mut reserved, "reserve");
                    if reserved {
                        let value = draft.reserved_concurrency.get_or_insert(10);
                        ui.add(egui::DragValue::new(value).range(0..=1_000))
                            .accessible_name("Reserved instances");
                    } else {
                        draft.reserved_concurrency = None;
                    }
                });
                ui.end_row();
            });
        ui.add_space(8.0);
        ui.strong("Environment variables");
        let mut remove = None;
        egui::Grid::new("environment")
            .num_columns(3)
            .show(ui, |ui| {
                for (index, (key, value)) in self.variables.iter_mut().enumerate() {
                    // Sized explicitly: a grid's cell would otherwise shrink a text
                    // field to the width of its first frame's contents.
                    let key_label = ui.label("Key");
                    ui.add_sized(
                        [180.0, ui.spacing().interact_size.y],
                        egui::TextEdit::singleline(key).hint_text("NAME"),
                    )
                    .labelled_by(key_label.id);
                    let value_label = ui.label("Value");
                    ui.add_sized(
                        [260.0, ui.spacing().interact_size.y],
                        egui::TextEdit::singleline(value),
                    )
                    .labelled_by(value_label.id);
                    if ui.small_button("Remove").clicked() {
                        remove = Some(index);
                    }
                    ui.end_row();
                }
            });
        if let Some(index) = remove {
            self.variables.remove(index);
        }
        if ui.button("Add variable").clicked() {
            self.variables.push((String::new(), String::new()));
        }
        ui.add_space(8.0);
        let Some((candidate, problems)) = self.candidate() else {
            return;
        };
        for problem in &problems {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        self.disk_changes_ui(ui, console, &candidate, commands);
        let changed = self.base.as_ref() != Some(&candidate);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    changed && problems.is_empty() && !self.pending_save,
                    egui::Button::new("Save configuration"),
                )
                .clicked()
            {
                self.save(candidate.clone(), false, commands);
            }
            if changed {
                ui.weak("(unsaved changes)");
            }
        });
    }
}
