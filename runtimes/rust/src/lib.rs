//! Lambda's Rust runtime API (`lambda_runtime`) for functions lambdesk runs as
//! WebAssembly (`wasm32-wasip1`): the same `run(service_fn(handler))`, [`LambdaEvent`]
//! and [`Context`], with errors answered as Lambda's error JSON and logs on stderr.
//!
//! ```ignore
//! use lambdesk_lambda::{Error, LambdaEvent, service_fn};
//! use serde_json::{Value, json};
//!
//! async fn function_handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
//!     let name = event.payload["name"].as_str().unwrap_or("world");
//!     Ok(json!({ "message": format!("Hello, {name}!") }))
//! }
//!
//! fn main() -> Result<(), Error> {
//!     lambdesk_lambda::run(service_fn(function_handler))
//! }
//!
//! lambdesk_lambda::main!(main);
//! ```
//!
//! The crate is a `cdylib`: lambdesk keeps one instance per execution environment, runs
//! `main` once at Init (as Lambda runs the code before `run`), then calls the handler
//! for each event in the same instance, so globals and clients made in `main` stay warm.

mod context;
mod diagnostic;
mod executor;
mod service;

#[doc(hidden)]
pub mod environment;

pub use context::{ClientApplication, ClientContext, Config, Context};
pub use diagnostic::Diagnostic;
pub use executor::block_on;
pub use service::{Service, ServiceFn, service_fn};

/// The error type handlers and `main` usually return, as in `lambda_runtime`.
pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An event and the context of its invocation, as `lambda_runtime::LambdaEvent`.
#[derive(Debug, Clone)]
pub struct LambdaEvent<T> {
    pub payload: T,
    pub context: Context,
}

impl<T> LambdaEvent<T> {
    pub fn new(payload: T, context: Context) -> Self {
        Self { payload, context }
    }

    /// The payload and the context, apart.
    pub fn into_parts(self) -> (T, Context) {
        (self.payload, self.context)
    }
}

/// Registers the handler every invocation of this execution environment calls.
///
/// Called from `main` (see [`main!`]): what `main` does before is Lambda's Init, done
/// once per environment. Unlike `lambda_runtime::run` it returns at once — lambdesk calls
/// the handler for each event — and is not `async`.
pub fn run<S, T, R, E>(service: S) -> Result<(), Error>
where
    S: Service<LambdaEvent<T>, Response = R, Error = E> + 'static,
    T: serde::de::DeserializeOwned,
    R: serde::Serialize,
    E: Into<Diagnostic>,
{
    environment::register(service);
    Ok(())
}

/// Makes the crate a lambdesk execution environment whose Init runs `$main`
/// (a `fn() -> Result<(), E>` that calls [`run`]): it exports `lambdesk_init`,
/// `lambdesk_alloc` and `lambdesk_invoke`. Write it once, at the crate's root.
#[macro_export]
macro_rules! main {
    ($main:path) => {
        /// Lambda's Init: runs `main`, which registers the handler.
        #[unsafe(no_mangle)]
        pub extern "C" fn lambdesk_init() -> i32 {
            $crate::environment::init(|| $main().map_err(::core::convert::Into::into))
        }

        /// Memory for the host to write a request into; `lambdesk_invoke` takes it back.
        #[unsafe(no_mangle)]
        pub extern "C" fn lambdesk_alloc(len: u32) -> *mut u8 {
            $crate::environment::alloc(len)
        }

        /// One invocation: a line of context JSON, a newline, then the event JSON.
        ///
        /// # Safety
        /// `pointer` comes from `lambdesk_alloc(len)` with the same `len`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn lambdesk_invoke(pointer: *mut u8, len: u32) -> i32 {
            // SAFETY: the host passes back what `lambdesk_alloc(len)` returned, filled.
            unsafe { $crate::environment::invoke(pointer, len) }
        }
    };
}
