//! The same handler on a current-thread tokio runtime: the runtime client's requests and
//! the handler share one thread, with no hand-over between tokio's threads on each
//! event (a choice Lambda functions make on their one or two vCPUs).

#[path = "../hello.rs"]
mod hello;

use lambda_runtime::{service_fn, Error};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(hello::hello)).await
}
