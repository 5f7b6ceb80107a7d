//! A SAM template worked out into what the workspace will hold: functions with their
//! configuration, buckets, queues and topics, and the report of what stays behind.
//! Nothing is written here (`write.rs` does that), so clashes are found before any file
//! changes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::intrinsics::{Intrinsics, Pseudo, ResourceValues, Unevaluable};
use super::report::ImportReport;
use crate::model::{FunctionConfig, QueueConfig, TopicConfig};

/// What the import will write.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    pub functions: Vec<PlannedFunction>,
    pub buckets: BTreeSet<String>,
    pub queues: BTreeMap<String, QueueConfig>,
    pub topics: BTreeMap<String, TopicConfig>,
    pub report: ImportReport,
}

/// One function of the template.
#[derive(Debug, Clone)]
pub struct PlannedFunction {
    pub logical_id: String,
    /// Its folder's name: `FunctionName`, else the logical id.
    pub name: String,
    pub lambda_runtime: String,
    pub code: FunctionCode,
    pub target: FunctionTarget,
}

/// Where a function's code comes from.
#[derive(Debug, Clone)]
pub enum FunctionCode {
    /// `CodeUri`'s folder (or the template's folder when there is none, as SAM does).
    Folder(PathBuf),
    /// `InlineCode`, written to this file of the function's folder.
    Inline { file: String, text: String },
    /// No code here (`CodeUri` in S3, a container image); the reason is reported.
    Unavailable,
}

/// A function lambdesk runs, or one kept aside with its code.
#[derive(Debug, Clone)]
pub enum FunctionTarget {
    Runs(Box<FunctionConfig>),
    NotRunnable {
        reason: String,
        /// The function's SAM properties as evaluated, kept beside the code so it can be
        /// finished by hand or imported again once lambdesk runs it.
        properties: Value,
    },
}

/// A resource of the template as a local one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    Bucket(String),
    Queue(String),
    Topic(String),
    Function(String),
}

/// Values a user gives on the command line, like `sam deploy --parameter-overrides`.
#[derive(Debug, Clone, Default)]
pub struct PlanInputs {
    pub region: String,
    pub stack_name: String,
    pub parameter_overrides: Vec<(String, String)>,
    pub template_dir: PathBuf,
}

/// Why a template cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("parameter `{name}`: {message}")]
    Parameter { name: String, message: String },
    #[error("--parameter-overrides names `{0}`, which the template's Parameters do not declare")]
    UnknownParameter(String),
    #[error("the template has no `Resources` section")]
    NoResources,
}

pub(super) const ACCOUNT_ID: &str = crate::model::LOCAL_ACCOUNT_ID;

/// Works out the plan for `template` (already in long form).
pub fn plan(template: &Value, inputs: &PlanInputs) -> Result<ImportPlan, PlanError> {
    let Some(Value::Object(resources)) = template.get("Resources") else {
        return Err(PlanError::NoResources);
    };
    let mut planner = Planner {
        intrinsics: Intrinsics {
            pseudo: Pseudo {
                region: inputs.region.clone(),
                account_id: ACCOUNT_ID.to_owned(),
                stack_name: inputs.stack_name.clone(),
            },
            parameters: parameters(template, &inputs.parameter_overrides)?,
            mappings: object_at(template, "Mappings"),
            conditions: object_at(template, "Conditions"),
            resources: BTreeMap::new(),
        },
        plan: ImportPlan::default(),
        locals: BTreeMap::new(),
        pending_function_triggers: Vec::new(),
        template_dir: inputs.template_dir.clone(),
    };
    let created = planner.created_resources(resources);
    planner.name_resources(&created);
    planner.plan_resources(template, &created);
    planner.report_sections(template);
    Ok(planner.plan)
}

fn object_at(template: &Value, key: &str) -> Map<String, Value> {
    match template.get(key) {
        Some(Value::Object(object)) => object.clone(),
        _ => Map::new(),
    }
}

/// Each parameter's value: the override, else its `Default`; lists split at commas.
fn parameters(
    template: &Value,
    overrides: &[(String, String)],
) -> Result<BTreeMap<String, Result<Value, Unevaluable>>, PlanError> {
    let declared = object_at(template, "Parameters");
    if let Some((name, _)) = overrides
        .iter()
        .find(|(name, _)| !declared.contains_key(name))
    {
        return Err(PlanError::UnknownParameter(name.clone()));
    }
    let mut values = BTreeMap::new();
    for (name, declaration) in &declared {
        let overridden = overrides
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone());
        let text = overridden
            .clone()
            .or_else(|| match declaration.get("Default") {
                Some(Value::String(text)) => Some(text.clone()),
                Some(Value::Number(number)) => Some(number.to_string()),
                Some(Value::Bool(flag)) => Some(flag.to_string()),
                Some(Value::Array(items)) => Some(
                    items
                        .iter()
                        .map(|item| {
                            item.as_str()
                                .map_or_else(|| item.to_string(), str::to_owned)
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                _ => None,
            });
        let Some(text) = text else {
            values.insert(
                name.clone(),
                Err(Unevaluable(format!(
                    "parameter `{name}` has no Default: give it with --parameter-overrides {name}=VALUE"
                ))),
            );
            continue;
        };
        if let (Some(_), Some(Value::Array(allowed))) =
            (&overridden, declaration.get("AllowedValues"))
            && !allowed.iter().any(|value| scalar_text(value) == text)
        {
            let allowed: Vec<String> = allowed.iter().map(scalar_text).collect();
            return Err(PlanError::Parameter {
                name: name.clone(),
                message: format!(
                    "`{text}` is not one of its AllowedValues: {}",
                    allowed.join(", ")
                ),
            });
        }
        let kind = declaration
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("String");
        let value = if kind == "CommaDelimitedList" || kind.starts_with("List<") {
            Value::Array(
                text.split(',')
                    .map(|part| Value::String(part.trim().to_owned()))
                    .collect(),
            )
        } else {
            Value::String(text)
        };
        values.insert(name.clone(), Ok(value));
    }
    Ok(values)
}

/// A parameter value as text: strings as they are, numbers and booleans written out.
fn scalar_text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

pub(super) struct Planner {
    pub(super) intrinsics: Intrinsics,
    pub(super) plan: ImportPlan,
    /// The template's resources that become local ones, by logical id.
    pub(super) locals: BTreeMap<String, Local>,
    pub(super) template_dir: PathBuf,
    /// Triggers that other resources give a function (an `AWS::SNS::Subscription` with
    /// the `lambda` protocol): (function name, the resource, the trigger).
    pub(super) pending_function_triggers: Vec<(String, String, crate::model::Trigger)>,
}

/// A resource whose `Condition` holds (or that has none): CloudFormation would create it.
pub(super) struct Created<'a> {
    pub(super) logical_id: &'a str,
    pub(super) kind: &'a str,
    pub(super) definition: &'a Map<String, Value>,
}

impl Planner {
    /// The resources CloudFormation would create; the others are reported.
    fn created_resources<'a>(&mut self, resources: &'a Map<String, Value>) -> Vec<Created<'a>> {
        let mut created = Vec::new();
        for (logical_id, definition) in resources {
            let Value::Object(definition) = definition else {
                self.plan
                    .report
                    .skip(logical_id, "", "a resource must be a mapping with a Type");
                continue;
            };
            let Some(kind) = definition.get("Type").and_then(Value::as_str) else {
                self.plan
                    .report
                    .skip(logical_id, "Type", "the resource has no Type");
                continue;
            };
            if let Some(condition) = definition.get("Condition").and_then(Value::as_str) {
                match self.intrinsics.condition_named(condition, 0) {
                    Ok(true) => {}
                    Ok(false) => {
                        self.plan.report.skip(
                            logical_id,
                            "Condition",
                            format!(
                                "condition `{condition}` is false, so the stack would not create it"
                            ),
                        );
                        continue;
                    }
                    Err(why) => {
                        self.plan.report.skip(
                            logical_id,
                            "Condition",
                            format!("not created: condition `{condition}` cannot be worked out here ({why})"),
                        );
                        continue;
                    }
                }
            }
            created.push(Created {
                logical_id,
                kind,
                definition,
            });
        }
        created
    }

    /// The local name of each bucket, queue, topic and function, and what `Ref` and
    /// `Fn::GetAtt` of it give, before any other property is evaluated.
    fn name_resources(&mut self, created: &[Created<'_>]) {
        let region = self.intrinsics.pseudo.region.clone();
        for resource in created {
            let properties = properties_of(resource.definition);
            let given = |key: &str| -> Option<String> {
                properties
                    .get(key)
                    .and_then(|value| self.intrinsics.string(value).ok())
            };
            let id = resource.logical_id;
            let (local, values) = match resource.kind {
                "AWS::S3::Bucket" => {
                    let name = given("BucketName")
                        .map(|name| self.local_bucket_name(&name))
                        .unwrap_or_else(|| bucket_name_for(id));
                    let attributes = [
                        ("Arn", format!("arn:aws:s3:::{name}")),
                        ("DomainName", format!("{name}.s3.amazonaws.com")),
                        (
                            "RegionalDomainName",
                            format!("{name}.s3.{region}.amazonaws.com"),
                        ),
                        (
                            "WebsiteURL",
                            format!("http://{name}.s3-website-{region}.amazonaws.com"),
                        ),
                    ];
                    (
                        Local::Bucket(name.clone()),
                        values(Value::String(name), &attributes),
                    )
                }
                "AWS::SQS::Queue" => {
                    let fifo = properties
                        .get("FifoQueue")
                        .is_some_and(|value| is_true(&self.intrinsics, value));
                    let name = given("QueueName").unwrap_or_else(|| {
                        if fifo {
                            format!("{id}.fifo")
                        } else {
                            id.to_owned()
                        }
                    });
                    let url = format!("https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{name}");
                    let attributes = [
                        ("Arn", format!("arn:aws:sqs:{region}:{ACCOUNT_ID}:{name}")),
                        ("QueueName", name.clone()),
                        ("QueueUrl", url.clone()),
                    ];
                    (Local::Queue(name), values(Value::String(url), &attributes))
                }
                "AWS::SNS::Topic" => {
                    let name = given("TopicName").unwrap_or_else(|| id.to_owned());
                    let arn = format!("arn:aws:sns:{region}:{ACCOUNT_ID}:{name}");
                    let attributes = [("TopicArn", arn.clone()), ("TopicName", name.clone())];
                    (Local::Topic(name), values(Value::String(arn), &attributes))
                }
                "AWS::Serverless::Function" => {
                    let name = given("FunctionName").unwrap_or_else(|| id.to_owned());
                    let attributes = [(
                        "Arn",
                        format!("arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"),
                    )];
                    (
                        Local::Function(name.clone()),
                        values(Value::String(name), &attributes),
                    )
                }
                other => {
                    self.intrinsics.resources.insert(
                        id.to_owned(),
                        ResourceValues {
                            reference: Err(Unevaluable(format!(
                                "`{id}` ({other}) is not emulated: its name exists only on AWS"
                            ))),
                            attributes: BTreeMap::new(),
                        },
                    );
                    continue;
                }
            };
            self.locals.insert(id.to_owned(), local);
            self.intrinsics.resources.insert(id.to_owned(), values);
        }
    }

    fn plan_resources(&mut self, template: &Value, created: &[Created<'_>]) {
        let globals = self.function_globals(template);
        // Queues and topics first: functions' triggers and destinations name them.
        for resource in created {
            match resource.kind {
                "AWS::S3::Bucket" => self.plan_bucket(resource),
                "AWS::SQS::Queue" => self.plan_queue(resource),
                "AWS::SNS::Topic" => self.plan_topic(resource),
                _ => {}
            }
        }
        for resource in created {
            match resource.kind {
                "AWS::S3::Bucket" | "AWS::SQS::Queue" | "AWS::SNS::Topic" => {}
                "AWS::SNS::Subscription" => self.plan_subscription(resource),
                "AWS::Serverless::Function" => self.plan_function(resource, &globals),
                // The layer of lambdesk's own bootstrap (an export of a workspace): its
                // functions run here without it.
                "AWS::Serverless::LayerVersion"
                    if is_lambdesk_runtime_layer(resource.logical_id) => {}
                // On AWS a topic needs this to deliver to a queue; here the subscription
                // delivers, so nothing is lost.
                "AWS::SQS::QueuePolicy"
                    if super::resources_plan::only_lets_topics_deliver(resource.definition) => {}
                other => {
                    let reason = unsupported_resource_reason(other);
                    self.plan.report.skip(resource.logical_id, "", reason);
                }
            }
        }
        self.check_redrives();
        self.add_pending_triggers();
    }

    /// `Globals.Function`, evaluated, without what no function could carry over (reported
    /// once here); the other `Globals` sections are reported.
    fn function_globals(&mut self, template: &Value) -> Map<String, Value> {
        let Some(Value::Object(globals)) = template.get("Globals") else {
            return Map::new();
        };
        let mut function = Map::new();
        for (section, settings) in globals {
            if section == "Function" {
                if let Some(Value::Object(evaluated)) =
                    self.evaluate_lenient(settings, "Globals", "Function")
                {
                    for (key, value) in evaluated {
                        if super::function_plan::FUNCTION_PROPERTIES.contains(&key.as_str()) {
                            function.insert(key, value);
                        } else {
                            let reason = super::function_plan::unsupported_property_reason(&key);
                            self.plan
                                .report
                                .skip("Globals", &format!("Function.{key}"), reason);
                        }
                    }
                }
                continue;
            }
            let Value::Object(settings) = settings else {
                continue;
            };
            for key in settings.keys() {
                self.plan.report.skip(
                    "Globals",
                    &format!("{section}.{key}"),
                    format!("{section} settings are not emulated (the local gateway has no stages, auth or CORS; other resources have no globals here)"),
                );
            }
        }
        function
    }

    fn report_sections(&mut self, template: &Value) {
        if let Some(Value::Object(outputs)) = template.get("Outputs") {
            for name in outputs.keys() {
                self.plan.report.skip(
                    "Outputs",
                    name,
                    "stack outputs exist only on AWS (the console shows the local gateway's address and each resource)",
                );
            }
        }
    }

    /// `value` evaluated; where part of it cannot be, that part alone is left out and
    /// reported with its path.
    pub(super) fn evaluate_lenient(
        &mut self,
        value: &Value,
        resource: &str,
        path: &str,
    ) -> Option<Value> {
        match self.intrinsics.evaluate(value) {
            Ok(evaluated) => evaluated,
            Err(why) => {
                let is_intrinsic = matches!(value, Value::Object(object) if object.len() == 1
                    && object.keys().all(|key| key == "Ref" || key == "Condition" || key.starts_with("Fn::")));
                match value {
                    Value::Object(object) if !is_intrinsic => {
                        let mut kept = Map::new();
                        for (key, item) in object {
                            let inner = join_path(path, key);
                            if let Some(item) = self.evaluate_lenient(item, resource, &inner) {
                                kept.insert(key.clone(), item);
                            }
                        }
                        Some(Value::Object(kept))
                    }
                    Value::Array(items) => {
                        let mut kept = Vec::new();
                        for (index, item) in items.iter().enumerate() {
                            let inner = format!("{path}[{index}]");
                            if let Some(item) = self.evaluate_lenient(item, resource, &inner) {
                                kept.push(item);
                            }
                        }
                        Some(Value::Array(kept))
                    }
                    _ => {
                        self.plan.report.skip(
                            resource,
                            path,
                            format!("cannot be worked out here: {why}"),
                        );
                        None
                    }
                }
            }
        }
    }

    /// A bucket's local name: S3 names are global, so templates often make them unique
    /// with the account and region (`photos-${AWS::AccountId}-${AWS::Region}`); here the
    /// folder is the name without them.
    pub(super) fn local_bucket_name(&self, name: &str) -> String {
        let suffix = format!("-{ACCOUNT_ID}-{}", self.intrinsics.pseudo.region);
        name.strip_suffix(&suffix).unwrap_or(name).to_owned()
    }

    /// The local resource an ARN, queue URL or name points at.
    pub(super) fn local_of(&self, pointer: &str) -> Option<Local> {
        let by_name = |wanted: &Local| self.locals.values().any(|local| local == wanted);
        if let Some(rest) = pointer.strip_prefix("https://sqs.") {
            let name = rest.rsplit('/').next()?.to_owned();
            return by_name(&Local::Queue(name.clone())).then_some(Local::Queue(name));
        }
        let parts: Vec<&str> = pointer.splitn(7, ':').collect();
        let local = match parts.as_slice() {
            ["arn", _, "sqs", _, _, name] => Local::Queue((*name).to_owned()),
            ["arn", _, "sns", _, _, name] => Local::Topic((*name).to_owned()),
            ["arn", _, "s3", "", "", name] => Local::Bucket(self.local_bucket_name(name)),
            ["arn", _, "lambda", _, _, "function", name] => {
                Local::Function(name.split(':').next().unwrap_or(name).to_owned())
            }
            _ => return None,
        };
        by_name(&local).then_some(local)
    }
}

/// `LambdeskRuntimeX8664Layer`, `LambdeskRuntimeArm64Layer`: the layer an export of a
/// workspace gives its WebAssembly functions.
pub(super) fn is_lambdesk_runtime_layer(logical_id: &str) -> bool {
    logical_id.starts_with("LambdeskRuntime") && logical_id.ends_with("Layer")
}

fn values(reference: Value, attributes: &[(&str, String)]) -> ResourceValues {
    ResourceValues {
        reference: Ok(reference),
        attributes: attributes
            .iter()
            .map(|(key, value)| ((*key).to_owned(), Value::String(value.clone())))
            .collect(),
    }
}

pub(super) fn properties_of(definition: &Map<String, Value>) -> Map<String, Value> {
    match definition.get("Properties") {
        Some(Value::Object(properties)) => properties.clone(),
        _ => Map::new(),
    }
}

pub(super) fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn is_true(intrinsics: &Intrinsics, value: &Value) -> bool {
    matches!(intrinsics.evaluate(value), Ok(Some(Value::Bool(true))))
        || matches!(intrinsics.evaluate(value), Ok(Some(Value::String(text))) if text == "true")
}

/// A bucket without `BucketName` gets a name from CloudFormation on AWS; here its logical
/// id in S3's lower case (`PhotoBucket` → `photobucket`).
fn bucket_name_for(logical_id: &str) -> String {
    let lowered: String = logical_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if lowered.len() < 3 {
        format!("{lowered}-bucket")
    } else {
        lowered.chars().take(63).collect()
    }
}

fn unsupported_resource_reason(kind: &str) -> String {
    match kind {
        "AWS::Serverless::SimpleTable" | "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => {
            "DynamoDB tables are not emulated: code that reads or writes this table needs AWS".to_owned()
        }
        "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" | "AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api" => {
            "the API itself is the local gateway: its routes come from the functions' Api/HttpApi events; its settings (stages, auth, CORS, domains) are not emulated".to_owned()
        }
        "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" | "AWS::S3::BucketPolicy" | "AWS::IAM::Role" | "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::Lambda::Permission" => {
            "access policies are not emulated: what a function may use comes from its Policies, as [permissions]".to_owned()
        }
        "AWS::Lambda::Function" => {
            "plain AWS::Lambda::Function resources are not imported: write them as AWS::Serverless::Function".to_owned()
        }
        "AWS::Serverless::LayerVersion" | "AWS::Lambda::LayerVersion" => {
            "layers are not emulated: copy the layer's code into the functions that use it".to_owned()
        }
        other => format!("{other} is not a resource type lambdesk emulates"),
    }
}
