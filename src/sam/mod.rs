//! AWS SAM applications: a SAM template imported into a workspace (`import/`), a workspace
//! exported as a SAM application (`export/`), and the workspace read into a description
//! the two halves compare (`workspace_description.rs`).

pub mod export;
pub mod import;
pub mod workspace_description;
