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

/// The function's code is read-only at `/var/task`, as on Lambda: a change there fails
/// with Node's EROFS, and the message reads as Node's does.
#[tokio::test]
async fn writing_into_var_task_is_erofs() {
    let test = TestWorkspace::new();
    let source = r#"
import fs from "fs";
const failure = (action) => { try { action(); return "allowed"; } catch (error) { return [error.code, error.message, error.syscall, error.path]; } };
export const handler = async () => ({
  write: failure(() => fs.writeFileSync("/var/task/x.txt", "x")),
  append: failure(() => fs.appendFileSync("/var/task/index.mjs", "x")),
  mkdir: failure(() => fs.mkdirSync("/var/task/new")),
  unlink: failure(() => fs.unlinkSync("/var/task/index.mjs")),
  promise: await fs.promises.writeFile("/var/task/y.txt", "y").then(() => "allowed", (error) => error.code),
});
"#;
    let function = test.add_js(
        "readonly",
        "index.handler",
        &[("index.mjs", source)],
        |_| {},
    );
    let record = invoke(&test, &test.runtime(), &function, "{}")
        .await
        .unwrap();
    assert_eq!(
        response(&record),
        json!({
            "write": ["EROFS", "EROFS: read-only file system, open '/var/task/x.txt'", "open", "/var/task/x.txt"],
            "append": ["EROFS", "EROFS: read-only file system, open '/var/task/index.mjs'", "open", "/var/task/index.mjs"],
            "mkdir": ["EROFS", "EROFS: read-only file system, mkdir '/var/task/new'", "mkdir", "/var/task/new"],
            "unlink": ["EROFS", "EROFS: read-only file system, unlink '/var/task/index.mjs'", "unlink", "/var/task/index.mjs"],
            "promise": "EROFS"
        })
    );
    assert!(!function.dir.join("x.txt").exists());
    assert!(function.dir.join("index.mjs").exists());
}

/// A full disk under a bucket is Node's ENOSPC, named after the write that failed as
/// Node names it (the open succeeded). `/dev/full` stands in for the full disk: every
/// write to it fails with the system's ENOSPC.
#[tokio::test]
async fn a_write_to_a_full_disk_is_enospc() {
    let test = TestWorkspace::new();
    let source = r#"
import fs from "fs";
export const handler = async () => {
  try { fs.writeFileSync("/buckets/disk/full", "no room"); return "written"; } catch (error) { return [error.code, error.message]; }
};
"#;
    let function = test.add_js(
        "filler",
        "index.handler",
        &[("index.mjs", source)],
        |config| {
            config
                .permissions
                .buckets
                .insert("disk".to_owned(), BucketAccess::ReadWrite);
        },
    );
    std::fs::create_dir_all(test.workspace.buckets_dir()).unwrap();
    std::os::unix::fs::symlink("/dev", test.workspace.buckets_dir().join("disk")).unwrap();
    let record = invoke(&test, &test.runtime(), &function, "{}")
        .await
        .unwrap();
    assert_eq!(
        response(&record),
        json!(["ENOSPC", "ENOSPC: no space left on device, write"])
    );
}

/// The guest's table from WASI errnos to Node's codes and messages, for the errors no
/// test can make the system produce.
#[allow(dead_code, reason = "the guest's module, included to test its table")]
#[path = "../runtimes/js/src/fs_errors.rs"]
mod fs_errors;

#[test]
fn wasi_errnos_map_to_node_s_codes_and_messages() {
    let changes = [
        (69, "/buckets/b/f", "EROFS", "read-only file system"),
        (51, "/buckets/b/f", "ENOSPC", "no space left on device"),
        (2, "/buckets/b/f", "EACCES", "permission denied"),
        (63, "/buckets/b/f", "EPERM", "operation not permitted"),
        // wasmtime refuses a change in a read-only preopen with EPERM: in /var/task that
        // is Lambda's read-only file system.
        (63, "/var/task/f", "EROFS", "read-only file system"),
        (63, "/var/task", "EROFS", "read-only file system"),
        (63, "/var/tasks/f", "EPERM", "operation not permitted"),
        (
            63,
            "/buckets/../var/task/f",
            "EROFS",
            "read-only file system",
        ),
        (63, "/var/task/../f", "EPERM", "operation not permitted"),
        (44, "/f", "ENOENT", "no such file or directory"),
        (20, "/f", "EEXIST", "file already exists"),
        (54, "/f", "ENOTDIR", "not a directory"),
        (31, "/f", "EISDIR", "illegal operation on a directory"),
        (55, "/f", "ENOTEMPTY", "directory not empty"),
        (37, "/f", "ENAMETOOLONG", "name too long"),
        (22, "/f", "EFBIG", "file too large"),
        (76, "/etc/passwd", "EACCES", "permission denied"),
        (9999, "/f", "EIO", "i/o error"),
    ];
    for (errno, path, code, message) in changes {
        assert_eq!(
            fs_errors::node_error(errno, path, true),
            (code, message),
            "{errno} {path}"
        );
    }
    // A read refused in /var/task is a symlink leading out, not a read-only file system.
    let reads = [
        (63, "/var/task/link", "EPERM", "operation not permitted"),
        (
            32,
            "/var/task/f",
            "ELOOP",
            "too many symbolic links encountered",
        ),
        (44, "/var/task/f", "ENOENT", "no such file or directory"),
    ];
    for (errno, path, code, message) in reads {
        assert_eq!(
            fs_errors::node_error(errno, path, false),
            (code, message),
            "{errno} {path}"
        );
    }
}

/// `/var/task` is a WASI preopen of the function's folder: a symlink in it that leads out
/// (to a file or a folder) is not followed, so neither `fs` nor the handler's loading can
/// read what it points to.
#[tokio::test]
async fn symlinks_out_of_var_task_are_not_followed() {
    let test = TestWorkspace::new();
    let outside = test.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("passwd"), "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    std::fs::write(
        outside.join("stolen.mjs"),
        "export const handler = async () => 'root: the handler was read from outside';\n",
    )
    .unwrap();

    let source = r#"
import fs from "fs";
const read = (path) => { try { return fs.readFileSync(path, "utf8"); } catch (error) { return error.code; } };
export const handler = async () => ({
  file: read("/var/task/link"),
  folder: read("/var/task/dir/passwd"),
  inside: read("/var/task/inner"),
});
"#;
    let function = test.add_js(
        "reader",
        "index.handler",
        &[("index.mjs", source), ("data.txt", "mine")],
        |_| {},
    );
    std::os::unix::fs::symlink(outside.join("passwd"), function.dir.join("link")).unwrap();
    std::os::unix::fs::symlink(&outside, function.dir.join("dir")).unwrap();
    std::os::unix::fs::symlink("data.txt", function.dir.join("inner")).unwrap();
    let record = invoke(&test, &test.runtime(), &function, "{}")
        .await
        .unwrap();
    assert_eq!(
        response(&record),
        json!({"file": "EPERM", "folder": "EPERM", "inside": "mine"})
    );

    // A handler module that is such a link is not found: it is never loaded.
    let linked = test.add_js("linked", "index.handler", &[("other.txt", "")], |_| {});
    std::os::unix::fs::symlink(outside.join("stolen.mjs"), linked.dir.join("index.mjs")).unwrap();
    let record = invoke(&test, &test.runtime(), &linked, "{}").await.unwrap();
    let Outcome::Failure(error) = &record.outcome else {
        panic!("the linked handler ran: {:?}", record.outcome);
    };
    assert_eq!(error.error_type, "Runtime.ImportModuleError", "{error:?}");
    assert!(!error.error_message.contains("root:"), "{error:?}");
}
