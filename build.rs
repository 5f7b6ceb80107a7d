//! Rebuilds when a blueprint in `templates/` changes: they are embedded with include_dir,
//! whose macro cannot tell cargo which files it read.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
