//! Test invocations: started from the Test tab or a Re-run, cancelled, and recorded
//! when they finish.

use super::*;

impl Console {
    /// Runs an earlier invocation's function again with the same event.
    pub(super) fn rerun(&mut self, request_id: &str) {
        let found = self
            .ledger
            .lock()
            .history
            .get(request_id)
            .map(|summary| (summary.function.clone(), summary.event.clone()));
        let Some((function, event)) = found else {
            self.notify(
                NotificationLevel::Error,
                format!("Invocation {request_id} is no longer in this session's history"),
            );
            return;
        };
        let Some(event) = event else {
            self.notify(
                NotificationLevel::Error,
                format!(
                    "The event of invocation {request_id} was not kept (older events are dropped \
                 to bound memory); run it from the Test tab"
                ),
            );
            return;
        };
        self.start_invocation(&function, event, "Re-run");
    }

    pub(super) fn start_invocation(&mut self, name: &str, event: Arc<str>, source: &'static str) {
        let function = match self.workspace.function(name) {
            Ok(function) => function,
            Err(error) => {
                self.notify(NotificationLevel::Error, error.to_string());
                return;
            }
        };
        // Each invocation is known by its own request id: a Re-run while a Test of the
        // same function runs is a second invocation, not a replacement of the first.
        let request_id = uuid::Uuid::new_v4().to_string();
        self.state
            .running
            .insert(request_id.clone(), name.to_owned());
        set_status(&mut self.state, name, FunctionStatus::Running);
        let runtime = Arc::clone(&self.runtime);
        let workspace = self.workspace.clone();
        let outbox = Arc::clone(&self.outbox);
        let sender = self.events_sender.clone();
        let waker = Arc::clone(&self.waker);
        let function_name = name.to_owned();
        let task_request_id = request_id.clone();
        let task = self.tokio.spawn(async move {
            let result = runtime
                .invoke_as(
                    &workspace,
                    &function,
                    event.as_bytes(),
                    crate::runtime::InvokeOptions {
                        request_id: Some(&task_request_id),
                        ..crate::runtime::InvokeOptions::default()
                    },
                )
                .await
                .map(|mut record| {
                    // What the function sent goes out as from any other invocation.
                    outbox.deliver_from(&function, &mut record, 0);
                    Arc::new(record)
                })
                .map_err(|error| error.to_string());
            // The console may be gone (window closed); then nobody needs the result.
            let _ = sender.send(ConsoleEvent::InvocationFinished {
                request_id: task_request_id,
                function: function_name,
                event,
                source,
                result,
            });
            waker();
        });
        self.in_flight.insert(request_id, task.abort_handle());
    }

    /// Stops the function's running Tests and Re-runs: their tasks are dropped, and with
    /// them the sandboxes (an execution environment in use is discarded, never reused
    /// half-way).
    pub(super) fn cancel_invocation(&mut self, function: &str) {
        let cancelled: Vec<String> = self
            .state
            .running
            .iter()
            .filter(|(_, running)| *running == function)
            .map(|(request_id, _)| request_id.clone())
            .collect();
        for request_id in &cancelled {
            if let Some(task) = self.in_flight.remove(request_id) {
                task.abort();
            }
            self.state.running.remove(request_id);
        }
        if !cancelled.is_empty() {
            set_status(&mut self.state, function, FunctionStatus::Error);
            self.state.results.insert(
                function.to_owned(),
                TestResult::NotRun {
                    message: "Cancelled: the invocation was stopped before it finished.".to_owned(),
                },
            );
        }
    }

    /// Checks the function's code in the background (see `Runtime::check_code`); the
    /// result comes back as `CodeChecked`.
    pub(super) fn check_code(&mut self, name: &str) {
        let Ok(function) = self.workspace.function(name) else {
            return;
        };
        let runtime = Arc::clone(&self.runtime);
        let workspace = self.workspace.clone();
        let sender = self.events_sender.clone();
        let waker = Arc::clone(&self.waker);
        self.tokio.spawn(async move {
            let problem = runtime
                .check_code(&workspace, &function)
                .await
                .map_err(|error| error.to_string());
            let _ = sender.send(ConsoleEvent::CodeChecked {
                function: function.name.clone(),
                problem,
            });
            waker();
        });
    }

    /// The check of saved code: a syntax error is marked, a fixed one unmarked.
    pub(super) fn take_code_check(
        &mut self,
        function: &str,
        problem: Result<Option<crate::model::FunctionError>, String>,
    ) {
        match problem {
            Ok(Some(error)) if error.error_type == crate::model::error_types::SYNTAX_ERROR => {
                self.state.syntax_errors.insert(function.to_owned(), error);
            }
            Ok(_) => {
                self.state.syntax_errors.remove(function);
            }
            // The check could not run (the runtime failed to start): the next Test says.
            Err(_) => {}
        }
    }

    pub(super) fn finish_invocation(
        &mut self,
        request_id: &str,
        function: &str,
        event: Arc<str>,
        source: &'static str,
        result: Result<Arc<InvocationRecord>, String>,
    ) {
        self.in_flight.remove(request_id);
        if self.state.running.remove(request_id).is_none() {
            // Cancelled while its result was on the way: the user already saw it stop.
            return;
        }
        match result {
            Ok(record) => {
                // A run that got past loading the code tells whether it has a syntax error.
                match record.error() {
                    Some(error) if error.error_type == crate::model::error_types::SYNTAX_ERROR => {
                        self.state
                            .syntax_errors
                            .insert(function.to_owned(), error.clone());
                    }
                    _ => {
                        self.state.syntax_errors.remove(function);
                    }
                }
                let (cost, logged) = self.ledger.record(&record, source, event);
                if let Err(message) = logged {
                    self.notify(NotificationLevel::Error, message);
                }
                let status = if record.is_success() {
                    FunctionStatus::Ok
                } else {
                    FunctionStatus::Error
                };
                if !self.state.is_running(function) {
                    set_status(&mut self.state, function, status);
                }
                self.state.results.insert(
                    function.to_owned(),
                    TestResult::Finished {
                        record,
                        cost_usd: cost.total_usd(),
                    },
                );
            }
            Err(message) => {
                if !self.state.is_running(function) {
                    set_status(&mut self.state, function, FunctionStatus::Error);
                }
                self.state
                    .results
                    .insert(function.to_owned(), TestResult::NotRun { message });
            }
        }
        self.state.totals = *self.ledger.lock().meter.total();
    }
}

pub(super) fn set_status(state: &mut ConsoleState, function: &str, status: FunctionStatus) {
    if let Some(entry) = state
        .functions
        .iter_mut()
        .find(|entry| entry.name == function)
    {
        entry.status = status;
    }
}
