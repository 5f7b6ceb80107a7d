//! Node's web streams (`stream/web` and its globals), TextEncoderStream and
//! TextDecoderStream, CompressionStream and DecompressionStream, Readable.fromWeb/toWeb,
//! `stream/consumers`, a fetch Response's body as a ReadableStream, and the Blob, File and
//! FormData globals, compared with what Node 20 returns for the same handler
//! (`tests/fixtures/node-builtins/web_streams.mjs`, printed once by
//! `node tests/fixtures/node-builtins/run-in-node.mjs web_streams`).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::node_fixtures::{node_gives, run_fixture};

#[tokio::test]
async fn web_streams_blob_and_form_data_answer_as_node_does() {
    let expected = node_gives(
        r##"{
 "globals": [
  "function",
  "function",
  "function",
  "function",
  "function",
  "function",
  "function",
  "function",
  "function",
  "function",
  "function",
  "function",
  "function",
  "function"
 ],
 "sameAsModule": true,
 "reader": [
  {
   "value": 1,
   "done": false
  },
  {
   "value": 2,
   "done": false
  },
  {
   "value": 3,
   "done": false
  },
  {
   "done": true
  }
 ],
 "forAwait": [
  "chunk 1",
  "chunk 2",
  "chunk 3"
 ],
 "piped": [
  "A",
  "B",
  "closed"
 ],
 "tee": [
  [
   "x"
  ],
  [
   "x"
  ]
 ],
 "writeError": "disk full",
 "textDecoderStream": "price: 5€ ok",
 "textEncoderStream": [
  [
   "Uint8Array",
   [
    104,
    195,
    169
   ]
  ]
 ],
 "compressionStream": [
  31,
  139,
  true
 ],
 "decompressionStream": true,
 "badFormat": [
  "TypeError",
  "ERR_INVALID_ARG_VALUE"
 ],
 "fromWeb": [
  "from web"
 ],
 "toWeb": [
  "to",
  "web"
 ],
 "writableFromWeb": [
  "p",
  "q"
 ],
 "consumers": [
  "ab",
  {
   "n": 1
  }
 ],
 "responseBody": [
  true,
  false
 ],
 "responseRead": "body text",
 "responseUsed": true,
 "streamResponse": "streamed body",
 "blob": [
  7,
  "text/plain",
  "héllo!",
  "éllo",
  "!",
  "[object Blob]"
 ],
 "file": [
  "a.txt",
  3,
  "text/plain",
  42,
  true,
  "[object File]"
 ],
 "formData": [
  "lambdesk",
  [
   "lambdesk",
   "again"
  ],
  true,
  "data.bin",
  true,
  "7",
  [
   "name",
   "name",
   "upload",
   "single"
  ]
 ],
 "formDataAfterDelete": [
  "upload",
  "single"
 ],
 "multipart": [
  true,
  true,
  true
 ],
 "blobResponse": [
  "application/json"
 ]
}"##,
    );
    assert_eq!(run_fixture("web_streams").await, expected);
}
