//! Lambda's Invoke API on 127.0.0.1 (`lambda_api_port`, default 3001): what
//! `aws lambda invoke`, boto3 and the other SDKs call with an endpoint URL, so scripts
//! written for Lambda run against the workspace's functions unchanged.

mod api_response;
mod function_cache;
mod function_shape;
mod invocations;
mod list_functions;
mod response_stream_invocation;
mod server;
mod update_configuration;

pub use function_shape::lambda_runtime_id;
pub use server::{InvokeApi, InvokeApiOptions};
