//! The SAM template of a workspace: `AWS::Serverless::Function` per function (runtime,
//! memory, timeout, architecture, storage, reserved concurrency, environment, least-
//! privilege policy templates, `Events`, `EventInvokeConfig`), the queues, topics and
//! buckets, and lambdesk's bootstrap layer for WebAssembly functions.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::model::{Architecture, BucketAccess, Destination, Function, Runtime, WorkspaceConfig};
use crate::runtime::{PYTHON_RUNTIME_NAME, RUBY_RUNTIME_NAME};

use super::events::function_events;
use super::logical_ids::LogicalIds;
use super::notes::{NoteLevel, Notes, function_subject};
use super::references::{References, bucket_arn, bucket_name};
use super::resources::{
    PROVIDED_RUNTIME, bootstrap_layer, bootstrap_layer_id, messaging_and_bucket_resources,
};

/// Lambda's Node.js runtime for `js`: Node 22 keeps callback-style handlers, which
/// Node 24's runtime no longer runs (cfn-lint lists it as supported until 2027-04-30).
pub const NODEJS_RUNTIME: &str = "nodejs22.x";
/// Lambda's newest Java LTS runtime; code lambdesk compiles for Java 17 runs on it.
pub const JAVA_RUNTIME: &str = "java21";

/// Where the built module of a Rust or Go function goes in its code folder (and what
/// its `Handler` says).
pub const BUILT_MODULE_FILE: &str = "function.wasm";

/// A function as the template declares it: the runtime Lambda runs it with and its handler.
#[derive(Debug, Clone)]
pub struct PackagedFunction {
    pub function: Function,
    /// `nodejs22.x`, `python3.14`, `ruby3.4`, `java21` or `provided.al2023`.
    pub sam_runtime: &'static str,
    /// Runs through lambdesk's `bootstrap` layer (WebAssembly functions), not through a
    /// runtime of Lambda's own or the function's own `bootstrap`.
    pub lambdesk_bootstrap: bool,
    pub handler: String,
    /// The code folder, relative to the template.
    pub code_uri: String,
}

impl PackagedFunction {
    pub fn new(function: Function) -> Self {
        let (sam_runtime, handler) = match function.config.runtime {
            Runtime::Js => (NODEJS_RUNTIME, function.config.handler.clone()),
            Runtime::Python => (PYTHON_RUNTIME_NAME, function.config.handler.clone()),
            Runtime::Ruby => (RUBY_RUNTIME_NAME, function.config.handler.clone()),
            Runtime::Java => (JAVA_RUNTIME, function.config.handler.clone()),
            Runtime::Provided => (PROVIDED_RUNTIME, function.config.handler.clone()),
            Runtime::Wat | Runtime::Wasm => (PROVIDED_RUNTIME, function.config.handler.clone()),
            Runtime::Rust | Runtime::Go => (PROVIDED_RUNTIME, BUILT_MODULE_FILE.to_owned()),
        };
        let lambdesk_bootstrap = matches!(
            function.config.runtime,
            Runtime::Wat | Runtime::Wasm | Runtime::Rust | Runtime::Go
        );
        let code_uri = format!("functions/{}/", function.name);
        Self {
            function,
            sam_runtime,
            lambdesk_bootstrap,
            handler,
            code_uri,
        }
    }

    /// Runs through lambdesk's `bootstrap` layer rather than a runtime of Lambda's own.
    pub fn is_custom_runtime(&self) -> bool {
        self.lambdesk_bootstrap
    }
}

/// The whole template, and the notes its making gathered.
pub fn build_template(
    workspace: &WorkspaceConfig,
    functions: &[PackagedFunction],
    bucket_folders: &[String],
    bucket_folders_with_objects: &[String],
    notes: &mut Notes,
) -> Value {
    let mut references = collect_references(workspace, functions, bucket_folders);
    let mut resources = Map::new();
    let mut layers: Vec<Architecture> = Vec::new();
    for packaged in functions {
        let id = references.function_id(&packaged.function.name);
        let resource = function_resource(packaged, workspace, &mut references, notes);
        if packaged.is_custom_runtime() && !layers.contains(&packaged.function.architecture) {
            layers.push(packaged.function.architecture);
        }
        resources.insert(id, resource);
    }
    resources.extend(messaging_and_bucket_resources(
        workspace,
        &mut references,
        bucket_folders_with_objects,
        notes,
    ));
    for architecture in layers {
        resources.insert(
            bootstrap_layer_id(architecture).to_owned(),
            bootstrap_layer(architecture),
        );
    }
    workspace_notes(workspace, notes);

    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    template.insert("Transform".into(), json!("AWS::Serverless-2016-10-31"));
    template.insert(
        "Description".into(),
        json!(format!(
            "Exported from a lambdesk workspace (region {} on the desktop)",
            workspace.region
        )),
    );
    let outputs = api_outputs(&resources);
    template.insert("Resources".into(), Value::Object(resources));
    if !outputs.is_empty() {
        template.insert("Outputs".into(), Value::Object(outputs));
    }
    Value::Object(template)
}

/// Every function, queue, topic and bucket the workspace declares or a function names.
fn collect_references(
    workspace: &WorkspaceConfig,
    functions: &[PackagedFunction],
    bucket_folders: &[String],
) -> References {
    let mut references = References {
        ids: LogicalIds::default(),
        functions: BTreeSet::new(),
        queues: workspace.queues.keys().cloned().collect(),
        topics: workspace.topics.keys().cloned().collect(),
        buckets: bucket_folders.iter().cloned().collect(),
    };
    for layer in [Architecture::X86_64, Architecture::Arm64] {
        references.ids.reserve(bootstrap_layer_id(layer));
    }
    for topic in workspace.topics.values() {
        for subscription in &topic.subscriptions {
            references.queues.insert(subscription.queue.clone());
        }
    }
    for queue in workspace.queues.values() {
        if let Some(dead_letter_queue) = &queue.dead_letter_queue {
            references.queues.insert(dead_letter_queue.clone());
        }
    }
    for packaged in functions {
        let config = &packaged.function.config;
        references.functions.insert(packaged.function.name.clone());
        for trigger in &config.triggers {
            match trigger {
                crate::model::Trigger::Bucket { bucket, .. } => {
                    references.buckets.insert(bucket.clone());
                }
                crate::model::Trigger::Queue { queue, .. } => {
                    references.queues.insert(queue.clone());
                }
                crate::model::Trigger::Topic { topic, .. } => {
                    references.topics.insert(topic.clone());
                }
                crate::model::Trigger::Http { .. } | crate::model::Trigger::Schedule { .. } => {}
            }
        }
        references
            .buckets
            .extend(config.permissions.buckets.keys().cloned());
        references
            .queues
            .extend(config.permissions.queues.iter().cloned());
        references
            .topics
            .extend(config.permissions.topics.iter().cloned());
        for destination in [
            &config.destinations.on_success,
            &config.destinations.on_failure,
        ]
        .into_iter()
        .flatten()
        {
            match destination {
                Destination::Queue(name) => {
                    references.queues.insert(name.clone());
                }
                Destination::Topic(name) => {
                    references.topics.insert(name.clone());
                }
                Destination::Bucket(name) => {
                    references.buckets.insert(name.clone());
                }
                Destination::Function(_) => {}
            }
        }
    }
    // Ids in a stable order: functions, then resources, each sorted by name.
    let names: Vec<(u8, String)> = references
        .functions
        .iter()
        .map(|name| (0, name.clone()))
        .chain(references.queues.iter().map(|name| (1, name.clone())))
        .chain(references.topics.iter().map(|name| (2, name.clone())))
        .chain(references.buckets.iter().map(|name| (3, name.clone())))
        .collect();
    for (kind, name) in names {
        match kind {
            0 => drop(references.function_id(&name)),
            1 => drop(references.queue_id(&name)),
            2 => drop(references.topic_id(&name)),
            _ => drop(references.bucket_id(&name)),
        }
    }
    references
}

fn function_resource(
    packaged: &PackagedFunction,
    workspace: &WorkspaceConfig,
    references: &mut References,
    notes: &mut Notes,
) -> Value {
    let function = &packaged.function;
    let config = &function.config;
    let subject = function_subject(&function.name);
    let mut properties = Map::new();
    properties.insert("FunctionName".into(), json!(function.name));
    if let Some(description) = &config.description {
        properties.insert("Description".into(), json!(description));
    }
    properties.insert("CodeUri".into(), json!(packaged.code_uri));
    properties.insert("Handler".into(), json!(packaged.handler));
    properties.insert("Runtime".into(), json!(packaged.sam_runtime));
    properties.insert("Architectures".into(), json!([function.architecture.id()]));
    properties.insert("MemorySize".into(), json!(config.memory_mb));
    properties.insert("Timeout".into(), json!(config.timeout_secs));
    if config.ephemeral_storage_mb != 512 {
        properties.insert(
            "EphemeralStorage".into(),
            json!({ "Size": config.ephemeral_storage_mb }),
        );
    }
    if let Some(reserved) = config.reserved_concurrency {
        properties.insert("ReservedConcurrentExecutions".into(), json!(reserved));
    }
    if !config.environment.is_empty() {
        properties.insert(
            "Environment".into(),
            json!({ "Variables": config.environment }),
        );
    }
    if packaged.is_custom_runtime() {
        properties.insert(
            "Layers".into(),
            json!([{ "Ref": bootstrap_layer_id(function.architecture) }]),
        );
    }
    let policies = policies(function, references);
    if !policies.is_empty() {
        properties.insert("Policies".into(), Value::Array(policies));
    }
    let events = function_events(function, workspace, references, notes);
    if !events.is_empty() {
        properties.insert("Events".into(), Value::Object(events));
    }
    if let Some(invoke_config) = event_invoke_config(function, references, notes) {
        properties.insert("EventInvokeConfig".into(), invoke_config);
    }
    let mut resource = Map::new();
    resource.insert("Type".into(), json!("AWS::Serverless::Function"));
    if packaged.is_custom_runtime() {
        // What the function is in lambdesk, for an import to give it back as it was.
        resource.insert(
            "Metadata".into(),
            json!({ "Lambdesk": { "Runtime": config.runtime.id(), "Handler": config.handler } }),
        );
        notes.add(
            NoteLevel::Info,
            &subject,
            format!(
                "runtime = \"{}\" runs on Lambda as a custom runtime ({PROVIDED_RUNTIME}): lambdesk's headless build is its bootstrap (layer {}), running the WebAssembly module in wasmtime with the same limits",
                config.runtime,
                bootstrap_layer_id(function.architecture)
            ),
        );
    }
    resource.insert("Properties".into(), Value::Object(properties));
    Value::Object(resource)
}

/// `[permissions]` as SAM policy templates scoped to the one bucket, queue or topic each.
fn policies(function: &Function, references: &mut References) -> Vec<Value> {
    let permissions = &function.config.permissions;
    let mut policies = Vec::new();
    for (bucket, access) in &permissions.buckets {
        let template = match access {
            BucketAccess::Read => "S3ReadPolicy",
            BucketAccess::ReadWrite => "S3CrudPolicy",
        };
        policies.push(json!({ template: { "BucketName": bucket_name(bucket) } }));
    }
    for queue in &permissions.queues {
        policies
            .push(json!({ "SQSSendMessagePolicy": { "QueueName": references.queue_name(queue) } }));
    }
    for topic in &permissions.topics {
        policies.push(
            json!({ "SNSPublishMessagePolicy": { "TopicName": references.topic_name(topic) } }),
        );
    }
    policies
}

/// `[async]` and `[destinations]` as `EventInvokeConfig`; SAM adds the permission to
/// send to each destination.
fn event_invoke_config(
    function: &Function,
    references: &mut References,
    notes: &mut Notes,
) -> Option<Value> {
    let config = &function.config;
    if config.async_config.is_none() && config.destinations.is_empty() {
        return None;
    }
    let mut invoke_config = Map::new();
    if let Some(async_config) = &config.async_config {
        invoke_config.insert(
            "MaximumEventAgeInSeconds".into(),
            json!(async_config.maximum_event_age_secs),
        );
        invoke_config.insert(
            "MaximumRetryAttempts".into(),
            json!(async_config.maximum_retry_attempts),
        );
    }
    let mut destinations = Map::new();
    for (key, destination) in [
        ("OnSuccess", &config.destinations.on_success),
        ("OnFailure", &config.destinations.on_failure),
    ] {
        let Some(destination) = destination else {
            continue;
        };
        let (kind, arn) = match destination {
            Destination::Function(name) => {
                if !references.functions.contains(name) {
                    notes.add(
                        NoteLevel::ActionNeeded,
                        function_subject(&function.name),
                        format!(
                            "its destination function `{name}` is not in the workspace: the template points at a function of that name in the same account and region"
                        ),
                    );
                    let arn = json!({ "Fn::Sub": format!(
                        "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}"
                    ) });
                    ("Lambda", arn)
                } else {
                    ("Lambda", references.function_arn(name))
                }
            }
            Destination::Queue(name) => ("SQS", references.queue_arn(name)),
            Destination::Topic(name) => ("SNS", references.topic_arn(name)),
            Destination::Bucket(name) if key == "OnFailure" => ("S3Bucket", bucket_arn(name)),
            Destination::Bucket(name) => {
                notes.add(
                    NoteLevel::NotCarriedOver,
                    function_subject(&function.name),
                    format!(
                        "its on-success destination, bucket `{name}`, is left out: Lambda sends only failed events to S3 buckets"
                    ),
                );
                continue;
            }
        };
        destinations.insert(key.into(), json!({ "Type": kind, "Destination": arn }));
    }
    if !destinations.is_empty() {
        invoke_config.insert("DestinationConfig".into(), Value::Object(destinations));
    }
    (!invoke_config.is_empty()).then_some(Value::Object(invoke_config))
}

/// The URLs of the APIs SAM makes for `HttpApi` and `Api` events.
fn api_outputs(resources: &Map<String, Value>) -> Map<String, Value> {
    let event_types: BTreeSet<&str> = resources
        .values()
        .filter_map(|resource| resource.pointer("/Properties/Events")?.as_object())
        .flat_map(|events| events.values())
        .filter_map(|event| event["Type"].as_str())
        .collect();
    let mut outputs = Map::new();
    if event_types.contains("HttpApi") {
        outputs.insert(
            "HttpApiUrl".into(),
            json!({
                "Description": "The HTTP API (payload 2.0) serving the functions' http triggers",
                "Value": { "Fn::Sub": "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" },
            }),
        );
    }
    if event_types.contains("Api") {
        outputs.insert(
            "RestApiUrl".into(),
            json!({
                "Description": "The REST API (payload 1.0) serving the functions' http triggers, stage Prod",
                "Value": { "Fn::Sub": "https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod/" },
            }),
        );
    }
    outputs
}

/// `lambdesk.toml` settings that exist only on the desktop.
fn workspace_notes(workspace: &WorkspaceConfig, notes: &mut Notes) {
    let subject = "workspace";
    notes.add(
        NoteLevel::Info,
        subject,
        format!(
            "the workspace's region is {}: deploy with `sam deploy --guided --region {}` to keep it",
            workspace.region, workspace.region
        ),
    );
    if workspace.async_retry_delays_secs.is_some() {
        notes.add(
            NoteLevel::NotCarriedOver,
            subject,
            "async_retry_delays_secs is a desktop setting: Lambda waits 1 and 2 minutes before its retries",
        );
    }
    if !workspace.pricing.is_empty() {
        notes.add(
            NoteLevel::NotCarriedOver,
            subject,
            "[pricing] is for lambdesk's cost estimates only: AWS bills its own prices",
        );
    }
}
