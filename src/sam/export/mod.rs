//! `lambdesk export`: a workspace as an AWS SAM application that `sam deploy` takes as
//! it is: `template.yaml`, a code folder per function (`functions/<name>/`), and for
//! WebAssembly functions a layer with lambdesk's headless build as their `bootstrap`
//! (`layers/lambdesk-<architecture>/`). What needs a change on Lambda, or does not carry
//! over, is said in notes (also written to `EXPORT-NOTES.md`), never dropped silently.

mod code_folders;
mod events;
mod logical_ids;
mod notes;
mod references;
mod resources;
mod source_notes;
mod template;
mod yaml_writer;

use std::path::{Path, PathBuf};

use crate::model::{Architecture, Workspace, WorkspaceError, write_atomically};

pub use code_folders::{Builds, EXPORTED_POM_MARKER};
pub use notes::{ExportNote, NoteLevel};
pub use resources::{PROVIDED_RUNTIME, bootstrap_layer_dir};
pub use template::{BUILT_MODULE_FILE, NODEJS_RUNTIME};

use notes::{Notes, function_subject};
use template::PackagedFunction;

/// The template's file name, as `sam init` and `sam build` expect it.
pub const TEMPLATE_FILE: &str = "template.yaml";
/// The notes of the export, beside the template.
pub const NOTES_FILE: &str = "EXPORT-NOTES.md";
/// The first line of every exported template: an export may replace a folder that has it.
const TEMPLATE_MARK: &str = "# Exported by lambdesk";

/// The command that builds lambdesk's headless `bootstrap` for each architecture: Zig
/// as the linker (PyPI `ziglang`, crates.io `cargo-zigbuild`) links against glibc 2.34,
/// the one of Lambda's Amazon Linux 2023; a binary linked on a newer glibc would not start.
pub fn bootstrap_build_command(architecture: Architecture) -> &'static str {
    match architecture {
        Architecture::X86_64 => {
            "cargo zigbuild --release --no-default-features --target x86_64-unknown-linux-gnu.2.34"
        }
        Architecture::Arm64 => {
            "cargo zigbuild --release --no-default-features --target aarch64-unknown-linux-gnu.2.34"
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(
        "{} is not empty and holds no earlier export (no {TEMPLATE_FILE} written by lambdesk): choose an empty or new folder",
        .0.display()
    )]
    OutNotEmpty(PathBuf),
    #[error("{} is inside function `{function}`'s folder: the export would copy itself; choose a folder outside functions/", out.display())]
    OutInsideFunction { out: PathBuf, function: String },
    #[error("cannot build function `{function}` for the export: {message}")]
    Build { function: String, message: String },
    #[error("cannot write a file of the export: {0}")]
    Serialize(String),
}

impl ExportError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Where the export goes and what it ships.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    pub out_dir: PathBuf,
    /// lambdesk's Linux x86_64 executable, copied into the x86_64 layer as `bootstrap`.
    pub bootstrap_x86_64: Option<PathBuf>,
    /// lambdesk's Linux arm64 executable for the arm64 layer.
    pub bootstrap_arm64: Option<PathBuf>,
    pub builds: Builds,
}

/// What an export wrote and what the user should know.
#[derive(Debug, Clone)]
pub struct ExportReport {
    pub out_dir: PathBuf,
    /// Files written, relative to `out_dir`, the template first.
    pub written: Vec<PathBuf>,
    pub notes: Vec<ExportNote>,
    /// The template as written to `template.yaml`, as JSON.
    pub template: serde_json::Value,
}

impl ExportReport {
    pub fn template_path(&self) -> PathBuf {
        self.out_dir.join(TEMPLATE_FILE)
    }
}

/// Exports `workspace` into `options.out_dir` (created; an earlier export there is
/// replaced, any other non-empty folder refused).
pub fn export_workspace(
    workspace: &Workspace,
    options: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let out_dir = &options.out_dir;
    let mut functions = Vec::new();
    for (_, function) in workspace.functions() {
        functions.push(function?);
    }
    check_out_dir(out_dir, &functions)?;
    prepare_out_dir(out_dir)?;

    let mut notes = Notes::default();
    let packaged: Vec<PackagedFunction> =
        functions.into_iter().map(PackagedFunction::new).collect();
    let mut written = vec![PathBuf::from(TEMPLATE_FILE), PathBuf::from(NOTES_FILE)];
    for function in &packaged {
        written.extend(code_folders::write_code_folder(
            function,
            out_dir,
            &options.builds,
            &mut notes,
        )?);
        source_notes::source_notes(&function.function, &mut notes);
        if function.is_custom_runtime() && function.function.config.permissions.sends_messages() {
            notes.add(
                NoteLevel::NotCarriedOver,
                function_subject(&function.function.name),
                "its messages to queues and topics (lambdesk's /outbox) are not sent on Lambda: lambdesk's bootstrap has no SQS or SNS client; its policies are in the template for code that calls the APIs itself",
            );
        }
    }
    let bucket_folders = workspace.bucket_folder_names();
    let bucket_folders_with_objects: Vec<String> = bucket_folders
        .iter()
        .filter(|name| {
            std::fs::read_dir(workspace.buckets_dir().join(name))
                .is_ok_and(|mut entries| entries.next().is_some())
        })
        .cloned()
        .collect();
    let template = template::build_template(
        workspace.config(),
        &packaged,
        &bucket_folders,
        &bucket_folders_with_objects,
        &mut notes,
    );
    for architecture in [Architecture::X86_64, Architecture::Arm64] {
        if packaged.iter().any(|function| {
            function.is_custom_runtime() && function.function.architecture == architecture
        }) {
            written.extend(write_bootstrap_layer(options, architecture, &mut notes)?);
        }
    }

    let yaml = yaml_writer::to_yaml(&template);
    let text = format!(
        "{TEMPLATE_MARK} from {} — deploy with `sam build && sam deploy --guided`; see {NOTES_FILE}.\n{yaml}",
        workspace.root().display()
    );
    let template_path = out_dir.join(TEMPLATE_FILE);
    write_atomically(&template_path, text.as_bytes()).map_err(ExportError::io(&template_path))?;
    let notes = notes.into_vec();
    let notes_path = out_dir.join(NOTES_FILE);
    write_atomically(&notes_path, notes_markdown(&notes).as_bytes())
        .map_err(ExportError::io(&notes_path))?;
    Ok(ExportReport {
        out_dir: out_dir.clone(),
        written,
        notes,
        template,
    })
}

fn check_out_dir(out_dir: &Path, functions: &[crate::model::Function]) -> Result<(), ExportError> {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let out = absolute(out_dir);
    if let Some(function) = functions
        .iter()
        .find(|function| out.starts_with(absolute(&function.dir)))
    {
        return Err(ExportError::OutInsideFunction {
            out: out_dir.to_owned(),
            function: function.name.clone(),
        });
    }
    let Ok(mut entries) = std::fs::read_dir(out_dir) else {
        return Ok(());
    };
    if entries.next().is_none() {
        return Ok(());
    }
    let earlier = std::fs::read_to_string(out_dir.join(TEMPLATE_FILE))
        .is_ok_and(|text| text.starts_with(TEMPLATE_MARK));
    if earlier {
        Ok(())
    } else {
        Err(ExportError::OutNotEmpty(out_dir.to_owned()))
    }
}

/// An earlier export's folders go: a function deleted since must not linger in it.
fn prepare_out_dir(out_dir: &Path) -> Result<(), ExportError> {
    for owned in ["functions", "layers"] {
        let dir = out_dir.join(owned);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(ExportError::io(&dir)(error)),
        }
    }
    std::fs::create_dir_all(out_dir).map_err(ExportError::io(out_dir))
}

/// `layers/lambdesk-<architecture>/bootstrap`: the given lambdesk executable, or a note
/// with the command that builds it.
fn write_bootstrap_layer(
    options: &ExportOptions,
    architecture: Architecture,
    notes: &mut Notes,
) -> Result<Vec<PathBuf>, ExportError> {
    let relative_dir = PathBuf::from(bootstrap_layer_dir(architecture));
    let dir = options.out_dir.join(&relative_dir);
    std::fs::create_dir_all(&dir).map_err(ExportError::io(&dir))?;
    let source = match architecture {
        Architecture::X86_64 => &options.bootstrap_x86_64,
        Architecture::Arm64 => &options.bootstrap_arm64,
    };
    let Some(source) = source else {
        notes.add(
            NoteLevel::ActionNeeded,
            format!("layer lambdesk-{}", architecture.id()),
            format!(
                "no lambdesk for Linux {} was given: build it without the GUI with `{}` and copy it to {}/bootstrap (or export again with --bootstrap-{} PATH)",
                architecture.id(),
                bootstrap_build_command(architecture),
                relative_dir.display(),
                architecture.id().replace('_', "-")
            ),
        );
        return Ok(Vec::new());
    };
    let destination = dir.join("bootstrap");
    std::fs::copy(source, &destination).map_err(ExportError::io(source))?;
    make_executable(&destination)?;
    Ok(vec![relative_dir.join("bootstrap")])
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), ExportError> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(ExportError::io(path))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), ExportError> {
    Ok(())
}

/// The notes as the file beside the template shows them, most pressing first.
fn notes_markdown(notes: &[ExportNote]) -> String {
    let mut text = String::from(
        "# Export notes\n\nWhat `lambdesk export` could not carry over as it is, and what to know before `sam deploy`.\n",
    );
    for level in [
        NoteLevel::NotCarriedOver,
        NoteLevel::ActionNeeded,
        NoteLevel::Info,
    ] {
        let of_level: Vec<&ExportNote> = notes.iter().filter(|note| note.level == level).collect();
        if of_level.is_empty() {
            continue;
        }
        let heading = match level {
            NoteLevel::NotCarriedOver => "Not carried over",
            NoteLevel::ActionNeeded => "Action needed",
            NoteLevel::Info => "Good to know",
        };
        text.push_str(&format!("\n## {heading}\n\n"));
        for note in of_level {
            text.push_str(&format!("- **{}**: {}\n", note.subject, note.message));
        }
    }
    text
}
