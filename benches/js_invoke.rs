//! JavaScript invoke latency against Node.js, in one run: `cargo bench --bench js_invoke`.
//!
//! - cold: a new execution environment per call (instantiate, Init, handler);
//! - warm: an environment reused, as Lambda reuses a warm one;
//! - node: one `node` process per invocation, what a Docker-less local emulator does;
//! - a whole `lambdesk invoke` process;
//! - a CPU-heavy handler, warm, in lambdesk and in one long-lived node process.

use std::time::{Duration, Instant};

use lambdesk::model::{FunctionConfig, Runtime as Language, Workspace};
use lambdesk::runtime::{Runtime, RuntimeOptions};

const HELLO: &str = "export const handler = async (event) => ({ statusCode: 200, body: `hello ${event.name ?? 'world'}` });\n";
const CPU_HEAVY: &str = r#"export const handler = async () => {
  const items = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["a", "b"], price: i * 1.5 }));
  const copy = JSON.parse(JSON.stringify(items));
  const numbers = Array.from({ length: 20000 }, (_, i) => (i * 7919) % 10007);
  numbers.sort((a, b) => a - b);
  return { count: copy.length, first: numbers[0], last: numbers[numbers.length - 1] };
};
"#;
const EVENT: &[u8] = br#"{"name":"ada"}"#;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let config = FunctionConfig::new(Language::Js, "index.handler");
    let hello = workspace.create_function("hello", &config, &[("index.mjs", HELLO.as_bytes())])?;
    let heavy =
        workspace.create_function("heavy", &config, &[("index.mjs", CPU_HEAVY.as_bytes())])?;
    let cache_dir = dir.path().join("cache");
    let runtime = Runtime::new(RuntimeOptions {
        cache_dir: cache_dir.clone(),
        ..RuntimeOptions::default()
    })?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let started = Instant::now();
    let report = tokio.block_on(runtime.prepare(&hello))?;
    println!(
        "first compile of the embedded JS runtime: {:.0} ms ({:?}, wall {:.0} ms)",
        report.load_duration_ms,
        report.origin,
        started.elapsed().as_secs_f64() * 1000.0
    );

    let invoke = |function: &lambdesk::model::Function| -> anyhow::Result<(Duration, Option<f64>)> {
        let started = Instant::now();
        let record = tokio.block_on(runtime.invoke(&workspace, function, EVENT))?;
        let elapsed = started.elapsed();
        anyhow::ensure!(record.is_success(), "failed: {:?}", record.error());
        Ok((elapsed, record.init_duration_ms))
    };

    let mut cold = Vec::new();
    let mut init_ms = Vec::new();
    for _ in 0..200 {
        runtime.unload("hello");
        let (elapsed, init) = invoke(&hello)?;
        cold.push(elapsed);
        init_ms.extend(init);
    }
    let cold_p50 = report_line("lambdesk cold (instantiate + Init + handler)", cold);
    init_ms.sort_by(f64::total_cmp);
    println!(
        "{:<52} p50 {:>8.2} ms",
        "  of which Init Duration",
        init_ms[init_ms.len() / 2]
    );

    for _ in 0..200 {
        invoke(&hello)?;
    }
    let warm: Vec<Duration> = (0..5000)
        .map(|_| invoke(&hello).map(|(d, _)| d))
        .collect::<Result<_, _>>()?;
    report_line("lambdesk warm (reused environment)", warm);

    let binary = env!("CARGO_BIN_EXE_lambdesk");
    let process: Vec<Duration> = (0..30)
        .map(|_| -> anyhow::Result<Duration> {
            let started = Instant::now();
            let output = std::process::Command::new(binary)
                .args(["invoke", "hello", "--workspace"])
                .arg(workspace.root())
                .env("LAMBDESK_CACHE_DIR", &cache_dir)
                .output()?;
            anyhow::ensure!(output.status.success(), "lambdesk invoke failed");
            Ok(started.elapsed())
        })
        .collect::<Result<_, _>>()?;
    let process_p50 = report_line("whole `lambdesk invoke hello` process", process);

    let node_dir = dir.path().join("node");
    std::fs::create_dir_all(&node_dir)?;
    std::fs::write(node_dir.join("index.mjs"), HELLO)?;
    std::fs::write(node_dir.join("heavy.mjs"), CPU_HEAVY)?;
    let node_script = "import('./index.mjs').then((m) => m.handler({ name: 'ada' })).then((r) => console.log(JSON.stringify(r)))";
    let node_runs: Result<Vec<Duration>, _> = (0..30)
        .map(|_| -> anyhow::Result<Duration> {
            let started = Instant::now();
            let output = std::process::Command::new("node")
                .args(["--input-type=module", "-e", node_script])
                .current_dir(&node_dir)
                .output()?;
            anyhow::ensure!(output.status.success(), "node failed");
            Ok(started.elapsed())
        })
        .collect();
    match node_runs {
        Ok(node_runs) => {
            let node_p50 = report_line("node, one process per invocation", node_runs);
            println!(
                "ratio: node process / lambdesk cold = {:.0}x; node process / whole lambdesk process = {:.1}x",
                node_p50.as_secs_f64() / cold_p50.as_secs_f64(),
                node_p50.as_secs_f64() / process_p50.as_secs_f64()
            );
        }
        Err(error) => println!("node: not measured ({error})"),
    }

    for _ in 0..5 {
        invoke(&heavy)?;
    }
    let heavy_runs: Vec<Duration> = (0..50)
        .map(|_| invoke(&heavy).map(|(d, _)| d))
        .collect::<Result<_, _>>()?;
    let heavy_p50 = report_line("CPU-heavy handler, lambdesk warm", heavy_runs);
    let node_heavy = std::process::Command::new("node")
        .args([
            "--input-type=module",
            "-e",
            "const { handler } = await import('./heavy.mjs'); for (let i = 0; i < 5; i++) await handler(); const t = []; for (let i = 0; i < 50; i++) { const s = performance.now(); await handler(); t.push(performance.now() - s); } t.sort((a, b) => a - b); console.log(t[25]);",
        ])
        .current_dir(&node_dir)
        .output();
    if let Ok(output) = node_heavy
        && output.status.success()
    {
        let node_ms: f64 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or(f64::NAN);
        println!(
            "{:<52} p50 {node_ms:>8.2} ms   lambdesk/node = {:.1}x",
            "CPU-heavy handler, node warm (in-process)",
            heavy_p50.as_secs_f64() * 1000.0 / node_ms
        );
    }
    Ok(())
}

fn report_line(name: &str, mut samples: Vec<Duration>) -> Duration {
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
        "{name:<52} p50 {:>10.1?}  p99 {:>10.1?}  n={}",
        percentile(0.50),
        percentile(0.99),
        samples.len()
    );
    percentile(0.50)
}
