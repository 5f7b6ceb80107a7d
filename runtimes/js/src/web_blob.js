// Node's global Blob, File and FormData (and `buffer`'s Blob and File), which QuickJS lacks:
// small, over bytes held in memory, as Node's own are for data made in the process. npm's
// fetch-blob and formdata-polyfill expect Node's streams and file system; these are the
// few lines handlers use (fetch bodies, multipart uploads, `await blob.text()`).
(function installWebBlob(internal) {
  "use strict";
  const { builtin } = internal;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  function partBytes(part) {
    if (part instanceof Blob) return Blob.bytesOf(part);
    if (part instanceof ArrayBuffer) return new Uint8Array(part.slice(0));
    if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
    return encoder.encode(String(part));
  }

  // The spec's type: lowercase, and empty when it has a character outside U+0020–U+007E.
  const normalType = (type) => (type === undefined || /[^\u0020-\u007e]/.test(String(type)) ? "" : String(type).toLowerCase());

  class Blob {
    #bytes;
    #type;
    constructor(parts = [], options = {}) {
      if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
        const error = new TypeError("The \"sources\" argument must be a sequence.");
        error.code = "ERR_INVALID_ARG_TYPE";
        throw error;
      }
      const chunks = [...parts].map(partBytes);
      const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      this.#bytes = bytes;
      this.#type = normalType(options && options.type);
    }
    get size() { return this.#bytes.length; }
    get type() { return this.#type; }
    slice(start = 0, end = this.#bytes.length, type = "") {
      const size = this.#bytes.length;
      const clamp = (index) => (index < 0 ? Math.max(size + index, 0) : Math.min(index, size));
      const from = clamp(Math.trunc(start) || 0);
      const to = clamp(Math.trunc(end) || 0);
      return new Blob([this.#bytes.subarray(from, Math.max(from, to))], { type });
    }
    async arrayBuffer() { return this.#bytes.buffer.slice(this.#bytes.byteOffset, this.#bytes.byteOffset + this.#bytes.byteLength); }
    async bytes() { return new Uint8Array(await this.arrayBuffer()); }
    async text() { return decoder.decode(this.#bytes); }
    stream() {
      let bytes = this.#bytes;
      return new globalThis.ReadableStream({
        type: "bytes",
        pull(controller) {
          if (bytes.length > 0) controller.enqueue(bytes.slice());
          bytes = new Uint8Array(0);
          controller.close();
        },
      });
    }
    get [Symbol.toStringTag]() { return "Blob"; }
    // For fetch bodies and FormData (not Node's: hidden from enumeration).
    static bytesOf(blob) { return blob.#bytes; }
  }
  Object.defineProperty(Blob, "bytesOf", { enumerable: false });

  class File extends Blob {
    #name;
    #lastModified;
    constructor(parts, name, options = {}) {
      if (arguments.length < 2) throw new TypeError("The \"fileName\" argument must be specified");
      super(parts, options);
      this.#name = String(name);
      this.#lastModified = options && options.lastModified !== undefined ? Number(options.lastModified) : Date.now();
    }
    get name() { return this.#name; }
    get lastModified() { return this.#lastModified; }
    get [Symbol.toStringTag]() { return "File"; }
  }

  class FormData {
    #entries = [];
    static #entry(name, value, filename) {
      if (!(value instanceof Blob)) return [String(name), String(value)];
      if (filename === undefined && value instanceof File) return [String(name), value];
      const fileName = filename !== undefined ? String(filename) : "blob";
      return [String(name), new File([value], fileName, { type: value.type, lastModified: value instanceof File ? value.lastModified : undefined })];
    }
    append(name, value, filename) { this.#entries.push(FormData.#entry(name, value, filename)); }
    set(name, value, filename) {
      const entry = FormData.#entry(name, value, filename);
      const first = this.#entries.findIndex(([key]) => key === entry[0]);
      if (first < 0) { this.#entries.push(entry); return; }
      this.#entries = this.#entries.filter(([key], index) => key !== entry[0] || index === first);
      this.#entries[first] = entry;
    }
    get(name) { const found = this.#entries.find(([key]) => key === String(name)); return found ? found[1] : null; }
    getAll(name) { return this.#entries.filter(([key]) => key === String(name)).map(([, value]) => value); }
    has(name) { return this.#entries.some(([key]) => key === String(name)); }
    delete(name) { this.#entries = this.#entries.filter(([key]) => key !== String(name)); }
    forEach(callback, thisArg) { for (const [key, value] of this.#entries) callback.call(thisArg, value, key, this); }
    *entries() { yield* this.#entries.map(([key, value]) => [key, value]); }
    *keys() { for (const [key] of this.#entries) yield key; }
    *values() { for (const [, value] of this.#entries) yield value; }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return "FormData"; }
  }

  // multipart/form-data for a fetch body, as undici writes it.
  function multipart(formData) {
    const boundary = `----formdata-lambdesk-${String(Math.random()).slice(2, 13)}`;
    const escape = (text) => text.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
    const parts = [];
    for (const [name, value] of formData) {
      if (typeof value === "string") {
        parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${escape(name)}"\r\n\r\n${value.replace(/\r(?!\n)|(?<!\r)\n/g, "\r\n")}\r\n`);
      } else {
        parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${escape(name)}"; filename="${escape(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`, value, "\r\n");
      }
    }
    parts.push(`--${boundary}--\r\n`);
    return [Blob.bytesOf(new Blob(parts)), `multipart/form-data; boundary=${boundary}`];
  }

  for (const [name, value] of Object.entries({ Blob, File, FormData })) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
  Object.defineProperty(FormData, "multipart", { value: multipart, enumerable: false });
  const buffer = builtin("buffer");
  buffer.Blob = globalThis.Blob;
  buffer.File = globalThis.File;
})(globalThis.__lambdesk_internal);
