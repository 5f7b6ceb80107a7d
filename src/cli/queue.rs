//! `lambdesk queue create|delete|send|list|peek|purge|redrive`: the workspace's queues
//! from the command line. `create` and `delete` edit `lambdesk.toml` in place; the others
//! work on the workspace's state database directly, so they work whether or
//! not a console or `serve` runs on the workspace (which picks new messages up within a
//! second).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, SecondsFormat, Utc};
use lambdesk::model::{QueueConfig, Trigger, Workspace};
use lambdesk::triggers::context::load_functions;
use lambdesk::triggers::message_attribute::{MessageAttributes, parse_attribute};
use lambdesk::triggers::queues::{
    NewMessage, QueueSettings, QueueStore, known_queues, queue_settings,
};
use lambdesk::triggers::state_db::state_path;

#[derive(Debug, clap::Subcommand)]
pub enum QueueCommand {
    /// Declare a queue in lambdesk.toml (a name ending in .fifo makes a FIFO queue).
    Create(CreateArgs),
    /// Remove a queue from lambdesk.toml; refused while a trigger, destination,
    /// subscription or redrive uses it.
    Delete { queue: String },
    /// Send a message (or one message per line of --batch-file).
    Send(SendArgs),
    /// The queues with their messages waiting, in flight, and in their dead-letter queue.
    List,
    /// Show the oldest messages without receiving them.
    Peek {
        queue: String,
        /// How many messages to show.
        #[arg(long, default_value_t = 10)]
        count: usize,
    },
    /// Delete every message of a queue.
    Purge { queue: String },
    /// Move the messages of a dead-letter queue back to the queues they came from.
    Redrive { dead_letter_queue: String },
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    queue: String,
    /// How long a received message stays hidden (0–43200 s; SQS's default 30 s).
    #[arg(long, value_name = "SECS")]
    visibility_timeout_secs: Option<u32>,
    /// How long a message is kept (60–1209600 s; SQS's default 4 days).
    #[arg(long, value_name = "SECS")]
    message_retention_secs: Option<u32>,
    /// Move a message here after --max-receive-count receives (an existing queue).
    #[arg(long, value_name = "QUEUE", requires = "max_receive_count")]
    dead_letter_queue: Option<String>,
    /// Receives before a message moves to --dead-letter-queue (1–1000).
    #[arg(long, value_name = "N", requires = "dead_letter_queue")]
    max_receive_count: Option<u32>,
    /// FIFO queues: deduplicate messages without an id by their body.
    #[arg(long)]
    content_based_deduplication: bool,
}

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    queue: String,
    /// The message body (not with --batch-file).
    #[arg(required_unless_present = "batch_file", conflicts_with = "batch_file")]
    body: Option<String>,
    /// A message attribute: name=value (a String), name:Number=42, name:String.Array=["a"].
    #[arg(long = "attr", value_name = "NAME=VALUE", value_parser = parse_attribute)]
    attributes: Vec<(
        String,
        lambdesk::triggers::message_attribute::MessageAttribute,
    )>,
    /// FIFO queues: the message group.
    #[arg(long)]
    group: Option<String>,
    /// FIFO queues: the deduplication id (default: the body's hash, with content-based
    /// deduplication).
    #[arg(long)]
    deduplication_id: Option<String>,
    /// Send one message per line of this file (empty lines skipped), in one transaction.
    #[arg(long, value_name = "FILE")]
    batch_file: Option<PathBuf>,
}

pub fn run(workspace: &Workspace, command: &QueueCommand) -> anyhow::Result<ExitCode> {
    // Configuration edits come first: they need no state database.
    match command {
        QueueCommand::Create(args) => return create(workspace, args),
        QueueCommand::Delete { queue } => {
            workspace.delete_queue(queue)?;
            outln!("deleted queue {queue} from lambdesk.toml");
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let (functions, _) = load_functions(workspace);
    let queues = known_queues(workspace, &functions);
    let store = QueueStore::open(&state_path(workspace))?;
    let now_ms = Utc::now().timestamp_millis();
    // Messages past their retention are gone, as on SQS, before anything is shown.
    for settings in queues.values() {
        store.expire(settings, now_ms)?;
    }
    match command {
        QueueCommand::Send(args) => {
            send(&store, &queue_settings(&queues, &args.queue)?, args, now_ms)
        }
        QueueCommand::List => list(workspace, &functions, &queues, &store, now_ms),
        QueueCommand::Peek { queue, count } => {
            queue_settings(&queues, queue)?;
            for message in store.peek(queue, *count, now_ms)? {
                let state = if message.in_flight {
                    "in flight"
                } else {
                    "visible"
                };
                let from = message
                    .source_queue
                    .map(|source| format!(" (from {source})"))
                    .unwrap_or_default();
                outln!(
                    "{}  {}  {state}, received {}×{from}{}",
                    message.message_id,
                    time(message.sent_at_ms),
                    message.receive_count,
                    message
                        .group_id
                        .map(|group| format!(", group {group}"))
                        .unwrap_or_default()
                );
                if !message.attributes.is_empty() {
                    let shown: Vec<String> = message
                        .attributes
                        .iter()
                        .map(|(name, attribute)| {
                            format!("{name}:{}={}", attribute.data_type, attribute.value)
                        })
                        .collect();
                    outln!("  attributes: {}", shown.join(" "));
                }
                outln!("  {}", message.body);
            }
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Purge { queue } => {
            queue_settings(&queues, queue)?;
            let purged = store.purge(queue)?;
            outln!("purged {purged} message(s) from {queue}");
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Create(_) | QueueCommand::Delete { .. } => Ok(ExitCode::SUCCESS),
        QueueCommand::Redrive { dead_letter_queue } => {
            queue_settings(&queues, dead_letter_queue)?;
            let moved = store.redrive(dead_letter_queue, now_ms)?;
            outln!("moved {moved} message(s) from {dead_letter_queue} back to their source queues");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn create(workspace: &Workspace, args: &CreateArgs) -> anyhow::Result<ExitCode> {
    let defaults = QueueConfig::default();
    let fifo = args.queue.ends_with(".fifo");
    let config = QueueConfig {
        visibility_timeout_secs: args
            .visibility_timeout_secs
            .unwrap_or(defaults.visibility_timeout_secs),
        message_retention_secs: args
            .message_retention_secs
            .unwrap_or(defaults.message_retention_secs),
        max_receive_count: args.max_receive_count,
        dead_letter_queue: args.dead_letter_queue.clone(),
        fifo,
        content_based_deduplication: args.content_based_deduplication,
    };
    workspace.create_queue(&args.queue, config)?;
    outln!(
        "created {} queue {} in lambdesk.toml",
        if fifo { "FIFO" } else { "standard" },
        args.queue
    );
    Ok(ExitCode::SUCCESS)
}

fn send(
    store: &QueueStore,
    queue: &QueueSettings,
    args: &SendArgs,
    now_ms: i64,
) -> anyhow::Result<ExitCode> {
    let attributes: MessageAttributes = args.attributes.iter().cloned().collect();
    let message = |body: &str| NewMessage {
        body: body.to_owned(),
        attributes: attributes.clone(),
        group_id: args.group.clone(),
        deduplication_id: args.deduplication_id.clone(),
        message_id: None,
        hops: 0,
    };
    let messages: Vec<NewMessage> = match (&args.batch_file, &args.body) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            text.lines()
                .filter(|line| !line.trim().is_empty())
                .map(message)
                .collect()
        }
        (None, Some(body)) => vec![message(body)],
        (None, None) => anyhow::bail!("give a message body or --batch-file FILE"),
    };
    let sent = store.send(queue, &messages, now_ms)?;
    if args.batch_file.is_some() {
        let duplicates = sent.iter().filter(|sent| sent.duplicate).count();
        outln!(
            "sent {} message(s) to {}{}",
            sent.len() - duplicates,
            queue.name,
            if duplicates > 0 {
                format!(" ({duplicates} duplicate(s) dropped)")
            } else {
                String::new()
            }
        );
    } else if let Some(sent) = sent.first() {
        let note = if sent.duplicate {
            " (a duplicate within 5 minutes: not delivered again)"
        } else {
            ""
        };
        outln!("{}{note}", sent.message_id);
    }
    Ok(ExitCode::SUCCESS)
}

fn list(
    workspace: &Workspace,
    functions: &[lambdesk::model::Function],
    queues: &BTreeMap<String, QueueSettings>,
    store: &QueueStore,
    now_ms: i64,
) -> anyhow::Result<ExitCode> {
    if queues.is_empty() {
        outln!(
            "no queues: declare one as [queues.<name>] in {}",
            workspace.root().join("lambdesk.toml").display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{:<28} {:<8} {:>9} {:>9}  {:<24} consumers",
        "QUEUE",
        "TYPE",
        "VISIBLE",
        "IN FLIGHT",
        "DEAD-LETTER QUEUE"
    );
    for (name, settings) in queues {
        let counts = store.counts(name, now_ms)?;
        let dead_letter = match &settings.redrive {
            Some((dlq, max_receive_count)) => {
                let waiting = store.counts(dlq, now_ms)?;
                format!(
                    "{dlq} ({}, after {max_receive_count})",
                    waiting.visible + waiting.in_flight
                )
            }
            None => "-".to_owned(),
        };
        let consumers: Vec<&str> = functions
            .iter()
            .filter(|function| {
                function.config.triggers.iter().any(|trigger| {
                    matches!(trigger, Trigger::Queue { queue, enabled: true, .. } if queue == name)
                })
            })
            .map(|function| function.name.as_str())
            .collect();
        outln!(
            "{name:<28} {:<8} {:>9} {:>9}  {dead_letter:<24} {}",
            if settings.fifo { "fifo" } else { "standard" },
            counts.visible,
            counts.in_flight,
            if consumers.is_empty() {
                "-".to_owned()
            } else {
                consumers.join(", ")
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}
