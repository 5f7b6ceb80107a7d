//! Node's `crypto` beyond hashes as handlers use it: ciphers, key derivation, Web
//! Crypto's public-key algorithms, each compared with what real Node.js (v20) returns for
//! the same handler (`tests/fixtures/node-builtins/crypto_*.mjs`, expected values printed
//! once by `node tests/fixtures/node-builtins/run-in-node.mjs <name>`). Hashes, HMACs and
//! the rest of Node's modules are in `js_node_builtins.rs`.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::node_fixtures::{node_gives, run_fixture};

/// AES-CBC/CTR/GCM through createCipheriv and subtle, PBKDF2 and HKDF, with fixed keys
/// and IVs (RFC 5869's first HKDF vector, RFC 6070's first PBKDF2 one and RFC 3394's
/// first AES-KW one among them); wrapKey/unwrapKey; hashes, HMACs and ciphers as streams.
#[tokio::test]
async fn crypto_ciphers_and_key_derivation_answer_as_node_does() {
    let expected = node_gives(
        r##"{
 "aes-128-cbc": {"parts": ["", "639dd4c509b902e13dd2ee7500cf3af9be0e128e87ffefd09f0b8132b71d1d57", "50d0ced90c1f47388114f14250d31b88"], "back": "The quick brown fox jumps over the lazy dog"},
 "aes-256-cbc": {"parts": ["", "84f474f35a3090a82aae847eff728ab2c6d8dc5cfb3695e68937cb12ec50264e", "0a87c148ad2f36a22c43522e3ec511a5"], "back": "The quick brown fox jumps over the lazy dog"},
 "aes-128-ctr": {"parts": ["32cfa2c84527582bfc71", "bc755c61c38dd4eeaf20ddeb51ddd78d1ccd0bee3f9eba14b23a1d2192bd9feeec", ""], "back": "The quick brown fox jumps over the lazy dog"},
 "aes-256-ctr": {"parts": ["c668a8ad52e3e9a83149", "84262f450d34ac3003609b5f59b11d873a572f05a6faf109013775628cb81cea47", ""], "back": "The quick brown fox jumps over the lazy dog"},
 "base64Parts": ["6kTxu+QrvLYxMnGHqOSB", "uwnePWxD4kHARqiJOkoFeZY="],
 "noPadding": "af4e616233416cc573d45d573ac3f88eee6d0300c35d43b25d33c806e531bb44",
 "gcm": {"sealed": ["f9c6c354cf0e6f", "7623782ebc1c78", ""], "tag": "1b7309c416948c9b031cf438b9e14ea9", "open": "secret message"},
 "errors": ["Error ERR_CRYPTO_UNKNOWN_CIPHER Unknown cipher", "RangeError ERR_CRYPTO_INVALID_KEYLEN Invalid key length", "TypeError ERR_CRYPTO_INVALID_IV Invalid initialization vector", "Error ERR_OSSL_BAD_DECRYPT error:1C800064:Provider routines::bad decrypt", "Error ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH error:1C80006B:Provider routines::wrong final block length", "Error undefined Unsupported state or unable to authenticate data", "TypeError ERR_CRYPTO_INVALID_DIGEST Invalid digest: nope"],
 "pbkdf2": ["0c60c80f961f0e71f3a9b524af6012062fe037a6", "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a", "/so1seqq7vj9t/TU7KVJp8locLqhcgOvAcuqBHIk58yvYGXqRJ8VG1DOL8th8YDTDG1kLwOJ5QQ8iOORdiEvkw=="],
 "hkdf": "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
 "hkdfIsArrayBuffer": true,
 "pbkdf2Callback": [null, "061df616343cb988"],
 "hkdfCallback": [null, "8a4904829f7acb5f"],
 "hasCiphers": [true, true, true],
 "streams": ["b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", "18f95825861c5feabeecd7eaef27ababebbb5327", "639dd4c509b902e13dd2ee7500cf3af9be0e128e87ffefd09f0b8132b71d1d5750d0ced90c1f47388114f14250d31b88", true],
 "subtleKey": ["secret", {"name": "AES-GCM", "length": 256}, ["encrypt", "decrypt"], {"key_ops": ["encrypt", "decrypt"], "ext": true, "kty": "oct", "k": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "alg": "A256GCM"}],
 "subtleGcm": ["f9c6c354cf0e6f7623782ebc1c781b7309c416948c9b031cf438b9e14ea9", "secret message"],
 "subtleCbc": ["639dd4c509b902e13dd2ee7500cf3af9be0e128e87ffefd09f0b8132b71d1d5750d0ced90c1f47388114f14250d31b88", "The quick brown fox jumps over the lazy dog"],
 "subtleCtr": ["67a6c6e9355330499650df063217acacb380d601b69f3daca5ac72ba6f9d1eebd37093577d5aea9c", "67a6c6e9355330499650df063217acacb380d601"],
 "subtleErrors": ["OperationError The operation failed for an operation-specific reason", "OperationError The operation failed for an operation-specific reason", "SyntaxError PBKDF2 keys are not extractable"],
 "generated": [{"name": "AES-GCM", "length": 128}, 16],
 "keyWrap": [[{"name": "AES-KW", "length": 128}, {"key_ops": ["wrapKey", "unwrapKey"], "ext": true, "kty": "oct", "k": "AAECAwQFBgcICQoLDA0ODw", "alg": "A128KW"}], "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", [{"name": "AES-GCM", "length": 128}, ["encrypt", "decrypt"], "00112233445566778899aabbccddeeff"], 128, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "OperationError The operation failed for an operation-specific reason", "NotSupportedError Unrecognized algorithm name"],
 "pbkdf2Key": [{"name": "PBKDF2"}, false, ["deriveBits", "deriveKey"]],
 "deriveBitsPbkdf2": "632c2812e46d4604102ba7618e9d6d7d2f8128f6266b4a03264d2a0460b7dcb3",
 "deriveBitsHkdf": "5b053e9f5aae00dd80bf7cbb5b097f7d",
 "deriveKey": [{"name": "AES-CBC", "length": 256}, "ae3fe5f5707e07f3e7c117fb885cd052a6fcd77a4a7bcc3d30539407bd172fa4"],
 "deriveHmacKey": [{"name": "HMAC", "hash": {"name": "SHA-256"}, "length": 512}, "d429c227d382355628208ced56f8b1a03585e6cc2d454525f56fa8b8703b2bdc"]
}"##,
    );
    assert_eq!(run_fixture("crypto_cipher").await, expected);
}

/// Web Crypto's ECDSA (P-256, P-384), Ed25519 (byte-equal to Node's), RSASSA-PKCS1-v1_5
/// and RSA-PSS with keys Node made (spki, pkcs8, raw, jwk), verifying Node's signatures
/// and its own; RSA-OAEP decrypting Node's ciphertexts and its own; generated ECDSA and
/// Ed25519 key pairs exported in each form; ECDH and X25519 secrets equal to Node's.
#[tokio::test]
async fn subtle_public_key_signatures_answer_as_node_does() {
    let expected = node_gives(
        r##"{
 "ecKeys": [["public", false, {"name": "ECDSA", "namedCurve": "P-256"}, ["verify"]], ["private", false, {"name": "ECDSA", "namedCurve": "P-256"}, ["sign"]], ["public", true, {"name": "ECDSA", "namedCurve": "P-256"}, ["verify"]]],
 "ecdsa": [64, true, true, true, false, false],
 "ecdsa384": [true, true],
 "rsaKeys": [["public", false, "RSASSA-PKCS1-v1_5", {"name": "SHA-256"}, ["verify"]], ["private", false, "RSASSA-PKCS1-v1_5", {"name": "SHA-256"}, ["sign"]]],
 "rsaJwkKey": [1024, "010001"],
 "rsa": ["oGb5c+JudQv5pHMHE65qvzVpIR2XlCqVPD/jL1NzSI5oeNdDngEK8DwYKeQ22aQR7yavs4KLZMKoIacC8Go4Rzj5r2L8rvFYa9dvwuVne5KAE1RQdRX0Dx/rbQE2wM5PV3qGt0nD89ixDVSKjIINBax+/VWVoEKCK23hLl52kM4=", true, true, false],
 "pss": [true, true, false],
 "exported": [true, true],
 "oaep": ["a secret", "labelled", "round trip", "OperationError The operation failed for an operation-specific reason", "InvalidAccessError The requested operation is not valid for the provided key"],
 "ed25519": [["private", "public", {"name": "Ed25519"}, true], "rWT7qdbv+lGpXcyOBr6kf5OB7KTOzF6429BQErO8wX/a547cc/fBTo/GY5iZjdz33xpl6zCaFo9VoBtYrhf2Bw==", true, true, false, true],
 "generated": [["public", true, ["verify"], {"name": "ECDSA", "namedCurve": "P-256"}, "private", ["sign"], {"key_ops": ["verify"], "ext": true, "kty": "EC", "x": 32, "y": 32, "crv": "P-256"}, {"key_ops": ["sign"], "ext": true, "kty": "EC", "x": 32, "y": 32, "crv": "P-256", "d": 32}, 65, true, "InvalidAccessError Unable to export a raw ECDSA private key"], ["public", true, ["verify"], {"name": "ECDSA", "namedCurve": "P-384"}, "private", ["sign"], {"key_ops": ["verify"], "ext": true, "kty": "EC", "x": 48, "y": 48, "crv": "P-384"}, {"key_ops": ["sign"], "ext": true, "kty": "EC", "x": 48, "y": 48, "crv": "P-384", "d": 48}, 97, true, "InvalidAccessError Unable to export a raw ECDSA private key"], ["public", true, ["verify"], {"name": "Ed25519"}, "private", ["sign"], {"key_ops": ["verify"], "ext": true, "crv": "Ed25519", "x": 32, "kty": "OKP", "alg": "Ed25519"}, {"key_ops": ["sign"], "ext": true, "crv": "Ed25519", "d": 32, "x": 32, "kty": "OKP", "alg": "Ed25519"}, 32, true, "InvalidAccessError Unable to export a raw Ed25519 private key"]],
 "notExtractable": [true, false, "InvalidAccessException key is not extractable"],
 "ecdh": ["39dcd69ca4c5449cb22f011a7bd84a1cfd5af7c0a6230b8f5dcb5038cbb0cec9", "39dcd69ca4c5449cb22f011a7bd84a1c", "39dcd69ca4c5449cb22f011a7bd84a1cfd5af7c0a6230b8f5dcb5038cbb0cec9", [{"name": "AES-GCM", "length": 256}, "39dcd69ca4c5449cb22f011a7bd84a1cfd5af7c0a6230b8f5dcb5038cbb0cec9"], "InvalidAccessError algorithm.public must be a public key"],
 "x25519": ["cea37284f3eddae5b707ff1d96f7d1c89cf4102a4dd25aeaa597d41290e4014e", "cea37284f3eddae5b707ff1d96f7d1c89cf4102a4dd25aeaa597d41290e4014e", ["private", {"name": "X25519"}, "public", []]],
 "generatedAgreement": [[true, 48, [], ["deriveBits"], {"key_ops": ["deriveBits"], "ext": true, "kty": "EC", "x": 48, "y": 48, "crv": "P-384", "d": 48}], [true, 32, [], ["deriveBits"], {"key_ops": ["deriveBits"], "ext": true, "crv": "X25519", "d": 32, "x": 32, "kty": "OKP"}]],
 "errors": ["InvalidAccessError Unable to use this key to sign", "InvalidAccessError Unable to use this key to verify"]
}"##,
    );
    assert_eq!(run_fixture("crypto_sign").await, expected);
}

/// P-521 (ECDSA, ECDH) with keys and a signature Node made; RSA key pairs from Web Crypto
/// (RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP) and Node's generateKeyPairSync/generateKeyPair
/// ('rsa', 'ec', 'ed25519', 'x25519'; PEM, DER, JWK and KeyObjects). Generated keys are
/// random: what is compared is their shape and what they do.
#[tokio::test]
async fn key_pairs_and_p521_answer_as_node_does() {
    let expected = node_gives(
        r##"{
 "p521VerifiesNode": true,
 "p521Sign": [
  132,
  true
 ],
 "p521Generated": [
  {
   "name": "ECDSA",
   "namedCurve": "P-521"
  },
  true,
  133,
  158,
  [
   "crv",
   "d",
   "ext",
   "key_ops",
   "kty",
   "x",
   "y"
  ],
  "P-521"
 ],
 "p521Ecdh": [
  66,
  true,
  "b0a3a7cd404303f181a563cf44ad726ef1aa709c33f762655dcbfe1e23a6b667"
 ],
 "rsaPkcs1": [
  "public",
  "private",
  2048,
  [
   1,
   0,
   1
  ],
  {
   "name": "SHA-256"
  },
  [
   "verify"
  ],
  [
   "sign"
  ],
  256,
  true,
  [
   "alg",
   "d",
   "dp",
   "dq",
   "e",
   "ext",
   "key_ops",
   "kty",
   "n",
   "p",
   "q",
   "qi"
  ],
  "RS256",
  "AQAB",
  256
 ],
 "rsaJwkRoundTrip": true,
 "rsaDer": [
  294,
  "3082"
 ],
 "rsaPss": [
  false,
  128,
  true,
  "PS384"
 ],
 "rsaOaep": [
  [
   "encrypt"
  ],
  [
   "decrypt"
  ],
  "secret",
  "RSA-OAEP-256"
 ],
 "nodeRsaPem": [
  [
   "-----BEGIN PUBLIC KEY-----",
   "-----END PUBLIC KEY-----",
   true
  ],
  [
   "-----BEGIN PRIVATE KEY-----",
   "-----END PRIVATE KEY-----",
   true
  ]
 ],
 "nodeRsaPkcs1": [
  [
   "-----BEGIN RSA PUBLIC KEY-----",
   "-----END RSA PUBLIC KEY-----",
   true
  ],
  true,
  "30"
 ],
 "nodeRsaObjects": [
  "public",
  "private",
  "rsa",
  1024,
  "65537",
  [
   "d",
   "dp",
   "dq",
   "e",
   "kty",
   "n",
   "p",
   "q",
   "qi"
  ],
  "AQAB",
  [
   "-----BEGIN PRIVATE KEY-----",
   "-----END PRIVATE KEY-----",
   true
  ]
 ],
 "nodeEc": [
  158,
  [
   "crv",
   "d",
   "kty",
   "x",
   "y"
  ],
  "P-521"
 ],
 "nodeEd25519": [
  "ed25519",
  44,
  [
   "crv",
   "d",
   "kty",
   "x"
  ]
 ],
 "nodeX25519": [
  [
   "-----BEGIN PUBLIC KEY-----",
   "-----END PUBLIC KEY-----",
   true
  ],
  "x25519"
 ],
 "nodePromisified": [
  "ec",
  {
   "namedCurve": "prime256v1"
  }
 ],
 "nodeCallback": [
  null,
  "public",
  "private"
 ],
 "badCurve": [
  "TypeError",
  "ERR_CRYPTO_INVALID_CURVE"
 ]
}"##,
    );
    assert_eq!(run_fixture("crypto_keygen").await, expected);
}

/// Node's createSign/createVerify, crypto.sign/verify, createPublicKey/createPrivateKey
/// with PEM (spki, pkcs8, pkcs1, sec1, a certificate), JWK and KeyObjects; RSA PKCS#1 v1.5
/// and Ed25519 signatures equal Node's byte for byte.
#[tokio::test]
async fn node_sign_and_verify_answer_as_node_does() {
    let expected = node_gives(
        r##"{
 "rsaSign": [
  true,
  true
 ],
 "rsaVerify": [
  true,
  true,
  true,
  true
 ],
 "rsaTampered": false,
 "rsaPss": [
  true,
  true,
  true
 ],
 "certificate": [
  true,
  "rsa",
  1024
 ],
 "ec": [
  true,
  true,
  48,
  64,
  true
 ],
 "ed25519": [
  64,
  true,
  false,
  true
 ],
 "keyObjects": [
  "public",
  "rsa",
  1024,
  "65537",
  true,
  "private",
  "ec",
  {
   "namedCurve": "prime256v1"
  },
  "ed25519",
  1024
 ],
 "generated": true,
 "callback": [
  null,
  true
 ],
 "errors": [
  [
   "TypeError",
   "ERR_CRYPTO_INVALID_DIGEST"
  ],
  [
   "Error",
   "ERR_OSSL_UNSUPPORTED"
  ],
  false
 ],
 "constants": [
  6,
  -1
 ]
}"##,
    );
    assert_eq!(run_fixture("crypto_node_sign").await, expected);
}
