//! AWS SAM applications: a SAM template imported into a workspace (`import/`).

pub mod import;
