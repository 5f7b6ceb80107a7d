//! The committed JS runtime matches the guest's sources: a forgotten rebuild of
//! `assets/runtime/quickjs.wasm` after a change in `runtimes/js/` cannot land.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

const GUEST_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/runtimes/js");
const RECORD: &str = include_str!("../assets/runtime/quickjs.build.toml");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The files build.sh hashes, as `./relative/path`, in byte order (`LC_ALL=C sort`).
fn guest_sources(dir: &Path, prefix: &str, found: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = format!("{prefix}/{name}");
        if entry.file_type().unwrap().is_dir() {
            if relative != "./target" {
                guest_sources(&entry.path(), &relative, found);
            }
        } else if [".rs", ".js", ".toml", ".sh"]
            .iter()
            .any(|ext| name.ends_with(ext))
            || name == "Cargo.lock"
        {
            found.push((relative, entry.path()));
        }
    }
}

/// `find … | LC_ALL=C sort | xargs sha256sum | sha256sum`, as build.sh computes it.
fn sources_sha256() -> String {
    let mut files = Vec::new();
    guest_sources(Path::new(GUEST_DIR), ".", &mut files);
    files.sort();
    let mut listing = String::new();
    for (relative, path) in files {
        let digest = Sha256::digest(std::fs::read(path).unwrap());
        listing.push_str(&format!("{}  {relative}\n", hex(&digest)));
    }
    hex(&Sha256::digest(listing.as_bytes()))
}

fn recorded(key: &str) -> String {
    let record: toml::Table = toml::from_str(RECORD).unwrap();
    record[key].as_str().unwrap().to_owned()
}

#[test]
fn the_committed_runtime_was_built_from_the_current_sources() {
    assert_eq!(
        sources_sha256(),
        recorded("sources_sha256"),
        "runtimes/js/ changed since assets/runtime/quickjs.wasm was built: run runtimes/js/build.sh and commit the result"
    );
}

#[test]
fn the_embedded_runtime_is_the_recorded_build() {
    assert_eq!(
        hex(&Sha256::digest(lambdesk::runtime::EMBEDDED_JS_RUNTIME)),
        recorded("wasm_sha256"),
        "assets/runtime/quickjs.wasm is not the file runtimes/js/build.sh recorded"
    );
}
