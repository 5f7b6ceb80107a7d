//! What every trigger needs from the core: the workspace, the runtime, and a sink that
//! hears about each invocation (the console records it; `serve` prints its log).

use std::sync::Arc;

use super::outbox_delivery::OutboxDelivery;
use super::write_chains::WriteChains;
use crate::model::{BucketAccess, Function, InvocationRecord, Workspace};
use crate::runtime::{InvokeError, InvokeOptions, ResponseSink, Runtime};

/// One invocation a trigger started, after it ended or could not run.
#[derive(Debug, Clone)]
pub struct FinishedInvocation {
    pub function: String,
    /// What started it, as the Logs view shows it: `HTTP GET /items/{id}`, `Schedule …`.
    pub origin: String,
    /// The event it ran with (kept for "Re-run with this event").
    pub event: Arc<str>,
    pub result: Result<Arc<InvocationRecord>, String>,
}

/// Hears about every invocation triggers start. Called from the runtime's threads: keep
/// it short and never block on the UI.
pub trait InvocationSink: Send + Sync {
    fn finished(&self, invocation: FinishedInvocation);

    /// Something that went wrong outside any one invocation, while the triggers run (a
    /// trigger's task that panicked and restarts). By default an invocation that could
    /// not run, of no function, started by the trigger engine.
    fn problem(&self, text: String) {
        self.finished(FinishedInvocation {
            function: String::new(),
            origin: "triggers".to_owned(),
            event: Arc::from(""),
            result: Err(text),
        });
    }
}

pub struct TriggerContext {
    pub workspace: Workspace,
    pub runtime: Arc<Runtime>,
    pub sink: Arc<dyn InvocationSink>,
    /// Who may be writing to which bucket, for recursive loop detection.
    pub write_chains: WriteChains,
    /// Sends what functions put in their `/outbox`.
    pub outbox: OutboxDelivery,
}

impl TriggerContext {
    pub fn new(workspace: Workspace, runtime: Arc<Runtime>, sink: Arc<dyn InvocationSink>) -> Self {
        Self {
            outbox: OutboxDelivery::new(workspace.clone()),
            workspace,
            runtime,
            sink,
            write_chains: WriteChains::default(),
        }
    }

    /// Runs `function` with `event` and tells the sink. `hops` counts the invocations of
    /// the chain that led here (0 for a request from outside); `request_id` is kept
    /// across the retries of an asynchronous event (a fresh one when `None`).
    pub async fn invoke(
        &self,
        function: &Function,
        event: Arc<str>,
        origin: String,
        hops: u32,
        request_id: Option<&str>,
    ) -> Result<Arc<InvocationRecord>, InvokeError> {
        let options = InvokeOptions {
            request_id,
            ..InvokeOptions::default()
        };
        self.invoke_with(function, event, origin, hops, options)
            .await
    }

    /// `invoke` of a request from outside that carries its client's context (the Invoke
    /// API's `ClientContext`, a JSON object's text), with its streamed response going to
    /// `response` if given (`InvokeWithResponseStream`).
    pub async fn invoke_from_client(
        &self,
        function: &Function,
        event: Arc<str>,
        origin: String,
        client_context: Option<&str>,
        response: Option<ResponseSink>,
    ) -> Result<Arc<InvocationRecord>, InvokeError> {
        let options = InvokeOptions {
            client_context,
            sink: response,
            ..InvokeOptions::default()
        };
        self.invoke_with(function, event, origin, 0, options).await
    }

    /// `invoke` of a request from outside whose streaming handler's response goes to
    /// `response` as it is written (see `Runtime::invoke_streaming`).
    pub async fn invoke_streaming(
        &self,
        function: &Function,
        event: Arc<str>,
        origin: String,
        response: ResponseSink,
    ) -> Result<Arc<InvocationRecord>, InvokeError> {
        let options = InvokeOptions {
            sink: Some(response),
            ..InvokeOptions::default()
        };
        self.invoke_with(function, event, origin, 0, options).await
    }

    async fn invoke_with(
        &self,
        function: &Function,
        event: Arc<str>,
        origin: String,
        hops: u32,
        options: InvokeOptions<'_>,
    ) -> Result<Arc<InvocationRecord>, InvokeError> {
        let writable: Vec<String> = function
            .config
            .permissions
            .buckets
            .iter()
            .filter(|(_, access)| **access == BucketAccess::ReadWrite)
            .map(|(bucket, _)| bucket.clone())
            .collect();
        let writer = (!writable.is_empty()).then(|| self.write_chains.started(&writable, hops));
        let result = self
            .runtime
            .invoke_as(&self.workspace, function, event.as_bytes(), options)
            .await
            .map(|mut record| {
                self.outbox.deliver_from(function, &mut record, hops);
                Arc::new(record)
            });
        if let Some(writer) = writer {
            self.write_chains.ended(writer);
        }
        self.sink.finished(FinishedInvocation {
            function: function.name.clone(),
            origin,
            event,
            result: result.as_ref().map(Arc::clone).map_err(ToString::to_string),
        });
        result
    }
}

/// Every function of the workspace whose configuration loads, and a message for each one
/// that does not: what the triggers are read from, once per (re)load.
pub fn load_functions(workspace: &Workspace) -> (Vec<Function>, Vec<String>) {
    let mut functions = Vec::new();
    let mut problems = Vec::new();
    for (name, loaded) in workspace.functions() {
        match loaded {
            Ok(function) => functions.push(function),
            Err(error) => problems.push(format!("{name}: its triggers are off: {error}")),
        }
    }
    (functions, problems)
}
