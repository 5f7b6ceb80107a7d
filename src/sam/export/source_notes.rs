//! What in a function's code runs on the desktop only: objects read or written through
//! the bucket folders at `/buckets/<name>/…`, the `lambdesk` module, the `/outbox`
//! folder. Each becomes a note with the AWS SDK call that does the same on Lambda.

use std::path::Path;

use crate::model::{Function, Runtime};

use super::notes::{NoteLevel, Notes, function_subject};

/// Source files larger than this are not read (bundles, data).
const MAX_SCANNED_FILE_BYTES: u64 = 1024 * 1024;
/// How many places a note lists before "and N more".
const MAX_LISTED_PLACES: usize = 5;

const SOURCE_EXTENSIONS: &[&str] = &[
    "js", "mjs", "cjs", "ts", "py", "rb", "rs", "go", "wat", "java", "sh",
];

/// Notes about `function`'s code.
pub fn source_notes(function: &Function, notes: &mut Notes) {
    let mut sources = Vec::new();
    collect_sources(&function.dir, &function.dir, &mut sources);
    let subject = function_subject(&function.name);
    let runtime = function.config.runtime;

    let bucket_places = places(&sources, |line| {
        line.contains("/buckets/") || line.contains("\"/buckets\"") || line.contains("'/buckets'")
    });
    if !bucket_places.is_empty() {
        let (level, advice) = match runtime {
            Runtime::Js => (
                NoteLevel::ActionNeeded,
                "use @aws-sdk/client-s3 instead: `await s3.send(new GetObjectCommand({ Bucket, Key }))` to read and `PutObjectCommand({ Bucket, Key, Body })` to write; lambdesk's JS runtime runs the same calls over the bucket folders, so the code then works in both places",
            ),
            Runtime::Python => (
                NoteLevel::ActionNeeded,
                "use boto3 instead: `boto3.client('s3').get_object(Bucket=bucket, Key=key)['Body'].read()` to read and `put_object(Bucket=bucket, Key=key, Body=data)` to write",
            ),
            Runtime::Ruby => (
                NoteLevel::ActionNeeded,
                "use the aws-sdk-s3 gem instead: `Aws::S3::Client.new.get_object(bucket: bucket, key: key).body.read` to read and `put_object(bucket:, key:, body:)` to write",
            ),
            Runtime::Java => (
                NoteLevel::ActionNeeded,
                "use the AWS SDK for Java's S3Client instead: `s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build())` to read and `putObject(PutObjectRequest…, RequestBody.fromBytes(data))` to write (add software.amazon.awssdk:s3 to the package)",
            ),
            Runtime::Provided => (
                NoteLevel::ActionNeeded,
                "call S3's GetObject and PutObject through your language's AWS SDK instead",
            ),
            Runtime::Wat | Runtime::Wasm | Runtime::Rust | Runtime::Go => (
                NoteLevel::NotCarriedOver,
                "a WebAssembly function has no bucket folders on Lambda and its sandbox no network: move the S3 reads and writes to the caller (pass the object in the event) or to a function in JavaScript or Python with the S3 SDK",
            ),
        };
        notes.add(
            level,
            &subject,
            format!(
                "reads or writes /buckets/<name>/… through the file system ({}), which exists only in lambdesk: on Lambda, {advice}",
                list(&bucket_places)
            ),
        );
    }

    if runtime == Runtime::Js {
        let lambdesk_module = places(&sources, |line| {
            ["\"lambdesk\"", "'lambdesk'"]
                .iter()
                .any(|name| line.contains(name))
                && (line.contains("import") || line.contains("require"))
        });
        if !lambdesk_module.is_empty() {
            notes.add(
                NoteLevel::ActionNeeded,
                &subject,
                format!(
                    "imports the `lambdesk` module ({}), which Lambda does not have: send with @aws-sdk/client-sqs `SendMessageCommand` and publish with @aws-sdk/client-sns `PublishCommand` (lambdesk runs those too)",
                    list(&lambdesk_module)
                ),
            );
        }
    }
    let outbox = places(&sources, |line| line.contains("/outbox"));
    if !outbox.is_empty() {
        notes.add(
            NoteLevel::NotCarriedOver,
            &subject,
            format!(
                "writes messages to /outbox ({}), lambdesk's way to send to queues and topics: on Lambda nothing delivers them; send with the SQS and SNS SDKs instead",
                list(&outbox)
            ),
        );
    }
}

/// `path:line` of each line of `sources` that `matches`.
fn places(sources: &[(String, String)], matches: impl Fn(&str) -> bool) -> Vec<String> {
    sources
        .iter()
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| matches(line))
                .map(move |(index, _)| format!("{path}:{}", index + 1))
        })
        .collect()
}

fn list(places: &[String]) -> String {
    let shown = places
        .iter()
        .take(MAX_LISTED_PLACES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match places.len().saturating_sub(MAX_LISTED_PLACES) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The function's source files (path relative to its folder, text), outside installed
/// packages and build output.
fn collect_sources(root: &Path, folder: &Path, sources: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !["node_modules", "target", "vendor", ".git"]
                .iter()
                .any(|skipped| name == *skipped)
            {
                collect_sources(root, &path, sources);
            }
            continue;
        }
        let is_source = path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| SOURCE_EXTENSIONS.contains(&extension));
        let small = entry
            .metadata()
            .is_ok_and(|metadata| metadata.len() <= MAX_SCANNED_FILE_BYTES);
        if is_source
            && small
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            sources.push((relative.display().to_string(), text));
        }
    }
}
