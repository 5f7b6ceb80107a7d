//! The application core behind the desktop console: owns the workspace, the runtime, the
//! log store and the cost meter; applies [`Command`]s; runs invocations on a tokio
//! runtime and reports them back over a bounded channel, waking the UI. Panels read a
//! [`ConsoleState`] snapshot and never touch the runtime directly.

mod builds;
mod command;
mod command_handling;
mod disk_watch;
mod edit_history;
mod files;
mod invocation_history;
mod map_activity;
mod messaging;
mod metrics;
mod notifications;
mod sam_export;
mod sam_import;
mod send_test_event;
mod session_ledger;
mod state;
mod test_invocations;
mod trigger_activity;
mod trigger_sink;
mod undoable_edits;
mod workspace_resources;

use files::code_files;
use test_invocations::set_status;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

pub use crate::runtime::BuildStatus;
pub use builds::BuildOutcome;
pub use command::Command;
pub use invocation_history::{InvocationHistory, InvocationSummary};
pub use map_activity::{MapActivity, MapFunction, invocations_from_source, map_activity};
use messaging::Messaging;
pub use messaging::{MessagingSnapshot, QueueRow, TopicRow};
pub use metrics::{MetricsPeriod, MetricsSeries, metrics_series};
use notifications::SharedNotifications;
pub use notifications::{Notification, NotificationLevel, Notifications};
pub use sam_export::SamExportState;
pub use session_ledger::SessionLedger;
use session_ledger::SharedLedger;
pub use state::{ConfigSaveOutcome, ConsoleState, FunctionEntry, FunctionStatus, TestResult};
pub use trigger_activity::{
    OverviewActivity, TriggerActivity, overview_activity, trigger_activity, trigger_origin_matches,
};

/// For the panels, which use the console and the model only.
pub use crate::billing::format_usd;
pub use crate::billing::{CostMeter, FunctionUsage};
pub use crate::logs::LogEntry;
pub use crate::runtime::JsPreparationStep;

/// A language runtime's one-time preparation, as the Test tab shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimePreparation {
    pub language: &'static str,
    /// From 1.
    pub step_number: usize,
    pub step_count: usize,
    pub description: &'static str,
    pub elapsed: std::time::Duration,
}

/// The event templates of the Test tab: id and description per AWS source.
pub fn event_templates() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::triggers::events::EventSource::ALL
        .into_iter()
        .map(|source| (source.id(), source.description()))
}

/// A sample event of the source `id`, pretty-printed, with AWS's exact shape.
pub fn event_template(id: &str) -> Option<String> {
    let source = id.parse().ok()?;
    let event = crate::triggers::events::generate(
        source,
        &crate::triggers::events::EventOverrides::default(),
    );
    serde_json::to_string_pretty(&event).ok()
}

/// When a schedule trigger fires next (after now), or what is wrong with its expression
/// or time zone, for the Configuration tab.
pub fn next_schedule_fire(
    expression: &str,
    time_zone: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    use crate::triggers::schedule::{Schedule, ScheduleExpression, parse_time_zone};
    let parsed = ScheduleExpression::parse(expression).map_err(|error| error.to_string())?;
    let zone = time_zone
        .map(parse_time_zone)
        .transpose()
        .map_err(|error| error.to_string())?;
    let now = chrono::Utc::now();
    Ok(Schedule::new(parsed, zone, now).next_after(now))
}

/// The next `count` fire times of a schedule expression from now, in the time zone its
/// cron fields are read in (`time_zone`, else UTC as EventBridge does): what the trigger
/// form shows live while the expression is typed.
pub fn next_schedule_fire_times(
    expression: &str,
    time_zone: Option<&str>,
    count: usize,
) -> Result<Vec<chrono::DateTime<chrono_tz::Tz>>, String> {
    use crate::triggers::schedule::{Schedule, ScheduleExpression, parse_time_zone};
    let parsed = ScheduleExpression::parse(expression).map_err(|error| error.to_string())?;
    let zone = time_zone
        .map(parse_time_zone)
        .transpose()
        .map_err(|error| error.to_string())?;
    let now = chrono::Utc::now();
    let shown_in = zone.unwrap_or(chrono_tz::Tz::UTC);
    Ok(Schedule::new(parsed, zone, now)
        .fire_times_after(now)
        .take(count)
        .map(|fire| fire.with_timezone(&shown_in))
        .collect())
}

/// An invocation's log as Lambda writes it (Init lines, START … REPORT), one per line.
pub fn invocation_log_lines(record: &InvocationRecord) -> Vec<String> {
    crate::logs::lambda_log_entries(record)
        .into_iter()
        .map(|entry| entry.message.to_string())
        .collect()
}

use crate::billing::PriceList;
use crate::blueprints;
pub use crate::blueprints::Blueprint;
use crate::logs::LogStore;
use crate::model::{InvocationRecord, Workspace, write_atomically};
use crate::runtime::{Runtime, RuntimeOptions};
use crate::sample_workspace::last_workspace_file;

/// Called from background work when there is something new to show.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// How many log lines the console keeps in memory (older ones stay in the files).
const LOG_MEMORY_LINES: usize = 100_000;

/// Invocation results waiting for the UI; invocations block on a full queue rather than
/// pile up results without bound.
const EVENT_QUEUE_LEN: usize = 256;

/// How long a restart of the triggers (after `lambdesk.toml` changed) waits for the old
/// ones to stop.
const ENGINE_STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// What background work reports.
enum ConsoleEvent {
    InvocationFinished {
        request_id: String,
        function: String,
        /// Kept with the invocation for "Re-run with this event".
        event: Arc<str>,
        source: &'static str,
        result: Result<Arc<InvocationRecord>, String>,
    },
    /// An invocation a trigger started ended (already in the ledger).
    TriggerFinished { function: String, success: bool },
    /// A function's saved code was checked (it loads, or how it fails to).
    CodeChecked {
        function: String,
        problem: Result<Option<crate::model::FunctionError>, String>,
    },
    /// File > Export SAM application ended.
    SamExportFinished(Box<SamExportState>),
    /// A build the console started (the Build button) ended.
    BuildFinished {
        function: String,
        outcome: BuildOutcome,
    },
}

pub struct Console {
    workspace: Workspace,
    runtime: Arc<Runtime>,
    ledger: SharedLedger,
    tokio: tokio::runtime::Runtime,
    events_sender: SyncSender<ConsoleEvent>,
    events: Receiver<ConsoleEvent>,
    waker: Waker,
    state: ConsoleState,
    blueprints: Vec<Blueprint>,
    /// Running Test invocations by request id, to cancel them.
    in_flight: std::collections::HashMap<String, tokio::task::AbortHandle>,
    /// The triggers, once started (see `start_triggers`).
    engine: Option<crate::triggers::TriggerEngine>,
    /// `start_triggers` was called: keep them in step with the functions.
    triggers_wanted: bool,
    /// Queues and topics, for the Queues & Topics view.
    messaging: Messaging,
    /// Sends what Test invocations put in their `/outbox`.
    outbox: Arc<crate::triggers::outbox_delivery::OutboxDelivery>,
    /// How this console was set up, carried over to a console on another workspace.
    settings: ConsoleSettings,
    /// Changes to the workspace's files on disk, by anyone.
    disk_watch: disk_watch::DiskWatch,
    /// What the user is told, shared with the triggers' threads.
    notifications: SharedNotifications,
    /// The trigger engine's problems last reported (each is told once, not on every
    /// reload).
    told_engine_problems: Vec<String>,
    /// The edits Undo and Redo take back and make again.
    edit_history: edit_history::EditHistory,
}

/// What a console takes from the user's folders: kept together so a console opened on
/// another workspace (File > Open) uses the same ones, and a test's console never reaches
/// the user's real data or cache folder.
#[derive(Debug, Clone)]
struct ConsoleSettings {
    runtime: RuntimeOptions,
    /// Where the last opened workspace is remembered for the next start; `None` for
    /// consoles that must not touch the user's settings (tests, benches).
    last_workspace_file: Option<PathBuf>,
}

impl Console {
    /// Opens the workspace at `root` (creating it if needed) and remembers it as the last
    /// workspace, for the next start.
    pub fn open(root: &Path, waker: Waker) -> anyhow::Result<Self> {
        let settings = ConsoleSettings {
            runtime: RuntimeOptions::default(),
            last_workspace_file: Some(last_workspace_file()),
        };
        Self::open_with(root, settings, waker)
    }

    /// A console on the workspace at `root` with this console's settings (its module
    /// cache, and remembering the workspace only if this one does), triggers started.
    pub fn open_another(&self, root: &Path) -> anyhow::Result<Self> {
        Self::open_with(root, self.settings.clone(), self.waker())
    }

    fn open_with(root: &Path, settings: ConsoleSettings, waker: Waker) -> anyhow::Result<Self> {
        let workspace = Workspace::open(root)?;
        if let Some(file) = &settings.last_workspace_file {
            // Remembering is a convenience: a read-only config folder must not stop the
            // console.
            let _ = write_atomically(file, workspace.root().display().to_string().as_bytes());
        }
        let mut console = Self::with_settings(workspace, settings, waker)?;
        console.start_triggers();
        // The JS runtime's one-time preparation takes seconds on a new machine: done in
        // the background now, the first Test does not wait for all of it.
        let runtime = Arc::clone(&console.runtime);
        console.tokio.spawn(async move {
            let _ = runtime.prepare_js_runtime().await;
        });
        Ok(console)
    }

    /// A console on `workspace` that does not touch the user's settings (tests, benches).
    pub fn with_workspace(
        workspace: Workspace,
        options: RuntimeOptions,
        waker: Waker,
    ) -> anyhow::Result<Self> {
        let settings = ConsoleSettings {
            runtime: options,
            last_workspace_file: None,
        };
        Self::with_settings(workspace, settings, waker)
    }

    /// Where this console's runtime keeps compiled modules, and the rest of its options.
    pub fn runtime_options(&self) -> &RuntimeOptions {
        &self.settings.runtime
    }

    fn with_settings(
        workspace: Workspace,
        settings: ConsoleSettings,
        waker: Waker,
    ) -> anyhow::Result<Self> {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lambdesk-console")
            .enable_all()
            .build()?;
        let (events_sender, events) = sync_channel(EVENT_QUEUE_LEN);
        let prices = PriceList::builtin().with_overrides(&workspace.config().pricing);
        let logs = Arc::new(LogStore::new(workspace.logs_dir(), LOG_MEMORY_LINES));
        let (disk_watch, watch_problem) =
            disk_watch::DiskWatch::start(workspace.root(), Arc::clone(&waker));
        let mut console = Self {
            disk_watch,
            notifications: SharedNotifications::default(),
            told_engine_problems: Vec::new(),
            edit_history: edit_history::EditHistory::default(),
            messaging: Messaging::new(workspace.clone()),
            outbox: Arc::new(crate::triggers::outbox_delivery::OutboxDelivery::new(
                workspace.clone(),
            )),
            state: ConsoleState::new(workspace.root().to_owned()),
            runtime: Arc::new(Runtime::new(settings.runtime.clone())?),
            settings,
            ledger: SharedLedger::new(CostMeter::new(prices), logs),
            workspace,
            tokio,
            events_sender,
            events,
            waker,
            blueprints: Vec::new(),
            in_flight: std::collections::HashMap::new(),
            engine: None,
            triggers_wanted: false,
        };
        match blueprints::all(Some(&console.workspace)) {
            Ok(found) => console.blueprints = found,
            Err(error) => console.notify(NotificationLevel::Error, error.to_string()),
        }
        if let Some(problem) = watch_problem {
            console.notify(NotificationLevel::Error, problem);
        }
        console.refresh_functions();
        Ok(console)
    }

    /// The step of `runtime`'s one-time preparation in progress (the JS runtime's
    /// snapshot, Python's or Ruby's language pack), and for how long.
    pub fn runtime_preparation(
        &self,
        runtime: crate::model::Runtime,
    ) -> Option<RuntimePreparation> {
        use crate::model::Runtime as Language;
        let (language, preparation) = match runtime {
            Language::Js => {
                let (step, elapsed) = self.runtime.js_preparation()?;
                return Some(RuntimePreparation {
                    language: "JavaScript",
                    step_number: step.number(),
                    step_count: JsPreparationStep::COUNT,
                    description: step.description(),
                    elapsed,
                });
            }
            Language::Python => ("Python", self.runtime.python_preparation()),
            Language::Ruby => ("Ruby", self.runtime.ruby_preparation()),
            Language::Wat
            | Language::Wasm
            | Language::Rust
            | Language::Go
            | Language::Java
            | Language::Provided => {
                return None;
            }
        };
        preparation.map(|(step, elapsed)| RuntimePreparation {
            language,
            step_number: step.number,
            step_count: step.count,
            description: step.description,
            elapsed,
        })
    }

    /// The languages whose pack is still to be prepared on this machine (cheap checks).
    pub fn missing_language_packs(&self) -> Vec<crate::model::Runtime> {
        let mut missing = Vec::new();
        if !self.runtime.python_pack_looks_ready() {
            missing.push(crate::model::Runtime::Python);
        }
        if !self.runtime.ruby_pack_looks_ready() {
            missing.push(crate::model::Runtime::Ruby);
        }
        missing
    }

    /// Where the user put the workspace map's cards; a damaged file is set aside and
    /// reported (the map then starts from its automatic layout).
    pub fn load_map_layout(&self) -> Result<crate::model::MapLayout, crate::model::MapLayoutError> {
        crate::model::MapLayout::load(&crate::model::MapLayout::path_in(
            &self.workspace.state_dir(),
        ))
    }

    pub fn state(&self) -> &ConsoleState {
        &self.state
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    pub fn logs(&self) -> &LogStore {
        self.ledger.logs()
    }

    /// Every log line from now on, of every invocation the console runs.
    pub fn subscribe_logs(&self) -> tokio::sync::broadcast::Receiver<LogEntry> {
        self.ledger.logs().subscribe()
    }

    /// The session's cost meter and invocation history. Hold it only while drawing: the
    /// triggers' threads record into it.
    pub fn ledger(&self) -> std::sync::MutexGuard<'_, SessionLedger> {
        self.ledger.lock()
    }

    /// Starts the workspace's triggers in the background: the HTTP gateway on the port of
    /// `lambdesk.toml`, schedules, and asynchronous delivery. What cannot start (a port in
    /// use) is reported, not fatal. Called again, it picks up changed triggers.
    pub fn start_triggers(&mut self) {
        use crate::triggers::async_delivery::AsyncOptions;
        use crate::triggers::http::GatewayOptions;
        use crate::triggers::invoke_api::InvokeApiOptions;
        use crate::triggers::{EngineOptions, TriggerEngine};
        self.triggers_wanted = true;
        if let Some(engine) = self.engine.as_mut() {
            self.tokio.block_on(engine.reload());
        } else {
            let context = Arc::new(crate::triggers::TriggerContext::new(
                self.workspace.clone(),
                Arc::clone(&self.runtime),
                Arc::new(trigger_sink::ConsoleSink {
                    ledger: self.ledger.clone(),
                    events: self.events_sender.clone(),
                    notifications: self.notifications.clone(),
                    waker: Arc::clone(&self.waker),
                }),
            ));
            let options = EngineOptions {
                gateway: GatewayOptions::for_workspace(&self.workspace),
                delivery: AsyncOptions::for_workspace(&self.workspace),
                invoke_api: Some(InvokeApiOptions::for_workspace(&self.workspace)),
            };
            self.engine = Some(self.tokio.block_on(TriggerEngine::start(context, options)));
        }
        if let Some(engine) = &self.engine {
            let problems = engine.problems.clone();
            for problem in &problems {
                if !self.told_engine_problems.contains(problem) {
                    self.notifications
                        .push(NotificationLevel::Warning, problem.clone());
                }
            }
            self.told_engine_problems = problems;
            self.refresh_notifications();
        }
        if let Some(engine) = &self.engine {
            self.state.gateway_url = engine.gateway_addr().map(|addr| format!("http://{addr}"));
            self.state.invoke_api_url = engine
                .invoke_api_addr()
                .map(|addr| format!("http://{addr}"));
        }
    }

    /// Picks up changed triggers after functions were created, changed or removed.
    fn refresh_triggers(&mut self) {
        if self.triggers_wanted {
            self.start_triggers();
        }
    }

    /// When each running schedule of `function` fires next, by expression, as the
    /// trigger engine will fire it (a `rate()` counts from when the engine started it).
    pub fn schedule_fires(
        &self,
        function: &str,
    ) -> Vec<(String, Option<chrono::DateTime<chrono::Utc>>)> {
        let now = chrono::Utc::now();
        self.engine
            .iter()
            .flat_map(|engine| engine.schedules())
            .filter(|rule| rule.function == function)
            .map(|rule| (rule.expression.clone(), rule.schedule.next_after(now)))
            .collect()
    }

    /// Queues and topics as last read; `refresh_messaging` keeps them current.
    pub fn messaging(&self) -> &MessagingSnapshot {
        self.messaging.snapshot()
    }

    /// Reads queue counts again if they are older than half a second (while the Queues &
    /// Topics view is open).
    pub fn refresh_messaging(&mut self) {
        self.messaging.refresh(false);
    }

    /// The function created by the last `CreateFunction`, once (the UI then opens it).
    pub fn take_created(&mut self) -> Option<String> {
        self.state.created.take()
    }

    /// Takes in what background work finished. Call once per frame.
    /// Tells the user something (kept in the notification list).
    fn notify(&mut self, level: NotificationLevel, text: impl Into<String>) {
        self.notifications.push(level, text);
        self.refresh_notifications();
    }

    /// Brings the state's copy of the notifications up to date (only when they changed).
    fn refresh_notifications(&mut self) {
        if let Some(current) = self.notifications.refreshed(&self.state.notifications) {
            self.state.notifications = current;
        }
    }

    pub fn poll(&mut self) {
        self.take_disk_changes();
        self.refresh_notifications();
        loop {
            match self.events.try_recv() {
                Ok(ConsoleEvent::InvocationFinished {
                    request_id,
                    function,
                    event,
                    source,
                    result,
                }) => self.finish_invocation(&request_id, &function, event, source, result),
                Ok(ConsoleEvent::TriggerFinished { function, success }) => {
                    let status = if success {
                        FunctionStatus::Ok
                    } else {
                        FunctionStatus::Error
                    };
                    if !self.state.is_running(&function) {
                        set_status(&mut self.state, &function, status);
                    }
                    self.state.totals = *self.ledger.lock().meter.total();
                }
                Ok(ConsoleEvent::CodeChecked { function, problem }) => {
                    self.take_code_check(&function, problem);
                }
                Ok(ConsoleEvent::BuildFinished { function, outcome }) => {
                    self.take_build_outcome(&function, outcome);
                }
                Ok(ConsoleEvent::SamExportFinished(outcome)) => {
                    self.state.sam_export = Some(*outcome);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
            }
        }
    }

    /// Picks up what changed on disk: `lambdesk.toml` is read again (queues, topics,
    /// prices, the gateway's port) and the triggers restarted with it; functions are
    /// read again; the views are told to reread what they show.
    fn take_disk_changes(&mut self) {
        let changes = self.disk_watch.take_changes();
        if changes == 0 {
            return;
        }
        if changes & disk_watch::WORKSPACE_CONFIG_CHANGED != 0 {
            self.reload_workspace_config();
        }
        self.refresh_functions();
        self.state.disk_generation += 1;
    }

    fn reload_workspace_config(&mut self) {
        let reopened =
            match Workspace::open(self.workspace.root()) {
                Ok(reopened) => reopened,
                Err(error) => {
                    self.notify(NotificationLevel::Error, format!(
                    "{error} (the console keeps the settings it had until the file is fixed)"
                ));
                    return;
                }
            };
        if reopened.config() == self.workspace.config() {
            return;
        }
        self.ledger
            .lock()
            .meter
            .set_prices(PriceList::builtin().with_overrides(&reopened.config().pricing));
        self.messaging = Messaging::new(reopened.clone());
        self.outbox = Arc::new(crate::triggers::outbox_delivery::OutboxDelivery::new(
            reopened.clone(),
        ));
        self.workspace = reopened;
        // The engine holds the workspace it started with: a new one reads the new
        // settings. Invocations in flight finish on their own; waiting is bounded so a
        // long function cannot freeze the window.
        if let Some(engine) = self.engine.take() {
            self.tokio.block_on(async {
                let _ = tokio::time::timeout(ENGINE_STOP_WAIT, engine.stop()).await;
            });
        }
        if self.triggers_wanted {
            self.start_triggers();
        }
    }

    fn refresh_functions(&mut self) {
        if let Err(error) = self.workspace.function_names() {
            self.notify(NotificationLevel::Error, error.to_string());
            return;
        }
        // Every function.toml read once (route conflicts are checked across all of them).
        self.state.functions = self
            .workspace
            .functions()
            .into_iter()
            .map(|(name, loaded)| {
                let status = self
                    .state
                    .functions
                    .iter()
                    .find(|entry| entry.name == name)
                    .map_or(FunctionStatus::NeverRun, |entry| entry.status);
                FunctionEntry {
                    triggers: loaded
                        .as_ref()
                        .map(|function| {
                            function
                                .config
                                .triggers
                                .iter()
                                .map(crate::model::Trigger::summary)
                                .collect()
                        })
                        .unwrap_or_default(),
                    runtime: loaded.as_ref().ok().map(|function| function.config.runtime),
                    files: loaded
                        .as_ref()
                        .map(|function| code_files(&function.dir))
                        .unwrap_or_default(),
                    handler: loaded
                        .as_ref()
                        .ok()
                        .map(|function| function.config.handler.clone()),
                    problem: loaded.err().map(|error| error.to_string()),
                    status,
                    name,
                }
            })
            .collect();
        self.refresh_triggers();
    }

    /// The waker this console uses (a new console for another workspace reuses it).
    pub fn waker(&self) -> Waker {
        Arc::clone(&self.waker)
    }

    /// Whether saved events changed since the UI last looked (then it rereads them).
    pub fn take_events_changed(&mut self) -> bool {
        std::mem::take(&mut self.state.events_changed)
    }

    /// The blueprints offered by the Create function dialog.
    pub fn blueprints(&self) -> &[Blueprint] {
        &self.blueprints
    }

    /// The workspace folder.
    pub fn root(&self) -> PathBuf {
        self.workspace.root().to_owned()
    }
}
