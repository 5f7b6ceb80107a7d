//! The `lambdesk` binary: with a subcommand it works headless; without one it opens the
//! console. Everything it does is in the library; this file parses and dispatches.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc instead of glibc's malloc: a request allocates dozens of small objects, and
/// glibc's malloc and free were ~12 % of `serve`'s CPU under HTTP load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    if args.opens_console() {
        return open_console(&args);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("lambdesk-worker")
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("lambdesk: cannot start the async runtime: {error}");
            return ExitCode::from(cli::EXIT_BAD_INPUT);
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(error) => {
            // One clear message: the error and its causes on one line, no debug dump.
            eprintln!("lambdesk: {error:#}");
            ExitCode::from(cli::EXIT_BAD_INPUT)
        }
    }
}

#[cfg(feature = "gui")]
fn open_console(args: &cli::Args) -> ExitCode {
    match cli::console::run(args.workspace_dir()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lambdesk: {error:#}");
            ExitCode::from(cli::EXIT_BAD_INPUT)
        }
    }
}

/// A headless build (`--no-default-features`) has no console to open.
#[cfg(not(feature = "gui"))]
fn open_console(_args: &cli::Args) -> ExitCode {
    eprintln!(
        "lambdesk: this build has no desktop console (built without the `gui` feature): give a subcommand, see `lambdesk --help`"
    );
    ExitCode::from(cli::EXIT_BAD_INPUT)
}
