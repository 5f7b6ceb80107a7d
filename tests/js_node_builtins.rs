//! Node's built-in modules as handlers use them, each compared with what real Node.js
//! (v20) returns for the same handler. The handlers are `tests/fixtures/node-builtins/`;
//! the expected values were printed once by `node tests/fixtures/node-builtins/run-in-node.mjs`.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::node_fixtures::{node_gives, run_fixture};

#[tokio::test]
async fn assert_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "passes": true,
 "failures": [
  [
   "AssertionError",
   "ERR_ASSERTION",
   "AssertionError"
  ],
  [
   "AssertionError",
   "ERR_ASSERTION",
   "AssertionError"
  ],
  [
   "AssertionError",
   "ERR_ASSERTION",
   "AssertionError"
  ]
 ],
 "message": "custom message",
 "throws": [
  "no error",
  "no error",
  [
   "AssertionError",
   "ERR_ASSERTION",
   "AssertionError"
  ]
 ],
 "rejects": [
  "no error",
  [
   "AssertionError",
   "ERR_ASSERTION",
   "AssertionError"
  ]
 ],
 "strictIsStrict": true
}"##,
    );
    assert_eq!(run_fixture("assert").await, expected);
}

#[tokio::test]
async fn buffer_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "sameAsGlobal": true,
 "encodings": {
  "utf8": "héllo wörld €",
  "hex": "68c3a96c6c6f2077c3b6726c6420e282ac",
  "base64": "aMOpbGxvIHfDtnJsZCDigqw=",
  "base64url": "aMOpbGxvIHfDtnJsZCDigqw",
  "latin1": "hÃ©llo wÃ¶rld â¬",
  "ascii": "hC)llo wC6rld b\u0002,",
  "utf16le": "써沩潬眠뛃汲⁤苢"
 },
 "fromBase64": "hello world",
 "newBufferBase64": "hello world",
 "fromBase64url": {
  "type": "Buffer",
  "data": [
   255,
   239
  ]
 },
 "fromHex": [
  222,
  173,
  190,
  239
 ],
 "fromLatin1": "636166e9",
 "written": "fffebeef2efbefbeaddef8a432ebffffffffffffdfff400921fb54440000c03f",
 "read": [
  255,
  -2,
  48879,
  -1234,
  3735928559,
  -123456789,
  "-9007199254740993",
  "18446744073709543423",
  3.1415926535846666,
  1.5,
  12513070,
  -1234
 ],
 "search": [
  9,
  32,
  true,
  19,
  2
 ],
 "copy": "..bcd.....",
 "sliceShares": [
  "01A3456789",
  "789"
 ],
 "concat": "abcde",
 "concatLength": "abcd",
 "compare": [
  -1,
  1,
  true
 ],
 "byteLength": [
  17,
  5,
  2
 ],
 "fill": "ababa",
 "isBuffer": [
  true,
  false,
  true,
  false
 ],
 "json": "{\"type\":\"Buffer\",\"data\":[104,105]}",
 "swap": [
  2,
  1,
  4,
  3
 ],
 "lenientBase64": [
  "hello",
  "hello",
  "fbffbf",
  "hello",
  "ABCD"
 ],
 "invalidUtf8": "�a�b�",
 "utf8Range": [
  "é",
  "héllo",
  "YmM="
 ],
 "utf8Lengths": [
  13,
  4,
  false,
  true
 ],
 "textDecoder": [
  "😀�",
  [
   226,
   130,
   172,
   240,
   159,
   152,
   128
  ]
 ],
 "fromArrayBuffer": [
  1,
  0,
  0,
  1
 ]
}"##,
    );
    assert_eq!(run_fixture("buffer").await, expected);
}

#[tokio::test]
async fn crypto_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "md5": {
  "hex": "5eb63bbbe01eeed093cb22bb8f5acdc3",
  "base64": "XrY7u+Ae7tCTyyK7j1rNww==",
  "bytes": 16
 },
 "sha1": {
  "hex": "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed",
  "base64": "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
  "bytes": 20
 },
 "sha256": {
  "hex": "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
  "base64": "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
  "bytes": 32
 },
 "sha512": {
  "hex": "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f",
  "base64": "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==",
  "bytes": 64
 },
 "latin1Input": "d2f52bc4406898fc722c0b4e314f9b46fc85cde4",
 "subarray": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 "copy": [
  "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603",
  "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
 ],
 "hmac": "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
 "hmacBase64url": "cTc8YcNpMU82GlEQTmXIlDnQIoVnJZLebe6FnmPIFGz4ShqyiYaG_1Slxrz9DsgrvY7nyBjJzJ9rxwKONps5rw",
 "hmacLongKey": "JdRBKGMThJ4TKVbSVHhCgr2Oiv0=",
 "randomBytes": [
  16,
  true
 ],
 "randomUUID": true,
 "timingSafeEqual": [
  true,
  false
 ],
 "errors": [
  "Error undefined Digest method not supported",
  "TypeError ERR_CRYPTO_INVALID_DIGEST Invalid digest: nope",
  "RangeError ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH Input buffers must have the same byte length",
  "Error ERR_CRYPTO_HASH_FINALIZED Digest already called"
 ],
 "subtleDigest": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 "subtleDigest512": "ddaf35a193617abacc417349ae204131",
 "subtleSign": "6e9ef29b75fffc5b7abae527d58fdadb2fe42e7219011976917343065f58ed4a",
 "subtleVerify": [
  true,
  false
 ],
 "subtleKey": [
  "secret",
  "HMAC",
  "SHA-256",
  24
 ],
 "globalIsWebcrypto": true,
 "getRandomValues": 8
}"##,
    );
    assert_eq!(run_fixture("crypto").await, expected);
}

#[tokio::test]
async fn events_answers_as_node_does() {
    let expected = node_gives(
        r##"[
 "first:1",
 "on:1",
 "once:1",
 "first:2",
 "on:2",
 true,
 true,
 false,
 2,
 "first:3",
 "data",
 "result:2",
 "thrown:boom",
 10,
 "function"
]"##,
    );
    assert_eq!(run_fixture("events").await, expected);
}

#[tokio::test]
async fn path_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "join": [
  "/a/c/d.txt",
  "a/b/",
  "."
 ],
 "resolve": [
  "/a/c",
  "/y/z"
 ],
 "normalize": [
  "/a/c",
  "../y"
 ],
 "parts": [
  "photo.jpg",
  "photo",
  ".gz",
  "",
  "/a/b"
 ],
 "parse": {
  "root": "/",
  "dir": "/home/user",
  "base": "file.txt",
  "ext": ".txt",
  "name": "file"
 },
 "format": "/home/user/file.txt",
 "relative": [
  "../../impl/bbb",
  "b/c"
 ],
 "misc": [
  "/",
  ":",
  true,
  false,
  true
 ]
}"##,
    );
    assert_eq!(run_fixture("path").await, expected);
}

#[tokio::test]
async fn querystring_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "parse": {
  "a": [
   "1",
   "3"
  ],
  "b": "2",
  "c": " x y",
  "d": ""
 },
 "custom": {
  "k": "v",
  "k2": "v2"
 },
 "stringify": [
  "a=1&a=2&b=x%20y&c=true&d=%C3%BC%26%3D",
  "w:1;x:2"
 ],
 "escape": [
  "a%20b%26c",
  "a b"
 ]
}"##,
    );
    assert_eq!(run_fixture("querystring").await, expected);
}

#[tokio::test]
async fn stream_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "pipeline": [
  "A",
  "B",
  "C"
 ],
 "callbackPipeline": "XY",
 "asyncIteration": [
  1,
  2
 ],
 "finished": "hello stream",
 "pipelineError": "bad chunk"
}"##,
    );
    assert_eq!(run_fixture("stream").await, expected);
}

#[tokio::test]
async fn string_decoder_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "utf8": [
  "",
  "",
  "€",
  ""
 ],
 "base64": [
  "",
  "YWJj"
 ],
 "hex": "01ff",
 "incomplete": "�"
}"##,
    );
    assert_eq!(run_fixture("string_decoder").await, expected);
}

#[tokio::test]
async fn timers_answers_as_node_does() {
    let expected = node_gives(
        r##"[
 "slept",
 "turned",
 "timers.setTimeout",
 "tick",
 "function",
 "function"
]"##,
    );
    assert_eq!(run_fixture("timers").await, expected);
}

#[tokio::test]
async fn url_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "parse": [
  "https:",
  "user:pw",
  "example.com:8080",
  "8080",
  "example.com",
  "#hash",
  "?query=string&x=1",
  "/p/a/t/h",
  "/p/a/t/h?query=string&x=1",
  {
   "query": "string",
   "x": "1"
  },
  "https://user:pw@example.com:8080/p/a/t/h?query=string&x=1#hash"
 ],
 "format": "https://example.com/x?a=1%202",
 "resolve": [
  "http://example.com/three",
  "/one/two/four"
 ],
 "whatwg": "https://h.example/x?y=1",
 "files": [
  "/var/task/a b.txt",
  "file:///var/task/a%20b.txt"
 ]
}"##,
    );
    assert_eq!(run_fixture("url").await, expected);
}

#[tokio::test]
async fn util_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "promisify": 42,
 "promisifyError": "negative",
 "promisifyTimeout": "waited",
 "format": [
  "Ada is 36.5 years and 7 days",
  "{\"a\":[1,2]} and text",
  "[ 1, [length]: 1 ]",
  "100% sure extra 3",
  "null undefined 42n",
  "1 two { three: 3 }"
 ],
 "inspect": [
  "{ a: 1, b: 'two', c: [ 1, 2, 3 ], d: { e: { f: [Object] } } }",
  "'quoted'",
  "Map(1) { 'k' => 1 }",
  "Set(2) { 1, 2 }",
  "[ undefined, null, true ]",
  "{ nested: [Object] }"
 ],
 "types": [
  true,
  true,
  true,
  true,
  true,
  true,
  false
 ],
 "textEncoder": [
  195,
  169
 ],
 "textDecoder": "€",
 "deprecate": "still works",
 "inherits": [
  "Rex speaks",
  true
 ],
 "isDeepStrictEqual": [
  true,
  false,
  true
 ],
 "callbackify": 2
}"##,
    );
    assert_eq!(run_fixture("util").await, expected);
}

#[tokio::test]
async fn zlib_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "logs": {
  "messageType": "DATA_MESSAGE",
  "owner": "123456789012",
  "logGroup": "/aws/lambda/orders",
  "logStream": "2026/12/07/[$LATEST]abc",
  "subscriptionFilters": [
   "all"
  ],
  "logEvents": [
   {
    "id": "1",
    "timestamp": 1765000000000,
    "message": "order 7 shipped"
   }
  ]
 },
 "unzipLogs": "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"123456789012\",\"logGroup\":\"/aws/lambda/orders\",\"logStream\":\"2026/12/07/[$LATEST]abc\",\"subscriptionFilters\":[\"all\"],\"logEvents\":[{\"id\":\"1\",\"timestamp\":1765000000000,\"message\":\"order 7 shipped\"}]}",
 "inflate": "hello hello hello",
 "unzipDeflate": "hello hello hello",
 "inflateRaw": "hello hello hello",
 "gzipRoundTrip": true,
 "gzipHeader": "1f8b08",
 "deflateRoundTrip": true,
 "rawRoundTrip": true,
 "compresses": true,
 "callback": true,
 "promisified": "hello hello hello",
 "errors": [
  [
   "incorrect header check",
   "Z_DATA_ERROR",
   -3
  ],
  [
   "incorrect header check",
   "Z_DATA_ERROR",
   -3
  ],
  [
   "unexpected end of file",
   "Z_BUF_ERROR",
   -5
  ]
 ],
 "callbackError": "Z_DATA_ERROR",
 "constants": [
  9,
  -3,
  -1
 ],
 "crc32": 907060870
}"##,
    );
    assert_eq!(run_fixture("zlib").await, expected);
}

/// fs's access, chmod, rename, copyFile, truncate, symlink, lstat, mkdtemp, rm, rmdir,
/// fs/promises' forms and FileHandle, and their errors, in /tmp.
#[tokio::test]
async fn fs_beyond_read_and_write_answers_as_node_does() {
    let expected = node_gives(
        r##"{
 "written": ["hello world", "xy"],
 "access": ["ok", ["ENOENT", "access", "ENOENT: no such file or directory, access '/tmp/fs-more/nope'"]],
 "chmod": ["ok", ["ENOENT", "chmod", "ENOENT: no such file or directory, chmod '/tmp/fs-more/nope'"]],
 "rename": [false, "xy", ["ENOENT", "rename", "ENOENT: no such file or directory, rename '/tmp/fs-more/nope' -> '/tmp/fs-more/d'"]],
 "copy": ["hello world", ["ENOENT", "copyfile", "ENOENT: no such file or directory, copyfile '/tmp/fs-more/nope' -> '/tmp/fs-more/d'"]],
 "truncate": "hell",
 "symlink": ["a.txt", true, false, 11, ["EEXIST", "symlink", "EEXIST: file already exists, symlink 'a.txt' -> '/tmp/fs-more/link'"]],
 "lstat": [true, true, ["ENOENT", "lstat", "ENOENT: no such file or directory, lstat '/tmp/fs-more/nope'"]],
 "mkdtemp": [true, true],
 "rm": [["ENOENT", "lstat", "ENOENT: no such file or directory, lstat '/tmp/fs-more/nope'"], "ok", ["ERR_FS_EISDIR", "rm", "Path is a directory: rm returned EISDIR (is a directory) /tmp/fs-more/tree"], ["ENOTEMPTY", "rmdir"], "ok", false, "ok", "ok", ["ENOENT", "rmdir", "ENOENT: no such file or directory, rmdir '/tmp/fs-more/nope'"]],
 "promises": ["promised", 8, ["ENOENT", "access", "ENOENT: no such file or directory, access '/tmp/fs-more/p.txt'"], ["ENOENT", "lstat", "ENOENT: no such file or directory, lstat '/tmp/fs-more/p.txt'"], "function", "function", "function", "function", 2],
 "fileHandle": ["abcdef", 6, "number", ["ENOENT", "open", "ENOENT: no such file or directory, open '/tmp/fs-more/nope'"]],
 "callback": "ENOENT"
}"##,
    );
    assert_eq!(run_fixture("fs_more").await, expected);
}

/// module.createRequire, perf_hooks, tty.isatty, dns.lookup of localhost,
/// AsyncLocalStorage across an await, util.styleText, process's ids, console's Console
/// and url.urlToHttpOptions.
#[tokio::test]
async fn module_perf_hooks_tty_dns_async_hooks_and_process_answer_as_node_does() {
    let expected = node_gives(
        r##"{
 "module": ["function", "a/b", "\n", true, true, false, true, "MODULE_NOT_FOUND"],
 "perfHooks": ["number", true, true, "number"],
 "tty": [false, false, false],
 "dns": [[null, "127.0.0.1", 4], {"address": "127.0.0.1", "family": 4}, {"address": "127.0.0.1", "family": 4}],
 "asyncLocalStorage": [1, 1, 2, 1, null],
 "asyncHooks": [true, true, "number", "number"],
 "styleText": ["text", "\u001b[31mtext\u001b[39m", "\u001b[1m\u001b[4mx\u001b[24m\u001b[22m", "\u001b[90m\u001b[101m\u001b[53mx\u001b[55m\u001b[49m\u001b[39m", ["ERR_INVALID_ARG_VALUE", "right', 'bgWhiteBright'. Received 'nope'"]],
 "process": [true, "number", "number", "number", "number", "node", "string", true, true, "bigint"],
 "console": [true, ["answer is 42\n", "{ a: 1 }\n"]],
 "urlToHttpOptions": [{"protocol": "https:", "hostname": "example.com", "hash": "#frag", "search": "?q=1", "pathname": "/a/b", "path": "/a/b?q=1", "href": "https://user:p%40ss@example.com:8443/a/b?q=1#frag", "port": 8443, "auth": "user:p@ss"}, {"protocol": "http:", "hostname": "::1", "hash": "", "search": "", "pathname": "/x", "path": "/x", "href": "http://[::1]/x"}]
}"##,
    );
    assert_eq!(run_fixture("small_modules").await, expected);
}
