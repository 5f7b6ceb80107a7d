// Node's WHATWG streams: `stream/web` and its globals (ReadableStream, WritableStream,
// TransformStream, … as in Node 18+), from npm's web-streams-polyfill (node_vendor.js);
// TextEncoderStream, TextDecoderStream, CompressionStream and DecompressionStream over
// them (the polyfill has none); stream's Readable.fromWeb/toWeb and Writable.fromWeb/toWeb;
// and `stream/consumers`.
(function installWebStreams(internal) {
  "use strict";
  const vendor = globalThis.__lambdesk_vendor;
  const { defineBuiltin, builtin } = internal;

  const STREAM_CLASSES = [
    "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ReadableStreamBYOBRequest",
    "ReadableByteStreamController", "ReadableStreamDefaultController", "TransformStream",
    "TransformStreamDefaultController", "WritableStream", "WritableStreamDefaultWriter",
    "WritableStreamDefaultController", "ByteLengthQueuingStrategy", "CountQueuingStrategy",
  ];

  function bytesOf(chunk) {
    if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    throw new TypeError("The \"chunk\" argument must be of type string or an instance of ArrayBuffer, TypedArray, or DataView.");
  }

  function makeTextStreams(TransformStream) {
    class TextEncoderStream {
      #transform;
      constructor() {
        const encoder = new TextEncoder();
        this.#transform = new TransformStream({
          transform(chunk, controller) {
            const text = String(chunk);
            if (text.length > 0) controller.enqueue(encoder.encode(text));
          },
        });
      }
      get encoding() { return "utf-8"; }
      get readable() { return this.#transform.readable; }
      get writable() { return this.#transform.writable; }
      get [Symbol.toStringTag]() { return "TextEncoderStream"; }
    }

    // Characters split across chunks wait for their last byte (string_decoder does it).
    class TextDecoderStream {
      #transform;
      #options;
      constructor(label = "utf-8", options = {}) {
        new TextDecoder(label); // Node's RangeError for an encoding it does not know.
        this.#options = { fatal: Boolean(options.fatal), ignoreBOM: Boolean(options.ignoreBOM) };
        const { StringDecoder } = builtin("string_decoder");
        const decoder = new StringDecoder("utf8");
        let first = true;
        const emit = (controller, text) => {
          if (first && text.length > 0) {
            first = false;
            if (!this.#options.ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          }
          if (text.length > 0) controller.enqueue(text);
        };
        this.#transform = new TransformStream({
          transform(chunk, controller) { emit(controller, decoder.write(Buffer.from(bytesOf(chunk)))); },
          flush(controller) { emit(controller, decoder.end()); },
        });
      }
      get encoding() { return "utf-8"; }
      get fatal() { return this.#options.fatal; }
      get ignoreBOM() { return this.#options.ignoreBOM; }
      get readable() { return this.#transform.readable; }
      get writable() { return this.#transform.writable; }
      get [Symbol.toStringTag]() { return "TextDecoderStream"; }
    }
    return { TextEncoderStream, TextDecoderStream };
  }

  // Node 20's formats; the bytes are converted by zlib when the input ends, as zlib's own
  // streams do here.
  const FORMATS = { gzip: ["gzipSync", "gunzipSync"], deflate: ["deflateSync", "inflateSync"], "deflate-raw": ["deflateRawSync", "inflateRawSync"] };
  function makeCompressionStreams(TransformStream) {
    function converter(format, which) {
      const methods = FORMATS[format];
      if (methods === undefined) {
        const error = new TypeError(`The provided value '${format}' is not a valid enum value of type CompressionFormat.`);
        error.code = "ERR_INVALID_ARG_VALUE";
        throw error;
      }
      const chunks = [];
      return new TransformStream({
        transform(chunk) { chunks.push(Buffer.from(bytesOf(chunk))); },
        flush(controller) {
          const output = builtin("zlib")[methods[which]](Buffer.concat(chunks));
          if (output.length > 0) controller.enqueue(new Uint8Array(output.buffer, output.byteOffset, output.byteLength));
        },
      });
    }
    class CompressionStream {
      #transform;
      constructor(format) { this.#transform = converter(format, 0); }
      get readable() { return this.#transform.readable; }
      get writable() { return this.#transform.writable; }
      get [Symbol.toStringTag]() { return "CompressionStream"; }
    }
    class DecompressionStream {
      #transform;
      constructor(format) { this.#transform = converter(format, 1); }
      get readable() { return this.#transform.readable; }
      get writable() { return this.#transform.writable; }
      get [Symbol.toStringTag]() { return "DecompressionStream"; }
    }
    return { CompressionStream, DecompressionStream };
  }

  defineBuiltin("stream/web", () => {
    const polyfill = vendor.webStreams();
    const web = {};
    for (const name of STREAM_CLASSES) web[name] = polyfill[name];
    Object.assign(web, makeTextStreams(web.TransformStream), makeCompressionStreams(web.TransformStream));
    return web;
  });

  // Node's globals, made with stream/web (before the snapshot, as every built-in is).
  const GLOBALS = [...STREAM_CLASSES, "TextEncoderStream", "TextDecoderStream", "CompressionStream", "DecompressionStream"];
  for (const name of GLOBALS) {
    if (name in globalThis) continue;
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: false,
      get() { return builtin("stream/web")[name]; },
      set(value) { Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false }); },
    });
  }

  // Node's bridges between its streams and web streams: readable-stream has the names but
  // not the adapters behind them (its browser build leaves them out).
  const stream = builtin("stream");
  const { Readable, Writable } = stream;
  {
    Readable.fromWeb = (readableStream, options = {}) => Readable.from(readableStream, { objectMode: false, ...options });
    Readable.toWeb = (readable) => {
      const iterator = readable[Symbol.asyncIterator]();
      return new globalThis.ReadableStream({
        async pull(controller) {
          const { value, done } = await iterator.next();
          if (done) controller.close();
          else controller.enqueue(typeof value === "string" ? Buffer.from(value) : value);
        },
        cancel(reason) { readable.destroy(reason); },
      });
    };
    Writable.fromWeb = (writableStream, options = {}) => {
      const writer = writableStream.getWriter();
      return new Writable({
        ...options,
        write(chunk, _encoding, done) { writer.write(chunk).then(() => done(), done); },
        final(done) { writer.close().then(() => done(), done); },
        destroy(error, done) { (error ? writer.abort(error) : Promise.resolve()).then(() => done(error), () => done(error)); },
      });
    };
    Writable.toWeb = (writable) => new globalThis.WritableStream({
      write(chunk) { return new Promise((resolve, reject) => writable.write(chunk, (error) => (error ? reject(error) : resolve()))); },
      close() { return new Promise((resolve) => writable.end(resolve)); },
      abort(reason) { writable.destroy(reason); },
    });
  }

  // stream/consumers: a Node stream, a web stream or any async iterable, read to its end.
  defineBuiltin("stream/consumers", () => {
    async function collect(source) {
      const chunks = [];
      for await (const chunk of source) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(bytesOf(chunk)));
      return Buffer.concat(chunks);
    }
    return {
      buffer: collect,
      arrayBuffer: async (source) => { const bytes = await collect(source); return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength); },
      text: async (source) => (await collect(source)).toString("utf8"),
      json: async (source) => JSON.parse((await collect(source)).toString("utf8")),
      blob: async (source) => new globalThis.Blob([await collect(source)]),
    };
  });
})(globalThis.__lambdesk_internal);
