//! Event sources that invoke functions: AWS-shaped events, generated on demand (like
//! `sam local generate-event`) or filled from real triggers: the local HTTP gateway,
//! bucket folders, schedules.

pub mod context;
pub mod events;
pub mod http;
pub mod schedule;

pub use context::{FinishedInvocation, InvocationSink, TriggerContext};
