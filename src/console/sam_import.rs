//! File > Import SAM project…: the import runs here, below the UI (which never writes
//! files itself); the console then opens the imported workspace.

use std::path::Path;

use crate::sam::import::{ImportError, ImportOptions, ImportReport, import_sam_template};

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
}
