//! The execution environment's side of lambdesk's contract (see ARCHITECTURE.md's
//! environment mode): what the exports [`crate::main!`] writes call.
//!
//! - `lambdesk_init()` once: Lambda's Init, the user's `main`, which registers the handler.
//! - `lambdesk_alloc(len)` then `lambdesk_invoke(pointer, len)` per event: the request is
//!   one line of context JSON (`awsRequestId`, `deadlineMs`, `invokedFunctionArn`, and
//!   `clientContext` when the caller gave one), a newline, and the event JSON.
//!
//! Each answers a status; the response or Lambda's error JSON goes to stdout, logs to
//! stderr.

use std::cell::RefCell;
use std::io::Write as _;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ClientContext, Config, Context, Diagnostic, Error, LambdaEvent, Service};

/// stdout holds the response.
const STATUS_OK: i32 = 0;
/// stdout holds the handler's error; the environment stays usable.
const STATUS_FUNCTION_ERROR: i32 = 1;
/// stdout holds the error; the host discards the environment.
const STATUS_FATAL: i32 = 2;

/// The registered handler, its event and response types erased.
type Handler = Box<dyn FnMut(&[u8], Context) -> Result<Vec<u8>, Diagnostic>>;

thread_local! {
    static HANDLER: RefCell<Option<Handler>> = const { RefCell::new(None) };
    static CONFIG: RefCell<Arc<Config>> = RefCell::new(Arc::default());
}

#[cfg(target_family = "wasm")]
unsafe extern "C" {
    /// Runs static constructors (of C code a dependency links, say): rustc gives a
    /// `cdylib` no `_initialize` that would.
    fn __wasm_call_ctors();
}

/// The request's first line, as lambdesk writes it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext {
    aws_request_id: String,
    deadline_ms: u64,
    invoked_function_arn: String,
    #[serde(default)]
    client_context: Option<ClientContext>,
}

pub(crate) fn register<S, T, R, E>(mut service: S)
where
    S: Service<LambdaEvent<T>, Response = R, Error = E> + 'static,
    T: DeserializeOwned,
    R: Serialize,
    E: Into<Diagnostic>,
{
    let handler: Handler = Box::new(move |event, context| {
        let payload: T = serde_json::from_slice(event)
            .map_err(|error| Diagnostic::new("Runtime.UnmarshalError", error.to_string()))?;
        let response = crate::block_on(service.call(LambdaEvent::new(payload, context)))
            .map_err(Into::into)?;
        serde_json::to_vec(&response)
            .map_err(|error| Diagnostic::new("Runtime.MarshalError", error.to_string()))
    });
    HANDLER.with(|slot| *slot.borrow_mut() = Some(handler));
}

/// Lambda's Init: the configuration is read and `main` runs once.
pub fn init(main: impl FnOnce() -> Result<(), Error>) -> i32 {
    #[cfg(target_family = "wasm")]
    // SAFETY: wasm-ld defines it; it runs before any other code of the crate.
    unsafe {
        __wasm_call_ctors();
    }
    CONFIG.with(|config| *config.borrow_mut() = Arc::new(Config::from_env()));
    if let Err(error) = main() {
        return answer(STATUS_FATAL, &Diagnostic::from(error).to_json());
    }
    if HANDLER.with(|slot| slot.borrow().is_none()) {
        let error = Diagnostic::new(
            "Runtime.NoHandler",
            "main returned without calling lambdesk_lambda::run(service_fn(handler))",
        );
        return answer(STATUS_FATAL, &error.to_json());
    }
    STATUS_OK
}

/// A buffer of `len` bytes that `invoke` takes back.
pub fn alloc(len: u32) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len as usize);
    let pointer = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    pointer
}

/// One invocation.
///
/// # Safety
/// `pointer` must come from `alloc(len)` with the same `len`, filled by the host.
pub unsafe fn invoke(pointer: *mut u8, len: u32) -> i32 {
    // SAFETY: the host gives back the allocation `alloc(len)` made, all `len` bytes written.
    let request = unsafe { Vec::from_raw_parts(pointer, len as usize, len as usize) };
    let (context_line, event) = match request.iter().position(|&byte| byte == b'\n') {
        Some(newline) => (&request[..newline], &request[newline + 1..]),
        None => (&request[..], &[][..]),
    };
    let context = match serde_json::from_slice::<RequestContext>(context_line) {
        Ok(request) => {
            let mut context = Context::new(
                request.aws_request_id,
                request.deadline_ms,
                request.invoked_function_arn,
                CONFIG.with(|config| Arc::clone(&config.borrow())),
            );
            context.client_context = request.client_context;
            context
        }
        Err(error) => {
            let error = Diagnostic::new(
                "Runtime.InvalidRequest",
                format!("lambdesk's request context is not readable: {error}"),
            );
            return answer(STATUS_FATAL, &error.to_json());
        }
    };
    // Taken out while it runs, so a handler that calls `run` again cannot alias it.
    let Some(mut handler) = HANDLER.with(|slot| slot.borrow_mut().take()) else {
        let error = Diagnostic::new("Runtime.NoHandler", "lambdesk_invoke before lambdesk_init");
        return answer(STATUS_FATAL, &error.to_json());
    };
    let outcome = handler(event, context);
    HANDLER.with(|slot| {
        slot.borrow_mut().get_or_insert(handler);
    });
    match outcome {
        Ok(response) => answer(STATUS_OK, &response),
        // lambdesk logs the error itself, as Lambda does.
        Err(error) => answer(STATUS_FUNCTION_ERROR, &error.to_json()),
    }
}

fn answer(status: i32, payload: &[u8]) -> i32 {
    let mut stdout = std::io::stdout().lock();
    // If stdout is gone the host sees an empty answer and reports it; nothing else to do.
    let _ = stdout.write_all(payload).and_then(|()| stdout.flush());
    status
}
