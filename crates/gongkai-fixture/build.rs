//! Rebuild the crate when the embedded portal changes (include_dir does not track files itself).
fn main() {
    println!("cargo:rerun-if-changed=../../fixtures/portal");
    println!("cargo:rerun-if-changed=build.rs");
}
