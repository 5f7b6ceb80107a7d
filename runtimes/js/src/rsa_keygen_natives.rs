//! RSA key pairs for Web Crypto's `generateKey` (RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP) and
//! Node's `generateKeyPair('rsa')` (`crypto_keygen.js`): the rsa crate's prime search over
//! WASI's randomness. A 2048-bit pair took 0.29 s at the median in wasm, 1.7 times
//! Node's (BENCHMARKS.md); handlers make one at Init, if ever.

use rquickjs::{Ctx, Function, Object, TypedArray};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, PrivateKey};

/// The pair as [pkcs8, spki, pkcs1 private, pkcs1 public, n, e, d, p, q, dp, dq, qi]:
/// DER documents, then a JWK's big-endian numbers.
fn generate(bits: usize, exponent: &[u8]) -> Option<Vec<Vec<u8>>> {
    let exponent = BoxedUint::from_be_slice_vartime(exponent);
    let mut key =
        PrivateKey::new_with_exp(&mut crypto_common::getrandom::SysRng, bits, exponent).ok()?;
    key.precompute().ok()?;
    let public = key.to_public_key();
    let number = |value: &BoxedUint| {
        let bytes = value.to_be_bytes();
        // BoxedUint's bytes are as wide as its limbs: a JWK has no leading zeros.
        let first = bytes
            .iter()
            .position(|&byte| byte != 0)
            .unwrap_or(bytes.len());
        bytes[first..].to_vec()
    };
    let primes = key.primes();
    let (p, q) = (primes.first()?, primes.get(1)?);
    let qinv = key.qinv()?.retrieve();
    Some(vec![
        key.to_pkcs8_der().ok()?.as_bytes().to_vec(),
        public.to_public_key_der().ok()?.as_bytes().to_vec(),
        key.to_pkcs1_der().ok()?.as_bytes().to_vec(),
        public.to_pkcs1_der().ok()?.as_bytes().to_vec(),
        number(key.n().as_ref()),
        number(key.e()),
        number(key.d()),
        number(p.as_ref()),
        number(q.as_ref()),
        number(key.dp()?),
        number(key.dq()?),
        number(&qinv),
    ])
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    // `rsaGenerate(bits, publicExponent)`: the parts above, or null when the size or the
    // exponent is refused (below 1024 bits, an even exponent, …).
    natives.set(
        "rsaGenerate",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, bits: usize, exponent: TypedArray<'js, u8>| {
                // SAFETY: the slice is copied before any JavaScript runs again.
                let exponent = unsafe { exponent.as_bytes() }
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                generate(bits, &exponent)
                    .map(|parts| {
                        parts
                            .into_iter()
                            .map(|bytes| TypedArray::new(ctx.clone(), bytes))
                            .collect::<rquickjs::Result<Vec<_>>>()
                    })
                    .transpose()
            },
        )?,
    )?;
    Ok(())
}
