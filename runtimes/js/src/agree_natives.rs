//! Key agreement for Web Crypto's `deriveBits` and `deriveKey` (`crypto_sign.js`): ECDH
//! over P-256, P-384 and P-521 (p256, p384, p521) and X25519 (x25519-dalek). Keys arrive as
//! `sign_natives.rs` takes them; X25519's as their 32 raw bytes (JS unwraps its DER).

use rquickjs::{Ctx, Function, Object, TypedArray};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};

fn part(parts: &[Vec<u8>], index: usize) -> Option<&[u8]> {
    parts.get(index).map(Vec::as_slice)
}

macro_rules! ecdh_for {
    ($curve:ident, $private_kind:expr, $private:expr, $public_kind:expr, $public:expr) => {{
        let secret = match $private_kind {
            "pkcs8" => $curve::SecretKey::from_pkcs8_der(part($private, 0)?).ok()?,
            "jwk-ec-private" => $curve::SecretKey::from_slice(part($private, 0)?).ok()?,
            _ => return None,
        };
        let public = match $public_kind {
            "spki" => $curve::PublicKey::from_public_key_der(part($public, 0)?).ok()?,
            "raw" => $curve::PublicKey::from_sec1_bytes(part($public, 0)?).ok()?,
            "jwk-ec-public" => {
                let mut point = vec![4u8];
                point.extend_from_slice(part($public, 0)?);
                point.extend_from_slice(part($public, 1)?);
                $curve::PublicKey::from_sec1_bytes(&point).ok()?
            }
            _ => return None,
        };
        let shared = $curve::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
        Some(shared.raw_secret_bytes().to_vec())
    }};
}

/// The shared secret of `curve` (`P-256`, `P-384`, `P-521`, `X25519`) between a private and a
/// public key; `None` when a key cannot be read.
fn agree(
    curve: &str,
    private_kind: &str,
    private: &[Vec<u8>],
    public_kind: &str,
    public: &[Vec<u8>],
) -> Option<Vec<u8>> {
    match curve {
        "P-256" => ecdh_for!(p256, private_kind, private, public_kind, public),
        "P-384" => ecdh_for!(p384, private_kind, private, public_kind, public),
        "P-521" => ecdh_for!(p521, private_kind, private, public_kind, public),
        "X25519" => {
            let secret = <[u8; 32]>::try_from(part(private, 0)?).ok()?;
            let public = <[u8; 32]>::try_from(part(public, 0)?).ok()?;
            let shared = x25519_dalek::StaticSecret::from(secret)
                .diffie_hellman(&x25519_dalek::PublicKey::from(public));
            Some(shared.to_bytes().to_vec())
        }
        _ => None,
    }
}

/// X25519's public key for a 32-byte private key (generateKey makes the private one).
pub fn x25519_public(secret: [u8; 32]) -> [u8; 32] {
    x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(secret)).to_bytes()
}

fn bytes_of(array: &TypedArray<'_, u8>) -> Vec<u8> {
    // SAFETY: the slice is copied before any JavaScript runs again.
    unsafe { array.as_bytes() }
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

pub fn install<'js>(ctx: &Ctx<'js>, natives: &Object<'js>) -> rquickjs::Result<()> {
    // `keyAgree(curve, privateKind, privateParts, publicKind, publicParts)`: the shared
    // secret, or null.
    natives.set(
        "keyAgree",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             curve: String,
             private_kind: String,
             private: Vec<TypedArray<'js, u8>>,
             public_kind: String,
             public: Vec<TypedArray<'js, u8>>| {
                let private: Vec<Vec<u8>> = private.iter().map(bytes_of).collect();
                let public: Vec<Vec<u8>> = public.iter().map(bytes_of).collect();
                agree(&curve, &private_kind, &private, &public_kind, &public)
                    .map(|bytes| TypedArray::new(ctx, bytes))
                    .transpose()
            },
        )?,
    )?;
    Ok(())
}
