// URL and URLSearchParams (WHATWG URL Standard, the parts Lambda handlers use):
// absolute and relative parsing against a base, special schemes with default ports,
// percent-encoding, dot-segment removal, and search parameters linked to their URL.
(function installUrl() {
  "use strict";
  if (typeof globalThis.URL === "function" && typeof globalThis.URLSearchParams === "function") return;

  const SPECIAL_PORTS = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443", "ftp:": "21", "file:": "" };
  const encoder = new TextEncoder();

  // Percent-encodes the UTF-8 bytes of every character of `text` that `keep` rejects.
  function encodeSet(text, keep) {
    let out = "";
    for (const char of text) {
      if (keep(char)) { out += char; continue; }
      if (char === "%") { out += char; continue; }
      for (const byte of encoder.encode(char)) out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
    }
    return out;
  }
  const isC0OrSpace = (char) => char <= " " || char > "~";
  const pathKeep = (char) => !(isC0OrSpace(char) || `"#<>?\`{}`.includes(char));
  const queryKeep = (char) => !(isC0OrSpace(char) || `"#<>`.includes(char));
  const specialQueryKeep = (char) => queryKeep(char) && char !== "'";
  const fragmentKeep = (char) => !(isC0OrSpace(char) || `"<>\``.includes(char));
  const userinfoKeep = (char) => pathKeep(char) && !"/:;=@[\\]^|".includes(char);

  function removeDotSegments(path) {
    const output = [];
    const segments = path.split("/");
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const last = i === segments.length - 1;
      if (segment === "." || segment.toLowerCase() === "%2e") { if (last) output.push(""); continue; }
      if (segment === ".." || /^(\.|%2e){2}$/i.test(segment)) {
        if (output.length > 1) output.pop();
        if (last) output.push("");
        continue;
      }
      output.push(segment);
    }
    const joined = output.join("/");
    return joined.startsWith("/") ? joined : "/" + joined;
  }

  function invalid(input) {
    return new TypeError(`Invalid URL: ${input}`);
  }

  // Splits an absolute URL into its parts, or returns null if `input` has no scheme.
  function parseAbsolute(input) {
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(input);
    if (!match) return null;
    const protocol = match[1].toLowerCase() + ":";
    let rest = match[2];
    const special = protocol in SPECIAL_PORTS;
    if (special) rest = rest.replace(/\\/g, "/");
    const parts = { protocol, username: "", password: "", hostname: "", port: "", pathname: "", search: "", hash: "", opaque: false };
    const hashAt = rest.indexOf("#");
    if (hashAt >= 0) { parts.hash = rest.slice(hashAt); rest = rest.slice(0, hashAt); }
    const queryAt = rest.indexOf("?");
    if (queryAt >= 0) { parts.search = rest.slice(queryAt); rest = rest.slice(0, queryAt); }
    if (rest.startsWith("//") || (special && protocol !== "file:")) {
      // A file URL's host ends at the third slash (`file:///path` has none).
      rest = protocol === "file:" ? rest.slice(2) : rest.replace(/^\/*/, "");
      const pathAt = rest.search(/\//);
      let authority = pathAt >= 0 ? rest.slice(0, pathAt) : rest;
      parts.pathname = pathAt >= 0 ? rest.slice(pathAt) : (special ? "/" : "");
      const at = authority.lastIndexOf("@");
      if (at >= 0) {
        const userinfo = authority.slice(0, at);
        authority = authority.slice(at + 1);
        const colon = userinfo.indexOf(":");
        parts.username = encodeSet(colon >= 0 ? userinfo.slice(0, colon) : userinfo, userinfoKeep);
        parts.password = colon >= 0 ? encodeSet(userinfo.slice(colon + 1), userinfoKeep) : "";
      }
      const portMatch = /:(\d*)$/.exec(authority);
      if (portMatch && !authority.endsWith("]")) {
        authority = authority.slice(0, portMatch.index);
        const port = portMatch[1] === "" ? "" : String(Number(portMatch[1]));
        if (Number(port) > 65535) throw invalid(input);
        parts.port = port === SPECIAL_PORTS[protocol] ? "" : port;
      }
      parts.hostname = special ? decodeURIComponent(authority).toLowerCase() : authority;
      if (special && protocol !== "file:" && parts.hostname === "") throw invalid(input);
      if (/[\s<>^|%]/.test(parts.hostname) && !parts.hostname.startsWith("[")) throw invalid(input);
    } else if (rest.startsWith("/")) {
      parts.pathname = rest;
    } else {
      parts.pathname = rest;
      parts.opaque = true;
    }
    if (!parts.opaque && (special || parts.pathname.startsWith("/"))) parts.pathname = removeDotSegments(encodeSet(parts.pathname, pathKeep));
    else parts.pathname = encodeSet(parts.pathname, (char) => !isC0OrSpace(char) || char === " ");
    parts.search = parts.search === "?" ? "" : encodeSet(parts.search, special ? specialQueryKeep : queryKeep);
    parts.hash = parts.hash === "#" ? "" : encodeSet(parts.hash, fragmentKeep);
    return parts;
  }

  function resolve(input, base) {
    if (input.startsWith("//")) return parseAbsolute(base.protocol + input);
    const parts = { ...base, hash: "" };
    let rest = base.protocol in SPECIAL_PORTS ? input.replace(/\\/g, "/") : input;
    const hashAt = rest.indexOf("#");
    if (hashAt >= 0) { parts.hash = encodeSet(rest.slice(hashAt), fragmentKeep); rest = rest.slice(0, hashAt); if (parts.hash === "#") parts.hash = ""; }
    if (rest === "") return parts;
    const queryAt = rest.indexOf("?");
    if (queryAt >= 0) { parts.search = encodeSet(rest.slice(queryAt), queryKeep); rest = rest.slice(0, queryAt); if (parts.search === "?") parts.search = ""; }
    else parts.search = base.search;
    if (rest === "") return parts;
    if (queryAt < 0) parts.search = "";
    if (base.opaque) throw invalid(input);
    const directory = rest.startsWith("/") ? "" : base.pathname.slice(0, base.pathname.lastIndexOf("/") + 1);
    parts.pathname = removeDotSegments(encodeSet(directory + rest, pathKeep));
    return parts;
  }

  const PRIVATE = Symbol("url");

  class URLSearchParams {
    constructor(init = "") {
      this._list = [];
      this._url = null;
      if (init instanceof URLSearchParams) this._list = init._list.map(([k, v]) => [k, v]);
      else if (typeof init === "object" && init !== null) {
        if (typeof init[Symbol.iterator] === "function") {
          for (const pair of init) {
            const items = [...pair];
            if (items.length !== 2) throw new TypeError("Each query pair must be an iterable [name, value] tuple");
            this._list.push([String(items[0]), String(items[1])]);
          }
        } else for (const key of Object.keys(init)) this._list.push([key, String(init[key])]);
      } else this._parse(String(init));
    }
    _parse(text) {
      this._list = [];
      const body = text.startsWith("?") ? text.slice(1) : text;
      for (const piece of body.split("&")) {
        if (piece === "") continue;
        const equals = piece.indexOf("=");
        const decode = (part) => { try { return decodeURIComponent(part.replace(/\+/g, " ")); } catch { return part.replace(/\+/g, " "); } };
        this._list.push(equals >= 0 ? [decode(piece.slice(0, equals)), decode(piece.slice(equals + 1))] : [decode(piece), ""]);
      }
    }
    _update() {
      if (this._url) { const text = this.toString(); this._url[PRIVATE].search = text ? "?" + text : ""; }
    }
    get size() { return this._list.length; }
    append(name, value) { this._list.push([String(name), String(value)]); this._update(); }
    delete(name, value) { this._list = this._list.filter(([k, v]) => !(k === String(name) && (value === undefined || v === String(value)))); this._update(); }
    get(name) { const found = this._list.find(([k]) => k === String(name)); return found ? found[1] : null; }
    getAll(name) { return this._list.filter(([k]) => k === String(name)).map(([, v]) => v); }
    has(name, value) { return this._list.some(([k, v]) => k === String(name) && (value === undefined || v === String(value))); }
    set(name, value) {
      const key = String(name);
      const index = this._list.findIndex(([k]) => k === key);
      if (index < 0) this._list.push([key, String(value)]);
      else { this._list[index][1] = String(value); this._list = this._list.filter(([k], i) => k !== key || i === index); }
      this._update();
    }
    sort() { this._list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); this._update(); }
    forEach(callback, thisArg) { for (const [k, v] of this._list) callback.call(thisArg, v, k, this); }
    *entries() { for (const [k, v] of this._list) yield [k, v]; }
    *keys() { for (const [k] of this._list) yield k; }
    *values() { for (const [, v] of this._list) yield v; }
    [Symbol.iterator]() { return this.entries(); }
    toString() {
      const encode = (text) => encodeSet(text, (char) => /[A-Za-z0-9*\-._ ]/.test(char)).replace(/ /g, "+");
      return this._list.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
    }
    get [Symbol.toStringTag]() { return "URLSearchParams"; }
  }

  class URL {
    constructor(input, base) {
      const text = String(input).trim();
      let parts = parseAbsolute(text);
      if (!parts) {
        if (base === undefined) throw invalid(text);
        const baseParts = base instanceof URL ? base[PRIVATE] : parseAbsolute(String(base).trim());
        if (!baseParts) throw invalid(String(base));
        parts = resolve(text, baseParts);
      }
      this[PRIVATE] = parts;
      this._params = new URLSearchParams(parts.search);
      this._params._url = this;
    }
    static canParse(input, base) { try { new URL(input, base); return true; } catch { return false; } }
    get protocol() { return this[PRIVATE].protocol; }
    set protocol(value) { this[PRIVATE].protocol = String(value).replace(/:?$/, ":").toLowerCase(); }
    get username() { return this[PRIVATE].username; }
    set username(value) { this[PRIVATE].username = encodeSet(String(value), userinfoKeep); }
    get password() { return this[PRIVATE].password; }
    set password(value) { this[PRIVATE].password = encodeSet(String(value), userinfoKeep); }
    get hostname() { return this[PRIVATE].hostname; }
    set hostname(value) { this[PRIVATE].hostname = String(value).toLowerCase(); }
    get port() { return this[PRIVATE].port; }
    set port(value) { const port = String(value); this[PRIVATE].port = port === SPECIAL_PORTS[this.protocol] ? "" : port; }
    get host() { return this.port ? `${this.hostname}:${this.port}` : this.hostname; }
    set host(value) { const [hostname, port = ""] = String(value).split(":"); this.hostname = hostname; this.port = port; }
    get origin() { return this.protocol in SPECIAL_PORTS && this.protocol !== "file:" ? `${this.protocol}//${this.host}` : "null"; }
    get pathname() { return this[PRIVATE].pathname; }
    set pathname(value) { const path = String(value); this[PRIVATE].pathname = removeDotSegments(encodeSet(path.startsWith("/") ? path : "/" + path, pathKeep)); }
    get search() { return this[PRIVATE].search; }
    set search(value) {
      const text = String(value);
      this[PRIVATE].search = text === "" || text === "?" ? "" : encodeSet(text.startsWith("?") ? text : "?" + text, queryKeep);
      this._params._parse(this[PRIVATE].search);
    }
    get searchParams() { return this._params; }
    get hash() { return this[PRIVATE].hash; }
    set hash(value) { const text = String(value); this[PRIVATE].hash = text === "" || text === "#" ? "" : encodeSet(text.startsWith("#") ? text : "#" + text, fragmentKeep); }
    get href() {
      const parts = this[PRIVATE];
      if (parts.opaque) return `${parts.protocol}${parts.pathname}${parts.search}${parts.hash}`;
      const userinfo = parts.username || parts.password ? `${parts.username}${parts.password ? ":" + parts.password : ""}@` : "";
      const authority = parts.hostname !== "" || parts.protocol in SPECIAL_PORTS ? `//${userinfo}${this.host}` : "";
      return `${parts.protocol}${authority}${parts.pathname}${parts.search}${parts.hash}`;
    }
    set href(value) { const next = new URL(value); this[PRIVATE] = next[PRIVATE]; this._params._parse(this.search); }
    toString() { return this.href; }
    toJSON() { return this.href; }
    get [Symbol.toStringTag]() { return "URL"; }
  }

  globalThis.URL = URL;
  globalThis.URLSearchParams = URLSearchParams;
})();
