//! AWS SAM: a workspace exported as a SAM application (`export/`), and the workspace read
//! into a description the import and export halves compare (`workspace_description.rs`).

pub mod export;
pub mod workspace_description;
