//! Rebuilds when a blueprint in `templates/`, the Rust guest crate (vendored into Rust
//! functions) or the Java runtime client changes: they are embedded with include_dir, whose macro cannot tell cargo
//! which files it read.
fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=runtimes/rust/src");
    println!("cargo:rerun-if-changed=runtimes/java");
}
