//! Asynchronous invocation as Lambda does it: a durable backlog, retries with backoff,
//! maximum event age, destinations, and recursive loop detection.

mod destination_record;
mod dispatcher;
mod store;

pub use destination_record::{Condition, destination_record, function_arn};
pub use dispatcher::{AsyncDelivery, AsyncOptions, MAX_HOPS};
pub use store::{AsyncEvent, AsyncStore, NewAsyncEvent, StoreError};
