// Node's own signature API over the natives Web Crypto uses (sign_natives.rs):
// createSign/createVerify, crypto.sign/verify, createPublicKey/createPrivateKey, for RSA
// (PKCS#1 v1.5 and PSS), ECDSA (P-256, P-384, P-521; DER or IEEE P1363 signatures) and
// Ed25519, with keys as PEM (spki, pkcs8, pkcs1, sec1, certificates), DER, JWK or
// KeyObjects. What JWT libraries (jsonwebtoken's jwa, jose's node build) call.
(function installNodeSign(natives, internal) {
  "use strict";
  const { builtin } = internal;
  const cryptoModule = builtin("crypto");
  const { KeyObject } = internal.crypto;

  function codedError(ErrorClass, code, message) {
    const error = new ErrorClass(message);
    error.code = code;
    return error;
  }

  // ------------------------------------------------------------------ DER, just enough
  function readTlv(bytes, at) {
    let length = bytes[at + 1];
    let start = at + 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
      start += count;
    }
    if (start + length > bytes.length) throw codedError(Error, "ERR_OSSL_ASN1_NOT_ENOUGH_DATA", "error:0680006B:asn1 encoding routines::not enough data");
    return { tag: bytes[at], at, start, end: start + length };
  }
  function children(bytes, tlv) {
    const out = [];
    for (let at = tlv.start; at < tlv.end;) {
      const child = readTlv(bytes, at);
      out.push(child);
      at = child.end;
    }
    return out;
  }
  function encodeTlv(tag, content) {
    const length = content.length;
    const head = length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : length < 0x10000 ? [0x82, length >> 8, length & 0xff] : [0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
    return Buffer.concat([Buffer.from([tag, ...head]), Buffer.from(content)]);
  }
  const hexOf = (bytes, tlv) => Buffer.from(bytes.subarray(tlv.start, tlv.end)).toString("hex");

  const OID = { rsa: "2a864886f70d010101", ec: "2a8648ce3d0201", ed25519: "2b6570", x25519: "2b656e" };
  const CURVE_OIDS = { "2a8648ce3d030107": "P-256", "2b81040022": "P-384", "2b81040023": "P-521" };
  const CURVE_SIZE = { "P-256": 32, "P-384": 48, "P-521": 66 };
  const OPENSSL_CURVE = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
  const FROM_OPENSSL = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };
  const RSA_ALGORITHM_ID = Buffer.from("300d06092a864886f70d0101010500", "hex");

  // What an spki or pkcs8 document holds: its key type, curve and RSA modulus size.
  function describe(der, type) {
    const top = children(der, readTlv(der, 0));
    const algorithm = top.find((child) => child.tag === 0x30);
    if (algorithm === undefined) throw codedError(Error, "ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported");
    const [oid, params] = children(der, algorithm);
    const oidHex = hexOf(der, oid);
    const keyType = Object.keys(OID).find((name) => OID[name] === oidHex);
    if (keyType === undefined) throw codedError(Error, "ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported");
    const details = {};
    let curve;
    if (keyType === "ec") {
      curve = CURVE_OIDS[hexOf(der, params)];
      if (curve === undefined) throw codedError(TypeError, "ERR_CRYPTO_INVALID_CURVE", "Invalid EC curve name");
      details.namedCurve = OPENSSL_CURVE[curve];
    }
    if (keyType === "rsa") {
      // spki: a BIT STRING around RSAPublicKey { n, e }; pkcs8: an OCTET STRING around
      // RSAPrivateKey { version, n, e, … }.
      const holder = top[top.length - 1];
      const inner = der.subarray(holder.start + (type === "public" ? 1 : 0), holder.end);
      const numbers = children(inner, readTlv(inner, 0)).slice(type === "public" ? 0 : 1);
      let modulus = inner.subarray(numbers[0].start, numbers[0].end);
      while (modulus.length > 1 && modulus[0] === 0) modulus = modulus.subarray(1);
      details.modulusLength = modulus.length * 8;
      details.publicExponent = BigInt(`0x${hexOf(inner, numbers[1])}`);
    }
    return { keyType, curve, details };
  }

  // PEM (or DER, with `format: "der"` and `type`) to the spki or pkcs8 document.
  function documentOf(data, format, type, wantPrivate) {
    if (format === "der") {
      const der = Buffer.from(data);
      if (type === "pkcs1") return wantPrivate ? wrapPkcs1Private(der) : wrapPkcs1Public(der);
      if (type === "sec1") return wrapSec1(der);
      return der;
    }
    const text = Buffer.isBuffer(data) || ArrayBuffer.isView(data) ? Buffer.from(data).toString("utf8") : String(data);
    const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
    if (match === null) throw codedError(Error, "ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported");
    const [, label, body] = match;
    const der = Buffer.from(body.replace(/\s+/g, ""), "base64");
    switch (label) {
      case "PUBLIC KEY": case "PRIVATE KEY": return der;
      case "RSA PUBLIC KEY": return wrapPkcs1Public(der);
      case "RSA PRIVATE KEY": return wrapPkcs1Private(der);
      case "EC PRIVATE KEY": return wrapSec1(der);
      case "CERTIFICATE": return certificateKey(der);
      case "ENCRYPTED PRIVATE KEY": throw codedError(TypeError, "ERR_MISSING_PASSPHRASE", "Passphrase required for encrypted key");
      default: throw codedError(Error, "ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported");
    }
  }
  function wrapPkcs1Public(der) {
    return encodeTlv(0x30, Buffer.concat([RSA_ALGORITHM_ID, encodeTlv(0x03, Buffer.concat([Buffer.from([0]), der]))]));
  }
  function wrapPkcs1Private(der) {
    return encodeTlv(0x30, Buffer.concat([Buffer.from([2, 1, 0]), RSA_ALGORITHM_ID, encodeTlv(0x04, der)]));
  }
  // SEC1's EC PRIVATE KEY names its curve in [0]: PKCS#8 wants it in the algorithm.
  function wrapSec1(der) {
    const parts = children(der, readTlv(der, 0));
    const named = parts.find((part) => part.tag === 0xa0);
    if (named === undefined) throw codedError(Error, "ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported");
    const curveOid = der.subarray(named.start, named.end);
    const algorithm = encodeTlv(0x30, Buffer.concat([Buffer.from(`0607${OID.ec}`, "hex"), curveOid]));
    return encodeTlv(0x30, Buffer.concat([Buffer.from([2, 1, 0]), algorithm, encodeTlv(0x04, der)]));
  }
  // An X.509 certificate's subjectPublicKeyInfo (what Node's createPublicKey takes from it):
  // tbsCertificate's seventh field, or sixth without the optional version.
  function certificateKey(der) {
    const [tbs] = children(der, readTlv(der, 0));
    const fields = children(der, tbs);
    const spki = fields[(fields[0].tag === 0xa0 ? 1 : 0) + 5];
    return Buffer.from(der.subarray(spki.at, spki.end));
  }

  // ------------------------------------------------------------------ keys
  const JWK_KINDS = {
    RSA: (jwk, isPrivate) => (isPrivate ? ["jwk-rsa-private", ["n", "e", "d", "p", "q"]] : ["jwk-rsa-public", ["n", "e"]]),
    EC: (jwk, isPrivate) => (isPrivate ? ["jwk-ec-private", ["d"]] : ["jwk-ec-public", ["x", "y"]]),
    OKP: (jwk, isPrivate) => (isPrivate ? ["jwk-okp-private", ["d"]] : ["jwk-okp-public", ["x"]]),
  };

  function keyObjectFrom(input, wantPrivate) {
    if (input instanceof KeyObject) return input;
    const options = input !== null && typeof input === "object" && !Buffer.isBuffer(input) && !ArrayBuffer.isView(input) ? input : { key: input };
    if (options.key instanceof KeyObject) return options.key;
    if (options.passphrase !== undefined) throw codedError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "Encrypted private keys are not supported by lambdesk's runtime");
    if (options.format === "jwk") {
      const jwk = options.key;
      const isPrivate = wantPrivate && jwk.d !== undefined;
      const keyType = jwk.kty === "RSA" ? "rsa" : jwk.kty === "EC" ? "ec" : jwk.crv === "Ed25519" ? "ed25519" : jwk.crv === "X25519" ? "x25519" : null;
      if (keyType === null || JWK_KINDS[jwk.kty] === undefined) throw codedError(TypeError, "ERR_CRYPTO_INVALID_JWK", "Invalid JWK data");
      const details = keyType === "ec" ? { namedCurve: OPENSSL_CURVE[jwk.crv] } : keyType === "rsa" ? { modulusLength: Buffer.from(jwk.n, "base64url").length * 8, publicExponent: BigInt(`0x${Buffer.from(jwk.e, "base64url").toString("hex")}`) } : {};
      return new KeyObject(isPrivate ? "private" : "public", keyType, details, { jwk: { ...jwk } });
    }
    const der = documentOf(options.key, options.format, options.type, wantPrivate);
    const top = children(der, readTlv(der, 0));
    // pkcs8 starts with its version (an INTEGER); spki with the algorithm.
    const isPrivate = top[0].tag === 0x02;
    // Node (OpenSSL) cannot read a public key as a private one.
    if (wantPrivate && !isPrivate) throw codedError(Error, "ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported");
    const type = isPrivate ? "private" : "public";
    const { keyType, details } = describe(der, type);
    return new KeyObject(type, keyType, details, isPrivate ? { pkcs8: der } : { spki: der });
  }

  // The natives' view of a key: kind and parts (see sign_natives.rs).
  function nativeKey(key) {
    const forms = KeyObject.formsOf(key);
    if (key.type === "private" && forms.pkcs8) return ["pkcs8", [Uint8Array.from(forms.pkcs8)]];
    if (key.type === "public" && forms.spki) return ["spki", [Uint8Array.from(forms.spki)]];
    const jwk = forms.jwk;
    const [kind, fields] = JWK_KINDS[jwk.kty](jwk, key.type === "private");
    return [kind, fields.map((field) => Uint8Array.from(Buffer.from(jwk[field], "base64url")))];
  }
  const curveOf = (key) => FROM_OPENSSL[key.asymmetricKeyDetails.namedCurve] || (KeyObject.formsOf(key).jwk || {}).crv;

  // ------------------------------------------------------------------ sign, verify
  const HASHES = { sha1: "SHA-1", sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
  function hashOf(algorithm) {
    const name = String(algorithm).toLowerCase().replace(/^rsa-/, "").replace(/^ecdsa-with-/, "").replace("-", "");
    const hash = HASHES[name];
    if (hash === undefined) throw codedError(TypeError, "ERR_CRYPTO_INVALID_DIGEST", `Invalid digest: ${algorithm}`);
    return hash;
  }
  const DIGEST_BYTES = { "SHA-1": 20, "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

  function p1363ToDer(signature) {
    const half = signature.length / 2;
    const integer = (bytes) => {
      let start = 0;
      while (start < bytes.length - 1 && bytes[start] === 0) start++;
      const value = bytes.subarray(start);
      return encodeTlv(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
    };
    return encodeTlv(0x30, Buffer.concat([integer(signature.subarray(0, half)), integer(signature.subarray(half))]));
  }
  function derToP1363(der, size) {
    const [r, s] = children(der, readTlv(der, 0));
    const fixed = (tlv) => {
      let value = der.subarray(tlv.start, tlv.end);
      while (value.length > size && value[0] === 0) value = value.subarray(1);
      return Buffer.concat([Buffer.alloc(Math.max(0, size - value.length)), value]);
    };
    return Buffer.concat([fixed(r), fixed(s)]);
  }

  // The natives' spec for `key` (and Node's options beside it), one per salt length to try.
  function specsFor(algorithm, key, options, signing) {
    const type = key.asymmetricKeyType;
    if (type === "ed25519") return ["Ed25519::"];
    const hash = hashOf(algorithm === null || algorithm === undefined ? "sha256" : algorithm);
    if (type === "ec") return [`ECDSA:${curveOf(key)}:${hash}`];
    if (type !== "rsa") throw codedError(TypeError, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", `Invalid key object type ${type}, expected rsa, ec or ed25519.`);
    if (options.padding !== cryptoModule.constants.RSA_PKCS1_PSS_PADDING) return [`RSASSA-PKCS1-v1_5::${hash}`];
    const max = key.asymmetricKeyDetails.modulusLength / 8 - DIGEST_BYTES[hash] - 2;
    const salt = options.saltLength;
    if (salt === undefined || salt === -2) return signing ? [`RSA-PSS:${max}:${hash}`] : [max, DIGEST_BYTES[hash], 0].map((length) => `RSA-PSS:${length}:${hash}`);
    return [`RSA-PSS:${salt === -1 ? DIGEST_BYTES[hash] : salt}:${hash}`];
  }
  const optionsOf = (input) => (input !== null && typeof input === "object" && !(input instanceof KeyObject) && !Buffer.isBuffer(input) && !ArrayBuffer.isView(input) ? input : {});
  const dataBytes = (data, encoding) => Uint8Array.from(typeof data === "string" ? Buffer.from(data, encoding) : Buffer.from(data.buffer ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : data));

  function signBytes(algorithm, data, keyInput) {
    const key = keyObjectFrom(keyInput, true);
    const options = optionsOf(keyInput);
    const [kind, parts] = nativeKey(key);
    const [spec] = specsFor(algorithm, key, options, true);
    const signature = natives.publicKeySign(spec, kind, parts, data, undefined);
    if (signature == null) throw codedError(Error, "ERR_OSSL_EVP_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE", "error:03000096:digital envelope routines::operation not supported for this keytype");
    const bytes = Buffer.from(signature);
    return key.asymmetricKeyType === "ec" && options.dsaEncoding !== "ieee-p1363" ? p1363ToDer(bytes) : bytes;
  }
  function verifyBytes(algorithm, data, keyInput, signature) {
    const key = keyObjectFrom(keyInput, false);
    if (key.type !== "public") throw codedError(TypeError, "ERR_INVALID_ARG_VALUE", "A public key is needed to verify here");
    const options = optionsOf(keyInput);
    let given = Buffer.from(signature);
    if (key.asymmetricKeyType === "ec" && options.dsaEncoding !== "ieee-p1363") {
      try { given = derToP1363(given, CURVE_SIZE[curveOf(key)]); } catch { return false; }
    }
    const [kind, parts] = nativeKey(key);
    return specsFor(algorithm, key, options, false).some((spec) => {
      const answer = natives.publicKeySign(spec, kind, parts, data, Uint8Array.from(given));
      return answer != null && answer[0] === 1;
    });
  }

  // Sign and Verify: update() (or write()) the data, then sign or verify once.
  class Sign {
    #hash;
    #chunks = [];
    constructor(algorithm) { this.#hash = algorithm; hashOf(algorithm); }
    update(data, encoding) { this.#chunks.push(dataBytes(data, encoding)); return this; }
    write(data, encoding, callback) { this.update(data, typeof encoding === "string" ? encoding : undefined); if (typeof callback === "function") callback(); return true; }
    end(data, encoding, callback) { if (data !== undefined && typeof data !== "function") this.update(data, typeof encoding === "string" ? encoding : undefined); return this; }
    sign(key, outputEncoding) {
      const signature = signBytes(this.#hash, Buffer.concat(this.#chunks), key);
      return outputEncoding === undefined || outputEncoding === "buffer" ? signature : signature.toString(outputEncoding);
    }
  }
  class Verify {
    #hash;
    #chunks = [];
    constructor(algorithm) { this.#hash = algorithm; hashOf(algorithm); }
    update(data, encoding) { this.#chunks.push(dataBytes(data, encoding)); return this; }
    write(data, encoding, callback) { this.update(data, typeof encoding === "string" ? encoding : undefined); if (typeof callback === "function") callback(); return true; }
    end(data, encoding, callback) { if (data !== undefined && typeof data !== "function") this.update(data, typeof encoding === "string" ? encoding : undefined); return this; }
    verify(key, signature, signatureEncoding) {
      const given = typeof signature === "string" ? Buffer.from(signature, signatureEncoding) : signature;
      return verifyBytes(this.#hash, Buffer.concat(this.#chunks), key, given);
    }
  }

  // crypto.sign/verify: one shot; the algorithm is null for Ed25519; a callback makes it
  // asynchronous, as in Node.
  function sign(algorithm, data, key, callback) {
    if (typeof callback !== "function") return signBytes(algorithm, dataBytes(data), key);
    let result;
    try { result = signBytes(algorithm, dataBytes(data), key); } catch (error) { setImmediate(() => callback(error)); return undefined; }
    setImmediate(() => callback(null, result));
    return undefined;
  }
  function verify(algorithm, data, key, signature, callback) {
    if (typeof callback !== "function") return verifyBytes(algorithm, dataBytes(data), key, signature);
    let result;
    try { result = verifyBytes(algorithm, dataBytes(data), key, signature); } catch (error) { setImmediate(() => callback(error)); return undefined; }
    setImmediate(() => callback(null, result));
    return undefined;
  }

  Object.assign(cryptoModule.constants, {
    RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_PKCS1_PSS_PADDING: 6,
    RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2,
  });
  Object.assign(cryptoModule, {
    createSign: (algorithm) => new Sign(algorithm),
    createVerify: (algorithm) => new Verify(algorithm),
    Sign,
    Verify,
    sign,
    verify,
    createPublicKey: (input) => {
      const key = keyObjectFrom(input, false);
      if (key.type !== "public") throw codedError(TypeError, "ERR_INVALID_ARG_VALUE", "A public key is needed here; deriving one from a private key is not supported by lambdesk's runtime");
      return key;
    },
    createPrivateKey: (input) => keyObjectFrom(input, true),
  });
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
