//! The Rust guest crate (`runtimes/rust/`, `lambdesk-lambda`) that a Rust function
//! depends on. It is copied into the function's folder when the function is created,
//! so `lambdesk-lambda = { path = "lambdesk-lambda" }` builds wherever the workspace goes
//! (another machine, a clone, a CI runner), with no absolute path to this install and
//! no crate to publish; an update of lambdesk leaves a function's copy as it was.

use include_dir::{Dir, include_dir};

static SOURCES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/runtimes/rust/src");
const MANIFEST: &str = include_str!("../../runtimes/rust/Cargo.toml");
const README: &str = include_str!("../../runtimes/rust/README.md");

/// Where the copy goes, inside the function's folder.
pub const GUEST_FOLDER: &str = "lambdesk-lambda";
/// The manifest's own `[workspace]` table starts here: it is left out of the copy, which
/// is a member of the function's workspace (two roots in one tree are an error).
const WORKSPACE_TABLE_COMMENT: &str = "\n# Its own workspace";

/// The crate's files as they are written into a function: paths relative to its folder.
pub fn files() -> Vec<(String, Vec<u8>)> {
    let manifest = MANIFEST
        .split_once(WORKSPACE_TABLE_COMMENT)
        .map_or(MANIFEST, |(before, _)| before);
    let manifest = format!("{}\n", manifest.trim_end());
    let mut files = vec![
        (format!("{GUEST_FOLDER}/Cargo.toml"), manifest.into_bytes()),
        (
            format!("{GUEST_FOLDER}/README.md"),
            README.as_bytes().to_vec(),
        ),
    ];
    files.extend(SOURCES.files().map(|file| {
        (
            format!("{GUEST_FOLDER}/src/{}", file.path().display()),
            file.contents().to_vec(),
        )
    }));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_has_the_sources_and_a_manifest_without_its_own_workspace() {
        let files = files();
        let manifest = files
            .iter()
            .find(|(path, _)| path == "lambdesk-lambda/Cargo.toml")
            .map(|(_, text)| String::from_utf8_lossy(text).into_owned())
            .unwrap();
        assert!(manifest.contains("name = \"lambdesk-lambda\""));
        assert!(!manifest.contains("[workspace]"), "{manifest}");
        assert!(
            files
                .iter()
                .any(|(path, _)| path == "lambdesk-lambda/src/lib.rs")
        );
    }
}
