//! `PUT /2015-03-31/functions/{name}/configuration` (`UpdateFunctionConfiguration`):
//! memory, timeout, environment, description and handler, written into `function.toml` in
//! place (the user's comments stay) and checked as the loader checks them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::api_response::ApiResponse;
use super::function_shape::{configuration, lambda_runtime_id};
use super::server::ApiState;
use crate::model::{ConfigError, KeySegment, OnConflict, Runtime, WorkspaceError};

/// The request's fields lambdesk has settings for; `others` holds the rest, which are
/// accepted only where they mean nothing locally (see `refused_field`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigurationUpdate {
    memory_size: Option<u32>,
    timeout: Option<u32>,
    description: Option<String>,
    handler: Option<String>,
    environment: Option<EnvironmentUpdate>,
    ephemeral_storage: Option<EphemeralStorageUpdate>,
    #[serde(flatten)]
    others: serde_json::Map<String, serde_json::Value>,
}

/// Fields that change nothing in a local run: no IAM, no VPC, no KMS, no X-Ray here; the
/// revision lambdesk does not keep. Accepted so deployment scripts run unchanged.
const NO_LOCAL_EFFECT_FIELDS: [&str; 5] = [
    "Role",
    "KMSKeyArn",
    "VpcConfig",
    "TracingConfig",
    "RevisionId",
];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EnvironmentUpdate {
    /// Replaces every variable, as on Lambda.
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EphemeralStorageUpdate {
    size: u32,
}

pub fn update_configuration(state: &ApiState, name: &str, body: &[u8]) -> ApiResponse {
    let update: ConfigurationUpdate = match serde_json::from_slice(body) {
        Ok(update) => update,
        Err(error) => {
            return ApiResponse::invalid_parameter(&format!(
                "The request is not an UpdateFunctionConfiguration request: {error}"
            ));
        }
    };
    let function = match state.function(name) {
        Ok(function) => function,
        Err(refused) => return refused,
    };
    if let Some(refusal) = update
        .others
        .iter()
        .find_map(|(field, value)| refused_field(field, value, function.config.runtime))
    {
        return ApiResponse::invalid_parameter(&refusal);
    }
    let base = function.config.clone();
    let mut edited = base.clone();
    if let Some(memory_mb) = update.memory_size {
        edited.memory_mb = memory_mb;
    }
    if let Some(timeout_secs) = update.timeout {
        edited.timeout_secs = timeout_secs;
    }
    if let Some(description) = update.description {
        edited.description = (!description.is_empty()).then_some(description);
    }
    if let Some(handler) = update.handler {
        edited.handler = handler;
    }
    if let Some(environment) = update.environment {
        edited.environment = environment.variables;
    }
    if let Some(storage) = update.ephemeral_storage {
        edited.ephemeral_storage_mb = storage.size;
    }
    // The loader's own rules, the message naming the setting as the request named it.
    if let Some((path, message)) = edited.problems().into_iter().next() {
        let parameter = match path.first() {
            Some(KeySegment::Key(key)) => lambda_parameter(key),
            _ => None,
        };
        return ApiResponse::invalid_parameter(
            &parameter.map_or_else(|| message.clone(), |name| format!("{name}: {message}")),
        );
    }
    // The request's values win over an edit made to the file meanwhile (a last write, as
    // on Lambda); the keys it did not set keep what the file says.
    match state.context.workspace.update_function_config(
        name,
        &base,
        &edited,
        OnConflict::KeepEdited,
    ) {
        Ok(_) => {}
        Err(WorkspaceError::Config(ConfigError { message, .. })) => {
            return ApiResponse::invalid_parameter(&message);
        }
        Err(error) => return ApiResponse::service_error(&error.to_string()),
    }
    match state.function(name) {
        Ok(function) => ApiResponse::json(200, &configuration(&state.region, &function)),
        Err(refused) => refused,
    }
}

/// Why a field lambdesk has no setting for is refused (nothing of the request is applied),
/// or `None` when it can be accepted: one that means nothing locally, or a `Runtime` that
/// is the function's own. Refusing says the change did not happen, where ignoring it would
/// let a script believe it had.
fn refused_field(field: &str, value: &serde_json::Value, runtime: Runtime) -> Option<String> {
    if NO_LOCAL_EFFECT_FIELDS.contains(&field) {
        return None;
    }
    if field == "Runtime" {
        let asked = value.as_str().unwrap_or_default();
        return (!same_runtime_family(asked, runtime)).then(|| {
            format!(
                "Runtime: lambdesk runs this function as `runtime = \"{}\"` ({}); change `runtime` in its function.toml to run it on another runtime",
                runtime.id(),
                lambda_runtime_id(runtime)
            )
        });
    }
    Some(format!(
        "{field}: lambdesk does not emulate this setting, so nothing of the request was changed (it takes MemorySize, Timeout, Environment, Description, Handler and EphemeralStorage)"
    ))
}

/// Whether Lambda's runtime identifier `asked` (`nodejs22.x`, `python3.12`,
/// `provided.al2`…) names the language lambdesk runs the function in: the same family,
/// whatever the version.
fn same_runtime_family(asked: &str, runtime: Runtime) -> bool {
    let family =
        |id: &str| -> String { id.chars().take_while(char::is_ascii_alphabetic).collect() };
    family(asked) == family(lambda_runtime_id(runtime))
}

/// The request's name for a key of `function.toml` it can change.
fn lambda_parameter(key: &str) -> Option<&'static str> {
    match key {
        "memory_mb" => Some("MemorySize"),
        "timeout_secs" => Some("Timeout"),
        "environment" => Some("Environment"),
        "handler" => Some("Handler"),
        "description" => Some("Description"),
        "ephemeral_storage_mb" => Some("EphemeralStorage"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_of_the_same_language_is_accepted_and_another_refused() {
        assert!(same_runtime_family("nodejs22.x", Runtime::Js));
        assert!(same_runtime_family("python3.12", Runtime::Python));
        assert!(same_runtime_family("provided.al2", Runtime::Rust));
        assert!(!same_runtime_family("python3.12", Runtime::Js));
        assert!(!same_runtime_family("", Runtime::Ruby));
        let layers = serde_json::json!(["arn:aws:lambda:us-east-1:1:layer:x:1"]);
        assert!(
            refused_field("Layers", &layers, Runtime::Js)
                .is_some_and(|why| why.starts_with("Layers: "))
        );
        assert_eq!(
            refused_field("Role", &serde_json::json!("arn"), Runtime::Js),
            None
        );
    }
}
