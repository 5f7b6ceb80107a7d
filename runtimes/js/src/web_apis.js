// The web APIs Node gives every module that QuickJS lacks: TextEncoder and TextDecoder,
// btoa and atob, structuredClone, crypto.getRandomValues and randomUUID; and Node's
// spelling of the UTC time zone in Date's text.
(function installWebApis(natives) {
  "use strict";

  // UTF-8 in Rust (text_natives.rs): invalid bytes become U+FFFD as in the WHATWG decoder.
  if (typeof globalThis.TextEncoder === "undefined") {
    globalThis.TextEncoder = class TextEncoder {
      get encoding() { return "utf-8"; }
      encode(input = "") { return natives.utf8Encode(String(input)); }
    };
  }
  if (typeof globalThis.TextDecoder === "undefined") {
    globalThis.TextDecoder = class TextDecoder {
      constructor(label = "utf-8") {
        if (!/^utf-?8$/i.test(label)) throw new RangeError(`The "${label}" encoding is not supported`);
      }
      get encoding() { return "utf-8"; }
      decode(input) {
        if (input === undefined) return "";
        const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
        return natives.utf8Decode(bytes, 0, bytes.length);
      }
    };
  }

  const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (typeof globalThis.btoa === "undefined") {
    globalThis.btoa = (input) => {
      const text = String(input);
      let out = "";
      for (let i = 0; i < text.length; i += 3) {
        const codes = [text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2)];
        if (codes.some((code) => code > 255)) throw new DOMExceptionLike("Invalid character", "InvalidCharacterError");
        const [a, b, c] = codes;
        out += BASE64[a >> 2] + BASE64[((a & 3) << 4) | ((b || 0) >> 4)];
        out += isNaN(b) ? "==" : BASE64[((b & 15) << 2) | ((c || 0) >> 6)] + (isNaN(c) ? "=" : BASE64[c & 63]);
      }
      return out;
    };
  }
  if (typeof globalThis.atob === "undefined") {
    globalThis.atob = (input) => {
      const text = String(input).replace(/[\t\n\f\r ]/g, "").replace(/={1,2}$/, "");
      if (text.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(text)) throw new DOMExceptionLike("The string to be decoded is not correctly encoded.", "InvalidCharacterError");
      let out = "";
      let bits = 0;
      let buffer = 0;
      for (const char of text) {
        buffer = (buffer << 6) | BASE64.indexOf(char);
        bits += 6;
        if (bits >= 8) { bits -= 8; out += String.fromCharCode((buffer >> bits) & 255); }
      }
      return out;
    };
  }
  function DOMExceptionLike(message, name) {
    const error = new Error(message);
    error.name = name;
    return error;
  }

  if (typeof globalThis.structuredClone === "undefined") {
    globalThis.structuredClone = function structuredClone(value) {
      const copies = new Map();
      const clone = (item) => {
        if (typeof item === "function" || typeof item === "symbol") throw DOMExceptionLike(`${String(item)} could not be cloned.`, "DataCloneError");
        if (item === null || typeof item !== "object") return item;
        if (copies.has(item)) return copies.get(item);
        let copy;
        if (item instanceof Date) copy = new Date(item.getTime());
        else if (item instanceof RegExp) copy = new RegExp(item.source, item.flags);
        else if (item instanceof Map) { copy = new Map(); copies.set(item, copy); for (const [k, v] of item) copy.set(clone(k), clone(v)); return copy; }
        else if (item instanceof Set) { copy = new Set(); copies.set(item, copy); for (const v of item) copy.add(clone(v)); return copy; }
        else if (item instanceof ArrayBuffer) copy = item.slice(0);
        else if (ArrayBuffer.isView(item)) copy = new item.constructor(item);
        else if (item instanceof Error) { copy = new item.constructor(item.message); copy.stack = item.stack; }
        else { copy = Array.isArray(item) ? [] : {}; copies.set(item, copy); for (const key of Object.keys(item)) copy[key] = clone(item[key]); return copy; }
        copies.set(item, copy);
        return copy;
      };
      return clone(value);
    };
  }

  const cryptoObject = globalThis.crypto || {};
  cryptoObject.getRandomValues = function getRandomValues(array) {
    if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array) throw new TypeError("The data argument must be an integer-type TypedArray");
    if (array.byteLength > 65536) throw DOMExceptionLike(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, "QuotaExceededError");
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(natives.randomBytes(array.byteLength));
    return array;
  };
  cryptoObject.randomUUID = function randomUUID() {
    const bytes = natives.randomBytes(16);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  globalThis.crypto = cryptoObject;

  // Node names the time zone after the offset, as V8 does: under Lambda's UTC that is
  // " (Coordinated Universal Time)", which QuickJS leaves out.
  for (const method of ["toString", "toTimeString"]) {
    const original = Date.prototype[method];
    Object.defineProperty(Date.prototype, method, {
      value: { [method]() {
        const text = original.call(this);
        if (!/GMT[+-]\d{4}/.test(text) || this.getTimezoneOffset() !== 0) return text;
        return text.replace(/ \(.*\)$/, "") + " (Coordinated Universal Time)";
      } }[method],
      writable: true,
      configurable: true,
    });
  }
})(globalThis.__lambdesk_natives);
