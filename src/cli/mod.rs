//! Command-line subcommands. Each returns the exit status: 0 success, 1 the function
//! failed, 2 bad usage or bad input (an `Err`, printed as one message by `main`).

/// `println!` for command output: a closed stdout (`lambdesk queue list | head`) is not an
/// error worth a panic, as for any Unix tool; other write errors are said on stderr.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_line(format_args!($($arg)*))
    };
}

mod blueprints;
mod bucket;
mod build;
#[cfg(feature = "gui")]
pub mod console;
mod events;
mod export;
mod import;
mod invoke;
mod lambda_bootstrap;
mod list;
mod queue;
mod runtimes;
mod schedule;
mod serve;
mod topic;
mod trigger;

use std::path::PathBuf;
use std::process::ExitCode;

use lambdesk::model::Workspace;
use lambdesk::sample_workspace::default_workspace;

pub const EXIT_FUNCTION_ERROR: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;

#[derive(Debug, clap::Parser)]
#[command(
    name = "lambdesk",
    version,
    about = "A desktop console for serverless functions, run locally in a WebAssembly sandbox"
)]
pub struct Args {
    /// The workspace folder (default: the last one the console opened, else the sample
    /// workspace). A folder that does not exist yet is created.
    #[arg(long, global = true, value_name = "DIR")]
    workspace: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once per process")]
enum Command {
    /// Invoke a function: the response on stdout; the START…REPORT log and the cost on stderr.
    Invoke(invoke::InvokeArgs),
    /// Build a Rust function's crate (cargo, for wasm32-wasip1) or a Go function (go, for wasip1); invoking builds it too when stale.
    Build(build::BuildArgs),
    /// List the functions with runtime, memory, timeout and triggers.
    List,
    /// List the blueprints `new` can create functions from.
    Blueprints,
    /// Create a function from a blueprint.
    New(blueprints::NewArgs),
    /// Sample AWS events (like `sam local generate-event`).
    Events {
        #[command(subcommand)]
        command: events::EventsCommand,
    },
    /// Export the workspace as an AWS SAM application (template.yaml and code) that `sam deploy` takes.
    Export(export::ExportArgs),
    /// Run as the `bootstrap` of a Lambda custom runtime (provided.al2023): serve the function in LAMBDA_TASK_ROOT through AWS_LAMBDA_RUNTIME_API.
    LambdaBootstrap,
    /// Run every trigger of the workspace (the HTTP gateway, …) until Ctrl-C; logs on stdout.
    Serve(serve::ServeArgs),
    /// A function's triggers: add, list, remove, enable, disable.
    Trigger {
        #[command(subcommand)]
        command: trigger::TriggerCommand,
    },
    /// Where a function's asynchronous results go (on success, on failure).
    Destination {
        #[command(subcommand)]
        command: trigger::DestinationCommand,
    },
    /// Buckets (folders under buckets/): create, list.
    Bucket {
        #[command(subcommand)]
        command: bucket::BucketCommand,
    },
    /// Queues with SQS semantics: create, delete, send, list, peek, purge, redrive.
    Queue {
        #[command(subcommand)]
        command: queue::QueueCommand,
    },
    /// Topics with SNS fan-out: create, delete, publish, list.
    Topic {
        #[command(subcommand)]
        command: topic::TopicCommand,
    },
    /// Language packs (Python's runtime): list them, prepare one ahead of first use.
    Runtimes {
        #[command(subcommand)]
        command: runtimes::RuntimesCommand,
    },
    /// Import an AWS SAM template (YAML or JSON) into the workspace, reporting what does
    /// not come over.
    Import(import::ImportArgs),
    /// EventBridge schedule expressions: rate(…) and cron(…).
    Schedule {
        #[command(subcommand)]
        command: schedule::ScheduleCommand,
    },
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let workspace = || open_workspace(args.workspace.as_deref());
    match args.command {
        Some(Command::Invoke(invoke_args)) => invoke::run(&workspace()?, &invoke_args).await,
        Some(Command::Build(build_args)) => build::run(&workspace()?, &build_args),
        Some(Command::List) => list::run(&workspace()?),
        Some(Command::Blueprints) => blueprints::list(&workspace()?),
        Some(Command::New(new_args)) => blueprints::create(&workspace()?, &new_args),
        Some(Command::Events { command }) => events::run(&command),
        Some(Command::Schedule { command }) => schedule::run(&command),
        Some(Command::Runtimes { command }) => runtimes::run(&command),
        Some(Command::Trigger { command }) => trigger::run(&workspace()?, &command),
        Some(Command::Destination { command }) => trigger::run_destination(&workspace()?, &command),
        Some(Command::Bucket { command }) => bucket::run(&workspace()?, &command),
        Some(Command::Queue { command }) => queue::run(&workspace()?, &command),
        Some(Command::Topic { command }) => topic::run(&workspace()?, &command),
        Some(Command::Import(import_args)) => {
            import::run(import_root(args.workspace)?, &import_args)
        }
        Some(Command::Export(export_args)) => export::run(&workspace()?, &export_args),
        Some(Command::LambdaBootstrap) => lambda_bootstrap::run_bootstrap().await,
        Some(Command::Serve(serve_args)) => serve::run(&workspace()?, &serve_args).await,
        // `main` opens the console before getting here.
        None => Ok(ExitCode::SUCCESS),
    }
}

impl Args {
    /// Without a subcommand, lambdesk opens the desktop console.
    pub fn opens_console(&self) -> bool {
        self.command.is_none()
    }

    #[cfg(feature = "gui")]
    pub fn workspace_dir(&self) -> Option<&std::path::Path> {
        self.workspace.as_deref()
    }
}

fn open_workspace(dir: Option<&std::path::Path>) -> anyhow::Result<Workspace> {
    Ok(match dir {
        Some(dir) => Workspace::open(dir)?,
        None => default_workspace()?,
    })
}

/// Where `import` writes: `--workspace`, else the default workspace's folder.
fn import_root(dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    Ok(match dir {
        Some(dir) => dir,
        None => default_workspace()?.root().to_owned(),
    })
}

/// Writes one line of command output (see `outln!`).
pub fn write_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(line).and_then(|()| out.write_all(b"\n"));
    if let Err(error) = written
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("lambdesk: cannot write the output: {error}");
    }
}
