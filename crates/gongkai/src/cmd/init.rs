//! `gongkai init`: write a commented site.toml and create the office's signing key.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::ExitCode;

pub fn run(path: &Path, force: bool, db: Option<&Path>, key: Option<&Path>) -> Result<ExitCode> {
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
    // The key is never overwritten (--force included): old seals must stay verifiable.
    let default_db = path.parent().unwrap_or(Path::new("")).join("gongkai.db");
    let db = db.unwrap_or(&default_db);
    let key_path = super::evidence::key_path(db, key.map(|k| k.as_os_str().to_owned()));
    let (key, created) = gongkai_evidence::OfficeKey::load_or_create(&key_path)
        .with_context(|| format!("signing key {}", key_path.display()))?;
    println!(
        "{} {}\n公钥 public key (publish it): {}",
        if created {
            "已创建签名密钥 created signing key"
        } else {
            "签名密钥已存在 signing key exists"
        },
        key_path.display(),
        key.public().to_hex()
    );
    Ok(ExitCode::SUCCESS)
}
