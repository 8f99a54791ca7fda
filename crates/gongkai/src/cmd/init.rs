//! `gongkai init`: write a commented site.toml.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::ExitCode;

pub fn run(path: &Path, force: bool) -> Result<ExitCode> {
    if path.exists() && !force {
        bail!(
            "{} already exists (use --force to overwrite)",
            path.display()
        );
    }
    std::fs::write(path, crate::config::TEMPLATE)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "wrote {}: edit start_urls, contact and owners, then run `gongkai scan --config {}`",
        path.display(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
