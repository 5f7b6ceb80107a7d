//! A `provided` function's warm round trip through the Runtime API, against the same
//! handler called directly and lambdesk's in-sandbox invocation, in one run:
//! `cargo bench --bench provided_invoke`.
//!
//! - provided: `Runtime::invoke` of a Rust `bootstrap` built with AWS's `lambda_runtime`
//!   crate (`tests/guests/provided_hello`, release), its process warm: the event goes out
//!   through `next`, the answer comes back through `…/response`, the log is settled;
//! - direct: the same handler's work (parse the event, build and serialise the answer)
//!   called in this process, no hop at all;
//! - WAT echo: a warm invocation of a command module in the sandbox, lambdesk's own cost
//!   of an invocation without a process hop.
//!
//! Run on a multi-threaded tokio runtime (as `serve` and the console) and on a
//! current-thread one (as `lambdesk invoke`). `LAMBDESK_BENCH_BOOTSTRAP=<executable>`
//! runs another bootstrap instead, e.g. `benches/runtime_api_minimal_client.c` (lambdesk's
//! side of the hop without a client library's own cost).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use lambdesk::model::{FunctionConfig, Runtime as Lang, Workspace};
use lambdesk::runtime::{Runtime, RuntimeOptions};

const EVENT: &[u8] = br#"{"name":"ada"}"#;
const WARM_CALLS: usize = 5_000;

const ECHO_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 4096))
    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

fn main() -> anyhow::Result<()> {
    // Another bootstrap to compare with (a client of your own), else the crate's.
    let (bootstrap, client) = match std::env::var_os("LAMBDESK_BENCH_BOOTSTRAP") {
        Some(path) => (std::path::PathBuf::from(path), "LAMBDESK_BENCH_BOOTSTRAP"),
        None => (build_bootstrap()?, "lambda_runtime"),
    };
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let provided = workspace.create_function(
        "provided-hello",
        &FunctionConfig::new(Lang::Provided, "bootstrap"),
        &[("bootstrap", std::fs::read(&bootstrap)?.as_slice())],
    )?;
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            provided.dir.join("bootstrap"),
            std::fs::Permissions::from_mode(0o755),
        )?;
    }
    let echo = workspace.create_function(
        "echo",
        &FunctionConfig::new(Lang::Wat, "main.wat"),
        &[("main.wat", ECHO_WAT.as_bytes())],
    )?;
    let runtime = Runtime::new(RuntimeOptions {
        cache_dir: dir.path().join("cache"),
        ..RuntimeOptions::default()
    })?;

    let direct = samples(WARM_CALLS, || {
        let started = Instant::now();
        std::hint::black_box(direct_hello(std::hint::black_box(EVENT)));
        Ok(started.elapsed())
    })?;
    let direct_p50 = report("direct call of the same handler (no hop)", direct);

    for (name, tokio) in [
        (
            "multi-thread tokio",
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?,
        ),
        (
            "current-thread tokio",
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
        ),
    ] {
        println!("== {name}");
        runtime.unload("provided-hello");
        let started = Instant::now();
        let cold = tokio.block_on(runtime.invoke(&workspace, &provided, EVENT))?;
        anyhow::ensure!(cold.is_success(), "failed: {:?}", cold.error());
        println!(
            "cold start: {:.2} ms wall, Init Duration {:.2} ms, Max Memory Used {} MB",
            started.elapsed().as_secs_f64() * 1000.0,
            cold.init_duration_ms.unwrap_or_default(),
            cold.max_memory_used_mb
        );
        let invoke = |function| {
            let started = Instant::now();
            let record = tokio.block_on(runtime.invoke(&workspace, function, EVENT))?;
            let elapsed = started.elapsed();
            anyhow::ensure!(record.is_success(), "failed: {:?}", record.error());
            anyhow::ensure!(record.init_duration_ms.is_none(), "not warm");
            Ok(elapsed)
        };
        let provided_p50 = report(
            &format!("provided ({client} bootstrap), warm"),
            samples(WARM_CALLS, || invoke(&provided))?,
        );
        invoke(&echo).ok();
        let echo_p50 = report(
            "WAT echo in the sandbox, warm",
            samples(WARM_CALLS, || invoke(&echo))?,
        );
        println!(
            "Runtime API hop: {:.1} µs over a direct call, {:.1} µs over a sandboxed invocation",
            (provided_p50.as_secs_f64() - direct_p50.as_secs_f64()) * 1e6,
            (provided_p50.as_secs_f64() - echo_p50.as_secs_f64()) * 1e6
        );
    }
    Ok(())
}

/// What the bootstrap's handler does, without the Runtime API around it.
fn direct_hello(event: &[u8]) -> Vec<u8> {
    let payload: serde_json::Value = serde_json::from_slice(event).unwrap_or_default();
    let answer = serde_json::json!({
        "hello": payload["name"].as_str().unwrap_or("world"),
        "request_id": "4d1f3b0e-52a1-4c8f-9c1e-0e0f2b8f5b2a",
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:provided-hello",
    });
    serde_json::to_vec(&answer).unwrap_or_default()
}

fn build_bootstrap() -> anyhow::Result<std::path::PathBuf> {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("provided-guest-target");
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests/provided_hello/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .status()?;
    anyhow::ensure!(
        status.success(),
        "building the lambda_runtime bootstrap failed"
    );
    Ok(target_dir.join("release/bootstrap"))
}

fn samples(
    count: usize,
    mut run: impl FnMut() -> anyhow::Result<Duration>,
) -> anyhow::Result<Vec<Duration>> {
    (0..count).map(|_| run()).collect()
}

fn report(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let at = |fraction: f64| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index into a few thousand samples"
        )]
        let index = ((samples.len() as f64 * fraction) as usize).min(samples.len() - 1);
        samples[index]
    };
    let p50 = at(0.50);
    println!(
        "{name:<48} p50 {:>9.1?}  p99 {:>9.1?}  n={}",
        p50,
        at(0.99),
        samples.len()
    );
    p50
}
