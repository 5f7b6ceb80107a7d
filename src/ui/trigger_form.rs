//! The form behind "+ Add trigger" and a click on a trigger card: a source, its settings,
//! and what the configuration loader would say about them, checked as the user types.

use crate::blueprints::{TriggerNote, check_triggers};
use crate::console::next_schedule_fire_times;
use crate::model::route_template::RouteTemplate;
use crate::model::{
    FunctionConfig, QueueConfig, Trigger, Workspace, conflicting_route, table_header,
};

use super::create_resource::{CreateOffer, MissingResource};

/// The queue, topic or bucket `trigger` names, if the workspace does not have it yet.
fn missing_source(workspace: &Workspace, trigger: &Trigger) -> Option<MissingResource> {
    let named = match trigger {
        Trigger::Queue { queue, .. } => MissingResource::Queue(queue.clone()),
        Trigger::Topic { topic, .. } => MissingResource::Topic(topic.clone()),
        Trigger::Bucket { bucket, .. } => MissingResource::Bucket(bucket.clone()),
        Trigger::Http { .. } | Trigger::Schedule { .. } => return None,
    };
    MissingResource::check(workspace, named)
}

/// How many fire times a schedule shows while it is typed.
const SHOWN_FIRE_TIMES: usize = 5;

/// The sources a trigger can come from, in the picker's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Http,
    Bucket,
    Schedule,
    Queue,
    Topic,
}

impl SourceKind {
    const ALL: [Self; 5] = [
        Self::Http,
        Self::Bucket,
        Self::Schedule,
        Self::Queue,
        Self::Topic,
    ];

    /// The picker's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Http => "HTTP",
            Self::Bucket => "Bucket",
            Self::Schedule => "Schedule",
            Self::Queue => "Queue",
            Self::Topic => "Topic",
        }
    }
}

/// What the workspace knows that the form checks against.
pub struct FormContext<'a> {
    pub workspace: &'a Workspace,
    pub function: &'a str,
    /// The function's configuration as the tab holds it (the other triggers, the timeout).
    pub config: &'a FunctionConfig,
}

/// What the user did with the form this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FormOutcome {
    /// Save this trigger (at the index being edited, or as a new one).
    Save(Trigger),
    /// Close the form; nothing is written.
    Cancel,
    /// Create the queue, topic or bucket the trigger names; the form stays open.
    Create(crate::console::Command),
}

/// One trigger as edited: every kind's fields, so switching the source keeps what was
/// typed.
#[derive(Debug, Clone)]
pub struct TriggerForm {
    /// `Some(index)` edits `[[triggers]]` number `index`; `None` adds a trigger.
    pub editing: Option<usize>,
    kind: SourceKind,
    route: String,
    /// The HTTP trigger's `payload` and `multi_value_headers`, as the file says them until
    /// the form's Payload format changes them.
    http_payload: Option<String>,
    multi_value_headers: bool,
    bucket: String,
    /// S3 event names, comma-separated.
    bucket_events: String,
    prefix: String,
    suffix: String,
    expression: String,
    timezone: String,
    queue: String,
    batch_size: u32,
    batching_window_secs: u32,
    report_batch_item_failures: bool,
    /// Kept as the file says: the form does not show it.
    maximum_concurrency: Option<u32>,
    topic: String,
    filter_policy: String,
    enabled: bool,
    /// The last route checked against the other functions, and what serves it: reading
    /// every function's file each frame would be wasted while nothing changes.
    route_served: Option<(String, Option<(String, String)>)>,
    /// The settings of the offer to create the named queue, topic or bucket.
    create_offer: CreateOffer,
}

impl Default for TriggerForm {
    fn default() -> Self {
        Self {
            editing: None,
            kind: SourceKind::Http,
            route: String::new(),
            http_payload: None,
            multi_value_headers: false,
            bucket: String::new(),
            bucket_events: "s3:ObjectCreated:*".to_owned(),
            prefix: String::new(),
            suffix: String::new(),
            expression: String::new(),
            timezone: String::new(),
            queue: String::new(),
            batch_size: 10,
            batching_window_secs: 0,
            report_batch_item_failures: false,
            maximum_concurrency: None,
            topic: String::new(),
            filter_policy: String::new(),
            enabled: true,
            route_served: None,
            create_offer: CreateOffer::default(),
        }
    }
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl TriggerForm {
    /// A form that adds a new trigger, filled with `trigger`'s settings (a source dropped
    /// on a function on the map); nothing is written until the user saves it.
    pub fn adding(trigger: &Trigger) -> Self {
        Self {
            editing: None,
            ..Self::editing(0, trigger)
        }
    }

    /// A form that edits trigger `index`, filled with its settings.
    pub fn editing(index: usize, trigger: &Trigger) -> Self {
        let mut form = Self {
            editing: Some(index),
            enabled: trigger.is_enabled(),
            ..Self::default()
        };
        match trigger {
            Trigger::Http {
                route,
                payload,
                multi_value_headers,
                ..
            } => {
                form.kind = SourceKind::Http;
                form.route.clone_from(route);
                form.http_payload.clone_from(payload);
                form.multi_value_headers = *multi_value_headers;
            }
            Trigger::Bucket {
                bucket,
                events,
                prefix,
                suffix,
                ..
            } => {
                form.kind = SourceKind::Bucket;
                form.bucket.clone_from(bucket);
                form.bucket_events = events.join(", ");
                form.prefix = prefix.clone().unwrap_or_default();
                form.suffix = suffix.clone().unwrap_or_default();
            }
            Trigger::Schedule {
                expression,
                timezone,
                ..
            } => {
                form.kind = SourceKind::Schedule;
                form.expression.clone_from(expression);
                form.timezone = timezone.clone().unwrap_or_default();
            }
            Trigger::Queue {
                queue,
                batch_size,
                maximum_batching_window_secs,
                report_batch_item_failures,
                maximum_concurrency,
                ..
            } => {
                form.kind = SourceKind::Queue;
                form.queue.clone_from(queue);
                form.batch_size = *batch_size;
                form.batching_window_secs = maximum_batching_window_secs.unwrap_or(0);
                form.report_batch_item_failures = *report_batch_item_failures;
                form.maximum_concurrency = *maximum_concurrency;
            }
            Trigger::Topic {
                topic,
                filter_policy,
                ..
            } => {
                form.kind = SourceKind::Topic;
                form.topic.clone_from(topic);
                form.filter_policy = filter_policy
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
            }
        }
        form
    }

    /// The trigger the fields describe, or why they describe none (a filter policy that
    /// is not JSON).
    fn trigger(&self) -> Result<Trigger, String> {
        let enabled = self.enabled;
        Ok(match self.kind {
            SourceKind::Http => Trigger::Http {
                route: self.route.trim().to_owned(),
                payload: self.http_payload.clone(),
                multi_value_headers: self.multi_value_headers,
                enabled,
            },
            SourceKind::Bucket => Trigger::Bucket {
                bucket: self.bucket.trim().to_owned(),
                events: self
                    .bucket_events
                    .split(',')
                    .map(str::trim)
                    .filter(|event| !event.is_empty())
                    .map(str::to_owned)
                    .collect(),
                prefix: optional(&self.prefix),
                suffix: optional(&self.suffix),
                enabled,
            },
            SourceKind::Schedule => Trigger::Schedule {
                expression: self.expression.trim().to_owned(),
                timezone: optional(&self.timezone),
                enabled,
            },
            SourceKind::Queue => Trigger::Queue {
                queue: self.queue.trim().to_owned(),
                batch_size: self.batch_size,
                maximum_batching_window_secs: (self.batching_window_secs > 0)
                    .then_some(self.batching_window_secs),
                report_batch_item_failures: self.report_batch_item_failures,
                maximum_concurrency: self.maximum_concurrency,
                enabled,
            },
            SourceKind::Topic => Trigger::Topic {
                topic: self.topic.trim().to_owned(),
                filter_policy: match optional(&self.filter_policy) {
                    None => None,
                    Some(text) => Some(
                        serde_json::from_str(&text)
                            .map_err(|error| format!("the filter policy is not JSON: {error}"))?,
                    ),
                },
                enabled,
            },
        })
    }

    /// What the configuration loader would refuse, and what is worth knowing.
    fn notes(&mut self, context: &FormContext<'_>, trigger: &Trigger) -> Vec<TriggerNote> {
        if let Trigger::Http { route, enabled, .. } = trigger {
            if let Some(problem) = trigger.problem() {
                return vec![TriggerNote::Problem(problem)];
            }
            if !enabled {
                return Vec::new();
            }
            return self.route_conflict(context, route).into_iter().collect();
        }
        let mut notes: Vec<TriggerNote> =
            check_triggers(context.workspace, std::slice::from_ref(trigger))
                .into_iter()
                .flatten()
                .collect();
        if let Trigger::Queue { queue, .. } = trigger
            && !notes.iter().any(TriggerNote::is_problem)
        {
            // Lambda refuses a mapping whose queue hides a message for less time than
            // the function may run: it would be delivered twice.
            let visibility_timeout_secs = context
                .workspace
                .config()
                .queues
                .get(queue)
                .map_or(QueueConfig::default().visibility_timeout_secs, |queue| {
                    queue.visibility_timeout_secs
                });
            if visibility_timeout_secs < context.config.timeout_secs {
                notes.insert(
                    0,
                    TriggerNote::Problem(format!(
                        "Queue visibility timeout: {visibility_timeout_secs} seconds is less than Function timeout: {} seconds (raise visibility_timeout_secs of {} in lambdesk.toml, or lower the function's timeout)",
                        context.config.timeout_secs,
                        table_header("queues", queue)
                    )),
                );
            }
        }
        notes
    }

    /// A route of this function (its other triggers) or of another function that takes
    /// the same requests as `route`.
    fn route_conflict(&mut self, context: &FormContext<'_>, route: &str) -> Option<TriggerNote> {
        const REFUSED: &str = "API Gateway refuses a route that conflicts with an existing one";
        let template = RouteTemplate::parse(route).ok()?;
        let own = context
            .config
            .triggers
            .iter()
            .enumerate()
            .filter(|(index, _)| Some(*index) != self.editing)
            .map(|(_, trigger)| trigger);
        let own = conflicting_route(own, &template);
        if let Some(other) = own {
            return Some(TriggerNote::Problem(format!(
                "`{route}` takes the same requests as `{other}` of this function: {REFUSED}"
            )));
        }
        if self
            .route_served
            .as_ref()
            .is_none_or(|(checked, _)| checked != route)
        {
            let served = context
                .workspace
                .route_served_by_other(route, context.function);
            self.route_served = Some((route.to_owned(), served));
        }
        let (function, other) = self.route_served.as_ref()?.1.clone()?;
        Some(TriggerNote::Problem(if other == route {
            format!("`{route}` is already served by function `{function}`: {REFUSED}")
        } else {
            format!(
                "`{route}` takes the same requests as `{other}` of function `{function}`: {REFUSED}"
            )
        }))
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, context: &FormContext<'_>) -> Option<FormOutcome> {
        ui.strong(if self.editing.is_some() {
            "Edit trigger"
        } else {
            "Add trigger"
        });
        if self.editing.is_none() {
            ui.horizontal_wrapped(|ui| {
                ui.label("Source");
                for kind in SourceKind::ALL {
                    ui.selectable_value(&mut self.kind, kind, kind.label());
                }
            });
        }
        egui::Grid::new("trigger_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| self.fields_ui(ui));
        let trigger = self.trigger();
        // An empty form is not yet wrong: it only cannot be saved.
        let blank = self.name_field().trim().is_empty();
        let notes = match &trigger {
            _ if blank => Vec::new(),
            Ok(trigger) => self.notes(context, trigger),
            Err(problem) => vec![TriggerNote::Problem(problem.clone())],
        };
        if let (Ok(Trigger::Schedule { .. }), SourceKind::Schedule) = (&trigger, self.kind)
            && !blank
            && !notes.iter().any(TriggerNote::is_problem)
        {
            self.fire_times_ui(ui);
        }
        for note in &notes {
            let color = if note.is_problem() {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().weak_text_color()
            };
            ui.add(egui::Label::new(egui::RichText::new(note.message()).color(color)).wrap());
        }
        let mut outcome = None;
        let missing = match &trigger {
            Ok(trigger) if !blank && trigger.problem().is_none() => {
                missing_source(context.workspace, trigger)
            }
            _ => None,
        };
        if let Some(missing) = missing {
            // Lambda's rule for a queue that triggers this function: see `notes`.
            let min_visibility_secs = context.config.timeout_secs;
            if let Some(command) = self.create_offer.ui(ui, &missing, min_visibility_secs) {
                outcome = Some(FormOutcome::Create(command));
            }
        }
        ui.horizontal(|ui| {
            let savable = !blank && notes.iter().all(|note| !note.is_problem());
            if ui
                .add_enabled(savable, egui::Button::new("Save trigger"))
                .clicked()
                && let Ok(trigger) = trigger
            {
                outcome = Some(FormOutcome::Save(trigger));
            }
            if ui.button("Cancel").clicked() {
                outcome = Some(FormOutcome::Cancel);
            }
        });
        outcome
    }

    /// The field that names the source: the route, bucket, expression, queue or topic.
    fn name_field(&self) -> &str {
        match self.kind {
            SourceKind::Http => &self.route,
            SourceKind::Bucket => &self.bucket,
            SourceKind::Schedule => &self.expression,
            SourceKind::Queue => &self.queue,
            SourceKind::Topic => &self.topic,
        }
    }

    /// A labelled single-line field in the form's grid.
    fn text_row_ui(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str) {
        let label = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(text)
                .hint_text(hint)
                .desired_width(280.0),
        )
        .labelled_by(label.id);
        ui.end_row();
    }

    /// The event the route sends: API Gateway's HTTP API (2.0, the default), its REST
    /// API (1.0) or an Application Load Balancer, with ALB's multi-value headers setting.
    fn payload_ui(&mut self, ui: &mut egui::Ui) {
        const FORMATS: [(Option<&str>, &str); 3] = [
            (None, "2.0 (API Gateway HTTP API)"),
            (Some("1.0"), "1.0 (API Gateway REST API)"),
            (Some("alb"), "Application Load Balancer"),
        ];
        ui.label("Payload format");
        let shown = FORMATS
            .iter()
            .find(|(value, _)| *value == self.http_payload.as_deref())
            .map_or("2.0 (API Gateway HTTP API)", |(_, text)| *text);
        egui::ComboBox::from_id_salt("http_payload")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for (value, text) in FORMATS {
                    let chosen = self.http_payload.as_deref() == value;
                    if ui.selectable_label(chosen, text).clicked() {
                        self.http_payload = value.map(str::to_owned);
                    }
                }
            })
            .response
            .accessible_name("Payload format")
            .on_hover_text("The event shape the function receives, and how its answer is read");
        ui.end_row();
        if self.http_payload.as_deref() == Some("alb") {
            ui.label("");
            ui.checkbox(&mut self.multi_value_headers, "Multi-value headers")
                .on_hover_text("The target group's setting: headers and query parameters as lists");
            ui.end_row();
        } else {
            // Only ALB has the setting: the loader refuses it with another payload.
            self.multi_value_headers = false;
        }
    }

    fn fields_ui(&mut self, ui: &mut egui::Ui) {
        match self.kind {
            SourceKind::Http => {
                Self::text_row_ui(ui, "Route", &mut self.route, "GET /items/{id}");
                self.payload_ui(ui);
            }
            SourceKind::Bucket => {
                Self::text_row_ui(ui, "Bucket name", &mut self.bucket, "photos");
                Self::text_row_ui(
                    ui,
                    "Events",
                    &mut self.bucket_events,
                    "s3:ObjectCreated:*, s3:ObjectRemoved:*",
                );
                Self::text_row_ui(ui, "Prefix", &mut self.prefix, "uploads/ (optional)");
                Self::text_row_ui(ui, "Suffix", &mut self.suffix, ".png (optional)");
            }
            SourceKind::Schedule => {
                Self::text_row_ui(
                    ui,
                    "Expression",
                    &mut self.expression,
                    "rate(5 minutes) or cron(0 8 ? * MON-FRI *)",
                );
                Self::text_row_ui(
                    ui,
                    "Time zone",
                    &mut self.timezone,
                    "Europe/Berlin (optional; UTC)",
                );
            }
            SourceKind::Queue => {
                Self::text_row_ui(ui, "Queue name", &mut self.queue, "orders");
                ui.label("Batch size");
                ui.add(egui::DragValue::new(&mut self.batch_size).range(1..=10_000))
                    .accessible_name("Batch size");
                ui.end_row();
                ui.label("Batching window (s)");
                ui.add(egui::DragValue::new(&mut self.batching_window_secs).range(0..=300))
                    .accessible_name("Batching window (s)");
                ui.end_row();
                ui.label("");
                ui.checkbox(
                    &mut self.report_batch_item_failures,
                    "Report batch item failures",
                );
                ui.end_row();
            }
            SourceKind::Topic => {
                Self::text_row_ui(ui, "Topic name", &mut self.topic, "alerts");
                let label = ui.label("Filter policy");
                ui.add(
                    egui::TextEdit::multiline(&mut self.filter_policy)
                        .code_editor()
                        .hint_text("{\"kind\": [\"order\"]} (optional JSON)")
                        .desired_rows(3)
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
                ui.end_row();
            }
        }
    }

    /// The next fire times of the expression as typed, in the zone its fields are read in.
    fn fire_times_ui(&self, ui: &mut egui::Ui) {
        let zone = optional(&self.timezone);
        match next_schedule_fire_times(self.expression.trim(), zone.as_deref(), SHOWN_FIRE_TIMES) {
            Ok(times) if times.is_empty() => {
                ui.weak("This expression never fires again.");
            }
            Ok(times) => {
                ui.weak(format!(
                    "Next {} fire times ({}):",
                    times.len(),
                    zone.as_deref().unwrap_or("UTC")
                ));
                for time in times {
                    ui.monospace(time.format("%a %Y-%m-%d %H:%M:%S").to_string());
                }
            }
            Err(problem) => {
                ui.colored_label(ui.visuals().error_fg_color, problem);
            }
        }
    }
}
