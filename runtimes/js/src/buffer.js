// Buffer basics, as Node has them: a Uint8Array with encodings (utf8, base64, base64url,
// hex, latin1/binary, ascii), from/alloc/concat/byteLength/isBuffer, toString, equals,
// slice/subarray, toJSON.
(function installBuffer() {
  "use strict";
  if (typeof globalThis.Buffer === "function") return;

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  function normalizeEncoding(encoding = "utf8") {
    const name = String(encoding).toLowerCase();
    switch (name) {
      case "utf8": case "utf-8": return "utf8";
      case "base64": return "base64";
      case "base64url": return "base64url";
      case "hex": return "hex";
      case "latin1": case "binary": return "latin1";
      case "ascii": return "ascii";
      case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
      default: throw new TypeError(`Unknown encoding: ${encoding}`);
    }
  }

  function bytesOf(text, encoding) {
    switch (normalizeEncoding(encoding)) {
      case "utf8": return encoder.encode(text);
      case "base64": case "base64url": {
        const clean = text.replace(/[^A-Za-z0-9+/\-_]/g, "").replace(/-/g, "+").replace(/_/g, "/");
        const padded = clean + "=".repeat((4 - (clean.length % 4)) % 4);
        const binary = atob(clean.length % 4 === 1 ? clean.slice(0, -1) : padded);
        return Uint8Array.from(binary, (char) => char.charCodeAt(0));
      }
      case "hex": {
        const pairs = text.match(/^([0-9a-fA-F]{2})*/)[0];
        const bytes = new Uint8Array(pairs.length / 2);
        for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(pairs.slice(i * 2, i * 2 + 2), 16);
        return bytes;
      }
      case "latin1": case "ascii": return Uint8Array.from(text, (char) => char.charCodeAt(0) & 255);
      case "utf16le": {
        const bytes = new Uint8Array(text.length * 2);
        for (let i = 0; i < text.length; i++) { const code = text.charCodeAt(i); bytes[i * 2] = code & 255; bytes[i * 2 + 1] = code >> 8; }
        return bytes;
      }
    }
  }

  class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
      if (typeof value === "string") return Buffer._wrap(bytesOf(value, encodingOrOffset));
      if (value instanceof ArrayBuffer) return new Buffer(value, encodingOrOffset || 0, length === undefined ? value.byteLength - (encodingOrOffset || 0) : length);
      if (ArrayBuffer.isView(value)) return Buffer._wrap(new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice());
      if (value && value.type === "Buffer" && Array.isArray(value.data)) return Buffer._wrap(Uint8Array.from(value.data));
      if (value && typeof value.length === "number") return Buffer._wrap(Uint8Array.from(value, (item) => Number(item) & 255));
      throw new TypeError("The first argument must be of type string, Buffer, ArrayBuffer, Array, or Array-like Object.");
    }
    static _wrap(bytes) {
      return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    static alloc(size, fill = 0, encoding) {
      const buffer = new Buffer(size);
      if (fill !== 0) buffer.fill(typeof fill === "string" ? bytesOf(fill, encoding)[0] ?? 0 : fill);
      return buffer;
    }
    static allocUnsafe(size) { return new Buffer(size); }
    static isBuffer(value) { return value instanceof Buffer; }
    static isEncoding(encoding) { try { normalizeEncoding(encoding); return true; } catch { return false; } }
    static byteLength(value, encoding) {
      if (typeof value === "string") return bytesOf(value, encoding).length;
      return value.byteLength;
    }
    static concat(list, totalLength) {
      const total = totalLength === undefined ? list.reduce((sum, item) => sum + item.length, 0) : totalLength;
      const out = Buffer.alloc(total);
      let offset = 0;
      for (const item of list) {
        if (offset >= total) break;
        const part = item.subarray(0, total - offset);
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    }
    static compare(a, b) { return a.compare(b); }
    toString(encoding = "utf8", start = 0, end = this.length) {
      const bytes = this.subarray(start, end);
      switch (normalizeEncoding(encoding)) {
        case "utf8": return decoder.decode(bytes);
        case "base64": case "base64url": {
          let binary = "";
          for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
          const base64 = btoa(binary);
          return normalizeEncoding(encoding) === "base64" ? base64 : base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        }
        case "hex": return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
        case "latin1": return Array.from(bytes, (byte) => String.fromCharCode(byte)).join("");
        case "ascii": return Array.from(bytes, (byte) => String.fromCharCode(byte & 127)).join("");
        case "utf16le": {
          let text = "";
          for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
          return text;
        }
      }
    }
    toJSON() { return { type: "Buffer", data: Array.from(this) }; }
    equals(other) { return this.compare(other) === 0; }
    compare(other) {
      const length = Math.min(this.length, other.length);
      for (let i = 0; i < length; i++) if (this[i] !== other[i]) return this[i] < other[i] ? -1 : 1;
      return this.length === other.length ? 0 : this.length < other.length ? -1 : 1;
    }
    subarray(start, end) { const view = Uint8Array.prototype.subarray.call(this, start, end); return new Buffer(view.buffer, view.byteOffset, view.byteLength); }
    slice(start, end) { return this.subarray(start, end); }
    write(text, offset = 0, length, encoding) {
      if (typeof offset === "string") { encoding = offset; offset = 0; }
      const bytes = bytesOf(String(text), encoding).subarray(0, length === undefined ? undefined : length);
      const count = Math.min(bytes.length, this.length - offset);
      this.set(bytes.subarray(0, count), offset);
      return count;
    }
    readUInt8(offset = 0) { return this[offset]; }
    get [Symbol.toStringTag]() { return "Uint8Array"; }
  }

  globalThis.Buffer = Buffer;
})();
