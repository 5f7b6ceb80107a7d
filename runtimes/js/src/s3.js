// `@aws-sdk/client-s3` over the workspace's bucket folders: bucket `photos` is the
// function's `/buckets/photos`, key `2026/cat.png` the file `2026/cat.png` in it (a `/`
// in a key is a folder). Responses and errors have the SDK v3 shapes; permissions come
// from `[permissions] buckets` as an execution role's would (`LAMBDESK_BUCKETS`, and
// `LAMBDESK_WORKSPACE_BUCKETS` to tell a bucket the function may not use, AccessDenied,
// from one the workspace does not have, NoSuchBucket). A write is a file written in the
// bucket folder, so the bucket's triggers fire as for any other write.
(function installS3(internal) {
  "use strict";
  const { defineBuiltin, builtin, environment } = internal;
  const { Command, Client } = internal.awsSdk;
  const fs = builtin("fs");

  // ------------------------------------------------------------------ errors
  const requestId = () => crypto.randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase();
  const metadata = (httpStatusCode = 200) => ({ httpStatusCode, requestId: requestId(), extendedRequestId: undefined, cfId: undefined, attempts: 1, totalRetryDelay: 0 });

  // The SDK's ServiceException: `name`, `$fault`, `$metadata`, and the error's XML fields.
  class S3ServiceException extends Error {
    constructor(options) {
      super(options.message);
      Object.assign(this, options);
    }
  }
  function errorClass(errorName) {
    return { [errorName]: class extends S3ServiceException {} }[errorName];
  }
  const NoSuchKey = errorClass("NoSuchKey");
  const NoSuchBucket = errorClass("NoSuchBucket");
  const NotFound = errorClass("NotFound");
  function s3Error(Class, name, status, message, fields = {}) {
    const $metadata = metadata(status);
    return new Class({ name, $fault: status >= 500 ? "server" : "client", $metadata, Code: name, message, ...fields, RequestId: $metadata.requestId });
  }
  const accessDenied = (bucket, action) => s3Error(S3ServiceException, "AccessDenied", 403, `Access Denied (lambdesk: the function may not ${action} bucket ${bucket}: give it [permissions] buckets = { ${bucket} = "${action === "write to" ? "read-write" : "read"}" } in function.toml)`);
  const noSuchKey = (bucket, key) => s3Error(NoSuchKey, "NoSuchKey", 404, "The specified key does not exist.", { Key: key });
  const invalid = (message) => s3Error(S3ServiceException, "InvalidArgument", 400, message);

  // ------------------------------------------------------------------ buckets and keys
  function listed(variable) {
    return String(environment[variable] || "").split(",").filter(Boolean);
  }
  // "read", "read-write" or null.
  function accessOf(bucket) {
    const entry = listed("LAMBDESK_BUCKETS").map((item) => item.split("=")).find(([name]) => name === bucket);
    return entry ? entry[1] : null;
  }
  // The bucket's folder, once the function may use it as asked.
  function bucketDir(bucket, write) {
    if (typeof bucket !== "string" || bucket === "") throw invalid("Bucket is required");
    const access = accessOf(bucket);
    if (access === null) {
      if (listed("LAMBDESK_WORKSPACE_BUCKETS").includes(bucket)) throw accessDenied(bucket, write ? "write to" : "read");
      throw s3Error(NoSuchBucket, "NoSuchBucket", 404, "The specified bucket does not exist", { BucketName: bucket });
    }
    if (write && access !== "read-write") throw accessDenied(bucket, "write to");
    return `/buckets/${bucket}`;
  }
  // A key's file. Keys that cannot be a file path are refused rather than changed.
  function objectPath(bucket, key, write) {
    const dir = bucketDir(bucket, write);
    if (typeof key !== "string" || key === "") throw invalid("Key is required");
    const parts = key.split("/");
    if (parts.slice(0, -1).some((part) => part === "" || part === "." || part === "..") || parts[parts.length - 1] === "." || parts[parts.length - 1] === "..") {
      throw invalid(`lambdesk keeps objects as files under buckets/${bucket}/: the key ${JSON.stringify(key)} has an empty, "." or ".." part`);
    }
    return `${dir}/${key}`;
  }
  function stat(path) {
    try {
      const found = fs.statSync(path);
      return found.isFile() ? found : null;
    } catch (error) {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
      throw error;
    }
  }
  const etagOf = (bytes) => `"${builtin("crypto").createHash("md5").update(bytes).digest("hex")}"`;
  // S3 keeps times to the second.
  const lastModified = (found) => new Date(Math.floor(found.mtimeMs / 1000) * 1000);
  const CONTENT_TYPES = { json: "application/json", txt: "text/plain", html: "text/html", css: "text/css", js: "text/javascript", csv: "text/csv", xml: "application/xml", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", svg: "image/svg+xml", pdf: "application/pdf", zip: "application/zip", gz: "application/gzip" };
  const contentTypeOf = (key) => CONTENT_TYPES[key.slice(key.lastIndexOf(".") + 1).toLowerCase()] || "application/octet-stream";

  // GetObject's Body: a Node Readable with the SDK's stream mixin.
  function bodyOf(bytes) {
    const { Readable } = builtin("stream");
    const body = Readable.from([bytes], { objectMode: false });
    const Buffer = globalThis.Buffer;
    body.transformToString = async (encoding = "utf-8") => Buffer.from(bytes).toString(encoding);
    body.transformToByteArray = async () => new Uint8Array(bytes);
    body.transformToWebStream = () => new globalThis.Response(bytes).body;
    return body;
  }

  async function bytesOfBody(body) {
    const Buffer = globalThis.Buffer;
    if (body === undefined || body === null) return Buffer.alloc(0);
    if (typeof body === "string") return Buffer.from(body, "utf8");
    if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return Buffer.from(body instanceof ArrayBuffer ? body : body.buffer, body.byteOffset || 0, body.byteLength);
    if (typeof body[Symbol.asyncIterator] === "function" || typeof body[Symbol.iterator] === "function") {
      const chunks = [];
      for await (const chunk of body) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
      return Buffer.concat(chunks);
    }
    throw new TypeError("PutObject's Body must be a string, a Buffer or Uint8Array, or a readable stream");
  }

  // ------------------------------------------------------------------ commands
  class GetObjectCommand extends Command {
    async run() {
      const { Bucket, Key, Range } = this.input;
      const path = objectPath(Bucket, Key, false);
      const found = stat(path);
      if (!found) throw noSuchKey(Bucket, Key);
      const bytes = fs.readFileSync(path);
      const whole = { ETag: etagOf(bytes), LastModified: lastModified(found), ContentType: contentTypeOf(Key), AcceptRanges: "bytes", Metadata: {} };
      if (Range === undefined) return { ...whole, Body: bodyOf(bytes), ContentLength: bytes.length, $metadata: metadata(200) };
      const match = /^bytes=(\d*)-(\d*)$/.exec(String(Range));
      let [start, end] = match ? [match[1], match[2]] : ["", ""];
      if (start === "") [start, end] = [Math.max(0, bytes.length - Number(end)), bytes.length - 1];
      else [start, end] = [Number(start), end === "" ? bytes.length - 1 : Math.min(Number(end), bytes.length - 1)];
      if (!match || start >= bytes.length || start > end) throw s3Error(S3ServiceException, "InvalidRange", 416, "The requested range is not satisfiable", { RangeRequested: String(Range), ActualObjectSize: String(bytes.length) });
      const part = bytes.subarray(start, end + 1);
      return { ...whole, Body: bodyOf(part), ContentLength: part.length, ContentRange: `bytes ${start}-${end}/${bytes.length}`, $metadata: metadata(206) };
    }
  }

  class HeadObjectCommand extends Command {
    async run() {
      const { Bucket, Key } = this.input;
      const path = objectPath(Bucket, Key, false);
      const found = stat(path);
      // A HEAD response has no body to name the error: the SDK calls it NotFound.
      if (!found) throw s3Error(NotFound, "NotFound", 404, "UnknownError");
      return { ContentLength: found.size, ETag: etagOf(fs.readFileSync(path)), LastModified: lastModified(found), ContentType: contentTypeOf(Key), AcceptRanges: "bytes", Metadata: {}, $metadata: metadata(200) };
    }
  }

  class PutObjectCommand extends Command {
    async run() {
      const { Bucket, Key, Body } = this.input;
      const path = objectPath(Bucket, Key, true);
      const bytes = await bytesOfBody(Body);
      // `folder/` with no content is how S3 consoles make a folder.
      if (Key.endsWith("/")) fs.mkdirSync(path, { recursive: true });
      else {
        fs.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
        fs.writeFileSync(path, bytes);
      }
      return { ETag: etagOf(bytes), ServerSideEncryption: "AES256", $metadata: metadata(200) };
    }
  }

  function deleteObject(bucket, key) {
    const path = objectPath(bucket, key, true);
    // Deleting a key that does not exist succeeds, as on S3.
    if (stat(path)) fs.unlinkSync(path);
  }
  class DeleteObjectCommand extends Command {
    async run() {
      deleteObject(this.input.Bucket, this.input.Key);
      return { $metadata: metadata(204) };
    }
  }
  class DeleteObjectsCommand extends Command {
    async run() {
      const { Bucket, Delete = {} } = this.input;
      bucketDir(Bucket, true);
      const Deleted = [];
      const Errors = [];
      for (const { Key } of Delete.Objects || []) {
        try { deleteObject(Bucket, Key); Deleted.push({ Key }); } catch (error) { Errors.push({ Key, Code: error.Code || error.code, Message: error.message }); }
      }
      return { Deleted: Delete.Quiet ? undefined : Deleted, Errors: Errors.length ? Errors : undefined, $metadata: metadata(200) };
    }
  }

  // Every object's key under `dir` (relative to `root`) and its file facts. Hidden names
  // are atomic writes' temporary files, not objects (as the bucket watcher sees it).
  function walk(root, dir, found) {
    let names;
    try { names = fs.readdirSync(`${root}/${dir}`); } catch { return; }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const key = `${dir}${name}`;
      const facts = fs.statSync(`${root}/${key}`);
      if (facts.isDirectory()) walk(root, `${key}/`, found); else found.push({ key, facts });
    }
  }

  const tokenOf = (marker) => globalThis.Buffer.from(marker, "utf8").toString("base64");
  const markerOf = (token) => globalThis.Buffer.from(String(token), "base64").toString("utf8");

  class ListObjectsV2Command extends Command {
    async run() {
      const { Bucket, Prefix = "", Delimiter, ContinuationToken, StartAfter } = this.input;
      const root = bucketDir(Bucket, false);
      const MaxKeys = this.input.MaxKeys === undefined ? 1000 : Math.max(0, Math.min(1000, Number(this.input.MaxKeys)));
      const objects = [];
      // Only the folder the prefix is in needs reading.
      walk(root, Prefix.slice(0, Prefix.lastIndexOf("/") + 1), objects);
      objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const marker = ContinuationToken !== undefined ? markerOf(ContinuationToken) : StartAfter || "";
      const Contents = [];
      const CommonPrefixes = [];
      let last = null;
      let truncated = false;
      for (const { key, facts } of objects) {
        if (!key.startsWith(Prefix) || key <= marker) continue;
        // A page that ended on a common prefix continues after everything under it.
        if (ContinuationToken !== undefined && Delimiter && marker.endsWith(Delimiter) && key.startsWith(marker)) continue;
        const rest = key.slice(Prefix.length);
        const cut = Delimiter ? rest.indexOf(Delimiter) : -1;
        const commonPrefix = cut === -1 ? null : Prefix + rest.slice(0, cut + Delimiter.length);
        if (commonPrefix !== null && commonPrefix === last) continue;
        if (Contents.length + CommonPrefixes.length >= MaxKeys) { truncated = true; break; }
        if (commonPrefix !== null) {
          CommonPrefixes.push({ Prefix: commonPrefix });
          last = commonPrefix;
        } else {
          Contents.push({ Key: key, LastModified: lastModified(facts), ETag: etagOf(fs.readFileSync(`${root}/${key}`)), Size: facts.size, StorageClass: "STANDARD" });
          last = key;
        }
      }
      const output = { IsTruncated: truncated, Name: Bucket, Prefix, MaxKeys, KeyCount: Contents.length + CommonPrefixes.length, $metadata: metadata(200) };
      if (Contents.length > 0) output.Contents = Contents;
      if (CommonPrefixes.length > 0) output.CommonPrefixes = CommonPrefixes;
      if (Delimiter !== undefined) output.Delimiter = Delimiter;
      if (ContinuationToken !== undefined) output.ContinuationToken = ContinuationToken;
      if (StartAfter !== undefined) output.StartAfter = StartAfter;
      if (truncated && last !== null) output.NextContinuationToken = tokenOf(last);
      return output;
    }
  }

  class S3Client extends Client {}
  const commands = { GetObjectCommand, HeadObjectCommand, PutObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command };
  // The SDK's aggregated client: `new S3({}).getObject({ Bucket, Key })`.
  class S3 extends S3Client {}
  for (const [name, CommandClass] of Object.entries(commands)) {
    const method = name[0].toLowerCase() + name.slice(1, -"Command".length);
    S3.prototype[method] = function (input) { return this.send(new CommandClass(input)); };
  }
  const clientS3 = { S3Client, S3, ...commands, S3ServiceException, NoSuchKey, NoSuchBucket, NotFound };
  defineBuiltin("@aws-sdk/client-s3", () => clientS3, { node: false });
})(globalThis.__lambdesk_internal);
