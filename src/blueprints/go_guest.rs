//! The Go guest package (`runtimes/go/`, a stand-in for `github.com/aws/aws-lambda-go`'s
//! `lambda` and `lambdacontext`) that a Go function's `go.mod` replaces the AWS module
//! with. It is copied into the function's folder when the function is created, so
//! `replace github.com/aws/aws-lambda-go => ./lambdesk-go` builds wherever the workspace
//! goes, with no absolute path to this install and no network; an update of lambdesk
//! leaves a function's copy as it was.

use include_dir::{Dir, include_dir};

static PACKAGE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/runtimes/go");

/// Where the copy goes, inside the function's folder (the blueprint's `replace` names it).
pub const GUEST_FOLDER: &str = "lambdesk-go";

/// The package's files as they are written into a function: paths relative to its folder.
pub fn files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    collect(&PACKAGE, &mut files);
    files
}

fn collect(dir: &Dir<'static>, files: &mut Vec<(String, Vec<u8>)>) {
    files.extend(dir.files().map(|file| {
        (
            format!("{GUEST_FOLDER}/{}", file.path().display()),
            file.contents().to_vec(),
        )
    }));
    for child in dir.dirs() {
        collect(child, files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_has_the_module_and_both_packages() {
        let files = files();
        let paths: Vec<&str> = files.iter().map(|(path, _)| path.as_str()).collect();
        for expected in [
            "lambdesk-go/go.mod",
            "lambdesk-go/lambda/entry.go",
            "lambdesk-go/lambdacontext/context.go",
        ] {
            assert!(paths.contains(&expected), "{expected} in {paths:?}");
        }
    }
}
