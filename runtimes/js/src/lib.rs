//! lambdesk's JavaScript runtime: QuickJS-NG (through rquickjs) compiled to wasm32-wasip1.
//!
//! One instance of this module is one Lambda execution environment. The host calls:
//! - `lambdesk_preinit()` once per machine, to snapshot: start the engine and run the
//!   bootstrap (console, timers, require, …). It touches no file, variable or clock that
//!   must be live, so the host can freeze the result (wizer) and start every environment
//!   from that snapshot.
//! - `lambdesk_init()` once per environment: pre-initialise if that was not done, take the
//!   live environment (variables, clocks, random seed) and load the handler module named
//!   by `_HANDLER` from `/var/task` — Lambda's Init phase. Returns a status; on failure the
//!   error JSON is on stdout.
//! - `lambdesk_alloc(len)` then `lambdesk_invoke(ptr, len)` per request: the request is
//!   one line of context JSON, a newline, and the event JSON. The response (or Lambda's
//!   error JSON) goes to stdout; log lines go to stderr.

mod agree_natives;
mod brotli_zstd_natives;
mod cipher_natives;
mod crypto_natives;
mod fs_errors;
mod fs_natives;
mod http_natives;
mod loader;
mod natives;
mod response_stream_natives;
mod rsa_keygen_natives;
mod sign_natives;
mod text_natives;
mod zlib_natives;

use std::cell::RefCell;
use std::io::Write as _;

use rquickjs::{CaughtError, Context, Ctx, Function, Object, Runtime, Value};

/// Status codes returned to the host.
const STATUS_OK: i32 = 0;
/// The handler failed; stdout holds the error JSON; the environment stays usable.
const STATUS_FUNCTION_ERROR: i32 = 1;
/// The environment is broken (Init failed, an unhandled rejection, an internal error);
/// stdout holds the error JSON; the host must discard this instance.
const STATUS_FATAL: i32 = 2;

/// Evaluated in this order at the start of every environment: the Node.js-like globals,
/// the web APIs written in JavaScript (`fetch` among them), `fs` and the AWS SDK shims,
/// then Node's built-in modules.
const BOOTSTRAP_SCRIPTS: &[(&str, &str)] = &[
    ("lambdesk:bootstrap", include_str!("bootstrap.js")),
    ("lambdesk:web-apis", include_str!("web_apis.js")),
    ("lambdesk:url", include_str!("url.js")),
    ("lambdesk:fetch", include_str!("fetch.js")),
    ("lambdesk:fs", include_str!("fs.js")),
    ("lambdesk:aws-sdk", include_str!("aws_sdk.js")),
    ("lambdesk:s3", include_str!("s3.js")),
    // Compiled and run here, so into the snapshot (see `preloadBuiltins` in bootstrap.js).
    ("lambdesk:node-vendor", include_str!("node_vendor.js")),
    ("lambdesk:node-builtins", include_str!("node_builtins.js")),
    ("lambdesk:fs-more", include_str!("fs_more.js")),
    ("lambdesk:node-more", include_str!("node_more.js")),
    ("lambdesk:crypto", include_str!("crypto.js")),
    ("lambdesk:crypto-cipher", include_str!("crypto_cipher.js")),
    ("lambdesk:crypto-sign", include_str!("crypto_sign.js")),
    ("lambdesk:crypto-keygen", include_str!("crypto_keygen.js")),
    ("lambdesk:node-sign", include_str!("crypto_node_sign.js")),
    ("lambdesk:crypto-streams", include_str!("crypto_streams.js")),
    ("lambdesk:zlib", include_str!("zlib.js")),
    ("lambdesk:web-streams", include_str!("web_streams.js")),
    ("lambdesk:web-blob", include_str!("web_blob.js")),
    ("lambdesk:streaming", include_str!("streaming.js")),
];

struct Environment {
    // Field order matters: the context must be dropped before its runtime.
    context: Context,
    _runtime: Runtime,
}

thread_local! {
    static ENVIRONMENT: RefCell<Option<Environment>> = const { RefCell::new(None) };
    /// Reasons of promises rejected with no handler, in order (Node's "unhandledRejection").
    static UNHANDLED_REJECTIONS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" {
    /// Runs C and Rust static constructors; a cdylib gets no `_initialize` from rustc.
    fn __wasm_call_ctors();
}

/// Memory for the host to write a request into; `lambdesk_invoke` takes ownership.
#[unsafe(no_mangle)]
pub extern "C" fn lambdesk_alloc(len: u32) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len as usize);
    let pointer = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    pointer
}

/// Starts the engine and runs the bootstrap; traps (panics) on failure, which fails the
/// snapshot, and the host then uses the module without one.
#[unsafe(no_mangle)]
pub extern "C" fn lambdesk_preinit() {
    if let Err(message) = preinit() {
        panic!("lambdesk_preinit: {message}");
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn lambdesk_init() -> i32 {
    natives::restart_clock();
    let preinitialized = ENVIRONMENT.with(|slot| slot.borrow().is_some());
    if !preinitialized && let Err(message) = preinit() {
        write_stdout(&internal_error_json(&message));
        return STATUS_FATAL;
    }
    match init() {
        Ok(None) => STATUS_OK,
        Ok(Some(error_json)) => {
            write_stdout(&error_json);
            STATUS_FATAL
        }
        Err(message) => {
            write_stdout(&internal_error_json(&message));
            STATUS_FATAL
        }
    }
}

/// # Safety
/// `pointer` must come from `lambdesk_alloc(len)` with the same `len`, filled by the host.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lambdesk_invoke(pointer: *mut u8, len: u32) -> i32 {
    // SAFETY: the host passes back the allocation `lambdesk_alloc` made for `len` bytes.
    let request = unsafe { Vec::from_raw_parts(pointer, len as usize, len as usize) };
    let request = String::from_utf8_lossy(&request).into_owned();
    let outcome = ENVIRONMENT.with(|slot| {
        let slot = slot.borrow();
        let Some(environment) = slot.as_ref() else {
            return Err("lambdesk_invoke called before lambdesk_init".to_owned());
        };
        environment
            .context
            .with(|ctx| invoke(&ctx, &request).map_err(|error| describe(&ctx, error)))
    });
    match outcome {
        Ok((status, payload)) => {
            write_stdout(&payload);
            status
        }
        Err(message) => {
            write_stdout(&internal_error_json(&message));
            STATUS_FATAL
        }
    }
}

/// Starts the engine and evaluates the bootstrap scripts.
fn preinit() -> Result<(), String> {
    // SAFETY: runs once, first, before anything else in this instance (a snapshot keeps
    // the fact that it ran, as it keeps the engine).
    unsafe { __wasm_call_ctors() };
    let runtime = Runtime::new().map_err(|error| error.to_string())?;
    runtime.set_loader(loader::TaskResolver, loader::TaskLoader);
    runtime.set_host_promise_rejection_tracker(Some(Box::new(track_rejection)));
    let context = Context::full(&runtime).map_err(|error| error.to_string())?;
    context.with(|ctx| run_bootstrap(&ctx).map_err(|error| describe(&ctx, error)))?;
    ENVIRONMENT.with(|slot| {
        *slot.borrow_mut() = Some(Environment {
            context,
            _runtime: runtime,
        });
    });
    Ok(())
}

fn run_bootstrap(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    natives::install(ctx)?;
    for (name, source) in BOOTSTRAP_SCRIPTS {
        let mut options = rquickjs::context::EvalOptions::default();
        options.strict = false;
        options.filename = Some((*name).to_owned());
        ctx.eval_with_options::<(), _>(*source, options)?;
    }
    let lambdesk: Object<'_> = ctx.globals().get("__lambdesk")?;
    let preload: Function<'_> = lambdesk.get("preloadBuiltins")?;
    preload.call::<_, ()>(())
}

/// Runs Init. `Ok(Some(json))` is a user-code error (syntax error, missing handler, …) in
/// Lambda's shape.
fn init() -> Result<Option<String>, String> {
    ENVIRONMENT.with(|slot| {
        let slot = slot.borrow();
        let Some(environment) = slot.as_ref() else {
            return Err("the engine is not started".to_owned());
        };
        environment
            .context
            .with(|ctx| run_init(&ctx).map_err(|error| describe(&ctx, error)))
    })
}

fn run_init<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Option<String>> {
    let lambdesk: Object<'js> = ctx.globals().get("__lambdesk")?;
    let start: Function<'js> = lambdesk.get("init")?;
    start.call::<_, ()>(())?;
    drive(ctx, &lambdesk)?;
    let finish: Function<'js> = lambdesk.get("finishInit")?;
    let error_json: String = finish.call(())?;
    Ok((!error_json.is_empty()).then_some(error_json))
}

fn invoke<'js>(ctx: &Ctx<'js>, request: &str) -> rquickjs::Result<(i32, String)> {
    UNHANDLED_REJECTIONS.with(|rejections| rejections.borrow_mut().clear());
    let lambdesk: Object<'js> = ctx.globals().get("__lambdesk")?;
    let start: Function<'js> = lambdesk.get("invoke")?;
    start.call::<_, ()>((request,))?;
    drive(ctx, &lambdesk)?;
    let finish: Function<'js> = lambdesk.get("finishInvoke")?;
    let result: String = finish.call(())?;
    // The first character is the status digit, the rest the payload JSON.
    let status = match result.as_bytes().first() {
        Some(b'0') => STATUS_OK,
        Some(b'1') => STATUS_FUNCTION_ERROR,
        _ => STATUS_FATAL,
    };
    let payload = result.get(1..).unwrap_or_default().to_owned();
    if let Some(reason) =
        UNHANDLED_REJECTIONS.with(|rejections| rejections.borrow().first().cloned())
    {
        let error: Function<'js> = lambdesk.get("unhandledRejectionJson")?;
        let json: String = error.call((reason,))?;
        return Ok((STATUS_FATAL, json));
    }
    Ok((status, payload))
}

/// Runs promise jobs and timers until the JS side says the invocation (or Init) is done.
/// Waiting for a timer sleeps through WASI, which the host turns into an async sleep.
fn drive<'js>(ctx: &Ctx<'js>, lambdesk: &Object<'js>) -> rquickjs::Result<()> {
    let is_done: Function<'js> = lambdesk.get("isDone")?;
    let next_timer_delay_ms: Function<'js> = lambdesk.get("nextTimerDelayMs")?;
    let run_due_timers: Function<'js> = lambdesk.get("runDueTimers")?;
    loop {
        while ctx.execute_pending_job() {}
        if is_done.call::<_, bool>(())? {
            return Ok(());
        }
        let delay_ms: f64 = next_timer_delay_ms.call(())?;
        if delay_ms > 0.0 {
            std::thread::sleep(std::time::Duration::from_secs_f64(delay_ms / 1000.0));
        }
        run_due_timers.call::<_, ()>(())?;
    }
}

fn track_rejection<'js>(ctx: Ctx<'js>, _promise: Value<'js>, reason: Value<'js>, is_handled: bool) {
    UNHANDLED_REJECTIONS.with(|rejections| {
        let mut rejections = rejections.borrow_mut();
        if is_handled {
            rejections.pop();
        } else {
            rejections.push(reason_text(&ctx, &reason));
        }
    });
}

/// `Name: message` of an error (or the value as a string), for unhandled rejections.
fn reason_text<'js>(ctx: &Ctx<'js>, reason: &Value<'js>) -> String {
    if let Some(object) = reason.as_object() {
        let name: Option<String> = object.get("name").ok();
        let message: Option<String> = object.get("message").ok();
        if let (Some(name), Some(message)) = (name, message) {
            return format!("{name}: {message}");
        }
    }
    ctx.json_stringify(reason.clone())
        .ok()
        .flatten()
        .and_then(|text| text.to_string().ok())
        .unwrap_or_else(|| "undefined".to_owned())
}

/// An exception that escaped to Rust, as text: the engine's own failures.
fn describe(ctx: &Ctx<'_>, error: rquickjs::Error) -> String {
    match CaughtError::from_error(ctx, error) {
        CaughtError::Exception(exception) => format!(
            "{}\n{}",
            exception.message().unwrap_or_default(),
            exception.stack().unwrap_or_default()
        ),
        CaughtError::Value(value) => format!("{value:?}"),
        CaughtError::Error(error) => error.to_string(),
    }
}

fn internal_error_json(message: &str) -> String {
    let escaped: String = message
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            '\n' => vec!['\\', 'n'],
            c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32).chars().collect(),
            c => vec![c],
        })
        .collect();
    format!("{{\"errorType\":\"Runtime.Unknown\",\"errorMessage\":\"{escaped}\"}}")
}

fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // Nothing to do if the host's stdout is gone: the host reports the failure.
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
