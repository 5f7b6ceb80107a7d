//! AES ciphers and key derivation for Node's `crypto` (`createCipheriv`,
//! `createDecipheriv`, `pbkdf2`, `hkdf`) and Web Crypto's `encrypt`, `decrypt`,
//! `wrapKey`/`unwrapKey` (AES-KW) and `deriveBits` (`crypto_cipher.js` builds both APIs on these): RustCrypto's pure-Rust
//! implementations, which build for wasm32-wasip1 and run far faster than JavaScript.
//!
//! A CBC or CTR cipher in progress lives here, known to JavaScript by a number as a hash
//! is (`crypto_natives.rs`), so `update` turns each chunk into output as it comes. GCM is
//! one call: its tag needs all the data, and handlers hand it over at once anyway.

use std::cell::RefCell;
use std::collections::HashMap;

use aes::cipher;
use aes::{Aes128, Aes192, Aes256};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{AesGcm, KeyInit};
use cipher::consts::U12;
use cipher::{Block, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, StreamCipher};
use rquickjs::{Ctx, Function, Object, TypedArray};

const BLOCK_LEN: usize = 16;

/// Why a cipher's last step failed, in Node's words (JS adds the code).
#[derive(Debug)]
enum FinalError {
    /// Decrypting: the padding was not PKCS#7's (a wrong key or IV, or damaged data).
    BadDecrypt,
    /// No padding and the data was not a whole number of blocks.
    WrongFinalBlockLength,
}

/// A cipher in progress, whatever its mode and key size.
trait CipherState {
    fn update(&mut self, input: &[u8]) -> Vec<u8>;
    fn finish(self: Box<Self>) -> Result<Vec<u8>, FinalError>;
}

/// CBC: whole blocks are encrypted as they arrive; the rest waits for more data or the end.
struct CbcEncrypt<C: BlockModeEncrypt> {
    mode: C,
    pending: Vec<u8>,
    padding: bool,
}

impl<C: BlockModeEncrypt> CbcEncrypt<C> {
    fn encrypt_whole_blocks(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        for chunk in bytes.chunks_exact(BLOCK_LEN) {
            let mut block = Block::<C>::try_from(chunk).expect("chunks are one block long");
            self.mode.encrypt_block(&mut block);
            out.extend_from_slice(&block);
        }
        out
    }
}

impl<C: BlockModeEncrypt> CipherState for CbcEncrypt<C> {
    fn update(&mut self, input: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(input);
        let whole = self.pending.len() - self.pending.len() % BLOCK_LEN;
        let ready: Vec<u8> = self.pending.drain(..whole).collect();
        self.encrypt_whole_blocks(&ready)
    }
    fn finish(mut self: Box<Self>) -> Result<Vec<u8>, FinalError> {
        let mut last = std::mem::take(&mut self.pending);
        if self.padding {
            // PKCS#7: always at least one byte, a whole block when the data fills its last.
            let pad = BLOCK_LEN - last.len() % BLOCK_LEN;
            #[allow(clippy::cast_possible_truncation, reason = "pad is 1..=16")]
            last.resize(last.len() + pad, pad as u8);
        } else if !last.is_empty() {
            return Err(FinalError::WrongFinalBlockLength);
        }
        Ok(self.encrypt_whole_blocks(&last))
    }
}

/// CBC decryption holds back the last whole block until the end: it carries the padding.
struct CbcDecrypt<C: BlockModeDecrypt> {
    mode: C,
    pending: Vec<u8>,
    padding: bool,
}

impl<C: BlockModeDecrypt> CbcDecrypt<C> {
    fn decrypt_whole_blocks(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        for chunk in bytes.chunks_exact(BLOCK_LEN) {
            let mut block = Block::<C>::try_from(chunk).expect("chunks are one block long");
            self.mode.decrypt_block(&mut block);
            out.extend_from_slice(&block);
        }
        out
    }
}

impl<C: BlockModeDecrypt> CipherState for CbcDecrypt<C> {
    fn update(&mut self, input: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(input);
        let mut whole = self.pending.len() - self.pending.len() % BLOCK_LEN;
        if self.padding && whole == self.pending.len() {
            whole = whole.saturating_sub(BLOCK_LEN);
        }
        let ready: Vec<u8> = self.pending.drain(..whole).collect();
        self.decrypt_whole_blocks(&ready)
    }
    fn finish(mut self: Box<Self>) -> Result<Vec<u8>, FinalError> {
        let last = std::mem::take(&mut self.pending);
        if !last.len().is_multiple_of(BLOCK_LEN) {
            return Err(FinalError::WrongFinalBlockLength);
        }
        let mut plain = self.decrypt_whole_blocks(&last);
        if !self.padding {
            return Ok(plain);
        }
        let pad = usize::from(*plain.last().ok_or(FinalError::BadDecrypt)?);
        let padded_well = (1..=BLOCK_LEN).contains(&pad)
            && plain[plain.len() - pad..]
                .iter()
                .all(|&byte| usize::from(byte) == pad);
        if !padded_well {
            return Err(FinalError::BadDecrypt);
        }
        plain.truncate(plain.len() - pad);
        Ok(plain)
    }
}

/// CTR is a stream: the same for both directions, no padding, nothing held back.
struct Ctr<S: StreamCipher>(S);

impl<S: StreamCipher> CipherState for Ctr<S> {
    fn update(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        self.0.apply_keystream(&mut out);
        out
    }
    fn finish(self: Box<Self>) -> Result<Vec<u8>, FinalError> {
        Ok(Vec::new())
    }
}

thread_local! {
    static CIPHERS: RefCell<HashMap<u32, Box<dyn CipherState>>> = RefCell::new(HashMap::new());
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

/// A CBC or CTR cipher for `mode` (`cbc`, `ctr` = 128-bit counter as Node's `aes-*-ctr`,
/// `ctr64`/`ctr32` = Web Crypto's shorter counters), with the AES key size the key has.
fn new_cipher(
    mode: &str,
    key: &[u8],
    iv: &[u8],
    encrypt: bool,
    padding: bool,
) -> Option<Box<dyn CipherState>> {
    fn with_aes<C>(
        mode: &str,
        key: &[u8],
        iv: &[u8],
        encrypt: bool,
        padding: bool,
    ) -> Option<Box<dyn CipherState>>
    where
        C: cipher::BlockCipherEncrypt + cipher::BlockCipherDecrypt + KeyInit + 'static,
        C: cipher::BlockSizeUser<BlockSize = cipher::consts::U16>,
    {
        Some(match (mode, encrypt) {
            ("cbc", true) => Box::new(CbcEncrypt {
                mode: cbc::Encryptor::<C>::new_from_slices(key, iv).ok()?,
                pending: Vec::new(),
                padding,
            }),
            ("cbc", false) => Box::new(CbcDecrypt {
                mode: cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?,
                pending: Vec::new(),
                padding,
            }),
            ("ctr", _) => Box::new(Ctr(ctr::Ctr128BE::<C>::new_from_slices(key, iv).ok()?)),
            ("ctr64", _) => Box::new(Ctr(ctr::Ctr64BE::<C>::new_from_slices(key, iv).ok()?)),
            ("ctr32", _) => Box::new(Ctr(ctr::Ctr32BE::<C>::new_from_slices(key, iv).ok()?)),
            _ => return None,
        })
    }
    match key.len() {
        16 => with_aes::<Aes128>(mode, key, iv, encrypt, padding),
        24 => with_aes::<Aes192>(mode, key, iv, encrypt, padding),
        32 => with_aes::<Aes256>(mode, key, iv, encrypt, padding),
        _ => None,
    }
}

/// AES-GCM in one call with a 96-bit IV and a 128-bit tag after the ciphertext (as Web
/// Crypto gives it). `None` when the key or IV has the wrong length, or decrypting, when
/// the tag does not match.
fn aes_gcm(encrypt: bool, key: &[u8], iv: &[u8], aad: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    fn run<C>(encrypt: bool, key: &[u8], iv: &[u8], aad: &[u8], data: &[u8]) -> Option<Vec<u8>>
    where
        AesGcm<C, U12>: KeyInit + Aead,
    {
        let gcm = AesGcm::<C, U12>::new_from_slice(key).ok()?;
        let nonce = aes_gcm::aead::Nonce::<AesGcm<C, U12>>::try_from(iv).ok()?;
        let payload = Payload { msg: data, aad };
        if encrypt {
            gcm.encrypt(&nonce, payload).ok()
        } else {
            gcm.decrypt(&nonce, payload).ok()
        }
    }
    match key.len() {
        16 => run::<Aes128>(encrypt, key, iv, aad, data),
        24 => run::<Aes192>(encrypt, key, iv, aad, data),
        32 => run::<Aes256>(encrypt, key, iv, aad, data),
        _ => None,
    }
}

/// AES-KW (RFC 3394) wrapping or unwrapping `data` with `key`; `None` for a key of the
/// wrong length, data not a multiple of 8 bytes, or a failed integrity check.
fn aes_kw(wrap: bool, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    fn run<C>(wrap: bool, key: &[u8], data: &[u8]) -> Option<Vec<u8>>
    where
        C: cipher::BlockCipherEncrypt<BlockSize = cipher::consts::U16>
            + cipher::BlockCipherDecrypt<BlockSize = cipher::consts::U16>
            + KeyInit,
    {
        let kw = aes_kw::AesKw::<C>::new_from_slice(key).ok()?;
        if wrap {
            let mut out = vec![0u8; data.len() + 8];
            kw.wrap_key(data, &mut out).ok().map(<[u8]>::to_vec)
        } else {
            let mut out = vec![0u8; data.len().checked_sub(8)?];
            kw.unwrap_key(data, &mut out).ok().map(<[u8]>::to_vec)
        }
    }
    match key.len() {
        16 => run::<Aes128>(wrap, key, data),
        24 => run::<Aes192>(wrap, key, data),
        32 => run::<Aes256>(wrap, key, data),
        _ => None,
    }
}

/// PBKDF2 with HMAC over Node's digest name; `None` for a digest this runtime lacks.
fn pbkdf2(digest: &str, password: &[u8], salt: &[u8], rounds: u32, len: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; len];
    match digest.to_ascii_lowercase().replace('-', "").as_str() {
        "md5" => pbkdf2::pbkdf2_hmac::<md5::Md5>(password, salt, rounds, &mut out),
        "sha1" => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, &mut out),
        "sha224" => pbkdf2::pbkdf2_hmac::<sha2::Sha224>(password, salt, rounds, &mut out),
        "sha256" => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, &mut out),
        "sha384" => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, rounds, &mut out),
        "sha512" => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, &mut out),
        _ => return None,
    }
    Some(out)
}

/// HKDF (extract, then expand) over Node's digest name; `None` for a digest this runtime
/// lacks or a length past 255 hashes.
fn hkdf(digest: &str, ikm: &[u8], salt: &[u8], info: &[u8], len: usize) -> Option<Vec<u8>> {
    fn run<H>(ikm: &[u8], salt: &[u8], info: &[u8], len: usize) -> Option<Vec<u8>>
    where
        H: hmac::EagerHash + Clone,
        hkdf::Hkdf<H>: Sized,
    {
        let mut out = vec![0u8; len];
        hkdf::Hkdf::<H>::new(Some(salt), ikm)
            .expand(info, &mut out)
            .ok()?;
        Some(out)
    }
    match digest.to_ascii_lowercase().replace('-', "").as_str() {
        "md5" => run::<md5::Md5>(ikm, salt, info, len),
        "sha1" => run::<sha1::Sha1>(ikm, salt, info, len),
        "sha224" => run::<sha2::Sha224>(ikm, salt, info, len),
        "sha256" => run::<sha2::Sha256>(ikm, salt, info, len),
        "sha384" => run::<sha2::Sha384>(ikm, salt, info, len),
        "sha512" => run::<sha2::Sha512>(ikm, salt, info, len),
        _ => None,
    }
}

/// The bytes of a Uint8Array, copied out of the engine's memory.
fn bytes_of(array: &TypedArray<'_, u8>) -> Vec<u8> {
    // SAFETY: the slice is copied before any JavaScript runs again.
    unsafe { array.as_bytes() }
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    // `cipherNew(mode, key, iv, encrypt, padding)`: an id, or 0 for a key or IV of the
    // wrong length (JS has checked the mode's name).
    natives.set(
        "cipherNew",
        Function::new(
            ctx.clone(),
            |mode: String,
             key: TypedArray<'js, u8>,
             iv: TypedArray<'js, u8>,
             encrypt: bool,
             padding: bool| {
                let Some(state) =
                    new_cipher(&mode, &bytes_of(&key), &bytes_of(&iv), encrypt, padding)
                else {
                    return 0;
                };
                let id = NEXT_ID.with(|next| {
                    let id = next.get();
                    next.set(id.wrapping_add(1).max(1));
                    id
                });
                CIPHERS.with(|ciphers| ciphers.borrow_mut().insert(id, state));
                id
            },
        )?,
    )?;
    natives.set(
        "cipherUpdate",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, id: u32, input: TypedArray<'js, u8>| {
                let input = bytes_of(&input);
                let out = CIPHERS.with(|ciphers| {
                    ciphers
                        .borrow_mut()
                        .get_mut(&id)
                        .map(|state| state.update(&input))
                });
                out.map(|bytes| TypedArray::new(ctx, bytes)).transpose()
            },
        )?,
    )?;
    // The last output, or a string naming why it failed (`bad decrypt`,
    // `wrong final block length`). Ends the cipher either way.
    natives.set(
        "cipherFinal",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, id: u32| -> rquickjs::Result<rquickjs::Value<'js>> {
                let state = CIPHERS.with(|ciphers| ciphers.borrow_mut().remove(&id));
                let Some(state) = state else {
                    return Ok(rquickjs::Value::new_undefined(ctx));
                };
                match state.finish() {
                    Ok(bytes) => Ok(TypedArray::new(ctx, bytes)?.into_value()),
                    Err(FinalError::BadDecrypt) => {
                        rquickjs::String::from_str(ctx, "bad decrypt").map(|s| s.into_value())
                    }
                    Err(FinalError::WrongFinalBlockLength) => {
                        rquickjs::String::from_str(ctx, "wrong final block length")
                            .map(|s| s.into_value())
                    }
                }
            },
        )?,
    )?;
    natives.set(
        "cipherDrop",
        Function::new(ctx.clone(), |id: u32| {
            CIPHERS.with(|ciphers| ciphers.borrow_mut().remove(&id));
        })?,
    )?;
    // `aesGcm(encrypt, key, iv, aad, data)`: ciphertext and tag, or the plaintext; null
    // when authentication fails or the key or IV has the wrong length.
    natives.set(
        "aesGcm",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             encrypt: bool,
             key: TypedArray<'js, u8>,
             iv: TypedArray<'js, u8>,
             aad: TypedArray<'js, u8>,
             data: TypedArray<'js, u8>| {
                aes_gcm(
                    encrypt,
                    &bytes_of(&key),
                    &bytes_of(&iv),
                    &bytes_of(&aad),
                    &bytes_of(&data),
                )
                .map(|bytes| TypedArray::new(ctx, bytes))
                .transpose()
            },
        )?,
    )?;
    natives.set(
        "aesKw",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, wrap: bool, key: TypedArray<'js, u8>, data: TypedArray<'js, u8>| {
                aes_kw(wrap, &bytes_of(&key), &bytes_of(&data))
                    .map(|bytes| TypedArray::new(ctx, bytes))
                    .transpose()
            },
        )?,
    )?;
    natives.set(
        "pbkdf2",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             digest: String,
             password: TypedArray<'js, u8>,
             salt: TypedArray<'js, u8>,
             rounds: u32,
             len: usize| {
                pbkdf2(&digest, &bytes_of(&password), &bytes_of(&salt), rounds, len)
                    .map(|bytes| TypedArray::new(ctx, bytes))
                    .transpose()
            },
        )?,
    )?;
    natives.set(
        "hkdf",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             digest: String,
             ikm: TypedArray<'js, u8>,
             salt: TypedArray<'js, u8>,
             info: TypedArray<'js, u8>,
             len: usize| {
                hkdf(
                    &digest,
                    &bytes_of(&ikm),
                    &bytes_of(&salt),
                    &bytes_of(&info),
                    len,
                )
                .map(|bytes| TypedArray::new(ctx, bytes))
                .transpose()
            },
        )?,
    )?;
    Ok(())
}
