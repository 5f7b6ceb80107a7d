//! Response streaming's way out of the guest: each chunk a streaming handler writes is
//! handed to the host as it is written (the host forwards it to the HTTP client), not
//! gathered on stdout as a buffered response is. See streaming.js for the JavaScript side.

use rquickjs::{Ctx, Function, Object, TypedArray};

#[link(wasm_import_module = "lambdesk")]
unsafe extern "C" {
    /// Tells the host the invocation streams its response, with the stream's content type
    /// (UTF-8 at `pointer`, `len` bytes). Returns 0.
    fn response_stream_open(pointer: *const u8, len: usize) -> i32;
    /// Sends `len` bytes at `pointer` to the response stream. Returns 0, or 1 when the
    /// stream is past Lambda's size limit for streamed responses (nothing was sent).
    fn response_stream_write(pointer: *const u8, len: usize) -> i32;
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    natives.set(
        "responseStreamOpen",
        Function::new(ctx.clone(), |content_type: String| {
            // SAFETY: the host reads `len` bytes at `pointer` during the call.
            unsafe { response_stream_open(content_type.as_ptr(), content_type.len()) }
        })?,
    )?;
    natives.set(
        "responseStreamWrite",
        Function::new(ctx.clone(), |bytes: TypedArray<'js, u8>| {
            // SAFETY: the slice is read by the host before any JavaScript runs.
            let chunk = unsafe { bytes.as_bytes() }.unwrap_or_default();
            if chunk.is_empty() {
                return 0;
            }
            // SAFETY: the host reads `len` bytes at `pointer` during the call.
            unsafe { response_stream_write(chunk.as_ptr(), chunk.len()) }
        })?,
    )?;
    Ok(())
}
