// Node's `fs` and `fs/promises` basics for the folders a function may use (its buckets
// at `/buckets/<name>`, `/tmp`), through WASI (natives.rs): a path outside every granted
// folder fails with EACCES, a missing one ENOENT.
(function installFs(natives, internal) {
  "use strict";
  const { defineBuiltin } = internal;

  function fsPath(path) {
    if (typeof globalThis.URL === "function" && path instanceof globalThis.URL) return decodeURIComponent(path.pathname);
    if (typeof path !== "string") throw new TypeError(`The "path" argument must be of type string. Received ${typeof path}`);
    return path;
  }

  function fsError(syscall, path) {
    const [code, message] = natives.fsLastError();
    const error = new Error(`${code}: ${message}, ${syscall} '${path}'`);
    error.code = code;
    error.syscall = syscall;
    error.path = path;
    return error;
  }

  function encodingOf(options) {
    return typeof options === "string" ? options : options && options.encoding;
  }

  function bytesOf(data, encoding) {
    if (typeof data === "string") return Array.from(globalThis.Buffer.from(data, encoding || "utf8"));
    if (ArrayBuffer.isView(data)) return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    throw new TypeError('The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView');
  }

  const fs = {
    readFileSync(path, options) {
      const file = fsPath(path);
      const bytes = natives.fsReadBytes(file);
      if (bytes === null || bytes === undefined) throw fsError("open", file);
      const buffer = globalThis.Buffer.from(bytes);
      const encoding = encodingOf(options);
      return encoding ? buffer.toString(encoding) : buffer;
    },
    writeFileSync(path, data, options) {
      const file = fsPath(path);
      if (!natives.fsWrite(file, bytesOf(data, encodingOf(options)), false)) throw fsError("open", file);
    },
    appendFileSync(path, data, options) {
      const file = fsPath(path);
      if (!natives.fsWrite(file, bytesOf(data, encodingOf(options)), true)) throw fsError("open", file);
    },
    readdirSync(path) {
      const dir = fsPath(path);
      const names = natives.fsReaddir(dir);
      if (names === null || names === undefined) throw fsError("scandir", dir);
      return names.sort();
    },
    existsSync(path) {
      try { return natives.fsExists(fsPath(path)); } catch { return false; }
    },
    mkdirSync(path, options) {
      const dir = fsPath(path);
      const recursive = Boolean(options && options.recursive);
      if (!natives.fsMkdir(dir, recursive)) throw fsError("mkdir", dir);
      return recursive ? dir : undefined;
    },
    unlinkSync(path) {
      const file = fsPath(path);
      if (!natives.fsUnlink(file)) throw fsError("unlink", file);
    },
    statSync(path) {
      const file = fsPath(path);
      const stat = natives.fsStat(file);
      if (stat === null || stat === undefined) throw fsError("stat", file);
      const [size, isDirectory, mtimeMs] = stat;
      return { size, mtimeMs, mtime: new Date(mtimeMs), isFile: () => isDirectory === 0, isDirectory: () => isDirectory === 1 };
    },
  };
  fs.promises = {};
  for (const name of ["readFile", "writeFile", "appendFile", "readdir", "mkdir", "unlink", "stat"]) {
    const sync = fs[`${name}Sync`];
    fs.promises[name] = (...args) => new Promise((resolve, reject) => {
      try { resolve(sync(...args)); } catch (error) { reject(error); }
    });
    // Node's callback style: the callback comes last.
    fs[name] = (...args) => {
      const callback = args.pop();
      if (typeof callback !== "function") throw new TypeError('The "cb" argument must be of type function');
      let result;
      try { result = sync(...args); } catch (error) { queueMicrotask(() => callback(error)); return; }
      queueMicrotask(() => callback(null, result));
    };
  }

  defineBuiltin("fs", () => fs);
  defineBuiltin("fs/promises", () => fs.promises);
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
