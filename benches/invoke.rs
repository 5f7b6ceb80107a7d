//! Invoke latency of a WAT echo function, in percentiles: `cargo bench --bench invoke`.
//!
//! - warm: module compiled, `InstancePre` ready, a fresh instance per call;
//! - cold from the on-disk cache: the module dropped from memory before each call, so
//!   each call loads machine code from the cache, links it and runs it;
//! - a whole `lambdesk invoke` process, as a user runs it;
//! - the `rust-hello` blueprint (Rust through `lambdesk-lambda`, an execution
//!   environment): its build, a rebuild after a one-line change, warm and cold invokes
//!   (skipped without cargo and the wasm32-wasip1 target; builds into
//!   `LAMBDESK_RUST_TARGET_DIR` or the user's cache), and seconds from the save of a
//!   one-line change to the answer;
//! - the `go-hello` blueprint the same way (Go through `runtimes/go`; skipped without
//!   Go ≥ 1.24; Go's build cache in `LAMBDESK_GO_BUILD_DIR` or the user's cache), and
//!   its handler as a native Go program started per event, for comparison;
//! - for both, Winch first against Cranelift only, side by side: save → answered, the
//!   module's compile time by each compiler and warm invokes of each compiler's code.
//!
//! A plain binary rather than criterion because the targets are percentiles (p50, p99).

use std::time::{Duration, Instant};

use lambdesk::model::{FunctionConfig, Runtime as Language, Workspace};
use lambdesk::runtime::{BuiltCodeCompilers, Runtime, RuntimeOptions};

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
    let cranelift_only = Runtime::new(RuntimeOptions {
        cache_dir: cache_dir.clone(),
        built_code_compilers: BuiltCodeCompilers::CraneliftOnly,
        ..RuntimeOptions::default()
    })?;
    let runtimes = Runtimes {
        winch_first: &runtime,
        cranelift_only: &cranelift_only,
    };
    compiled_hello(&workspace, &runtimes, &tokio, &RUST_HELLO, dir.path())?;
    compiled_hello(&workspace, &runtimes, &tokio, &GO_HELLO, dir.path())?;
    native_go_hello(&runtime, dir.path())
}

/// go-hello's handler as a native program, one process per event (what running Go
/// functions without a sandbox that stays warm costs).
const NATIVE_GO_HELLO: &str = r#"package main

import (
	"encoding/json"
	"fmt"
	"os"
)

type Request struct {
	Name string `json:"name"`
}

type Response struct {
	Message string `json:"message"`
	Count   int    `json:"count"`
}

func main() {
	var request Request
	if err := json.NewDecoder(os.Stdin).Decode(&request); err != nil {
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(Response{Message: fmt.Sprintf("Hello, %s!", request.Name), Count: 1})
}
"#;

fn native_go_hello(runtime: &Runtime, dir: &std::path::Path) -> anyhow::Result<()> {
    let go = lambdesk::runtime::GoBuildOptions::default().go_program;
    let source = dir.join("native-go-hello");
    std::fs::create_dir_all(&source)?;
    std::fs::write(source.join("go.mod"), "module hello\n\ngo 1.24\n")?;
    std::fs::write(source.join("main.go"), NATIVE_GO_HELLO)?;
    let built = std::process::Command::new(&go)
        .args(["build", "-o", "hello", "."])
        .current_dir(&source)
        .env("GOCACHE", runtime.go_builder().cache_dir())
        .env("GOTOOLCHAIN", "local")
        .status();
    if !built.is_ok_and(|status| status.success()) {
        println!("native go hello skipped: `{go} build` failed");
        return Ok(());
    }
    let binary = source.join("hello");
    let process: Vec<Duration> = (0..100)
        .map(|_| -> anyhow::Result<Duration> {
            use std::io::Write as _;
            let started = Instant::now();
            let mut child = std::process::Command::new(&binary)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()?;
            child
                .stdin
                .take()
                .ok_or_else(|| anyhow::anyhow!("no stdin"))?
                .write_all(br#"{"name":"Ada"}"#)?;
            let output = child.wait_with_output()?;
            anyhow::ensure!(output.status.success(), "native go hello failed");
            Ok(started.elapsed())
        })
        .collect::<Result<_, _>>()?;
    report("native go hello, one process per event", process);
    Ok(())
}

/// A blueprint of a compiled language, measured the same way.
struct CompiledHello {
    blueprint: &'static str,
    code_file: &'static str,
    /// A one-line change: `from` becomes `to` (which says "again").
    from: &'static str,
    to: &'static str,
    /// A statement that, with `{n}` for a number, is the same statement with another
    /// constant (`count++` and `count += {n}`); the blueprints without one skip this.
    constant: Option<(&'static str, &'static str)>,
}

const RUST_HELLO: CompiledHello = CompiledHello {
    blueprint: "rust-hello",
    code_file: "src/lib.rs",
    from: "Hello, {name}!",
    to: "Hello again, {name}!",
    constant: None,
};

const GO_HELLO: CompiledHello = CompiledHello {
    blueprint: "go-hello",
    code_file: "main.go",
    from: "Hello, %s!",
    to: "Hello again, %s!",
    constant: Some(("count++", "count += {n}")),
};

/// The default runtime (Winch first, Cranelift behind) and one compiling with Cranelift
/// only (lambdesk before Winch), on the same module cache.
struct Runtimes<'a> {
    winch_first: &'a Runtime,
    cranelift_only: &'a Runtime,
}

fn compiled_hello(
    workspace: &Workspace,
    runtimes: &Runtimes<'_>,
    tokio: &tokio::runtime::Runtime,
    hello: &CompiledHello,
    scratch: &std::path::Path,
) -> anyhow::Result<()> {
    let runtime = runtimes.winch_first;
    let name = hello.blueprint;
    let function = lambdesk::blueprints::find(None, name)?.create_function(workspace, name, 128)?;
    let build = match tokio.block_on(runtime.build(&function)) {
        Ok(build) => build,
        Err(error) => {
            println!("{name} skipped: {error}");
            return Ok(());
        }
    };
    println!(
        "{name} build (dependencies as the shared cache had them)     {:.2?}",
        build.duration
    );
    let code = function.dir.join(hello.code_file);
    let text = std::fs::read_to_string(&code)?;
    std::fs::write(&code, text.replace(hello.from, hello.to))?;
    let rebuild = tokio
        .block_on(runtime.build(&function))
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    println!(
        "{name} rebuild after a one-line change                     {:.2?}",
        rebuild.duration
    );
    let event = br#"{"name":"Ada"}"#;
    let invoke_once = || -> anyhow::Result<Duration> {
        let started = Instant::now();
        let record = tokio.block_on(runtime.invoke(workspace, &function, event))?;
        let elapsed = started.elapsed();
        anyhow::ensure!(record.is_success(), "{name} failed: {:?}", record.error());
        Ok(elapsed)
    };
    // The first invoke answers from Winch's code; the warm rows measure Cranelift's.
    invoke_once()?;
    tokio.block_on(runtime.finish_background_compiles());
    for _ in 0..1_000 {
        invoke_once()?;
    }
    let warm: Vec<Duration> = (0..20_000)
        .map(|_| invoke_once())
        .collect::<Result<_, _>>()?;
    report(&format!("{name} warm invoke (execution environment)"), warm);
    let cold: Vec<Duration> = (0..500)
        .map(|_| {
            runtime.unload(&function.name);
            invoke_once()
        })
        .collect::<Result<_, _>>()?;
    report(&format!("{name} cold invoke from the module cache"), cold);

    by_compiler(workspace, &function, tokio, &rebuild.module_path, scratch)?;

    // Edit → save → rebuilt → invoked, as the console does on a Test click after a save:
    // the invocation notices the newer source, builds, loads the new module and runs it.
    // Each round's code is new, so its module is a module-cache miss, as a user's change
    // is: Winch compiles it first (Cranelift behind), or Cranelift only, rounds
    // alternating between the two runtimes so both see the same load.
    // A longer greeting each time: the data after it moves, and with it most functions'
    // code (no help from Cranelift's incremental cache).
    let mut greeting = hello.to.to_owned();
    let mut round = 0;
    let string_edits = saved_to_answered(
        &code,
        |text| {
            round += 1;
            let next = hello.to.replace("again", &"and again ".repeat(round));
            let edited = text.replace(&greeting, &next);
            greeting = next;
            edited
        },
        runtimes,
        &|runtime| invoke_with(runtime, workspace, &function, tokio),
        tokio,
    )?;
    report_side_by_side(
        &format!("{name} save of a longer string → answered"),
        string_edits,
    );
    // A number changed: the data stays in place, most functions are as compiled before.
    if let Some((original, template)) = hello.constant {
        let mut statement = original.to_owned();
        let mut round = 0;
        let logic_edits = saved_to_answered(
            &code,
            |text| {
                round += 1;
                let next = template.replace("{n}", &(round + 1).to_string());
                let edited = text.replace(&statement, &next);
                statement = next;
                edited
            },
            runtimes,
            &|runtime| invoke_with(runtime, workspace, &function, tokio),
            tokio,
        )?;
        report_side_by_side(
            &format!("{name} save of a changed number → answered"),
            logic_edits,
        );
    }
    Ok(())
}

fn invoke_with(
    runtime: &Runtime,
    workspace: &Workspace,
    function: &lambdesk::model::Function,
    tokio: &tokio::runtime::Runtime,
) -> anyhow::Result<()> {
    let record = tokio.block_on(runtime.invoke(workspace, function, br#"{"name":"Ada"}"#))?;
    anyhow::ensure!(record.is_success(), "failed: {:?}", record.error());
    Ok(())
}

/// The function's module made ready by each compiler alone, from an empty module cache
/// and a new engine (no incremental cache): the compile (and link) time, then warm
/// invokes running that compiler's code.
fn by_compiler(
    workspace: &Workspace,
    function: &lambdesk::model::Function,
    tokio: &tokio::runtime::Runtime,
    module: &std::path::Path,
    scratch: &std::path::Path,
) -> anyhow::Result<()> {
    #[expect(clippy::cast_precision_loss, reason = "a module size, for display")]
    let megabytes = std::fs::metadata(module)?.len() as f64 / 1e6;
    let name = &function.name;
    for (compiler, compilers) in [
        ("Cranelift", BuiltCodeCompilers::CraneliftOnly),
        ("Winch", BuiltCodeCompilers::WinchOnly),
    ] {
        let cache = tempfile::tempdir_in(scratch)?;
        let runtime = Runtime::new(RuntimeOptions {
            cache_dir: cache.path().to_owned(),
            built_code_compilers: compilers,
            ..RuntimeOptions::default()
        })?;
        let prepared = tokio.block_on(runtime.prepare(function))?;
        println!(
            "{name} module ({megabytes:.2} MB) compiled by {compiler} (+ link)   {:.0} ms ({:?})",
            prepared.load_duration_ms, prepared.origin
        );
        for _ in 0..1_000 {
            invoke_with(&runtime, workspace, function, tokio)?;
        }
        let warm: Vec<Duration> = (0..20_000)
            .map(|_| {
                let started = Instant::now();
                invoke_with(&runtime, workspace, function, tokio).map(|()| started.elapsed())
            })
            .collect::<Result<_, _>>()?;
        report(&format!("{name} warm invoke, {compiler}'s code"), warm);
    }
    Ok(())
}

/// Seconds from a save to the answer, by each runtime.
struct SideBySide {
    winch_first: Vec<Duration>,
    cranelift_only: Vec<Duration>,
}

fn report_side_by_side(name: &str, samples: SideBySide) {
    report(&format!("{name}, Winch first"), samples.winch_first);
    report(&format!("{name}, Cranelift only"), samples.cranelift_only);
}

/// Five rounds, each runtime in turn: `edit` the code file's text, save it, invoke;
/// from the save to the answer. Between saves (untimed), background compiles finish, as
/// they do while a user reads the answer.
fn saved_to_answered(
    code: &std::path::Path,
    mut edit: impl FnMut(&str) -> String,
    runtimes: &Runtimes<'_>,
    invoke: &dyn Fn(&Runtime) -> anyhow::Result<()>,
    tokio: &tokio::runtime::Runtime,
) -> anyhow::Result<SideBySide> {
    let mut timed = |runtime: &Runtime| -> anyhow::Result<Duration> {
        let text = edit(&std::fs::read_to_string(code)?);
        let started = Instant::now();
        std::fs::write(code, text)?;
        invoke(runtime)?;
        let elapsed = started.elapsed();
        tokio.block_on(runtime.finish_background_compiles());
        Ok(elapsed)
    };
    let mut samples = SideBySide {
        winch_first: Vec::new(),
        cranelift_only: Vec::new(),
    };
    for _ in 0..5 {
        samples.winch_first.push(timed(runtimes.winch_first)?);
        samples.cranelift_only.push(timed(runtimes.cranelift_only)?);
    }
    Ok(samples)
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
