//! Public-key signatures for Web Crypto's `sign` and `verify` (`crypto_sign.js`): ECDSA
//! over P-256, P-384 and P-521 (p256, p384, p521) and RSA's PKCS#1 v1.5 and PSS (rsa), with keys from
//! spki or pkcs8 DER or from a JWK's parts. What handlers verify JWTs (ES256, RS256) with.
//! Also Ed25519 (ed25519-dalek), and RSA-OAEP's `encrypt` and `decrypt` over the RSA keys.
//!
//! A key arrives as its kind and its parts, each call: `spki` [der], `pkcs8` [der],
//! `raw` [SEC1 point], `jwk-ec-public` [x, y], `jwk-ec-private` [d],
//! `jwk-rsa-public` [n, e], `jwk-rsa-private` [n, e, d, p, q], `jwk-okp-public` [x],
//! `jwk-okp-private` [d].

use rquickjs::{Ctx, Function, Object, TypedArray};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{BoxedUint, PrivateKey, PublicKey};
use sha2::Digest;

/// The digest of `data` with Web Crypto's hash name (`SHA-256`, …).
fn digest_of(hash: &str, data: &[u8]) -> Option<Vec<u8>> {
    Some(match hash {
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        _ => return None,
    })
}

fn part(parts: &[Vec<u8>], index: usize) -> Option<&[u8]> {
    parts.get(index).map(Vec::as_slice)
}

/// ECDSA sign (`signature` None) or verify, for one curve's key types.
macro_rules! ecdsa_for {
    ($curve:ident, $kind:expr, $parts:expr, $digest:expr, $signature:expr) => {{
        use $curve::ecdsa::{Signature, SigningKey, VerifyingKey};
        match $signature {
            None => {
                let key = match $kind {
                    "pkcs8" => SigningKey::from_pkcs8_der(part($parts, 0)?).ok()?,
                    "jwk-ec-private" => SigningKey::from_slice(part($parts, 0)?).ok()?,
                    _ => return None,
                };
                let signature: Signature = key.sign_prehash($digest).ok()?;
                Some(signature.to_bytes().to_vec())
            }
            Some(given) => {
                let key = match $kind {
                    "spki" => VerifyingKey::from_public_key_der(part($parts, 0)?).ok()?,
                    "raw" => VerifyingKey::from_sec1_bytes(part($parts, 0)?).ok()?,
                    "jwk-ec-public" => {
                        let mut point = vec![4u8];
                        point.extend_from_slice(part($parts, 0)?);
                        point.extend_from_slice(part($parts, 1)?);
                        VerifyingKey::from_sec1_bytes(&point).ok()?
                    }
                    _ => return None,
                };
                let valid = Signature::from_slice(given)
                    .is_ok_and(|signature| key.verify_prehash($digest, &signature).is_ok());
                Some(vec![u8::from(valid)])
            }
        }
    }};
}

/// ECDSA: the signature (r ‖ s), or for a verify one byte, 1 when it holds.
fn ecdsa(
    curve: &str,
    hash: &str,
    kind: &str,
    parts: &[Vec<u8>],
    data: &[u8],
    signature: Option<&[u8]>,
) -> Option<Vec<u8>> {
    let digest = digest_of(hash, data)?;
    match curve {
        "P-256" => ecdsa_for!(p256, kind, parts, &digest, signature),
        "P-384" => ecdsa_for!(p384, kind, parts, &digest, signature),
        "P-521" => ecdsa_for!(p521, kind, parts, &digest, signature),
        _ => None,
    }
}

/// Ed25519: the 64-byte signature, or for a verify one byte, 1 when it holds.
fn ed25519(
    kind: &str,
    parts: &[Vec<u8>],
    data: &[u8],
    signature: Option<&[u8]>,
) -> Option<Vec<u8>> {
    use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
    match signature {
        None => {
            let key = match kind {
                "pkcs8" => SigningKey::from_pkcs8_der(part(parts, 0)?).ok()?,
                "jwk-okp-private" => SigningKey::try_from(part(parts, 0)?).ok()?,
                _ => return None,
            };
            let signature: Signature = key.sign(data);
            Some(signature.to_bytes().to_vec())
        }
        Some(given) => {
            let key = match kind {
                "spki" => VerifyingKey::from_public_key_der(part(parts, 0)?).ok()?,
                "raw" | "jwk-okp-public" => {
                    VerifyingKey::from_bytes(&<[u8; 32]>::try_from(part(parts, 0)?).ok()?).ok()?
                }
                _ => return None,
            };
            let valid = Signature::from_slice(given)
                .is_ok_and(|signature| key.verify(data, &signature).is_ok());
            Some(vec![u8::from(valid)])
        }
    }
}

/// A new key pair on `curve` (`P-256`, `P-384`, `P-521`, `Ed25519`, `X25519`) from WASI's randomness, as
/// [pkcs8 DER, spki DER, public point or key (raw), private scalar or seed].
fn generate_key_pair(curve: &str) -> Option<Vec<Vec<u8>>> {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
    macro_rules! ec_pair {
        ($curve:ident) => {{
            // A random 32- or 48-byte string is a valid scalar unless it is zero or past
            // the order: so rare that a few tries always suffice. P-521's 66 bytes hold
            // 528 bits: the top 7 are cleared first, or almost every try would be too big.
            let size = $curve::FieldBytes::default().len();
            let key = (0..8).find_map(|_| {
                let mut bytes = crate::natives::random_bytes(size);
                if size == 66 {
                    bytes[0] &= 0x01;
                }
                $curve::ecdsa::SigningKey::from_slice(&bytes).ok()
            })?;
            let public = key.verifying_key();
            Some(vec![
                key.to_pkcs8_der().ok()?.as_bytes().to_vec(),
                public.to_public_key_der().ok()?.as_bytes().to_vec(),
                public.to_sec1_point(false).as_bytes().to_vec(),
                key.to_bytes().to_vec(),
            ])
        }};
    }
    match curve {
        "P-256" => ec_pair!(p256),
        "P-384" => ec_pair!(p384),
        "P-521" => ec_pair!(p521),
        "X25519" => {
            // RFC 8410's fixed DER around the 32 raw bytes.
            const PKCS8_PREFIX: [u8; 16] = [
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22,
                0x04, 0x20,
            ];
            const SPKI_PREFIX: [u8; 12] = [
                0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
            ];
            let secret = <[u8; 32]>::try_from(crate::natives::random_bytes(32)).ok()?;
            let public = crate::agree_natives::x25519_public(secret);
            Some(vec![
                [PKCS8_PREFIX.as_slice(), &secret].concat(),
                [SPKI_PREFIX.as_slice(), &public].concat(),
                public.to_vec(),
                secret.to_vec(),
            ])
        }
        "Ed25519" => {
            let seed = <[u8; 32]>::try_from(crate::natives::random_bytes(32)).ok()?;
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let public = key.verifying_key();
            Some(vec![
                key.to_pkcs8_der().ok()?.as_bytes().to_vec(),
                public.to_public_key_der().ok()?.as_bytes().to_vec(),
                public.to_bytes().to_vec(),
                seed.to_vec(),
            ])
        }
        _ => None,
    }
}

fn big(bytes: &[u8]) -> BoxedUint {
    BoxedUint::from_be_slice_vartime(bytes)
}

fn rsa_public(kind: &str, parts: &[Vec<u8>]) -> Option<PublicKey> {
    match kind {
        "spki" => PublicKey::from_public_key_der(part(parts, 0)?).ok(),
        "jwk-rsa-public" => PublicKey::new(big(part(parts, 0)?), big(part(parts, 1)?)).ok(),
        _ => None,
    }
}

fn rsa_private(kind: &str, parts: &[Vec<u8>]) -> Option<PrivateKey> {
    match kind {
        "pkcs8" => PrivateKey::from_pkcs8_der(part(parts, 0)?).ok(),
        "jwk-rsa-private" => PrivateKey::from_components(
            big(part(parts, 0)?),
            big(part(parts, 1)?),
            big(part(parts, 2)?),
            vec![big(part(parts, 3)?), big(part(parts, 4)?)],
        )
        .ok(),
        _ => None,
    }
}

/// RSA sign or verify for one digest type.
fn rsa_with<D>(
    pss_salt_len: Option<usize>,
    kind: &str,
    parts: &[Vec<u8>],
    data: &[u8],
    signature: Option<&[u8]>,
) -> Option<Vec<u8>>
where
    D: Digest + digest::FixedOutputReset + digest::const_oid::AssociatedOid,
{
    match (signature, pss_salt_len) {
        (None, None) => {
            let key = rsa::pkcs1v15::SigningKey::<D>::new(rsa_private(kind, parts)?);
            Some(key.try_sign(data).ok()?.to_vec())
        }
        (None, Some(salt_len)) => {
            let key =
                rsa::pss::SigningKey::<D>::new_with_salt_len(rsa_private(kind, parts)?, salt_len);
            Some(key.try_sign(data).ok()?.to_vec())
        }
        (Some(given), None) => {
            let key = rsa::pkcs1v15::VerifyingKey::<D>::new(rsa_public(kind, parts)?);
            let valid = rsa::pkcs1v15::Signature::try_from(given)
                .is_ok_and(|signature| key.verify(data, &signature).is_ok());
            Some(vec![u8::from(valid)])
        }
        (Some(given), Some(salt_len)) => {
            let key =
                rsa::pss::VerifyingKey::<D>::new_with_salt_len(rsa_public(kind, parts)?, salt_len);
            let valid = rsa::pss::Signature::try_from(given)
                .is_ok_and(|signature| key.verify(data, &signature).is_ok());
            Some(vec![u8::from(valid)])
        }
    }
}

fn rsa_sign_or_verify(
    hash: &str,
    pss_salt_len: Option<usize>,
    kind: &str,
    parts: &[Vec<u8>],
    data: &[u8],
    signature: Option<&[u8]>,
) -> Option<Vec<u8>> {
    match hash {
        "SHA-1" => rsa_with::<sha1::Sha1>(pss_salt_len, kind, parts, data, signature),
        "SHA-256" => rsa_with::<sha2::Sha256>(pss_salt_len, kind, parts, data, signature),
        "SHA-384" => rsa_with::<sha2::Sha384>(pss_salt_len, kind, parts, data, signature),
        "SHA-512" => rsa_with::<sha2::Sha512>(pss_salt_len, kind, parts, data, signature),
        _ => None,
    }
}

/// RSA-OAEP with one digest type for the label's hash and MGF1.
fn oaep_with<D>(
    encrypt: bool,
    kind: &str,
    parts: &[Vec<u8>],
    data: &[u8],
    label: &[u8],
) -> Option<Vec<u8>>
where
    D: Digest + digest::FixedOutputReset + Default + Send + Sync + 'static,
{
    let padding = if label.is_empty() {
        rsa::Oaep::<D>::new()
    } else {
        rsa::Oaep::<D>::new_with_label(label.to_vec())
    };
    if encrypt {
        let key = rsa_public(kind, parts)?;
        key.encrypt(&mut crypto_common::getrandom::SysRng, padding, data)
            .ok()
    } else {
        rsa_private(kind, parts)?.decrypt(padding, data).ok()
    }
}

fn oaep(
    hash: &str,
    encrypt: bool,
    kind: &str,
    parts: &[Vec<u8>],
    data: &[u8],
    label: &[u8],
) -> Option<Vec<u8>> {
    match hash {
        "SHA-1" => oaep_with::<sha1::Sha1>(encrypt, kind, parts, data, label),
        "SHA-256" => oaep_with::<sha2::Sha256>(encrypt, kind, parts, data, label),
        "SHA-384" => oaep_with::<sha2::Sha384>(encrypt, kind, parts, data, label),
        "SHA-512" => oaep_with::<sha2::Sha512>(encrypt, kind, parts, data, label),
        _ => None,
    }
}

fn bytes_of(array: &TypedArray<'_, u8>) -> Vec<u8> {
    // SAFETY: the slice is copied before any JavaScript runs again.
    unsafe { array.as_bytes() }
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    // `publicKeySign(spec, kind, parts, data, signature?)`, `spec` being
    // `ECDSA:<curve>:<hash>`, `Ed25519::`, `RSASSA-PKCS1-v1_5::<hash>` or `RSA-PSS:<salt length>:<hash>`.
    // Signing gives the signature; verifying one byte (1: it holds). Null when the key
    // cannot be read or does not fit the algorithm.
    natives.set(
        "publicKeySign",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             spec: String,
             kind: String,
             parts: Vec<TypedArray<'js, u8>>,
             data: TypedArray<'js, u8>,
             signature: Option<TypedArray<'js, u8>>| {
                let parts: Vec<Vec<u8>> = parts.iter().map(bytes_of).collect();
                let data = bytes_of(&data);
                let signature = signature.as_ref().map(bytes_of);
                let mut fields = spec.splitn(3, ':');
                let (algorithm, param, hash) = (
                    fields.next().unwrap_or_default(),
                    fields.next().unwrap_or_default(),
                    fields.next().unwrap_or_default(),
                );
                let out = match algorithm {
                    "ECDSA" => ecdsa(param, hash, &kind, &parts, &data, signature.as_deref()),
                    "Ed25519" => ed25519(&kind, &parts, &data, signature.as_deref()),
                    "RSASSA-PKCS1-v1_5" => {
                        rsa_sign_or_verify(hash, None, &kind, &parts, &data, signature.as_deref())
                    }
                    "RSA-PSS" => param.parse::<usize>().ok().and_then(|salt_len| {
                        rsa_sign_or_verify(
                            hash,
                            Some(salt_len),
                            &kind,
                            &parts,
                            &data,
                            signature.as_deref(),
                        )
                    }),
                    _ => None,
                };
                out.map(|bytes| TypedArray::new(ctx, bytes)).transpose()
            },
        )?,
    )?;
    // `keyPairGenerate(curve)`: [pkcs8, spki, raw public, private scalar], or null for a
    // curve this runtime lacks.
    natives.set(
        "keyPairGenerate",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, curve: String| {
            generate_key_pair(&curve)
                .map(|parts| {
                    parts
                        .into_iter()
                        .map(|bytes| TypedArray::new(ctx.clone(), bytes))
                        .collect::<rquickjs::Result<Vec<_>>>()
                })
                .transpose()
        })?,
    )?;
    // `rsaOaep(hash, encrypt, kind, parts, data, label)`: the ciphertext or plaintext, null
    // when the key cannot be read or decryption fails.
    natives.set(
        "rsaOaep",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             hash: String,
             encrypt: bool,
             kind: String,
             parts: Vec<TypedArray<'js, u8>>,
             data: TypedArray<'js, u8>,
             label: TypedArray<'js, u8>| {
                let parts: Vec<Vec<u8>> = parts.iter().map(bytes_of).collect();
                oaep(
                    &hash,
                    encrypt,
                    &kind,
                    &parts,
                    &bytes_of(&data),
                    &bytes_of(&label),
                )
                .map(|bytes| TypedArray::new(ctx, bytes))
                .transpose()
            },
        )?,
    )?;
    Ok(())
}
