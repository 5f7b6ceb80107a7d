//! Event sources that invoke functions: AWS-shaped events, generated on demand (like
//! `sam local generate-event`) or filled from real triggers: the local HTTP gateway,
//! bucket folders, schedules.

pub mod async_delivery;
pub mod bucket_source;
pub mod bucket_watcher;
pub mod context;
pub mod engine;
#[cfg(test)]
mod engine_tests;
pub mod events;
pub mod http;
pub mod invoke_api;
pub use crate::model::message_attribute;
pub mod outbox_delivery;
pub mod push_sources_owner;
pub mod queues;
pub mod schedule;
pub mod schedule_runner;
pub mod state_db;
pub mod supervisor;
pub mod topics;
pub mod trigger_source;
pub mod write_chains;

pub use context::{FinishedInvocation, InvocationSink, TriggerContext};
pub use engine::{EngineOptions, TriggerEngine};
