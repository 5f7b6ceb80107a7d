//! Topics with SNS semantics: publishing fans a message out to every subscribed function
//! (an asynchronous invocation with SNS's record) and queue, filtered by subscription
//! filter policies.

pub use crate::model::filter_policy;
mod publish;
mod subscriptions;

pub use publish::{
    MessagingStores, Publication, PublishError, PublishReport, PublishTargets, publish,
};
pub use subscriptions::{Endpoint, Subscription, known_topics};
