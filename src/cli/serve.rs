//! `lambdesk serve`: every trigger of the workspace without a window, logs on stdout,
//! until Ctrl-C (requests in flight finish first).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use lambdesk::logs::{LogEntry, LogStore};
use lambdesk::model::Workspace;
use lambdesk::runtime::{Runtime, RuntimeOptions};
use lambdesk::triggers::async_delivery::AsyncOptions;
use lambdesk::triggers::http::GatewayOptions;
use lambdesk::triggers::invoke_api::InvokeApiOptions;
use lambdesk::triggers::push_sources_owner::PushSourcesOwner;
use lambdesk::triggers::topics::MessagingStores;
use lambdesk::triggers::{
    EngineOptions, FinishedInvocation, InvocationSink, TriggerContext, TriggerEngine,
};
use tokio::sync::broadcast::error::RecvError;

/// Lines kept in memory: none, `serve` prints them as they come and keeps them in the
/// files (the memory ring is the console's Logs view).
const SERVE_LOG_MEMORY_LINES: usize = 0;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The HTTP gateway's port (default: `gateway_port` of lambdesk.toml, else 3000).
    #[arg(long)]
    port: Option<u16>,
    /// Lambda's Invoke API's port (default: `lambda_api_port` of lambdesk.toml, else 3001).
    #[arg(long)]
    lambda_api_port: Option<u16>,
}

/// Writes each invocation to the workspace's log files (and so to stdout, below).
struct ServeSink {
    logs: Arc<LogStore>,
}

impl InvocationSink for ServeSink {
    fn finished(&self, invocation: FinishedInvocation) {
        match &invocation.result {
            Ok(record) => {
                if let Err(error) = self.logs.append_invocation(record) {
                    eprintln!("lambdesk: {error}");
                }
            }
            // An invocation refused, an event dropped, a loop stopped: said on stderr with
            // the function and what started it.
            Err(message) => eprintln!(
                "lambdesk: {} ({}): {message}",
                invocation.function, invocation.origin
            ),
        }
    }

    fn problem(&self, text: String) {
        eprintln!("lambdesk: {text}");
    }
}

/// How long the printer lets lines gather after waking for one: under load it wakes a
/// few hundred times a second instead of once per invocation.
const PRINT_BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(5);

/// Prints log lines as `lambdesk invoke` does, with the function's name in front;
/// buffered, and flushed whenever no line is waiting.
async fn print_logs(mut lines: tokio::sync::broadcast::Receiver<LogEntry>) {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::io::stdout());
    loop {
        let next = match lines.try_recv() {
            Ok(entry) => Ok(entry),
            Err(tokio::sync::broadcast::error::TryRecvError::Empty) => {
                let _ = out.flush();
                let next = lines.recv().await;
                tokio::time::sleep(PRINT_BATCH_DELAY).await;
                next
            }
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(missed)) => {
                Err(RecvError::Lagged(missed))
            }
            Err(tokio::sync::broadcast::error::TryRecvError::Closed) => Err(RecvError::Closed),
        };
        // A closed stdout (`| head`) is not worth stopping the functions for.
        let _ = match next {
            Ok(entry) => writeln!(out, "{}\t{}", entry.function, entry.message),
            Err(RecvError::Lagged(missed)) => writeln!(
                out,
                "lambdesk\t({missed} log lines not shown: stdout is slower than the functions; they are in .lambdesk/logs)"
            ),
            Err(RecvError::Closed) => {
                let _ = out.flush();
                return;
            }
        };
    }
}

pub async fn run(workspace: &Workspace, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    // A damaged state database stops `serve` before anything runs: running on without
    // its queues and backlog would look like they were empty.
    if let Err(error) = MessagingStores::open(workspace)
        && error.is_damaged()
    {
        return Err(error.into());
    }
    let runtime = Arc::new(Runtime::new(RuntimeOptions::default())?);
    let logs = Arc::new(LogStore::new(workspace.logs_dir(), SERVE_LOG_MEMORY_LINES));
    let printer = tokio::spawn(print_logs(logs.subscribe()));
    let context = Arc::new(TriggerContext::new(
        workspace.clone(),
        runtime,
        Arc::new(ServeSink {
            logs: Arc::clone(&logs),
        }),
    ));
    let mut options = EngineOptions {
        gateway: GatewayOptions::for_workspace(workspace),
        delivery: AsyncOptions::for_workspace(workspace),
        invoke_api: Some(InvokeApiOptions::for_workspace(workspace)),
    };
    if let Some(port) = args.port {
        options.gateway.port = port;
    }
    if let (Some(port), Some(invoke_api)) = (args.lambda_api_port, options.invoke_api.as_mut()) {
        invoke_api.port = port;
    }
    let engine = TriggerEngine::start(context, options).await;
    if !engine.routes().is_empty() && engine.gateway_addr().is_none() {
        let problem = engine.problems.join("; ");
        engine.stop().await;
        anyhow::bail!("{problem}");
    }
    for problem in &engine.problems {
        eprintln!("lambdesk: {problem}");
    }
    match engine.gateway_addr() {
        Some(addr) => outln!("lambdesk\tHTTP gateway on http://{addr}"),
        None => outln!("lambdesk\tno function has an http trigger: no HTTP gateway"),
    }
    if let Some(addr) = engine.invoke_api_addr() {
        outln!(
            "lambdesk\tLambda Invoke API on http://{addr} (aws lambda invoke --endpoint-url http://{addr} …)"
        );
    }
    for route in engine.routes() {
        outln!("  {} -> {}", route.route_key, route.function);
    }
    for rule in engine.schedules() {
        let next = rule
            .schedule
            .next_after(chrono::Utc::now())
            .map_or_else(|| "never".to_owned(), |time| time.to_rfc3339());
        outln!("  {} -> {} (next {next})", rule.expression, rule.function);
    }
    for mapping in engine.queue_mappings() {
        outln!(
            "  queue {} -> {} (batches of up to {})",
            mapping.queue.name,
            mapping.function.name,
            mapping.batch_size
        );
    }
    outln!(
        "lambdesk\tserving {}; Ctrl-C stops",
        workspace.root().display()
    );
    let mut owner = engine.watch_push_sources_owner();
    if *owner.borrow() != PushSourcesOwner::Owned {
        tokio::spawn(async move {
            if owner
                .wait_for(|owner| *owner == PushSourcesOwner::Owned)
                .await
                .is_ok()
            {
                outln!(
                    "lambdesk\tthe other process has exited: this one now runs buckets, schedules and async delivery"
                );
            }
        });
    }
    // Ctrl-C, or SIGTERM (`kill`, a service manager): both stop cleanly, so in-flight
    // invocations finish and the log lines still waiting for their batch are written.
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot wait for SIGTERM")?;
    tokio::select! {
        interrupted = tokio::signal::ctrl_c() => interrupted.context("cannot wait for Ctrl-C")?,
        _ = terminate.recv() => {}
    }
    outln!("lambdesk\tstopping: invocations in flight finish first; queued events stay queued");
    engine.stop().await;
    // The last invocations' lines are on their way to the printer.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    printer.abort();
    if let Err(error) = logs.flush() {
        eprintln!("lambdesk: {error}");
    }
    outln!("lambdesk\tstopped");
    Ok(ExitCode::SUCCESS)
}
