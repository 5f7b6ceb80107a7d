use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::config_error::KeySegment;
use super::messaging_config::check_name;
use super::names::{validate_bucket_name, validate_function_name};
pub use super::trigger::{HttpPayload, Trigger};

/// `functions/<name>/function.toml`. The key names are lambdesk's public file format and
/// follow Lambda's names: keep them exactly so hand-written and older workspaces load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    pub runtime: Runtime,
    /// js: `file.export` (`dir/file.a.b` for `exports.a.b`); wat/wasm: the module file (`main.wat`); rust: the crate's `Cargo.toml`.
    pub handler: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default = "default_memory_mb")]
    pub memory_mb: u32,
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u32,
    /// `None`: the workspace's default architecture. Only the price depends on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<Architecture>,
    #[serde(default = "default_ephemeral_storage_mb")]
    pub ephemeral_storage_mb: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_concurrency: Option<u32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    #[serde(default, skip_serializing_if = "Permissions::is_empty")]
    pub permissions: Permissions,
    #[serde(default, skip_serializing_if = "Destinations::is_empty")]
    pub destinations: Destinations,
    #[serde(default, rename = "async", skip_serializing_if = "Option::is_none")]
    pub async_config: Option<AsyncConfig>,
}

pub const MEMORY_MB_RANGE: std::ops::RangeInclusive<u32> = 128..=10_240;
pub const TIMEOUT_SECS_RANGE: std::ops::RangeInclusive<u32> = 1..=900;
pub const EPHEMERAL_STORAGE_MB_RANGE: std::ops::RangeInclusive<u32> = 512..=10_240;
/// Lambda's default account concurrency limit; reserved concurrency cannot exceed it.
pub const MAX_RESERVED_CONCURRENCY: u32 = 1_000;
/// Lambda's limit on the total size of a function's environment variables.
const MAX_ENVIRONMENT_BYTES: usize = 4 * 1024;

fn default_memory_mb() -> u32 {
    128
}
fn default_timeout_secs() -> u32 {
    3
}
fn default_ephemeral_storage_mb() -> u32 {
    512
}

impl FunctionConfig {
    /// A configuration with Lambda's defaults (128 MB, 3 s, 512 MB of /tmp).
    pub fn new(runtime: Runtime, handler: impl Into<String>) -> Self {
        Self {
            runtime,
            handler: handler.into(),
            description: None,
            memory_mb: default_memory_mb(),
            timeout_secs: default_timeout_secs(),
            architecture: None,
            ephemeral_storage_mb: default_ephemeral_storage_mb(),
            reserved_concurrency: None,
            environment: BTreeMap::new(),
            triggers: Vec::new(),
            permissions: Permissions::default(),
            destinations: Destinations::default(),
            async_config: None,
        }
    }

    /// Checks every value against Lambda's limits. Each problem comes with the path of the
    /// key it is about, so the caller can point at the line.
    pub fn problems(&self) -> Vec<(Vec<KeySegment>, String)> {
        let mut problems = Vec::new();
        let mut report = |path: Vec<KeySegment>, message: String| problems.push((path, message));
        let key = |name: &str| vec![KeySegment::key(name)];

        if let Err(message) = self.runtime.check_handler(&self.handler) {
            report(key("handler"), message);
        }
        if !MEMORY_MB_RANGE.contains(&self.memory_mb) {
            report(
                key("memory_mb"),
                format!(
                    "{} MB is outside Lambda's range of 128–10240 MB",
                    self.memory_mb
                ),
            );
        }
        if !TIMEOUT_SECS_RANGE.contains(&self.timeout_secs) {
            report(
                key("timeout_secs"),
                format!(
                    "{} s is outside Lambda's range of 1–900 seconds",
                    self.timeout_secs
                ),
            );
        }
        if !EPHEMERAL_STORAGE_MB_RANGE.contains(&self.ephemeral_storage_mb) {
            report(
                key("ephemeral_storage_mb"),
                format!(
                    "{} MB is outside Lambda's range of 512–10240 MB",
                    self.ephemeral_storage_mb
                ),
            );
        }
        if let Some(reserved) = self.reserved_concurrency
            && reserved > MAX_RESERVED_CONCURRENCY
        {
            report(
                key("reserved_concurrency"),
                format!("{reserved} is above the account limit of {MAX_RESERVED_CONCURRENCY}"),
            );
        }
        for name in self.environment.keys() {
            if let Err(message) = check_environment_name(name) {
                report(
                    vec![KeySegment::key("environment"), KeySegment::key(name)],
                    message,
                );
            }
        }
        let environment_bytes: usize = self
            .environment
            .iter()
            .map(|(name, value)| name.len() + value.len())
            .sum();
        if environment_bytes > MAX_ENVIRONMENT_BYTES {
            report(
                key("environment"),
                format!(
                    "the variables take {environment_bytes} bytes; Lambda allows at most 4 KB in total"
                ),
            );
        }
        for (index, trigger) in self.triggers.iter().enumerate() {
            if let Err((field, message)) = trigger.check() {
                report(
                    vec![
                        KeySegment::key("triggers"),
                        KeySegment::Index(index),
                        KeySegment::key(field),
                    ],
                    message,
                );
            }
        }
        for bucket in self.permissions.buckets.keys() {
            if let Err(message) = validate_bucket_name(bucket) {
                report(
                    vec![
                        KeySegment::key("permissions"),
                        KeySegment::key("buckets"),
                        KeySegment::key(bucket),
                    ],
                    message,
                );
            }
        }
        for (field, names, max_len, what) in [
            ("queues", &self.permissions.queues, 80, "queue"),
            ("topics", &self.permissions.topics, 256, "topic"),
        ] {
            for (index, name) in names.iter().enumerate() {
                if let Err(message) = check_name(name, max_len, what) {
                    report(
                        vec![
                            KeySegment::key("permissions"),
                            KeySegment::key(field),
                            KeySegment::Index(index),
                        ],
                        message,
                    );
                }
            }
        }
        for (field, destination) in [
            ("on_success", &self.destinations.on_success),
            ("on_failure", &self.destinations.on_failure),
        ] {
            if let Some(Err(message)) = destination.as_ref().map(Destination::check) {
                report(
                    vec![KeySegment::key("destinations"), KeySegment::key(field)],
                    message,
                );
            }
        }
        if let Some(async_config) = &self.async_config {
            if async_config.maximum_retry_attempts > 2 {
                report(
                    vec![
                        KeySegment::key("async"),
                        KeySegment::key("maximum_retry_attempts"),
                    ],
                    format!(
                        "{} is outside Lambda's range of 0–2 retries",
                        async_config.maximum_retry_attempts
                    ),
                );
            }
            if !(60..=21_600).contains(&async_config.maximum_event_age_secs) {
                report(
                    vec![
                        KeySegment::key("async"),
                        KeySegment::key("maximum_event_age_secs"),
                    ],
                    format!(
                        "{} s is outside Lambda's range of 60–21600 seconds",
                        async_config.maximum_event_age_secs
                    ),
                );
            }
        }
        problems
    }
}

/// Variables Lambda sets itself; a function may not override them.
const RESERVED_ENVIRONMENT_NAMES: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

fn check_environment_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !(starts_with_letter && rest_ok && name.len() >= 2) {
        return Err(format!(
            "`{name}` is not a valid variable name: start with a letter, then letters, digits or `_` (at least 2 characters)"
        ));
    }
    if RESERVED_ENVIRONMENT_NAMES.contains(&name) {
        return Err(format!("`{name}` is reserved: Lambda sets it itself"));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// JavaScript on the embedded engine, Lambda's Node.js handler contract.
    Js,
    /// WebAssembly text, compiled in-process.
    Wat,
    /// A prebuilt WASI preview 1 module.
    Wasm,
    /// A Rust crate built to wasm32-wasip1 with the user's toolchain.
    Rust,
    /// A Go module built with `GOOS=wasip1 GOARCH=wasm` by the user's go.
    Go,
    /// Python on CPython compiled to WebAssembly (a language pack prepared on first use),
    /// Lambda's Python handler contract.
    Python,
    /// Ruby on CRuby compiled to WebAssembly (a language pack prepared on first use),
    /// Lambda's Ruby handler contract.
    Ruby,
    /// Java on the user's JDK (17+), outside the wasm sandbox: a JVM running lambdesk's
    /// runtime client (`runtimes/java`) as an execution environment, Lambda's Java handler
    /// contract (`package.Class::method` or `package.Class`).
    Java,
    /// Lambda's OS-only runtime (`provided.al2023`): the function's `bootstrap`
    /// executable runs as a native process of the host, outside the WebAssembly sandbox,
    /// and fetches its events from the Runtime API.
    Provided,
}

impl Runtime {
    pub fn id(self) -> &'static str {
        match self {
            Self::Js => "js",
            Self::Wat => "wat",
            Self::Wasm => "wasm",
            Self::Rust => "rust",
            Self::Go => "go",
            Self::Python => "python",
            Self::Ruby => "ruby",
            Self::Java => "java",
            Self::Provided => "provided",
        }
    }

    /// Whether lambdesk builds the function's module from its sources with the user's
    /// toolchain before it runs.
    pub fn is_built(self) -> bool {
        matches!(self, Self::Rust | Self::Go)
    }

    /// Whether the function's code goes through a compiler before it runs (Rust and Go
    /// into a module, Java into classes): the Code tab's build bar and Problems list.
    pub fn has_build_step(self) -> bool {
        matches!(self, Self::Rust | Self::Go | Self::Java)
    }

    /// Whether the function runs as a native process of the host (outside the
    /// WebAssembly sandbox), as the console marks it.
    pub fn is_native_process(self) -> bool {
        matches!(self, Self::Provided | Self::Java)
    }

    fn check_handler(self, handler: &str) -> Result<(), String> {
        if handler.trim().is_empty() {
            return Err("the handler cannot be empty".to_owned());
        }
        if handler.starts_with('/') || handler.split(['/', '\\']).any(|part| part == "..") {
            return Err(format!(
                "`{handler}` must be a path inside the function's folder"
            ));
        }
        if self == Self::Java {
            return check_java_handler(handler);
        }
        match self {
            // Lambda accepts any handler here and splits it at Init: one without a dot fails
            // each invocation with `Runtime.MalformedHandlerName`, as the JS runtime reports;
            // Python's runtime does the same at Init.
            Self::Js | Self::Python | Self::Ruby => Ok(()),
            // Lambda runs `bootstrap` whatever the handler says and hands the handler to
            // it as `_HANDLER` (a custom runtime reads it, e.g. `app.handler`).
            Self::Provided if handler.chars().any(char::is_whitespace) => Err(format!(
                "`{handler}` cannot contain spaces: Lambda passes it to `bootstrap` as `_HANDLER` (for example `bootstrap` or `app.handler`)"
            )),
            Self::Wat if !handler.ends_with(".wat") => Err(format!(
                "`{handler}` should name the module's `.wat` file (for example `main.wat`)"
            )),
            Self::Wasm if !handler.ends_with(".wasm") => Err(format!(
                "`{handler}` should name the module's `.wasm` file (for example `main.wasm`)"
            )),
            Self::Rust if handler != "Cargo.toml" && !handler.ends_with("/Cargo.toml") => {
                Err(format!(
                    "`{handler}` should name the crate's manifest (`Cargo.toml`): lambdesk builds it with cargo"
                ))
            }
            Self::Go if handler != "go.mod" && !handler.ends_with("/go.mod") => Err(format!(
                "`{handler}` should name the Go module's `go.mod`: lambdesk builds it with go"
            )),
            Self::Wat | Self::Wasm | Self::Rust | Self::Go | Self::Java | Self::Provided => Ok(()),
        }
    }
}

/// A Java handler names a class, not a file: `package.Class::method` or `package.Class`
/// (one implementing `RequestHandler` or `RequestStreamHandler`), as Lambda's Java runtime
/// reads `_HANDLER`. Checked at load so a path or a `file.method` handler (Node.js's form)
/// is refused before anything runs.
fn check_java_handler(handler: &str) -> Result<(), String> {
    let example = "`example.Hello::handleRequest` or `example.Hello`";
    let (class_name, method) = match handler.rsplit_once("::") {
        Some((class_name, method)) => (class_name, Some(method)),
        None => (handler, None),
    };
    let is_identifier = |part: &str| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|first| first.is_alphabetic() || first == '_' || first == '$')
            && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    };
    if !class_name.split('.').all(is_identifier) {
        return Err(format!(
            "`{handler}` is not a Java handler: name a class and optionally its method, like {example}"
        ));
    }
    if method.is_some_and(|method| !is_identifier(method)) {
        return Err(format!(
            "`{handler}` names no method after `::`: name one, like {example}"
        ));
    }
    Ok(())
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Architecture {
    #[default]
    #[serde(rename = "x86_64")]
    X86_64,
    #[serde(rename = "arm64")]
    Arm64,
}

impl Architecture {
    pub fn id(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64",
            Self::Arm64 => "arm64",
        }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// `[permissions]`: the function's "execution role" — which buckets it may touch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    #[serde(default)]
    pub buckets: BTreeMap<String, BucketAccess>,
    /// Queues the function may send to (`sqs:SendMessage`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<String>,
    /// Topics the function may publish to (`sns:Publish`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

impl Permissions {
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty() && self.queues.is_empty() && self.topics.is_empty()
    }

    /// The function may send to a queue or publish to a topic: it gets an `/outbox`.
    pub fn sends_messages(&self) -> bool {
        !self.queues.is_empty() || !self.topics.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BucketAccess {
    Read,
    ReadWrite,
}

/// `[destinations]`: where the result of an asynchronous invocation goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Destinations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<Destination>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<Destination>,
}

impl Destinations {
    pub fn is_empty(&self) -> bool {
        self.on_success.is_none() && self.on_failure.is_none()
    }
}

/// `{ function = "alert" }`, `{ queue = "dlq" }`, `{ topic = "t" }` or `{ bucket = "b" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Destination {
    Function(String),
    Queue(String),
    Topic(String),
    Bucket(String),
}

impl Destination {
    /// What the configuration loader would report about this destination.
    pub fn problem(&self) -> Option<String> {
        self.check().err()
    }

    fn check(&self) -> Result<(), String> {
        match self {
            Self::Function(name) => validate_function_name(name),
            Self::Queue(name) if name.ends_with(".fifo") => Err(format!(
                "`{name}` is a FIFO queue: Lambda's destinations take standard queues only"
            )),
            Self::Queue(name) => check_name(name, 80, "queue"),
            Self::Topic(name) => check_name(name, 256, "topic"),
            Self::Bucket(name) => validate_bucket_name(name),
        }
    }
}

/// `[async]`: retries and event age for asynchronous invocations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsyncConfig {
    #[serde(default = "default_retry_attempts")]
    pub maximum_retry_attempts: u32,
    #[serde(default = "default_event_age_secs")]
    pub maximum_event_age_secs: u32,
}

impl Default for AsyncConfig {
    fn default() -> Self {
        Self {
            maximum_retry_attempts: default_retry_attempts(),
            maximum_event_age_secs: default_event_age_secs(),
        }
    }
}

fn default_retry_attempts() -> u32 {
    2
}
fn default_event_age_secs() -> u32 {
    21_600
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FunctionConfig, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn a_topic_trigger_with_a_bad_filter_policy_says_what_is_wrong() {
        let config = parse(
            "runtime = \"js\"\nhandler = \"index.handler\"\n[[triggers]]\ntype = \"topic\"\ntopic = \"alerts\"\nfilter_policy = { level = [{ wildcard = \"x\" }] }\n",
        )
        .unwrap();
        let problems = config.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].1.contains("`level`"), "{problems:?}");
        let good = parse(
            "runtime = \"js\"\nhandler = \"index.handler\"\n[[triggers]]\ntype = \"topic\"\ntopic = \"alerts\"\nfilter_policy = { level = [\"high\", { prefix = \"crit\" }] }\n",
        )
        .unwrap();
        assert!(good.problems().is_empty());
    }

    #[test]
    fn http_payload_settings_round_trip_and_the_default_writes_none() {
        let config = parse(
            "runtime = \"js\"\nhandler = \"index.handler\"\n[[triggers]]\ntype = \"http\"\nroute = \"GET /a\"\npayload = \"alb\"\nmulti_value_headers = true\n[[triggers]]\ntype = \"http\"\nroute = \"GET /b\"\n",
        )
        .unwrap();
        assert!(config.problems().is_empty(), "{:?}", config.problems());
        assert_eq!(
            config.triggers[0].http_payload(),
            HttpPayload::Alb {
                multi_value_headers: true
            }
        );
        assert_eq!(config.triggers[1].http_payload(), HttpPayload::HttpApiV2);
        let written = toml::to_string(&config).unwrap();
        assert!(
            written.contains("payload = \"alb\"\nmulti_value_headers = true"),
            "{written}"
        );
        assert_eq!(written.matches("payload").count(), 1, "{written}");
        assert_eq!(parse(&written).unwrap(), config);
    }

    #[test]
    fn the_designs_example_parses_and_is_valid() {
        let text = r#"
runtime = "js"
handler = "index.handler"
memory_mb = 128
timeout_secs = 3
architecture = "x86_64"

[environment]
TABLE = "orders"

[[triggers]]
type = "http"
route = "GET /items/{id}"

[[triggers]]
type = "bucket"
bucket = "photos"
events = ["s3:ObjectCreated:*"]
prefix = "uploads/"
suffix = ".png"

[[triggers]]
type = "schedule"
expression = "rate(5 minutes)"

[[triggers]]
type = "queue"
queue = "orders"
batch_size = 10
report_batch_item_failures = true

[[triggers]]
type = "topic"
topic = "alerts"

[permissions]
buckets = { photos = "read", thumbnails = "read-write" }

[destinations]
on_failure = { function = "alert" }

[async]
maximum_retry_attempts = 2
maximum_event_age_secs = 21600
"#;
        let config = parse(text).unwrap();
        assert_eq!(config.triggers.len(), 5);
        assert_eq!(
            config.permissions.buckets.get("thumbnails"),
            Some(&BucketAccess::ReadWrite)
        );
        assert_eq!(
            config.destinations.on_failure,
            Some(Destination::Function("alert".into()))
        );
        assert!(config.problems().is_empty(), "{:?}", config.problems());
        // And it survives a round trip through the serializer unchanged.
        let written = toml::to_string(&config).unwrap();
        assert_eq!(parse(&written).unwrap(), config);
    }

    #[test]
    fn unknown_keys_are_errors_also_inside_triggers() {
        assert!(parse("runtime = \"wat\"\nhandler = \"main.wat\"\nmemroy_mb = 1\n").is_err());
        let in_trigger = "runtime = \"wat\"\nhandler = \"main.wat\"\n[[triggers]]\ntype = \"http\"\nroute = \"$default\"\nport = 1\n";
        assert!(parse(in_trigger).is_err());
    }

    #[test]
    fn out_of_range_values_are_reported_with_their_key() {
        let mut config = FunctionConfig::new(Runtime::Wat, "main.wat");
        config.memory_mb = 64;
        config.timeout_secs = 901;
        config.environment.insert("AWS_REGION".into(), "x".into());
        let keys: Vec<_> = config
            .problems()
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            keys,
            vec![
                vec![KeySegment::key("memory_mb")],
                vec![KeySegment::key("timeout_secs")],
                vec![
                    KeySegment::key("environment"),
                    KeySegment::key("AWS_REGION")
                ],
            ]
        );
    }

    #[test]
    fn handlers_must_fit_the_runtime() {
        assert!(Runtime::Js.check_handler("index.handler").is_ok());
        assert!(Runtime::Js.check_handler("src/app.handler").is_ok());
        assert!(
            Runtime::Js.check_handler("index").is_ok(),
            "Lambda accepts it"
        );
        assert!(Runtime::Wat.check_handler("main.wasm").is_err());
        assert!(
            Runtime::Java
                .check_handler("example.Hello::handleRequest")
                .is_ok()
        );
        assert!(Runtime::Java.check_handler("Hello").is_ok());
        assert!(
            Runtime::Java
                .check_handler("example.Outer$Inner::handle")
                .is_ok()
        );
        assert!(
            Runtime::Java.check_handler("index.handler").is_ok(),
            "a class `handler` in package `index`"
        );
        assert!(Runtime::Java.check_handler("src/Hello.java").is_err());
        assert!(Runtime::Java.check_handler("example.Hello::").is_err());
        assert!(Runtime::Java.check_handler("example..Hello").is_err());
        assert!(Runtime::Java.check_handler("1example.Hello").is_err());
        assert!(Runtime::Wasm.check_handler("../other/main.wasm").is_err());
        assert!(Runtime::Provided.check_handler("bootstrap").is_ok());
        assert!(Runtime::Provided.check_handler("app.handler").is_ok());
        assert!(Runtime::Provided.check_handler("app handler").is_err());
    }

    #[test]
    fn provided_parses_as_lambdas_os_only_runtime() {
        let config = parse("runtime = \"provided\"\nhandler = \"bootstrap\"\n").unwrap();
        assert_eq!(config.runtime, Runtime::Provided);
        assert!(config.runtime.is_native_process());
        assert!(config.problems().is_empty(), "{:?}", config.problems());
    }
}
