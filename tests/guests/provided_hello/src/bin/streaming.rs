//! A streaming handler (`lambda_runtime::streaming`): "Hello" now, "world" half a second
//! later, as a Rust function behind a Function URL in `RESPONSE_STREAM` mode answers.

use lambda_runtime::streaming::{channel, Body, Response};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

async fn stream(_event: LambdaEvent<Value>) -> Result<Response<Body>, Error> {
    let (mut sender, body) = channel();
    tokio::spawn(async move {
        sender.send_data("Hello\n".into()).await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        sender.send_data("world\n".into()).await
    });
    Ok(Response::from(body))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(stream)).await
}
