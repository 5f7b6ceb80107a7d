// Web Crypto's public-key signatures: ECDSA (P-256, P-384, P-521), Ed25519, RSASSA-PKCS1-v1_5
// and RSA-PSS keys imported from spki, pkcs8, raw (EC public) or jwk, then sign and verify;
// RSA-OAEP's encrypt and decrypt; ECDH (P-256, P-384, P-521) and X25519 key agreement; key
// pairs for all of them (RSA's in rsa_keygen_natives.rs). The work
// is in Rust (sign_natives.rs, agree_natives.rs). Runs after crypto.js and crypto_cipher.js and adds
// to their subtle; what it does not know goes on to theirs.
(function installCryptoSign(natives, internal) {
  "use strict";
  const { bytesOf, domException, algorithmName, hashName, arrayBufferOf, CryptoKey } = internal.crypto;
  const subtle = globalThis.crypto.subtle;
  const SIGNERS = new Set(["ECDSA", "ED25519", "RSASSA-PKCS1-V1_5", "RSA-PSS"]);
  const AGREEMENTS = new Set(["ECDH", "X25519"]);
  const PUBLIC_KEY_ALGORITHMS = new Set([...SIGNERS, ...AGREEMENTS, "RSA-OAEP"]);
  const CANONICAL = { "ECDSA": "ECDSA", "ECDH": "ECDH", "X25519": "X25519", "ED25519": "Ed25519", "RSASSA-PKCS1-V1_5": "RSASSA-PKCS1-v1_5", "RSA-PSS": "RSA-PSS", "RSA-OAEP": "RSA-OAEP" };
  const CURVES = new Set(["P-256", "P-384", "P-521"]);
  const RSA_NAMES = new Set(["RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP"]);

  const fromBase64url = (text) => Buffer.from(String(text), "base64url");
  // A JWK's parts in the order sign_natives.rs reads them, and whether it is private.
  function jwkParts(jwk, name) {
    if (name === "X25519") {
      if (jwk.kty !== "OKP" || jwk.crv !== "X25519") throw domException("Invalid keyData", "DataError");
      return jwk.d ? ["private", "x25519", [fromBase64url(jwk.d)]] : ["public", "x25519", [fromBase64url(jwk.x)]];
    }
    if (name === "ECDSA" || name === "ECDH") {
      if (jwk.kty !== "EC") throw domException("Invalid keyData", "DataError");
      return jwk.d ? ["private", "jwk-ec-private", [fromBase64url(jwk.d)]] : ["public", "jwk-ec-public", [fromBase64url(jwk.x), fromBase64url(jwk.y)]];
    }
    if (name === "Ed25519") {
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") throw domException("Invalid keyData", "DataError");
      return jwk.d ? ["private", "jwk-okp-private", [fromBase64url(jwk.d)]] : ["public", "jwk-okp-public", [fromBase64url(jwk.x)]];
    }
    if (jwk.kty !== "RSA") throw domException("Invalid keyData", "DataError");
    if (jwk.d) return ["private", "jwk-rsa-private", ["n", "e", "d", "p", "q"].map((field) => fromBase64url(jwk[field]))];
    return ["public", "jwk-rsa-public", [fromBase64url(jwk.n), fromBase64url(jwk.e)]];
  }

  const { importKey, exportKey, generateKey, sign, verify, encrypt, decrypt, deriveBits, deriveKey } = subtle;
  subtle.importKey = async function importSigningKey(format, keyData, algorithm, extractable, usages) {
    const upper = algorithmName(algorithm);
    if (!PUBLIC_KEY_ALGORITHMS.has(upper)) return importKey.call(this, format, keyData, algorithm, extractable, usages);
    const name = CANONICAL[upper];
    let type;
    let kind;
    let parts;
    // X25519's DER is a fixed prefix before its 32 raw bytes (RFC 8410).
    const last32 = (data) => Uint8Array.from(bytesOf(data)).slice(-32);
    if (format === "jwk") [type, kind, parts] = jwkParts(keyData, name);
    else if (name === "X25519" && format !== "jwk") {
      if (!["spki", "pkcs8", "raw"].includes(format)) throw domException(`Unable to import ${name} key with format ${format}`, "NotSupportedError");
      [type, kind, parts] = [format === "pkcs8" ? "private" : "public", "x25519", [last32(keyData)]];
    }
    else if (format === "spki") [type, kind, parts] = ["public", "spki", [Uint8Array.from(bytesOf(keyData))]];
    else if (format === "pkcs8") [type, kind, parts] = ["private", "pkcs8", [Uint8Array.from(bytesOf(keyData))]];
    else if (format === "raw" && (name === "ECDSA" || name === "ECDH" || name === "Ed25519")) [type, kind, parts] = ["public", "raw", [Uint8Array.from(bytesOf(keyData))]];
    else throw domException(`Unable to import ${name} key with format ${format}`, "NotSupportedError");
    let keyAlgorithm;
    if (name === "Ed25519" || name === "X25519") {
      keyAlgorithm = { name };
    } else if (name === "ECDSA" || name === "ECDH") {
      if (!CURVES.has(algorithm.namedCurve)) throw domException(`Unrecognized namedCurve '${algorithm.namedCurve}' (P-256, P-384 and P-521 are known here)`, "NotSupportedError");
      keyAlgorithm = { name, namedCurve: algorithm.namedCurve };
    } else {
      keyAlgorithm = { name, hash: { name: hashName(algorithm.hash) } };
      if (kind.startsWith("jwk")) Object.assign(keyAlgorithm, { modulusLength: parts[0].length * 8, publicExponent: Uint8Array.from(parts[1]) });
    }
    const key = new CryptoKey(keyAlgorithm, extractable, usages, null, type);
    Object.defineProperties(key, { _kind: { value: kind }, _parts: { value: parts }, _format: { value: format }, _source: { value: keyData } });
    return key;
  };
  subtle.exportKey = async function exportSigningKey(format, key) {
    if (!key || !key._kind) return exportKey.call(this, format, key);
    // Node 20 names this one InvalidAccessException (sic).
    if (!key.extractable) throw domException("key is not extractable", "InvalidAccessException");
    if (key._generated) return exportGenerated(format, key);
    // What was imported, in the format it came in: the keys are not re-encoded here.
    if (format !== key._format) throw domException(`Exporting a ${key.algorithm.name} key imported as ${key._format} as ${format} is not supported here`, "NotSupportedError");
    return format === "jwk" ? { ...key._source } : arrayBufferOf(key._parts[0]);
  };

  // A generated key knows every form of itself (sign_natives.rs made them all).
  function exportGenerated(format, key) {
    if (RSA_NAMES.has(key.algorithm.name)) return exportGeneratedRsa(format, key);
    const [pkcs8, spki, raw, secret] = key._generated;
    const isPublic = key.type === "public";
    if (format === "spki" && isPublic) return arrayBufferOf(spki);
    if (format === "raw" && isPublic) return arrayBufferOf(raw);
    if (format === "pkcs8" && !isPublic) return arrayBufferOf(pkcs8);
    if (format !== "jwk") throw domException(`Unable to export a ${format} ${key.algorithm.name} ${key.type} key`, "InvalidAccessError");
    const base64url = (bytes) => Buffer.from(bytes).toString("base64url");
    const jwk = { key_ops: key.usages, ext: true };
    if (key.algorithm.name === "Ed25519") Object.assign(jwk, { crv: "Ed25519", kty: "OKP", x: base64url(raw), alg: "Ed25519" });
    else if (key.algorithm.name === "X25519") Object.assign(jwk, { crv: "X25519", kty: "OKP", x: base64url(raw) });
    else {
      const half = (raw.length - 1) / 2;
      Object.assign(jwk, { crv: key.algorithm.namedCurve, kty: "EC", x: base64url(raw.subarray(1, 1 + half)), y: base64url(raw.subarray(1 + half)) });
    }
    if (!isPublic) jwk.d = base64url(secret);
    return jwk;
  }

  // A generated RSA key: [pkcs8, spki, pkcs1 private, pkcs1 public, n, e, d, p, q, dp, dq, qi].
  const JWK_ALG = {
    "RSASSA-PKCS1-v1_5": { "SHA-1": "RS1", "SHA-256": "RS256", "SHA-384": "RS384", "SHA-512": "RS512" },
    "RSA-PSS": { "SHA-1": "PS1", "SHA-256": "PS256", "SHA-384": "PS384", "SHA-512": "PS512" },
    "RSA-OAEP": { "SHA-1": "RSA-OAEP", "SHA-256": "RSA-OAEP-256", "SHA-384": "RSA-OAEP-384", "SHA-512": "RSA-OAEP-512" },
  };
  function exportGeneratedRsa(format, key) {
    const made = key._generated;
    const isPublic = key.type === "public";
    if (format === "spki" && isPublic) return arrayBufferOf(made[1]);
    if (format === "pkcs8" && !isPublic) return arrayBufferOf(made[0]);
    if (format !== "jwk") throw domException(`Unable to export a ${format} ${key.algorithm.name} ${key.type} key`, "InvalidAccessError");
    const base64url = (bytes) => Buffer.from(bytes).toString("base64url");
    const jwk = { key_ops: key.usages, ext: true, kty: "RSA", n: base64url(made[4]), e: base64url(made[5]), alg: JWK_ALG[key.algorithm.name][key.algorithm.hash.name] };
    if (!isPublic) ["d", "p", "q", "dp", "dq", "qi"].forEach((field, index) => { jwk[field] = base64url(made[6 + index]); });
    return jwk;
  }
  internal.crypto.rsaGenerate = (modulusLength, publicExponent) => {
    if (!Number.isInteger(modulusLength) || modulusLength < 512 || modulusLength > 16384) throw domException("Invalid key length", "OperationError");
    const made = natives.rsaGenerate(modulusLength, Uint8Array.from(publicExponent));
    if (made == null) throw domException("The operation failed for an operation-specific reason", "OperationError");
    return made;
  };

  function generateRsa(name, algorithm, extractable, usages) {
    const publicExponent = algorithm.publicExponent === undefined ? new Uint8Array([1, 0, 1]) : Uint8Array.from(bytesOf(algorithm.publicExponent));
    const made = internal.crypto.rsaGenerate(algorithm.modulusLength, publicExponent);
    const keyAlgorithm = { name, modulusLength: algorithm.modulusLength, publicExponent, hash: { name: hashName(algorithm.hash) } };
    const pair = (type, kind, part, keyUsages, keyExtractable) => {
      const key = new CryptoKey({ ...keyAlgorithm, publicExponent: Uint8Array.from(publicExponent) }, keyExtractable, keyUsages, null, type);
      Object.defineProperties(key, { _kind: { value: kind }, _parts: { value: [part] }, _generated: { value: made } });
      return key;
    };
    const [publicUses, privateUses] = name === "RSA-OAEP" ? [["encrypt", "wrapKey"], ["decrypt", "unwrapKey"]] : [["verify"], ["sign"]];
    return {
      publicKey: pair("public", "spki", made[1], usages.filter((usage) => publicUses.includes(usage)), true),
      privateKey: pair("private", "pkcs8", made[0], usages.filter((usage) => privateUses.includes(usage)), extractable),
    };
  }

  // Key pairs for ECDSA and ECDH (P-256, P-384, P-521), Ed25519, X25519 and RSA.
  subtle.generateKey = async function generateAnyKey(algorithm, extractable, usages) {
    const name = CANONICAL[algorithmName(algorithm)];
    if (RSA_NAMES.has(name)) return generateRsa(name, algorithm, extractable, usages);
    if (!["ECDSA", "ECDH", "Ed25519", "X25519"].includes(name)) return generateKey.call(this, algorithm, extractable, usages);
    const curve = name === "Ed25519" || name === "X25519" ? name : algorithm.namedCurve;
    if ((name === "ECDSA" || name === "ECDH") && !CURVES.has(curve)) throw domException(`Unrecognized namedCurve '${curve}' (P-256, P-384 and P-521 are known here)`, "NotSupportedError");
    const made = natives.keyPairGenerate(curve);
    if (made == null) throw domException("The operation failed for an operation-specific reason", "OperationError");
    const keyAlgorithm = name === "Ed25519" || name === "X25519" ? { name } : { name, namedCurve: curve };
    const pair = (type, kind, part, keyUsages, keyExtractable) => {
      const key = new CryptoKey({ ...keyAlgorithm }, keyExtractable, keyUsages, null, type);
      Object.defineProperties(key, { _kind: { value: kind }, _parts: { value: [part] }, _generated: { value: made } });
      return key;
    };
    const agreeing = AGREEMENTS.has(name);
    const [publicKind, publicPart, privateKind, privatePart] = name === "X25519" ? ["x25519", made[2], "x25519", made[3]] : ["spki", made[1], "pkcs8", made[0]];
    return {
      publicKey: pair("public", publicKind, publicPart, agreeing ? [] : usages.filter((usage) => usage === "verify"), true),
      privateKey: pair("private", privateKind, privatePart, usages.filter((usage) => (agreeing ? usage === "deriveBits" || usage === "deriveKey" : usage === "sign")), extractable),
    };
  };

  function specOf(algorithm, key, operation) {
    const name = CANONICAL[algorithmName(algorithm)];
    if (!name || !key || !key._kind || key.algorithm.name !== name) throw domException(`Unable to use this key to ${operation}`, "InvalidAccessError");
    if (name === "Ed25519") return "Ed25519::";
    if (name === "ECDSA") return `ECDSA:${key.algorithm.namedCurve}:${hashName(algorithm.hash)}`;
    if (name === "RSA-PSS") return `RSA-PSS:${algorithm.saltLength}:${key.algorithm.hash.name}`;
    return `RSASSA-PKCS1-v1_5::${key.algorithm.hash.name}`;
  }
  subtle.sign = async function signAny(algorithm, key, data) {
    if (!SIGNERS.has(algorithmName(algorithm))) return sign.call(this, algorithm, key, data);
    const spec = specOf(algorithm, key, "sign");
    if (key.type !== "private") throw domException("Unable to use this key to sign", "InvalidAccessError");
    const signature = natives.publicKeySign(spec, key._kind, key._parts, bytesOf(data), undefined);
    if (signature == null) throw domException("The operation failed for an operation-specific reason", "OperationError");
    return arrayBufferOf(signature);
  };
  subtle.verify = async function verifyAny(algorithm, key, signature, data) {
    if (!SIGNERS.has(algorithmName(algorithm))) return verify.call(this, algorithm, key, signature, data);
    const spec = specOf(algorithm, key, "verify");
    if (key.type !== "public") throw domException("Unable to use this key to verify", "InvalidAccessError");
    const answer = natives.publicKeySign(spec, key._kind, key._parts, bytesOf(data), Uint8Array.from(bytesOf(signature)));
    if (answer == null) throw domException("The operation failed for an operation-specific reason", "OperationError");
    return answer[0] === 1;
  };

  function oaep(encrypting, algorithm, key, data) {
    if (!key || key._kind === undefined || key.algorithm.name !== "RSA-OAEP" || key.type !== (encrypting ? "public" : "private")) {
      throw domException("The requested operation is not valid for the provided key", "InvalidAccessError");
    }
    const label = algorithm.label === undefined ? new Uint8Array(0) : Uint8Array.from(bytesOf(algorithm.label));
    const out = natives.rsaOaep(key.algorithm.hash.name, encrypting, key._kind, key._parts, bytesOf(data), label);
    if (out == null) throw domException("The operation failed for an operation-specific reason", "OperationError");
    return arrayBufferOf(out);
  }
  subtle.encrypt = async function encryptAny(algorithm, key, data) {
    if (algorithmName(algorithm) !== "RSA-OAEP") return encrypt.call(this, algorithm, key, data);
    return oaep(true, algorithm, key, data);
  };
  subtle.decrypt = async function decryptAny(algorithm, key, data) {
    if (algorithmName(algorithm) !== "RSA-OAEP") return decrypt.call(this, algorithm, key, data);
    return oaep(false, algorithm, key, data);
  };

  // ECDH and X25519: the shared secret, cut to `length` bits when it asks for fewer.
  function agreedBytes(algorithm, baseKey, length) {
    const name = CANONICAL[algorithmName(algorithm)];
    const peer = algorithm.public;
    if (!baseKey || !baseKey._kind || baseKey.algorithm.name !== name || baseKey.type !== "private") throw domException("baseKey must be a private key", "InvalidAccessError");
    if (!peer || !peer._kind || peer.type !== "public") throw domException("algorithm.public must be a public key", "InvalidAccessError");
    if (peer.algorithm.name !== name || peer.algorithm.namedCurve !== baseKey.algorithm.namedCurve) throw domException("The public and private keys must be on the same curve", "InvalidAccessError");
    const curve = name === "X25519" ? "X25519" : baseKey.algorithm.namedCurve;
    const secret = natives.keyAgree(curve, baseKey._kind, baseKey._parts, peer._kind, peer._parts);
    if (secret == null) throw domException("The operation failed for an operation-specific reason", "OperationError");
    if (length === null || length === undefined) return secret;
    if (length > secret.length * 8) throw domException("derived bit length is too large", "OperationError");
    return secret.subarray(0, Math.ceil(length / 8));
  }
  subtle.deriveBits = async function deriveAnyBits(algorithm, baseKey, length) {
    if (!AGREEMENTS.has(algorithmName(algorithm))) return deriveBits.call(this, algorithm, baseKey, length);
    return arrayBufferOf(agreedBytes(algorithm, baseKey, length));
  };
  subtle.deriveKey = async function deriveAnyKey(algorithm, baseKey, derivedKeyAlgorithm, extractable, usages) {
    if (!AGREEMENTS.has(algorithmName(algorithm))) return deriveKey.call(this, algorithm, baseKey, derivedKeyAlgorithm, extractable, usages);
    const BLOCK_BITS = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
    const derivedName = algorithmName(derivedKeyAlgorithm);
    const length = derivedName === "HMAC" ? derivedKeyAlgorithm.length || BLOCK_BITS[hashName(derivedKeyAlgorithm.hash)] : derivedKeyAlgorithm.length;
    return subtle.importKey("raw", agreedBytes(algorithm, baseKey, length), derivedKeyAlgorithm, extractable, usages);
  };
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
