//! Rebuilds when a blueprint in `templates/` or the Rust guest crate (vendored into Rust
//! functions) changes: they are embedded with include_dir, whose macro cannot tell cargo
//! which files it read.
fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=runtimes/rust/src");
}
