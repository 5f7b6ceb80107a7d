// The rest of Node's `fs` that LLRT covers (access, chmod, mkdtemp, rename, rm, rmdir,
// lstat, symlink, readlink, truncate, copyFile, fs/promises' open and FileHandle), added
// to bootstrap.js's fs over fs_natives.rs. Its writes tell which step failed, so a full
// /tmp reads as Node's `ENOSPC: no space left on device, write` (the write fails, not the
// open). Errors carry Node's code, syscall, path and (for two-path calls) dest.
(function installFs(natives, internal) {
  "use strict";
  const { builtin } = internal;
  const fs = builtin("fs");

  function fsPath(path, argument = "path") {
    if (typeof globalThis.URL === "function" && path instanceof globalThis.URL) return decodeURIComponent(path.pathname);
    if (Buffer.isBuffer(path)) return path.toString();
    if (typeof path !== "string") throw Object.assign(new TypeError(`The "${argument}" argument must be of type string or an instance of Buffer or URL. Received ${path === null ? "null" : typeof path}`), { code: "ERR_INVALID_ARG_TYPE" });
    return path;
  }

  // Node's error for a failed system call: the path (and dest) when the call has them.
  function fsError(syscall, path, dest) {
    const [code, message] = natives.fsLastError();
    let text = `${code}: ${message}, ${syscall}`;
    if (path !== undefined) text += ` '${path}'`;
    if (dest !== undefined) text += ` -> '${dest}'`;
    const error = new Error(text);
    Object.assign(error, { code, syscall });
    if (path !== undefined) error.path = path;
    if (dest !== undefined) error.dest = dest;
    return error;
  }
  function bytesOf(data, encoding) {
    if (typeof data === "string") return Buffer.from(data, encoding || "utf8");
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw Object.assign(new TypeError(`The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${data === null ? "null" : typeof data}`), { code: "ERR_INVALID_ARG_TYPE" });
  }
  const optionsOf = (options) => (typeof options === "string" ? { encoding: options } : options || {});

  function write(path, data, options, append) {
    const file = fsPath(path, "file");
    const { encoding, flag } = optionsOf(options);
    const appending = append || (typeof flag === "string" && flag.startsWith("a"));
    if (natives.fsWriteFile(file, bytesOf(data, encoding), appending)) return;
    throw natives.fsLastWriteStep() === "write" ? fsError("write") : fsError("open", file);
  }

  function statsOf(numbers) {
    const [size, kind, mtimeMs] = numbers;
    const mtime = new Date(mtimeMs);
    return {
      size, mtimeMs, mtime, atimeMs: mtimeMs, atime: mtime, ctimeMs: mtimeMs, ctime: mtime, birthtimeMs: mtimeMs, birthtime: mtime,
      mode: kind === 1 ? 0o40755 : kind === 2 ? 0o120777 : 0o100644,
      isFile: () => kind === 0,
      isDirectory: () => kind === 1,
      isSymbolicLink: () => kind === 2,
      isBlockDevice: () => false,
      isCharacterDevice: () => false,
      isFIFO: () => false,
      isSocket: () => false,
    };
  }
  function lstatNumbers(path) {
    const numbers = natives.fsLstat(path);
    if (numbers === null || numbers === undefined) throw fsError("lstat", path);
    return numbers;
  }

  const RANDOM_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const added = {
    writeFileSync: (path, data, options) => write(path, data, options, false),
    appendFileSync: (path, data, options) => write(path, data, options, true),
    statSync(path) {
      const file = fsPath(path);
      const numbers = natives.fsStat(file);
      if (numbers === null || numbers === undefined) throw fsError("stat", file);
      return statsOf(numbers);
    },
    lstatSync: (path) => statsOf(lstatNumbers(fsPath(path))),
    // WASI knows no permissions: access and chmod check only that the path is there.
    accessSync(path) {
      const file = fsPath(path);
      if (natives.fsLstat(file) == null) throw fsError("access", file);
    },
    chmodSync(path) {
      const file = fsPath(path);
      if (natives.fsStat(file) == null) throw fsError("chmod", file);
    },
    mkdtempSync(prefix) {
      for (let attempt = 0; attempt < 16; attempt++) {
        const suffix = Array.from(natives.randomBytesArray(6), (byte) => RANDOM_CHARS[byte % RANDOM_CHARS.length]).join("");
        const dir = `${fsPath(prefix, "prefix")}${suffix}`;
        if (natives.fsMkdir(dir, false)) return dir;
        if (natives.fsLastError()[0] !== "EEXIST") throw fsError("mkdtemp", `${prefix}XXXXXX`);
      }
      throw fsError("mkdtemp", `${prefix}XXXXXX`);
    },
    renameSync(from, to) {
      const [source, target] = [fsPath(from, "oldPath"), fsPath(to, "newPath")];
      if (!natives.fsRename(source, target)) throw fsError("rename", source, target);
    },
    rmSync(path, options) {
      const file = fsPath(path);
      const { recursive = false, force = false } = options || {};
      const numbers = natives.fsLstat(file);
      if (numbers === null || numbers === undefined) {
        if (force && natives.fsLastError()[0] === "ENOENT") return;
        throw fsError("lstat", file);
      }
      const folder = numbers[1] === 1;
      if (folder && !recursive) {
        const error = new Error(`Path is a directory: rm returned EISDIR (is a directory) ${file}`);
        throw Object.assign(error, { name: "SystemError", code: "ERR_FS_EISDIR", syscall: "rm", path: file, errno: 21 });
      }
      if (!natives.fsRemove(file, folder, recursive)) throw fsError("rm", file);
    },
    rmdirSync(path, options) {
      const dir = fsPath(path);
      if (!natives.fsRemove(dir, true, Boolean(options && options.recursive))) throw fsError("rmdir", dir);
    },
    symlinkSync(target, path) {
      const [to, link] = [fsPath(target, "target"), fsPath(path)];
      if (!natives.fsSymlink(to, link)) throw fsError("symlink", to, link);
    },
    readlinkSync(path) {
      const link = fsPath(path);
      const target = natives.fsReadlink(link);
      if (target === null || target === undefined) throw fsError("readlink", link);
      return target;
    },
    truncateSync(path, len = 0) {
      const file = fsPath(path);
      if (!natives.fsTruncate(file, len)) throw fsError("open", file);
    },
    copyFileSync(from, to) {
      const [source, target] = [fsPath(from, "src"), fsPath(to, "dest")];
      const bytes = natives.fsReadBytes(source);
      if (bytes === null || bytes === undefined) throw fsError("copyfile", source, target);
      if (!natives.fsWriteFile(target, new Uint8Array(bytes), false)) throw fsError("copyfile", source, target);
    },
  };
  Object.assign(fs, added);
  fs.constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, COPYFILE_EXCL: 1, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024 };
  Object.assign(fs, fs.constants);

  // The promise and callback forms of every Sync function, as bootstrap.js makes its own.
  const asPromise = (sync) => (...args) => new Promise((resolve, reject) => {
    try { resolve(sync(...args)); } catch (error) { reject(error); }
  });
  for (const syncName of Object.keys(added)) {
    const name = syncName.slice(0, -4);
    const sync = fs[syncName];
    fs.promises[name] = asPromise(sync);
    fs[name] = (...args) => {
      const callback = args.pop();
      if (typeof callback !== "function") throw Object.assign(new TypeError('The "cb" argument must be of type function'), { code: "ERR_INVALID_ARG_TYPE" });
      let result;
      try { result = sync(...args); } catch (error) { queueMicrotask(() => callback(error)); return; }
      queueMicrotask(() => callback(null, result));
    };
  }
  fs.promises.constants = fs.constants;

  // fs/promises' FileHandle over whole-file operations on its path: handlers open, read
  // or write, and close; there are no descriptors to keep across calls in this runtime.
  let nextFd = 10;
  class FileHandle {
    constructor(path, flags) {
      this.fd = nextFd++;
      this._path = path;
      this._flags = flags;
    }
    async readFile(options) { return fs.readFileSync(this._path, options); }
    async writeFile(data, options) { write(this._path, data, options, false); }
    async appendFile(data, options) { write(this._path, data, options, true); }
    // Writes go after what this handle wrote before: its position only moves forward.
    async write(data, ...rest) {
      const encoding = typeof rest[rest.length - 1] === "string" ? rest[rest.length - 1] : undefined;
      const bytes = bytesOf(data, encoding);
      write(this._path, bytes, undefined, true);
      return { bytesWritten: bytes.length, buffer: data };
    }
    async read(buffer, offset = 0, length = buffer.length - offset, position = 0) {
      const bytes = fs.readFileSync(this._path);
      const chunk = bytes.subarray(position || 0, (position || 0) + length);
      buffer.set(chunk, offset);
      return { bytesRead: chunk.length, buffer };
    }
    async stat() { return fs.statSync(this._path); }
    async truncate(len = 0) { fs.truncateSync(this._path, len); }
    async chmod() {}
    async sync() {}
    async datasync() {}
    async close() {}
  }
  fs.promises.open = async function open(path, flags = "r") {
    const file = fsPath(path);
    const mode = String(flags);
    if (mode.startsWith("r")) {
      if (natives.fsStat(file) == null) throw fsError("open", file);
    } else if (!natives.fsWriteFile(file, new Uint8Array(0), mode.startsWith("a"))) {
      throw fsError("open", file);
    }
    return new FileHandle(file, mode);
  };
  fs.promises.FileHandle = FileHandle;
})(globalThis.__lambdesk_natives, globalThis.__lambdesk_internal);
