//! A function as Lambda's API describes it (`FunctionConfiguration`, `GetFunction`'s
//! `Code`): what `list_functions` and `get_function_configuration` return.

use std::path::Path;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::model::{Function, Runtime, function_arn};

/// The role every function reports: lambdesk runs functions with no IAM role.
const ROLE_ARN: &str = "arn:aws:iam::000000000000:role/lambdesk-execution-role";

/// Folders of a function that are not its deployment package (build output, tools').
const NOT_CODE_DIRS: [&str; 3] = ["target", "node_modules", "events"];

/// Lambda's runtime identifier for a lambdesk runtime; the ones Lambda has no managed
/// runtime for (WebAssembly, Rust, Go) are custom runtimes there.
pub fn lambda_runtime_id(runtime: Runtime) -> &'static str {
    match runtime {
        Runtime::Js => "nodejs20.x",
        Runtime::Python => "python3.14",
        Runtime::Ruby => "ruby3.4",
        // The oldest JDK lambdesk runs Java functions on.
        Runtime::Java => "java17",
        Runtime::Wat | Runtime::Wasm | Runtime::Rust | Runtime::Go | Runtime::Provided => {
            "provided.al2023"
        }
    }
}

/// `FunctionConfiguration` of `function`.
pub fn configuration(region: &str, function: &Function) -> Value {
    let config = &function.config;
    let code = CodeSummary::of(&function.dir);
    let last_modified: DateTime<Utc> = std::fs::metadata(function.config_path())
        .and_then(|metadata| metadata.modified())
        .map_or_else(|_| Utc::now(), DateTime::<Utc>::from);
    let mut shape = json!({
        "FunctionName": function.name,
        "FunctionArn": function_arn(region, &function.name),
        "Runtime": lambda_runtime_id(config.runtime),
        "Role": ROLE_ARN,
        "Handler": config.handler,
        "CodeSize": code.size_bytes,
        "Description": config.description.clone().unwrap_or_default(),
        "Timeout": config.timeout_secs,
        "MemorySize": config.memory_mb,
        // Lambda's own format: milliseconds and a `+0000` offset.
        "LastModified": last_modified.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string(),
        "CodeSha256": code.sha256,
        "Version": "$LATEST",
        "TracingConfig": { "Mode": "PassThrough" },
        "Architectures": [function.architecture.id()],
        "EphemeralStorage": { "Size": config.ephemeral_storage_mb },
        "PackageType": "Zip",
        "State": "Active",
        "LastUpdateStatus": "Successful",
    });
    // Lambda leaves `Environment` out for a function without variables.
    if !config.environment.is_empty()
        && let Value::Object(fields) = &mut shape
    {
        let variables: Map<String, Value> = config
            .environment
            .iter()
            .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
            .collect();
        fields.insert("Environment".to_owned(), json!({ "Variables": variables }));
    }
    shape
}

/// `GetFunction`'s answer: the configuration and where the code is (the function's
/// folder, where Lambda gives a presigned S3 URL).
pub fn get_function(region: &str, function: &Function) -> Value {
    json!({
        "Configuration": configuration(region, function),
        "Code": {
            "RepositoryType": "S3",
            "Location": format!("file://{}", function.dir.display()),
        },
    })
}

/// The size and SHA-256 of a function's code, as Lambda reports its deployment package's.
struct CodeSummary {
    size_bytes: u64,
    /// Base64, as Lambda writes it.
    sha256: String,
}

impl CodeSummary {
    /// Over the function's files in path order (its folder is the package here).
    fn of(dir: &Path) -> Self {
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files);
        files.sort();
        let mut hasher = Sha256::new();
        let mut size_bytes = 0;
        for relative in &files {
            // A file removed meanwhile is left out.
            if let Ok(bytes) = std::fs::read(dir.join(relative)) {
                hasher.update(relative.as_bytes());
                hasher.update(&bytes);
                size_bytes += bytes.len() as u64;
            }
        }
        Self {
            size_bytes,
            sha256: base64::engine::general_purpose::STANDARD.encode(hasher.finalize()),
        }
    }
}

fn collect_files(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() && !NOT_CODE_DIRS.contains(&name.as_ref()) => {
                collect_files(root, &path, files);
            }
            Ok(kind) if kind.is_file() => {
                if let Ok(relative) = path.strip_prefix(root) {
                    files.push(relative.to_string_lossy().into_owned());
                }
            }
            _ => {}
        }
    }
}
