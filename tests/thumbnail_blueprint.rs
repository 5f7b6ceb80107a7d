//! The seed example end to end: a function made from the `s3-thumbnail` blueprint (Rust,
//! the `image` crate, built for wasm32-wasip1) or `go-thumbnail` (Go's standard library)
//! under `lambdesk serve`, a JPEG and a PNG dropped into `buckets/photos/`, their
//! thumbnails in `buckets/photos-thumbnails/` at most 128 px on the long side, a text file
//! skipped, and the thumbnails invoking nothing.
//! Each is skipped with the reason when its toolchain is missing.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::TestWorkspace;
use common::serve::Serve;

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[1..4], b"PNG");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

/// Width and height of a JPEG, from its start-of-frame segment.
fn jpeg_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..2], [0xFF, 0xD8]);
    let mut at = 2;
    while at + 9 < bytes.len() {
        let (marker, length) = (
            bytes[at + 1],
            usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]])),
        );
        if (0xC0..=0xC2).contains(&marker) {
            let number = |at: usize| u32::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
            return (number(at + 7), number(at + 5));
        }
        at += 2 + length;
    }
    panic!("no start of frame");
}

fn wait_until(what: &str, serve: &Serve, done: impl Fn() -> bool) {
    // The first build of the crate (image, aws_lambda_events) takes minutes on 2 cores.
    let deadline = Instant::now() + Duration::from_secs(600);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen; serve said:\n{}",
            serve.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Creates a function from `blueprint`, serves the workspace, drops the pictures and a
/// text file into `photos`, and checks the thumbnails.
fn thumbnails_from(blueprint: &str) {
    let test = TestWorkspace::new();
    let root = test.workspace.root().to_owned();
    lambdesk::blueprints::find(None, blueprint)
        .unwrap()
        .create_function(&test.workspace, "thumbnails", 256)
        .unwrap();
    // Created with its wiring: no edit is needed.
    assert!(root.join("buckets/photos").is_dir());
    assert!(root.join("buckets/photos-thumbnails").is_dir());
    let serve = Serve::start(&root);
    wait_until("serve starting", &serve, || serve.count("serving ") > 0);

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images");
    std::fs::create_dir_all(root.join("buckets/photos/trips")).unwrap();
    std::fs::copy(
        fixtures.join("photo.jpg"),
        root.join("buckets/photos/trips/my cat.jpg"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("tall.png"),
        root.join("buckets/photos/tall.png"),
    )
    .unwrap();
    std::fs::write(root.join("buckets/photos/notes.txt"), "not a picture").unwrap();

    let jpeg = root.join("buckets/photos-thumbnails/trips/my cat.jpg");
    let png = root.join("buckets/photos-thumbnails/tall.png");
    wait_until("both thumbnails", &serve, || {
        jpeg.is_file() && png.is_file() && serve.count("skipping notes.txt") == 1
    });
    // Written whole before the check: wait for the invocations' REPORT lines.
    wait_until("three invocations", &serve, || {
        serve.count("REPORT RequestId") >= 3
    });
    assert_eq!(jpeg_size(&std::fs::read(&jpeg).unwrap()), (128, 96));
    assert_eq!(png_size(&std::fs::read(&png).unwrap()), (43, 128));

    // The thumbnails' bucket triggers nothing: still three invocations a while later.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(serve.count("REPORT RequestId"), 3, "{}", serve.output());
}

#[test]
fn pictures_dropped_into_the_photos_bucket_get_thumbnails_from_the_rust_blueprint() {
    if common::rust_toolchain_ready("pictures_dropped_into_the_photos_bucket (Rust)") {
        thumbnails_from("s3-thumbnail");
    }
}

#[test]
fn pictures_dropped_into_the_photos_bucket_get_thumbnails_from_the_go_blueprint() {
    if common::go_toolchain_ready("pictures_dropped_into_the_photos_bucket (Go)") {
        thumbnails_from("go-thumbnail");
    }
}
