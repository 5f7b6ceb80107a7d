use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;
use lambdesk::billing::{PriceList, format_usd};
use lambdesk::logs::LogStore;
use lambdesk::model::Workspace;
use lambdesk::runtime::{
    InvokeError, MAX_PAYLOAD_BYTES, ModuleOrigin, Runtime, RuntimeOptions, StreamedPart,
    response_channel,
};
use lambdesk::triggers::outbox_delivery::OutboxDelivery;

use super::EXIT_FUNCTION_ERROR;

/// Lines of log the CLI keeps in memory; it prints each invocation's lines right away.
const CLI_LOG_MEMORY_LINES: usize = 10_000;

#[derive(Debug, clap::Args)]
pub struct InvokeArgs {
    /// The function's name.
    name: String,
    /// The event: a JSON file, or `-` to read it from stdin (default: `{}`).
    #[arg(long, short = 'e', value_name = "FILE|-")]
    event: Option<String>,
    /// Also tell how the module was loaded: compiled, or from the compiled-module cache.
    #[arg(long, short = 'v')]
    verbose: bool,
}

pub async fn run(workspace: &Workspace, args: &InvokeArgs) -> anyhow::Result<ExitCode> {
    let event = read_event(args.event.as_deref())?;
    let function = workspace.function(&args.name)?;
    let runtime = Runtime::new(RuntimeOptions::default())?;
    // Once per machine: a language pack is prepared here with its progress, not
    // silently by the invoke.
    match function.config.runtime {
        lambdesk::model::Runtime::Python => {
            super::runtimes::ensure_with_progress(lambdesk::runtime::PackLanguage::Python)?;
        }
        lambdesk::model::Runtime::Ruby => {
            super::runtimes::ensure_with_progress(lambdesk::runtime::PackLanguage::Ruby)?;
        }
        _ => {}
    }
    if args.verbose {
        let report = runtime.prepare(&function).await?;
        let how = match report.origin {
            ModuleOrigin::Compiled => "compiled",
            ModuleOrigin::DiskCache => "loaded from the compiled-module cache",
            ModuleOrigin::Baseline => "compiled by Winch (Cranelift's code follows)",
            ModuleOrigin::NativeProcess => {
                "not needed: the function's bootstrap runs as a native process, outside the sandbox"
            }
        };
        eprintln!(
            "lambdesk: module {how} in {:.2} ms ({})",
            report.load_duration_ms,
            runtime.module_cache().dir().display()
        );
    }

    let logs = LogStore::new(workspace.logs_dir(), CLI_LOG_MEMORY_LINES);
    let mut live_logs = logs.subscribe();
    // A streaming handler's body is printed as it arrives, exactly as it was written (with
    // its HTTP prelude, if any), as `aws lambda invoke-with-response-stream` writes it.
    let (sink, mut parts) = response_channel();
    let print_stream = async move {
        let mut streamed_bytes = None;
        let mut stdout = std::io::stdout();
        while let Some(part) = parts.recv().await {
            match part {
                StreamedPart::Started { .. } => streamed_bytes = Some(0),
                StreamedPart::Chunk(chunk) => {
                    streamed_bytes = Some(streamed_bytes.unwrap_or(0) + chunk.len());
                    // A closed stdout (`| head`) only stops the printing.
                    let _ = stdout.write_all(&chunk).and_then(|()| stdout.flush());
                }
            }
        }
        streamed_bytes
    };
    let invocation = runtime.invoke_streaming(workspace, &function, &event, sink);
    let (invoked, streamed_bytes) = tokio::join!(invocation, print_stream);
    let record = match invoked {
        Ok(mut record) => {
            // What the function sent to queues and topics goes out now.
            OutboxDelivery::new(workspace.clone()).deliver_from(&function, &mut record, 0);
            record
        }
        // The Invoke API answers these with an error, as a function failure would.
        Err(error @ (InvokeError::TooManyRequests { .. } | InvokeError::Sandbox(_))) => {
            let payload = serde_json::json!({
                "errorType": error.error_type(),
                "errorMessage": error.to_string(),
            });
            eprintln!("lambdesk: {error}");
            outln!("{payload}");
            return Ok(ExitCode::from(EXIT_FUNCTION_ERROR));
        }
        Err(error) => return Err(error.into()),
    };

    if let Some(build_ms) = record.build_duration_ms {
        // Apart from the REPORT: building is not part of the invocation, nor billed.
        eprintln!(
            "lambdesk: built {} in {:.1} s (not billed)",
            function.name,
            build_ms / 1000.0
        );
    }
    let logged = logs.append_invocation(&record).and_then(|()| logs.flush());
    while let Ok(entry) = live_logs.try_recv() {
        eprintln!("{}", entry.message);
    }
    if let Err(error) = logged {
        eprintln!("lambdesk: {error}");
    }
    let prices = PriceList::builtin().with_overrides(&workspace.config().pricing);
    let cost = prices.invocation_cost(&record);
    eprintln!("Cost: {}", format_usd(cost.total_usd()));
    match streamed_bytes {
        None => outln!("{}", serde_json::to_string(&record.payload())?),
        Some(_) if record.is_success() => {}
        // The error that ended the stream, on a line of its own after what was streamed.
        Some(printed) => {
            if printed > 0 {
                outln!("");
            }
            outln!("{}", serde_json::to_string(&record.payload())?);
        }
    }
    // The answer is out; a Rust or Go module Winch compiled for it is compiled by
    // Cranelift before the process ends, so the next `lambdesk invoke` loads that code
    // from the module cache instead of compiling again.
    runtime.finish_background_compiles().await;
    Ok(if record.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FUNCTION_ERROR)
    })
}

/// The event bytes, checked to be JSON so a typo is reported with its line and column
/// before anything runs.
fn read_event(source: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let (bytes, name) = match source {
        None => (b"{}".to_vec(), "the event".to_owned()),
        Some("-") => (
            read_at_most_payload(std::io::stdin().lock())
                .context("cannot read the event from stdin")?,
            "the event on stdin".to_owned(),
        ),
        Some(path) => (
            std::fs::File::open(path)
                .and_then(read_at_most_payload)
                .with_context(|| format!("cannot read the event file {path}"))?,
            path.to_owned(),
        ),
    };
    if bytes.len() > MAX_PAYLOAD_BYTES {
        anyhow::bail!(
            "{name} is too large: RequestEntityTooLargeException: Request payload size exceeded maximum allowed payload size ({MAX_PAYLOAD_BYTES} bytes)"
        );
    }
    if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        anyhow::bail!("{name} is not valid JSON: {error}");
    }
    Ok(bytes)
}

/// Reads one byte past Lambda's payload limit at most: enough to tell an event is too
/// large without holding all of it (`--event /dev/zero` never ends).
fn read_at_most_payload(source: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit_bytes = u64::try_from(MAX_PAYLOAD_BYTES).map_or(u64::MAX, |limit| limit + 1);
    source.take(limit_bytes).read_to_end(&mut bytes)?;
    Ok(bytes)
}
