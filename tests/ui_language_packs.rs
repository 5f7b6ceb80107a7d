//! Python and Ruby in the console: the blueprint picker says when a language's pack is
//! still to be prepared on this machine.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod console_harness;

use std::path::Path;

use console_harness::harness;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use lambdesk::runtime::{LanguagePack, PackLanguage, RuntimeOptions};
use lambdesk::sample_workspace::open_sample_workspace;
use lambdesk::ui::LambdeskApp;

fn app(root: &Path, language_packs_dir: std::path::PathBuf) -> LambdeskApp {
    let workspace = open_sample_workspace(root).unwrap();
    let options = RuntimeOptions {
        language_packs_dir,
        ..console_harness::runtime_options()
    };
    console_harness::app(workspace, options)
}

fn search_blueprints(harness: &mut Harness<'_, LambdeskApp>, words: &str) {
    harness.run();
    harness.get_by_label("Create function").click();
    harness.run();
    harness.get_by_label("Search blueprints").click();
    harness.run();
    harness.get_by_label("Search blueprints").type_text(words);
    harness.run();
}

#[test]
fn the_picker_says_a_language_prepares_on_first_use_until_it_is_prepared() {
    let dir = tempfile::tempdir().unwrap();
    let empty_cache = dir.path().join("packs");
    let mut harness = harness(app(&dir.path().join("ws"), empty_cache));
    search_blueprints(&mut harness, "python");
    assert!(harness.query_by_label("Hello world (Python)").is_some());
    assert_eq!(
        harness
            .query_all_by_label_contains("Python prepares on first use")
            .count(),
        4,
        "one note per Python blueprint"
    );

    let empty_cache = dir.path().join("packs");
    let mut harness = self::harness(app(&dir.path().join("ws2"), empty_cache));
    search_blueprints(&mut harness, "ruby");
    assert_eq!(
        harness
            .query_all_by_label_contains("Ruby prepares on first use")
            .count(),
        4,
        "one note per Ruby blueprint"
    );

    // With the machine's prepared pack (the test run prepares it), no note.
    let prepared = LanguagePack::default_root();
    LanguagePack::new(prepared.clone(), PackLanguage::Python)
        .ensure(&lambdesk::runtime::PackProgress::default())
        .unwrap();
    let other = tempfile::tempdir().unwrap();
    let mut harness = self::harness(app(&other.path().join("ws"), prepared));
    search_blueprints(&mut harness, "python");
    assert!(harness.query_by_label("Hello world (Python)").is_some());
    assert!(
        harness
            .query_by_label_contains("Python prepares on first use")
            .is_none()
    );
}
