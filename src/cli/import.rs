//! `lambdesk import TEMPLATE`: an AWS SAM template into a workspace, and the report of
//! what did not come over (as text, or `--json`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use lambdesk::sam::import::{
    ImportError, ImportOptions, import_sam_template, parse_parameter_override,
};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The SAM template (template.yaml, or a JSON template).
    template: PathBuf,
    /// Template parameters, as `sam deploy` takes them: Key=Value (or
    /// ParameterKey=Key,ParameterValue=Value); repeat or separate with spaces.
    #[arg(long, num_args = 1.., value_name = "KEY=VALUE", value_parser = parse_parameter_override)]
    parameter_overrides: Vec<(String, String)>,
    /// Replace the workspace's functions, queues and topics that have the same names
    /// (the replaced function folders are moved to .lambdesk/replaced/).
    #[arg(long)]
    force: bool,
    /// The report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(workspace_root: PathBuf, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let options = ImportOptions {
        template: args.template.clone(),
        workspace_root,
        parameter_overrides: args.parameter_overrides.clone(),
        force: args.force,
    };
    let report = match import_sam_template(&options) {
        Ok(report) => report,
        Err(error @ ImportError::Clashes(_)) => {
            return Err(anyhow::anyhow!(
                "{error}: nothing was imported; choose another --workspace, or import with --force to replace them"
            ));
        }
        Err(error) => return Err(error).context("nothing was imported"),
    };
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        outln!("{}", report.text().trim_end());
    }
    Ok(ExitCode::SUCCESS)
}
