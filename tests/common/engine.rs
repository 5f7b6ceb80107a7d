//! A trigger engine on a test workspace, with short retry delays and a recorder sink.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lambdesk::triggers::async_delivery::AsyncOptions;
use lambdesk::triggers::http::GatewayOptions;
use lambdesk::triggers::{EngineOptions, InvocationSink, TriggerContext, TriggerEngine};

use super::{Recorder, TestWorkspace};

pub struct Engine {
    pub engine: Option<TriggerEngine>,
    pub recorder: Arc<Recorder>,
    pub tokio: tokio::runtime::Runtime,
}

pub fn start(test: &TestWorkspace) -> Engine {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let recorder = Arc::new(Recorder::default());
    // The JS runtime's one-time preparation (compiling it when this machine's module cache
    // lacks it: 10–20 s on a loaded 2-core machine) happens here, as the console does it
    // at start, not inside a test's wait for a trigger's effect.
    let runtime = test.runtime();
    tokio
        .block_on(runtime.prepare_js_runtime())
        .expect("the JS runtime");
    let context = Arc::new(TriggerContext::new(
        test.workspace.clone(),
        Arc::new(runtime),
        Arc::clone(&recorder) as Arc<dyn InvocationSink>,
    ));
    let options = EngineOptions {
        gateway: GatewayOptions {
            port: 0,
            integration_timeout: Duration::from_secs(30),
            client_read_timeout: Duration::from_secs(30),
        },
        delivery: AsyncOptions {
            retry_delays: vec![Duration::from_millis(100), Duration::from_millis(200)],
            ..AsyncOptions::default()
        },
        invoke_api: None,
    };
    let engine = tokio.block_on(TriggerEngine::start(context, options));
    assert!(engine.problems.is_empty(), "{:?}", engine.problems);
    Engine {
        engine: Some(engine),
        recorder,
        tokio,
    }
}

impl Engine {
    pub fn enqueue(&self, function: &str, event: &str) {
        self.engine
            .as_ref()
            .unwrap()
            .delivery()
            .unwrap()
            .enqueue(function, event, "test", 0)
            .unwrap();
    }

    pub fn stop(mut self) {
        let engine = self.engine.take().unwrap();
        self.tokio.block_on(engine.stop());
    }
}

pub fn wait_until(what: &str, done: impl FnMut() -> bool) {
    wait_up_to(Duration::from_secs(15), what, done);
}

pub fn wait_up_to(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The files under `dir`, recursively, without the hidden temporary files of atomic
/// writes (a record is complete once it has its name).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if entry.path().is_dir() {
                found.extend(files_under(&entry.path()));
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}
