//! `lambdesk runtimes`: the language packs (Python's and Ruby's runtimes) in the user's
//! cache — what is there, and preparing one ahead of its first use.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use lambdesk::runtime::{LanguagePack, PackLanguage, PackProgress, PackState};

const LANGUAGES: [PackLanguage; 2] = [PackLanguage::Python, PackLanguage::Ruby];

#[derive(Debug, clap::Subcommand)]
pub enum RuntimesCommand {
    /// Show which language packs are prepared, where, and how large they are.
    List,
    /// Prepare a language pack now (python or ruby): fetch and build it, with progress;
    /// a damaged or outdated pack is rebuilt.
    Install {
        /// The language: python or ruby.
        language: String,
        /// Rebuild even when the cache holds a good pack.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(command: &RuntimesCommand) -> anyhow::Result<ExitCode> {
    match command {
        RuntimesCommand::List => {
            println!("{:<10} {:<44} WHERE", "LANGUAGE", "STATE");
            for language in LANGUAGES {
                let pack = LanguagePack::new(LanguagePack::default_root(), language);
                let state = pack.state();
                let next = match state {
                    PackState::Ready { .. } => "",
                    PackState::Missing => " (prepared on first use)",
                    PackState::Damaged(_) | PackState::Outdated => " (rebuilt on next use)",
                };
                println!(
                    "{:<10} {:<44} {}",
                    language.id(),
                    format!("{}{next}", describe_state(&state)),
                    pack.dir().display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        RuntimesCommand::Install { language, force } => {
            let Some(language) = LANGUAGES.into_iter().find(|known| known.id() == language) else {
                anyhow::bail!(
                    "no language pack named `{language}`: lambdesk prepares `python` and `ruby` (js, wat, wasm, rust and go need none)"
                );
            };
            let pack = LanguagePack::new(LanguagePack::default_root(), language);
            install(&pack, *force)
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

/// Prepares a language's pack with progress on the terminal if the cache lacks a good
/// one (`lambdesk invoke` of a Python or Ruby function).
pub fn ensure_with_progress(language: PackLanguage) -> anyhow::Result<()> {
    let pack = LanguagePack::new(LanguagePack::default_root(), language);
    // Cheap (no checksum): the runtime verifies the pack before it trusts it, and
    // rebuilds a damaged one itself.
    if pack.looks_ready() {
        return Ok(());
    }
    let name = language.display_name();
    eprintln!("lambdesk: {name}'s language pack is prepared once per machine (20–30 MB)");
    if install(&pack, false)? == ExitCode::SUCCESS {
        Ok(())
    } else {
        anyhow::bail!("{name} functions cannot run until the language pack is prepared")
    }
}

fn install(pack: &LanguagePack, force: bool) -> anyhow::Result<ExitCode> {
    let name = pack.language().display_name();
    let state = pack.state();
    if !force && matches!(state, PackState::Ready { .. }) {
        eprintln!(
            "lambdesk: {name}'s language pack is {}",
            describe_state(&state)
        );
        return Ok(ExitCode::SUCCESS);
    }
    if matches!(state, PackState::Damaged(_) | PackState::Outdated) {
        eprintln!(
            "lambdesk: {name}'s language pack is {}; rebuilding it",
            describe_state(&state)
        );
    }
    let progress = Arc::new(PackProgress::default());
    let worker = {
        let pack = pack.clone();
        let progress = Arc::clone(&progress);
        std::thread::Builder::new()
            .name("lambdesk-language-pack".to_owned())
            .spawn(move || {
                if force {
                    pack.install(&progress)
                } else {
                    pack.ensure(&progress)
                }
            })?
    };
    // The steps with their elapsed time on one terminal line while the worker runs.
    while !worker.is_finished() {
        if let Some((step, elapsed)) = progress.current() {
            eprint!(
                "\r\x1b[Klambdesk: preparing {name} [{}/{}] {} … {}s",
                step.number,
                step.count,
                step.description,
                elapsed.as_secs()
            );
            let _ = std::io::stderr().flush();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprint!("\r\x1b[K");
    let result = worker
        .join()
        .map_err(|_| anyhow::anyhow!("preparing {name}'s language pack panicked"))?;
    match result {
        Ok(bytes) => {
            eprintln!(
                "lambdesk: {name}'s language pack is ready ({:.1} MB) in {}",
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
