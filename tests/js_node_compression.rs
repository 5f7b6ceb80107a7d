//! zlib's brotli and zstd as handlers use them, each compared with what real Node.js
//! returns for the same handler (`tests/fixtures/node-builtins/zlib_brotli.mjs`, printed by
//! Node 20; `zlib_zstd.mjs`, printed by Node 24, as Node 20 has no zstd). zstd is also
//! checked against frames the zstd CLI wrote (level 19 with a checksum, two frames).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::node_fixtures::{node_gives, run_fixture_with};

#[tokio::test]
async fn brotli_answers_as_node_does() {
    let expected = node_gives(
        r##"{"fromNode":"hello hello hello hello","roundTrip":true,"compresses":true,"quality4":true,"quality0":8000,"empty":"Ow==","tiny":"CwKAaGVsbG8D","callback":true,"promisified":"hello hello hello hello","stream":true,"classes":[true,"function","function","function","function","function","function","function","function","function"],"errors":[["Decompression failed","ERR__ERROR_FORMAT_PADDING_2",-15],["unexpected end of file","Z_BUF_ERROR",-5],["unexpected end of file","Z_BUF_ERROR",-5]],"constants":[1,11,2,1,-15,null],"functions":["function","function","function","function","function","function"]}"##,
    );
    assert_eq!(run_fixture_with("zlib_brotli", &[]).await, expected);
}

#[tokio::test]
async fn zstd_answers_as_node_24_does_and_reads_the_zstd_cli_frames() {
    let expected = node_gives(
        r##"{"cli":[340230,"35d565b007e866864ec8369c1599af52a8119e774de14d39dc22801be93f0d2b","{\"id\":1,\"status\":\"pending\",\"city\":\"Oslo\",\"total\":37}"],"twoFrames":"first frame second frame","roundTrip":true,"bigRoundTrip":true,"compresses":true,"level19":true,"magic":"28b52ffd","callback":true,"promisified":"first frame second frame","stream":true,"errors":[["Unknown frame descriptor","ZSTD_error_prefix_unknown",10],["unexpected end of file","Z_BUF_ERROR",-5],["unexpected end of file","Z_BUF_ERROR",-5]],"constants":[100,3,201,2]}"##,
    );
    let extra = ["zstd-cli-19.zst", "zstd-cli-two-frames.zst"];
    assert_eq!(run_fixture_with("zlib_zstd", &extra).await, expected);
}
