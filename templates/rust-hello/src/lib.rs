use lambdesk_lambda::{Error, LambdaEvent, service_fn};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Request {
    name: Option<String>,
}

async fn function_handler(event: LambdaEvent<Request>) -> Result<Value, Error> {
    let name = event.payload.name.unwrap_or_else(|| "world".to_owned());
    eprintln!("greeting {name} (request {})", event.context.request_id);
    Ok(json!({ "message": format!("Hello, {name}!") }))
}

fn main() -> Result<(), Error> {
    // Code here is Lambda's Init: it runs once per execution environment.
    lambdesk_lambda::run(service_fn(function_handler))
}

lambdesk_lambda::main!(main);
