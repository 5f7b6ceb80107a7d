//! An `AWS::Serverless::Function` (with `Globals.Function` merged in, as SAM merges it) as a
//! lambdesk function: its `function.toml` built setting by setting, each checked with the
//! configuration loader's own checks, so what does not fit is reported and the rest loads.

use serde_json::{Map, Value};

use super::plan::{
    Created, FunctionCode, FunctionTarget, Local, PlannedFunction, Planner, properties_of,
};
use super::resources_plan::as_u32;
use super::runtimes::{RuntimeMapping, map_runtime};
use crate::model::{Architecture, AsyncConfig, Destination, FunctionConfig, Runtime};

/// The function properties lambdesk carries over.
pub(super) const FUNCTION_PROPERTIES: &[&str] = &[
    "Handler",
    "Runtime",
    "CodeUri",
    "InlineCode",
    "MemorySize",
    "Timeout",
    "Architectures",
    "Environment",
    "EphemeralStorage",
    "ReservedConcurrentExecutions",
    "EventInvokeConfig",
    "DeadLetterQueue",
    "Policies",
    "Events",
    "FunctionName",
    "Description",
    "PackageType",
];

/// Why a function property is not carried over.
pub(super) fn unsupported_property_reason(key: &str) -> String {
    match key {
        "Layers" => "layers are not emulated: copy the layer's code into the function's folder".to_owned(),
        "VpcConfig" => "there is no VPC locally: the function reaches what the sandbox allows".to_owned(),
        "Tracing" => "X-Ray tracing is not emulated".to_owned(),
        "AutoPublishAlias" | "AutoPublishAliasAllProperties" | "AutoPublishCodeSha256" | "VersionDescription"
        | "DeploymentPreference" | "ProvisionedConcurrencyConfig" | "VersionDeletionPolicy" => {
            "versions, aliases and gradual deployments exist only on AWS".to_owned()
        }
        "Role" | "RolePath" | "PermissionsBoundary" | "AssumeRolePolicyDocument" => {
            "IAM roles are not emulated: lambdesk's [permissions] come from the function's Policies".to_owned()
        }
        "KmsKeyArn" | "CodeSigningConfigArn" => "encryption keys and code signing are not emulated".to_owned(),
        "Tags" | "PropagateTags" => "tags are not kept".to_owned(),
        "FunctionUrlConfig" => "function URLs are not emulated: give the function an http trigger (the local gateway) instead".to_owned(),
        "LoggingConfig" => "logs always go to the console in Lambda's text format".to_owned(),
        "SnapStart" | "RuntimeManagementConfig" | "RecursiveLoop" => format!("`{key}` is not emulated"),
        "FileSystemConfigs" => "EFS file systems are not emulated".to_owned(),
        "ImageUri" | "ImageConfig" => "container image functions are not emulated".to_owned(),
        other => format!("`{other}` is not a function property lambdesk emulates"),
    }
}

impl Planner {
    pub(super) fn plan_function(&mut self, resource: &Created<'_>, globals: &Map<String, Value>) {
        let id = resource.logical_id;
        let Some(Local::Function(name)) = self.locals.get(id).cloned() else {
            return;
        };
        if let Err(problem) = crate::model::validate_function_name(&name) {
            self.plan
                .report
                .skip(id, "Properties.FunctionName", problem);
            return;
        }
        let mut properties = globals.clone();
        let lambdesk_function = lambdesk_metadata(resource.definition);
        for (key, value) in properties_of(resource.definition) {
            if key == "Layers" && lambdesk_function.is_some() && only_lambdesk_layers(&value) {
                continue;
            }
            if !FUNCTION_PROPERTIES.contains(&key.as_str()) {
                self.plan.report.skip(
                    id,
                    &format!("Properties.{key}"),
                    unsupported_property_reason(&key),
                );
                continue;
            }
            let value = match key.as_str() {
                "Events" => self.supported_events(id, value),
                "Policies" => self.supported_policies(id, value),
                _ => value,
            };
            if let Some(value) = self.evaluate_lenient(&value, id, &format!("Properties.{key}")) {
                merge_global(&mut properties, key, value);
            }
        }
        if let Some(Value::Object(metadata)) = resource.definition.get("Metadata") {
            let esbuild = metadata.get("BuildMethod").and_then(Value::as_str) == Some("esbuild");
            for key in metadata.keys().filter(|key| *key != "Lambdesk") {
                let reason = if esbuild {
                    "sam build bundles this function with esbuild (TypeScript, bundled modules); lambdesk runs the folder's JavaScript as it is: build it into the folder first"
                } else {
                    "sam build's settings are not used: lambdesk runs the function's folder as it is"
                };
                self.plan
                    .report
                    .skip(id, &format!("Metadata.{key}"), reason);
            }
        }
        if let Some((_, handler)) = &lambdesk_function {
            properties.insert("Handler".to_owned(), Value::String(handler.clone()));
        }
        let text = |key: &str| {
            properties
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let lambda_runtime = text("Runtime").unwrap_or_default();
        let image = text("PackageType").as_deref() == Some("Image");
        let code = self.function_code(id, &properties);
        let mapping = if let Some((runtime, _)) = lambdesk_function {
            RuntimeMapping::Runs(runtime)
        } else if image {
            RuntimeMapping::NotRunnable("container image functions are not emulated".to_owned())
        } else if lambda_runtime.is_empty() {
            RuntimeMapping::NotRunnable("the function names no Runtime".to_owned())
        } else if matches!(code, FunctionCode::Unavailable) {
            RuntimeMapping::NotRunnable("its code is not on this machine".to_owned())
        } else {
            map_runtime(&lambda_runtime)
        };
        if let (FunctionCode::Folder(dir), RuntimeMapping::Runs(runtime)) = (&code, &mapping) {
            let build_method = resource
                .definition
                .get("Metadata")
                .and_then(|metadata| metadata.get("BuildMethod"))
                .and_then(Value::as_str);
            self.report_what_sam_build_would_add(id, dir, *runtime, build_method);
        }
        let target = match mapping {
            RuntimeMapping::Runs(runtime) => match self.function_config(id, runtime, &properties) {
                Ok(config) => FunctionTarget::Runs(Box::new(config)),
                Err(reason) => FunctionTarget::NotRunnable {
                    reason,
                    properties: Value::Object(properties.clone()),
                },
            },
            RuntimeMapping::NotRunnable(reason) => FunctionTarget::NotRunnable {
                reason,
                properties: Value::Object(properties.clone()),
            },
        };
        if let FunctionTarget::NotRunnable { reason, .. } = &target {
            self.plan.report.skip(
                id,
                "",
                format!("not runnable here ({reason}): its code and settings are kept in not-runnable/{name}/"),
            );
        }
        self.plan.functions.push(PlannedFunction {
            logical_id: id.to_owned(),
            name,
            lambda_runtime,
            code,
            target,
        });
    }

    /// The events of types lambdesk has, without the API they belong to (there is one
    /// local gateway); the others are reported before their properties are evaluated, so
    /// a stream's ARN is not reported as well as the stream.
    fn supported_events(&mut self, id: &str, events: Value) -> Value {
        let Value::Object(events) = events else {
            return events;
        };
        let mut kept = Map::new();
        for (name, mut event) in events {
            let kind = event
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !super::events_plan::EVENT_TYPES.contains(&kind) {
                self.plan.report.skip(
                    id,
                    &format!("Properties.Events.{name}"),
                    format!("`{kind}` events are not emulated: lambdesk's triggers are Api/HttpApi, S3, Schedule/ScheduleV2, SQS and SNS"),
                );
                continue;
            }
            if let Some(Value::Object(properties)) = event.get_mut("Properties") {
                properties.remove("RestApiId");
                properties.remove("ApiId");
            }
            kept.insert(name, event);
        }
        Value::Object(kept)
    }

    /// The policies that can grant bucket, queue or topic access; policy templates for
    /// other services are reported before their arguments are evaluated.
    fn supported_policies(&mut self, id: &str, policies: Value) -> Value {
        let items = match policies {
            Value::Array(items) => items,
            other => vec![other],
        };
        let mut kept = Vec::new();
        for (index, policy) in items.into_iter().enumerate() {
            let template = match &policy {
                Value::Object(object) if object.len() == 1 && !object.contains_key("Statement") => {
                    object.keys().next().cloned()
                }
                _ => None,
            };
            match template {
                Some(name) if !super::policies_plan::POLICY_TEMPLATES.contains(&name.as_str()) => {
                    self.plan.report.skip(
                        id,
                        &format!("Properties.Policies[{index}]"),
                        format!("the policy template `{name}` grants access to a service lambdesk does not emulate"),
                    );
                }
                _ => kept.push(policy),
            }
        }
        Value::Array(kept)
    }

    fn function_code(&mut self, id: &str, properties: &Map<String, Value>) -> FunctionCode {
        if let Some(Value::String(inline)) = properties.get("InlineCode") {
            let handler = properties
                .get("Handler")
                .and_then(Value::as_str)
                .unwrap_or("index.handler");
            let module = handler
                .rsplit_once('.')
                .map_or(handler, |(module, _)| module);
            let runtime = properties
                .get("Runtime")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let extension = match map_runtime(runtime) {
                RuntimeMapping::Runs(Runtime::Python) => "py",
                RuntimeMapping::Runs(Runtime::Ruby) => "rb",
                _ => "js",
            };
            return FunctionCode::Inline {
                file: format!("{module}.{extension}"),
                text: inline.clone(),
            };
        }
        match properties.get("CodeUri") {
            None => FunctionCode::Folder(self.template_dir.clone()),
            Some(Value::String(uri)) if uri.starts_with("s3://") => {
                self.plan.report.skip(
                    id,
                    "Properties.CodeUri",
                    format!("the code is in S3 (`{uri}`), which lambdesk does not download"),
                );
                FunctionCode::Unavailable
            }
            Some(Value::String(uri)) => {
                let path = self.template_dir.join(uri);
                if path.is_dir() {
                    FunctionCode::Folder(path)
                } else {
                    let why = if path.is_file() {
                        format!("`{uri}` is an archive: unzip it and point CodeUri at the folder")
                    } else {
                        format!("`{uri}` is not a folder next to the template")
                    };
                    self.plan.report.skip(id, "Properties.CodeUri", why);
                    FunctionCode::Unavailable
                }
            }
            Some(_) => {
                self.plan.report.skip(
                    id,
                    "Properties.CodeUri",
                    "the code is in S3 (Bucket/Key), which lambdesk does not download",
                );
                FunctionCode::Unavailable
            }
        }
    }

    /// The function's configuration; `Err` when it cannot have one (no usable handler).
    fn function_config(
        &mut self,
        id: &str,
        runtime: Runtime,
        properties: &Map<String, Value>,
    ) -> Result<FunctionConfig, String> {
        let handler = properties
            .get("Handler")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut config = FunctionConfig::new(runtime, handler);
        if let Some((_, problem)) = config.problems().into_iter().next() {
            return Err(format!("its Handler cannot be used: {problem}"));
        }
        if let Some(description) = properties.get("Description").and_then(Value::as_str) {
            config.description = Some(description.to_owned());
        }
        for (key, set) in [
            ("MemorySize", set_memory as fn(&mut FunctionConfig, u32)),
            ("Timeout", |config, value| config.timeout_secs = value),
            ("ReservedConcurrentExecutions", |config, value| {
                config.reserved_concurrency = Some(value);
            }),
        ] {
            if let Some(value) = properties.get(key) {
                match as_u32(value) {
                    Some(number) => self.apply(&mut config, id, key, |config| set(config, number)),
                    None => self.plan.report.skip(
                        id,
                        &format!("Properties.{key}"),
                        format!("`{value}` is not a number"),
                    ),
                }
            }
        }
        if let Some(size) = properties
            .get("EphemeralStorage")
            .and_then(|storage| storage.get("Size"))
        {
            match as_u32(size) {
                Some(mb) => self.apply(&mut config, id, "EphemeralStorage.Size", |config| {
                    config.ephemeral_storage_mb = mb;
                }),
                None => self.plan.report.skip(
                    id,
                    "Properties.EphemeralStorage.Size",
                    format!("`{size}` is not a number"),
                ),
            }
        }
        if let Some(architectures) = properties.get("Architectures") {
            match architectures.as_array().map(Vec::as_slice) {
                Some([Value::String(one)]) if one == "arm64" => {
                    config.architecture = Some(Architecture::Arm64);
                }
                Some([Value::String(one)]) if one == "x86_64" => {
                    config.architecture = Some(Architecture::X86_64);
                }
                _ => self.plan.report.skip(
                    id,
                    "Properties.Architectures",
                    format!("`{architectures}` is not one of [x86_64] or [arm64]"),
                ),
            }
        }
        if let Some(variables) = properties
            .get("Environment")
            .and_then(|environment| environment.get("Variables"))
        {
            for (name, value) in variables.as_object().into_iter().flatten() {
                let text = match value {
                    Value::String(text) => text.clone(),
                    Value::Number(number) => number.to_string(),
                    Value::Bool(flag) => flag.to_string(),
                    other => {
                        self.plan.report.skip(
                            id,
                            &format!("Properties.Environment.Variables.{name}"),
                            format!("`{other}` is not a text value"),
                        );
                        continue;
                    }
                };
                self.apply(
                    &mut config,
                    id,
                    &format!("Environment.Variables.{name}"),
                    |config| {
                        config.environment.insert(name.clone(), text);
                    },
                );
            }
        }
        if let Some(invoke_config) = properties.get("EventInvokeConfig") {
            self.plan_invoke_config(&mut config, id, invoke_config);
        }
        if let Some(dead_letter) = properties.get("DeadLetterQueue") {
            self.plan_dead_letter_queue(&mut config, id, dead_letter);
        }
        // Events first: a poller policy is what a queue trigger needs.
        if let Some(Value::Object(events)) = properties.get("Events") {
            for (event_name, event) in events {
                self.plan_event(&mut config, id, event_name, event);
            }
        }
        if let Some(policies) = properties.get("Policies") {
            self.plan_policies(&mut config, id, policies);
        }
        Ok(config)
    }

    /// Makes `change` if the configuration still passes the loader's checks; otherwise
    /// reports the loader's message against the SAM property.
    pub(super) fn apply(
        &mut self,
        config: &mut FunctionConfig,
        id: &str,
        property: &str,
        change: impl FnOnce(&mut FunctionConfig),
    ) {
        let mut candidate = config.clone();
        change(&mut candidate);
        match candidate.problems().into_iter().next() {
            None => *config = candidate,
            Some((_, problem)) => {
                self.plan
                    .report
                    .skip(id, &format!("Properties.{property}"), problem);
            }
        }
    }

    fn plan_invoke_config(&mut self, config: &mut FunctionConfig, id: &str, invoke_config: &Value) {
        let mut async_config = AsyncConfig::default();
        let mut set_any = false;
        if let Some(age) = invoke_config
            .get("MaximumEventAgeInSeconds")
            .and_then(as_u32)
        {
            async_config.maximum_event_age_secs = age;
            set_any = true;
        }
        if let Some(retries) = invoke_config.get("MaximumRetryAttempts").and_then(as_u32) {
            async_config.maximum_retry_attempts = retries;
            set_any = true;
        }
        if set_any {
            self.apply(config, id, "EventInvokeConfig", |config| {
                config.async_config = Some(async_config);
            });
        }
        let Some(destinations) = invoke_config.get("DestinationConfig") else {
            return;
        };
        for (key, on_success) in [("OnSuccess", true), ("OnFailure", false)] {
            let Some(destination) = destinations.get(key) else {
                continue;
            };
            let property = format!("EventInvokeConfig.DestinationConfig.{key}");
            let kind = destination
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(pointer) = destination.get("Destination").and_then(Value::as_str) else {
                self.plan.report.skip(
                    id,
                    &format!("Properties.{property}"),
                    format!("a {kind} destination without `Destination` is created by SAM on AWS: name one of the template's resources"),
                );
                continue;
            };
            match self.destination_of(pointer) {
                Some(target) => self.apply(config, id, &property, |config| {
                    if on_success {
                        config.destinations.on_success = Some(target);
                    } else {
                        config.destinations.on_failure = Some(target);
                    }
                }),
                None => self.plan.report.skip(
                    id,
                    &format!("Properties.{property}"),
                    format!("`{pointer}` ({kind}) is not a queue, topic, function or bucket of this template"),
                ),
            }
        }
    }

    fn plan_dead_letter_queue(
        &mut self,
        config: &mut FunctionConfig,
        id: &str,
        dead_letter: &Value,
    ) {
        let target = dead_letter
            .get("TargetArn")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if config.destinations.on_failure.is_some() {
            self.plan.report.skip(
                id,
                "Properties.DeadLetterQueue",
                "the function already sends failed events to its OnFailure destination",
            );
            return;
        }
        match self.destination_of(target) {
            Some(destination @ (Destination::Queue(_) | Destination::Topic(_))) => {
                self.apply(config, id, "DeadLetterQueue", |config| {
                    config.destinations.on_failure = Some(destination);
                });
            }
            _ => self.plan.report.skip(
                id,
                "Properties.DeadLetterQueue",
                format!("`{target}` is not a queue or topic of this template"),
            ),
        }
    }

    fn destination_of(&self, pointer: &str) -> Option<Destination> {
        Some(match self.local_of(pointer)? {
            Local::Queue(name) => Destination::Queue(name),
            Local::Topic(name) => Destination::Topic(name),
            Local::Function(name) => Destination::Function(name),
            Local::Bucket(name) => Destination::Bucket(name),
        })
    }

    /// Topic subscriptions of functions made by other resources, added once every
    /// function is planned.
    pub(super) fn add_pending_triggers(&mut self) {
        for (function, source, trigger) in std::mem::take(&mut self.pending_function_triggers) {
            let Some(index) = self
                .plan
                .functions
                .iter()
                .position(|planned| planned.name == function)
            else {
                continue;
            };
            let logical_id = self.plan.functions[index].logical_id.clone();
            let mut config = match &self.plan.functions[index].target {
                FunctionTarget::Runs(config) => (**config).clone(),
                FunctionTarget::NotRunnable { .. } => continue,
            };
            if let Some(problem) = trigger.problem() {
                self.plan.report.skip(&source, "Properties", problem);
                continue;
            }
            self.apply(&mut config, &logical_id, "Events", |config| {
                config.triggers.push(trigger);
            });
            self.plan.functions[index].target = FunctionTarget::Runs(Box::new(config));
        }
    }
}

/// `Metadata.Lambdesk` of an exported workspace's function that runs on Lambda through
/// lambdesk's bootstrap (`provided.al2023`): its lambdesk runtime and handler.
fn lambdesk_metadata(definition: &Map<String, Value>) -> Option<(Runtime, String)> {
    let lambdesk = definition.get("Metadata")?.get("Lambdesk")?;
    let runtime = serde_json::from_value(lambdesk.get("Runtime")?.clone()).ok()?;
    let handler = lambdesk.get("Handler")?.as_str()?.to_owned();
    Some((runtime, handler))
}

/// `Layers` naming only lambdesk's bootstrap layer, which a function here runs without.
fn only_lambdesk_layers(layers: &Value) -> bool {
    layers.as_array().is_some_and(|layers| {
        layers.iter().all(|layer| {
            layer
                .get("Ref")
                .and_then(Value::as_str)
                .is_some_and(super::plan::is_lambdesk_runtime_layer)
        })
    })
}

fn set_memory(config: &mut FunctionConfig, memory_mb: u32) {
    config.memory_mb = memory_mb;
}

/// SAM's merge of a global into a function's property: mappings merge key by key, lists
/// add up (globals first), anything else is the function's own.
fn merge_global(properties: &mut Map<String, Value>, key: String, own: Value) {
    let merged = match (properties.remove(&key), own) {
        (Some(Value::Object(mut global)), Value::Object(own)) => {
            for (inner_key, value) in own {
                merge_global(&mut global, inner_key, value);
            }
            Value::Object(global)
        }
        (Some(Value::Array(mut global)), Value::Array(own)) => {
            global.extend(own);
            Value::Array(global)
        }
        (_, own) => own,
    };
    properties.insert(key, merged);
}
