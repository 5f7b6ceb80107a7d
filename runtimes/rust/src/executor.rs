//! Handlers are `async fn`s, as in `lambda_runtime`, but a WASI preview 1 module has no
//! I/O reactor to wait on: the future is polled until it is ready. What completes by being
//! polled (async code over synchronous calls, joins, `std::future::ready`) works; a future
//! waiting for a wake-up that never comes spins until the function's timeout.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs `future` to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}
