use std::path::PathBuf;

/// Native file dialogs, behind a trait so tests can answer them (headless, rfd's portal
/// dialogs return nothing).
pub trait Dialogs {
    /// A folder for a workspace; `None` if the user cancelled.
    fn pick_folder(&self, title: &str) -> Option<PathBuf>;
    /// A `.wasm` file to import as a function.
    fn pick_wasm_file(&self) -> Option<PathBuf>;
    /// Where to save exported logs.
    fn pick_save_file(&self, default_name: &str) -> Option<PathBuf>;
    /// An AWS SAM template to import (File > Import SAM project…); `None` if the user
    /// cancelled, and from dialogs that offer no template picker.
    fn pick_sam_template(&self) -> Option<PathBuf> {
        None
    }
}

/// The system's dialogs (rfd).
#[derive(Debug, Default)]
pub struct NativeDialogs;

impl Dialogs for NativeDialogs {
    fn pick_folder(&self, title: &str) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title(title).pick_folder()
    }

    fn pick_wasm_file(&self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Import a WebAssembly module as a function")
            .add_filter("WebAssembly module", &["wasm"])
            .pick_file()
    }

    fn pick_save_file(&self, default_name: &str) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Export logs")
            .set_file_name(default_name)
            .save_file()
    }

    fn pick_sam_template(&self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Import an AWS SAM project: choose its template")
            .add_filter("SAM template", &["yaml", "yml", "json", "template"])
            .pick_file()
    }
}
