//! Queues with SQS semantics: the durable store, the SQS event Lambda's pollers build,
//! and the event source mappings that feed queue triggers.

mod event_source_mapping;
mod known_queues;
mod store;

pub use event_source_mapping::{
    QueueMapping, QueueSource, queue_mappings_of, run_mapping, sqs_message,
};
pub use known_queues::{QueueUnknown, known_queues, queue_settings};
pub use store::{
    MAX_MESSAGE_BYTES, NewMessage, PeekedMessage, QueueCounts, QueueSettings, QueueStore,
    ReceivedMessage, SendError, Sent,
};
