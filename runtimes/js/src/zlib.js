// Node's `zlib`: gzip, deflate (zlib format) and raw deflate, each way, in the sync,
// callback and stream forms (promisify the callback ones, as in Node). The work is done
// in Rust (zlib_natives.rs); streams gather their input and convert it when it ends.
(function installZlib(natives, internal) {
  "use strict";
  const { defineBuiltin, builtin } = internal;

  const constants = {
    Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
    Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
    Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
    Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
    Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0,
    ZLIB_VERNUM: 4865, DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
    Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15,
    Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384,
    Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8,
    Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
  };

  // zlib's default level is 6.
  const DEFAULT_LEVEL = 6;

  function inputBytes(buffer) {
    if (typeof buffer === "string") return Buffer.from(buffer, "utf8");
    if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
    const error = new TypeError(`The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received ${buffer === null ? "null" : typeof buffer}`);
    error.code = "ERR_INVALID_ARG_TYPE";
    throw error;
  }

  function convert(mode, buffer, options) {
    const requested = options && typeof options.level === "number" ? options.level : -1;
    const level = requested < 0 ? DEFAULT_LEVEL : requested;
    const output = natives.zlibProcess(mode, inputBytes(buffer), level);
    if (output === null || output === undefined) {
      const [message, code, errno] = natives.zlibLastError();
      const error = new Error(message);
      error.errno = Number(errno);
      error.code = code;
      throw error;
    }
    return Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  }

  const MODES = ["gzip", "gunzip", "deflate", "inflate", "deflateRaw", "inflateRaw", "unzip"];
  const zlib = { constants, codes: { Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6 } };
  // Node still has the old names on the module itself.
  for (const [name, value] of Object.entries(constants)) if (name.startsWith("Z_")) zlib[name] = value;

  for (const mode of MODES) {
    const className = mode[0].toUpperCase() + mode.slice(1);
    zlib[`${mode}Sync`] = (buffer, options) => convert(mode, buffer, options);
    // The callback comes later, from the event loop, as in Node.
    zlib[mode] = (buffer, options, callback) => {
      if (typeof options === "function") { callback = options; options = {}; }
      if (typeof callback !== "function") {
        const error = new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`);
        error.code = "ERR_INVALID_ARG_TYPE";
        throw error;
      }
      let result;
      try { result = convert(mode, buffer, options); } catch (error) { setImmediate(() => callback(error)); return; }
      setImmediate(() => callback(null, result));
    };
    // A stream: a Transform that converts everything it was given when its input ends.
    zlib[`create${className}`] = (options) => {
      const { Transform } = builtin("stream");
      const chunks = [];
      return new Transform({
        transform(chunk, encoding, done) {
          chunks.push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk);
          done();
        },
        flush(done) {
          let output;
          try { output = convert(mode, Buffer.concat(chunks), options); } catch (error) { done(error); return; }
          done(null, output);
        },
      });
    };
  }
  zlib.crc32 = (data, value = 0) => natives.zlibCrc32(inputBytes(data), value >>> 0);

  defineBuiltin("zlib", () => zlib);
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
