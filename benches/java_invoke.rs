//! Java invoke latency against a plain `java` process per event, in one run:
//! `cargo bench --bench java_invoke` (`--profile dev` measures the same: the time is the
//! JVM's and the socket's, not lambdesk's code).
//!
//! - cold: a new execution environment per call: the JVM started as lambdesk launches it
//!   (`JavaBuilder::launch`), Init loads the `java-hello` blueprint's handler, then the
//!   first event through the Runtime API, until its response is posted;
//! - warm: the same environment's next events, each a `next` answered and a response
//!   posted (the stand-in's thread and channel hops included);
//! - java per event: `java -cp <client>:<classes> OneShot < event` with the same JVM flags,
//!   a process that calls the same handler once, what a Docker-less emulator would do.
//!
//! The Runtime API here is the tests' stand-in (`tests/common/runtime_api_standin.rs`).
#![allow(clippy::unwrap_used, reason = "a benchmark binary: a panic says where")]

#[path = "../tests/common/runtime_api_standin.rs"]
mod runtime_api_standin;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lambdesk::model::Workspace;
use lambdesk::runtime::{JavaBuildOptions, JavaBuilder};
use runtime_api_standin::{Posted, QueuedEvent, RuntimeApiStandIn};

const EVENT: &str = r#"{"name":"Ada"}"#;
const COLD_RUNS: usize = 20;
const WARM_RUNS: usize = 5000;

/// Calls the blueprint's handler once with the event on stdin, as a plain program would.
const ONE_SHOT: &str = r#"import com.amazonaws.services.lambda.runtime.*;
public class OneShot {
    public static void main(String[] args) throws Exception {
        String event = new String(System.in.readAllBytes(), "UTF-8");
        java.util.regex.Matcher name = java.util.regex.Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"").matcher(event);
        example.Hello.Request request = new example.Hello.Request();
        request.setName(name.find() ? name.group(1) : null);
        LambdaLogger logger = new LambdaLogger() {
            public void log(String message) { System.out.println(message); }
            public void log(byte[] message) { System.out.println(new String(message)); }
        };
        Context context = (Context) java.lang.reflect.Proxy.newProxyInstance(OneShot.class.getClassLoader(),
                new Class<?>[] {Context.class}, (proxy, method, arguments) ->
                        method.getName().equals("getLogger") ? logger
                        : method.getName().equals("getAwsRequestId") ? "one-shot" : null);
        example.Hello.Response response = new example.Hello().handleRequest(request, context);
        System.out.println("{\"message\":\"" + response.getMessage() + "\",\"count\":" + response.getCount() + "}");
    }
}
"#;

fn percentile(samples: &mut [Duration], fraction: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * fraction).round() as usize;
    samples[index]
}

fn report(what: &str, samples: &mut [Duration]) {
    println!(
        "{what:<22} best {:>9.3} ms   p50 {:>9.3} ms   p99 {:>9.3} ms   ({} runs)",
        percentile(samples, 0.0).as_secs_f64() * 1000.0,
        percentile(samples, 0.5).as_secs_f64() * 1000.0,
        percentile(samples, 0.99).as_secs_f64() * 1000.0,
        samples.len()
    );
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let workspace = Workspace::open(&dir.path().join("ws"))?;
    let function = lambdesk::blueprints::find(None, "java-hello")?
        .create_function(&workspace, "hello", 512)?;
    let builder = JavaBuilder::new(JavaBuildOptions {
        build_dir: dir.path().join("java-build"),
        runtimes_dir: dir.path().join("runtimes"),
        ..JavaBuildOptions::default()
    });
    let (launch, code) = builder.launch(&function)?;
    let client = builder.runtime_client()?;
    let jdk = builder.check_toolchain()?;
    println!(
        "{} ({}), java-hello at 512 MB",
        jdk.version_text,
        launch.program.display()
    );

    let start = |api: &RuntimeApiStandIn| {
        Command::new(&launch.program)
            .args(&launch.args)
            .current_dir(&launch.working_dir)
            .env("AWS_LAMBDA_RUNTIME_API", &api.address)
            .env("AWS_LAMBDA_FUNCTION_NAME", "hello")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let invoke = |api: &RuntimeApiStandIn, id: usize| {
        api.queue(QueuedEvent {
            request_id: format!("req-{id}"),
            body: EVENT.to_owned(),
            headers: vec![(
                "Lambda-Runtime-Deadline-Ms".to_owned(),
                u64::MAX.to_string(),
            )],
        });
        match api.next_posted(Duration::from_secs(60)) {
            Posted::Response { .. } => {}
            other => panic!("{other:?}"),
        }
    };

    let mut cold = Vec::with_capacity(COLD_RUNS);
    for run in 0..COLD_RUNS {
        let api = RuntimeApiStandIn::start();
        let started = Instant::now();
        let mut child = start(&api);
        invoke(&api, run);
        cold.push(started.elapsed());
        let _ = child.kill();
        child.wait()?;
    }

    let api = RuntimeApiStandIn::start();
    let mut child = start(&api);
    invoke(&api, 0);
    let mut warm = Vec::with_capacity(WARM_RUNS);
    for run in 0..WARM_RUNS {
        let started = Instant::now();
        invoke(&api, run + 1);
        warm.push(started.elapsed());
    }
    let _ = child.kill();
    child.wait()?;

    let one_shot_dir = dir.path().join("one-shot");
    std::fs::create_dir_all(&one_shot_dir)?;
    std::fs::write(one_shot_dir.join("OneShot.java"), ONE_SHOT)?;
    let mut classpath = vec![client.classes_dir.clone(), one_shot_dir.clone()];
    classpath.extend(code.classpath.iter().cloned());
    let classpath = std::env::join_paths(&classpath)?;
    let compiled = Command::new(&jdk.javac)
        .arg("-cp")
        .arg(&classpath)
        .arg(one_shot_dir.join("OneShot.java"))
        .status()?;
    anyhow::ensure!(compiled.success(), "OneShot.java did not compile");
    // An environment's JVM flags, with the JDK's own class data sharing archive (the
    // client's archive is of the client's jar, not of this classpath).
    let jvm_flags = [
        "-XX:+TieredCompilation",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Xshare:auto",
        "-XX:-UsePerfData",
    ];
    let mut one_shot = Vec::with_capacity(COLD_RUNS);
    for _ in 0..COLD_RUNS {
        let started = Instant::now();
        let mut child = Command::new(&launch.program)
            .args(jvm_flags)
            .arg("-cp")
            .arg(&classpath)
            .arg("OneShot")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        child.stdin.take().unwrap().write_all(EVENT.as_bytes())?;
        let output = child.wait_with_output()?;
        one_shot.push(started.elapsed());
        anyhow::ensure!(
            String::from_utf8_lossy(&output.stdout).contains("Hello, Ada!"),
            "OneShot answered {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }

    report("cold (new JVM)", &mut cold);
    report("warm", &mut warm);
    report("java per event", &mut one_shot);
    Ok(())
}
