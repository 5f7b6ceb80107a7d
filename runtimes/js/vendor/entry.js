// The npm packages behind lambdesk's Node built-in modules. esbuild wraps each CommonJS
// module in a function that runs on its first require; node_builtins.js calls these.
module.exports = {
  buffer: () => require("buffer/"),
  events: () => require("events/"),
  util: () => require("util/"),
  path: () => require("path-browserify"),
  querystring: () => require("querystring-es3"),
  stream: () => require("readable-stream"),
  assert: () => require("assert/"),
  // util.isDeepStrictEqual is assert's comparison, as in Node.
  comparisons: () => require("assert/build/internal/util/comparisons"),
  string_decoder: () => require("string_decoder/"),
  url: () => require("url/"),
  // Node's global AbortController and EventTarget, which QuickJS lacks (readable-stream
  // needs them); the paths skip the packages' browser entries, which expect the globals.
  abortController: () => require("abort-controller/dist/abort-controller.js"),
  eventTarget: () => require("event-target-shim/dist/event-target-shim.js"),
  // Node's stream/web (WHATWG streams), as a ponyfill: web_streams.js sets the globals.
  webStreams: () => require("web-streams-polyfill"),
  // Node's own util.inspect (lib/internal/util/inspect.js), extracted: every option.
  inspect: () => require("node-inspect-extracted"),
};
