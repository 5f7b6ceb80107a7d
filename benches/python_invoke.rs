//! Python invoke latency against `python3`, in one run: `cargo bench --bench python_invoke`.
//!
//! - cold: a new execution environment per call (instantiate the CPython component from
//!   its snapshot, Init imports the handler's module, handler);
//! - warm: an environment reused, as Lambda reuses a warm one;
//! - python3: one `python3` process per invocation that imports the handler and calls it,
//!   what a Docker-less local emulator does.

use std::time::{Duration, Instant};

use lambdesk::model::{FunctionConfig, Runtime as Language, Workspace};
use lambdesk::runtime::{Runtime, RuntimeOptions};

const HELLO: &str = "import json\n\ndef lambda_handler(event, context):\n    return {'statusCode': 200, 'body': 'hello ' + event.get('name', 'world')}\n";
const EVENT: &[u8] = br#"{"name":"ada"}"#;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let config = FunctionConfig::new(Language::Python, "lambda_function.lambda_handler");
    let hello = workspace.create_function(
        "hello",
        &config,
        &[("lambda_function.py", HELLO.as_bytes())],
    )?;
    let runtime = Runtime::new(RuntimeOptions {
        cache_dir: dir.path().join("cache"),
        ..RuntimeOptions::default()
    })?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let started = Instant::now();
    let report = tokio.block_on(runtime.prepare(&hello))?;
    println!(
        "Python runtime ready (pack from the cache, component compiled): {:.0} ms ({:?}, wall {:.0} ms)",
        report.load_duration_ms,
        report.origin,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let runtime_again = Runtime::new(RuntimeOptions {
        cache_dir: dir.path().join("cache"),
        ..RuntimeOptions::default()
    })?;
    let report = tokio.block_on(runtime_again.prepare(&hello))?;
    println!(
        "a second process's load (compiled component from the module cache): {:.0} ms ({:?}, wall {:.0} ms)",
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
    for _ in 0..100 {
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
    let warm_p50 = report_line("lambdesk warm (reused environment)", warm);

    let python_dir = dir.path().join("python");
    std::fs::create_dir_all(&python_dir)?;
    std::fs::write(python_dir.join("lambda_function.py"), HELLO)?;
    let script = "import json, lambda_function; print(json.dumps(lambda_function.lambda_handler({'name': 'ada'}, None)))";
    let python_runs: Result<Vec<Duration>, _> = (0..30)
        .map(|_| -> anyhow::Result<Duration> {
            let started = Instant::now();
            let output = std::process::Command::new("python3")
                .args(["-c", script])
                .current_dir(&python_dir)
                .output()?;
            anyhow::ensure!(output.status.success(), "python3 failed");
            Ok(started.elapsed())
        })
        .collect();
    match python_runs {
        Ok(runs) => {
            let python_p50 = report_line("python3, one process per invocation", runs);
            println!(
                "ratio: python3 process / lambdesk warm = {:.0}x; python3 process / lambdesk cold = {:.1}x",
                python_p50.as_secs_f64() / warm_p50.as_secs_f64(),
                python_p50.as_secs_f64() / cold_p50.as_secs_f64()
            );
        }
        Err(error) => println!("python3: not measured ({error})"),
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
