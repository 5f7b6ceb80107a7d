//! A `provided` function's bootstrap as cargo-lambda's template writes it: the handler
//! on a multi-threaded tokio runtime (`#[tokio::main]`).

mod hello;

use lambda_runtime::{service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(hello::hello)).await
}
