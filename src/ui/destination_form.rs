//! The form behind "+ Add destination" and a click on a destination card: where an
//! asynchronous invocation's result goes (on success, on failure), checked as typed.

use crate::blueprints::TriggerNote;
use crate::model::{Destination, Workspace, table_header};

use super::create_resource::{CreateOffer, MissingResource};

/// `[destinations]`' two keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestinationSlot {
    OnSuccess,
    OnFailure,
}

impl DestinationSlot {
    /// The card's and the picker's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::OnSuccess => "On success",
            Self::OnFailure => "On failure",
        }
    }
}

/// The kinds of target Lambda sends a result to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetKind {
    Function,
    Queue,
    Topic,
    Bucket,
}

impl TargetKind {
    const ALL: [Self; 4] = [Self::Function, Self::Queue, Self::Topic, Self::Bucket];

    fn label(self) -> &'static str {
        match self {
            Self::Function => "function",
            Self::Queue => "queue",
            Self::Topic => "topic",
            Self::Bucket => "bucket",
        }
    }
}

/// What the user did with the form this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum DestinationOutcome {
    /// Save this destination in this slot (replacing `replaces`, when the slot changed).
    Save {
        slot: DestinationSlot,
        destination: Destination,
        replaces: Option<DestinationSlot>,
    },
    /// Close the form; nothing is written.
    Cancel,
    /// Create the queue, topic or bucket the destination names; the form stays open.
    Create(crate::console::Command),
}

/// One destination as edited.
#[derive(Debug, Clone)]
pub struct DestinationForm {
    /// The slot being edited; `None` adds a destination.
    editing: Option<DestinationSlot>,
    slot: DestinationSlot,
    kind: TargetKind,
    name: String,
    /// The settings of the offer to create the named queue, topic or bucket.
    create_offer: CreateOffer,
}

impl DestinationForm {
    /// A form that adds a destination in `slot`.
    pub fn adding(slot: DestinationSlot) -> Self {
        Self {
            editing: None,
            slot,
            kind: TargetKind::Queue,
            name: String::new(),
            create_offer: CreateOffer::default(),
        }
    }

    /// A form that adds `destination` in `slot` (a target dropped on the map); nothing is
    /// written until the user saves it.
    pub fn adding_target(slot: DestinationSlot, destination: &Destination) -> Self {
        Self {
            editing: None,
            ..Self::editing(slot, destination)
        }
    }

    /// A form that edits the destination in `slot`.
    pub fn editing(slot: DestinationSlot, destination: &Destination) -> Self {
        let (kind, name) = match destination {
            Destination::Function(name) => (TargetKind::Function, name),
            Destination::Queue(name) => (TargetKind::Queue, name),
            Destination::Topic(name) => (TargetKind::Topic, name),
            Destination::Bucket(name) => (TargetKind::Bucket, name),
        };
        Self {
            editing: Some(slot),
            slot,
            kind,
            name: name.clone(),
            create_offer: CreateOffer::default(),
        }
    }

    fn destination(&self) -> Destination {
        let name = self.name.trim().to_owned();
        match self.kind {
            TargetKind::Function => Destination::Function(name),
            TargetKind::Queue => Destination::Queue(name),
            TargetKind::Topic => Destination::Topic(name),
            TargetKind::Bucket => Destination::Bucket(name),
        }
    }

    /// The loader's check, and targets this workspace does not have yet.
    fn notes(workspace: &Workspace, destination: &Destination) -> Vec<TriggerNote> {
        if let Some(problem) = destination.problem() {
            return vec![TriggerNote::Problem(problem)];
        }
        let config = workspace.config();
        let info = match destination {
            Destination::Function(name)
                if !workspace
                    .function_names()
                    .unwrap_or_default()
                    .contains(name) =>
            {
                Some(format!(
                    "there is no function `{name}` in this workspace yet: results are lost until it exists"
                ))
            }
            Destination::Queue(name) if !config.queues.contains_key(name) => Some(format!(
                "queue `{name}` is not declared in lambdesk.toml: it is used with SQS's defaults (add {} to change them)",
                table_header("queues", name)
            )),
            Destination::Topic(name) if !config.topics.contains_key(name) => Some(format!(
                "topic `{name}` is not declared in lambdesk.toml: it is used with SNS's defaults (add {} to change them)",
                table_header("topics", name)
            )),
            _ => None,
        };
        info.map(TriggerNote::Info).into_iter().collect()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, workspace: &Workspace) -> Option<DestinationOutcome> {
        ui.strong(if self.editing.is_some() {
            "Edit destination"
        } else {
            "Add destination"
        });
        ui.horizontal(|ui| {
            ui.label("When");
            for slot in [DestinationSlot::OnSuccess, DestinationSlot::OnFailure] {
                ui.selectable_value(&mut self.slot, slot, slot.label());
            }
        });
        ui.horizontal(|ui| {
            ui.label("Target");
            for kind in TargetKind::ALL {
                ui.selectable_value(&mut self.kind, kind, kind.label());
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Target name");
            ui.add(
                egui::TextEdit::singleline(&mut self.name)
                    .hint_text("dlq")
                    .desired_width(240.0),
            )
            .labelled_by(label.id);
        });
        let destination = self.destination();
        let notes = Self::notes(workspace, &destination);
        for note in &notes {
            let color = if note.is_problem() {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().weak_text_color()
            };
            ui.add(egui::Label::new(egui::RichText::new(note.message()).color(color)).wrap());
        }
        let missing = match &destination {
            _ if notes.iter().any(TriggerNote::is_problem) || self.name.trim().is_empty() => None,
            Destination::Queue(name) => Some(MissingResource::Queue(name.clone())),
            Destination::Topic(name) => Some(MissingResource::Topic(name.clone())),
            Destination::Bucket(name) => Some(MissingResource::Bucket(name.clone())),
            Destination::Function(_) => None,
        }
        .and_then(|named| MissingResource::check(workspace, named));
        let mut outcome = None;
        if let Some(missing) = missing
            // A destination queue has no function timeout to stay above.
            && let Some(command) = self.create_offer.ui(ui, &missing, 0)
        {
            outcome = Some(DestinationOutcome::Create(command));
        }
        ui.weak("Destinations receive the results of asynchronous invocations (buckets, schedules, topics, Event invokes).");
        ui.horizontal(|ui| {
            let savable = notes.iter().all(|note| !note.is_problem());
            if ui
                .add_enabled(savable, egui::Button::new("Save destination"))
                .clicked()
            {
                outcome = Some(DestinationOutcome::Save {
                    slot: self.slot,
                    destination,
                    replaces: self.editing.filter(|editing| *editing != self.slot),
                });
            }
            if ui.button("Cancel").clicked() {
                outcome = Some(DestinationOutcome::Cancel);
            }
        });
        outcome
    }
}
