//! `runtime = "java"`: lambdesk's Java runtime client (`runtimes/java`, compiled by the
//! user's javac on first use) in a JVM started as lambdesk launches it, driven through a
//! stand-in for Lambda's Runtime API as Lambda's Java runtime would be: POJOs, maps and
//! streams in and out, the `Context`, the log, errors as Lambda's Java runtime reports them
//! (`errorType` the exception's class, `stackTrace` as `Class.method(File.java:line)`),
//! failures at Init, javac's errors at their line, and a jar in `lib/`. Without a JDK 17+
//! the tests that need one say why and pass (`.ci/run` installs one).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::TestWorkspace;
use common::runtime_api_standin::{Posted, QueuedEvent, RuntimeApiStandIn};
use lambdesk::model::{DiagnosticLevel, Function, Runtime as Language};
use lambdesk::runtime::{BuildError, JavaBuildOptions, JavaBuilder};
use serde_json::{Value, json};

/// A JVM's start and the first class loading take a while on a busy machine.
const WAIT: Duration = Duration::from_secs(60);

/// Built classes and the compiled client under the test run's own folder.
fn builder() -> JavaBuilder {
    JavaBuilder::new(common::java_build_options())
}

/// Whether a JDK 17+ is here; if not, says why the calling test is skipped.
fn jdk_ready(test_name: &str) -> bool {
    match builder().check_toolchain() {
        Ok(_) => true,
        Err(reason) => {
            eprintln!("skipping {test_name}: {reason}");
            false
        }
    }
}

fn add_java(test: &TestWorkspace, name: &str, handler: &str, files: &[(&str, &str)]) -> Function {
    let config = lambdesk::model::FunctionConfig::new(Language::Java, handler);
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, source)| (*path, source.as_bytes()))
        .collect();
    test.workspace
        .create_function(name, &config, &files)
        .unwrap()
}

fn has_prlimit() -> bool {
    Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// One execution environment: the JVM lambdesk launches, its log collected.
struct Environment {
    api: RuntimeApiStandIn,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    function: Function,
    invocations: usize,
}

impl Environment {
    fn start(function: &Function) -> Self {
        let (launch, _code) = builder().launch(function).unwrap();
        let api = RuntimeApiStandIn::start();
        // The memory limit lambdesk's native environments set (RLIMIT_DATA), through
        // util-linux's prlimit.
        let mut command = if has_prlimit() {
            let mut command = Command::new("prlimit");
            command
                .arg(format!("--data={}", launch.data_limit_bytes))
                .arg("--")
                .arg(&launch.program);
            command
        } else {
            Command::new(&launch.program)
        };
        let mut child = command
            .args(&launch.args)
            .current_dir(&launch.working_dir)
            .env("AWS_LAMBDA_RUNTIME_API", &api.address)
            .env("_HANDLER", &function.config.handler)
            .env("LAMBDA_TASK_ROOT", &launch.working_dir)
            .env("AWS_LAMBDA_FUNCTION_NAME", &function.name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                function.config.memory_mb.to_string(),
            )
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{}", function.name),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/07/[$LATEST]0123")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        for output in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let log = Arc::clone(&log);
            std::thread::Builder::new()
                .name("java-environment-log".to_owned())
                .spawn(move || {
                    for line in BufReader::new(output).lines().map_while(Result::ok) {
                        log.lock().unwrap().push(line);
                    }
                })
                .unwrap();
        }
        Self {
            api,
            child,
            log,
            function: function.clone(),
            invocations: 0,
        }
    }

    /// Sends `event` with Lambda's headers; what the client posted back.
    fn invoke_with(&mut self, event: &str, extra: &[(&str, &str)]) -> Posted {
        self.invocations += 1;
        let request_id = format!("req-{}", self.invocations);
        let deadline_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + 3000;
        let mut headers = vec![
            (
                "Lambda-Runtime-Deadline-Ms".to_owned(),
                deadline_ms.to_string(),
            ),
            (
                "Lambda-Runtime-Invoked-Function-Arn".to_owned(),
                format!(
                    "arn:aws:lambda:us-east-1:000000000000:function:{}",
                    self.function.name
                ),
            ),
            (
                "Lambda-Runtime-Trace-Id".to_owned(),
                "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1".to_owned(),
            ),
        ];
        headers.extend(
            extra
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        );
        self.api.queue(QueuedEvent {
            request_id,
            body: event.to_owned(),
            headers,
        });
        self.api.next_posted(WAIT)
    }

    fn invoke(&mut self, event: &str) -> Posted {
        self.invoke_with(event, &[])
    }

    /// The response's JSON; anything else fails the test with the log.
    fn response(&mut self, event: &str) -> Value {
        match self.invoke(event) {
            Posted::Response { request_id, body } => {
                assert_eq!(request_id, format!("req-{}", self.invocations));
                serde_json::from_str(&body)
                    .unwrap_or_else(|error| panic!("{error}: {body}\n{:#?}", self.log()))
            }
            other => panic!("{other:?}\n{:#?}", self.log()),
        }
    }

    /// The log so far, once the lines written before the last post have arrived.
    fn log(&self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(100));
        self.log.lock().unwrap().clone()
    }

    /// Waits for the JVM to exit; its exit code.
    fn exit_code(&mut self) -> Option<i32> {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the JVM did not exit");
    }
}

impl Drop for Environment {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ORDERS: &str = r#"package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.ArrayList;
import java.util.List;

public class Orders implements RequestHandler<Orders.Order, Orders.Receipt> {
    static int initialisations;
    private int handled;

    static {
        initialisations++;
        System.out.println("static init");
    }

    public static class Line {
        public String sku;
        public int quantity;
        public double price;
    }

    public static class Order {
        private String customerName;
        private List<Line> lines = new ArrayList<>();
        private boolean express;
        public String getCustomerName() { return customerName; }
        public void setCustomerName(String customerName) { this.customerName = customerName; }
        public List<Line> getLines() { return lines; }
        public void setLines(List<Line> lines) { this.lines = lines; }
        public boolean isExpress() { return express; }
        public void setExpress(boolean express) { this.express = express; }
    }

    public static class Receipt {
        public String customer;
        public double total;
        public int items;
        public boolean express;
        public String note;
        public int handled;
        public int initialisations;
        private String URL = "https://example.com/r";
        public String getURL() { return URL; }
    }

    public Receipt handleRequest(Order order, Context context) {
        handled++;
        context.getLogger().log("order from " + order.getCustomerName());
        LambdaRuntime.getLogger().log("via LambdaRuntime");
        System.err.println("to stderr");
        Receipt receipt = new Receipt();
        receipt.customer = order.getCustomerName();
        for (Line line : order.getLines()) {
            receipt.total += line.quantity * line.price;
            receipt.items += line.quantity;
        }
        receipt.express = order.isExpress();
        receipt.handled = handled;
        receipt.initialisations = initialisations;
        return receipt;
    }
}
"#;

#[test]
fn a_request_handler_reads_a_pojo_answers_one_and_stays_warm() {
    if !jdk_ready("a_request_handler_reads_a_pojo_answers_one_and_stays_warm") {
        return;
    }
    let test = TestWorkspace::new();
    let function = add_java(
        &test,
        "orders",
        "example.Orders",
        &[("src/main/java/example/Orders.java", ORDERS)],
    );
    let mut environment = Environment::start(&function);
    let event = r#"{"customerName": "Ada", "express": true, "unknown": 1,
        "lines": [{"sku": "a", "quantity": 2, "price": 1.5}, {"sku": "b", "quantity": "3", "price": 2}]}"#;
    let first = environment.response(event);
    // Null properties are left out, `getURL` is `URL`, unknown properties ignored, "3" read
    // as an int: as Lambda's serializer does.
    assert_eq!(
        first,
        json!({"customer": "Ada", "total": 9.0, "items": 5, "express": true, "handled": 1,
               "initialisations": 1, "URL": "https://example.com/r"})
    );
    // The same instance answers again: one Init per execution environment.
    let second = environment.response(r#"{"customerName": "Grace"}"#);
    assert_eq!(second["handled"], 2);
    assert_eq!(second["initialisations"], 1);
    assert_eq!(second["customer"], "Grace");
    let log = environment.log();
    for line in [
        "static init",
        "order from Ada",
        "via LambdaRuntime",
        "to stderr",
        "order from Grace",
    ] {
        assert!(log.iter().any(|logged| logged == line), "{line}: {log:#?}");
    }
    assert_eq!(log.iter().filter(|line| *line == "static init").count(), 1);
}

const CONTEXT: &str = r#"package example;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.LinkedHashMap;
import java.util.Map;

public class Inspect {
    public Map<String, Object> handle(Map<String, Object> event, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestId", context.getAwsRequestId());
        out.put("functionName", context.getFunctionName());
        out.put("version", context.getFunctionVersion());
        out.put("arn", context.getInvokedFunctionArn());
        out.put("memory", context.getMemoryLimitInMB());
        out.put("logGroup", context.getLogGroupName());
        out.put("logStream", context.getLogStreamName());
        int remaining = context.getRemainingTimeInMillis();
        out.put("remainingInRange", remaining > 0 && remaining <= 3000);
        out.put("traceId", context.getXrayTraceId());
        out.put("identityId", context.getIdentity() == null ? null : context.getIdentity().getIdentityId());
        out.put("appTitle", context.getClientContext() == null ? null
                : context.getClientContext().getClient().getAppTitle());
        out.put("custom", context.getClientContext() == null ? null : context.getClientContext().getCustom());
        Map<String, String> types = new LinkedHashMap<>();
        event.forEach((key, value) -> types.put(key, value == null ? "null" : value.getClass().getName()));
        out.put("types", types);
        out.put("echo", event);
        return out;
    }
}
"#;

#[test]
fn a_map_handler_gets_the_context_and_lambdas_untyped_json() {
    if !jdk_ready("a_map_handler_gets_the_context_and_lambdas_untyped_json") {
        return;
    }
    let test = TestWorkspace::new();
    let function = add_java(
        &test,
        "inspect",
        "example.Inspect::handle",
        &[("src/example/Inspect.java", CONTEXT)],
    );
    let mut environment = Environment::start(&function);
    let posted = environment.invoke_with(
        r#"{"n": 2, "big": 12345678901, "x": 1.5, "s": "é\n", "t": true, "z": null, "list": [1, "a"], "obj": {"k": []}}"#,
        &[
            (
                "Lambda-Runtime-Cognito-Identity",
                r#"{"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}"#,
            ),
            (
                "Lambda-Runtime-Client-Context",
                r#"{"client": {"app_title": "Shop"}, "custom": {"tier": "gold"}, "env": {}}"#,
            ),
        ],
    );
    let Posted::Response { body, .. } = posted else {
        panic!("{posted:?}\n{:#?}", environment.log());
    };
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        answer,
        json!({
            "requestId": "req-1",
            "functionName": "inspect",
            "version": "$LATEST",
            "arn": "arn:aws:lambda:us-east-1:000000000000:function:inspect",
            "memory": 128,
            "logGroup": "/aws/lambda/inspect",
            "logStream": "2026/12/07/[$LATEST]0123",
            "remainingInRange": true,
            "traceId": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            "identityId": "id-1",
            "appTitle": "Shop",
            "custom": {"tier": "gold"},
            "types": {"n": "java.lang.Integer", "big": "java.lang.Long", "x": "java.lang.Double",
                      "s": "java.lang.String", "t": "java.lang.Boolean", "z": "null",
                      "list": "java.util.ArrayList", "obj": "java.util.LinkedHashMap"},
            // A map's null values are kept.
            "echo": {"n": 2, "big": 12345678901_u64, "x": 1.5, "s": "é\n", "t": true, "z": null,
                     "list": [1, "a"], "obj": {"k": []}}
        })
    );
}

const STREAMS: &str = r#"package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

public class Shout implements RequestStreamHandler {
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        output.write(("{\"shouted\": " + text.toUpperCase() + ", \"by\": \"" + context.getFunctionName() + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    public static String greet(String name) {
        return "Hello, " + name;
    }
}
"#;

#[test]
fn stream_handlers_get_the_bytes_and_methods_take_a_string() {
    if !jdk_ready("stream_handlers_get_the_bytes_and_methods_take_a_string") {
        return;
    }
    let test = TestWorkspace::new();
    let function = add_java(
        &test,
        "shout",
        "example.Shout",
        &[("src/main/java/example/Shout.java", STREAMS)],
    );
    let mut environment = Environment::start(&function);
    assert_eq!(
        environment.response(r#""quiet please""#),
        json!({"shouted": "QUIET PLEASE", "by": "shout"})
    );

    let greet = add_java(
        &test,
        "greet",
        "example.Shout::greet",
        &[("src/main/java/example/Shout.java", STREAMS)],
    );
    let mut environment = Environment::start(&greet);
    assert_eq!(environment.response(r#""Ada""#), json!("Hello, Ada"));
    // An object is no String: Lambda's serializer refuses it, and the runtime says so.
    let Posted::Error { body, .. } = environment.invoke(r#"{"name": "Ada"}"#) else {
        panic!("an object for a String parameter must fail");
    };
    assert_eq!(
        body["errorMessage"],
        "An error occurred during JSON parsing"
    );
    assert_eq!(body["errorType"], "java.lang.RuntimeException");
}

const FAILS: &str = r#"package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

public class Fails implements RequestHandler<Map<String, Object>, String> {
    public String handleRequest(Map<String, Object> event, Context context) {
        if (event.containsKey("ok")) {
            return "fine";
        }
        System.out.println("about to fail");
        return check(event);
    }

    private String check(Map<String, Object> event) {
        try {
            Integer.parseInt("x");
            return "unreachable";
        } catch (NumberFormatException e) {
            throw new IllegalStateException("no stock for " + event.get("sku"), e);
        }
    }
}
"#;

#[test]
fn a_handlers_exception_is_lambdas_error_json_and_the_environment_goes_on() {
    if !jdk_ready("a_handlers_exception_is_lambdas_error_json_and_the_environment_goes_on") {
        return;
    }
    let test = TestWorkspace::new();
    let function = add_java(
        &test,
        "fails",
        "example.Fails::handleRequest",
        &[("src/main/java/example/Fails.java", FAILS)],
    );
    let mut environment = Environment::start(&function);
    let Posted::Error {
        request_id,
        error_type,
        body,
    } = environment.invoke(r#"{"sku": "tea"}"#)
    else {
        panic!("the handler threw: {:#?}", environment.log());
    };
    assert_eq!(request_id, "req-1");
    assert_eq!(error_type.as_deref(), Some("Runtime.UserException"));
    assert_eq!(body["errorMessage"], "no stock for tea");
    assert_eq!(body["errorType"], "java.lang.IllegalStateException");
    let trace: Vec<&str> = body["stackTrace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|frame| frame.as_str().unwrap())
        .collect();
    assert_eq!(
        trace[..2],
        [
            "example.Fails.check(Fails.java:21)",
            "example.Fails.handleRequest(Fails.java:13)"
        ]
    );
    // A `Class::method` handler is called through reflection, whose frames Lambda's Java
    // runtime leaves in; the runtime client's own frames are cut off.
    assert!(
        trace[2..]
            .iter()
            .all(|frame| frame.starts_with("java.base/jdk.internal.reflect.")
                || frame.starts_with("java.base/java.lang.reflect.Method.invoke(")),
        "{trace:#?}"
    );
    let log = environment.log();
    let at = log
        .iter()
        .position(|line| line == "no stock for tea: java.lang.IllegalStateException")
        .unwrap_or_else(|| panic!("{log:#?}"));
    assert!(
        log[..at].iter().any(|line| line == "about to fail"),
        "{log:#?}"
    );
    assert!(
        log.iter()
            .any(|line| line.starts_with("Caused by: java.lang.NumberFormatException")),
        "{log:#?}"
    );
    // The environment serves the next event.
    assert_eq!(environment.response(r#"{"ok": 1}"#), json!("fine"));
}

#[test]
fn a_missing_class_fails_each_invocation_as_lambdas_java_runtime_does() {
    if !jdk_ready("a_missing_class_fails_each_invocation_as_lambdas_java_runtime_does") {
        return;
    }
    let test = TestWorkspace::new();
    let function = add_java(
        &test,
        "missing",
        "example.Missing::handleRequest",
        &[("src/main/java/example/Fails.java", FAILS)],
    );
    let mut environment = Environment::start(&function);
    for _ in 0..2 {
        let posted = environment.invoke("{}");
        assert_eq!(
            posted,
            Posted::Error {
                request_id: format!("req-{}", environment.invocations),
                error_type: Some("Runtime.BadFunctionCode".to_owned()),
                body: json!({
                    "errorMessage": "Class not found: example.Missing",
                    "errorType": "java.lang.ClassNotFoundException"
                }),
            }
        );
    }
    let wrong_method = add_java(
        &test,
        "wrong-method",
        "example.Fails::handle",
        &[("src/main/java/example/Fails.java", FAILS)],
    );
    let mut environment = Environment::start(&wrong_method);
    let Posted::Error { body, .. } = environment.invoke("{}") else {
        panic!("no such method");
    };
    assert_eq!(
        body,
        json!({"errorMessage": "No public method named handle with appropriate method signature found on class example.Fails"})
    );
}

const BROKEN_INIT: &str = r#"package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

public class Broken implements RequestHandler<Object, Object> {
    static final String TABLE = System.getenv("TABLE_NAME").trim();

    public Object handleRequest(Object event, Context context) {
        return TABLE;
    }
}
"#;

const BROKEN_CONSTRUCTOR: &str = r#"package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

public class NoConfig implements RequestHandler<Object, Object> {
    public NoConfig() {
        throw new IllegalArgumentException("TABLE_NAME is not set");
    }

    public Object handleRequest(Object event, Context context) {
        return null;
    }
}
"#;

#[test]
fn a_failing_static_initialiser_or_constructor_fails_init() {
    if !jdk_ready("a_failing_static_initialiser_or_constructor_fails_init") {
        return;
    }
    let test = TestWorkspace::new();
    let function = add_java(
        &test,
        "broken",
        "example.Broken",
        &[("src/main/java/example/Broken.java", BROKEN_INIT)],
    );
    let mut environment = Environment::start(&function);
    assert_eq!(
        environment.api.next_posted(WAIT),
        Posted::InitError {
            error_type: Some("Runtime.BadFunctionCode".to_owned()),
            body: json!({"errorMessage": "Error loading class example.Broken",
                         "errorType": "java.lang.ExceptionInInitializerError"}),
        }
    );
    assert_eq!(environment.exit_code(), Some(1));
    let log = environment.log();
    assert!(
        log.iter().any(|line| line
            == "Error loading class example.Broken: java.lang.ExceptionInInitializerError"),
        "{log:#?}"
    );
    assert!(
        log.iter()
            .any(|line| line.starts_with("Caused by: java.lang.NullPointerException")),
        "{log:#?}"
    );

    let function = add_java(
        &test,
        "no-config",
        "example.NoConfig",
        &[("src/main/java/example/NoConfig.java", BROKEN_CONSTRUCTOR)],
    );
    let mut environment = Environment::start(&function);
    assert_eq!(
        environment.api.next_posted(WAIT),
        Posted::InitError {
            error_type: Some("Runtime.BadFunctionCode".to_owned()),
            body: json!({"errorMessage": "TABLE_NAME is not set",
                         "errorType": "java.lang.IllegalArgumentException"}),
        }
    );
    assert_eq!(environment.exit_code(), Some(1));
}

#[test]
fn javac_errors_are_diagnostics_at_their_line_and_unchanged_code_is_not_compiled_again() {
    if !jdk_ready(
        "javac_errors_are_diagnostics_at_their_line_and_unchanged_code_is_not_compiled_again",
    ) {
        return;
    }
    let test = TestWorkspace::new();
    let source = "src/main/java/example/Fails.java";
    let function = add_java(&test, "compiles", "example.Fails", &[(source, FAILS)]);
    let first = builder().build(&function).unwrap();
    let report = first.build.expect("compiled the first time");
    assert_eq!(report.crates_compiled, 1);
    assert!(report.module_path.join("example/Fails.class").is_file());
    assert_eq!(builder().build(&function).unwrap().build, None, "unchanged");

    std::fs::write(
        function.dir.join(source),
        FAILS.replace("return \"fine\";", "return fine;"),
    )
    .unwrap();
    let Err(BuildError::Compile { diagnostics }) = builder().build(&function) else {
        panic!("`fine` is no variable");
    };
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic.file, PathBuf::from(source));
    assert_eq!((diagnostic.line, diagnostic.column), (10, 20));
    assert_eq!(diagnostic.level, DiagnosticLevel::Error);
    assert_eq!(
        diagnostic.message,
        "cannot find symbol (symbol: variable fine; location: class Fails)"
    );
    let message = BuildError::Compile {
        diagnostics: diagnostics.clone(),
    }
    .to_string();
    assert!(
        message.contains("src/main/java/example/Fails.java:10:20: error: cannot find symbol"),
        "{message}"
    );

    std::fs::write(function.dir.join(source), FAILS.replace("fine", "better")).unwrap();
    let rebuilt = builder().build(&function).unwrap();
    assert!(
        rebuilt.build.is_some(),
        "a changed source is compiled again"
    );
    let mut environment = Environment::start(&function);
    assert_eq!(environment.response(r#"{"ok": true}"#), json!("better"));
}

#[test]
fn a_jar_in_lib_is_lambdas_deployment_package() {
    if !jdk_ready("a_jar_in_lib_is_lambdas_deployment_package") {
        return;
    }
    let test = TestWorkspace::new();
    // The jar a Maven or Gradle build makes, compiled against the client's interfaces as
    // it would be against aws-lambda-java-core.
    let work = test.dir.path().join("jar-work");
    std::fs::create_dir_all(work.join("src/example")).unwrap();
    std::fs::write(work.join("src/example/Shout.java"), STREAMS).unwrap();
    let client = builder().runtime_client().unwrap();
    let jdk = builder().check_toolchain().unwrap();
    let status = Command::new(&jdk.javac)
        .arg("-cp")
        .arg(&client.classes_dir)
        .args(["-d", "classes", "src/example/Shout.java"])
        .current_dir(&work)
        .status()
        .unwrap();
    assert!(status.success());
    let jar = jdk.javac.with_file_name("jar");
    let status = Command::new(&jar)
        .args(["--create", "--file", "shout.jar", "-C", "classes", "."])
        .current_dir(&work)
        .status()
        .unwrap();
    assert!(status.success());
    let function = add_java(&test, "from-jar", "example.Shout::greet", &[]);
    std::fs::create_dir_all(function.dir.join("lib")).unwrap();
    std::fs::copy(work.join("shout.jar"), function.dir.join("lib/shout.jar")).unwrap();
    let code = builder().build(&function).unwrap();
    assert_eq!(code.build, None, "nothing to compile");
    assert!(code.classpath.contains(&function.dir.join("lib/shout.jar")));
    let mut environment = Environment::start(&function);
    assert_eq!(environment.response(r#""jar""#), json!("Hello, jar"));
}

#[test]
fn a_folder_without_java_code_and_a_missing_jdk_are_told_plainly() {
    let test = TestWorkspace::new();
    let function = add_java(&test, "empty", "example.Hello", &[("README.md", "nothing")]);
    let missing_jdk = JavaBuilder::new(JavaBuildOptions {
        java_home: Some(test.dir.path().join("no-jdk")),
        ..JavaBuildOptions::default()
    });
    let message = missing_jdk.build(&function).unwrap_err().to_string();
    assert!(
        message.starts_with("runtime java needs a JDK 17+: `")
            && message.contains("no-jdk/bin/javac` was not found"),
        "{message}"
    );
    if !jdk_ready("a_folder_without_java_code_and_a_missing_jdk_are_told_plainly") {
        return;
    }
    let message = builder().build(&function).unwrap_err().to_string();
    assert!(message.contains("holds no Java code"), "{message}");
}

#[test]
fn the_java_blueprints_answer_their_test_events() {
    if !jdk_ready("the_java_blueprints_answer_their_test_events") {
        return;
    }
    let test = TestWorkspace::new();
    let hello = common::from_blueprint(&test, "java-hello", "hello");
    let mut environment = Environment::start(&hello);
    let event = std::fs::read_to_string(hello.dir.join("events/hello.json")).unwrap();
    assert_eq!(
        environment.response(&event),
        json!({"message": "Hello, Ada!", "count": 1})
    );
    assert_eq!(
        environment.response(&event),
        json!({"message": "Hello, Ada!", "count": 2})
    );
    let log = environment.log();
    assert!(
        log.iter()
            .any(|line| line == "greeting Ada (request req-1)"),
        "{log:#?}"
    );

    let api = common::from_blueprint(&test, "java-http-api", "api");
    let mut environment = Environment::start(&api);
    let event = std::fs::read_to_string(api.dir.join("events/get-item.json")).unwrap();
    let response = environment.response(&event);
    assert_eq!(response["statusCode"], 200);
    assert_eq!(response["headers"]["content-type"], "application/json");
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({"id": "1", "name": "coffee"}));
}

const GREEDY: &str = r#"package example;

import java.util.ArrayList;
import java.util.List;

public class Greedy {
    public static int handle(int megabytes) {
        List<byte[]> kept = new ArrayList<>();
        for (int i = 0; i < megabytes; i++) {
            kept.add(new byte[1024 * 1024]);
        }
        return kept.size();
    }
}
"#;

#[test]
fn the_heap_is_the_functions_memory_and_running_out_is_javas_out_of_memory_error() {
    if !jdk_ready("the_heap_is_the_functions_memory_and_running_out_is_javas_out_of_memory_error") {
        return;
    }
    if !has_prlimit() {
        eprintln!("skipping the memory limit's part: no prlimit (util-linux) here");
    }
    let test = TestWorkspace::new();
    let function = add_java(
        &test,
        "greedy",
        "example.Greedy::handle",
        &[("src/main/java/example/Greedy.java", GREEDY)],
    );
    assert_eq!(function.config.memory_mb, 128);
    let mut environment = Environment::start(&function);
    // 64 MB fit in 128 MB's heap (85 % of it).
    assert_eq!(environment.response("64"), json!(64));
    let Posted::Error {
        error_type, body, ..
    } = environment.invoke("200")
    else {
        panic!("200 MB cannot fit: {:#?}", environment.log());
    };
    assert_eq!(error_type.as_deref(), Some("Runtime.UserException"));
    assert_eq!(body["errorType"], "java.lang.OutOfMemoryError");
    assert_eq!(body["errorMessage"], "Java heap space");
    // The JVM is not trusted after that: the environment ends, as on Lambda.
    assert_eq!(environment.exit_code(), Some(1));
}

const SHAPES: &str = r#"package example;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public class Shapes {
    public enum Size { SMALL, LARGE }

    public record Item(String name, Size size, int[] counts, List<Map<String, Double>> prices) {}

    public static class Page<T> {
        public List<T> items;
        public Page<T> next;
    }

    public Map<String, Object> handle(Page<Item> page) {
        Map<String, Object> out = new LinkedHashMap<>();
        Item first = page.items.get(0);
        out.put("first", first);
        out.put("sizes", page.items.stream().map(Item::size).toList());
        out.put("nextItems", page.next == null ? null : page.next.items.size());
        out.put("date", new Date(86_400_000L));
        out.put("bytes", "hi".getBytes());
        out.put("nan", Double.NaN);
        out.put("chars", new char[] {'o', 'k'});
        return out;
    }

    public static Object when(Map<String, Object> event) {
        return event.containsKey("optional") ? Optional.of(1) : Instant.EPOCH;
    }
}
"#;

#[test]
fn records_enums_generics_and_jdk_types_are_read_and_written_as_lambdas_serializer_does() {
    if !jdk_ready(
        "records_enums_generics_and_jdk_types_are_read_and_written_as_lambdas_serializer_does",
    ) {
        return;
    }
    let test = TestWorkspace::new();
    let source = [("src/main/java/example/Shapes.java", SHAPES)];
    let function = add_java(&test, "shapes", "example.Shapes::handle", &source);
    let mut environment = Environment::start(&function);
    let answer = environment.response(
        r#"{"items": [{"name": "tea", "size": "LARGE", "counts": 3, "prices": [{"eur": 2}]},
                      {"name": "cup", "size": "HUGE"}],
            "next": {"items": [{}, {}, {}]}}"#,
    );
    assert_eq!(
        answer,
        json!({
            // A single value is read as a one-element array; an unknown enum name is null.
            "first": {"name": "tea", "size": "LARGE", "counts": [3], "prices": [{"eur": 2.0}]},
            "sizes": ["LARGE", null],
            "nextItems": 3,
            "date": 86_400_000,
            "bytes": "aGk=",
            "nan": "NaN",
            "chars": "ok"
        })
    );

    let function = add_java(&test, "when", "example.Shapes::when", &source);
    let mut environment = Environment::start(&function);
    for event in ["{}", r#"{"optional": true}"#] {
        let Posted::Error { body, .. } = environment.invoke(event) else {
            panic!("Jackson without its JDK 8 modules refuses these types");
        };
        assert_eq!(
            body["errorMessage"],
            "An error occurred during JSON serialization of response"
        );
    }
    let log = environment.log();
    assert!(
        log.iter().any(|line| line
            .contains("Java 8 date/time type `java.time.Instant` not supported by default")),
        "{log:#?}"
    );
}

#[tokio::test]
async fn saving_java_code_compiles_it_and_the_build_status_lists_javacs_errors() {
    if !jdk_ready("saving_java_code_compiles_it_and_the_build_status_lists_javacs_errors") {
        return;
    }
    let test = TestWorkspace::new();
    let source = "src/main/java/example/Fails.java";
    let function = add_java(
        &test,
        "checked",
        "example.Fails",
        &[(source, &FAILS.replace("return \"fine\";", "return fine;"))],
    );
    let runtime = test.runtime();
    // What the console runs when a file is saved.
    let checked = runtime.check_code(&test.workspace, &function).await;
    assert!(
        matches!(
            checked,
            Err(lambdesk::runtime::InvokeError::Build(
                BuildError::Compile { .. }
            ))
        ),
        "{checked:?}"
    );
    let status = runtime.build_status("checked").unwrap();
    assert_eq!(status.diagnostics.len(), 1, "{status:?}");
    assert_eq!(status.diagnostics[0].file, PathBuf::from(source));
    assert_eq!(status.diagnostics[0].line, 10);

    std::fs::write(function.dir.join(source), FAILS).unwrap();
    assert_eq!(
        runtime
            .check_code(&test.workspace, &function)
            .await
            .unwrap(),
        None
    );
    assert!(
        runtime
            .build_status("checked")
            .unwrap()
            .diagnostics
            .is_empty()
    );
    // The Build button compiles again even when nothing changed.
    let report = runtime.build(&function).await.unwrap();
    assert_eq!(report.crates_compiled, 1);
    assert!(report.module_path.join("example/Fails.class").is_file());
}

#[test]
fn lambdesk_new_and_build_make_a_java_function_and_name_javacs_errors() {
    if !jdk_ready("lambdesk_new_and_build_make_a_java_function_and_name_javacs_errors") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("java");
    let lambdesk = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lambdesk"))
            .arg("--workspace")
            .arg(dir.path().join("ws"))
            .args(args)
            .env("LAMBDESK_CACHE_DIR", dir.path().join("cache"))
            .env(lambdesk::runtime::JAVA_BUILD_DIR_VAR, root.join("build"))
            .env("LAMBDESK_RUNTIMES_DIR", root.join("runtimes"))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let created = lambdesk(&["new", "hello", "--blueprint", "java-hello"]);
    assert!(created.status.success(), "{created:?}");
    let built = lambdesk(&["build", "hello"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{stderr}");
    assert!(
        stderr.contains("lambdesk: built hello in ")
            && stderr.contains("(1 source files; not billed)"),
        "{stderr}"
    );
    let source = dir
        .path()
        .join("ws/functions/hello/src/main/java/example/Hello.java");
    let code = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, code.replace("count++;", "count++")).unwrap();
    let broken = lambdesk(&["build", "hello"]);
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert_eq!(broken.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("src/main/java/example/Hello.java:45:16: error: ';' expected"),
        "{stderr}"
    );
}

#[test]
fn the_runtime_client_comes_with_a_class_data_sharing_archive_the_jvm_maps() {
    if !jdk_ready("the_runtime_client_comes_with_a_class_data_sharing_archive_the_jvm_maps") {
        return;
    }
    let client = builder().runtime_client().unwrap();
    let (jar, archive) = (client.jar.unwrap(), client.shared_archive.unwrap());
    let test = TestWorkspace::new();
    let function = common::from_blueprint(&test, "java-hello", "hello");
    let (launch, _) = builder().launch(&function).unwrap();
    assert!(
        launch
            .args
            .contains(&format!("-XX:SharedArchiveFile={}", archive.display())),
        "{:?}",
        launch.args
    );
    // `-Xshare:on` refuses to start with an archive it cannot map.
    let jdk = builder().check_toolchain().unwrap();
    let output = Command::new(&jdk.java)
        .args([
            "-XX:+TieredCompilation",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
        ])
        .arg("-Xshare:on")
        .arg(format!("-XX:SharedArchiveFile={}", archive.display()))
        .arg("-cp")
        .arg(&jar)
        .arg("-version")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
