//! AWS SAM applications: a SAM template imported into a workspace (`import/`), and a
//! workspace read into a comparable description for round trips (`workspace_description`).

pub mod import;
pub mod workspace_description;
