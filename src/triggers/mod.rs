//! Event sources that invoke functions: AWS-shaped events, generated on demand
//! (like `sam local generate-event`) or, later, filled from real triggers such as
//! a watched bucket folder or a local HTTP gateway.

pub mod events;
pub mod schedule;
