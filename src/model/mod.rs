//! The workspace model: function configuration, workspace files on disk, validation.
//!
//! Everything here is plain data plus serde; nothing knows about wasmtime or egui.

mod atomic_write;
mod aws_regions;
mod build_diagnostic;
mod code_file;
mod config_error;
mod config_file;
pub mod filter_policy;
mod function_arn;
mod function_config;
mod function_paths;
mod invocation;
mod map_layout;
mod map_removal;
pub mod message_attribute;
mod messaging_config;
mod messaging_edits;
mod names;
mod route_conflicts;
pub mod route_template;
pub mod schedule_expression;
pub mod toml_in_place;
mod trigger;
mod trigger_edits;
mod workspace;
mod workspace_config;
mod workspace_config_file;
mod workspace_graph;

pub use atomic_write::write_atomically;
pub use aws_regions::{AWS_REGIONS, check_region};
pub use build_diagnostic::{BuildDiagnostic, BuildProgress, DiagnosticLevel};
pub use code_file::CodeFileError;
pub use config_error::{ConfigError, KeySegment};
pub use config_file::ConfigSaved;
pub use function_arn::{LOCAL_ACCOUNT_ID, function_arn};
pub use function_config::{
    Architecture, AsyncConfig, BucketAccess, Destination, Destinations, FunctionConfig,
    HttpPayload, Permissions, Runtime, Trigger,
};
pub use invocation::{
    FunctionError, InvocationRecord, Outcome, OutgoingAttribute, OutgoingMessage, error_types,
};
pub use map_layout::{MAP_LAYOUT_FILE, MapLayout, MapLayoutError, MapPoint};
pub use map_removal::{MapSelection, Removal};
pub use messaging_config::{
    QueueConfig, QueueSubscription, TopicConfig, check_name as check_messaging_name, table_header,
};
pub use messaging_edits::BucketSummary;
pub use names::{validate_bucket_name, validate_function_name};
pub use route_conflicts::conflicting_route;
pub use toml_in_place::OnConflict;
pub use trigger_edits::{EditError, destination_text, parse_destination};
pub use workspace::{FUNCTION_FILE, Function, WORKSPACE_FILE, Workspace, WorkspaceError};
pub use workspace_config::{PricingOverrides, WorkspaceConfig};
pub use workspace_graph::{
    Edge, EdgeKind, LAMBDA_RECURSION_LIMIT_INVOCATIONS, NodeId, NodeKind, RecursiveLoop,
    WorkspaceGraph, trigger_source,
};
