//! A `provided` function's warm round trip through the Runtime API, against the same
//! handler called directly and lambdesk's in-sandbox invocation, in one run:
//! `cargo bench --bench provided_invoke`.
//!
//! - provided: `Runtime::invoke` of a warm `bootstrap` process — the event goes out
//!   through `next`, the answer comes back through `…/response`, the log is read — for
//!   each of these clients of the Runtime API:
//!   - AWS's `lambda_runtime` crate as cargo-lambda's template runs it (`#[tokio::main]`,
//!     a multi-threaded tokio runtime; `tests/guests/provided_hello`, release);
//!   - the same on a current-thread tokio runtime (`bootstrap-current-thread`);
//!   - the least a client can do (`benches/runtime_api_minimal_client.c`, built with
//!     `cc` when there is one): lambdesk's side of the hop without a library's cost;
//!   - `LAMBDESK_BENCH_BOOTSTRAP=<executable>`, when set: a client of your own;
//! - floor: the hop's two loopback TCP exchanges between two threads and nothing else —
//!   what any Runtime API costs at least on the machine;
//! - direct: the same handler's work (parse the event, build and serialise the answer)
//!   called in this process, no hop at all;
//! - WAT echo: a warm invocation of a command module in the sandbox, lambdesk's own cost
//!   of an invocation without a process hop.
//!
//! Run from a task of a multi-threaded tokio runtime (as `serve` and the console invoke)
//! and of a current-thread one (as `lambdesk invoke`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lambdesk::model::{Function, FunctionConfig, Runtime as Lang, Workspace};
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
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let guest = build_crate_bootstraps()?;
    let mut clients = vec![
        ("lambda_runtime, #[tokio::main]", guest.join("bootstrap")),
        (
            "lambda_runtime, current-thread tokio",
            guest.join("bootstrap-current-thread"),
        ),
    ];
    match build_minimal_client(dir.path()) {
        Ok(minimal) => clients.push(("minimal C client", minimal)),
        Err(error) => println!("(no minimal C client: {error})"),
    }
    if let Some(path) = std::env::var_os("LAMBDESK_BENCH_BOOTSTRAP") {
        clients.push(("LAMBDESK_BENCH_BOOTSTRAP", path.into()));
    }
    let mut provided = Vec::new();
    for (index, (client, bootstrap)) in clients.iter().enumerate() {
        let function = workspace.create_function(
            &format!("provided-{index}"),
            &FunctionConfig::new(Lang::Provided, "bootstrap"),
            &[("bootstrap", std::fs::read(bootstrap)?.as_slice())],
        )?;
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            function.dir.join("bootstrap"),
            std::fs::Permissions::from_mode(0o755),
        )?;
        provided.push((*client, function));
    }
    let echo = workspace.create_function(
        "echo",
        &FunctionConfig::new(Lang::Wat, "main.wat"),
        &[("main.wat", ECHO_WAT.as_bytes())],
    )?;
    let runtime = Arc::new(Runtime::new(RuntimeOptions {
        cache_dir: dir.path().join("cache"),
        ..RuntimeOptions::default()
    })?);

    let direct = samples(WARM_CALLS, || {
        let started = Instant::now();
        std::hint::black_box(direct_hello(std::hint::black_box(EVENT)));
        Ok(started.elapsed())
    })?;
    let direct_p50 = report("direct call of the same handler (no hop)", direct);
    report(
        "floor: the hop's two loopback TCP exchanges, 2 threads",
        loopback_floor(WARM_CALLS)?,
    );

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
        // As `serve` and the console invoke: from a task of the runtime (on a worker of
        // the multi-thread one), not from a thread outside it.
        let warm = |function: &Function, count| {
            let calls = warm_calls(
                Arc::clone(&runtime),
                workspace.clone(),
                function.clone(),
                count,
            );
            tokio.block_on(tokio.spawn(calls))?
        };
        warm(&echo, 1).ok();
        let echo_p50 = report("WAT echo in the sandbox, warm", warm(&echo, WARM_CALLS)?);
        for (client, function) in &provided {
            runtime.unload(&function.name);
            let started = Instant::now();
            let cold = tokio.block_on(runtime.invoke(&workspace, function, EVENT))?;
            anyhow::ensure!(cold.is_success(), "failed: {:?}", cold.error());
            let cold_ms = started.elapsed().as_secs_f64() * 1000.0;
            let provided_p50 = report(
                &format!("provided, {client}, warm"),
                warm(function, WARM_CALLS)?,
            );
            println!(
                "    hop: {:.1} µs over a direct call, {:.1} µs over a sandboxed invocation; \
                 cold start {cold_ms:.2} ms wall, Init Duration {:.2} ms, Max Memory Used {} MB",
                (provided_p50.as_secs_f64() - direct_p50.as_secs_f64()) * 1e6,
                (provided_p50.as_secs_f64() - echo_p50.as_secs_f64()) * 1e6,
                cold.init_duration_ms.unwrap_or_default(),
                cold.max_memory_used_mb
            );
        }
    }
    Ok(())
}

/// `count` warm invocations of `function` one after the other, each one's time.
async fn warm_calls(
    runtime: Arc<Runtime>,
    workspace: Workspace,
    function: Function,
    count: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let record = runtime.invoke(&workspace, &function, EVENT).await?;
        samples.push(started.elapsed());
        anyhow::ensure!(record.is_success(), "failed: {:?}", record.error());
        anyhow::ensure!(record.init_duration_ms.is_none(), "not warm");
    }
    Ok(samples)
}

/// The least any Runtime API can cost on this machine: an invocation is two exchanges
/// between lambdesk and the runtime (the event out as `next`'s answer and the
/// runtime's `…/response` in; the 202 out and the next `next` in), each waking the other
/// side. Here two blocking threads make them over loopback TCP with the same sizes,
/// and nothing else.
fn loopback_floor(count: usize) -> anyhow::Result<Vec<Duration>> {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let runtime = std::thread::Builder::new()
        .name("floor-runtime".to_owned())
        .spawn(move || -> std::io::Result<()> {
            let mut stream = std::net::TcpStream::connect(address)?;
            stream.set_nodelay(true)?;
            let mut buffer = [0_u8; 1024];
            let (response, next) = ([b'r'; 152], [b'n'; 75]);
            loop {
                // The event, then the 202: answered by the response, then by `next`.
                for answer in [&response[..], &next[..]] {
                    if stream.read(&mut buffer)? == 0 {
                        return Ok(());
                    }
                    stream.write_all(answer)?;
                }
            }
        })?;
    let (mut stream, _) = listener.accept()?;
    stream.set_nodelay(true)?;
    let (event, accepted) = ([b'e'; 435], [b'a'; 129]);
    let mut buffer = [0_u8; 1024];
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        for message in [&event[..], &accepted[..]] {
            stream.write_all(message)?;
            anyhow::ensure!(stream.read(&mut buffer)? > 0, "the floor's peer closed");
        }
        samples.push(started.elapsed());
    }
    drop(stream);
    runtime
        .join()
        .map_err(|_| anyhow::anyhow!("the floor's peer panicked"))??;
    Ok(samples)
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

/// Builds `tests/guests/provided_hello`'s two bootstraps; the folder that holds them.
fn build_crate_bootstraps() -> anyhow::Result<PathBuf> {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("provided-guest-target");
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests/provided_hello/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .status()?;
    anyhow::ensure!(
        status.success(),
        "building the lambda_runtime bootstraps failed"
    );
    Ok(target_dir.join("release"))
}

/// Compiles `benches/runtime_api_minimal_client.c` into `dir`.
fn build_minimal_client(dir: &Path) -> anyhow::Result<PathBuf> {
    let output = dir.join("minimal-bootstrap");
    let status = Command::new("cc")
        .arg("-O2")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/runtime_api_minimal_client.c"))
        .arg("-o")
        .arg(&output)
        .status()?;
    anyhow::ensure!(status.success(), "cc failed");
    Ok(output)
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
        "{name:<56} p50 {:>9.1?}  p99 {:>9.1?}  n={}",
        p50,
        at(0.99),
        samples.len()
    );
    p50
}
