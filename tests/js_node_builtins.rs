//! Node's built-in modules as handlers use them, each compared with what real Node.js
//! (v20) returns for the same handler. The handlers are `tests/fixtures/node-builtins/`;
//! the expected values were printed once by `node tests/fixtures/node-builtins/run-in-node.mjs`.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::{TestWorkspace, invoke};
use lambdesk::model::Outcome;
use serde_json::Value;

/// Runs `tests/fixtures/node-builtins/<name>.mjs` as the handler and returns its response.
async fn run_fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/node-builtins/{name}.mjs",
        env!("CARGO_MANIFEST_DIR")
    );
    let source = std::fs::read_to_string(&path).unwrap();
    run(&[("index.mjs", &source)], "index.handler").await
}

async fn run(files: &[(&str, &str)], handler: &str) -> Value {
    let test = TestWorkspace::new();
    let function = test.add_js("fn", handler, files, |config| config.timeout_secs = 10);
    let runtime = test.runtime();
    let record = invoke(&test, &runtime, &function, "{}").await.unwrap();
    match record.outcome {
        Outcome::Success(value) => value,
        Outcome::Failure(error) => panic!(
            "the function failed: {error:?}\nlogs: {:#?}",
            record.log_lines
        ),
    }
}

fn node_gives(json_text: &str) -> Value {
    serde_json::from_str(json_text).unwrap()
}

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

/// AES-CBC/CTR/GCM through createCipheriv and subtle, PBKDF2 and HKDF, with fixed keys
/// and IVs (RFC 5869's first HKDF vector, RFC 6070's first PBKDF2 one and RFC 3394's
/// first AES-KW one among them); wrapKey/unwrapKey; hashes, HMACs and ciphers as streams.
#[tokio::test]
async fn crypto_ciphers_and_key_derivation_answer_as_node_does() {
    let expected = node_gives(
        r##"{
 "aes-128-cbc": {"parts": ["", "639dd4c509b902e13dd2ee7500cf3af9be0e128e87ffefd09f0b8132b71d1d57", "50d0ced90c1f47388114f14250d31b88"], "back": "The quick brown fox jumps over the lazy dog"},
 "aes-256-cbc": {"parts": ["", "84f474f35a3090a82aae847eff728ab2c6d8dc5cfb3695e68937cb12ec50264e", "0a87c148ad2f36a22c43522e3ec511a5"], "back": "The quick brown fox jumps over the lazy dog"},
 "aes-128-ctr": {"parts": ["32cfa2c84527582bfc71", "bc755c61c38dd4eeaf20ddeb51ddd78d1ccd0bee3f9eba14b23a1d2192bd9feeec", ""], "back": "The quick brown fox jumps over the lazy dog"},
 "aes-256-ctr": {"parts": ["c668a8ad52e3e9a83149", "84262f450d34ac3003609b5f59b11d873a572f05a6faf109013775628cb81cea47", ""], "back": "The quick brown fox jumps over the lazy dog"},
 "base64Parts": ["6kTxu+QrvLYxMnGHqOSB", "uwnePWxD4kHARqiJOkoFeZY="],
 "noPadding": "af4e616233416cc573d45d573ac3f88eee6d0300c35d43b25d33c806e531bb44",
 "gcm": {"sealed": ["f9c6c354cf0e6f", "7623782ebc1c78", ""], "tag": "1b7309c416948c9b031cf438b9e14ea9", "open": "secret message"},
 "errors": ["Error ERR_CRYPTO_UNKNOWN_CIPHER Unknown cipher", "RangeError ERR_CRYPTO_INVALID_KEYLEN Invalid key length", "TypeError ERR_CRYPTO_INVALID_IV Invalid initialization vector", "Error ERR_OSSL_BAD_DECRYPT error:1C800064:Provider routines::bad decrypt", "Error ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH error:1C80006B:Provider routines::wrong final block length", "Error undefined Unsupported state or unable to authenticate data", "TypeError ERR_CRYPTO_INVALID_DIGEST Invalid digest: nope"],
 "pbkdf2": ["0c60c80f961f0e71f3a9b524af6012062fe037a6", "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a", "/so1seqq7vj9t/TU7KVJp8locLqhcgOvAcuqBHIk58yvYGXqRJ8VG1DOL8th8YDTDG1kLwOJ5QQ8iOORdiEvkw=="],
 "hkdf": "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
 "hkdfIsArrayBuffer": true,
 "pbkdf2Callback": [null, "061df616343cb988"],
 "hkdfCallback": [null, "8a4904829f7acb5f"],
 "hasCiphers": [true, true, true],
 "streams": ["b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", "18f95825861c5feabeecd7eaef27ababebbb5327", "639dd4c509b902e13dd2ee7500cf3af9be0e128e87ffefd09f0b8132b71d1d5750d0ced90c1f47388114f14250d31b88", true],
 "subtleKey": ["secret", {"name": "AES-GCM", "length": 256}, ["encrypt", "decrypt"], {"key_ops": ["encrypt", "decrypt"], "ext": true, "kty": "oct", "k": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "alg": "A256GCM"}],
 "subtleGcm": ["f9c6c354cf0e6f7623782ebc1c781b7309c416948c9b031cf438b9e14ea9", "secret message"],
 "subtleCbc": ["639dd4c509b902e13dd2ee7500cf3af9be0e128e87ffefd09f0b8132b71d1d5750d0ced90c1f47388114f14250d31b88", "The quick brown fox jumps over the lazy dog"],
 "subtleCtr": ["67a6c6e9355330499650df063217acacb380d601b69f3daca5ac72ba6f9d1eebd37093577d5aea9c", "67a6c6e9355330499650df063217acacb380d601"],
 "subtleErrors": ["OperationError The operation failed for an operation-specific reason", "OperationError The operation failed for an operation-specific reason", "SyntaxError PBKDF2 keys are not extractable"],
 "generated": [{"name": "AES-GCM", "length": 128}, 16],
 "keyWrap": [[{"name": "AES-KW", "length": 128}, {"key_ops": ["wrapKey", "unwrapKey"], "ext": true, "kty": "oct", "k": "AAECAwQFBgcICQoLDA0ODw", "alg": "A128KW"}], "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", [{"name": "AES-GCM", "length": 128}, ["encrypt", "decrypt"], "00112233445566778899aabbccddeeff"], 128, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "OperationError The operation failed for an operation-specific reason", "NotSupportedError Unrecognized algorithm name"],
 "pbkdf2Key": [{"name": "PBKDF2"}, false, ["deriveBits", "deriveKey"]],
 "deriveBitsPbkdf2": "632c2812e46d4604102ba7618e9d6d7d2f8128f6266b4a03264d2a0460b7dcb3",
 "deriveBitsHkdf": "5b053e9f5aae00dd80bf7cbb5b097f7d",
 "deriveKey": [{"name": "AES-CBC", "length": 256}, "ae3fe5f5707e07f3e7c117fb885cd052a6fcd77a4a7bcc3d30539407bd172fa4"],
 "deriveHmacKey": [{"name": "HMAC", "hash": {"name": "SHA-256"}, "length": 512}, "d429c227d382355628208ced56f8b1a03585e6cc2d454525f56fa8b8703b2bdc"]
}"##,
    );
    assert_eq!(run_fixture("crypto_cipher").await, expected);
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

/// Web Crypto's ECDSA (P-256, P-384), Ed25519 (byte-equal to Node's), RSASSA-PKCS1-v1_5
/// and RSA-PSS with keys Node made (spki, pkcs8, raw, jwk), verifying Node's signatures
/// and its own; RSA-OAEP decrypting Node's ciphertexts and its own; generated ECDSA and
/// Ed25519 key pairs exported in each form; ECDH and X25519 secrets equal to Node's.
#[tokio::test]
async fn subtle_public_key_signatures_answer_as_node_does() {
    let expected = node_gives(
        r##"{
 "ecKeys": [["public", false, {"name": "ECDSA", "namedCurve": "P-256"}, ["verify"]], ["private", false, {"name": "ECDSA", "namedCurve": "P-256"}, ["sign"]], ["public", true, {"name": "ECDSA", "namedCurve": "P-256"}, ["verify"]]],
 "ecdsa": [64, true, true, true, false, false],
 "ecdsa384": [true, true],
 "rsaKeys": [["public", false, "RSASSA-PKCS1-v1_5", {"name": "SHA-256"}, ["verify"]], ["private", false, "RSASSA-PKCS1-v1_5", {"name": "SHA-256"}, ["sign"]]],
 "rsaJwkKey": [1024, "010001"],
 "rsa": ["oGb5c+JudQv5pHMHE65qvzVpIR2XlCqVPD/jL1NzSI5oeNdDngEK8DwYKeQ22aQR7yavs4KLZMKoIacC8Go4Rzj5r2L8rvFYa9dvwuVne5KAE1RQdRX0Dx/rbQE2wM5PV3qGt0nD89ixDVSKjIINBax+/VWVoEKCK23hLl52kM4=", true, true, false],
 "pss": [true, true, false],
 "exported": [true, true],
 "oaep": ["a secret", "labelled", "round trip", "OperationError The operation failed for an operation-specific reason", "InvalidAccessError The requested operation is not valid for the provided key"],
 "ed25519": [["private", "public", {"name": "Ed25519"}, true], "rWT7qdbv+lGpXcyOBr6kf5OB7KTOzF6429BQErO8wX/a547cc/fBTo/GY5iZjdz33xpl6zCaFo9VoBtYrhf2Bw==", true, true, false, true],
 "generated": [["public", true, ["verify"], {"name": "ECDSA", "namedCurve": "P-256"}, "private", ["sign"], {"key_ops": ["verify"], "ext": true, "kty": "EC", "x": 32, "y": 32, "crv": "P-256"}, {"key_ops": ["sign"], "ext": true, "kty": "EC", "x": 32, "y": 32, "crv": "P-256", "d": 32}, 65, true, "InvalidAccessError Unable to export a raw ECDSA private key"], ["public", true, ["verify"], {"name": "ECDSA", "namedCurve": "P-384"}, "private", ["sign"], {"key_ops": ["verify"], "ext": true, "kty": "EC", "x": 48, "y": 48, "crv": "P-384"}, {"key_ops": ["sign"], "ext": true, "kty": "EC", "x": 48, "y": 48, "crv": "P-384", "d": 48}, 97, true, "InvalidAccessError Unable to export a raw ECDSA private key"], ["public", true, ["verify"], {"name": "Ed25519"}, "private", ["sign"], {"key_ops": ["verify"], "ext": true, "crv": "Ed25519", "x": 32, "kty": "OKP", "alg": "Ed25519"}, {"key_ops": ["sign"], "ext": true, "crv": "Ed25519", "d": 32, "x": 32, "kty": "OKP", "alg": "Ed25519"}, 32, true, "InvalidAccessError Unable to export a raw Ed25519 private key"]],
 "notExtractable": [true, false, "InvalidAccessException key is not extractable"],
 "ecdh": ["39dcd69ca4c5449cb22f011a7bd84a1cfd5af7c0a6230b8f5dcb5038cbb0cec9", "39dcd69ca4c5449cb22f011a7bd84a1c", "39dcd69ca4c5449cb22f011a7bd84a1cfd5af7c0a6230b8f5dcb5038cbb0cec9", [{"name": "AES-GCM", "length": 256}, "39dcd69ca4c5449cb22f011a7bd84a1cfd5af7c0a6230b8f5dcb5038cbb0cec9"], "InvalidAccessError algorithm.public must be a public key"],
 "x25519": ["cea37284f3eddae5b707ff1d96f7d1c89cf4102a4dd25aeaa597d41290e4014e", "cea37284f3eddae5b707ff1d96f7d1c89cf4102a4dd25aeaa597d41290e4014e", ["private", {"name": "X25519"}, "public", []]],
 "generatedAgreement": [[true, 48, [], ["deriveBits"], {"key_ops": ["deriveBits"], "ext": true, "kty": "EC", "x": 48, "y": 48, "crv": "P-384", "d": 48}], [true, 32, [], ["deriveBits"], {"key_ops": ["deriveBits"], "ext": true, "crv": "X25519", "d": 32, "x": 32, "kty": "OKP"}]],
 "errors": ["InvalidAccessError Unable to use this key to sign", "InvalidAccessError Unable to use this key to verify"]
}"##,
    );
    assert_eq!(run_fixture("crypto_sign").await, expected);
}
