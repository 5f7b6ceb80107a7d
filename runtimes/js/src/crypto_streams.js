// Node's Hash, Hmac, Cipheriv and Decipheriv are also Transform streams (Node's
// LazyTransform): `pipeline(body, createHash("sha256"))`, `hash.setEncoding("hex")`,
// `cipher.pipe(out)`. As in Node, the stream's state is made on its first stream use, so
// the plain update/digest path costs nothing more.
(function installCryptoStreams(internal) {
  "use strict";
  const { builtin } = internal;
  const crypto = builtin("crypto");
  const { Transform } = builtin("stream");

  function LazyTransform() {}
  Object.setPrototypeOf(LazyTransform.prototype, Transform.prototype);
  // Reading any of the stream's state makes it; the constructor's writes land on the object.
  for (const name of ["_readableState", "_writableState"]) {
    Object.defineProperty(LazyTransform.prototype, name, {
      get() {
        Transform.call(this);
        this._writableState.decodeStrings = false;
        return this[name];
      },
      set(value) {
        Object.defineProperty(this, name, { value, enumerable: true, configurable: true, writable: true });
      },
      configurable: true,
      enumerable: true,
    });
  }

  for (const Class of [crypto.Hash, crypto.Cipheriv]) Object.setPrototypeOf(Class.prototype, LazyTransform.prototype);

  crypto.Hash.prototype._transform = function hashTransform(chunk, encoding, callback) {
    this.update(chunk, encoding === "buffer" ? undefined : encoding);
    callback();
  };
  crypto.Hash.prototype._flush = function hashFlush(callback) {
    this.push(this.digest());
    callback();
  };
  crypto.Cipheriv.prototype._transform = function cipherTransform(chunk, encoding, callback) {
    this.push(this.update(chunk, encoding === "buffer" ? undefined : encoding));
    callback();
  };
  crypto.Cipheriv.prototype._flush = function cipherFlush(callback) {
    try {
      this.push(this.final());
    } catch (error) {
      callback(error);
      return;
    }
    callback();
  };
})(globalThis.__lambdesk_internal);
