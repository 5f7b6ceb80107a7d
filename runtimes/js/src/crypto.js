// Node's `crypto` and the Web Crypto `crypto.subtle` (HMAC and digests): hashing in Rust
// (crypto_natives.rs), the API in JavaScript, with Node's error codes and messages.
(function installCrypto(natives, internal) {
  "use strict";
  const { defineBuiltin } = internal;

  function codedError(ErrorType, message, code) {
    const error = new ErrorType(message);
    if (code) error.code = code;
    return error;
  }

  function received(value) {
    if (value === null) return "Received null";
    if (value === undefined) return "Received undefined";
    if (typeof value === "function") return `Received function ${value.name}`;
    if (typeof value === "object") return `Received an instance of ${value.constructor && value.constructor.name || "Object"}`;
    const shown = typeof value === "string" ? `'${value}'` : String(value);
    return `Received type ${typeof value} (${shown})`;
  }

  // A string in an encoding, a Buffer, a TypedArray, a DataView or an ArrayBuffer, as bytes.
  function bytesOf(data, encoding, argument = "data") {
    if (typeof data === "string") return Buffer.from(data, encoding || "utf8");
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    throw codedError(TypeError, `The "${argument}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. ${received(data)}`, "ERR_INVALID_ARG_TYPE");
  }

  const bufferOf = (array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  const encoded = (bytes, encoding) => (encoding && encoding !== "buffer" ? bytes.toString(encoding) : bytes);

  // A hash forgotten without a digest is dropped natively when collected.
  const unfinished = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((id) => natives.hashDrop(id)) : null;

  class Hash {
    constructor(id) {
      this._id = id;
      this._finished = false;
      if (unfinished) unfinished.register(this, id, this);
    }
    update(data, inputEncoding) {
      if (this._finished) throw codedError(Error, "Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
      natives.hashUpdate(this._id, bytesOf(data, inputEncoding));
      return this;
    }
    digest(outputEncoding) {
      if (this._finished) throw codedError(Error, "Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
      this._finished = true;
      if (unfinished) unfinished.unregister(this);
      return encoded(bufferOf(natives.hashDigest(this._id)), outputEncoding);
    }
    copy() {
      if (this._finished) throw codedError(Error, "Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
      return new Hash(natives.hashCopy(this._id));
    }
  }
  class Hmac extends Hash {
    copy() { throw new TypeError("hmac.copy is not a function"); }
  }

  function createHash(algorithm) {
    const id = natives.hashNew(String(algorithm), undefined);
    if (!id) throw new Error("Digest method not supported");
    return new Hash(id);
  }

  function keyBytes(key) {
    if (key && typeof key === "object" && key.type === "secret" && typeof key.export === "function") return bytesOf(key.export());
    return bytesOf(key, "utf8", "key");
  }

  function createHmac(algorithm, key) {
    const id = natives.hashNew(String(algorithm), keyBytes(key));
    if (!id) throw codedError(TypeError, `Invalid digest: ${algorithm}`, "ERR_CRYPTO_INVALID_DIGEST");
    return new Hmac(id);
  }

  // Node 21's one-shot crypto.hash(algorithm, data, outputEncoding = "hex").
  function hash(algorithm, data, outputEncoding = "hex") {
    return createHash(algorithm).update(data).digest(outputEncoding);
  }

  function randomBytes(size, callback) {
    if (typeof size !== "number" || !(size >= 0) || size > 2 ** 31 - 1) throw codedError(RangeError, `The value of "size" is out of range. It must be >= 0 && <= 2147483647. Received ${size}`, "ERR_OUT_OF_RANGE");
    const bytes = bufferOf(natives.randomBytesArray(size));
    if (typeof callback !== "function") return bytes;
    setImmediate(() => callback(null, bytes));
    return undefined;
  }

  function randomFillSync(target, offset = 0, size) {
    const view = bytesOf(target, undefined, "buf");
    const length = size === undefined ? view.length - offset : size;
    view.set(natives.randomBytesArray(length), offset);
    return target;
  }

  function randomInt(min, max, callback) {
    if (typeof max !== "number") { callback = max; max = min; min = 0; }
    const range = max - min;
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || range <= 0 || range > 2 ** 48) throw codedError(RangeError, `The value of "max" is out of range. It must be greater than the value of "min" (${min}). Received ${max}`, "ERR_OUT_OF_RANGE");
    // Rejection sampling over 48 random bits keeps every value equally likely.
    const limit = 2 ** 48 - (2 ** 48 % range);
    let value;
    do {
      const bytes = natives.randomBytesArray(6);
      value = bytes.reduce((sum, byte) => sum * 256 + byte, 0);
    } while (value >= limit);
    const result = min + (value % range);
    if (typeof callback !== "function") return result;
    setImmediate(() => callback(null, result));
    return undefined;
  }

  function timingSafeEqual(a, b) {
    const left = bytesOf(a, undefined, "buf1");
    const right = bytesOf(b, undefined, "buf2");
    if (left.byteLength !== right.byteLength) throw codedError(RangeError, "Input buffers must have the same byte length", "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH");
    let difference = 0;
    for (let i = 0; i < left.length; i++) difference |= left[i] ^ right[i];
    return difference === 0;
  }

  // createSecretKey: a KeyObject for HMAC keys.
  function createSecretKey(key, encoding) {
    const bytes = Buffer.from(bytesOf(key, encoding, "key"));
    return { type: "secret", symmetricKeySize: bytes.length, export: () => Buffer.from(bytes), equals: (other) => other.type === "secret" && timingSafeEqual(bytes, other.export()) };
  }

  // ---------------------------------------------------------------- Web Crypto (subtle)
  function domException(message, name) {
    if (typeof globalThis.DOMException === "function") return new globalThis.DOMException(message, name);
    const error = new Error(message);
    error.name = name;
    return error;
  }
  const HASHES = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
  const BLOCK_BITS = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };

  function hashName(algorithm) {
    const name = String(typeof algorithm === "object" && algorithm !== null ? algorithm.name : algorithm).toUpperCase();
    if (!HASHES[name]) throw domException("Unrecognized algorithm name", "NotSupportedError");
    return name;
  }
  function algorithmName(algorithm) {
    return String(typeof algorithm === "object" && algorithm !== null ? algorithm.name : algorithm).toUpperCase();
  }
  const arrayBufferOf = (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

  class CryptoKey {
    constructor(algorithm, extractable, usages, bytes, type = "secret") {
      Object.defineProperties(this, {
        type: { value: type, enumerable: true },
        extractable: { value: Boolean(extractable), enumerable: true },
        algorithm: { value: algorithm, enumerable: true },
        usages: { value: [...usages], enumerable: true },
        _bytes: { value: bytes },
      });
    }
  }

  function hmacKey(algorithm, extractable, usages, bytes) {
    if (algorithmName(algorithm) !== "HMAC") throw domException("Unrecognized algorithm name", "NotSupportedError");
    const hash = hashName(algorithm.hash);
    return new CryptoKey({ name: "HMAC", length: bytes.length * 8, hash: { name: hash } }, extractable, usages, bytes);
  }

  function hmacBytes(algorithm, key, data) {
    if (algorithmName(algorithm) !== "HMAC" || !(key instanceof CryptoKey)) throw domException("Unrecognized algorithm name", "NotSupportedError");
    return createHmac(HASHES[key.algorithm.hash.name], key._bytes).update(bytesOf(data)).digest();
  }

  const subtle = {
    async digest(algorithm, data) {
      return arrayBufferOf(createHash(HASHES[hashName(algorithm)]).update(bytesOf(data)).digest());
    },
    async importKey(format, keyData, algorithm, extractable, usages) {
      let bytes;
      if (format === "raw") bytes = Buffer.from(bytesOf(keyData));
      else if (format === "jwk") bytes = Buffer.from(String(keyData.k), "base64url");
      else throw domException(`Unable to import ${algorithmName(algorithm)} key with format ${format}`, "NotSupportedError");
      return hmacKey(algorithm, extractable, usages, bytes);
    },
    async exportKey(format, key) {
      if (!key.extractable) throw domException("key is not extractable", "InvalidAccessError");
      if (format === "raw") return arrayBufferOf(key._bytes);
      if (format === "jwk") return { kty: "oct", k: key._bytes.toString("base64url"), alg: `HS${key.algorithm.hash.name.slice(4)}`, ext: true, key_ops: key.usages };
      throw domException(`Unable to export a raw ${key.algorithm.name} key`, "NotSupportedError");
    },
    async generateKey(algorithm, extractable, usages) {
      const bits = algorithm.length || BLOCK_BITS[hashName(algorithm.hash)];
      return hmacKey(algorithm, extractable, usages, randomBytes(bits / 8));
    },
    async sign(algorithm, key, data) {
      return arrayBufferOf(hmacBytes(algorithm, key, data));
    },
    async verify(algorithm, key, signature, data) {
      const expected = hmacBytes(algorithm, key, data);
      const given = bytesOf(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
  globalThis.crypto.subtle = subtle;
  // For crypto_cipher.js, which adds ciphers and key derivation to both APIs.
  internal.crypto = { bytesOf, codedError, domException, algorithmName, hashName, arrayBufferOf, CryptoKey, HASHES, createHmac };
  if (typeof globalThis.CryptoKey === "undefined") globalThis.CryptoKey = CryptoKey;

  defineBuiltin("crypto", () => ({
    createHash,
    createHmac,
    hash,
    createSecretKey,
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFillSync,
    randomFill: (target, ...rest) => {
      const callback = rest.pop();
      const result = randomFillSync(target, ...rest);
      setImmediate(() => callback(null, result));
    },
    randomInt,
    randomUUID: () => globalThis.crypto.randomUUID(),
    getRandomValues: (array) => globalThis.crypto.getRandomValues(array),
    timingSafeEqual,
    getHashes: () => ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"],
    Hash,
    Hmac,
    webcrypto: globalThis.crypto,
    subtle,
    constants: {},
  }));
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
