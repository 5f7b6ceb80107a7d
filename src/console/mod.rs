//! The application core behind the desktop console: owns the workspace, the runtime, the
//! log store and the cost meter; applies [`Command`]s; runs invocations on a tokio
//! runtime and reports them back over a bounded channel, waking the UI. Panels read a
//! [`ConsoleState`] snapshot and never touch the runtime directly.

mod command;
mod invocation_history;
mod messaging;
mod metrics;
mod session_ledger;
mod state;
mod trigger_sink;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

pub use command::Command;
pub use invocation_history::{InvocationHistory, InvocationSummary};
use messaging::Messaging;
pub use messaging::{MessagingSnapshot, QueueRow, TopicRow};
pub use metrics::{MetricsPeriod, MetricsSeries, metrics_series};
pub use session_ledger::SessionLedger;
use session_ledger::SharedLedger;
pub use state::{ConsoleState, FunctionEntry, FunctionStatus, TestResult};

/// For the panels, which use the console and the model only.
pub use crate::billing::format_usd;
pub use crate::billing::{CostMeter, FunctionUsage};
pub use crate::logs::LogEntry;

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

/// What background work reports.
enum ConsoleEvent {
    InvocationFinished {
        function: String,
        /// Kept with the invocation for "Re-run with this event".
        event: Arc<str>,
        source: &'static str,
        result: Result<Arc<InvocationRecord>, String>,
    },
    /// An invocation a trigger started ended (already in the ledger).
    TriggerFinished { function: String, success: bool },
    /// Something to tell the user in the status bar.
    Message(String),
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
    /// Running invocations, to cancel them.
    in_flight: std::collections::HashMap<String, tokio::task::AbortHandle>,
    /// The triggers, once started (see `start_triggers`).
    engine: Option<crate::triggers::TriggerEngine>,
    /// `start_triggers` was called: keep them in step with the functions.
    triggers_wanted: bool,
    /// Queues and topics, for the Queues & Topics view.
    messaging: Messaging,
    /// Sends what Test invocations put in their `/outbox`.
    outbox: Arc<crate::triggers::outbox_delivery::OutboxDelivery>,
}

impl Console {
    /// Opens the workspace at `root` (creating it if needed) and remembers it as the last
    /// workspace, for the next start.
    pub fn open(root: &Path, waker: Waker) -> anyhow::Result<Self> {
        let workspace = Workspace::open(root)?;
        // Remembering is a convenience: a read-only config folder must not stop the console.
        let _ = write_atomically(
            &last_workspace_file(),
            workspace.root().display().to_string().as_bytes(),
        );
        let mut console = Self::with_workspace(workspace, RuntimeOptions::default(), waker)?;
        console.start_triggers();
        Ok(console)
    }

    /// A console on `workspace` that does not touch the user's settings (tests, benches).
    pub fn with_workspace(
        workspace: Workspace,
        options: RuntimeOptions,
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
        let mut console = Self {
            messaging: Messaging::new(workspace.clone()),
            outbox: Arc::new(crate::triggers::outbox_delivery::OutboxDelivery::new(
                workspace.clone(),
            )),
            state: ConsoleState::new(workspace.root().to_owned()),
            runtime: Arc::new(Runtime::new(options)?),
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
            Err(error) => console.state.message = Some(error.to_string()),
        }
        console.refresh_functions();
        Ok(console)
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
                    waker: Arc::clone(&self.waker),
                }),
            ));
            let options = EngineOptions {
                gateway: GatewayOptions::for_workspace(&self.workspace),
                delivery: AsyncOptions::for_workspace(&self.workspace),
            };
            self.engine = Some(self.tokio.block_on(TriggerEngine::start(context, options)));
        }
        if let Some(engine) = &self.engine {
            if let Some(problem) = engine.problems.first() {
                self.state.message = Some(problem.clone());
            }
            self.state.gateway_url = engine.gateway_addr().map(|addr| format!("http://{addr}"));
        }
    }

    /// Picks up changed triggers after functions were created, changed or removed.
    fn refresh_triggers(&mut self) {
        if self.triggers_wanted {
            self.start_triggers();
        }
    }

    /// Applies one command from the UI.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Invoke { function, event } => {
                self.start_invocation(&function, Arc::from(event), "Test");
            }
            Command::Rerun { request_id } => self.rerun(&request_id),
            Command::Cancel { function } => self.cancel_invocation(&function),
            Command::RenameFile { function, from, to } => self.rename_file(&function, &from, &to),
            Command::DeleteFile {
                function,
                relative_path,
            } => {
                if let Some(path) = self.file_path(&function, &relative_path)
                    && let Err(error) = std::fs::remove_file(&path)
                {
                    self.state.message =
                        Some(format!("Could not delete {}: {error}", path.display()));
                }
                self.refresh_functions();
            }
            Command::Autosave {
                function,
                relative_path,
                contents,
            } => {
                let path = self.autosave_path(&function, &relative_path);
                let result = match contents {
                    Some(contents) => write_atomically(&path, contents.as_bytes()),
                    None => match std::fs::remove_file(&path) {
                        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                        other => other,
                    },
                };
                if let Err(error) = result {
                    self.state.message =
                        Some(format!("Could not autosave {}: {error}", path.display()));
                }
            }
            Command::SaveFile {
                function,
                relative_path,
                contents,
            } => self.save_file(&function, &relative_path, &contents),
            Command::SaveConfig { function, config } => {
                if let Err(error) = self.workspace.save_function_config(&function, &config) {
                    self.state.message = Some(error.to_string());
                }
                self.refresh_functions();
            }
            Command::CreateFunction {
                blueprint,
                name,
                memory_mb,
            } => self.create_function(&blueprint, &name, memory_mb),
            Command::SaveEvent {
                function,
                name,
                json,
            } => self.save_event(&function, &name, &json),
            Command::DeleteEvent { function, name } => {
                let path = self.event_path(&function, &name);
                if let Err(error) = std::fs::remove_file(&path) {
                    self.state.message =
                        Some(format!("Could not delete {}: {error}", path.display()));
                }
                self.state.events_changed = true;
            }
            Command::DeleteFunction { function } => self.delete_function(&function),
            Command::RenameFunction { from, to } => self.rename_function(&from, &to),
            Command::ImportWasm { path } => self.import_wasm(&path),
            Command::ExportLogs { path, text } => {
                if let Err(error) = write_atomically(&path, text.as_bytes()) {
                    self.state.message =
                        Some(format!("Could not export to {}: {error}", path.display()));
                }
            }
            Command::SendMessage {
                queue,
                body,
                attributes,
                group_id,
            } => {
                let result = self
                    .messaging
                    .send(&queue, &body, &attributes, group_id.as_deref());
                self.say(result);
            }
            Command::PurgeQueue { queue } => {
                let result = self.messaging.purge(&queue);
                self.say(result);
            }
            Command::RedriveQueue { queue } => {
                let result = self.messaging.redrive(&queue);
                self.say(result);
            }
            Command::BrowseQueue { queue } => self.messaging.browse(queue),
            Command::Publish {
                topic,
                message,
                subject,
                attributes,
            } => {
                let result = self
                    .messaging
                    .publish(&topic, &message, &subject, &attributes);
                self.say(result);
            }
            Command::Refresh => self.refresh_functions(),
            Command::DismissMessage => self.state.message = None,
            Command::ShowMessage(message) => self.state.message = Some(message),
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

    /// Tells the user how an action went, in the status bar.
    fn say(&mut self, result: Result<String, String>) {
        self.state.message = Some(match result {
            Ok(done) | Err(done) => done,
        });
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
    pub fn poll(&mut self) {
        loop {
            match self.events.try_recv() {
                Ok(ConsoleEvent::InvocationFinished {
                    function,
                    event,
                    source,
                    result,
                }) => self.finish_invocation(&function, event, source, result),
                Ok(ConsoleEvent::TriggerFinished { function, success }) => {
                    let status = if success {
                        FunctionStatus::Ok
                    } else {
                        FunctionStatus::Error
                    };
                    if !self.state.running.contains(&function) {
                        set_status(&mut self.state, &function, status);
                    }
                    self.state.totals = *self.ledger.lock().meter.total();
                }
                Ok(ConsoleEvent::Message(message)) => self.state.message = Some(message),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
            }
        }
    }

    fn refresh_functions(&mut self) {
        let names = match self.workspace.function_names() {
            Ok(names) => names,
            Err(error) => {
                self.state.message = Some(error.to_string());
                return;
            }
        };
        self.state.functions = names
            .into_iter()
            .map(|name| {
                let loaded = self.workspace.function(&name);
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

    /// A function's file, if `relative_path` stays inside the function's folder.
    fn file_path(&self, function: &str, relative_path: &str) -> Option<PathBuf> {
        let inside = !relative_path.is_empty()
            && !relative_path.starts_with('/')
            && !relative_path
                .split(['/', '\\'])
                .any(|part| part == ".." || part.is_empty());
        if !inside {
            self.state_message_later(format!(
                "`{relative_path}` must be a path inside the function's folder"
            ));
            return None;
        }
        Some(
            self.workspace
                .functions_dir()
                .join(function)
                .join(relative_path),
        )
    }

    fn state_message_later(&self, message: String) {
        // Reported through the status bar on the next poll.
        let _ = self.events_sender.try_send(ConsoleEvent::Message(message));
    }

    fn rename_file(&mut self, function: &str, from: &str, to: &str) {
        let (Some(old_path), Some(new_path)) =
            (self.file_path(function, from), self.file_path(function, to))
        else {
            return;
        };
        if new_path.exists() {
            self.state.message = Some(format!("{to} already exists"));
            return;
        }
        let result = new_path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::rename(&old_path, &new_path));
        if let Err(error) = result {
            self.state.message = Some(format!("Could not rename {from}: {error}"));
        }
        self.refresh_functions();
    }

    /// Where the unsaved copy of a function's file is kept.
    fn autosave_path(&self, function: &str, relative_path: &str) -> PathBuf {
        self.workspace
            .state_dir()
            .join("unsaved")
            .join(function)
            .join(relative_path)
    }

    /// Unsaved changes to a file left by an earlier session (a crash), if they differ
    /// from the file on disk.
    pub fn unsaved_copy(&self, function: &str, relative_path: &str) -> Option<String> {
        let copy = std::fs::read_to_string(self.autosave_path(function, relative_path)).ok()?;
        let saved = self.read_file(function, relative_path).unwrap_or_default();
        (copy != saved).then_some(copy)
    }

    /// The text of a function's file, for the editor.
    pub fn read_file(&self, function: &str, relative_path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(
            self.workspace
                .functions_dir()
                .join(function)
                .join(relative_path),
        )
    }

    fn save_file(&mut self, function: &str, relative_path: &str, contents: &str) {
        let path = self
            .workspace
            .functions_dir()
            .join(function)
            .join(relative_path);
        if let Err(error) = write_atomically(&path, contents.as_bytes()) {
            self.state.message = Some(format!("Could not save {}: {error}", path.display()));
        }
        self.refresh_functions();
    }

    fn event_path(&self, function: &str, name: &str) -> PathBuf {
        let file = if name.ends_with(".json") {
            name.to_owned()
        } else {
            format!("{name}.json")
        };
        self.workspace
            .functions_dir()
            .join(function)
            .join("events")
            .join(file)
    }

    fn save_event(&mut self, function: &str, name: &str, json: &str) {
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !valid_name {
            self.state.message = Some(format!(
                "`{name}` cannot be an event name: use letters, digits, `-`, `_` and `.`"
            ));
            return;
        }
        let path = self.event_path(function, name);
        match write_atomically(&path, json.as_bytes()) {
            Ok(()) => self.state.events_changed = true,
            Err(error) => {
                self.state.message = Some(format!("Could not save {}: {error}", path.display()));
            }
        }
    }

    /// A function named after the file (`image-resize.wasm` → `image-resize`), running it
    /// as `main.wasm` in WASI command mode.
    fn import_wasm(&mut self, path: &Path) {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.state.message = Some(format!("Could not read {}: {error}", path.display()));
                return;
            }
        };
        if !bytes.starts_with(b"\0asm") {
            self.state.message = Some(format!(
                "{} is not a WebAssembly module (it does not start with \\0asm)",
                path.display()
            ));
            return;
        }
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut name: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        if name.is_empty() {
            name = "imported".to_owned();
        }
        let taken = |candidate: &str| self.workspace.functions_dir().join(candidate).exists();
        if taken(&name) {
            let base = name.clone();
            name = (2..)
                .map(|n| format!("{base}-{n}"))
                .find(|candidate| !taken(candidate))
                .unwrap_or(base);
        }
        let config = crate::model::FunctionConfig::new(crate::model::Runtime::Wasm, "main.wasm");
        match self
            .workspace
            .create_function(&name, &config, &[("main.wasm", &bytes)])
        {
            Ok(function) => {
                self.refresh_functions();
                self.state.created = Some(function.name);
            }
            Err(error) => self.state.message = Some(error.to_string()),
        }
    }

    /// The waker this console uses (a new console for another workspace reuses it).
    pub fn waker(&self) -> Waker {
        Arc::clone(&self.waker)
    }

    fn rename_function(&mut self, from: &str, to: &str) {
        if let Err(reason) = crate::model::validate_function_name(to) {
            self.state.message = Some(format!("Cannot rename to `{to}`: {reason}"));
            return;
        }
        let functions_dir = self.workspace.functions_dir();
        let (old_dir, new_dir) = (functions_dir.join(from), functions_dir.join(to));
        if new_dir.exists() {
            self.state.message = Some(format!("A function named `{to}` already exists"));
            return;
        }
        match std::fs::rename(&old_dir, &new_dir) {
            Ok(()) => {
                self.runtime.unload(from);
                if let Some(result) = self.state.results.remove(from) {
                    self.state.results.insert(to.to_owned(), result);
                }
                self.refresh_functions();
                self.state.created = Some(to.to_owned());
            }
            Err(error) => {
                self.state.message =
                    Some(format!("Could not rename {}: {error}", old_dir.display()));
            }
        }
    }

    fn delete_function(&mut self, function: &str) {
        if crate::model::validate_function_name(function).is_err() {
            return;
        }
        let dir = self.workspace.functions_dir().join(function);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {
                self.runtime.unload(function);
                self.state.results.remove(function);
            }
            Err(error) => {
                self.state.message = Some(format!("Could not delete {}: {error}", dir.display()));
            }
        }
        self.refresh_functions();
    }

    /// Whether saved events changed since the UI last looked (then it rereads them).
    pub fn take_events_changed(&mut self) -> bool {
        std::mem::take(&mut self.state.events_changed)
    }

    /// The blueprints offered by the Create function dialog.
    pub fn blueprints(&self) -> &[Blueprint] {
        &self.blueprints
    }

    fn create_function(&mut self, blueprint: &str, name: &str, memory_mb: u32) {
        let created = blueprints::find(Some(&self.workspace), blueprint)
            .and_then(|blueprint| blueprint.create_function(&self.workspace, name, memory_mb));
        match created {
            Ok(function) => {
                self.refresh_functions();
                self.state.created = Some(function.name);
            }
            Err(error) => self.state.message = Some(error.to_string()),
        }
    }

    /// Runs an earlier invocation's function again with the same event.
    fn rerun(&mut self, request_id: &str) {
        let found = self
            .ledger
            .lock()
            .history
            .get(request_id)
            .map(|summary| (summary.function.clone(), summary.event.clone()));
        let Some((function, event)) = found else {
            self.state.message = Some(format!(
                "Invocation {request_id} is no longer in this session's history"
            ));
            return;
        };
        let Some(event) = event else {
            self.state.message = Some(format!(
                "The event of invocation {request_id} was not kept (older events are dropped \
                 to bound memory); run it from the Test tab"
            ));
            return;
        };
        self.start_invocation(&function, event, "Re-run");
    }

    fn start_invocation(&mut self, name: &str, event: Arc<str>, source: &'static str) {
        let function = match self.workspace.function(name) {
            Ok(function) => function,
            Err(error) => {
                self.state.message = Some(error.to_string());
                return;
            }
        };
        self.state.running.insert(name.to_owned());
        set_status(&mut self.state, name, FunctionStatus::Running);
        let runtime = Arc::clone(&self.runtime);
        let workspace = self.workspace.clone();
        let outbox = Arc::clone(&self.outbox);
        let sender = self.events_sender.clone();
        let waker = Arc::clone(&self.waker);
        let function_name = name.to_owned();
        let task = self.tokio.spawn(async move {
            let result = runtime
                .invoke(&workspace, &function, event.as_bytes())
                .await
                .map(|mut record| {
                    // What the function sent goes out as from any other invocation.
                    outbox.deliver_from(&function, &mut record, 0);
                    Arc::new(record)
                })
                .map_err(|error| error.to_string());
            // The console may be gone (window closed); then nobody needs the result.
            let _ = sender.send(ConsoleEvent::InvocationFinished {
                function: function_name,
                event,
                source,
                result,
            });
            waker();
        });
        self.in_flight.insert(name.to_owned(), task.abort_handle());
    }

    /// Stops a running Test: the invocation's task is dropped, and with it the sandbox
    /// (an execution environment in use is discarded, never reused half-way).
    fn cancel_invocation(&mut self, function: &str) {
        if let Some(task) = self.in_flight.remove(function) {
            task.abort();
        }
        if self.state.running.remove(function) {
            set_status(&mut self.state, function, FunctionStatus::Error);
            self.state.results.insert(
                function.to_owned(),
                TestResult::NotRun {
                    message: "Cancelled: the invocation was stopped before it finished.".to_owned(),
                },
            );
        }
    }

    fn finish_invocation(
        &mut self,
        function: &str,
        event: Arc<str>,
        source: &'static str,
        result: Result<Arc<InvocationRecord>, String>,
    ) {
        self.in_flight.remove(function);
        self.state.running.remove(function);
        match result {
            Ok(record) => {
                let (cost, logged) = self.ledger.record(&record, source, event);
                if let Err(message) = logged {
                    self.state.message = Some(message);
                }
                let status = if record.is_success() {
                    FunctionStatus::Ok
                } else {
                    FunctionStatus::Error
                };
                set_status(&mut self.state, function, status);
                self.state.results.insert(
                    function.to_owned(),
                    TestResult::Finished {
                        record,
                        cost_usd: cost.total_usd(),
                    },
                );
            }
            Err(message) => {
                set_status(&mut self.state, function, FunctionStatus::Error);
                self.state
                    .results
                    .insert(function.to_owned(), TestResult::NotRun { message });
            }
        }
        self.state.totals = *self.ledger.lock().meter.total();
    }

    /// The workspace folder.
    pub fn root(&self) -> PathBuf {
        self.workspace.root().to_owned()
    }
}

fn set_status(state: &mut ConsoleState, function: &str, status: FunctionStatus) {
    if let Some(entry) = state
        .functions
        .iter_mut()
        .find(|entry| entry.name == function)
    {
        entry.status = status;
    }
}

/// The editable files of a function: everything but saved events, sorted; at most a few
/// levels deep.
fn code_files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, depth: usize, found: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || (depth == 0 && name == "events") {
                continue;
            }
            let relative = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if entry.path().is_dir() {
                if depth < 4 {
                    walk(&entry.path(), &relative, depth + 1, found);
                }
            } else {
                found.push(relative);
            }
        }
    }
    let mut found = Vec::new();
    walk(dir, "", 0, &mut found);
    found.sort();
    found
}
