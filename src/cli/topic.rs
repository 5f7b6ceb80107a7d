//! `lambdesk topic create|delete|publish|list`: the workspace's topics from the command
//! line. `create` and `delete` edit `lambdesk.toml` in place; publishing writes to the workspace's state database; a running console or `serve` delivers.

use std::process::ExitCode;

use chrono::Utc;
use lambdesk::model::Workspace;
use lambdesk::triggers::context::load_functions;
use lambdesk::triggers::message_attribute::{MessageAttribute, parse_attribute};
use lambdesk::triggers::topics::{MessagingStores, Publication, known_topics, publish};

#[derive(Debug, clap::Subcommand)]
pub enum TopicCommand {
    /// Declare a topic in lambdesk.toml.
    Create { topic: String },
    /// Remove a topic (and its queue subscriptions) from lambdesk.toml; refused while a
    /// function subscribes to it or sends results to it.
    Delete { topic: String },
    /// Publish a message to every subscriber whose filter policy matches.
    Publish(PublishArgs),
    /// The topics with their subscriptions.
    List,
}

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    topic: String,
    message: String,
    #[arg(long)]
    subject: Option<String>,
    /// A message attribute: name=value (a String), name:Number=42, name:String.Array=["a"].
    #[arg(long = "attr", value_name = "NAME=VALUE", value_parser = parse_attribute)]
    attributes: Vec<(String, MessageAttribute)>,
}

pub fn run(workspace: &Workspace, command: &TopicCommand) -> anyhow::Result<ExitCode> {
    let (functions, _) = load_functions(workspace);
    match command {
        TopicCommand::Create { topic } => {
            workspace.create_topic(topic)?;
            outln!("created topic {topic} in lambdesk.toml");
            Ok(ExitCode::SUCCESS)
        }
        TopicCommand::Delete { topic } => {
            workspace.delete_topic(topic)?;
            outln!("deleted topic {topic} from lambdesk.toml");
            Ok(ExitCode::SUCCESS)
        }
        TopicCommand::Publish(args) => {
            let stores = MessagingStores::open(workspace)?;
            let targets = stores.targets(workspace, &functions);
            let publication = Publication {
                topic: args.topic.clone(),
                message: args.message.clone(),
                subject: args.subject.clone(),
                attributes: args.attributes.iter().cloned().collect(),
                message_id: None,
            };
            let report = publish(&targets, &publication, 0, Utc::now())?;
            outln!("{}", report.message_id);
            for endpoint in &report.delivered_to {
                eprintln!("  → {endpoint}");
            }
            for endpoint in &report.filtered_out {
                eprintln!("  ✗ {endpoint} (its filter policy does not match)");
            }
            for failure in &report.failed {
                eprintln!("  ! {failure}");
            }
            if report.delivered_to.is_empty()
                && report.filtered_out.is_empty()
                && report.failed.is_empty()
            {
                eprintln!("  (no subscribers: the message went nowhere, as on SNS)");
            }
            Ok(ExitCode::SUCCESS)
        }
        TopicCommand::List => {
            let (topics, problems) = known_topics(workspace, &functions);
            if topics.is_empty() {
                outln!(
                    "no topics: declare one as [topics.<name>] in lambdesk.toml or subscribe a function with a topic trigger"
                );
            }
            for (name, subscriptions) in &topics {
                outln!("{name}");
                for subscription in subscriptions {
                    let filtered = if subscription.filter_policy.is_some() {
                        " (filter policy)"
                    } else {
                        ""
                    };
                    outln!("  {}{filtered}", subscription.describe());
                }
                if subscriptions.is_empty() {
                    outln!("  (no subscribers)");
                }
            }
            for problem in problems {
                eprintln!("{problem}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
