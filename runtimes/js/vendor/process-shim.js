// The packages' `require("process")` is the runtime's own `process` (bootstrap.js).
module.exports = globalThis.process;
