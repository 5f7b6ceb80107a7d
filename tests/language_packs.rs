//! Language packs in the cache: prepared when missing, a damaged one (its
//! component changed, its manifest unreadable) or one made from another driver is found
//! out and rebuilt instead of trusted. Each test prepares its own cache folder, reusing
//! the machine's componentize-py virtualenv when there is one (no download).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

use lambdesk::runtime::{LanguagePack, PackLanguage, PackProgress, PackState};

/// A cache folder of the test's own whose tools are the machine's (when prepared).
fn pack_in(dir: &std::path::Path) -> LanguagePack {
    let machine_tools = LanguagePack::default_root().join("python-tools");
    if machine_tools.is_dir() {
        std::os::unix::fs::symlink(&machine_tools, dir.join("python-tools")).unwrap();
    }
    LanguagePack::new(dir.to_owned(), PackLanguage::Python)
}

#[test]
fn a_missing_pack_is_prepared_and_a_damaged_or_outdated_one_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let pack = pack_in(dir.path());
    assert_eq!(pack.state(), PackState::Missing);

    let progress = PackProgress::default();
    let bytes = pack.ensure(&progress).unwrap();
    assert!(
        bytes.len() > 5_000_000,
        "CPython inside: {} bytes",
        bytes.len()
    );
    assert_eq!(
        pack.state(),
        PackState::Ready {
            size_bytes: bytes.len() as u64
        }
    );
    assert_eq!(
        progress.current(),
        None,
        "the progress ends with the preparation"
    );

    // One byte changed in the middle of the component: its checksum no longer matches.
    let component = pack.artefact_path();
    let mut damaged = std::fs::read(&component).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    std::fs::write(&component, &damaged).unwrap();
    let PackState::Damaged(why) = pack.state() else {
        panic!("{:?}", pack.state())
    };
    assert!(why.contains("checksum"), "{why}");
    let rebuilt = pack.ensure(&progress).unwrap();
    assert_ne!(rebuilt, damaged, "rebuilt, not trusted");
    assert!(matches!(pack.state(), PackState::Ready { .. }));

    // A manifest from another version of lambdesk's driver: outdated.
    let manifest_path = pack.dir().join("manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    value["recipe"] = serde_json::json!("componentize-py 0.0.1");
    std::fs::write(&manifest_path, value.to_string()).unwrap();
    assert_eq!(pack.state(), PackState::Outdated);

    // An unreadable manifest next to the component: damaged.
    std::fs::write(&manifest_path, "{ not json").unwrap();
    assert!(matches!(pack.state(), PackState::Damaged(_)));
    pack.ensure(&progress).unwrap();
    assert!(matches!(pack.state(), PackState::Ready { .. }));
}

#[test]
fn rubys_pack_comes_from_npm_and_a_damaged_one_is_fetched_again() {
    let dir = tempfile::tempdir().unwrap();
    let pack = LanguagePack::new(dir.path().to_owned(), PackLanguage::Ruby);
    assert_eq!(pack.state(), PackState::Missing);
    let progress = PackProgress::default();
    let bytes = pack.ensure(&progress).unwrap();
    assert!(bytes.starts_with(b"\0asm"), "a WebAssembly module");
    assert!(bytes.len() > 20_000_000, "Ruby with its standard library");

    // Truncated, as an interrupted copy would leave it.
    std::fs::write(pack.artefact_path(), &bytes[..1000]).unwrap();
    assert!(matches!(pack.state(), PackState::Damaged(_)));
    assert_eq!(
        pack.ensure(&progress).unwrap(),
        bytes,
        "fetched again, the same"
    );
    assert!(matches!(pack.state(), PackState::Ready { .. }));
}
