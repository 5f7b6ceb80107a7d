//! `PUT /2015-03-31/functions/{name}/configuration` (`UpdateFunctionConfiguration`):
//! memory, timeout, environment, description and handler, written into `function.toml` in
//! place (the user's comments stay) and checked as the loader checks them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::api_response::ApiResponse;
use super::function_shape::configuration;
use super::server::ApiState;
use crate::model::{ConfigError, KeySegment, OnConflict, WorkspaceError};

/// The request's fields lambdesk has settings for; the others (`Role`, `Layers`, …) mean
/// nothing locally and are ignored, as a local stand-in should not refuse them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigurationUpdate {
    memory_size: Option<u32>,
    timeout: Option<u32>,
    description: Option<String>,
    handler: Option<String>,
    environment: Option<EnvironmentUpdate>,
    ephemeral_storage: Option<EphemeralStorageUpdate>,
}

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
