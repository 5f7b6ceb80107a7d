//! The real binary's flow for a compiled language's blueprint, the same for Rust and Go:
//! `blueprints` lists it, `new` creates the function with the guest package in its folder,
//! `build` builds it (not billed), `invoke` answers without building again (and leaves
//! Cranelift's code in the module cache for the next process), and a compile error exits 2
//! with one message naming the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What differs between the languages.
pub struct CompiledBlueprint<'a> {
    pub id: &'a str,
    /// A file of the guest package, relative to the function's folder.
    pub guest_file: &'a str,
    /// The variable that points the build at the tests' shared folder, and that folder.
    pub build_dir: (&'a str, PathBuf),
    /// What `invoke` prints for the blueprint's `events/hello.json`.
    pub expected_response: &'a str,
    /// The code file, and how to break it.
    pub code_file: &'a str,
    pub break_code: &'a dyn Fn(&str) -> String,
    /// Text of the compile error's message.
    pub expected_error: &'a str,
}

fn run(dir: &Path, build_dir: &(&str, PathBuf), args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdesk"))
        .arg("--workspace")
        .arg(dir.join("ws"))
        .args(args)
        .env("LAMBDESK_CACHE_DIR", dir.join("cache"))
        .env(build_dir.0, &build_dir.1)
        .stdin(Stdio::null())
        .output()
        .expect("run lambdesk")
}

pub fn create_build_invoke_and_break(blueprint: &CompiledBlueprint<'_>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let lambdesk = |args: &[&str]| run(dir.path(), &blueprint.build_dir, args);
    let function_dir = dir.path().join("ws/functions/hi");
    let listed = lambdesk(&["blueprints"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains(blueprint.id));
    assert!(
        lambdesk(&["new", "hi", "--blueprint", blueprint.id])
            .status
            .success()
    );
    assert!(function_dir.join(blueprint.guest_file).is_file());

    let built = lambdesk(&["build", "hi"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{stderr}");
    assert!(stderr.contains("lambdesk: built hi in"), "{stderr}");
    assert!(stderr.contains("not billed"), "{stderr}");

    let event = function_dir.join("events/hello.json");
    let event = event.to_str().expect("a UTF-8 temp path");
    let invoked = lambdesk(&["invoke", "hi", "--event", event]);
    let stderr = String::from_utf8_lossy(&invoked.stderr);
    assert!(invoked.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&invoked.stdout).trim(),
        blueprint.expected_response
    );
    assert!(
        !stderr.contains("lambdesk: built"),
        "built already: {stderr}"
    );
    assert!(stderr.contains("Init Duration"), "{stderr}");
    // The first process answered from Winch's code and, before it ended, had Cranelift
    // compile the module into the cache: the next process loads that.
    let again = lambdesk(&["invoke", "hi", "--event", event, "-v"]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        stderr.contains("module loaded from the compiled-module cache"),
        "{stderr}"
    );

    // A compile error: exit 2, one message naming the file and line.
    let code = function_dir.join(blueprint.code_file);
    let text = std::fs::read_to_string(&code).expect("code");
    std::fs::write(&code, (blueprint.break_code)(&text)).expect("code");
    let failed = lambdesk(&["build", "hi"]);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:", blueprint.code_file)),
        "{stderr}"
    );
    assert!(stderr.contains(blueprint.expected_error), "{stderr}");
    assert!(stderr.contains("does not compile"), "{stderr}");
}
