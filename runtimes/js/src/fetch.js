// The global `fetch` with `Headers`, `Request` and `Response`, as Node's (undici) shapes
// them. A function has no network: each request goes to the host (http_natives.rs), which
// sends it to the workspace's own HTTP gateway (`process.env.LAMBDESK_GATEWAY_URL`, e.g.
// `http://127.0.0.1:3000`, also reached as `http://localhost:3000`) and refuses every other
// destination, which fails as Node fails a refused connection: `TypeError: fetch failed`
// whose `cause.code` is `ECONNREFUSED`.
// The host call blocks the engine until the gateway answers, so timers do not run during
// a request and several requests in `Promise.all` go one after the other.
(function installFetch(natives) {
  "use strict";
  if (typeof globalThis.fetch === "function") return;

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const MAX_REDIRECTS = 20;
  const ERRNO = { ECONNREFUSED: -111, ECONNRESET: -104 };

  // ------------------------------------------------------------------ Headers
  const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  function headerName(name) {
    const text = String(name);
    if (!HEADER_NAME.test(text)) throw new TypeError(`Headers.append: "${text}" is an invalid header name.`);
    return text.toLowerCase();
  }
  function headerValue(value) {
    const text = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
    if (/[\0\r\n]/.test(text)) throw new TypeError(`Headers.append: "${text}" is an invalid header value.`);
    return text;
  }

  class Headers {
    #entries = []; // [lowercase name, value], in insertion order
    constructor(init) {
      if (init === undefined || init === null) return;
      if (init instanceof Headers) { for (const [name, value] of init.#entries) this.#entries.push([name, value]); return; }
      if (typeof init !== "object") throw new TypeError("Headers constructor: expected an object or an iterable of pairs");
      if (typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const [name, value, ...rest] = Array.from(pair);
          if (rest.length > 0 || value === undefined) throw new TypeError("Headers constructor: expected name/value pairs");
          this.append(name, value);
        }
      } else {
        for (const key of Object.keys(init)) this.append(key, init[key]);
      }
    }
    append(name, value) { this.#entries.push([headerName(name), headerValue(value)]); }
    delete(name) { const key = headerName(name); this.#entries = this.#entries.filter(([entry]) => entry !== key); }
    get(name) {
      const key = headerName(name);
      const values = this.#entries.filter(([entry]) => entry === key).map(([, value]) => value);
      return values.length === 0 ? null : values.join(", ");
    }
    getSetCookie() { return this.#entries.filter(([name]) => name === "set-cookie").map(([, value]) => value); }
    has(name) { const key = headerName(name); return this.#entries.some(([entry]) => entry === key); }
    // Replaces the first value of the name in place and drops the others.
    set(name, value) {
      const key = headerName(name);
      const text = headerValue(value);
      const index = this.#entries.findIndex(([entry]) => entry === key);
      if (index === -1) { this.#entries.push([key, text]); return; }
      this.#entries = this.#entries.filter(([entry], at) => entry !== key || at === index);
      this.#entries.find(([entry]) => entry === key)[1] = text;
    }
    // Sorted by name, values of one name combined (set-cookie kept apart), as the spec says.
    *entries() {
      const names = [...new Set(this.#entries.map(([name]) => name))].sort();
      for (const name of names) {
        if (name === "set-cookie") for (const value of this.getSetCookie()) yield [name, value];
        else yield [name, this.get(name)];
      }
    }
    *keys() { for (const [name] of this.entries()) yield name; }
    *values() { for (const [, value] of this.entries()) yield value; }
    forEach(callback, thisArg) { for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this); }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return "Headers"; }
    // All pairs as sent, for the host.
    static pairs(headers) { return headers.#entries.map(([name, value]) => [name, value]); }
  }

  // ------------------------------------------------------------------ bodies
  // A body as bytes, and the content type it implies.
  function extractBody(body) {
    if (body === undefined || body === null) return [null, null];
    if (typeof body === "string") return [encoder.encode(body), "text/plain;charset=UTF-8"];
    if (typeof globalThis.Blob === "function" && body instanceof globalThis.Blob) return [globalThis.Blob.bytesOf(body), body.type || null];
    if (typeof globalThis.FormData === "function" && body instanceof globalThis.FormData) return globalThis.FormData.multipart(body);
    if (typeof globalThis.URLSearchParams === "function" && body instanceof globalThis.URLSearchParams) return [encoder.encode(body.toString()), "application/x-www-form-urlencoded;charset=UTF-8"];
    if (body instanceof ArrayBuffer) return [new Uint8Array(body.slice(0)), null];
    if (ArrayBuffer.isView(body)) return [new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)), null];
    return [encoder.encode(String(body)), "text/plain;charset=UTF-8"];
  }

  // A body is bytes, or a stream it was made from (`new Response(readableStream)`), read
  // when the body is consumed.
  class Body {
    #bytes;
    #source;
    #used = false;
    #stream = null;
    constructor(bytes, source = null) {
      this.#bytes = bytes;
      this.#source = source;
    }
    // Node's `body`: a byte ReadableStream (stream/web), made on first use.
    get body() {
      if (this.#source !== null) return this.#source;
      if (this.#bytes === null) return null;
      if (this.#stream === null) {
        let bytes = this.#bytes;
        this.#stream = new globalThis.ReadableStream({
          type: "bytes",
          pull: (controller) => {
            this.#used = true;
            // A byte stream takes its chunk's buffer away: hand it a copy.
            if (bytes !== null && bytes.length > 0) controller.enqueue(bytes.slice());
            bytes = null;
            controller.close();
          },
        });
      }
      return this.#stream;
    }
    get bodyUsed() { return this.#used; }
    async #consume() {
      if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
      this.#used = true;
      if (this.#source === null) return this.#bytes || new Uint8Array(0);
      const chunks = [];
      for await (const chunk of this.#source) chunks.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), at);
        at += chunk.byteLength;
      }
      return bytes;
    }
    async arrayBuffer() { const bytes = await this.#consume(); return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength); }
    async bytes() { return new Uint8Array(await this.arrayBuffer()); }
    async text() { return decoder.decode(await this.#consume()); }
    async json() { return JSON.parse(await this.text()); }
    async blob() { return new globalThis.Blob([await this.#consume()], { type: (this.headers && this.headers.get("content-type")) || "" }); }
    // For clone(): a stream body is split in two (tee), one half stays here.
    static sourceOf(body) {
      if (body.#source === null) return null;
      const [kept, given] = body.#source.tee();
      body.#source = kept;
      return given;
    }
    static bytesOf(body) { return body.#bytes; }
  }

  // ------------------------------------------------------------------ Request, Response
  function parseUrl(input) {
    try { return new URL(String(input)); } catch (error) {
      throw new TypeError(`Failed to parse URL from ${input}`, { cause: error });
    }
  }

  class Request extends Body {
    constructor(input, init = {}) {
      const from = input instanceof Request ? input : null;
      const method = String(init.method || (from ? from.method : "GET")).toUpperCase();
      let bytes = from ? Body.bytesOf(from) : null;
      const headers = new Headers(init.headers !== undefined ? init.headers : from ? from.headers : undefined);
      if (init.body !== undefined && init.body !== null) {
        if (method === "GET" || method === "HEAD") throw new TypeError("Request with GET/HEAD method cannot have body.");
        const [extracted, type] = extractBody(init.body);
        bytes = extracted;
        if (type && !headers.has("content-type")) headers.set("content-type", type);
      }
      super(bytes);
      this.url = from ? from.url : parseUrl(input).href;
      this.method = method;
      this.headers = headers;
      this.redirect = init.redirect || (from ? from.redirect : "follow");
      this.signal = init.signal || (from ? from.signal : undefined);
    }
    clone() { return new Request(this); }
    get [Symbol.toStringTag]() { return "Request"; }
  }

  class Response extends Body {
    constructor(body = null, init = {}) {
      const streamed = body !== null && typeof body === "object" && typeof body.getReader === "function";
      const [bytes, type] = streamed ? [null, null] : extractBody(body);
      super(bytes, streamed ? body : null);
      const status = init.status === undefined ? 200 : Number(init.status);
      if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
      this.status = status;
      this.statusText = init.statusText === undefined ? "" : String(init.statusText);
      this.headers = new Headers(init.headers);
      if (type && !this.headers.has("content-type")) this.headers.set("content-type", type);
      this.type = "default";
      this.url = "";
      this.redirected = false;
    }
    get ok() { return this.status >= 200 && this.status < 300; }
    clone() {
      if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
      return Object.assign(new Response(Body.sourceOf(this) || Body.bytesOf(this), this), { type: this.type, url: this.url, redirected: this.redirected });
    }
    static json(data, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new Response(JSON.stringify(data), { ...init, headers });
    }
    static error() { return Object.assign(new Response(null, { status: 200 }), { status: 0, type: "error" }); }
    static redirect(url, status = 302) { return new Response(null, { status, headers: { location: parseUrl(url).href } }); }
    get [Symbol.toStringTag]() { return "Response"; }
  }

  // A response the host gave (any status, even those `new Response` refuses).
  function received(head, bytes, url, redirected) {
    const response = new Response(head.status === 204 || head.status === 304 ? null : bytes, { headers: head.headers });
    return Object.assign(response, { status: head.status, statusText: head.statusText, type: "basic", url, redirected });
  }

  // ------------------------------------------------------------------ fetch
  function fetchFailed(error) {
    const cause = new Error(error.message);
    cause.code = error.code;
    if (ERRNO[error.code] !== undefined) { cause.errno = ERRNO[error.code]; cause.syscall = "connect"; }
    if (error.address !== undefined) cause.address = error.address;
    if (error.port !== undefined) cause.port = error.port;
    return new TypeError("fetch failed", { cause });
  }

  function exchange(request, bytes) {
    const head = encoder.encode(JSON.stringify({ method: request.method, url: request.url, headers: Headers.pairs(request.headers) }) + "\n");
    const frame = new Uint8Array(head.length + (bytes ? bytes.length : 0));
    frame.set(head);
    if (bytes) frame.set(bytes, head.length);
    const answer = natives.httpFetch(frame);
    const newline = answer.indexOf(10);
    const answerHead = JSON.parse(decoder.decode(answer.subarray(0, newline)));
    if (answerHead.error) throw fetchFailed(answerHead.error);
    return [answerHead, answer.slice(newline + 1)];
  }

  function abortError(signal) {
    if (signal.reason !== undefined) return signal.reason;
    const error = new Error("This operation was aborted");
    error.name = "AbortError";
    error.code = 20;
    return error;
  }

  globalThis.fetch = async function fetch(input, init = undefined) {
    let request = new Request(input, init);
    // Let the caller's synchronous code run first, as with a real request.
    await Promise.resolve();
    let bytes = Body.bytesOf(request);
    for (let redirects = 0; ; redirects++) {
      if (request.signal && request.signal.aborted) throw abortError(request.signal);
      const [head, body] = exchange(request, bytes);
      const location = head.headers.find(([name]) => name === "location");
      if (![301, 302, 303, 307, 308].includes(head.status) || !location || request.redirect === "manual") {
        return received(head, body, request.url, redirects > 0);
      }
      if (request.redirect === "error" || redirects >= MAX_REDIRECTS) {
        throw new TypeError("fetch failed", { cause: new Error(request.redirect === "error" ? "unexpected redirect" : "redirect count exceeded") });
      }
      // 303, and 301/302 after a POST, change to a GET without a body (the spec's rule).
      const toGet = head.status === 303 ? request.method !== "HEAD" : (head.status === 301 || head.status === 302) && request.method === "POST";
      const headers = new Headers(request.headers);
      if (toGet) { bytes = null; for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) headers.delete(name); }
      request = new Request(new URL(location[1], request.url).href, { method: toGet ? "GET" : request.method, headers, redirect: request.redirect, signal: request.signal });
    }
  };
  Object.assign(globalThis, { Headers, Request, Response });
})(globalThis.__lambdesk_natives);
