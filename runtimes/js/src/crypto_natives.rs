//! Hashes and HMACs for Node's `crypto` (`crypto.js` builds `createHash`, `createHmac` and
//! `subtle.digest`/`sign` on these): the RustCrypto implementations, which run far faster
//! than JavaScript would in the engine.
//!
//! A hash in progress lives here, known to JavaScript by a number, so `update` can be
//! called with each chunk without copying them all into one buffer first.

use std::cell::RefCell;
use std::collections::HashMap;

use digest::{FixedOutput, KeyInit, Update};
use hmac::Hmac;
use rquickjs::{Ctx, Function, Object, TypedArray};

/// A hash or HMAC in progress, whatever its algorithm.
trait Hasher {
    fn update(&mut self, bytes: &[u8]);
    fn finish(self: Box<Self>) -> Vec<u8>;
    fn copy(&self) -> Box<dyn Hasher>;
}

impl<T: Update + FixedOutput + Clone + 'static> Hasher for T {
    fn update(&mut self, bytes: &[u8]) {
        Update::update(self, bytes);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.finalize_fixed().to_vec()
    }
    fn copy(&self) -> Box<dyn Hasher> {
        Box::new(self.clone())
    }
}

thread_local! {
    static HASHERS: RefCell<HashMap<u32, Box<dyn Hasher>>> = RefCell::new(HashMap::new());
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

/// A hasher for Node's algorithm name (`sha256`, `SHA-256`, `md5`, …), keyed for an HMAC.
fn new_hasher(algorithm: &str, key: Option<&[u8]>) -> Option<Box<dyn Hasher>> {
    let name = algorithm.to_ascii_lowercase().replace('-', "");
    fn make<D>(key: Option<&[u8]>) -> Option<Box<dyn Hasher>>
    where
        D: hmac::EagerHash + FixedOutput + Update + Clone + Default + 'static,
        Hmac<D>: KeyInit + Update + FixedOutput + Clone + 'static,
    {
        match key {
            None => Some(Box::new(D::default())),
            // Any key length is valid for an HMAC: long keys are hashed, short ones padded.
            Some(key) => Hmac::<D>::new_from_slice(key)
                .ok()
                .map(|mac| Box::new(mac) as Box<dyn Hasher>),
        }
    }
    match name.as_str() {
        "md5" => make::<md5::Md5>(key),
        "sha1" => make::<sha1::Sha1>(key),
        "sha224" => make::<sha2::Sha224>(key),
        "sha256" => make::<sha2::Sha256>(key),
        "sha384" => make::<sha2::Sha384>(key),
        "sha512" => make::<sha2::Sha512>(key),
        _ => None,
    }
}

fn remember(hasher: Box<dyn Hasher>) -> u32 {
    let id = NEXT_ID.with(|next| {
        let id = next.get();
        next.set(id.wrapping_add(1).max(1));
        id
    });
    HASHERS.with(|hashers| hashers.borrow_mut().insert(id, hasher));
    id
}

/// The bytes of a Uint8Array (a Buffer is one), copied out of the engine's memory.
fn bytes_of(array: &TypedArray<'_, u8>) -> Vec<u8> {
    // SAFETY: the slice is copied before any JavaScript runs again.
    unsafe { array.as_bytes() }
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    // `hashNew(algorithm, key?)`: an id, or 0 for an algorithm this runtime lacks.
    natives.set(
        "hashNew",
        Function::new(
            ctx.clone(),
            |algorithm: String, key: Option<TypedArray<'js, u8>>| {
                let key = key.as_ref().map(bytes_of);
                new_hasher(&algorithm, key.as_deref()).map_or(0, remember)
            },
        )?,
    )?;
    natives.set(
        "hashUpdate",
        Function::new(ctx.clone(), |id: u32, bytes: TypedArray<'js, u8>| {
            HASHERS.with(|hashers| {
                let mut hashers = hashers.borrow_mut();
                let Some(hasher) = hashers.get_mut(&id) else {
                    return false;
                };
                // SAFETY: the slice is used before any JavaScript runs again.
                if let Some(slice) = unsafe { bytes.as_bytes() } {
                    hasher.update(slice);
                }
                true
            })
        })?,
    )?;
    // The digest ends the hash, as Node's `digest()` does.
    natives.set(
        "hashDigest",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, id: u32| -> rquickjs::Result<Option<TypedArray<'js, u8>>> {
                let hasher = HASHERS.with(|hashers| hashers.borrow_mut().remove(&id));
                hasher
                    .map(|hasher| TypedArray::new(ctx, hasher.finish()))
                    .transpose()
            },
        )?,
    )?;
    natives.set(
        "hashCopy",
        Function::new(ctx.clone(), |id: u32| {
            let copy =
                HASHERS.with(|hashers| hashers.borrow().get(&id).map(|hasher| hasher.copy()));
            copy.map_or(0, remember)
        })?,
    )?;
    // A hash dropped without a digest (JS's FinalizationRegistry tells).
    natives.set(
        "hashDrop",
        Function::new(ctx.clone(), |id: u32| {
            HASHERS.with(|hashers| hashers.borrow_mut().remove(&id));
        })?,
    )?;
    natives.set(
        "randomBytesArray",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, len: usize| -> rquickjs::Result<TypedArray<'js, u8>> {
                TypedArray::new(ctx, crate::natives::random_bytes(len))
            },
        )?,
    )?;
    Ok(())
}
