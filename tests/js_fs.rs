//! Node's `fs` basics for JS functions over the buckets granted in `[permissions]`
//! (`/buckets/<name>` through WASI): sync, callback and promise styles, `node:fs`, ESM
//! and CommonJS; no access without permission, no writes with read-only access, no
//! escape with `..`.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke};
use lambdesk::model::{BucketAccess, Outcome};
use serde_json::{Value, json};

fn response(record: &lambdesk::model::InvocationRecord) -> Value {
    match &record.outcome {
        Outcome::Success(value) => value.clone(),
        Outcome::Failure(error) => panic!("the function failed: {error:?}\n{:?}", record.log_lines),
    }
}

#[tokio::test]
async fn a_function_reads_and_writes_its_bucket_with_node_s_fs() {
    let test = TestWorkspace::new();
    let source = r#"
import fs, { readFileSync, existsSync } from "node:fs";
import { readFile } from "fs/promises";

export const handler = async () => {
  fs.mkdirSync("/buckets/data/out/deep", { recursive: true });
  fs.writeFileSync("/buckets/data/out/result.json", JSON.stringify({ ok: true }));
  fs.appendFileSync("/buckets/data/out/log.txt", "one\n");
  fs.appendFileSync("/buckets/data/out/log.txt", Buffer.from("two\n"));
  const viaCallback = await new Promise((resolve, reject) =>
    fs.readFile("/buckets/data/out/log.txt", "utf8", (error, text) => (error ? reject(error) : resolve(text))));
  let missing;
  try { readFileSync("/buckets/data/none.txt"); } catch (error) { missing = error.code; }
  fs.writeFileSync("/buckets/data/out/gone.txt", "x");
  fs.unlinkSync("/buckets/data/out/gone.txt");
  return {
    result: JSON.parse(readFileSync("/buckets/data/out/result.json", "utf8")),
    bytes: readFileSync("/buckets/data/input.bin").length,
    promised: await readFile("/buckets/data/out/log.txt", { encoding: "utf8" }),
    viaCallback,
    listing: fs.readdirSync("/buckets/data/out"),
    exists: [existsSync("/buckets/data/out/result.json"), existsSync("/buckets/data/out/gone.txt")],
    size: fs.statSync("/buckets/data/out/result.json").size,
    isDirectory: fs.statSync("/buckets/data/out/deep").isDirectory(),
    missing,
  };
};
"#;
    let function = test.add_js(
        "files",
        "index.handler",
        &[("index.mjs", source)],
        |config| {
            config
                .permissions
                .buckets
                .insert("data".to_owned(), BucketAccess::ReadWrite);
        },
    );
    let bucket = test.workspace.buckets_dir().join("data");
    std::fs::create_dir_all(&bucket).unwrap();
    std::fs::write(bucket.join("input.bin"), [0_u8, 1, 2, 3, 255]).unwrap();
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(
        response(&record),
        json!({
            "result": {"ok": true},
            "bytes": 5,
            "promised": "one\ntwo\n",
            "viaCallback": "one\ntwo\n",
            "listing": ["deep", "log.txt", "result.json"],
            "exists": [true, false],
            "size": 11,
            "isDirectory": true,
            "missing": "ENOENT"
        })
    );
    // The files are the bucket's, on the host.
    assert_eq!(
        std::fs::read_to_string(bucket.join("out/result.json")).unwrap(),
        "{\"ok\":true}"
    );
}

#[tokio::test]
async fn commonjs_requires_fs_too() {
    let test = TestWorkspace::new();
    let source = "const fs = require('fs');\nexports.handler = async () => fs.readFileSync('/buckets/inbox/a.txt', 'utf8');\n";
    let function = test.add_js("cjs", "index.handler", &[("index.js", source)], |config| {
        config
            .permissions
            .buckets
            .insert("inbox".to_owned(), BucketAccess::Read);
    });
    std::fs::create_dir_all(test.workspace.buckets_dir().join("inbox")).unwrap();
    std::fs::write(
        test.workspace.buckets_dir().join("inbox/a.txt"),
        "from the bucket",
    )
    .unwrap();
    let record = invoke(&test, &test.runtime(), &function, "{}")
        .await
        .unwrap();
    assert_eq!(response(&record), json!("from the bucket"));
}

#[tokio::test]
async fn no_permission_no_writes_when_read_only_and_no_escape() {
    let test = TestWorkspace::new();
    let source = r#"
import fs from "fs";
const code = (action) => { try { action(); return "allowed"; } catch (error) { return error.code; } };
export const handler = async () => ({
  unlisted: code(() => fs.readFileSync("/buckets/secret/key.txt", "utf8")),
  readOnlyWrite: code(() => fs.writeFileSync("/buckets/shared/new.txt", "x")),
  readOnlyRead: code(() => fs.readFileSync("/buckets/shared/ok.txt", "utf8")),
  escape: code(() => fs.readFileSync("/buckets/shared/../secret/key.txt", "utf8")),
  host: code(() => fs.readFileSync("/etc/passwd", "utf8")),
});
"#;
    let function = test.add_js(
        "guarded",
        "index.handler",
        &[("index.mjs", source)],
        |config| {
            config
                .permissions
                .buckets
                .insert("shared".to_owned(), BucketAccess::Read);
        },
    );
    let buckets = test.workspace.buckets_dir();
    std::fs::create_dir_all(buckets.join("secret")).unwrap();
    std::fs::write(buckets.join("secret/key.txt"), "do not read").unwrap();
    std::fs::create_dir_all(buckets.join("shared")).unwrap();
    std::fs::write(buckets.join("shared/ok.txt"), "readable").unwrap();
    let record = invoke(&test, &test.runtime(), &function, "{}")
        .await
        .unwrap();
    let answer = response(&record);
    assert_eq!(answer["readOnlyRead"], "allowed");
    for denied in ["unlisted", "readOnlyWrite", "escape", "host"] {
        let code = answer[denied].as_str().unwrap();
        assert_ne!(code, "allowed", "{denied}: {answer}");
        assert!(code.starts_with('E'), "{denied}: {answer}");
    }
    assert!(!buckets.join("shared/new.txt").exists());
}
