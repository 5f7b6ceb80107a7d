//! Frame time of the console's `ui` pass, headless (egui_kittest): with 100,000 log lines
//! in the Logs view, with a 5,000-line file in the editor, and the workspace map of the
//! sample and of a generated workspace of 200 functions and 300 resources.
//! `cargo bench --bench ui_frame`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lambdesk::console::Console;
use lambdesk::model::{Architecture, InvocationRecord, Outcome};
use lambdesk::runtime::RuntimeOptions;
use lambdesk::sample_workspace::open_sample_workspace;
use lambdesk::ui::LambdeskApp;

fn record(index: usize) -> InvocationRecord {
    InvocationRecord {
        request_id: format!("00000000-0000-4000-8000-{index:012}"),
        function: if index.is_multiple_of(2) {
            "hello"
        } else {
            "echo"
        }
        .to_owned(),
        started_at: chrono::Utc::now(),
        duration_ms: 0.5,
        billed_duration_ms: 1,
        memory_size_mb: 128,
        max_memory_used_mb: 2,
        init_duration_ms: None,
        build_duration_ms: None,
        architecture: Architecture::X86_64,
        ephemeral_storage_mb: 512,
        log_stream: "2026/11/26/[$LATEST]bench".to_owned(),
        outcome: Outcome::Success(serde_json::Value::Null),
        init_log_lines: Vec::new(),
        outbox: Vec::new(),
        log_lines: vec![format!(
            "2026-11-26T16:00:00.000Z\tid\tINFO\tprocessing order {index}"
        )],
    }
}

fn frame_times(harness: &mut Harness<'_, LambdeskApp>, frames: usize) -> Vec<Duration> {
    (0..frames)
        .map(|_| {
            let started = Instant::now();
            harness.step();
            started.elapsed()
        })
        .collect()
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let p50 = samples[samples.len() / 2];
    let p99 = samples[samples.len() * 99 / 100];
    println!(
        "{name:<52} p50 {p50:>9.2?}  p99 {p99:>9.2?}  n={}",
        samples.len()
    );
}

/// A workspace of 200 functions whose triggers, destinations and permissions connect
/// 300 resources: 100 queues, 50 topics (in `lambdesk.toml`), 100 buckets, 50 routes.
fn write_big_workspace(root: &Path) -> anyhow::Result<()> {
    let mut config = String::from("region = \"us-east-1\"\ngateway_port = 3917\n");
    for queue in 0..100 {
        writeln!(config, "[queues.q{queue:03}]")?;
    }
    for topic in 0..50 {
        writeln!(
            config,
            "[topics.t{topic:02}]\nsubscriptions = [{{ queue = \"q{:03}\" }}]",
            topic * 2
        )?;
    }
    std::fs::create_dir_all(root)?;
    std::fs::write(root.join("lambdesk.toml"), config)?;
    for bucket in 0..100 {
        std::fs::create_dir_all(root.join(format!("buckets/b{bucket:03}")))?;
    }
    for function in 0..200 {
        let folder = root.join(format!("functions/f{function:03}"));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(
            folder.join("index.mjs"),
            "export const handler = async () => ({});\n",
        )?;
        let trigger = match function % 4 {
            0 => format!("type = \"queue\"\nqueue = \"q{:03}\"", function / 2),
            1 => format!("type = \"bucket\"\nbucket = \"b{:03}\"", function / 2),
            2 => format!("type = \"http\"\nroute = \"GET /r{:02}\"", function / 4),
            _ => format!("type = \"topic\"\ntopic = \"t{:02}\"", function / 4),
        };
        let toml = format!(
            "runtime = \"js\"\nhandler = \"index.handler\"\n\n[[triggers]]\n{trigger}\n\n\
             [permissions]\nbuckets = {{ b{:03} = \"read-write\" }}\nqueues = [\"q{:03}\"]\n\n\
             [destinations]\non_failure = {{ queue = \"q{:03}\" }}\n",
            (function + 1) % 100,
            (function + 3) % 100,
            (function * 7 + 5) % 100,
        );
        std::fs::write(folder.join("function.toml"), toml)?;
    }
    Ok(())
}

/// Opens the map of the workspace at `root` in a new console: the first map frame's time,
/// then steady frames (no input: the map as it sits on screen).
fn bench_map(
    name: &str,
    workspace: lambdesk::model::Workspace,
    live_invocations: &[(String, String)],
) -> anyhow::Result<()> {
    let console = Console::with_workspace(
        workspace,
        RuntimeOptions::default(),
        LambdeskApp::waker(Arc::new(OnceLock::new())),
    )?;
    // Invocations of the last minute, so the map's live counters have something to count
    // (function, origin as its trigger records it).
    for (index, (function, origin)) in live_invocations.iter().enumerate() {
        let mut invocation = record(index);
        invocation.function.clone_from(function);
        console
            .ledger()
            .history
            .push(lambdesk::console::InvocationSummary::new(
                &invocation,
                0.0,
                origin,
                Arc::from("{}"),
            ));
    }
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(
            |ui, app: &mut LambdeskApp| {
                app.logic();
                app.ui(ui);
            },
            LambdeskApp::new(console),
        );
    harness.run();
    harness.get_by_label("Map").click();
    // The frame that sees the click draws the map (the buttons come before the
    // central panel): the time a user waits for the map to show.
    let started = Instant::now();
    harness.step();
    let first = started.elapsed();
    let started = Instant::now();
    harness.step();
    println!(
        "{name}: first map frame {first:.2?}, second {:.2?}",
        started.elapsed()
    );
    frame_times(&mut harness, 20);
    report(&format!("{name}, steady"), frame_times(&mut harness, 200));

    // Without the accessibility tree (as a window without a screen reader): steady, then
    // zooming in and out every frame, which lays every visible card's text out again.
    let mut app = harness.into_state();
    let context = egui::Context::default();
    let mut bare = |events: &dyn Fn(usize) -> Vec<egui::Event>| -> Vec<Duration> {
        (0..220)
            .map(|frame| {
                let input = egui::RawInput {
                    screen_rect: Some(egui::Rect::from_min_size(
                        egui::Pos2::ZERO,
                        egui::vec2(1200.0, 800.0),
                    )),
                    events: events(frame),
                    ..egui::RawInput::default()
                };
                let started = Instant::now();
                let mut output = context.run_ui(input, |ui| {
                    app.logic();
                    app.ui(ui);
                });
                let elapsed = started.elapsed();
                output.textures_delta.clear();
                elapsed
            })
            .skip(20)
            .collect()
    };
    report(
        &format!("{name}, steady, no accessibility tree"),
        bare(&|_| Vec::new()),
    );
    report(
        &format!("{name}, zooming, no accessibility tree"),
        bare(&|frame| {
            let factor = if (frame / 20).is_multiple_of(2) {
                1.03
            } else {
                1.0 / 1.03
            };
            vec![
                egui::Event::PointerMoved(egui::pos2(700.0, 400.0)),
                egui::Event::Zoom(factor),
            ]
        }),
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    bench_map(
        "Map of the sample workspace",
        open_sample_workspace(&dir.path().join("sample"))?,
        &[],
    )?;
    let big_root = dir.path().join("big");
    write_big_workspace(&big_root)?;
    bench_map(
        "Map of 200 functions, 300 resources",
        lambdesk::model::Workspace::open(&big_root)?,
        &[],
    )?;
    // Ten invocations a minute of every function, through its trigger.
    let live: Vec<(String, String)> = (0..2_000)
        .map(|index| {
            let function = index % 200;
            let origin = match function % 4 {
                0 => format!("Queue q{:03}", function / 2),
                1 => format!("Bucket b{:03} ObjectCreated:Put", function / 2),
                2 => format!("HTTP GET /r{:02}", function / 4),
                _ => format!("Topic t{:02}", function / 4),
            };
            (format!("f{function:03}"), origin)
        })
        .collect();
    bench_map(
        "Map of 200 functions, 300 resources, live counters (2,000 invocations)",
        lambdesk::model::Workspace::open(&big_root)?,
        &live,
    )?;

    let root = dir.path().join("ws");
    let workspace = open_sample_workspace(&root)?;
    let big_file: String = (0..5_000)
        .map(|line| format!("export const value{line} = {{ id: {line}, name: \"item {line}\" }}; // line {line}\n"))
        .collect();
    std::fs::write(root.join("functions/hello/index.mjs"), big_file)?;

    let context = Arc::new(OnceLock::new());
    let console = Console::with_workspace(
        workspace,
        RuntimeOptions::default(),
        LambdeskApp::waker(context),
    )?;
    let started = Instant::now();
    for index in 0..25_000 {
        console.logs().append_invocation(&record(index))?;
    }
    println!(
        "loaded 100,000 log lines in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let app = LambdeskApp::new(console);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(
            |ui, app: &mut LambdeskApp| {
                app.logic();
                app.ui(ui);
            },
            app,
        );
    harness.run();
    // The editor shows hello's 5,000-line index.mjs.
    frame_times(&mut harness, 20);
    report("Code tab, 5,000-line file", frame_times(&mut harness, 200));

    harness.get_by_label("Logs").click();
    harness.run();
    frame_times(&mut harness, 20);
    report(
        "Logs view, 100,000 lines in 25,000 invocations, collapsed (following the tail)",
        frame_times(&mut harness, 200),
    );
    harness.get_by_label("Expand all").click();
    harness.run();
    frame_times(&mut harness, 20);
    report(
        "Logs view, 100,000 lines, every invocation expanded",
        frame_times(&mut harness, 200),
    );

    // The same two screens through a bare egui context: no accessibility tree, which
    // kittest always builds and a window builds only when a screen reader asks.
    let mut app = harness.into_state();
    let context = egui::Context::default();
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1200.0, 800.0),
        )),
        ..egui::RawInput::default()
    };
    let bare = |app: &mut LambdeskApp| -> Vec<Duration> {
        (0..220)
            .map(|_| {
                let started = Instant::now();
                let mut output = context.run_ui(input(), |ui| {
                    app.logic();
                    app.ui(ui);
                });
                let elapsed = started.elapsed();
                // No renderer here: font textures are not uploaded anywhere.
                output.textures_delta.clear();
                elapsed
            })
            .skip(20)
            .collect()
    };
    report(
        "Logs view, 100,000 lines, no accessibility tree",
        bare(&mut app),
    );
    app.show_function("hello");
    report(
        "Code tab, 5,000-line file, no accessibility tree",
        bare(&mut app),
    );
    Ok(())
}
