//! File > Import SAM project…: the import runs here, below the UI (which never writes
//! files itself); the console then opens the imported workspace.

use std::path::Path;

use crate::sam::import::{
    ImportError, ImportOptions, ImportReport, REPORT_FILE, SEEN_REPORT_FILE, import_sam_template,
};

use super::Console;

impl Console {
    /// Imports the SAM template into the workspace folder `root` (created when new or
    /// empty). `replace`: the user confirmed replacing functions, queues and topics of the
    /// same names; without it they are an [`ImportError::Clashes`] and nothing changes.
    pub fn import_sam_project(
        template: &Path,
        root: &Path,
        replace: bool,
    ) -> Result<ImportReport, ImportError> {
        import_sam_template(&ImportOptions {
            template: template.to_owned(),
            workspace_root: root.to_owned(),
            parameter_overrides: Vec::new(),
            force: replace,
        })
    }

    /// The report of an import into this workspace that the console has not shown yet
    /// (from File > Import SAM project… or `lambdesk import`); taking it marks it shown.
    pub fn take_unseen_import_report(&self) -> Option<ImportReport> {
        let state_dir = self.workspace().state_dir();
        let path = state_dir.join(REPORT_FILE);
        let text = std::fs::read_to_string(&path).ok()?;
        // Shown once: kept beside as read, so it is not lost.
        let _ = std::fs::rename(&path, state_dir.join(SEEN_REPORT_FILE));
        serde_json::from_str(&text).ok()
    }
}
