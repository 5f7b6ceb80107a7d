// Node's smaller built-in modules that LLRT's compatibility matrix covers and
// node_builtins.js did not: module, perf_hooks, tty, dns (lookup), async_hooks
// (AsyncLocalStorage and the hook API), and process's and util's missing functions.
// What they say is what they say inside a Lambda execution environment.
(function installNodeMore(natives, internal) {
  "use strict";
  const { defineBuiltin, builtin } = internal;
  const lambdesk = globalThis.__lambdesk;

  // ---------------------------------------------------------------- process
  // Lambda's sandbox user (sbx_user1051: uid 993, gid 990), as os.userInfo says.
  Object.assign(process, {
    argv0: "node",
    execPath: "/var/lang/bin/node",
    execArgv: [],
    title: "node",
    ppid: 0,
    release: { name: "node", lts: "Iron" },
    features: {},
    config: { variables: {} },
    getuid: () => 993,
    geteuid: () => 993,
    getgid: () => 990,
    getegid: () => 990,
    getgroups: () => [990],
    umask: () => 0o22,
    // Only this process exists here: signal 0 asks whether it does.
    kill(pid, signal) {
      if (Number(pid) === process.pid && (signal === 0 || signal === undefined)) return true;
      throw Object.assign(new Error("kill ESRCH"), { code: "ESRCH", errno: -3, syscall: "kill" });
    },
    cpuUsage: () => ({ user: Math.round(performance.now() * 1000), system: 0 }),
    resourceUsage: () => ({ userCPUTime: Math.round(performance.now() * 1000), systemCPUTime: 0, maxRSS: 0 }),
    emit: () => false,
    listeners: () => [],
    listenerCount: () => 0,
    removeListener() { return this; },
    removeAllListeners() { return this; },
    addListener() { return this; },
    prependListener() { return this; },
  });
  for (const name of ["setuid", "seteuid", "setgid", "setegid"]) {
    process[name] = () => { throw Object.assign(new Error("EPERM, Operation not permitted"), { code: "EPERM", syscall: name }); };
  }
  defineBuiltin("process", () => process);

  // ---------------------------------------------------------------- perf_hooks
  // `performance` is made live at Init (bootstrap.js), so the module reads the global.
  defineBuiltin("perf_hooks", () => ({
    get performance() { return globalThis.performance; },
    constants: {},
  }));

  // ---------------------------------------------------------------- tty
  // Lambda's stdout and stderr go to CloudWatch Logs: never a terminal.
  defineBuiltin("tty", () => ({
    isatty: () => false,
  }));

  // ---------------------------------------------------------------- dns
  // No resolver is reachable from a function here; localhost resolves as on Linux.
  function lookupSync(hostname, options) {
    const family = typeof options === "number" ? options : (options && options.family) || 0;
    const name = String(hostname).toLowerCase();
    const local = name === "localhost" || name.endsWith(".localhost");
    const addresses = [];
    if (name === "" || local || name === "127.0.0.1") addresses.push({ address: "127.0.0.1", family: 4 });
    if (local || name === "::1") addresses.push({ address: "::1", family: 6 });
    const literal = /^\d{1,3}(\.\d{1,3}){3}$/.test(name) ? { address: name, family: 4 } : null;
    const found = (literal && !local ? [literal] : addresses).filter((entry) => family === 0 || entry.family === Number(family));
    if (found.length === 0) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", errno: -3008, syscall: "getaddrinfo", hostname });
    }
    return options && options.all ? found : found[0];
  }
  function lookup(hostname, options, callback) {
    if (typeof options === "function") { callback = options; options = undefined; }
    let result;
    try { result = lookupSync(hostname, options); } catch (error) { queueMicrotask(() => callback(error)); return {}; }
    queueMicrotask(() => (Array.isArray(result) ? callback(null, result) : callback(null, result.address, result.family)));
    return {};
  }
  const dnsPromises = {
    lookup: async (hostname, options) => lookupSync(hostname, options),
  };
  defineBuiltin("dns", () => ({ lookup, promises: dnsPromises }));
  defineBuiltin("dns/promises", () => dnsPromises);

  // ---------------------------------------------------------------- async_hooks
  // A Lambda environment serves one event at a time, so the store that `run` sets stays
  // current until the callback's promise settles: what the handler's awaits see. Two
  // overlapping `run`s with async work (rare in a handler) would see the later store.
  class AsyncLocalStorage {
    constructor() { this._store = undefined; this._enabled = true; }
    getStore() { return this._enabled ? this._store : undefined; }
    run(store, callback, ...args) {
      const previous = this._store;
      this._store = store;
      this._enabled = true;
      let result;
      try {
        result = callback(...args);
      } catch (error) {
        this._store = previous;
        throw error;
      }
      if (result && typeof result.then === "function") {
        return result.then(
          (value) => { this._store = previous; return value; },
          (error) => { this._store = previous; throw error; },
        );
      }
      this._store = previous;
      return result;
    }
    exit(callback, ...args) { return this.run(undefined, callback, ...args); }
    enterWith(store) { this._store = store; this._enabled = true; }
    disable() { this._enabled = false; this._store = undefined; }
    static bind(fn) { return fn; }
    static snapshot() { return (fn, ...args) => fn(...args); }
  }
  class AsyncResource {
    constructor(type) { this.type = type; }
    runInAsyncScope(fn, thisArg, ...args) { return fn.apply(thisArg, args); }
    bind(fn) { return fn.bind(this); }
    emitDestroy() { return this; }
    asyncId() { return 1; }
    triggerAsyncId() { return 0; }
    static bind(fn) { return fn; }
  }
  // The hook API as LLRT gives it: hooks can be made and enabled; this engine does not
  // report its promise jobs to JavaScript, so they are not called.
  function createHook(callbacks) {
    return { callbacks, enable() { return this; }, disable() { return this; } };
  }
  defineBuiltin("async_hooks", () => ({
    AsyncLocalStorage,
    AsyncResource,
    createHook,
    executionAsyncId: () => 1,
    triggerAsyncId: () => 0,
    executionAsyncResource: () => ({}),
  }));

  // ---------------------------------------------------------------- module
  const isBuiltin = (specifier) => typeof specifier === "string" && lambdesk.isBuiltin(specifier);
  function createRequire(filename) {
    const path = builtin("path");
    const from = String(filename).startsWith("file:") ? builtin("url").fileURLToPath(filename) : String(filename);
    const base = from.endsWith("/") ? from : path.dirname(from);
    const isFile = (file) => { const stat = natives.fsStat(file); return Boolean(stat) && stat[1] === 0; };
    const asFile = (file) => [file, `${file}.js`, `${file}.json`, `${file}.cjs`].find(isFile);
    const asFolder = (dir) => {
      let main;
      try { main = JSON.parse(natives.readFile(`${dir}/package.json`) || "{}").main; } catch { main = undefined; }
      return (main && (asFile(path.resolve(dir, main)) || asFile(path.resolve(dir, main, "index")))) || asFile(`${dir}/index`);
    };
    function resolve(specifier) {
      if (isBuiltin(specifier)) return specifier;
      let found;
      if (/^(\.{1,2}(\/|$)|\/)/.test(specifier)) {
        const full = path.resolve(base, specifier);
        found = asFile(full) || asFolder(full);
      } else {
        for (let dir = base; !found; dir = path.dirname(dir)) {
          const candidate = path.join(dir, "node_modules", specifier);
          found = asFile(candidate) || asFolder(candidate);
          if (dir === "/") break;
        }
      }
      if (!found) {
        throw Object.assign(new Error(`Cannot find module '${specifier}'\nRequire stack:\n- ${from}`), { code: "MODULE_NOT_FOUND", requireStack: [from] });
      }
      return found;
    }
    const require = (specifier) => (isBuiltin(specifier) ? builtin(specifier) : lambdesk.requireAbsolute(resolve(specifier)));
    require.resolve = resolve;
    require.cache = {};
    return require;
  }
  defineBuiltin("module", () => {
    const names = ["assert", "assert/strict", "async_hooks", "buffer", "console", "crypto", "dns", "dns/promises", "events", "fs", "fs/promises", "module", "os", "path", "path/posix", "perf_hooks", "process", "querystring", "stream", "stream/promises", "string_decoder", "timers", "timers/promises", "tty", "url", "util", "zlib"];
    function Module(id = "") { this.id = id; this.exports = {}; this.loaded = false; }
    return Object.assign(Module, {
      Module,
      builtinModules: names.filter((name) => isBuiltin(name)),
      createRequire,
      isBuiltin,
      register() {},
      registerHooks: () => ({ deregister() {} }),
      syncBuiltinESMExports() {},
    });
  });

  // ---------------------------------------------------------------- console
  // `require("console")` is the global console, as in Node, with Node's Console class
  // for writing to other streams.
  class Console {
    constructor(stdout, stderr) {
      const options = stdout && typeof stdout.write !== "function" ? stdout : { stdout, stderr };
      const out = options.stdout;
      const err = options.stderr || out;
      const line = (stream) => (...args) => { stream.write(`${builtin("util").format(...args)}\n`); };
      Object.assign(this, {
        log: line(out), info: line(out), debug: line(out), dir: line(out),
        warn: line(err), error: line(err), trace: line(err),
      });
    }
  }
  globalThis.console.Console = Console;
  defineBuiltin("console", () => globalThis.console);

  // ---------------------------------------------------------------- url
  // Node's urlToHttpOptions: a URL as http.request's options.
  builtin("url").urlToHttpOptions = function urlToHttpOptions(url) {
    const options = {
      protocol: url.protocol,
      hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      hash: url.hash,
      search: url.search,
      pathname: url.pathname,
      path: `${url.pathname || ""}${url.search || ""}`,
      href: url.href,
    };
    if (url.port !== "") options.port = Number(url.port);
    if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    return options;
  };

  // ---------------------------------------------------------------- util
  // styleText with Node's ANSI codes (util.inspect.colors), as Node 20 gives it: one style
  // is left out when stdout is not a terminal (never, on Lambda) unless FORCE_COLOR says
  // otherwise or the stream is not checked; a list of styles is always applied.
  const STYLES = {
    reset: [0, 0], bold: [1, 22], dim: [2, 22], italic: [3, 23], underline: [4, 24], blink: [5, 25],
    inverse: [7, 27], hidden: [8, 28], strikethrough: [9, 29], doubleunderline: [21, 24],
    black: [30, 39], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39],
    magenta: [35, 39], cyan: [36, 39], white: [37, 39], bgBlack: [40, 49], bgRed: [41, 49],
    bgGreen: [42, 49], bgYellow: [43, 49], bgBlue: [44, 49], bgMagenta: [45, 49], bgCyan: [46, 49],
    bgWhite: [47, 49], framed: [51, 54], overlined: [53, 55], gray: [90, 39], redBright: [91, 39],
    greenBright: [92, 39], yellowBright: [93, 39], blueBright: [94, 39], magentaBright: [95, 39],
    cyanBright: [96, 39], whiteBright: [97, 39], bgGray: [100, 49], bgRedBright: [101, 49],
    bgGreenBright: [102, 49], bgYellowBright: [103, 49], bgBlueBright: [104, 49],
    bgMagentaBright: [105, 49], bgCyanBright: [106, 49], bgWhiteBright: [107, 49],
  };
  // Node's aliases: accepted, not listed in its error message.
  const STYLE_ALIASES = { grey: "gray", blackBright: "gray", bgGrey: "bgGray", bgBlackBright: "bgGray", faint: "dim", crossedout: "strikethrough", strikeThrough: "strikethrough", crossedOut: "strikethrough", conceal: "hidden", swapColors: "inverse", swapcolors: "inverse", doubleUnderline: "doubleunderline" };
  const util = builtin("util");
  util.styleText = function styleText(format, text, options) {
    const validateStream = !options || options.validateStream !== false;
    const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0";
    const formats = Array.isArray(format) ? format : [format];
    let left = "";
    let right = "";
    for (const name of formats) {
      const codes = STYLES[name] || STYLES[STYLE_ALIASES[name]];
      if (!codes) throw Object.assign(new TypeError(`The argument 'format' must be one of: ${Object.keys(STYLES).map((key) => `'${key}'`).join(", ")}. Received ${typeof name === "string" ? `'${name}'` : String(name)}`), { code: "ERR_INVALID_ARG_VALUE" });
      left += `\u001b[${codes[0]}m`;
      right = `\u001b[${codes[1]}m${right}`;
    }
    if (!Array.isArray(format) && validateStream && !forced) return String(text);
    return `${left}${text}${right}`;
  };
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
