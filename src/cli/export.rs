//! `lambdesk export [--out DIR]`: the workspace as an AWS SAM application (template.yaml,
//! code folders, lambdesk's bootstrap layer), with what needs a change on Lambda.

use std::path::PathBuf;
use std::process::ExitCode;

use lambdesk::model::Workspace;
use lambdesk::sam::export::{ExportOptions, NoteLevel, export_workspace};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The folder to write the SAM application into (default: `sam-export` in the
    /// workspace). A folder with an earlier export is replaced; another non-empty one is refused.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// lambdesk built for Linux x86_64 without the GUI, the `bootstrap` of x86_64
    /// WebAssembly functions (see README: "Functions on AWS Lambda").
    #[arg(long = "bootstrap-x86-64", value_name = "FILE")]
    bootstrap_x86_64: Option<PathBuf>,
    /// lambdesk built for Linux arm64 without the GUI, the `bootstrap` of arm64
    /// WebAssembly functions.
    #[arg(long = "bootstrap-arm64", value_name = "FILE")]
    bootstrap_arm64: Option<PathBuf>,
}

pub fn run(workspace: &Workspace, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    for bootstrap in [&args.bootstrap_x86_64, &args.bootstrap_arm64]
        .into_iter()
        .flatten()
    {
        anyhow::ensure!(
            bootstrap.is_file(),
            "{} is not a file: give lambdesk's headless Linux build as the bootstrap",
            bootstrap.display()
        );
    }
    let options = ExportOptions {
        out_dir: args
            .out
            .clone()
            .unwrap_or_else(|| workspace.root().join("sam-export")),
        bootstrap_x86_64: args.bootstrap_x86_64.clone(),
        bootstrap_arm64: args.bootstrap_arm64.clone(),
        builds: Default::default(),
    };
    let report = export_workspace(workspace, &options)?;
    outln!("wrote {}", report.template_path().display());
    for path in report.written.iter().skip(1) {
        outln!("wrote {}", report.out_dir.join(path).display());
    }
    for level in [
        NoteLevel::NotCarriedOver,
        NoteLevel::ActionNeeded,
        NoteLevel::Info,
    ] {
        for note in report.notes.iter().filter(|note| note.level == level) {
            eprintln!("{note}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
