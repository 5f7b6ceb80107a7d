//! `fetch`'s way out of the sandbox. The guest has no sockets: a request goes to the host
//! (lambdesk's `http_fetch` import), which sends it to the workspace's own HTTP gateway or
//! answers that the connection was refused (see the host's `runtime/outbound_http.rs`).
//! Frames both ways are a line of JSON (the head), a newline, then the body.

use rquickjs::{Ctx, Function, Object, TypedArray};

#[link(wasm_import_module = "lambdesk")]
unsafe extern "C" {
    /// Sends the request frame at `request`; returns the length of the answer frame,
    /// which the host keeps until `http_response_read` takes it.
    fn http_fetch(request: *const u8, len: u32) -> u32;
    /// Copies up to `len` bytes of the answer frame to `buffer`; returns how many.
    fn http_response_read(buffer: *mut u8, len: u32) -> u32;
}

/// Sends a request frame and returns the answer frame. The guest waits (its fiber is
/// suspended in the host) until the gateway answers.
fn exchange(request: &[u8]) -> Vec<u8> {
    let Ok(len) = u32::try_from(request.len()) else {
        return failure(
            "ERR_FR_MAX_BODY_LENGTH_EXCEEDED",
            "the request is larger than 4 GiB",
        );
    };
    // SAFETY: the host reads `len` bytes of guest memory at `request`, a live slice.
    let answer_len = unsafe { http_fetch(request.as_ptr(), len) };
    let mut answer = vec![0u8; answer_len as usize];
    // SAFETY: the host writes at most `answer_len` bytes into the buffer just made.
    let read = unsafe { http_response_read(answer.as_mut_ptr(), answer_len) };
    answer.truncate(read as usize);
    answer
}

/// An answer frame of the guest's own making, in the host's failure shape.
fn failure(code: &str, message: &str) -> Vec<u8> {
    format!("{{\"error\":{{\"code\":\"{code}\",\"message\":\"{message}\"}}}}\n").into_bytes()
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    // `httpFetch(frame)`: the answer frame for a request frame (fetch.js makes and reads them).
    natives.set(
        "httpFetch",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             request: TypedArray<'js, u8>|
             -> rquickjs::Result<TypedArray<'js, u8>> {
                // SAFETY: the slice is used before any JavaScript runs again.
                let bytes = unsafe { request.as_bytes() }.unwrap_or_default();
                TypedArray::new(ctx, exchange(bytes))
            },
        )?,
    )?;
    Ok(())
}
