// Node's generateKeyPairSync and generateKeyPair for 'rsa', 'ec' (P-256, P-384, P-521),
// 'ed25519' and 'x25519': the keys as PEM, DER or JWK when an encoding is asked for, as
// KeyObjects otherwise. The pairs come from sign_natives.rs (keyPairGenerate) and
// rsa_keygen_natives.rs (through crypto_sign.js).
(function installCryptoKeygen(natives, internal) {
  "use strict";
  const { builtin } = internal;
  const cryptoModule = builtin("crypto");

  function codedError(ErrorClass, code, message) {
    const error = new ErrorClass(message);
    error.code = code;
    return error;
  }

  // Node's names for the curves, and Web Crypto's.
  const CURVES = { "P-256": "P-256", prime256v1: "P-256", secp256r1: "P-256", "P-384": "P-384", secp384r1: "P-384", "P-521": "P-521", secp521r1: "P-521" };
  const OPENSSL_CURVE = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
  const PEM_LABEL = { spki: "PUBLIC KEY", pkcs8: "PRIVATE KEY", "pkcs1-public": "RSA PUBLIC KEY", "pkcs1-private": "RSA PRIVATE KEY" };
  const base64url = (bytes) => Buffer.from(bytes).toString("base64url");

  function pem(label, der) {
    const lines = Buffer.from(der).toString("base64").match(/.{1,64}/g) || [];
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
  }

  // One key of a generated pair: its DER forms and its JWK.
  class KeyObject {
    #type;
    #keyType;
    #details;
    #forms;
    constructor(type, keyType, details, forms) {
      this.#type = type;
      this.#keyType = keyType;
      this.#details = details;
      this.#forms = forms;
    }
    get type() { return this.#type; }
    get asymmetricKeyType() { return this.#keyType; }
    get asymmetricKeyDetails() { return { ...this.#details }; }
    export(options = {}) {
      const format = options.format === undefined ? "pem" : options.format;
      if (format === "jwk") {
        if (this.#forms.jwk === undefined) throw codedError(TypeError, "ERR_INVALID_ARG_VALUE", "This key cannot be exported as a JWK here (it was imported as DER or PEM)");
        return { ...this.#forms.jwk };
      }
      const encoding = options.type === undefined ? (this.#type === "public" ? "spki" : "pkcs8") : options.type;
      if (options.cipher !== undefined || options.passphrase !== undefined) {
        throw codedError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "Encrypted private keys are not supported by lambdesk's runtime");
      }
      const name = encoding === "pkcs1" ? `pkcs1-${this.#type}` : encoding;
      const der = this.#forms[name];
      if (der === undefined) throw codedError(TypeError, "ERR_INVALID_ARG_VALUE", `The property 'options.type' is invalid. Received '${encoding}'`);
      if (format === "der") return Buffer.from(der);
      if (format === "pem") return pem(PEM_LABEL[name], der);
      throw codedError(TypeError, "ERR_INVALID_ARG_VALUE", `The property 'options.format' is invalid. Received '${format}'`);
    }
    equals(other) {
      return other instanceof KeyObject && other.type === this.#type && Buffer.from(this.export({ format: "der" })).equals(other.export({ format: "der" }));
    }
    get [Symbol.toStringTag]() { return "KeyObject"; }
    // For crypto_node_sign.js: the key's DER forms and JWK (not Node's: hidden).
    static formsOf(key) { return key.#forms; }
  }
  Object.defineProperty(KeyObject, "formsOf", { enumerable: false });
  internal.crypto.KeyObject = KeyObject;

  function makePair(type, options) {
    if (type === "rsa") {
      const { modulusLength, publicExponent = 0x10001 } = options;
      if (!Number.isInteger(modulusLength)) throw codedError(TypeError, "ERR_INVALID_ARG_TYPE", `The "options.modulusLength" property must be of type number. Received ${typeof modulusLength}`);
      const exponent = Buffer.from(BigInt(publicExponent).toString(16).padStart(2, "0").replace(/^(.(..)*)$/, "0$1"), "hex");
      const made = internal.crypto.rsaGenerate(modulusLength, exponent);
      const [pkcs8, spki, pkcs1Private, pkcs1Public, n, e, d, p, q, dp, dq, qi] = made;
      const publicJwk = { kty: "RSA", n: base64url(n), e: base64url(e) };
      const details = { modulusLength, publicExponent: BigInt(publicExponent) };
      return [
        new KeyObject("public", "rsa", details, { spki, "pkcs1-public": pkcs1Public, jwk: publicJwk }),
        new KeyObject("private", "rsa", details, { pkcs8, "pkcs1-private": pkcs1Private, jwk: { ...publicJwk, d: base64url(d), p: base64url(p), q: base64url(q), dp: base64url(dp), dq: base64url(dq), qi: base64url(qi) } }),
      ];
    }
    let curve;
    let keyType;
    if (type === "ec") {
      curve = CURVES[options.namedCurve];
      if (curve === undefined) throw codedError(TypeError, "ERR_CRYPTO_INVALID_CURVE", "Invalid EC curve name");
      keyType = "ec";
    } else if (type === "ed25519" || type === "x25519") {
      curve = type === "ed25519" ? "Ed25519" : "X25519";
      keyType = type;
    } else {
      throw codedError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'type' must be a supported key type. Received '${type}'`);
    }
    const [pkcs8, spki, raw, secret] = natives.keyPairGenerate(curve);
    let publicJwk;
    if (keyType === "ec") {
      const half = (raw.length - 1) / 2;
      publicJwk = { kty: "EC", x: base64url(raw.subarray(1, 1 + half)), y: base64url(raw.subarray(1 + half)), crv: curve };
    } else {
      publicJwk = { crv: curve, x: base64url(raw), kty: "OKP" };
    }
    const details = keyType === "ec" ? { namedCurve: OPENSSL_CURVE[curve] } : {};
    return [
      new KeyObject("public", keyType, details, { spki, jwk: publicJwk }),
      new KeyObject("private", keyType, details, { pkcs8, jwk: { ...publicJwk, d: base64url(secret) } }),
    ];
  }

  function generateKeyPairSync(type, options = {}) {
    const [publicKey, privateKey] = makePair(type, options);
    const encode = (key, encoding) => (encoding === undefined ? key : key.export(encoding));
    return { publicKey: encode(publicKey, options.publicKeyEncoding), privateKey: encode(privateKey, options.privateKeyEncoding) };
  }

  // The callback comes later, from the event loop, as in Node.
  function generateKeyPair(type, options, callback) {
    if (typeof options === "function") { callback = options; options = {}; }
    if (typeof callback !== "function") throw codedError(TypeError, "ERR_INVALID_ARG_TYPE", `The "callback" argument must be of type function. Received ${typeof callback}`);
    let pair;
    try { pair = generateKeyPairSync(type, options); } catch (error) { setImmediate(() => callback(error)); return; }
    setImmediate(() => callback(null, pair.publicKey, pair.privateKey));
  }
  // util.promisify(generateKeyPair) resolves to { publicKey, privateKey }, as in Node.
  generateKeyPair[Symbol.for("nodejs.util.promisify.custom")] = (type, options) => new Promise((resolve, reject) => {
    generateKeyPair(type, options, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey })));
  });

  Object.assign(cryptoModule, { generateKeyPairSync, generateKeyPair, KeyObject });
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
