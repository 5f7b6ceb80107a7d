//! The handler: answers `{"hello": <name>, "request_id": …}`; fails with a `Diagnostic`
//! when the event says `"fail": true`, as a Rust function on Lambda's `provided.al2023`
//! does.

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::{json, Value};

#[derive(Debug)]
pub struct Refused(String);

impl From<Refused> for Diagnostic {
    fn from(refused: Refused) -> Self {
        Diagnostic {
            error_type: "HelloRefused".to_owned(),
            error_message: refused.0,
        }
    }
}

pub async fn hello(event: LambdaEvent<Value>) -> Result<Value, Refused> {
    let (payload, context) = event.into_parts();
    if payload["fail"] == json!(true) {
        return Err(Refused("asked to fail".to_owned()));
    }
    println!("hello from rust for {}", context.request_id);
    Ok(json!({
        "hello": payload["name"].as_str().unwrap_or("world"),
        "request_id": context.request_id,
        "function_arn": context.invoked_function_arn,
    }))
}
