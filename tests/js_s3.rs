//! `@aws-sdk/client-s3` in a JS function, over the workspace's bucket folders: objects
//! written and read as files, the SDK v3 response shapes, its errors (NoSuchKey,
//! NotFound, AccessDenied, NoSuchBucket), and a PutObject firing the bucket's trigger.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::engine::{start, wait_until};
use common::{TestWorkspace, invoke};
use lambdesk::model::{BucketAccess, InvocationRecord, Outcome, Trigger};
use md5::{Digest as _, Md5};
use serde_json::{Value, json};

fn response(record: &InvocationRecord) -> Value {
    match &record.outcome {
        Outcome::Success(value) => value.clone(),
        Outcome::Failure(error) => panic!("the function failed: {error:?}\n{:?}", record.log_lines),
    }
}

fn etag(bytes: &[u8]) -> String {
    let digest: String = Md5::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("\"{digest}\"")
}

const PUT_GET_LIST: &str = r##"
import { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command, HeadObjectCommand, DeleteObjectCommand } from "@aws-sdk/client-s3";

const s3 = new S3Client({ region: "us-east-1" });

export const handler = async () => {
  const put = await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "2026/cat.txt", Body: "meow", ContentType: "text/plain" }));
  await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "2026/dog.bin", Body: new Uint8Array([0, 1, 2, 255]) }));
  await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "readme.md", Body: Buffer.from("# photos") }));
  await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "gone.txt", Body: "x" }));
  await s3.send(new DeleteObjectCommand({ Bucket: "photos", Key: "gone.txt" }));

  const got = await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "2026/cat.txt" }));
  const text = await got.Body.transformToString();
  const bytes = await (await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "2026/dog.bin" }))).Body.transformToByteArray();
  const chunks = [];
  for await (const chunk of (await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "readme.md" }))).Body) chunks.push(Buffer.from(chunk).toString());
  const head = await s3.send(new HeadObjectCommand({ Bucket: "photos", Key: "2026/cat.txt" }));

  const all = await s3.send(new ListObjectsV2Command({ Bucket: "photos" }));
  const nested = await s3.send(new ListObjectsV2Command({ Bucket: "photos", Prefix: "2026/" }));
  const top = await s3.send(new ListObjectsV2Command({ Bucket: "photos", Delimiter: "/" }));
  const first = await s3.send(new ListObjectsV2Command({ Bucket: "photos", MaxKeys: 2 }));
  const rest = await s3.send(new ListObjectsV2Command({ Bucket: "photos", MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
  const folderPage = await s3.send(new ListObjectsV2Command({ Bucket: "photos", Delimiter: "/", MaxKeys: 1 }));
  const afterFolder = await s3.send(new ListObjectsV2Command({ Bucket: "photos", Delimiter: "/", MaxKeys: 1, ContinuationToken: folderPage.NextContinuationToken }));
  const keys = (list) => (list.Contents || []).map((item) => item.Key);
  return {
    put: { ETag: put.ETag, status: put.$metadata.httpStatusCode },
    get: {
      text,
      ContentLength: got.ContentLength,
      ETag: got.ETag,
      lastModifiedIsDate: got.LastModified instanceof Date,
      status: got.$metadata.httpStatusCode,
    },
    bytes: Array.from(bytes),
    chunks,
    head: { ContentLength: head.ContentLength, ETag: head.ETag },
    all: {
      keys: keys(all),
      KeyCount: all.KeyCount,
      IsTruncated: all.IsTruncated,
      Prefix: all.Prefix,
      MaxKeys: all.MaxKeys,
      first: { ...all.Contents[0], LastModified: all.Contents[0].LastModified instanceof Date },
    },
    nested: { keys: keys(nested), Prefix: nested.Prefix, CommonPrefixes: nested.CommonPrefixes },
    top: { keys: keys(top), CommonPrefixes: top.CommonPrefixes, Delimiter: top.Delimiter, KeyCount: top.KeyCount },
    pages: {
      first: keys(first),
      truncated: first.IsTruncated,
      hasToken: typeof first.NextContinuationToken === "string",
      rest: keys(rest),
      restTruncated: rest.IsTruncated,
      restToken: rest.NextContinuationToken,
      folderPage: { prefixes: folderPage.CommonPrefixes, keys: keys(folderPage), truncated: folderPage.IsTruncated },
      afterFolder: { prefixes: afterFolder.CommonPrefixes, keys: keys(afterFolder), truncated: afterFolder.IsTruncated },
    },
  };
};
"##;

#[tokio::test]
async fn put_get_and_list_work_on_the_bucket_folder_with_the_sdk_s_shapes() {
    let test = TestWorkspace::new();
    let function = test.add_js(
        "gallery",
        "index.handler",
        &[("index.mjs", PUT_GET_LIST)],
        |config| {
            config
                .permissions
                .buckets
                .insert("photos".to_owned(), BucketAccess::ReadWrite);
        },
    );
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let answer = response(&record);

    // The objects are files in the bucket folder; `/` in a key is a folder.
    let bucket = test.workspace.buckets_dir().join("photos");
    assert_eq!(std::fs::read(bucket.join("2026/cat.txt")).unwrap(), b"meow");
    assert_eq!(
        std::fs::read(bucket.join("2026/dog.bin")).unwrap(),
        [0, 1, 2, 255]
    );
    assert_eq!(
        std::fs::read_to_string(bucket.join("readme.md")).unwrap(),
        "# photos"
    );
    assert!(!bucket.join("gone.txt").exists());

    let meow = etag(b"meow");
    assert_eq!(answer["put"], json!({"ETag": meow, "status": 200}));
    assert_eq!(
        answer["get"],
        json!({"text": "meow", "ContentLength": 4, "ETag": meow, "lastModifiedIsDate": true, "status": 200})
    );
    assert_eq!(answer["bytes"], json!([0, 1, 2, 255]));
    assert_eq!(answer["chunks"], json!(["# photos"]));
    assert_eq!(answer["head"], json!({"ContentLength": 4, "ETag": meow}));
    assert_eq!(
        answer["all"],
        json!({
            "keys": ["2026/cat.txt", "2026/dog.bin", "readme.md"],
            "KeyCount": 3,
            "IsTruncated": false,
            "Prefix": "",
            "MaxKeys": 1000,
            "first": {"Key": "2026/cat.txt", "LastModified": true, "ETag": meow, "Size": 4, "StorageClass": "STANDARD"},
        })
    );
    assert_eq!(
        answer["nested"],
        json!({"keys": ["2026/cat.txt", "2026/dog.bin"], "Prefix": "2026/"})
    );
    assert_eq!(
        answer["top"],
        json!({"keys": ["readme.md"], "CommonPrefixes": [{"Prefix": "2026/"}], "Delimiter": "/", "KeyCount": 2})
    );
    assert_eq!(
        answer["pages"],
        json!({
            "first": ["2026/cat.txt", "2026/dog.bin"],
            "truncated": true,
            "hasToken": true,
            "rest": ["readme.md"],
            "restTruncated": false,
            "folderPage": {"prefixes": [{"Prefix": "2026/"}], "keys": [], "truncated": true},
            "afterFolder": {"keys": ["readme.md"], "truncated": false},
        })
    );
}

const ERRORS: &str = r#"
import { S3Client, GetObjectCommand, PutObjectCommand, HeadObjectCommand, NoSuchKey, S3ServiceException } from "@aws-sdk/client-s3";

const s3 = new S3Client({});
const failure = async (command) => {
  try {
    await s3.send(command);
    return "no error";
  } catch (error) {
    return {
      name: error.name,
      Code: error.Code,
      status: error.$metadata.httpStatusCode,
      fault: error.$fault,
      message: error.message,
      isServiceException: error instanceof S3ServiceException,
      isNoSuchKey: error instanceof NoSuchKey,
    };
  }
};

export const handler = async () => ({
  missingKey: await failure(new GetObjectCommand({ Bucket: "photos", Key: "none.txt" })),
  missingHead: await failure(new HeadObjectCommand({ Bucket: "photos", Key: "none.txt" })),
  notPermitted: await failure(new GetObjectCommand({ Bucket: "private", Key: "secret.txt" })),
  readOnlyWrite: await failure(new PutObjectCommand({ Bucket: "archive", Key: "new.txt", Body: "x" })),
  readOnlyRead: await (await s3.send(new GetObjectCommand({ Bucket: "archive", Key: "old.txt" }))).Body.transformToString(),
  noBucket: await failure(new GetObjectCommand({ Bucket: "nowhere", Key: "a.txt" })),
});
"#;

#[tokio::test]
async fn errors_are_thrown_as_the_sdk_throws_them() {
    let test = TestWorkspace::new();
    let buckets = test.workspace.buckets_dir();
    std::fs::create_dir_all(buckets.join("private")).unwrap();
    std::fs::write(buckets.join("private/secret.txt"), "hidden").unwrap();
    std::fs::create_dir_all(buckets.join("archive")).unwrap();
    std::fs::write(buckets.join("archive/old.txt"), "kept").unwrap();
    let function = test.add_js(
        "errors",
        "index.handler",
        &[("index.mjs", ERRORS)],
        |config| {
            let buckets = &mut config.permissions.buckets;
            buckets.insert("photos".to_owned(), BucketAccess::ReadWrite);
            buckets.insert("archive".to_owned(), BucketAccess::Read);
        },
    );
    let runtime = test.runtime();
    let answer = response(&invoke(&test, &runtime, &function, "{}").await.unwrap());

    let error = |name: &str, status: u16, no_such_key: bool| json!({"name": name, "Code": name, "status": status, "fault": "client", "isServiceException": true, "isNoSuchKey": no_such_key});
    let without_message = |value: &Value| {
        let mut value = value.clone();
        value.as_object_mut().unwrap().remove("message");
        value
    };
    assert_eq!(
        without_message(&answer["missingKey"]),
        error("NoSuchKey", 404, true)
    );
    assert_eq!(
        answer["missingKey"]["message"],
        "The specified key does not exist."
    );
    assert_eq!(
        without_message(&answer["missingHead"]),
        error("NotFound", 404, false)
    );
    assert_eq!(
        without_message(&answer["notPermitted"]),
        error("AccessDenied", 403, false)
    );
    let denied = answer["notPermitted"]["message"].as_str().unwrap();
    assert!(
        denied.starts_with("Access Denied") && denied.contains("[permissions] buckets"),
        "{denied}"
    );
    assert_eq!(
        without_message(&answer["readOnlyWrite"]),
        error("AccessDenied", 403, false)
    );
    assert!(!buckets.join("archive/new.txt").exists());
    assert_eq!(answer["readOnlyRead"], "kept");
    assert_eq!(
        without_message(&answer["noBucket"]),
        error("NoSuchBucket", 404, false)
    );
    assert_eq!(
        answer["noBucket"]["message"],
        "The specified bucket does not exist"
    );
}

#[test]
fn a_put_object_fires_the_bucket_s_trigger() {
    let test = TestWorkspace::new();
    let writer = r#"
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
export const handler = async (event) => {
  await new S3Client({}).send(new PutObjectCommand({ Bucket: "uploads", Key: `in/${event.name}`, Body: "hello" }));
  return "written";
};
"#;
    test.add_js(
        "writer",
        "index.handler",
        &[("index.mjs", writer)],
        |config| {
            config
                .permissions
                .buckets
                .insert("uploads".to_owned(), BucketAccess::ReadWrite);
        },
    );
    test.add_js(
        "on-upload",
        "index.handler",
        &[(
            "index.mjs",
            "export const handler = async (event) => event.Records[0].s3.object.key;\n",
        )],
        |config| {
            config.triggers = vec![Trigger::Bucket {
                bucket: "uploads".to_owned(),
                events: vec!["s3:ObjectCreated:*".to_owned()],
                prefix: None,
                suffix: None,
                enabled: true,
            }];
        },
    );
    std::fs::create_dir_all(test.workspace.buckets_dir().join("uploads")).unwrap();
    let engine = start(&test);
    engine.enqueue("writer", r#"{"name":"note.txt"}"#);
    wait_until("the bucket trigger's invocation", || {
        !engine.recorder.runs_of("on-upload").is_empty()
    });
    let runs = engine.recorder.runs_of("on-upload");
    let record = runs[0].result.as_ref().unwrap();
    assert_eq!(record.outcome, Outcome::Success(json!("in/note.txt")));
    engine.stop();
}

/// Every field of every response is one the SDK's own types name (field names taken from
/// `@aws-sdk/client-s3`'s `dist-types`, kept in `tests/fixtures/aws-sdk/`).
#[tokio::test]
async fn response_fields_are_the_sdk_s_own() {
    let test = TestWorkspace::new();
    let source = r#"
import { S3, ListObjectsV2Command } from "@aws-sdk/client-s3";
const s3 = new S3({});
export const handler = async () => {
  const PutObjectOutput = await s3.putObject({ Bucket: "box", Key: "dir/a.txt", Body: "a" });
  const GetObjectOutput = await s3.getObject({ Bucket: "box", Key: "dir/a.txt" });
  const HeadObjectOutput = await s3.headObject({ Bucket: "box", Key: "dir/a.txt" });
  const ListObjectsV2Output = await s3.send(new ListObjectsV2Command({ Bucket: "box", Delimiter: "/", StartAfter: "" }));
  const nested = await s3.listObjectsV2({ Bucket: "box", Prefix: "dir/", MaxKeys: 5 });
  const DeleteObjectsOutput = await s3.deleteObjects({ Bucket: "box", Delete: { Objects: [{ Key: "dir/a.txt" }] } });
  const DeleteObjectOutput = await s3.deleteObject({ Bucket: "box", Key: "dir/a.txt" });
  const keys = (value) => Object.keys(value).filter((key) => value[key] !== undefined);
  return {
    PutObjectOutput: keys(PutObjectOutput),
    GetObjectOutput: keys(GetObjectOutput),
    HeadObjectOutput: keys(HeadObjectOutput),
    ListObjectsV2Output: keys(ListObjectsV2Output),
    _Object: keys(nested.Contents[0]),
    CommonPrefix: keys(ListObjectsV2Output.CommonPrefixes[0]),
    DeleteObjectsOutput: keys(DeleteObjectsOutput),
    DeleteObjectOutput: keys(DeleteObjectOutput),
    $metadata: keys(GetObjectOutput.$metadata),
  };
};
"#;
    let function = test.add_js(
        "shapes",
        "index.handler",
        &[("index.mjs", source)],
        |config| {
            config
                .permissions
                .buckets
                .insert("box".to_owned(), BucketAccess::ReadWrite);
        },
    );
    let runtime = test.runtime();
    let answer = response(&invoke(&test, &runtime, &function, "{}").await.unwrap());
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/aws-sdk/client-s3-output-fields.json").unwrap(),
    )
    .unwrap();
    for (shape, fields) in fixture["fields"].as_object().unwrap() {
        let known: Vec<&str> = fields
            .as_array()
            .unwrap()
            .iter()
            .map(|field| field.as_str().unwrap())
            .collect();
        let ours = answer[shape].as_array().unwrap();
        assert!(!ours.is_empty(), "{shape}");
        for field in ours {
            let field = field.as_str().unwrap();
            let is_metadata = field == "$metadata" && shape != "_Object" && shape != "CommonPrefix";
            assert!(
                is_metadata || known.contains(&field),
                "{shape}.{field} is not a field of the SDK's {shape}"
            );
        }
    }
    // Smithy's ResponseMetadata.
    assert_eq!(
        answer["$metadata"],
        json!(["httpStatusCode", "requestId", "attempts", "totalRetryDelay"])
    );
}
