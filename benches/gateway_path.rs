//! Where the HTTP gateway's time per request goes, without sockets: the parts lambdesk
//! adds to every request (building the API Gateway event, invoking the WAT hello — as a
//! command and as an execution environment — with its log written as `serve` writes it),
//! each timed over many requests on one thread.
//! `cargo bench --bench gateway_path`.
//!
//! The wrk runs of `benches/http_gateway.sh` give the end-to-end numbers, but they vary
//! by ±10 % between runs on a shared 2-core VM; these parts vary by a few per cent, so a
//! change to one of them is measured here first.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lambdesk::logs::LogStore;
use lambdesk::model::{FunctionConfig, Runtime as Language, Workspace};
use lambdesk::runtime::{Runtime, RuntimeOptions};
use lambdesk::triggers::http::{GatewayIdentity, IncomingRequest, request_event};
use lambdesk::triggers::{FinishedInvocation, InvocationSink, TriggerContext};

/// As the `lambdesk` binary allocates.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HELLO_WAT: &str = include_str!("http/hello.wat");
const HELLO_ENVIRONMENT_WAT: &str = include_str!("http/hello_environment.wat");
/// Requests per round; the fastest of the rounds is reported, as the VM's neighbours
/// slow some rounds down.
const REQUESTS: u32 = 20_000;
const ROUNDS: usize = 7;

/// Logs each invocation as `lambdesk serve` does.
struct LogSink(LogStore);

impl InvocationSink for LogSink {
    fn finished(&self, invocation: FinishedInvocation) {
        if let Ok(record) = &invocation.result {
            let _ = self.0.append_invocation(record);
        }
    }
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let function = workspace.create_function(
        "wat-hello",
        &FunctionConfig::new(Language::Wat, "main.wat"),
        &[("main.wat", HELLO_WAT.as_bytes())],
    )?;
    let environment_function = workspace.create_function(
        "wat-hello-environment",
        &FunctionConfig::new(Language::Wat, "main.wat"),
        &[("main.wat", HELLO_ENVIRONMENT_WAT.as_bytes())],
    )?;
    let runtime = Arc::new(Runtime::new(RuntimeOptions {
        cache_dir: dir.path().join("cache"),
        ..RuntimeOptions::default()
    })?);
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let identity = GatewayIdentity::new("us-east-1");
    // What wrk sends.
    let headers = vec![("host".to_owned(), "127.0.0.1:3102".to_owned())];
    let build_event = || -> Arc<str> {
        let request = IncomingRequest {
            method: "GET",
            target: "/wat/ada",
            headers: headers.clone(),
            body: b"",
            source_ip: "127.0.0.1",
            local_port: 3102,
            protocol: "HTTP/1.1",
        };
        let parameters = BTreeMap::from([("name".to_owned(), "ada".to_owned())]);
        Arc::from(request_event(&request, "GET /wat/{name}", parameters, &identity).event_json())
    };
    let event_time = time_per_request(|| {
        std::hint::black_box(build_event());
        Ok(())
    })?;

    let invoke_with = |function: &lambdesk::model::Function,
                       sink: Arc<dyn InvocationSink>|
     -> anyhow::Result<Duration> {
        let context = TriggerContext::new(workspace.clone(), Arc::clone(&runtime), sink);
        let event = build_event();
        time_per_request(|| {
            let record = tokio.block_on(context.invoke(
                function,
                Arc::clone(&event),
                "HTTP GET /wat/{name}".to_owned(),
                0,
                None,
            ))?;
            anyhow::ensure!(record.is_success(), "hello failed: {:?}", record.error());
            Ok(())
        })
    };
    struct NoSink;
    impl InvocationSink for NoSink {
        fn finished(&self, _: FinishedInvocation) {}
    }
    let logged = || Arc::new(LogSink(LogStore::new(workspace.logs_dir(), 1_000)));
    let invoke_time = invoke_with(&function, Arc::new(NoSink))?;
    let logged_time = invoke_with(&function, logged())?;
    let environment_time = invoke_with(&environment_function, Arc::new(NoSink))?;
    let environment_logged_time = invoke_with(&environment_function, logged())?;

    println!(
        "| part of a request (WAT hello, one thread, fastest of {ROUNDS} rounds of {REQUESTS}) | µs |"
    );
    println!("| --- | --- |");
    println!(
        "| API Gateway event built and serialised | {:.2} |",
        micros(event_time)
    );
    for (part, time) in [
        (
            "command mode: fresh sandbox, run, record; no log",
            invoke_time,
        ),
        (
            "command mode, with its log written as `serve` writes it",
            logged_time,
        ),
        (
            "environment mode: a warm environment, run, record; no log",
            environment_time,
        ),
        (
            "environment mode, with its log written as `serve` writes it",
            environment_logged_time,
        ),
    ] {
        println!("| {part} | {:.2} |", micros(time));
    }
    Ok(())
}

/// The mean time of `request` over [`REQUESTS`] calls, in the fastest of [`ROUNDS`]
/// rounds, after a warm-up.
fn time_per_request(mut request: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    for _ in 0..REQUESTS / 10 {
        request()?;
    }
    let mut fastest = Duration::MAX;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..REQUESTS {
            request()?;
        }
        fastest = fastest.min(started.elapsed() / REQUESTS);
    }
    Ok(fastest)
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
