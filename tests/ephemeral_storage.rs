//! `/tmp`, as Lambda gives every function: writable, kept for the life of an execution
//! environment and empty in a new one, removed from the host with the environment, and
//! no larger than `ephemeral_storage_mb` (ENOSPC past it), for JS and wasm functions.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{TestWorkspace, invoke};
use lambdesk::model::{BucketAccess, InvocationRecord, Outcome};
use lambdesk::runtime::{Runtime, RuntimeOptions};
use serde_json::{Value, json};

/// A runtime that makes its environments' `/tmp` folders under `root`, so the test can
/// see them come and go.
fn runtime_with_tmp_root(root: &Path) -> Runtime {
    Runtime::new(RuntimeOptions {
        cache_dir: Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"),
        ephemeral_storage_root: root.to_owned(),
        ..RuntimeOptions::default()
    })
    .unwrap()
}

fn folders_in(root: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(root) {
        Ok(entries) => entries.map(|entry| entry.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

fn response(record: &InvocationRecord) -> Value {
    match &record.outcome {
        Outcome::Success(value) => value.clone(),
        Outcome::Failure(error) => panic!("the function failed: {error:?}\n{:?}", record.log_lines),
    }
}

#[tokio::test]
async fn a_warm_environment_keeps_tmp_and_a_new_one_starts_empty() {
    let test = TestWorkspace::new();
    let source = r#"
import fs from "node:fs";
export const handler = async (event) => {
  if (event.write) fs.writeFileSync("/tmp/x", event.write);
  return fs.existsSync("/tmp/x") ? fs.readFileSync("/tmp/x", "utf8") : null;
};
"#;
    let function = test.add_js("scratch", "index.handler", &[("index.mjs", source)], |_| {});
    let root = test.dir.path().join("tmp-root");
    let runtime = runtime_with_tmp_root(&root);

    let first = invoke(&test, &runtime, &function, r#"{"write":"from the first"}"#)
        .await
        .unwrap();
    assert_eq!(response(&first), json!("from the first"));
    let warm = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(response(&warm), json!("from the first"));
    assert!(warm.init_duration_ms.is_none(), "the same environment");
    let folders = folders_in(&root);
    assert_eq!(folders.len(), 1, "{folders:?}");
    assert_eq!(
        std::fs::read_to_string(folders[0].join("x")).unwrap(),
        "from the first"
    );

    // The environment is dropped (as after an idle time or a code change): its folder goes.
    runtime.unload("scratch");
    assert!(!folders[0].exists());
    let cold = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(cold.init_duration_ms.is_some(), "a new environment");
    assert_eq!(response(&cold), Value::Null);
    drop(runtime);
    assert_eq!(folders_in(&root), Vec::<PathBuf>::new());
}

/// Past `ephemeral_storage_mb` a write fails with Node's ENOSPC, named after the write
/// that failed as Node names it (`…, write`, no path: the open succeeded); removing a
/// file makes room again. The configuration allows 512 MB at least; the runtime keeps whatever limit
/// it is given, so a 1 MB one keeps this test quick (the 512 MB default is shown by the
/// wasm test below, with sparse files).
#[tokio::test]
async fn a_js_write_past_the_limit_is_enospc() {
    let test = TestWorkspace::new();
    let source = r#"
import fs from "node:fs";
const chunk = "a".repeat(600 * 1024);
const attempt = (action) => { try { action(); return "ok"; } catch (error) { return [error.code, error.message]; } };
export const handler = async () => ({
  first: attempt(() => fs.writeFileSync("/tmp/a", chunk)),
  second: attempt(() => fs.writeFileSync("/tmp/b", chunk)),
  appended: attempt(() => fs.appendFileSync("/tmp/a", chunk)),
  afterRemoving: attempt(() => { fs.unlinkSync("/tmp/a"); fs.writeFileSync("/tmp/b", chunk); }),
  size: fs.statSync("/tmp/b").size,
});
"#;
    let mut function = test.add_js("filler", "index.handler", &[("index.mjs", source)], |_| {});
    function.config.ephemeral_storage_mb = 1;
    let runtime = runtime_with_tmp_root(&test.dir.path().join("tmp-root"));
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    let enospc = json!(["ENOSPC", "ENOSPC: no space left on device, write"]);
    assert_eq!(
        response(&record),
        json!({
            "first": "ok",
            "second": enospc,
            "appended": enospc,
            "afterRemoving": "ok",
            "size": 600 * 1024,
        })
    );
}

/// A wasm guest's view of errnos, two digits each: WASI preview 1 calls on `/tmp` (fd 4,
/// after the bucket at fd 3) with the default 512 MB. Sparse sizes are counted whole, as
/// the limit is on what the files hold.
const TMP_GUEST: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  ;; 0: an iovec, 8: bytes written, 12: an opened fd, 16..: names, 1024: the answer,
  ;; 65536..: 2 MiB of zeros to write.
  (memory (export "memory") 40)
  (data (i32.const 16) "seen")
  (data (i32.const 24) "x.txt")
  (data (i32.const 32) "big.bin")
  (data (i32.const 40) "moved")
  (data (i32.const 48) "../etc")
  (global $out (mut i32) (i32.const 1025))
  (func $emit (param $errno i32)
    (i32.store8 (global.get $out) (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.add (global.get $out) (i32.const 1)) (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.add (global.get $out) (i32.const 2)) (i32.const 44))
    (global.set $out (i32.add (global.get $out) (i32.const 3))))
  (func $open (param $dir i32) (param $name i32) (param $len i32) (param $oflags i32) (result i32)
    (call $path_open (local.get $dir) (i32.const 0) (local.get $name) (local.get $len)
      (local.get $oflags) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 12)))
  (func $write_big (param $fd i32) (result i32)
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (i32.const 2097152))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "_start")
    (local $file i32)
    (local $bucket_file i32)
    (local $errno i32)
    ;; Created only by the first invocation of this environment (CREAT | EXCL).
    (local.set $errno (call $open (i32.const 4) (i32.const 16) (i32.const 4) (i32.const 5)))
    (call $emit (local.get $errno))
    (if (i32.eqz (local.get $errno)) (then (drop (call $fd_close (i32.load (i32.const 12))))))
    (call $emit (call $open (i32.const 4) (i32.const 24) (i32.const 5) (i32.const 9)))
    (local.set $file (i32.load (i32.const 12)))
    (call $emit (call $set_size (local.get $file) (i64.const 537919488)))
    (call $emit (call $set_size (local.get $file) (i64.const 535822336)))
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (i32.const 1))
    (call $emit (call $fd_pwrite (local.get $file) (i32.const 0) (i32.const 1) (i64.const 629145600) (i32.const 8)))
    ;; Over bytes the file has: no growth, allowed even with /tmp nearly full.
    (call $emit (call $write_big (local.get $file)))
    (drop (call $fd_seek (local.get $file) (i64.const 0) (i32.const 2) (i32.const 8)))
    (call $emit (call $write_big (local.get $file)))
    ;; The bucket is not /tmp: its writes are not counted against /tmp.
    (call $emit (call $open (i32.const 3) (i32.const 32) (i32.const 7) (i32.const 9)))
    (local.set $bucket_file (i32.load (i32.const 12)))
    (call $emit (call $write_big (local.get $bucket_file)))
    ;; Nothing moves between /tmp and another folder: another file system, as on Lambda.
    (call $emit (call $path_rename (i32.const 4) (i32.const 24) (i32.const 5) (i32.const 3) (i32.const 40) (i32.const 5)))
    ;; No way out of /tmp.
    (call $emit (call $open (i32.const 4) (i32.const 48) (i32.const 6) (i32.const 0)))
    (i32.store8 (i32.const 1024) (i32.const 34))
    (i32.store8 (i32.sub (global.get $out) (i32.const 1)) (i32.const 34))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.sub (global.get $out) (i32.const 1024)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

#[tokio::test]
async fn a_wasm_guest_writes_tmp_through_wasi_within_512_mb() {
    let test = TestWorkspace::new();
    let function = test.add_wat("native", TMP_GUEST, |config| {
        config
            .permissions
            .buckets
            .insert("data".to_owned(), BucketAccess::ReadWrite);
    });
    assert_eq!(function.config.ephemeral_storage_mb, 512);
    let root = test.dir.path().join("tmp-root");
    let runtime = runtime_with_tmp_root(&root);

    // open seen, open x.txt, 513 MiB, 511 MiB, pwrite at 600 MiB, overwrite 2 MiB,
    // append 2 MiB, open in the bucket, 2 MiB there, rename out, `..` (EPERM).
    let first = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(response(&first), json!("00,00,51,00,51,00,51,00,00,75,63"));
    // The next invocation has the same /tmp: `seen` exists (EEXIST). x.txt, truncated
    // on open, leaves room again once the folder is counted.
    let second = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(response(&second), json!("20,00,51,00,51,00,51,00,00,75,63"));
    let bucket_file = test.workspace.buckets_dir().join("data/big.bin");
    assert_eq!(
        std::fs::metadata(bucket_file).unwrap().len(),
        2 * 1024 * 1024
    );
    assert!(!test.workspace.buckets_dir().join("data/moved").exists());
    let folders = folders_in(&root);
    assert_eq!(folders.len(), 1, "{folders:?}");
    assert_eq!(
        std::fs::metadata(folders[0].join("x.txt")).unwrap().len(),
        511 * 1024 * 1024
    );
    runtime.unload("native");
    assert!(!folders[0].exists());
}

/// A wat execution environment (environment mode) whose every invocation creates
/// `/tmp/seen` (CREAT | EXCL) and grows it to 513 MiB, answering both errnos.
const TMP_ENVIRONMENT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "seen")
  (data (i32.const 32) "\"00,00\"")
  (func $digits (param $at i32) (param $errno i32)
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10)))))
  (func (export "lambdesk_init") (result i32) (i32.const 0))
  (func (export "lambdesk_alloc") (param $len i32) (result i32) (i32.const 65536))
  (func (export "lambdesk_invoke") (param $request i32) (param $len i32) (result i32)
    (call $digits (i32.const 33)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 4) (i32.const 5)
        (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 12)))
    (call $digits (i32.const 36) (call $set_size (i32.load (i32.const 12)) (i64.const 537919488)))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.const 0)))
"#;

#[tokio::test]
async fn a_wasm_execution_environment_keeps_its_own_tmp() {
    let test = TestWorkspace::new();
    let function = test.add_wat("environment", TMP_ENVIRONMENT, |_| {});
    let root = test.dir.path().join("tmp-root");
    let runtime = runtime_with_tmp_root(&root);
    let first = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(response(&first), json!("00,51"));
    // The same environment: `seen` is there (EEXIST); the file that was opened last time
    // is still the one descriptor 4 names, and still cannot reach 513 MiB.
    let warm = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert!(warm.init_duration_ms.is_none(), "the same environment");
    assert_eq!(response(&warm), json!("20,51"));
    let folders = folders_in(&root);
    assert_eq!(folders.len(), 1, "{folders:?}");
    runtime.unload("environment");
    assert!(!folders[0].exists());
    let cold = invoke(&test, &runtime, &function, "{}").await.unwrap();
    assert_eq!(response(&cold), json!("00,51"));
}
