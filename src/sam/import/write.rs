//! The plan written into a workspace: refused before anything changes when it would
//! replace the user's functions, queues or topics (unless asked to, and then the old
//! function folders are moved aside, not deleted); `lambdesk.toml` edited in place;
//! functions created through the workspace's own checked creation.

use std::path::{Path, PathBuf};

use super::ImportError;
use super::plan::{FunctionCode, FunctionTarget, ImportPlan, PlannedFunction};
use super::report::{ImportReport, ImportedFunction};
use crate::model::route_template::RouteTemplate;
use crate::model::{OnConflict, Trigger, Workspace, conflicting_route, write_atomically};

/// Where functions that do not run here go, with their code: a folder the workspace does
/// not load, so it keeps loading and the code is safe.
pub const NOT_RUNNABLE_DIR: &str = "not-runnable";
/// Beside the code of a function that does not run here: its SAM properties and why.
pub const NOT_RUNNABLE_FILE: &str = "sam-function.json";
/// Where `force` moves the function folders an import replaces.
const REPLACED_DIR: &str = "replaced";

/// Folders of a template's project that are not a function's code.
const SKIPPED_FOLDERS: &[&str] = &[".aws-sam", ".git", ".lambdesk"];

pub fn write_plan(
    mut plan: ImportPlan,
    root: &Path,
    force: bool,
) -> Result<ImportReport, ImportError> {
    let workspace = Workspace::open(root)?;
    let config = workspace.read_workspace_config()?;
    let mut clashes = Vec::new();
    let mut replaced_folders = Vec::new();
    for function in &plan.functions {
        let folder = function_folder(&workspace, function);
        if folder.exists() {
            clashes.push(format!("function `{}`", function.name));
            replaced_folders.push(folder);
        }
    }
    clashes.extend(
        plan.queues
            .keys()
            .filter(|name| config.queues.contains_key(*name))
            .map(|name| format!("queue `{name}`")),
    );
    clashes.extend(
        plan.topics
            .keys()
            .filter(|name| config.topics.contains_key(*name))
            .map(|name| format!("topic `{name}`")),
    );
    if !clashes.is_empty() && !force {
        return Err(ImportError::Clashes(clashes));
    }
    let replaced_names: Vec<String> = plan
        .functions
        .iter()
        .map(|function| function.name.clone())
        .collect();
    drop_conflicting_routes(&workspace, &replaced_names, &mut plan);

    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    for folder in replaced_folders {
        let name = folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let aside = workspace
            .state_dir()
            .join(REPLACED_DIR)
            .join(format!("{name}-{stamp}"));
        create_dir(aside.parent().unwrap_or(&aside))?;
        std::fs::rename(&folder, &aside).map_err(io(&folder))?;
    }

    let mut edited = config.clone();
    edited.queues.extend(plan.queues.clone());
    edited.topics.extend(plan.topics.clone());
    if let Some((_, problem)) = edited.problems().into_iter().next() {
        return Err(ImportError::Invalid(format!(
            "the queues and topics would not load: {problem}"
        )));
    }
    workspace.update_workspace_config(&config, &edited, OnConflict::Refuse)?;
    for bucket in &plan.buckets {
        create_dir(&workspace.buckets_dir().join(bucket))?;
    }

    let mut report = std::mem::take(&mut plan.report);
    for function in &plan.functions {
        write_function(&workspace, function)?;
        let (runtime, not_runnable) = match &function.target {
            FunctionTarget::Runs(config) => (Some(config.runtime.id().to_owned()), None),
            FunctionTarget::NotRunnable { reason, .. } => (
                None,
                Some(format!(
                    "{reason}; its code is in {NOT_RUNNABLE_DIR}/{}/",
                    function.name
                )),
            ),
        };
        report.functions.push(ImportedFunction {
            logical_id: function.logical_id.clone(),
            name: function.name.clone(),
            lambda_runtime: function.lambda_runtime.clone(),
            runtime,
            not_runnable,
        });
    }
    report.workspace = workspace.root().display().to_string();
    report.buckets = plan.buckets.iter().cloned().collect();
    report.queues = plan.queues.keys().cloned().collect();
    report.topics = plan.topics.keys().cloned().collect();
    let report_path = workspace.state_dir().join(super::report::REPORT_FILE);
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    write_atomically(&report_path, text.as_bytes()).map_err(io(&report_path))?;
    Ok(report)
}

fn function_folder(workspace: &Workspace, function: &PlannedFunction) -> PathBuf {
    match function.target {
        FunctionTarget::Runs(_) => workspace.functions_dir().join(&function.name),
        FunctionTarget::NotRunnable { .. } => {
            workspace.root().join(NOT_RUNNABLE_DIR).join(&function.name)
        }
    }
}

/// A route that another function already serves would stop both from loading: it is left
/// out and reported (the workspace's functions that the import replaces do not count).
fn drop_conflicting_routes(workspace: &Workspace, replaced: &[String], plan: &mut ImportPlan) {
    let mut claimed: Vec<(String, Trigger)> = Vec::new();
    for (name, function) in workspace.functions() {
        if replaced.contains(&name) {
            continue;
        }
        if let Ok(function) = function {
            claimed.extend(
                function
                    .config
                    .triggers
                    .into_iter()
                    .map(|trigger| (name.clone(), trigger)),
            );
        }
    }
    for function in &mut plan.functions {
        let FunctionTarget::Runs(config) = &mut function.target else {
            continue;
        };
        let mut kept = Vec::new();
        for trigger in std::mem::take(&mut config.triggers) {
            let conflict = match &trigger {
                Trigger::Http {
                    route,
                    enabled: true,
                    ..
                } => RouteTemplate::parse(route).ok().and_then(|template| {
                    conflicting_route(claimed.iter().map(|(_, other)| other), &template)
                        .map(str::to_owned)
                }),
                _ => None,
            };
            match conflict {
                Some(other_route) => {
                    let owner = claimed
                        .iter()
                        .find(|(_, other)| matches!(other, Trigger::Http { route, .. } if *route == other_route))
                        .map(|(name, _)| name.clone())
                        .unwrap_or_default();
                    plan.report.skip(
                        &function.logical_id,
                        "Properties.Events",
                        format!(
                            "`{}` conflicts with `{other_route}` of function `{owner}`",
                            trigger.summary()
                        ),
                    );
                }
                None => {
                    claimed.push((function.name.clone(), trigger.clone()));
                    kept.push(trigger);
                }
            }
        }
        config.triggers = kept;
    }
}

fn write_function(workspace: &Workspace, function: &PlannedFunction) -> Result<(), ImportError> {
    let mut files = match &function.code {
        FunctionCode::Folder(dir) => code_files(dir, workspace.root())?,
        FunctionCode::Inline { file, text } => vec![(file.clone(), text.clone().into_bytes())],
        FunctionCode::Unavailable => Vec::new(),
    };
    match &function.target {
        FunctionTarget::Runs(config) => {
            files.retain(|(path, _)| path != crate::model::FUNCTION_FILE);
            if config.runtime == crate::model::Runtime::Java {
                drop_classes_compiled_from_sources(&mut files);
                drop_packaged_resources(&mut files);
                drop_exported_pom(&mut files);
            }
            if config.runtime.is_built() {
                // The module an export built for lambdesk's bootstrap (a Rust or Go
                // function comes only from an export): lambdesk builds it again here.
                files.retain(|(path, _)| path != crate::sam::export::BUILT_MODULE_FILE);
            }
            let borrowed: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
                .collect();
            workspace.create_function(&function.name, config, &borrowed)?;
            if let FunctionCode::Folder(dir) = &function.code {
                let folder = workspace.functions_dir().join(&function.name);
                keep_executable_bits(dir, &folder, &files)?;
            }
        }
        FunctionTarget::NotRunnable { reason, properties } => {
            let folder = workspace.root().join(NOT_RUNNABLE_DIR).join(&function.name);
            if let FunctionCode::Folder(dir) = &function.code {
                // Copied rather than written: a custom runtime's `bootstrap` stays executable.
                for (path, _) in &files {
                    let target = folder.join(path);
                    create_dir(target.parent().unwrap_or(&folder))?;
                    std::fs::copy(dir.join(path), &target).map_err(io(&target))?;
                }
            } else {
                for (path, bytes) in &files {
                    let target = folder.join(path);
                    write_atomically(&target, bytes).map_err(io(&target))?;
                }
            }
            let description = serde_json::json!({
                "logicalId": function.logical_id,
                "runtime": function.lambda_runtime,
                "whyNotRunnable": reason,
                "properties": properties,
            });
            let target = folder.join(NOT_RUNNABLE_FILE);
            let text = serde_json::to_string_pretty(&description).unwrap_or_default();
            write_atomically(&target, text.as_bytes()).map_err(io(&target))?;
        }
    }
    Ok(())
}

/// Class files beside the sources they were compiled from (an exported Java function's
/// package) are build output: lambdesk compiles the sources itself.
fn drop_classes_compiled_from_sources(files: &mut Vec<(String, Vec<u8>)>) {
    let sources: std::collections::HashSet<String> = files
        .iter()
        .filter_map(|(path, _)| {
            let source = path.strip_suffix(".java")?;
            let relative = source
                .strip_prefix("src/main/java/")
                .or_else(|| source.strip_prefix("src/"))?;
            Some(relative.to_owned())
        })
        .collect();
    files.retain(|(path, _)| {
        let Some(class) = path.strip_suffix(".class") else {
            return true;
        };
        // `App$Inner.class` comes from `App.java`.
        let outer = class.split('$').next().unwrap_or(class);
        !sources.contains(outer)
    });
}

/// Copies of `src/main/resources` at the folder's top (where a package puts them, and an
/// export did): lambdesk puts that folder on the classpath itself.
fn drop_packaged_resources(files: &mut Vec<(String, Vec<u8>)>) {
    let resources: std::collections::HashMap<String, Vec<u8>> = files
        .iter()
        .filter_map(|(path, bytes)| {
            let relative = path.strip_prefix("src/main/resources/")?;
            Some((relative.to_owned(), bytes.clone()))
        })
        .collect();
    files.retain(|(path, bytes)| resources.get(path) != Some(bytes));
}

/// The `pom.xml` lambdesk's export wrote for `sam build` (the workspace had none).
fn drop_exported_pom(files: &mut Vec<(String, Vec<u8>)>) {
    let marker = crate::sam::export::EXPORTED_POM_MARKER.as_bytes();
    files.retain(|(path, bytes)| {
        path != "pom.xml" || !bytes.windows(marker.len()).any(|window| window == marker)
    });
}

/// A custom runtime's `bootstrap` (and any script it starts) stays executable.
fn keep_executable_bits(
    from: &Path,
    to: &Path,
    files: &[(String, Vec<u8>)],
) -> Result<(), ImportError> {
    use std::os::unix::fs::PermissionsExt as _;
    for (path, _) in files {
        let mode = std::fs::metadata(from.join(path)).map_or(0, |meta| meta.permissions().mode());
        if mode & 0o111 != 0 {
            let target = to.join(path);
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode & 0o777))
                .map_err(io(&target))?;
        }
    }
    Ok(())
}

/// Every file under `dir` (relative paths with `/`), without build output, version
/// control, and the workspace itself when it lies inside.
fn code_files(dir: &Path, workspace_root: &Path) -> Result<Vec<(String, Vec<u8>)>, ImportError> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    let skipped_root = workspace_root.canonicalize().ok();
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(io(&folder))?;
        for entry in entries {
            let entry = entry.map_err(io(&folder))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io(&path))?;
            if kind.is_dir() {
                let name = entry.file_name();
                let skipped = SKIPPED_FOLDERS.iter().any(|skip| name == *skip)
                    || skipped_root
                        .as_ref()
                        .is_some_and(|root| path.canonicalize().ok().as_ref() == Some(root));
                if !skipped {
                    pending.push(path);
                }
            } else if kind.is_file() {
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                let relative = relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let bytes = std::fs::read(&path).map_err(io(&path))?;
                files.push((relative, bytes));
            }
        }
    }
    files.sort();
    Ok(files)
}

fn create_dir(path: &Path) -> Result<(), ImportError> {
    std::fs::create_dir_all(path).map_err(io(path))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    move |cause| ImportError::Io {
        path: path.to_owned(),
        cause,
    }
}
