//! Brotli and zstd for Node's `zlib` (zlib.js builds the sync, callback and stream forms
//! on these, as for gzip): rust-brotli (Dropbox's pure-Rust port of Google's brotli,
//! encoder and decoder) and ruzstd (pure Rust), so both build for wasm32-wasip1 without a
//! C library. Errors are reported as Node words them, through zlib_natives' last error.

use brotli::enc::backward_references::BrotliEncoderMode;
use brotli::enc::{BrotliEncoderParams, StandardAlloc};
use brotli::{BrotliDecompressStream, BrotliResult, BrotliState};
use rquickjs::{Ctx, Function, Object, TypedArray};
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use ruzstd::encoding::{CompressionLevel, compress_to_vec};

use crate::zlib_natives::{Failure, set_last_error, unexpected_end};

/// Node's `BROTLI_PARAM_*` keys (zlib.constants), as brotli's encoder numbers them.
const BROTLI_PARAM_MODE: u32 = 0;
const BROTLI_PARAM_QUALITY: u32 = 1;
const BROTLI_PARAM_LGWIN: u32 = 2;
const BROTLI_PARAM_LGBLOCK: u32 = 3;
const BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: u32 = 4;
const BROTLI_PARAM_SIZE_HINT: u32 = 5;
const BROTLI_PARAM_LARGE_WINDOW: u32 = 6;

/// `params` are Node's `{ [BROTLI_PARAM_*]: value }` as key, value pairs; the defaults are
/// brotli's (and Node's): quality 11, window 22, generic mode.
fn brotli_compress(input: &[u8], params: &[(u32, u32)]) -> Result<Vec<u8>, Failure> {
    let mut settings = BrotliEncoderParams::default();
    for &(key, value) in params {
        // Out-of-range values are clamped, as brotli's C encoder does when it starts.
        let number = i32::try_from(value).unwrap_or(i32::MAX);
        match key {
            BROTLI_PARAM_MODE => {
                settings.mode = match value {
                    1 => BrotliEncoderMode::BROTLI_MODE_TEXT,
                    2 => BrotliEncoderMode::BROTLI_MODE_FONT,
                    _ => BrotliEncoderMode::BROTLI_MODE_GENERIC,
                }
            }
            BROTLI_PARAM_QUALITY => settings.quality = number.clamp(0, 11),
            BROTLI_PARAM_LGWIN => settings.lgwin = number.clamp(10, 24),
            BROTLI_PARAM_LGBLOCK => settings.lgblock = number,
            BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING => {
                settings.disable_literal_context_modeling = number;
            }
            BROTLI_PARAM_SIZE_HINT => settings.size_hint = value as usize,
            BROTLI_PARAM_LARGE_WINDOW => settings.large_window = value != 0,
            // NPOSTFIX and NDIRECT tune distance codes only; the defaults are as good.
            _ => {}
        }
    }
    let mut output = Vec::new();
    let mut reader = input;
    brotli::BrotliCompress(&mut reader, &mut output, &settings)
        .map_err(|error| (error.to_string(), "Z_DATA_ERROR".to_owned(), -3))?;
    Ok(output)
}

fn brotli_decompress(input: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut state = BrotliState::new(
        StandardAlloc::default(),
        StandardAlloc::default(),
        StandardAlloc::default(),
    );
    let mut output = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let (mut available_in, mut input_offset, mut total_out) = (input.len(), 0, 0);
    loop {
        let (mut available_out, mut output_offset) = (buffer.len(), 0);
        let result = BrotliDecompressStream(
            &mut available_in,
            &mut input_offset,
            input,
            &mut available_out,
            &mut output_offset,
            &mut buffer,
            &mut total_out,
            &mut state,
        );
        output.extend_from_slice(&buffer[..output_offset]);
        match result {
            BrotliResult::ResultSuccess => return Ok(output),
            BrotliResult::NeedsMoreOutput => {}
            BrotliResult::NeedsMoreInput => return Err(unexpected_end()),
            BrotliResult::ResultFailure => {
                let code = state.error_code;
                // Node: "ERR_" and brotli's name without its BROTLI_DECODER prefix
                // (the enum's variants are brotli's C names).
                let name = format!("{code:?}");
                let name = name.strip_prefix("BROTLI_DECODER").unwrap_or(&name);
                return Err((
                    "Decompression failed".to_owned(),
                    format!("ERR_{name}"),
                    code as i32,
                ));
            }
        }
    }
}

/// ruzstd's encoder has one level (about zstd's 1), so every level compresses with it.
fn zstd_compress(input: &[u8]) -> Vec<u8> {
    compress_to_vec(input, CompressionLevel::Fastest)
}

/// zstd's own names (ZSTD_getErrorName) and codes, as Node reports them.
fn zstd_failure(message: &str, name: &str, errno: i32) -> Failure {
    (message.to_owned(), format!("ZSTD_error_{name}"), errno)
}

/// Every frame in `input`, one after another (skippable frames skipped), as zstd does.
fn zstd_decompress(mut input: &[u8]) -> Result<Vec<u8>, Failure> {
    if input.is_empty() {
        return Err(unexpected_end());
    }
    let mut output = Vec::new();
    let mut decoder = FrameDecoder::new();
    while !input.is_empty() {
        match decoder.reset(&mut input) {
            Ok(()) => {}
            Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                length,
                ..
            })) => {
                input = input.get(length as usize..).ok_or_else(unexpected_end)?;
                continue;
            }
            Err(error) => return Err(zstd_error(&error)),
        }
        while !decoder.is_finished() {
            let before = input.len();
            decoder
                .decode_blocks(&mut input, BlockDecodingStrategy::UptoBytes(1024 * 1024))
                .map_err(|error| zstd_error(&error))?;
            decoder
                .collect_to_writer(&mut output)
                .map_err(|error| zstd_failure(&error.to_string(), "GENERIC", 1))?;
            if !decoder.is_finished() && input.len() == before {
                return Err(unexpected_end());
            }
        }
        decoder
            .collect_to_writer(&mut output)
            .map_err(|error| zstd_failure(&error.to_string(), "GENERIC", 1))?;
        if let (Some(stored), Some(computed)) = (
            decoder.get_checksum_from_data(),
            decoder.get_calculated_checksum(),
        ) && stored != computed
        {
            return Err(zstd_failure(
                "Restored data doesn't match checksum",
                "checksum_wrong",
                22,
            ));
        }
    }
    Ok(output)
}

/// A truncated frame is Node's "unexpected end of file"; a wrong magic number is zstd's
/// "Unknown frame descriptor"; anything else is corrupt data.
fn zstd_error(error: &FrameDecoderError) -> Failure {
    if let FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::BadMagicNumber(_)) = error
    {
        return zstd_failure("Unknown frame descriptor", "prefix_unknown", 10);
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::UnexpectedEof
        {
            return unexpected_end();
        }
        source = current.source();
    }
    zstd_failure("Data corruption detected", "corruption_detected", 20)
}

/// Runs `work`, handing JavaScript the bytes or null with the last error set.
fn answer<'js>(
    ctx: Ctx<'js>,
    work: Result<Vec<u8>, Failure>,
) -> rquickjs::Result<Option<TypedArray<'js, u8>>> {
    match work {
        Ok(output) => TypedArray::new(ctx, output).map(Some),
        Err(failure) => {
            set_last_error(failure);
            Ok(None)
        }
    }
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    // `brotliProcess(compress, bytes, [key, value, …])`: bytes, or null (zlibLastError).
    natives.set(
        "brotliProcess",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, compress: bool, input: TypedArray<'js, u8>, params: Vec<u32>| {
                // SAFETY: the slice is used before any JavaScript runs again.
                let bytes = unsafe { input.as_bytes() }.unwrap_or_default();
                let pairs: Vec<(u32, u32)> = params
                    .chunks_exact(2)
                    .map(|pair| (pair[0], pair[1]))
                    .collect();
                let work = if compress {
                    brotli_compress(bytes, &pairs)
                } else {
                    brotli_decompress(bytes)
                };
                answer(ctx, work)
            },
        )?,
    )?;
    // `zstdProcess(compress, bytes)`: bytes, or null (zlibLastError).
    natives.set(
        "zstdProcess",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, compress: bool, input: TypedArray<'js, u8>| {
                // SAFETY: the slice is used before any JavaScript runs again.
                let bytes = unsafe { input.as_bytes() }.unwrap_or_default();
                let work = if compress {
                    Ok(zstd_compress(bytes))
                } else {
                    zstd_decompress(bytes)
                };
                answer(ctx, work)
            },
        )?,
    )?;
    Ok(())
}
