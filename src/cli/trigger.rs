//! `lambdesk trigger add|list|remove|enable|disable` and `lambdesk destination set`: a
//! function's triggers and destinations from the command line, through the same checked
//! in-place edits as the console's forms (`model::trigger_edits`).

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use lambdesk::model::{
    Destinations, FunctionConfig, Trigger, Workspace, destination_text, parse_destination,
};

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once per process")]
pub enum TriggerCommand {
    /// Add a trigger to a function (checked as the configuration loader checks it).
    Add(AddArgs),
    /// The triggers of every function (or of one), numbered from 1.
    List {
        /// Only this function's triggers.
        function: Option<String>,
    },
    /// Remove a function's trigger, by its number in `trigger list` (counted from 1).
    Remove(TriggerRef),
    /// Switch a trigger on, by its number in `trigger list` (counted from 1).
    Enable(TriggerRef),
    /// Switch a trigger off (it stays configured), by its number in `trigger list`
    /// (counted from 1).
    Disable(TriggerRef),
}

#[derive(Debug, clap::Args)]
pub struct TriggerRef {
    function: String,
    /// The trigger's number as `lambdesk trigger list` shows it: the first is 1.
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    number: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    Http,
    Bucket,
    Schedule,
    Queue,
    Topic,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    function: String,
    /// What invokes the function.
    #[arg(long = "type", value_enum)]
    kind: Kind,
    /// http: the route, `GET /items/{id}`, `ANY /{proxy+}` or `$default`.
    #[arg(long)]
    route: Option<String>,
    /// http: the event format, "2.0" (HTTP API, the default), "1.0" (REST API) or "alb".
    #[arg(long)]
    payload: Option<String>,
    /// http with --payload alb: the target group sends and reads multiValueHeaders.
    #[arg(long)]
    multi_value_headers: bool,
    /// bucket: the bucket (the folder buckets/<name>/).
    #[arg(long)]
    bucket: Option<String>,
    /// bucket: S3 event names (default s3:ObjectCreated:*); repeat for several.
    #[arg(long = "event", value_name = "EVENT")]
    events: Vec<String>,
    /// bucket: only keys starting with this.
    #[arg(long)]
    prefix: Option<String>,
    /// bucket: only keys ending with this.
    #[arg(long)]
    suffix: Option<String>,
    /// schedule: `rate(5 minutes)` or `cron(0 8 ? * MON-FRI *)`.
    #[arg(long)]
    expression: Option<String>,
    /// schedule: the IANA time zone cron fields are read in (default UTC).
    #[arg(long)]
    timezone: Option<String>,
    /// queue: the queue.
    #[arg(long)]
    queue: Option<String>,
    /// queue: messages per invocation (1–10000; default 10).
    #[arg(long)]
    batch_size: Option<u32>,
    /// queue: how long to gather a batch (0–300 s; needed above 10 messages).
    #[arg(long, value_name = "SECS")]
    batching_window_secs: Option<u32>,
    /// queue: the function reports the messages that failed (partial batch responses).
    #[arg(long)]
    report_batch_item_failures: bool,
    /// queue: batches running at once (2–1000).
    #[arg(long)]
    maximum_concurrency: Option<u32>,
    /// topic: the topic.
    #[arg(long)]
    topic: Option<String>,
    /// topic: an SNS filter policy (JSON) on message attributes.
    #[arg(long, value_name = "JSON")]
    filter_policy: Option<String>,
    /// Add the trigger switched off.
    #[arg(long)]
    disabled: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum DestinationCommand {
    /// Where a function's asynchronous results go: function:NAME, queue:NAME, topic:NAME
    /// or bucket:NAME. A destination not named stays as it is.
    Set(SetArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    function: String,
    /// Where successful results go.
    #[arg(long, value_name = "TARGET", conflicts_with = "clear")]
    on_success: Option<String>,
    /// Where failed events go after the retries.
    #[arg(long, value_name = "TARGET", conflicts_with = "clear")]
    on_failure: Option<String>,
    /// Remove both destinations.
    #[arg(long, required_unless_present_any = ["on_success", "on_failure"])]
    clear: bool,
}

pub fn run(workspace: &Workspace, command: &TriggerCommand) -> anyhow::Result<ExitCode> {
    match command {
        TriggerCommand::Add(args) => {
            let trigger = trigger_of(args)?;
            let index = workspace.add_trigger(&args.function, trigger)?;
            outln!("added trigger {} to {}", index + 1, args.function);
        }
        TriggerCommand::List { function } => list(workspace, function.as_deref())?,
        TriggerCommand::Remove(target) => {
            let removed = workspace.remove_trigger(&target.function, index_of(target))?;
            outln!(
                "removed trigger {} ({}) from {}",
                target.number,
                removed.summary(),
                target.function
            );
        }
        TriggerCommand::Enable(target) | TriggerCommand::Disable(target) => {
            let enabled = matches!(command, TriggerCommand::Enable(_));
            workspace.set_trigger_enabled(&target.function, index_of(target), enabled)?;
            outln!(
                "trigger {} of {} is {}",
                target.number,
                target.function,
                if enabled { "enabled" } else { "disabled" }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_destination(
    workspace: &Workspace,
    command: &DestinationCommand,
) -> anyhow::Result<ExitCode> {
    let DestinationCommand::Set(args) = command;
    let mut destinations = if args.clear {
        Destinations::default()
    } else {
        workspace.function(&args.function)?.config.destinations
    };
    if let Some(target) = &args.on_success {
        destinations.on_success = Some(parse_destination(target).map_err(anyhow::Error::msg)?);
    }
    if let Some(target) = &args.on_failure {
        destinations.on_failure = Some(parse_destination(target).map_err(anyhow::Error::msg)?);
    }
    workspace.set_destinations(&args.function, destinations.clone())?;
    let shown = |destination: &Option<lambdesk::model::Destination>| {
        destination
            .as_ref()
            .map_or_else(|| "-".to_owned(), destination_text)
    };
    outln!(
        "{}: on success {}, on failure {}",
        args.function,
        shown(&destinations.on_success),
        shown(&destinations.on_failure)
    );
    Ok(ExitCode::SUCCESS)
}

fn index_of(target: &TriggerRef) -> usize {
    // Numbered from 1 in every list a user sees; `range(1..)` rules out 0.
    target.number.saturating_sub(1) as usize
}

/// The trigger the options describe; an option of another kind is refused rather than
/// dropped, so a typo in `--type` does not write something else.
fn trigger_of(args: &AddArgs) -> anyhow::Result<Trigger> {
    let given: [(&str, bool, Kind); 15] = [
        ("--route", args.route.is_some(), Kind::Http),
        ("--payload", args.payload.is_some(), Kind::Http),
        (
            "--multi-value-headers",
            args.multi_value_headers,
            Kind::Http,
        ),
        ("--bucket", args.bucket.is_some(), Kind::Bucket),
        ("--event", !args.events.is_empty(), Kind::Bucket),
        ("--prefix", args.prefix.is_some(), Kind::Bucket),
        ("--suffix", args.suffix.is_some(), Kind::Bucket),
        ("--expression", args.expression.is_some(), Kind::Schedule),
        ("--timezone", args.timezone.is_some(), Kind::Schedule),
        ("--queue", args.queue.is_some(), Kind::Queue),
        ("--batch-size", args.batch_size.is_some(), Kind::Queue),
        (
            "--batching-window-secs",
            args.batching_window_secs.is_some(),
            Kind::Queue,
        ),
        (
            "--report-batch-item-failures",
            args.report_batch_item_failures,
            Kind::Queue,
        ),
        ("--topic", args.topic.is_some(), Kind::Topic),
        ("--filter-policy", args.filter_policy.is_some(), Kind::Topic),
    ];
    if let Some((option, _, kind)) = given
        .iter()
        .find(|(_, present, kind)| *present && *kind != args.kind)
    {
        bail!(
            "{option} is for {} triggers, not {}",
            name(*kind),
            name(args.kind)
        );
    }
    if args.maximum_concurrency.is_some() && args.kind != Kind::Queue {
        bail!(
            "--maximum-concurrency is for queue triggers, not {}",
            name(args.kind)
        );
    }
    let needed = |value: &Option<String>, option: &str| {
        value
            .clone()
            .with_context(|| format!("a {} trigger needs {option}", name(args.kind)))
    };
    let enabled = !args.disabled;
    Ok(match args.kind {
        Kind::Http => Trigger::Http {
            route: needed(&args.route, "--route \"GET /path\"")?,
            payload: args.payload.clone(),
            multi_value_headers: args.multi_value_headers,
            enabled,
        },
        Kind::Bucket => Trigger::Bucket {
            bucket: needed(&args.bucket, "--bucket NAME")?,
            events: if args.events.is_empty() {
                vec!["s3:ObjectCreated:*".to_owned()]
            } else {
                args.events.clone()
            },
            prefix: args.prefix.clone(),
            suffix: args.suffix.clone(),
            enabled,
        },
        Kind::Schedule => Trigger::Schedule {
            expression: needed(&args.expression, "--expression \"rate(5 minutes)\"")?,
            timezone: args.timezone.clone(),
            enabled,
        },
        Kind::Queue => Trigger::Queue {
            queue: needed(&args.queue, "--queue NAME")?,
            batch_size: args.batch_size.unwrap_or(10),
            maximum_batching_window_secs: args.batching_window_secs,
            report_batch_item_failures: args.report_batch_item_failures,
            maximum_concurrency: args.maximum_concurrency,
            enabled,
        },
        Kind::Topic => Trigger::Topic {
            topic: needed(&args.topic, "--topic NAME")?,
            filter_policy: args
                .filter_policy
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .context("--filter-policy is not JSON")?,
            enabled,
        },
    })
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Http => "http",
        Kind::Bucket => "bucket",
        Kind::Schedule => "schedule",
        Kind::Queue => "queue",
        Kind::Topic => "topic",
    }
}

fn list(workspace: &Workspace, only: Option<&str>) -> anyhow::Result<()> {
    let names = match only {
        Some(name) => vec![name.to_owned()],
        None => workspace.function_names()?,
    };
    let mut rows = Vec::new();
    for name in names {
        let config: FunctionConfig = workspace.function(&name)?.config;
        for (index, trigger) in config.triggers.iter().enumerate() {
            rows.push((name.clone(), index + 1, trigger.clone()));
        }
    }
    if rows.is_empty() {
        outln!("no triggers: add one with `lambdesk trigger add FUNCTION --type …`");
        return Ok(());
    }
    outln!(
        "{:<24} {:>3}  {:<9} {:<8} SUMMARY",
        "FUNCTION",
        "#",
        "KIND",
        "ENABLED"
    );
    for (function, number, trigger) in rows {
        outln!(
            "{function:<24} {number:>3}  {:<9} {:<8} {}",
            trigger.kind(),
            if trigger.is_enabled() { "yes" } else { "no" },
            details(&trigger)
        );
    }
    Ok(())
}

/// The trigger's settings on one line: `photos · uploads/ · *.png · s3:ObjectCreated:*`.
fn details(trigger: &Trigger) -> String {
    let mut parts: Vec<String> = Vec::new();
    match trigger {
        Trigger::Http { route, payload, .. } => {
            parts.push(route.clone());
            if let Some(payload) = payload {
                parts.push(format!("payload {payload}"));
            }
        }
        Trigger::Bucket {
            bucket,
            events,
            prefix,
            suffix,
            ..
        } => {
            parts.push(bucket.clone());
            parts.extend(prefix.iter().map(|prefix| format!("{prefix}*")));
            parts.extend(suffix.iter().map(|suffix| format!("*{suffix}")));
            parts.push(events.join(", "));
        }
        Trigger::Schedule {
            expression,
            timezone,
            ..
        } => {
            parts.push(expression.clone());
            parts.extend(timezone.clone());
        }
        Trigger::Queue {
            queue,
            batch_size,
            maximum_batching_window_secs,
            report_batch_item_failures,
            maximum_concurrency,
            ..
        } => {
            parts.push(queue.clone());
            parts.push(format!("batch {batch_size}"));
            parts.extend(maximum_batching_window_secs.map(|secs| format!("window {secs} s")));
            if *report_batch_item_failures {
                parts.push("reports item failures".to_owned());
            }
            parts.extend(maximum_concurrency.map(|count| format!("at most {count} at once")));
        }
        Trigger::Topic {
            topic,
            filter_policy,
            ..
        } => {
            parts.push(topic.clone());
            if let Some(policy) = filter_policy {
                parts.push(format!("filter policy {policy}"));
            }
        }
    }
    parts.join(" · ")
}
