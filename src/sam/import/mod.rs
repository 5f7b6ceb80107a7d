//! `lambdesk import`: an AWS SAM template (YAML with CloudFormation's short forms, or
//! JSON) into a workspace. The template is read into one JSON shape (`template_text`),
//! its intrinsic functions worked out where they are knowable here (`intrinsics`), its
//! resources mapped onto functions, buckets, queues and topics (`plan` and the `*_plan`
//! files), and the result written through the workspace's own checks (`write`).
//! Everything that does not come over is in the [`ImportReport`], with the reason.

mod code_readiness;
mod events_plan;
mod function_plan;
pub mod intrinsics;
mod plan;
mod policies_plan;
mod report;
mod resources_plan;
pub mod runtimes;
pub mod template_text;
mod write;

use std::path::{Path, PathBuf};

pub use plan::{ImportPlan, PlanError};
pub use report::{ImportReport, ImportedFunction, NotCarriedOver, REPORT_FILE, SEEN_REPORT_FILE};
pub use write::{NOT_RUNNABLE_DIR, NOT_RUNNABLE_FILE};

use crate::model::{EditError, WORKSPACE_FILE, Workspace, WorkspaceConfig, WorkspaceError};

/// What to import, and where.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub template: PathBuf,
    pub workspace_root: PathBuf,
    /// `Key=Value` pairs, as `sam deploy --parameter-overrides` takes them.
    pub parameter_overrides: Vec<(String, String)>,
    /// Replace the workspace's functions, queues and topics of the same names.
    pub force: bool,
}

/// Why an import did not happen (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    // The causes are in the messages, not chained as sources: `main` prints a chain in
    // one line, and each would say it twice.
    #[error("cannot read the template {}: {cause}", path.display())]
    ReadTemplate {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{}: {cause}", path.display())]
    Template {
        path: PathBuf,
        cause: template_text::TemplateTextError,
    },
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error("the workspace already has {}; importing would replace them", .0.join(", "))]
    Clashes(Vec<String>),
    #[error("{0}")]
    Invalid(String),
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// Parses `Key=Value` (or sam's `ParameterKey=Key,ParameterValue=Value`).
pub fn parse_parameter_override(text: &str) -> Result<(String, String), String> {
    if let Some(rest) = text.strip_prefix("ParameterKey=")
        && let Some((key, value)) = rest.split_once(",ParameterValue=")
    {
        return Ok((key.to_owned(), value.to_owned()));
    }
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not Key=Value")),
    }
}

/// Works out what importing would do, without writing anything.
pub fn plan_import(options: &ImportOptions) -> Result<ImportPlan, ImportError> {
    let text =
        std::fs::read_to_string(&options.template).map_err(|cause| ImportError::ReadTemplate {
            path: options.template.clone(),
            cause,
        })?;
    let template = template_text::parse_template(&text).map_err(|cause| ImportError::Template {
        path: options.template.clone(),
        cause,
    })?;
    let root = &options.workspace_root;
    let region = if root.join(WORKSPACE_FILE).is_file() {
        Workspace::open(root)?.config().region.clone()
    } else {
        WorkspaceConfig::default().region
    };
    let template_dir = options
        .template
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    let inputs = plan::PlanInputs {
        region,
        stack_name: stack_name(root),
        parameter_overrides: options.parameter_overrides.clone(),
        template_dir: if template_dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            template_dir
        },
    };
    Ok(plan::plan(&template, &inputs)?)
}

/// Imports the template into the workspace (created if the folder is new or empty).
pub fn import_sam_template(options: &ImportOptions) -> Result<ImportReport, ImportError> {
    let plan = plan_import(options)?;
    write::write_plan(plan, &options.workspace_root, options.force)
}

/// `AWS::StackName`: the workspace folder's name, as a stack would be named after it.
fn stack_name(root: &Path) -> String {
    root.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "lambdesk".to_owned())
}
