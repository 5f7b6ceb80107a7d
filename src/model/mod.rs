//! The workspace model: function configuration, workspace files on disk, validation.
//!
//! Everything here is plain data plus serde; nothing knows about wasmtime or egui.

mod atomic_write;
mod aws_regions;
mod config_error;
pub mod filter_policy;
mod function_config;
mod invocation;
pub mod message_attribute;
mod messaging_config;
mod names;
mod route_conflicts;
pub mod route_template;
pub mod schedule_expression;
mod workspace;
mod workspace_config;

pub use atomic_write::write_atomically;
pub use aws_regions::{AWS_REGIONS, check_region};
pub use config_error::ConfigError;
pub use function_config::{
    Architecture, AsyncConfig, BucketAccess, Destination, Destinations, FunctionConfig,
    Permissions, Runtime, Trigger,
};
pub use invocation::{
    FunctionError, InvocationRecord, Outcome, OutgoingAttribute, OutgoingMessage, error_types,
};
pub use messaging_config::{QueueConfig, QueueSubscription, TopicConfig, table_header};
pub use names::{validate_bucket_name, validate_function_name};
pub use workspace::{Function, Workspace, WorkspaceError};
pub use workspace_config::{PricingOverrides, WorkspaceConfig};
