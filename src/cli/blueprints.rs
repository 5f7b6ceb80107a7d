use std::process::ExitCode;

use lambdesk::blueprints;
use lambdesk::model::Workspace;

/// `lambdesk blueprints`: ids with runtime and description.
pub fn list(workspace: &Workspace) -> anyhow::Result<ExitCode> {
    for blueprint in blueprints::all(Some(workspace))? {
        outln!(
            "{:<18} {:<5} {}",
            blueprint.id,
            blueprint.runtime,
            blueprint.description
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The new function's name (1–64 letters, digits, `-`, `_`).
    name: String,
    /// The blueprint's id (see `lambdesk blueprints`).
    #[arg(long, value_name = "ID")]
    blueprint: String,
    /// Memory in MB (128–10240).
    #[arg(long, default_value_t = 128, value_name = "MB")]
    memory_mb: u32,
}

/// `lambdesk new NAME --blueprint ID`: creates the function from the blueprint.
pub fn create(workspace: &Workspace, args: &NewArgs) -> anyhow::Result<ExitCode> {
    let blueprint = blueprints::find(Some(workspace), &args.blueprint)?;
    let function = blueprint.create_function(workspace, &args.name, args.memory_mb)?;
    outln!(
        "Created {} from the {} blueprint.",
        function.dir.display(),
        blueprint.id
    );
    if let Some((event, _)) = blueprint.test_events().next() {
        outln!(
            "Try it: lambdesk invoke {} --event {}",
            function.name,
            function.dir.join(event).display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
