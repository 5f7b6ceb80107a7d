//! Text encodings for Buffer, TextEncoder and TextDecoder: UTF-8 and base64 in Rust. In
//! the engine, npm's buffer converts a byte at a time; a 1 MB CloudWatch Logs event
//! (base64, then UTF-8) took over a second that way.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rquickjs::{Ctx, Function, Object, TypedArray};

/// Node's base64 decoder reads both alphabets, with or without padding, and ignores what
/// is not base64 (whitespace); the input is cleaned to the standard alphabet first.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Bytes of `text` as Node decodes base64 and base64url: up to the first `=`, ignoring
/// characters outside both alphabets; a last lone character carries no whole byte.
fn base64_decode(text: &str) -> Vec<u8> {
    let mut clean: Vec<u8> = text
        .bytes()
        .take_while(|&byte| byte != b'=')
        .filter_map(|byte| match byte {
            b'-' => Some(b'+'),
            b'_' => Some(b'/'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => Some(byte),
            _ => None,
        })
        .collect();
    if clean.len() % 4 == 1 {
        clean.pop();
    }
    // The cleaned input is always valid for the lenient engine.
    LENIENT.decode(&clean).unwrap_or_default()
}

/// `bytes[start..end]`, clamped as Buffer's `toString(encoding, start, end)` clamps.
fn range(bytes: &[u8], start: usize, end: usize) -> &[u8] {
    let end = end.min(bytes.len());
    bytes.get(start.min(end)..end).unwrap_or_default()
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    natives.set(
        "utf8Encode",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, text: String| -> rquickjs::Result<TypedArray<'js, u8>> {
                TypedArray::new(ctx, text.into_bytes())
            },
        )?,
    )?;
    natives.set(
        "utf8Length",
        Function::new(ctx.clone(), |text: String| text.len()),
    )?;
    // Invalid sequences become U+FFFD, one per maximal invalid part, as the WHATWG decoder
    // (and so Node) replaces them.
    natives.set(
        "utf8Decode",
        Function::new(
            ctx.clone(),
            |bytes: TypedArray<'js, u8>, start: usize, end: usize| {
                // SAFETY: the slice is copied into a String before any JavaScript runs.
                let all = unsafe { bytes.as_bytes() }.unwrap_or_default();
                String::from_utf8_lossy(range(all, start, end)).into_owned()
            },
        )?,
    )?;
    natives.set(
        "base64Decode",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, text: String| -> rquickjs::Result<TypedArray<'js, u8>> {
                TypedArray::new(ctx, base64_decode(&text))
            },
        )?,
    )?;
    natives.set(
        "base64Encode",
        Function::new(
            ctx.clone(),
            |bytes: TypedArray<'js, u8>, start: usize, end: usize, url: bool| {
                // SAFETY: the slice is encoded into a String before any JavaScript runs.
                let all = unsafe { bytes.as_bytes() }.unwrap_or_default();
                let part = range(all, start, end);
                if url {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(part)
                } else {
                    base64::engine::general_purpose::STANDARD.encode(part)
                }
            },
        )?,
    )?;
    Ok(())
}
