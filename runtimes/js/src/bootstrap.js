// lambdesk's JavaScript bootstrap: what AWS Lambda's Node.js runtime gives a handler,
// on top of QuickJS-NG. Runs once per execution environment, before the handler module.
// Natives come from Rust as `__lambdesk_natives` (see natives.rs).
(function bootstrap(natives) {
  "use strict";

  const TASK_ROOT = "/var/task";
  // Filled at Init (not at bootstrap, which may run in a snapshot made elsewhere).
  const environment = {};
  const monotonicMs = natives.monotonicMs;

  // ---------------------------------------------------------------- inspect / format
  const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  function quote(text) {
    return "'" + String(text).replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n") + "'";
  }

  function inspect(value, depth = 2, seen = []) {
    switch (typeof value) {
      case "string": return quote(value);
      case "number": return Object.is(value, -0) ? "-0" : String(value);
      case "bigint": return `${value}n`;
      case "boolean": case "undefined": return String(value);
      case "symbol": return value.toString();
      case "function": {
        const source = Function.prototype.toString.call(value);
        if (source.startsWith("class")) return `[class ${value.name || "(anonymous)"}]`;
        return value.name ? `[Function: ${value.name}]` : "[Function (anonymous)]";
      }
    }
    if (value === null) return "null";
    if (seen.includes(value)) return "[Circular *1]";
    if (value instanceof Error) return value.stack ? `${value.name}: ${value.message}\n${value.stack}`.trimEnd() : `${value.name}: ${value.message}`;
    if (value instanceof Date) return isNaN(value) ? "Invalid Date" : value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (value instanceof Promise) return "Promise { <pending> }";
    const nested = seen.concat([value]);
    let entries;
    let open;
    let close;
    if (Array.isArray(value)) {
      if (depth < 0) return "[Array]";
      entries = value.map((item) => inspect(item, depth - 1, nested));
      [open, close] = ["[", "]"];
    } else if (value instanceof Map) {
      if (depth < 0) return "[Map]";
      entries = [...value].map(([k, v]) => `${inspect(k, depth - 1, nested)} => ${inspect(v, depth - 1, nested)}`);
      [open, close] = [`Map(${value.size}) {`, "}"];
    } else if (value instanceof Set) {
      if (depth < 0) return "[Set]";
      entries = [...value].map((item) => inspect(item, depth - 1, nested));
      [open, close] = [`Set(${value.size}) {`, "}"];
    } else if (typeof globalThis.Buffer === "function" && value instanceof globalThis.Buffer) {
      const shown = Array.from(value.subarray(0, 50), (byte) => byte.toString(16).padStart(2, "0")).join(" ");
      return `<Buffer${shown ? " " + shown : ""}${value.length > 50 ? ` ... ${value.length - 50} more bytes` : ""}>`;
    } else if (typeof globalThis.URL === "function" && value instanceof globalThis.URL) {
      return `URL { href: ${quote(value.href)} }`;
    } else if (ArrayBuffer.isView(value)) {
      entries = Array.from(value, (item) => String(item));
      [open, close] = [`${value.constructor.name}(${value.length}) [`, "]"];
    } else {
      const name = value.constructor && value.constructor !== Object ? value.constructor.name : "";
      if (depth < 0) return name ? `[${name}]` : "[Object]";
      entries = Object.keys(value).map((key) => `${IDENTIFIER.test(key) ? key : quote(key)}: ${inspect(value[key], depth - 1, nested)}`);
      [open, close] = [name ? `${name} {` : "{", "}"];
    }
    if (entries.length === 0) return open.endsWith("{") && open.length > 1 ? `${open}}` : `${open}${close}`;
    const oneLine = `${open} ${entries.join(", ")} ${close}`;
    if (oneLine.length <= 72 && !entries.some((entry) => entry.includes("\n"))) return oneLine;
    return `${open}\n${entries.map((entry) => "  " + entry.replace(/\n/g, "\n  ")).join(",\n")}\n${close}`;
  }

  // Node's util.format: %s %d %i %f %j %o %O %c %%, then the rest separated by spaces.
  function format(...args) {
    if (args.length === 0) return "";
    let rest = args;
    let text = "";
    if (typeof args[0] === "string") {
      let index = 1;
      text = args[0].replace(/%[sdifjoOc%]/g, (token) => {
        if (token === "%%") return "%";
        if (index >= args.length) return token;
        const arg = args[index++];
        switch (token) {
          case "%s": return typeof arg === "string" ? arg : typeof arg === "object" && arg !== null ? inspect(arg, 1) : String(arg);
          case "%d": case "%i": return typeof arg === "object" ? "NaN" : String(token === "%i" ? parseInt(arg) : Number(arg));
          case "%f": return String(parseFloat(arg));
          case "%j": try { return JSON.stringify(arg); } catch { return "[Circular]"; }
          case "%c": return "";
          // %o shows hidden properties too: an array's length.
          case "%o": return Array.isArray(arg) ? inspect(arg, 4).replace(/ ?\]$/, `${arg.length ? "," : ""} [length]: ${arg.length} ]`) : inspect(arg, 4);
          default: return inspect(arg, 4);
        }
      });
      rest = args.slice(index);
    } else {
      text = inspect(args[0]);
      rest = args.slice(1);
    }
    for (const arg of rest) text += " " + (typeof arg === "string" ? arg : inspect(arg));
    return text;
  }

  // ---------------------------------------------------------------- console
  let currentRequestId = undefined;

  // Lambda's text log format; newlines become carriage returns so one call stays one
  // log record.
  function log(level, args) {
    const message = format(...args).replace(/\n/g, "\r");
    natives.write(2, `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
  }

  const timers = new Map(); // label → start ms, for console.time
  const counts = new Map();
  globalThis.console = {
    log: (...args) => log("INFO", args),
    info: (...args) => log("INFO", args),
    warn: (...args) => log("WARN", args),
    error: (...args) => log("ERROR", args),
    debug: (...args) => log("DEBUG", args),
    trace: (...args) => log("TRACE", args),
    dir: (value) => log("INFO", [inspect(value)]),
    table: (value) => log("INFO", [inspect(value)]),
    assert: (condition, ...args) => { if (!condition) log("ERROR", ["Assertion failed" + (args.length ? ": " + format(...args) : "")]); },
    time: (label = "default") => { timers.set(label, monotonicMs()); },
    timeEnd: (label = "default") => {
      const start = timers.get(label);
      if (start !== undefined) { timers.delete(label); log("INFO", [`${label}: ${(monotonicMs() - start).toFixed(3)}ms`]); }
    },
    count: (label = "default") => { const n = (counts.get(label) || 0) + 1; counts.set(label, n); log("INFO", [`${label}: ${n}`]); },
  };

  // ---------------------------------------------------------------- timers
  const pendingTimers = new Map(); // id → { due, callback, args, intervalMs }
  let nextTimerId = 1;

  function addTimer(callback, delay, args, repeat) {
    if (typeof callback !== "function") throw new TypeError('The "callback" argument must be of type function');
    const delayMs = Math.max(repeat ? 1 : 0, Number(delay) || 0);
    const id = nextTimerId++;
    pendingTimers.set(id, { due: monotonicMs() + delayMs, callback, args, intervalMs: repeat ? delayMs : null });
    return id;
  }
  globalThis.setTimeout = (callback, delay, ...args) => addTimer(callback, delay, args, false);
  globalThis.setInterval = (callback, delay, ...args) => addTimer(callback, delay, args, true);
  globalThis.setImmediate = (callback, ...args) => addTimer(callback, 0, args, false);
  globalThis.clearTimeout = (id) => { pendingTimers.delete(id); };
  globalThis.clearInterval = globalThis.clearTimeout;
  globalThis.clearImmediate = globalThis.clearTimeout;

  // ---------------------------------------------------------------- process
  globalThis.process = {
    env: environment,
    argv: ["/var/lang/bin/node", "/var/runtime/index.mjs"],
    platform: "linux",
    arch: "x64",
    version: "v20.0.0-lambdesk",
    versions: { node: "20.0.0", quickjs: "ng" },
    pid: 1,
    exitCode: undefined,
    cwd: () => TASK_ROOT,
    nextTick: (callback, ...args) => queueMicrotask(() => callback(...args)),
    hrtime: Object.assign((previous) => {
      const ns = BigInt(Math.round(monotonicMs() * 1e6));
      const now = [Number(ns / 1000000000n), Number(ns % 1000000000n)];
      if (!previous) return now;
      let seconds = now[0] - previous[0];
      let nanos = now[1] - previous[1];
      if (nanos < 0) { seconds -= 1; nanos += 1e9; }
      return [seconds, nanos];
    }, { bigint: () => BigInt(Math.round(monotonicMs() * 1e6)) }),
    uptime: () => monotonicMs() / 1000,
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    on() { return this; },
    once() { return this; },
    off() { return this; },
    emitWarning: (warning) => log("WARN", [String(warning)]),
    stdout: { write: (text) => natives.write(1, String(text)) },
    stderr: { write: (text) => natives.write(2, String(text)) },
    exit: (code) => { throw Object.assign(new Error(`process.exit(${code === undefined ? "" : code}) called`), { name: "Runtime.ExitError" }); },
  };
  globalThis.global = globalThis;

  // What must be live in each environment, even one restored from a snapshot: the
  // variables, the clock origin, the random generator's seed.
  function takeLiveState() {
    Object.assign(environment, natives.environment());
    globalThis.performance = { now: monotonicMs, timeOrigin: Date.now() - monotonicMs(), toJSON() { return { timeOrigin: this.timeOrigin }; } };
    // xoshiro128** seeded from WASI's random_get: the engine's own Math.random state
    // would be the snapshot's, the same in every environment.
    const state = new Uint32Array(natives.randomBytes(16));
    if (state.every((word) => word === 0)) state[0] = 1;
    const rotl = (x, k) => (x << k) | (x >>> (32 - k));
    const next = () => {
      const result = Math.imul(rotl(Math.imul(state[1], 5), 7), 9) >>> 0;
      const t = state[1] << 9;
      state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3];
      state[2] ^= t; state[3] = rotl(state[3], 11);
      return result;
    };
    Math.random = function random() { return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992; };
  }

  // ---------------------------------------------------------------- CommonJS
  const moduleCache = new Map(); // absolute path → module

  function dirname(path) {
    const index = path.lastIndexOf("/");
    return index <= 0 ? "/" : path.slice(0, index);
  }

  function normalize(path) {
    const parts = [];
    for (const part of path.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") parts.pop(); else parts.push(part);
    }
    return "/" + parts.join("/");
  }

  function cannotFind(specifier, from) {
    const error = new Error(`Cannot find module '${specifier}'\nRequire stack:\n- ${from}`);
    error.code = "MODULE_NOT_FOUND";
    return error;
  }

  function resolveFile(specifier, fromDir) {
    if (!(specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/"))) return null;
    const base = normalize(specifier.startsWith("/") ? specifier : `${fromDir}/${specifier}`);
    for (const suffix of ["", ".js", ".cjs", ".json", ".mjs", "/index.js", "/index.cjs", "/index.json"]) {
      if (natives.isFile(base + suffix)) return base + suffix;
    }
    return null;
  }

  function requireAbsolute(path) {
    const cached = moduleCache.get(path);
    if (cached) return cached.exports;
    const source = natives.readFile(path);
    if (source === null || source === undefined) throw cannotFind(path, path);
    const module = { id: path, filename: path, path: dirname(path), exports: {}, loaded: false, children: [] };
    moduleCache.set(path, module);
    try {
      if (path.endsWith(".json")) {
        module.exports = JSON.parse(source);
      } else if (natives.isEsm(path)) {
        const error = new Error(`require() of ES Module ${path} not supported.\nInstead change the require to a dynamic import() which is available in all CommonJS modules.`);
        error.code = "ERR_REQUIRE_ESM";
        throw error;
      } else {
        // The wrapper keeps line 1 of the file on line 1, so stack traces point right.
        const wrapper = natives.compileScript(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, path);
        wrapper.call(module.exports, module.exports, makeRequire(path), module, path, dirname(path));
      }
    } catch (error) {
      moduleCache.delete(path);
      throw error;
    }
    module.loaded = true;
    return module.exports;
  }


  // ---------------------------------------------------------------- built-in modules
  // By name, each made on first use (node_builtins.js, crypto.js and zlib.js add Node's).
  const builtinLoaders = new Map();
  const builtinModules = new Map();
  // Not Node's (lambdesk's own, the AWS SDK shims): no `node:` name.
  const NOT_NODE = new Set();
  function defineBuiltin(name, load, options = {}) {
    builtinLoaders.set(name, load);
    if (options.node === false) NOT_NODE.add(name);
  }
  function builtinName(specifier) {
    const name = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
    if (!builtinLoaders.has(name) || (name !== specifier && NOT_NODE.has(name))) return null;
    return name;
  }
  function builtin(specifier) {
    const name = builtinName(specifier);
    if (name === null) return undefined;
    if (!builtinModules.has(name)) builtinModules.set(name, builtinLoaders.get(name)());
    return builtinModules.get(name);
  }
  // For the scripts that follow this one (fs.js, aws_sdk.js, node_builtins.js, …).
  // `environment` is filled at Init: read it when called, not when defined.
  Object.defineProperty(globalThis, "__lambdesk_internal", { value: { defineBuiltin, builtin, inspect, format, environment } });

  function makeRequire(fromPath) {
    const require = (specifier) => {
      if (typeof specifier !== "string") throw new TypeError('The "id" argument must be of type string');
      if (builtinName(specifier) !== null) return builtin(specifier);
      const resolved = resolveFile(specifier, dirname(fromPath));
      if (!resolved) throw cannotFind(specifier, fromPath);
      return requireAbsolute(resolved);
    };
    require.resolve = (specifier) => {
      const resolved = resolveFile(specifier, dirname(fromPath));
      if (!resolved) throw cannotFind(specifier, fromPath);
      return resolved;
    };
    require.cache = moduleCache;
    return require;
  }

  // ---------------------------------------------------------------- Lambda errors
  function relativeToTask(text) {
    return String(text).split(`${TASK_ROOT}/`).join("");
  }

  function stackLines(error) {
    if (!error || typeof error.stack !== "string") return [];
    return error.stack.split("\n").filter((line) => line.trim() !== "").map(relativeToTask);
  }

  // What Lambda's Node.js runtime reports for an invocation that rejects with null or
  // undefined, or calls `context.fail()` without an error (its CallbackContext.js): a
  // failure whose error is the string "handled".
  const NO_ERROR_VALUE = "handled";

  // Error-like as the runtime's Errors.js sees it: a native error, or an object whose
  // name, message and stack are non-empty strings.
  function isErrorLike(value) {
    if (value instanceof Error) return true;
    return Boolean(value) && ["name", "message", "stack"].every((key) => typeof value[key] === "string" && value[key] !== "");
  }

  // `{"errorType": …, "errorMessage": …, "trace": […]}` for a thrown value, as Lambda's
  // Node.js runtime reports it (Errors.js `toRapidResponse`): any other value is
  // `typeof value` with its `toString()` and no trace.
  function errorJson(error, errorType) {
    if (isErrorLike(error)) {
      const name = errorType || error.name || "Error";
      const message = verbatimMessages.has(error) ? error.message : relativeToTask(error.message);
      const trace = [`${error.name || "Error"}: ${message}`, ...stackLines(error)];
      return JSON.stringify({ errorType: name, errorMessage: message, trace });
    }
    try {
      return JSON.stringify({ errorType: errorType || typeof error, errorMessage: String(error.toString()), trace: [] });
    } catch {
      // null, undefined or an object without a usable toString(), thrown where no
      // promise or callback turned it into "handled" (a timer): the runtime's fallback.
      return JSON.stringify({ errorType: "handled", errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack" });
    }
  }

  // ---------------------------------------------------------------- the handler
  let handlerSetting = "index.handler";
  let handler = null;
  let initErrorJson = "";
  let phase = { done: true };

  // Node's wording for CommonJS names used at the top level of an ES module
  // (module_job.js), with the file it blames: the first in the error's stack.
  // Errors whose message names files as Node wrote it, not relative to the task root.
  const verbatimMessages = new WeakSet();
  const COMMONJS_NAMES = /^(require|module|exports|__filename|__dirname) is not defined$/;
  function describeEsmScopeError(error) {
    if (!(error instanceof ReferenceError) || !COMMONJS_NAMES.test(error.message)) return;
    error.message += " in ES module scope";
    if (error.message.startsWith("require ")) error.message += ", you can use import instead";
    const file = ((error.stack || "").match(/\((\/[^:)]+)|at (\/[^:\s]+)/) || []).slice(1).find(Boolean);
    const packageJson = file && file.endsWith(".js") && nearestPackageJson(dirname(file));
    if (packageJson && packageTypeIsModule(dirname(packageJson))) {
      verbatimMessages.add(error);
      error.message += `\nThis file is being treated as an ES module because it has a '.js' file extension and '${packageJson}' contains "type": "module". To treat it as a CommonJS script, rename it to use the '.cjs' file extension.`;
    }
  }

  function loadError(error, modulePath) {
    describeEsmScopeError(error);
    if (error instanceof SyntaxError) {
      const location = stackLines(error).map((line) => line.trim().replace(/^at /, "")).find((line) => /:\d+/.test(line));
      const message = `SyntaxError: ${error.message}${location ? ` (${location})` : ""}`;
      return JSON.stringify({ errorType: "Runtime.UserCodeSyntaxError", errorMessage: message, trace: [`Runtime.UserCodeSyntaxError: ${message}`, ...stackLines(error)] });
    }
    const text = String(error && error.message);
    if ((error && error.code === "MODULE_NOT_FOUND") || /could not load module|resolving module/i.test(text)) {
      const specifier = (text.match(/module (?:name |filename )?'([^']+)'/) || [])[1] || modulePath;
      const message = `Error: Cannot find module '${relativeToTask(specifier)}'\nRequire stack:\n- /var/runtime/index.mjs`;
      return JSON.stringify({ errorType: "Runtime.ImportModuleError", errorMessage: message, trace: [`Runtime.ImportModuleError: ${message}`, ...stackLines(error)] });
    }
    return errorJson(error);
  }

  function runtimeError(errorType, message) {
    return JSON.stringify({ errorType, errorMessage: message, trace: [`${errorType}: ${message}`] });
  }

  // Whether the nearest package.json says "type": "module", as Lambda's runtime looks
  // (UserFunction.js): up from `folder`, stopping at a node_modules folder or at `/`.
  function nearestPackageJson(folder) {
    for (let dir = folder; ; dir = dirname(dir)) {
      if (dir.endsWith("/node_modules")) return null;
      if (natives.isFile(`${dir}/package.json`)) return `${dir}/package.json`;
      if (dir === "/") return null;
    }
  }
  function packageTypeIsModule(folder) {
    const file = nearestPackageJson(folder);
    if (!file) return false;
    try { return JSON.parse(natives.readFile(file)).type === "module"; } catch { return false; }
  }

  // Loads the handler's module as Lambda's Node.js runtime does (UserFunction.js): the
  // file as named, then `.js` (CommonJS unless package.json says module), `.mjs`, `.cjs`.
  async function loadUserModule(file) {
    if (natives.isFile(file)) return requireAbsolute(file);
    const js = `${file}.js`;
    if (natives.isFile(js)) {
      // A `.js` file with import/export statements is an ES module even without
      // package.json's "type" (Node 22's syntax detection).
      if (packageTypeIsModule(dirname(js)) || natives.isEsm(js)) return natives.importModule(js);
      return requireAbsolute(js);
    }
    if (natives.isFile(`${file}.mjs`)) return natives.importModule(`${file}.mjs`);
    if (natives.isFile(`${file}.cjs`)) return requireAbsolute(`${file}.cjs`);
    return undefined;
  }

  async function loadHandler() {
    const full = handlerSetting;
    if (full.includes("..")) {
      initErrorJson = runtimeError("Runtime.MalformedHandlerName", `'${full}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
      return;
    }
    // `dir/module.a.b`: the module is up to the first dot after the last slash, the rest
    // is a path of properties into its exports.
    const slash = full.lastIndexOf("/");
    const match = full.slice(slash + 1).match(/^([^.]*)\.(.*)$/);
    if (!match) {
      initErrorJson = runtimeError("Runtime.MalformedHandlerName", "Bad handler");
      return;
    }
    const modulePath = full.slice(0, slash + 1) + match[1];
    let exported;
    try {
      const userModule = await loadUserModule(normalize(`${TASK_ROOT}/${modulePath}`));
      if (userModule === undefined) {
        initErrorJson = runtimeError("Runtime.ImportModuleError", `Error: Cannot find module '${modulePath}'\nRequire stack:\n- /var/runtime/index.mjs`);
        return;
      }
      exported = match[2].split(".").reduce((nested, key) => nested && nested[key], userModule);
    } catch (error) {
      initErrorJson = loadError(error, modulePath);
      return;
    }
    if (!exported) {
      initErrorJson = runtimeError("Runtime.HandlerNotFound", `${full} is undefined or not exported`);
      return;
    }
    if (typeof exported !== "function") {
      initErrorJson = runtimeError("Runtime.HandlerNotFound", `${full} is not a function`);
      return;
    }
    handler = exported;
  }

  function makeContext(meta, settle) {
    const deadlineMs = meta.deadlineMs;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: environment.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: environment.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: meta.invokedFunctionArn,
      memoryLimitInMB: environment.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: meta.awsRequestId,
      logGroupName: environment.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: environment.AWS_LAMBDA_LOG_STREAM_NAME,
      identity: undefined,
      clientContext: meta.clientContext,
      getRemainingTimeInMillis: () => Math.max(0, Math.round(deadlineMs - Date.now())),
      // Lambda's legacy completion methods.
      succeed: (result) => settle(null, result),
      fail: (error) => settle(error === null || error === undefined ? NO_ERROR_VALUE : error),
      done: (error, result) => settle(error, result),
    };
    return context;
  }

  globalThis.__lambdesk = {
    requireAbsolute,
    builtin,

    // Makes every built-in module now. Run before the snapshot (lib.rs), so their code
    // runs once per machine and a require at Init is a lookup: a handler requiring crypto,
    // zlib, stream, util and events started cold in 5.3 ms made on first require, 1.2 ms
    // made here, with hello's cold start unchanged (BENCHMARKS.md).
    preloadBuiltins() {
      for (const name of builtinLoaders.keys()) builtin(name);
    },

    isBuiltin(specifier) {
      return builtinName(specifier) !== null;
    },

    // Names a built-in module exports, for `import { name } from "…"` (loader.rs).
    builtinExportNames(specifier) {
      const exported = builtin(specifier);
      if (exported === null || (typeof exported !== "object" && typeof exported !== "function")) return [];
      return Object.keys(exported).filter((key) => IDENTIFIER.test(key) && key !== "default");
    },

    // Names a CommonJS file exports, for the ES module facade (loader.rs).
    commonJsExportNames(path) {
      const exported = requireAbsolute(path);
      if (exported === null || (typeof exported !== "object" && typeof exported !== "function")) return [];
      return Object.keys(exported).filter((key) => IDENTIFIER.test(key));
    },

    init() {
      takeLiveState();
      handlerSetting = environment._HANDLER || "index.handler";
      phase = { done: false, waitForEmptyLoop: false };
      return loadHandler().then(() => { phase.done = true; }, (error) => { initErrorJson = loadError(error, handlerSetting); phase.done = true; });
    },

    finishInit() {
      return initErrorJson;
    },

    invoke(request) {
      const newline = request.indexOf("\n");
      const meta = JSON.parse(request.slice(0, newline));
      const event = JSON.parse(request.slice(newline + 1));
      currentRequestId = meta.awsRequestId;
      // The workspace's gateway, for fetch: it may have started or stopped since Init.
      if (meta.gatewayUrl) environment.LAMBDESK_GATEWAY_URL = meta.gatewayUrl; else delete environment.LAMBDESK_GATEWAY_URL;
      const current = { done: false, settled: false, waitForEmptyLoop: false, deadlineMs: meta.deadlineMs, result: undefined, error: undefined, hasError: false };
      phase = current;
      const settle = (error, result) => {
        if (current.settled) return;
        current.settled = true;
        if (error !== null && error !== undefined) { current.hasError = true; current.error = error; } else current.result = result;
      };
      // A rejection or a throw fails the invocation whatever the value: `throw null` and
      // `Promise.reject(undefined)` too (only the callback's `null` error means success).
      const fail = (error) => settle(error === null || error === undefined ? NO_ERROR_VALUE : error);
      const context = makeContext(meta, settle);
      // As Lambda's runtime (Runtime.js): the handler always gets the callback; a promise
      // it returns settles the invocation. Otherwise the callback does, once the event
      // loop is empty if callbackWaitsForEmptyEventLoop; a handler that returns without
      // calling it answers null when the loop empties (Node's "beforeExit").
      let promiseStyle = false;
      current.isFinished = () => {
        if (current.settled) return promiseStyle || !context.callbackWaitsForEmptyEventLoop || pendingTimers.size === 0 || current.hasError;
        if (!promiseStyle && pendingTimers.size === 0) settle(null, null);
        return current.settled;
      };
      try {
        const returned = handler(event, context, settle);
        if (returned && typeof returned.then === "function") {
          promiseStyle = true;
          returned.then((value) => settle(null, value), fail);
        }
      } catch (error) {
        fail(error);
      }
    },

    isDone() {
      return phase.isFinished ? phase.isFinished() : phase.done;
    },

    // Milliseconds until the next timer is due; with nothing left that could settle the
    // invocation, a wait past the deadline (Lambda's runtime would wait for the timeout).
    nextTimerDelayMs() {
      let next = Infinity;
      for (const timer of pendingTimers.values()) next = Math.min(next, timer.due);
      if (next !== Infinity) return Math.max(0, next - monotonicMs());
      const remaining = phase.deadlineMs ? phase.deadlineMs - Date.now() : 0;
      return Math.max(remaining, 0) + 1000;
    },

    runDueTimers() {
      const now = monotonicMs();
      const due = [...pendingTimers.entries()].filter(([, timer]) => timer.due <= now).sort((a, b) => a[1].due - b[1].due || a[0] - b[0]);
      for (const [id, timer] of due) {
        if (!pendingTimers.has(id)) continue;
        if (timer.intervalMs === null) pendingTimers.delete(id); else timer.due = now + timer.intervalMs;
        try {
          timer.callback(...timer.args);
        } catch (error) {
          // An uncaught exception in a timer fails the invocation, as it crashes Node.
          if (phase.settle) phase.settle(error);
          else if (!phase.settled) { phase.settled = true; phase.hasError = true; phase.error = error; }
        }
      }
    },

    // "0<response JSON>" or "1<error JSON>", read by lib.rs.
    finishInvoke() {
      const current = phase;
      if (current.hasError) return "1" + errorJson(current.error);
      if (current.result === undefined) return "0null";
      try {
        const json = JSON.stringify(current.result);
        return "0" + (json === undefined ? "null" : json);
      } catch (error) {
        return "1" + JSON.stringify({ errorType: "Runtime.MarshalError", errorMessage: `Unable to stringify response body: ${error.message}`, trace: [] });
      }
    },

    unhandledRejectionJson(reason) {
      return JSON.stringify({ errorType: "Runtime.UnhandledPromiseRejection", errorMessage: String(reason), trace: [`Runtime.UnhandledPromiseRejection: ${reason}`] });
    },
  };
})(globalThis.__lambdesk_natives);
