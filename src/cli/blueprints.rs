use std::process::ExitCode;

use anyhow::bail;
use lambdesk::blueprints::{self, Blueprint, TriggerNote};
use lambdesk::model::{Trigger, Workspace};

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
    /// The HTTP routes in place of the blueprint's, once for each of its routes, in
    /// order (`--route "GET /shop/items"`).
    #[arg(long = "route", value_name = "ROUTE")]
    routes: Vec<String>,
}

/// `lambdesk new NAME --blueprint ID`: creates the function from the blueprint.
pub fn create(workspace: &Workspace, args: &NewArgs) -> anyhow::Result<ExitCode> {
    let blueprint = blueprints::find(Some(workspace), &args.blueprint)?;
    let triggers = chosen_triggers(&blueprint, &args.routes)?;
    let notes = blueprints::check_triggers(workspace, &triggers);
    let problems: Vec<&str> = notes
        .iter()
        .flatten()
        .filter(|note| note.is_problem())
        .map(TriggerNote::message)
        .collect();
    if !problems.is_empty() {
        bail!(
            "cannot create `{}` from the {} blueprint: {}; {}",
            args.name,
            blueprint.id,
            problems.join("; "),
            route_hint(workspace, &args.name, &triggers, &notes)
        );
    }
    let function =
        blueprint.create_function_with(workspace, &args.name, args.memory_mb, triggers)?;
    outln!(
        "Created {} from the {} blueprint.",
        function.dir.display(),
        blueprint.id
    );
    for note in notes.iter().flatten() {
        outln!("Note: {}.", note.message());
    }
    if let Some((event, _)) = blueprint.test_events().next() {
        outln!(
            "Try it: lambdesk invoke {} --event {}",
            function.name,
            function.dir.join(event).display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The blueprint's triggers, its HTTP routes replaced by `routes` when given.
fn chosen_triggers(blueprint: &Blueprint, routes: &[String]) -> anyhow::Result<Vec<Trigger>> {
    if routes.is_empty() {
        return Ok(blueprint.triggers.clone());
    }
    let blueprint_routes: Vec<&str> = blueprint
        .triggers
        .iter()
        .filter(|trigger| matches!(trigger, Trigger::Http { .. }))
        .map(blueprints::field_value)
        .collect();
    if routes.len() != blueprint_routes.len() {
        bail!(
            "the {} blueprint has {} HTTP route(s) ({}); give --route once for each, in that order (got {})",
            blueprint.id,
            blueprint_routes.len(),
            blueprint_routes.join(", "),
            routes.len()
        );
    }
    let mut given = routes.iter();
    let mut triggers = blueprint.triggers.clone();
    for trigger in &mut triggers {
        if let (Trigger::Http { .. }, Some(route)) = (&*trigger, given.next()) {
            *trigger = blueprints::with_field_value(trigger, route);
        }
    }
    Ok(triggers)
}

/// How to get past a refusal: `--route` for every route, with a free suggestion in place
/// of each that conflicts.
fn route_hint(
    workspace: &Workspace,
    name: &str,
    triggers: &[Trigger],
    notes: &[Option<TriggerNote>],
) -> String {
    let flags: Vec<String> = triggers
        .iter()
        .enumerate()
        .filter(|(_, trigger)| matches!(trigger, Trigger::Http { .. }))
        .map(|(index, trigger)| {
            let refused = notes[index].as_ref().is_some_and(TriggerNote::is_problem);
            let route = refused
                .then(|| blueprints::suggested_route(workspace, name, triggers, index))
                .flatten()
                .unwrap_or_else(|| blueprints::field_value(trigger).to_owned());
            format!("--route \"{route}\"")
        })
        .collect();
    if flags.is_empty() {
        "fix the blueprint's blueprint.toml".to_owned()
    } else {
        format!(
            "choose the routes with --route, once per route of the blueprint, for example {}",
            flags.join(" ")
        )
    }
}
