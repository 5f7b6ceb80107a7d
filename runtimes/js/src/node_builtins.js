// Node's built-in modules, each also as `node:<name>`, for `require` and `import`. Most
// come from npm's pure-JS implementations bundled in node_vendor.js (see vendor/); the
// ones that need the system (crypto, zlib) are in crypto.js and zlib.js over natives.
// Each module is made by its loader, once; all are made before the snapshot (see
// preloadBuiltins in bootstrap.js), so a require at Init is a lookup.
(function installNodeBuiltins(natives, internal) {
  "use strict";
  const vendor = globalThis.__lambdesk_vendor;
  const { defineBuiltin, builtin } = internal;

  // Buffer is a global in Node, used by fs and the SDK shims: loaded now (in the snapshot).
  const bufferModule = vendor.buffer();
  const { Buffer } = bufferModule;
  globalThis.Buffer = Buffer;
  useNativeEncodings(Buffer);

  // Node's global AbortController, AbortSignal, EventTarget and Event.
  if (typeof globalThis.EventTarget === "undefined") {
    const { EventTarget, Event } = vendor.eventTarget();
    Object.assign(globalThis, { EventTarget, Event });
  }
  if (typeof globalThis.AbortController === "undefined") {
    const { AbortController, AbortSignal } = vendor.abortController();
    Object.assign(globalThis, { AbortController, AbortSignal });
  }
  defineBuiltin("buffer", () => Object.assign(bufferModule, {
    atob: globalThis.atob,
    btoa: globalThis.btoa,
    constants: { MAX_LENGTH: bufferModule.kMaxLength, MAX_STRING_LENGTH: 536870888 },
  }));

  // UTF-8 and base64 (and Node's base64url, which npm's buffer predates) in Rust
  // (text_natives.rs): npm's buffer converts a byte at a time in JavaScript, over a second
  // for a 1 MB CloudWatch Logs event.
  function useNativeEncodings(BufferClass) {
    const nativeKind = (encoding) => {
      const name = encoding === undefined || encoding === null ? "utf8" : String(encoding).toLowerCase();
      if (name === "utf8" || name === "utf-8") return "utf8";
      return name === "base64" || name === "base64url" ? name : null;
    };
    // A Buffer over the native result's memory, made as npm's buffer makes its own.
    const asBuffer = (bytes) => Object.setPrototypeOf(bytes, BufferClass.prototype);
    const { from, byteLength, isEncoding } = BufferClass;
    const { toString, write } = BufferClass.prototype;
    BufferClass.from = function bufferFrom(value, encoding, length) {
      const kind = typeof value === "string" ? nativeKind(encoding) : null;
      if (kind === "utf8") return asBuffer(natives.utf8Encode(value));
      if (kind !== null) return asBuffer(natives.base64Decode(value));
      return from.call(this, value, encoding, length);
    };
    BufferClass.byteLength = (value, encoding) => {
      const kind = typeof value === "string" ? nativeKind(encoding) : null;
      if (kind === "utf8") return natives.utf8Length(value);
      return byteLength(value, kind === "base64url" ? "base64" : encoding);
    };
    BufferClass.isEncoding = (encoding) => (typeof encoding === "string" && nativeKind(encoding) !== null) || isEncoding(encoding);
    BufferClass.prototype.toString = function bufferToString(encoding, start, end) {
      const kind = nativeKind(encoding);
      if (kind === null) return toString.apply(this, arguments);
      const first = start === undefined ? 0 : Math.max(0, Math.trunc(start) || 0);
      const last = end === undefined ? this.length : Math.min(this.length, Math.trunc(end) || 0);
      if (last <= first) return "";
      if (kind === "utf8") return natives.utf8Decode(this, first, last);
      return natives.base64Encode(this, first, last, kind === "base64url");
    };
    BufferClass.prototype.write = function bufferWrite(text, ...rest) {
      const encodingAt = rest.findIndex((arg) => typeof arg === "string");
      if (encodingAt >= 0 && nativeKind(rest[encodingAt]) === "base64url") rest[encodingAt] = "base64";
      return write.call(this, text, ...rest);
    };
  }

  defineBuiltin("events", () => {
    const EventEmitter = vendor.events();
    EventEmitter.EventEmitter = EventEmitter;
    return EventEmitter;
  });

  // Node's util over npm's: inspect, format and formatWithOptions are Node's own
  // (node-inspect-extracted), with every inspect option; Node's promisify.custom symbol.
  const PROMISIFY_CUSTOM = Symbol.for("nodejs.util.promisify.custom");
  defineBuiltin("util", () => {
    const util = Object.assign({}, vendor.util());
    const npmPromisify = util.promisify;
    util.promisify = function promisify(original) {
      if (typeof original === "function" && typeof original[PROMISIFY_CUSTOM] === "function") return original[PROMISIFY_CUSTOM];
      return npmPromisify(original);
    };
    util.promisify.custom = PROMISIFY_CUSTOM;
    // Its primordials copy Atomics' methods; QuickJS's wasm build has no Atomics (no
    // threads): an empty one while the module is made, then gone again.
    const hadAtomics = "Atomics" in globalThis;
    if (!hadAtomics) globalThis.Atomics = {};
    let nodeInspect;
    try { nodeInspect = vendor.inspect(); } finally { if (!hadAtomics) delete globalThis.Atomics; }
    // Node 20 colours a RegExp whole; the extracted inspect follows a later Node.
    nodeInspect.inspect.styles.regexp = "red";
    util.inspect = nodeInspect.inspect;
    util.format = nodeInspect.format;
    util.formatWithOptions = nodeInspect.formatWithOptions;
    util.isDeepStrictEqual = vendor.comparisons().isDeepStrictEqual;
    util.TextEncoder = globalThis.TextEncoder;
    util.TextDecoder = globalThis.TextDecoder;
    util.stripVTControlCharacters = (text) => String(text).replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
    util.toUSVString = (text) => String(text).toWellFormed ? String(text).toWellFormed() : String(text);
    return util;
  });

  defineBuiltin("path", () => {
    const path = vendor.path();
    path.win32 = path.win32 || null;
    return path;
  });
  defineBuiltin("path/posix", () => builtin("path"));

  defineBuiltin("querystring", () => {
    const querystring = Object.assign({}, vendor.querystring());
    querystring.escape = (text) => encodeURIComponent(text);
    querystring.unescape = (text) => { try { return decodeURIComponent(text); } catch { return text; } };
    return querystring;
  });

  defineBuiltin("stream", () => {
    const stream = vendor.stream();
    return stream;
  });
  defineBuiltin("stream/promises", () => builtin("stream").promises);

  defineBuiltin("assert", () => vendor.assert());
  defineBuiltin("assert/strict", () => builtin("assert").strict);

  defineBuiltin("string_decoder", () => vendor.string_decoder());

  // npm's url (parse, format, resolve) with Node's WHATWG additions.
  defineBuiltin("url", () => {
    const url = Object.assign({}, vendor.url());
    url.URL = globalThis.URL;
    url.URLSearchParams = globalThis.URLSearchParams;
    url.fileURLToPath = function fileURLToPath(value) {
      const parsed = typeof value === "string" ? new URL(value) : value;
      if (parsed.protocol !== "file:") throw Object.assign(new TypeError("The URL must be of scheme file"), { code: "ERR_INVALID_URL_SCHEME" });
      return decodeURIComponent(parsed.pathname);
    };
    url.pathToFileURL = function pathToFileURL(path) {
      const absolute = builtin("path").resolve(String(path));
      const encoded = absolute.split("/").map((part) => encodeURIComponent(part)).join("/");
      return new URL(`file://${encoded}${String(path).endsWith("/") && !encoded.endsWith("/") ? "/" : ""}`);
    };
    url.domainToASCII = (domain) => { try { return new URL(`http://${domain}`).hostname; } catch { return ""; } };
    url.domainToUnicode = (domain) => String(domain);
    return url;
  });

  // What os says inside a Lambda execution environment.
  defineBuiltin("os", () => {
    const memoryBytes = () => Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || 128) * 1024 * 1024;
    const cpu = { model: "lambdesk", speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
    return {
      EOL: "\n",
      arch: () => process.arch,
      platform: () => process.platform,
      type: () => "Linux",
      release: () => "5.10.0-lambdesk",
      version: () => "#1 SMP",
      machine: () => "x86_64",
      hostname: () => "localhost",
      homedir: () => "/home/sbx_user1051",
      tmpdir: () => "/tmp",
      endianness: () => "LE",
      uptime: () => Math.floor(process.uptime()),
      loadavg: () => [0, 0, 0],
      totalmem: memoryBytes,
      freemem: memoryBytes,
      availableParallelism: () => 2,
      cpus: () => [cpu, cpu],
      networkInterfaces: () => ({}),
      userInfo: () => ({ uid: 993, gid: 990, username: "sbx_user1051", homedir: "/home/sbx_user1051", shell: null }),
      constants: { signals: {}, errno: {} },
      devNull: "/dev/null",
    };
  });

  // timers/promises: the global timers as promises.
  function timerPromises() {
    const delay = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms));
    return {
      setTimeout: delay,
      setImmediate: (value) => new Promise((resolve) => setImmediate(() => resolve(value))),
      async *setInterval(ms, value) {
        while (true) yield await delay(ms, value);
      },
      scheduler: { wait: (ms) => delay(ms), yield: () => delay(0) },
    };
  }
  defineBuiltin("timers/promises", timerPromises);
  defineBuiltin("timers", () => ({
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    setImmediate: globalThis.setImmediate,
    clearImmediate: globalThis.clearImmediate,
    promises: builtin("timers/promises"),
  }));
  // util.promisify(setTimeout) as in Node.
  globalThis.setTimeout[PROMISIFY_CUSTOM] = (ms, value) => builtin("timers/promises").setTimeout(ms, value);
  globalThis.setImmediate[PROMISIFY_CUSTOM] = (value) => builtin("timers/promises").setImmediate(value);
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
