use std::process::ExitCode;

use lambdesk::triggers::events::{EventOverrides, EventSource, generate};

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once per process")]
pub enum EventsCommand {
    /// Print a sample event for SOURCE, with AWS's exact shape.
    Generate(GenerateArgs),
    /// List the event sources `generate` knows.
    List,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The event source (`lambdesk events list` names them all: s3-put, sqs, apigw-http,
    /// apigw-rest, alb, cloudformation-create, cognito-pre-signup, cloudfront-viewer-request, …)
    #[arg(value_parser = parse_source)]
    source: EventSource,
    /// AWS region in the event and its ARNs.
    #[arg(long)]
    region: Option<String>,
    /// AWS account id in ARNs.
    #[arg(long)]
    account: Option<String>,
    /// s3-*: the bucket name.
    #[arg(long)]
    bucket: Option<String>,
    /// s3-*: the object key (URL-encoded in the event as S3 does).
    #[arg(long)]
    key: Option<String>,
    /// s3-put: the object size in bytes.
    #[arg(long)]
    size: Option<u64>,
    /// The message or request body (sqs, sns, apigw-http, apigw-rest, alb, kinesis,
    /// firehose, cloudwatch-logs), what the user said (lex) or the slot value (alexa-skills-kit).
    #[arg(long)]
    body: Option<String>,
    /// sqs: the queue name.
    #[arg(long)]
    queue: Option<String>,
    /// sns: the topic name.
    #[arg(long)]
    topic: Option<String>,
    /// sns and ses: the subject.
    #[arg(long)]
    subject: Option<String>,
    /// apigw-http, apigw-rest, alb, cloudfront-*: the HTTP method.
    #[arg(long)]
    method: Option<String>,
    /// apigw-http, apigw-rest, alb, cloudfront-*: the path, with an optional `?query`.
    #[arg(long)]
    path: Option<String>,
    /// dynamodb: the table name.
    #[arg(long)]
    table: Option<String>,
    /// kinesis: the stream name; firehose: the delivery stream name.
    #[arg(long)]
    stream: Option<String>,
    /// cloudwatch-logs: the log group.
    #[arg(long)]
    log_group: Option<String>,
}

fn parse_source(text: &str) -> Result<EventSource, String> {
    text.parse()
        .map_err(|error: <EventSource as std::str::FromStr>::Err| error.to_string())
}

pub fn run(command: &EventsCommand) -> anyhow::Result<ExitCode> {
    match command {
        EventsCommand::List => {
            for source in EventSource::ALL {
                outln!("{:<29} {}", source.id(), source.description());
            }
        }
        EventsCommand::Generate(args) => {
            let overrides = EventOverrides {
                region: args.region.clone(),
                account: args.account.clone(),
                bucket: args.bucket.clone(),
                key: args.key.clone(),
                body: args.body.clone(),
                queue: args.queue.clone(),
                topic: args.topic.clone(),
                subject: args.subject.clone(),
                method: args.method.clone(),
                path: args.path.clone(),
                table: args.table.clone(),
                stream: args.stream.clone(),
                log_group: args.log_group.clone(),
                size: args.size,
            };
            let event = generate(args.source, &overrides);
            outln!("{}", serde_json::to_string_pretty(&event)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
