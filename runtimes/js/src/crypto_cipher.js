// AES ciphers and key derivation for Node's `crypto` (createCipheriv, createDecipheriv,
// pbkdf2, hkdf) and Web Crypto's subtle (encrypt, decrypt, wrapKey, unwrapKey with AES-KW,
// deriveBits, deriveKey, AES, PBKDF2 and HKDF keys): the work in Rust (cipher_natives.rs), the API here with Node's
// error codes and messages. Runs after crypto.js and adds to its module and subtle.
(function installCryptoCiphers(natives, internal) {
  "use strict";
  const { builtin } = internal;
  const { bytesOf, codedError, domException, algorithmName, hashName, arrayBufferOf, CryptoKey, HASHES } = internal.crypto;
  const cryptoModule = builtin("crypto");
  const subtle = globalThis.crypto.subtle;

  const bufferOf = (array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  const EMPTY = new Uint8Array(0);
  const CIPHERS = /^aes-(128|192|256)-(cbc|ctr|gcm)$/;
  const GCM_TAG_LEN = 16;

  // Node's OpenSSL 3 errors for a failed final step.
  function finalError(reason) {
    const number = reason === "bad decrypt" ? "1C800064" : "1C80006B";
    const error = new Error(`error:${number}:Provider routines::${reason}`);
    Object.assign(error, { library: "Provider routines", reason, code: `ERR_OSSL_${reason.toUpperCase().replace(/ /g, "_")}` });
    return error;
  }
  const unauthenticated = () => new Error("Unsupported state or unable to authenticate data");

  // A cipher forgotten before `final` is dropped natively when collected.
  const unfinished = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((id) => natives.cipherDrop(id)) : null;

  // GCM's keystream is CTR's with a 32-bit counter from IV‖2 (for a 96-bit IV), so
  // update can give output as Node does; the tag is computed over all of it at final.
  function gcmCounter(iv) {
    const counter = new Uint8Array(16);
    counter.set(iv);
    counter[15] = 2;
    return counter;
  }

  class Cipheriv {
    constructor(algorithm, key, iv, encrypt) {
      const match = CIPHERS.exec(String(algorithm).toLowerCase());
      if (!match) throw codedError(Error, "Unknown cipher", "ERR_CRYPTO_UNKNOWN_CIPHER");
      const [, bits, mode] = match;
      const keyBytes = key && key.type === "secret" && typeof key.export === "function" ? bytesOf(key.export()) : bytesOf(key, "utf8", "key");
      const ivBytes = bytesOf(iv, "utf8", "iv");
      if (keyBytes.length * 8 !== Number(bits)) throw codedError(RangeError, "Invalid key length", "ERR_CRYPTO_INVALID_KEYLEN");
      if (mode === "gcm" ? ivBytes.length !== 12 : ivBytes.length !== 16) throw codedError(TypeError, "Invalid initialization vector", "ERR_CRYPTO_INVALID_IV");
      this._mode = mode;
      this._encrypt = encrypt;
      this._key = Uint8Array.from(keyBytes);
      this._iv = Uint8Array.from(ivBytes);
      this._padding = true;
      this._id = 0;
      this._decoder = null;
      if (mode === "gcm") Object.assign(this, { _aad: EMPTY, _chunks: [], _tag: null });
    }
    // The native cipher starts at the first update, so setAutoPadding can come first.
    _native() {
      if (this._id === 0) {
        const [mode, iv] = this._mode === "gcm" ? ["ctr32", gcmCounter(this._iv)] : [this._mode, this._iv];
        this._id = natives.cipherNew(mode, this._key, iv, this._encrypt, this._padding);
        if (unfinished) unfinished.register(this, this._id, this);
      }
      return this._id;
    }
    _output(bytes, outputEncoding, last) {
      const buffer = bufferOf(bytes);
      if (!outputEncoding || outputEncoding === "buffer") return buffer;
      // A decoder keeps base64's and UTF-8's partial groups for the next chunk, as Node's.
      if (this._decoder === null) this._decoder = new (builtin("string_decoder").StringDecoder)(outputEncoding);
      return last ? this._decoder.end(buffer) : this._decoder.write(buffer);
    }
    update(data, inputEncoding, outputEncoding) {
      if (this._id < 0) throw codedError(Error, "Unsupported state", "ERR_CRYPTO_INVALID_STATE");
      const input = bytesOf(data, inputEncoding);
      if (this._mode === "gcm") this._chunks.push(Uint8Array.from(input));
      return this._output(natives.cipherUpdate(this._native(), input), outputEncoding, false);
    }
    final(outputEncoding) {
      if (this._id < 0) throw codedError(Error, "Unsupported state", "ERR_CRYPTO_INVALID_STATE");
      const result = natives.cipherFinal(this._native());
      if (unfinished) unfinished.unregister(this);
      this._id = -1;
      if (typeof result === "string") throw finalError(result);
      if (this._mode === "gcm") this._finishGcm();
      return this._output(result, outputEncoding, true);
    }
    _finishGcm() {
      const data = Buffer.concat(this._chunks);
      this._chunks = [];
      if (this._encrypt) {
        const sealed = natives.aesGcm(true, this._key, this._iv, this._aad, data);
        this._tag = bufferOf(sealed).subarray(sealed.length - GCM_TAG_LEN);
        return;
      }
      if (this._tag === null) throw unauthenticated();
      if (natives.aesGcm(false, this._key, this._iv, this._aad, Buffer.concat([data, this._tag])) == null) throw unauthenticated();
    }
    setAutoPadding(padding = true) {
      if (this._id !== 0) throw codedError(Error, "Invalid state for operation setAutoPadding", "ERR_CRYPTO_INVALID_STATE");
      this._padding = Boolean(padding);
      return this;
    }
    setAAD(aad) {
      if (this._mode !== "gcm") throw codedError(Error, "Invalid state for operation setAAD", "ERR_CRYPTO_INVALID_STATE");
      this._aad = Uint8Array.from(bytesOf(aad, undefined, "buffer"));
      return this;
    }
    getAuthTag() {
      if (this._mode !== "gcm" || !this._encrypt || this._tag === null) throw codedError(Error, "Invalid state for operation getAuthTag", "ERR_CRYPTO_INVALID_STATE");
      return Buffer.from(this._tag);
    }
    setAuthTag(tag) {
      if (this._mode !== "gcm" || this._encrypt) throw codedError(Error, "Invalid state for operation setAuthTag", "ERR_CRYPTO_INVALID_STATE");
      const bytes = bytesOf(tag, undefined, "buffer");
      if (bytes.length !== GCM_TAG_LEN) throw codedError(TypeError, `Invalid authentication tag length: ${bytes.length}`, "ERR_CRYPTO_INVALID_AUTH_TAG");
      this._tag = Uint8Array.from(bytes);
      return this;
    }
  }
  class Decipheriv extends Cipheriv {}

  function digestChecked(digest) {
    const name = String(digest);
    const probe = natives.hashNew(name, undefined);
    if (!probe) throw codedError(TypeError, `Invalid digest: ${digest}`, "ERR_CRYPTO_INVALID_DIGEST");
    natives.hashDrop(probe);
    return name;
  }

  function pbkdf2Sync(password, salt, iterations, keylen, digest) {
    const derived = natives.pbkdf2(digestChecked(digest), bytesOf(password, "utf8", "password"), bytesOf(salt, "utf8", "salt"), iterations, keylen);
    return bufferOf(derived);
  }

  // Node's hkdfSync gives an ArrayBuffer, not a Buffer.
  function hkdfSync(digest, ikm, salt, info, keylen) {
    const keyBytes = ikm && ikm.type === "secret" && typeof ikm.export === "function" ? bytesOf(ikm.export()) : bytesOf(ikm, "utf8", "ikm");
    const derived = natives.hkdf(digestChecked(digest), keyBytes, bytesOf(salt, "utf8", "salt"), bytesOf(info, "utf8", "info"), keylen);
    if (derived == null) throw codedError(RangeError, "Invalid key length", "ERR_CRYPTO_INVALID_KEYLEN");
    return arrayBufferOf(derived);
  }

  // The callback forms run the work now and call back on the next turn, as the other
  // crypto callbacks here do: there are no worker threads to run it on.
  const later = (sync) => (...args) => {
    const callback = args.pop();
    if (typeof callback !== "function") throw codedError(TypeError, `The "callback" argument must be of type function. Received ${typeof callback}`, "ERR_INVALID_ARG_TYPE");
    const result = sync(...args);
    setImmediate(() => callback(null, result));
  };

  Object.assign(cryptoModule, {
    createCipheriv: (algorithm, key, iv) => new Cipheriv(algorithm, key, iv, true),
    createDecipheriv: (algorithm, key, iv) => new Decipheriv(algorithm, key, iv, false),
    Cipheriv,
    Decipheriv,
    getCiphers: () => ["aes-128-cbc", "aes-128-ctr", "aes-128-gcm", "aes-192-cbc", "aes-192-ctr", "aes-192-gcm", "aes-256-cbc", "aes-256-ctr", "aes-256-gcm"],
    pbkdf2Sync,
    pbkdf2: later(pbkdf2Sync),
    hkdfSync,
    hkdf: later(hkdfSync),
  });

  // ---------------------------------------------------------------- Web Crypto (subtle)
  const AES = new Set(["AES-CBC", "AES-CTR", "AES-GCM", "AES-KW"]);
  const KDF = new Set(["PBKDF2", "HKDF"]);
  const operationFailed = () => domException("The operation failed for an operation-specific reason", "OperationError");

  function aesKey(name, extractable, usages, bytes) {
    if (![16, 24, 32].includes(bytes.length)) throw domException("Invalid key length", "DataError");
    return new CryptoKey({ name, length: bytes.length * 8 }, extractable, usages, bytes);
  }

  const { importKey, exportKey, generateKey } = subtle;
  subtle.importKey = async function importAnyKey(format, keyData, algorithm, extractable, usages) {
    const name = algorithmName(algorithm);
    if (KDF.has(name)) {
      if (format !== "raw") throw domException(`Unable to import ${name} key with format ${format}`, "NotSupportedError");
      if (extractable) throw domException(`${name} keys are not extractable`, "SyntaxError");
      return new CryptoKey({ name }, false, usages, Buffer.from(bytesOf(keyData)));
    }
    if (!AES.has(name)) return importKey.call(this, format, keyData, algorithm, extractable, usages);
    if (format === "raw") return aesKey(name, extractable, usages, Buffer.from(bytesOf(keyData)));
    if (format === "jwk") return aesKey(name, extractable, usages, Buffer.from(String(keyData.k), "base64url"));
    throw domException(`Unable to import ${name} key with format ${format}`, "NotSupportedError");
  };
  subtle.exportKey = async function exportAnyKey(format, key) {
    const name = key && key.algorithm && key.algorithm.name;
    if (!AES.has(name)) return exportKey.call(this, format, key);
    if (!key.extractable) throw domException("key is not extractable", "InvalidAccessError");
    if (format === "raw") return arrayBufferOf(key._bytes);
    if (format === "jwk") return { key_ops: key.usages, ext: true, kty: "oct", k: key._bytes.toString("base64url"), alg: `A${key.algorithm.length}${name.slice(4)}` };
    throw domException(`Unable to export ${name} key with format ${format}`, "NotSupportedError");
  };
  subtle.generateKey = async function generateAnyKey(algorithm, extractable, usages) {
    const name = algorithmName(algorithm);
    if (!AES.has(name)) return generateKey.call(this, algorithm, extractable, usages);
    if (![128, 192, 256].includes(algorithm.length)) throw domException("AES key length must be 128, 192, or 256 bits", "OperationError");
    return aesKey(name, extractable, usages, cryptoModule.randomBytes(algorithm.length / 8));
  };

  function aesRun(encrypt, algorithm, key, data) {
    const name = algorithmName(algorithm);
    if (name === "AES-KW") throw domException("Unrecognized algorithm name", "NotSupportedError");
    if (!AES.has(name) || !(key instanceof CryptoKey) || key.algorithm.name !== name) throw domException("The requested operation is not valid for the provided key", "InvalidAccessError");
    const bytes = bytesOf(data);
    if (name === "AES-GCM") {
      if (algorithm.tagLength !== undefined && algorithm.tagLength !== 128) throw domException(`${algorithm.tagLength} is not a supported tag length here (128 is)`, "NotSupportedError");
      const iv = bytesOf(algorithm.iv, undefined, "iv");
      const aad = algorithm.additionalData === undefined ? EMPTY : bytesOf(algorithm.additionalData);
      const out = iv.length === 12 ? natives.aesGcm(encrypt, key._bytes, iv, aad, bytes) : null;
      if (out == null) throw operationFailed();
      return arrayBufferOf(out);
    }
    let mode = "cbc";
    let iv;
    if (name === "AES-CTR") {
      const modes = { 128: "ctr", 64: "ctr64", 32: "ctr32" };
      mode = modes[algorithm.length];
      if (!mode) throw domException(`A counter of ${algorithm.length} bits is not supported here (32, 64 or 128 are)`, "NotSupportedError");
      iv = bytesOf(algorithm.counter, undefined, "counter");
    } else {
      iv = bytesOf(algorithm.iv, undefined, "iv");
    }
    const id = iv.length === 16 ? natives.cipherNew(mode, key._bytes, iv, encrypt, true) : 0;
    if (!id) throw operationFailed();
    const head = natives.cipherUpdate(id, bytes);
    const tail = natives.cipherFinal(id);
    if (typeof tail === "string") throw operationFailed();
    return arrayBufferOf(Buffer.concat([head, tail]));
  }
  subtle.encrypt = async (algorithm, key, data) => aesRun(true, algorithm, key, data);

  // wrapKey and unwrapKey: the key exported (a JWK as JSON text), then AES-KW or any
  // encrypt algorithm over those bytes; unwrapping runs the other way.
  function keyWrap(wrap, algorithm, key, bytes) {
    if (!(key instanceof CryptoKey) || key.algorithm.name !== "AES-KW") throw domException("The requested operation is not valid for the provided key", "InvalidAccessError");
    const out = natives.aesKw(wrap, key._bytes, bytes);
    if (out == null) throw operationFailed();
    return out;
  }
  subtle.wrapKey = async function wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    const exported = await subtle.exportKey(format, key);
    const bytes = format === "jwk" ? Buffer.from(JSON.stringify(exported)) : new Uint8Array(exported);
    if (algorithmName(wrapAlgorithm) !== "AES-KW") return subtle.encrypt(wrapAlgorithm, wrappingKey, bytes);
    return arrayBufferOf(keyWrap(true, wrapAlgorithm, wrappingKey, bytes));
  };
  subtle.unwrapKey = async function unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, keyAlgorithm, extractable, usages) {
    const wrapped = bytesOf(wrappedKey);
    const bytes = algorithmName(unwrapAlgorithm) === "AES-KW"
      ? keyWrap(false, unwrapAlgorithm, unwrappingKey, wrapped)
      : new Uint8Array(await subtle.decrypt(unwrapAlgorithm, unwrappingKey, wrapped));
    const keyData = format === "jwk" ? JSON.parse(Buffer.from(bytes).toString()) : bytes;
    return subtle.importKey(format, keyData, keyAlgorithm, extractable, usages);
  };
  subtle.decrypt = async (algorithm, key, data) => aesRun(false, algorithm, key, data);

  function deriveBytes(algorithm, baseKey, length) {
    const name = algorithmName(algorithm);
    if (!KDF.has(name) || !(baseKey instanceof CryptoKey) || baseKey.algorithm.name !== name) throw domException("The requested operation is not valid for the provided key", "InvalidAccessError");
    if (!Number.isInteger(length) || length <= 0 || length % 8 !== 0) throw domException("length must be a multiple of 8", "OperationError");
    const digest = HASHES[hashName(algorithm.hash)];
    const salt = bytesOf(algorithm.salt, undefined, "salt");
    const derived = name === "PBKDF2"
      ? natives.pbkdf2(digest, baseKey._bytes, salt, algorithm.iterations, length / 8)
      : natives.hkdf(digest, baseKey._bytes, salt, bytesOf(algorithm.info, undefined, "info"), length / 8);
    if (derived == null || (name === "PBKDF2" && !(algorithm.iterations > 0))) throw operationFailed();
    return derived;
  }
  subtle.deriveBits = async (algorithm, baseKey, length) => arrayBufferOf(deriveBytes(algorithm, baseKey, length));
  subtle.deriveKey = async function deriveKey(algorithm, baseKey, derivedKeyAlgorithm, extractable, usages) {
    const derivedName = algorithmName(derivedKeyAlgorithm);
    const BLOCK_BITS = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
    const length = derivedName === "HMAC" ? derivedKeyAlgorithm.length || BLOCK_BITS[hashName(derivedKeyAlgorithm.hash)] : derivedKeyAlgorithm.length;
    const bytes = deriveBytes(algorithm, baseKey, length);
    return subtle.importKey("raw", bytes, derivedKeyAlgorithm, extractable, usages);
  };
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
