//! File > Export SAM application: the workspace exported in the background (Rust and Go
//! functions may need a build first), the outcome kept for the window that shows what was
//! written and the notes.

use std::path::PathBuf;
use std::sync::Arc;

use super::{Console, ConsoleEvent};
use crate::sam::export::{Builds, ExportOptions, ExportReport, export_workspace};

/// The console's SAM export, for its window.
#[derive(Debug, Clone)]
pub enum SamExportState {
    /// Exporting into this folder.
    Running { out_dir: PathBuf },
    /// Written: the files and the notes.
    Finished(ExportReport),
    /// Nothing usable was written, for this reason.
    Failed { out_dir: PathBuf, message: String },
}

impl Console {
    /// Exports the workspace into `out_dir` on a thread of its own.
    pub(super) fn start_sam_export(&mut self, out_dir: PathBuf) {
        if matches!(self.state.sam_export, Some(SamExportState::Running { .. })) {
            return;
        }
        let workspace = self.workspace.clone();
        let options = ExportOptions {
            out_dir: out_dir.clone(),
            builds: Builds {
                rust: self.settings.runtime.rust_build.clone(),
                go: self.settings.runtime.go_build.clone(),
                java: self.settings.runtime.java_build.clone(),
            },
            ..ExportOptions::default()
        };
        let sender = self.events_sender.clone();
        let waker = Arc::clone(&self.waker);
        self.state.sam_export = Some(SamExportState::Running {
            out_dir: out_dir.clone(),
        });
        let failed_dir = out_dir.clone();
        let spawned = std::thread::Builder::new()
            .name("lambdesk-sam-export".to_owned())
            .spawn(move || {
                let outcome = match export_workspace(&workspace, &options) {
                    Ok(report) => SamExportState::Finished(report),
                    Err(error) => SamExportState::Failed {
                        out_dir,
                        message: error.to_string(),
                    },
                };
                let _ = sender.send(ConsoleEvent::SamExportFinished(Box::new(outcome)));
                waker();
            });
        if let Err(error) = spawned {
            self.state.sam_export = Some(SamExportState::Failed {
                out_dir: failed_dir,
                message: format!("cannot start the export: {error}"),
            });
        }
    }
}
