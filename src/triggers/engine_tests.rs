//! The engine's supervision: a trigger's task that panics is reported and runs again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::async_delivery::AsyncOptions;
use super::context::load_functions;
use super::http::GatewayOptions;
use super::queues::{NewMessage, known_queues, queue_settings};
use super::supervisor::fault_injection;
use super::{EngineOptions, FinishedInvocation, InvocationSink, TriggerContext, TriggerEngine};
use crate::model::{FunctionConfig, Runtime as Language, Trigger, Workspace};

/// Answers `{}`.
const ANSWERS: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 2))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

#[derive(Default)]
struct Recorder(Mutex<Vec<FinishedInvocation>>);

impl InvocationSink for Recorder {
    fn finished(&self, invocation: FinishedInvocation) {
        self.0.lock().unwrap().push(invocation);
    }
}

impl Recorder {
    fn problems(&self) -> Vec<String> {
        let finished = self.0.lock().unwrap();
        finished
            .iter()
            .filter_map(|run| run.result.as_ref().err().cloned())
            .collect()
    }

    fn origins_of_runs(&self, function: &str) -> Vec<String> {
        let finished = self.0.lock().unwrap();
        finished
            .iter()
            .filter(|run| run.function == function && run.result.is_ok())
            .map(|run| run.origin.clone())
            .collect()
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_gateway_accept_loop_that_panics_is_reported_and_serves_again() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().unwrap();
    let workspace = Workspace::open(&dir.path().join("ws")).unwrap();
    let mut config = FunctionConfig::new(Language::Wat, "main.wat");
    config.triggers.push(Trigger::http("GET /hello"));
    workspace
        .create_function("hello", &config, &[("main.wat", ANSWERS.as_bytes())])
        .unwrap();
    let runtime = crate::runtime::Runtime::new(crate::runtime::RuntimeOptions {
        cache_dir: dir.path().join("cache"),
        ..crate::runtime::RuntimeOptions::default()
    })
    .unwrap();
    let recorder = Arc::new(Recorder::default());
    let context = Arc::new(TriggerContext::new(
        workspace.clone(),
        Arc::new(runtime),
        Arc::clone(&recorder) as Arc<dyn InvocationSink>,
    ));
    // A free port, known before the gateway starts, names the gateway to make panic.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut gateway = GatewayOptions::for_workspace(&workspace);
    gateway.port = port;
    let options = EngineOptions {
        gateway,
        delivery: AsyncOptions::default(),
        invoke_api: None,
    };
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    fault_injection::panic_next_run_of(&format!("the HTTP gateway on 127.0.0.1:{port}"));
    let engine = tokio.block_on(TriggerEngine::start(context, options));
    assert!(engine.problems.is_empty(), "{:?}", engine.problems);
    wait_until("the panic reported", || {
        recorder.problems().iter().any(|problem| {
            *problem
                == format!("the HTTP gateway on 127.0.0.1:{port} stopped unexpectedly (panic: a fault injected by a test); it restarts in 1 s")
        })
    });

    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    client
        .write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    tokio.block_on(engine.stop());
}

#[test]
fn a_queue_poller_that_panics_is_reported_and_polls_again() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = Workspace::open(&dir.path().join("ws")).unwrap();
    let mut config = FunctionConfig::new(Language::Wat, "main.wat");
    config.triggers.push(Trigger::Queue {
        queue: "panicky-jobs".to_owned(),
        batch_size: 10,
        maximum_batching_window_secs: None,
        report_batch_item_failures: false,
        maximum_concurrency: None,
        enabled: true,
    });
    workspace
        .create_function("panicky", &config, &[("main.wat", ANSWERS.as_bytes())])
        .unwrap();
    let runtime = crate::runtime::Runtime::new(crate::runtime::RuntimeOptions {
        cache_dir: dir.path().join("cache"),
        ..crate::runtime::RuntimeOptions::default()
    })
    .unwrap();
    let recorder = Arc::new(Recorder::default());
    let context = Arc::new(TriggerContext::new(
        workspace.clone(),
        Arc::new(runtime),
        Arc::clone(&recorder) as Arc<dyn InvocationSink>,
    ));
    let options = EngineOptions {
        gateway: GatewayOptions::for_workspace(&workspace),
        delivery: AsyncOptions::default(),
        invoke_api: None,
    };
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    fault_injection::panic_next_run_of("the queue trigger of `panicky` on `panicky-jobs`");
    let engine = tokio.block_on(TriggerEngine::start(context, options));
    assert!(engine.problems.is_empty(), "{:?}", engine.problems);
    wait_until("the panic reported", || {
        recorder.problems().iter().any(|problem| {
            problem
                == "the queue trigger of `panicky` on `panicky-jobs` stopped unexpectedly (panic: a fault injected by a test); it restarts in 1 s"
        })
    });

    // Sent after the panic: only a poller that runs again receives it.
    let (functions, _) = load_functions(&workspace);
    let settings = queue_settings(&known_queues(&workspace, &functions), "panicky-jobs").unwrap();
    let delivery = engine.delivery().unwrap();
    delivery
        .queues()
        .send(
            &settings,
            &[NewMessage::with_body("after the panic")],
            chrono::Utc::now().timestamp_millis(),
        )
        .unwrap();
    delivery.queue_sent().notify_waiters();
    wait_until("the message processed", || {
        recorder.origins_of_runs("panicky") == ["Queue panicky-jobs"]
    });
    tokio.block_on(engine.stop());
}
