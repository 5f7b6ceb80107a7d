//! Python and Ruby invoke latency against `python3` and `ruby`, in one run:
//! `cargo bench --bench language_packs_invoke`.
//!
//! - cold: a new execution environment per call (Python: the CPython component
//!   instantiated from its snapshot; Ruby: the interpreter started; then Init loads the
//!   handler's file, then the handler);
//! - warm: an environment reused, as Lambda reuses a warm one;
//! - python3 / ruby: one process per invocation that loads the handler and calls it, what a
//!   Docker-less local emulator does.

use std::time::{Duration, Instant};

use lambdesk::model::{FunctionConfig, Runtime as Lang, Workspace};
use lambdesk::runtime::{Runtime, RuntimeOptions};

const HELLO: &str = "import json\n\ndef lambda_handler(event, context):\n    return {'statusCode': 200, 'body': 'hello ' + event.get('name', 'world')}\n";
const EVENT: &[u8] = br#"{"name":"ada"}"#;

const RUBY_HELLO: &str = "require 'json'\n\ndef lambda_handler(event:, context:)\n  { statusCode: 200, body: \"hello #{event.fetch('name', 'world')}\" }\nend\n";

struct Language {
    name: &'static str,
    runtime: Lang,
    file: &'static str,
    source: &'static str,
    /// The peer: a program and arguments that load the handler from the current folder
    /// and call it once.
    peer: (&'static str, &'static [&'static str]),
}

fn main() -> anyhow::Result<()> {
    let languages = [
        Language {
            name: "Python",
            runtime: Lang::Python,
            file: "lambda_function.py",
            source: HELLO,
            peer: (
                "python3",
                &[
                    "-c",
                    "import json, lambda_function; print(json.dumps(lambda_function.lambda_handler({'name': 'ada'}, None)))",
                ],
            ),
        },
        Language {
            name: "Ruby",
            runtime: Lang::Ruby,
            file: "lambda_function.rb",
            source: RUBY_HELLO,
            peer: (
                "ruby",
                &[
                    "-I.",
                    "-rjson",
                    "-e",
                    "require 'lambda_function'; puts lambda_handler(event: { 'name' => 'ada' }, context: nil).to_json",
                ],
            ),
        },
    ];
    for language in &languages {
        bench(language)?;
    }
    Ok(())
}

fn bench(language: &Language) -> anyhow::Result<()> {
    println!("== {}", language.name);
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let config = FunctionConfig::new(language.runtime, "lambda_function.lambda_handler");
    let hello = workspace.create_function(
        "hello",
        &config,
        &[(language.file, language.source.as_bytes())],
    )?;
    let options = || RuntimeOptions {
        cache_dir: dir.path().join("cache"),
        ..RuntimeOptions::default()
    };
    let runtime = Runtime::new(options())?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let started = Instant::now();
    let report = tokio.block_on(runtime.prepare(&hello))?;
    println!(
        "runtime ready (pack from the cache, compiled): {:.0} ms ({:?}, wall {:.0} ms)",
        report.load_duration_ms,
        report.origin,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let runtime_again = Runtime::new(options())?;
    let report = tokio.block_on(runtime_again.prepare(&hello))?;
    println!(
        "a second process's load (from the module cache): {:.0} ms ({:?}, wall {:.0} ms)",
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
    for _ in 0..50 {
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

    let peer_dir = dir.path().join("peer");
    std::fs::create_dir_all(&peer_dir)?;
    std::fs::write(peer_dir.join(language.file), language.source)?;
    let (program, args) = language.peer;
    let peer_runs: Result<Vec<Duration>, _> = (0..30)
        .map(|_| -> anyhow::Result<Duration> {
            let started = Instant::now();
            let output = std::process::Command::new(program)
                .args(args)
                .current_dir(&peer_dir)
                .output()?;
            anyhow::ensure!(output.status.success(), "{program} failed");
            Ok(started.elapsed())
        })
        .collect();
    match peer_runs {
        Ok(runs) => {
            let peer_p50 = report_line(&format!("{program}, one process per invocation"), runs);
            println!(
                "ratio: {program} process / lambdesk warm = {:.0}x; {program} process / lambdesk cold = {:.1}x",
                peer_p50.as_secs_f64() / warm_p50.as_secs_f64(),
                peer_p50.as_secs_f64() / cold_p50.as_secs_f64()
            );
        }
        Err(error) => println!("{program}: not measured ({error})"),
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
