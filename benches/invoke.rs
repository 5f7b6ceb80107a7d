//! Invoke latency of a WAT echo function, in percentiles: `cargo bench --bench invoke`.
//!
//! - warm: module compiled, `InstancePre` ready, a fresh instance per call;
//! - cold from the on-disk cache: the module dropped from memory before each call, so
//!   each call loads machine code from the cache, links it and runs it;
//! - a whole `lambdesk invoke` process, as a user runs it;
//! - the `rust-hello` blueprint (Rust through `lambdesk-lambda`, an execution
//!   environment): its build, a rebuild after a one-line change, warm and cold invokes
//!   (skipped without cargo and the wasm32-wasip1 target; builds into
//!   `LAMBDESK_RUST_TARGET_DIR` or the user's cache).
//!
//! A plain binary rather than criterion because the targets are percentiles (p50, p99).

use std::time::{Duration, Instant};

use lambdesk::model::{FunctionConfig, Runtime as Language, Workspace};
use lambdesk::runtime::{Runtime, RuntimeOptions};

const ECHO_WAT: &str = include_str!("../assets/sample/echo/main.wat");
const EVENT: &[u8] = br#"{"key1":"value1","key2":"value2","key3":"value3"}"#;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let function = workspace.create_function(
        "echo",
        &FunctionConfig::new(Language::Wat, "main.wat"),
        &[("main.wat", ECHO_WAT.as_bytes())],
    )?;
    let cache_dir = dir.path().join("cache");
    let runtime = Runtime::new(RuntimeOptions {
        cache_dir: cache_dir.clone(),
        ..RuntimeOptions::default()
    })?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let invoke_once = || -> anyhow::Result<Duration> {
        let started = Instant::now();
        let record = tokio.block_on(runtime.invoke(&workspace, &function, EVENT))?;
        let elapsed = started.elapsed();
        anyhow::ensure!(record.is_success(), "echo failed: {:?}", record.error());
        Ok(elapsed)
    };

    // Warm: the first call compiles and caches; after that every call is warm.
    for _ in 0..1_000 {
        invoke_once()?;
    }
    let warm: Vec<Duration> = (0..20_000)
        .map(|_| invoke_once())
        .collect::<Result<_, _>>()?;
    report("warm invoke (fresh instance from InstancePre)", warm);

    let cold: Vec<Duration> = (0..1_000)
        .map(|_| {
            runtime.unload(&function.name);
            invoke_once()
        })
        .collect::<Result<_, _>>()?;
    report("cold invoke from the on-disk module cache", cold);

    let binary = env!("CARGO_BIN_EXE_lambdesk");
    let process: Vec<Duration> = (0..50)
        .map(|_| -> anyhow::Result<Duration> {
            let started = Instant::now();
            let output = std::process::Command::new(binary)
                .args(["invoke", "echo", "--workspace"])
                .arg(workspace.root())
                .env("LAMBDESK_CACHE_DIR", &cache_dir)
                .output()?;
            anyhow::ensure!(output.status.success(), "lambdesk invoke failed");
            Ok(started.elapsed())
        })
        .collect::<Result<_, _>>()?;
    report("whole `lambdesk invoke echo` process", process);
    rust_hello(&workspace, &runtime, &tokio)
}

fn rust_hello(
    workspace: &Workspace,
    runtime: &Runtime,
    tokio: &tokio::runtime::Runtime,
) -> anyhow::Result<()> {
    let function = lambdesk::blueprints::find(None, "rust-hello")?.create_function(
        workspace,
        "rust-hello",
        128,
    )?;
    let build = match tokio.block_on(runtime.build(&function)) {
        Ok(build) => build,
        Err(error) => {
            println!("rust-hello skipped: {error}");
            return Ok(());
        }
    };
    println!(
        "rust-hello build (deps as the shared target folder had them)   {:.2?}",
        build.duration
    );
    let code = function.dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&code)?;
    std::fs::write(
        &code,
        text.replace("Hello, {name}!", "Hello again, {name}!"),
    )?;
    let rebuild = tokio
        .block_on(runtime.build(&function))
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    println!(
        "rust-hello rebuild after a one-line change                     {:.2?}",
        rebuild.duration
    );
    let event = br#"{"name":"Ada"}"#;
    let invoke_once = || -> anyhow::Result<Duration> {
        let started = Instant::now();
        let record = tokio.block_on(runtime.invoke(workspace, &function, event))?;
        let elapsed = started.elapsed();
        anyhow::ensure!(
            record.is_success(),
            "rust-hello failed: {:?}",
            record.error()
        );
        Ok(elapsed)
    };
    for _ in 0..1_000 {
        invoke_once()?;
    }
    let warm: Vec<Duration> = (0..20_000)
        .map(|_| invoke_once())
        .collect::<Result<_, _>>()?;
    report("rust-hello warm invoke (execution environment)", warm);
    let cold: Vec<Duration> = (0..500)
        .map(|_| {
            runtime.unload(&function.name);
            invoke_once()
        })
        .collect::<Result<_, _>>()?;
    report("rust-hello cold invoke from the module cache", cold);
    Ok(())
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let percentile = |p: f64| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
        samples[index]
    };
    println!(
        "{name:<48} n={:<6} p50 {:>10.1?}  p99 {:>10.1?}  min {:>10.1?}",
        samples.len(),
        percentile(0.50),
        percentile(0.99),
        samples[0]
    );
}
