//! Compression for Node's `zlib` (`zlib.js` builds the sync, callback and stream forms on
//! this): flate2 over miniz_oxide, pure Rust, so it builds for wasm32-wasip1.

use std::cell::RefCell;

use flate2::Compression;
use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use rquickjs::{Ctx, Function, Object, TypedArray};

thread_local! {
    /// Why the last call failed, as Node says it: `[message, code, errno]`.
    static LAST_ERROR: RefCell<(String, String, i32)> =
        const { RefCell::new((String::new(), String::new(), 0)) };
}

/// Node's `Z_DATA_ERROR`: the input is not in the format.
const Z_DATA_ERROR: i32 = -3;
/// Node's `Z_BUF_ERROR`: the input ended early.
const Z_BUF_ERROR: i32 = -5;

/// Why a conversion failed, as Node says it: message, code, errno.
pub type Failure = (String, String, i32);

/// Keeps `failure` for `zlibLastError()` (brotli and zstd report through it too).
pub fn set_last_error(failure: Failure) {
    LAST_ERROR.with(|last| *last.borrow_mut() = failure);
}

/// What zlib, brotli and zstd all say in Node when the input stops before its end.
pub fn unexpected_end() -> Failure {
    (
        "unexpected end of file".to_owned(),
        "Z_BUF_ERROR".to_owned(),
        Z_BUF_ERROR,
    )
}

/// Compresses or decompresses `input`; `mode` is Node's method name without `Sync`.
fn process(mode: &str, input: &[u8], level: u32) -> Result<Vec<u8>, (String, &'static str, i32)> {
    let level = Compression::new(level.min(9));
    let compressed = |result: std::io::Result<Vec<u8>>| {
        // Writing into a Vec cannot fail.
        result.map_err(|error| (error.to_string(), "Z_DATA_ERROR", Z_DATA_ERROR))
    };
    match mode {
        "gzip" => compressed(write_all(GzEncoder::new(Vec::new(), level), input)),
        "deflate" => compressed(write_all(ZlibEncoder::new(Vec::new(), level), input)),
        "deflateRaw" => compressed(write_all(DeflateEncoder::new(Vec::new(), level), input)),
        "gunzip" => {
            check_header(
                input.len() >= 2 && input[0] == 0x1f && input[1] == 0x8b,
                input,
            )?;
            read_all(MultiGzDecoder::new(input))
        }
        "inflate" => {
            check_header(has_zlib_header(input), input)?;
            read_all(ZlibDecoder::new(input))
        }
        "inflateRaw" => read_all(DeflateDecoder::new(input)),
        // Node's unzip: gzip or zlib, told by the header.
        "unzip" if input.starts_with(&[0x1f, 0x8b]) => read_all(MultiGzDecoder::new(input)),
        "unzip" => {
            check_header(has_zlib_header(input), input)?;
            read_all(ZlibDecoder::new(input))
        }
        _ => Err((
            format!("unknown zlib mode {mode}"),
            "ERR_INVALID_ARG_VALUE",
            0,
        )),
    }
}

fn has_zlib_header(input: &[u8]) -> bool {
    input.len() >= 2
        && input[0] & 0x0f == 8
        && (u16::from(input[0]) << 8 | u16::from(input[1])) % 31 == 0
}

/// zlib's complaints about the first bytes, in its words; empty input ends early.
fn check_header(valid: bool, input: &[u8]) -> Result<(), (String, &'static str, i32)> {
    if input.is_empty() {
        return Err((
            "unexpected end of file".to_owned(),
            "Z_BUF_ERROR",
            Z_BUF_ERROR,
        ));
    }
    if valid {
        return Ok(());
    }
    Err((
        "incorrect header check".to_owned(),
        "Z_DATA_ERROR",
        Z_DATA_ERROR,
    ))
}

fn write_all<W: std::io::Write + Finish>(mut encoder: W, input: &[u8]) -> std::io::Result<Vec<u8>> {
    encoder.write_all(input)?;
    encoder.finish_into_vec()
}

/// flate2's encoders each have their own `finish`.
trait Finish {
    fn finish_into_vec(self) -> std::io::Result<Vec<u8>>;
}

impl Finish for GzEncoder<Vec<u8>> {
    fn finish_into_vec(self) -> std::io::Result<Vec<u8>> {
        self.finish()
    }
}

impl Finish for ZlibEncoder<Vec<u8>> {
    fn finish_into_vec(self) -> std::io::Result<Vec<u8>> {
        self.finish()
    }
}

impl Finish for DeflateEncoder<Vec<u8>> {
    fn finish_into_vec(self) -> std::io::Result<Vec<u8>> {
        self.finish()
    }
}

fn read_all(mut decoder: impl std::io::Read) -> Result<Vec<u8>, (String, &'static str, i32)> {
    let mut output = Vec::new();
    match decoder.read_to_end(&mut output) {
        Ok(_) => Ok(output),
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => Err((
            "unexpected end of file".to_owned(),
            "Z_BUF_ERROR",
            Z_BUF_ERROR,
        )),
        Err(error) => Err((error.to_string(), "Z_DATA_ERROR", Z_DATA_ERROR)),
    }
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    // `zlibProcess(mode, bytes, level)`: the result, or null with `zlibLastError()` set.
    natives.set(
        "zlibProcess",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             mode: String,
             input: TypedArray<'js, u8>,
             level: u32|
             -> rquickjs::Result<Option<TypedArray<'js, u8>>> {
                // SAFETY: the slice is used before any JavaScript runs again.
                let bytes = unsafe { input.as_bytes() }.unwrap_or_default();
                match process(&mode, bytes, level) {
                    Ok(output) => TypedArray::new(ctx, output).map(Some),
                    Err((message, code, errno)) => {
                        set_last_error((message, code.to_owned(), errno));
                        Ok(None)
                    }
                }
            },
        )?,
    )?;
    natives.set(
        "zlibCrc32",
        Function::new(ctx.clone(), |data: TypedArray<'js, u8>, initial: u32| {
            let mut hasher = crc32fast::Hasher::new_with_initial(initial);
            // SAFETY: the slice is used before any JavaScript runs again.
            hasher.update(unsafe { data.as_bytes() }.unwrap_or_default());
            hasher.finalize()
        })?,
    )?;
    natives.set(
        "zlibLastError",
        Function::new(ctx.clone(), || {
            LAST_ERROR.with(|last| {
                let (message, code, errno) = last.borrow().clone();
                vec![message, code, errno.to_string()]
            })
        })?,
    )?;
    Ok(())
}
