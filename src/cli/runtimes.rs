//! `lambdesk runtimes`: the language packs (Python's runtime) in the user's cache — what
//! is there, and preparing one ahead of its first use.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use lambdesk::runtime::{PackProgress, PackState, PythonPack};

#[derive(Debug, clap::Subcommand)]
pub enum RuntimesCommand {
    /// Show which language packs are prepared, where, and how large they are.
    List,
    /// Prepare a language pack now (python): download its tools and build it, with
    /// progress; a damaged or outdated pack is rebuilt.
    Install {
        /// The language: python.
        language: String,
        /// Rebuild even when the cache holds a good pack.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(command: &RuntimesCommand) -> anyhow::Result<ExitCode> {
    let pack = PythonPack::new(PythonPack::default_root());
    match command {
        RuntimesCommand::List => {
            println!("{:<10} {:<10} {}", "LANGUAGE", "STATE", "WHERE");
            let state = pack.state();
            let next = match state {
                PackState::Ready { .. } => "",
                PackState::Missing => " (prepared on first use)",
                PackState::Damaged(_) | PackState::Outdated => " (rebuilt on next use)",
            };
            println!(
                "{:<10} {:<10} {}",
                "python",
                format!("{}{next}", describe_state(&state)),
                pack.dir().display()
            );
            Ok(ExitCode::SUCCESS)
        }
        RuntimesCommand::Install { language, force } => {
            if language != "python" {
                anyhow::bail!(
                    "no language pack named `{language}`: lambdesk prepares `python` (js, wat, wasm, rust and go need none)"
                );
            }
            install_python(&pack, *force)
        }
    }
}

fn describe_state(state: &PackState) -> String {
    match state {
        PackState::Missing => "missing".to_owned(),
        PackState::Ready { size_bytes } => {
            format!("ready ({:.1} MB)", *size_bytes as f64 / 1_000_000.0)
        }
        PackState::Damaged(why) => format!("damaged ({why})"),
        PackState::Outdated => "outdated (made by another lambdesk)".to_owned(),
    }
}

/// Prepares Python's pack with progress on the terminal if the cache lacks a good one.
pub fn ensure_python_with_progress() -> anyhow::Result<()> {
    let pack = PythonPack::new(PythonPack::default_root());
    if matches!(pack.state(), PackState::Ready { .. }) {
        return Ok(());
    }
    eprintln!("lambdesk: Python's language pack is prepared once per machine (about 20 MB)");
    if install_python(&pack, false)? == ExitCode::SUCCESS {
        Ok(())
    } else {
        anyhow::bail!("Python functions cannot run until the language pack is prepared")
    }
}

fn install_python(pack: &PythonPack, force: bool) -> anyhow::Result<ExitCode> {
    let state = pack.state();
    if !force && matches!(state, PackState::Ready { .. }) {
        eprintln!(
            "lambdesk: Python's language pack is {}",
            describe_state(&state)
        );
        return Ok(ExitCode::SUCCESS);
    }
    if matches!(state, PackState::Damaged(_) | PackState::Outdated) {
        eprintln!(
            "lambdesk: Python's language pack is {}; rebuilding it",
            describe_state(&state)
        );
    }
    let progress = Arc::new(PackProgress::default());
    let worker = {
        let pack = pack.clone();
        let progress = Arc::clone(&progress);
        std::thread::spawn(move || {
            if force {
                pack.install(&progress)
            } else {
                pack.ensure(&progress)
            }
        })
    };
    // The steps with their elapsed time on one terminal line while the worker runs.
    while !worker.is_finished() {
        if let Some((step, elapsed)) = progress.current() {
            eprint!(
                "\r\x1b[Klambdesk: preparing Python [{}/{}] {} … {}s",
                step.number(),
                lambdesk::runtime::PackStep::COUNT,
                step.description(),
                elapsed.as_secs()
            );
            let _ = std::io::stderr().flush();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprint!("\r\x1b[K");
    let result = worker
        .join()
        .map_err(|_| anyhow::anyhow!("preparing Python's language pack panicked"))?;
    match result {
        Ok(bytes) => {
            eprintln!(
                "lambdesk: Python's language pack is ready ({:.1} MB) in {}",
                bytes.len() as f64 / 1_000_000.0,
                pack.dir().display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("lambdesk: {error}");
            Ok(ExitCode::FAILURE)
        }
    }
}
