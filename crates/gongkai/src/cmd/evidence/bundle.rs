//! `gongkai evidence bundle` (one zip proving one finding) and `gongkai evidence check`
//! (verifying such a zip offline).

use super::seal::RunTrees;
use anyhow::{bail, Context, Result};
use gongkai_evidence::bundle::{FetchPart, MAX_BUNDLE_BYTES};
use gongkai_evidence::{Bundle, Manifest, PublicKey, SealedManifest, TreeHead};
use gongkai_store::{Store, StoredFinding};
use std::path::Path;
use std::process::ExitCode;

/// Writes the bundle of `found` to `out`.
pub fn write(store: &Store, found: &StoredFinding, out: &Path) -> Result<ExitCode> {
    let run_id = found.run_id;
    let row = store
        .latest_manifest(run_id)?
        .with_context(|| format!("run {run_id} is not sealed (`gongkai evidence seal`)"))?;
    let manifest = Manifest::parse(&row.manifest).with_context(|| {
        format!(
            "manifest #{} does not parse (`gongkai evidence verify`)",
            row.seq
        )
    })?;
    let key = PublicKey::from_hex(&manifest.public_key)?;
    let trees = RunTrees::load(store, run_id)?;
    if TreeHead::of(&trees.fetches) != manifest.fetches
        || TreeHead::of(&trees.findings) != manifest.findings
    {
        bail!(
            "run {run_id} no longer matches its seal (manifest #{}); run `gongkai evidence verify`",
            row.seq
        );
    }
    let (_, leaf) = trees
        .finding_rows
        .iter()
        .find(|(id, _)| *id == found.id)
        .with_context(|| format!("finding #{} vanished", found.id))?;
    let leaf = leaf.to_leaf();
    let index = trees
        .findings
        .iter()
        .position(|l| l == &leaf)
        .context("finding not in its run's tree")?;
    let fetch = match leaf_fetch_id(&trees, index) {
        Some(fetch_id) => Some(fetch_part(store, &trees, fetch_id)?),
        None => None,
    };
    let sealed = SealedManifest {
        hash: row.hash.clone(),
        signature: row.signature.clone(),
        bytes: row.manifest.clone(),
    };
    let bundle = Bundle::assemble(sealed, &key, &trees.findings, index, fetch)?;
    let zip = bundle.to_zip()?;
    std::fs::write(out, &zip).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "已写出证据包 wrote {} ({} bytes): finding {} · run {run_id} · manifest #{} sha256 {}",
        out.display(),
        zip.len(),
        found.finding.fingerprint,
        row.seq,
        row.hash
    );
    println!(
        "离线核验 check offline: gongkai evidence check {} --key {}",
        out.display(),
        key.to_hex()
    );
    Ok(ExitCode::SUCCESS)
}

fn leaf_fetch_id(trees: &RunTrees, index: usize) -> Option<i64> {
    let leaf = &trees.findings[index];
    serde_json::from_slice::<gongkai_evidence::FindingLeaf>(&leaf.bytes)
        .ok()?
        .fetch_id
}

fn fetch_part<'a>(store: &Store, trees: &'a RunTrees, fetch_id: i64) -> Result<FetchPart<'a>> {
    let key = fetch_id.to_string();
    let index = trees
        .fetches
        .iter()
        .position(|l| l.key == key)
        .with_context(|| format!("fetch #{fetch_id} of the finding is not in its run"))?;
    let fetch = store
        .fetch(fetch_id)?
        .with_context(|| format!("fetch #{fetch_id} is missing"))?;
    let body = match &fetch.body_sha256 {
        Some(sha) => {
            let body = store
                .body(sha)?
                .with_context(|| format!("body {sha} of fetch #{fetch_id} is missing"))?;
            if gongkai_store::sha256_hex(&body) != *sha {
                bail!("body {sha} of fetch #{fetch_id} was altered; run `gongkai evidence verify`");
            }
            Some(body)
        }
        None => None,
    };
    Ok(FetchPart {
        leaves: &trees.fetches,
        index,
        body,
    })
}

/// Checks a bundle file offline; exit 0 when it verifies, 1 when it does not.
pub fn check(file: &Path, key: Option<&str>) -> Result<ExitCode> {
    let pinned = key.map(PublicKey::from_arg).transpose()?;
    let len = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    if len > MAX_BUNDLE_BYTES {
        bail!(
            "{} is larger than a bundle can be ({len} bytes)",
            file.display()
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let report = gongkai_evidence::check(&bytes, pinned.as_ref());
    for fact in &report.facts {
        println!("  {fact}");
    }
    if report.ok() {
        println!("证据包核验通过 bundle verifies: {}", file.display());
        return Ok(ExitCode::SUCCESS);
    }
    for p in &report.problems {
        println!("不一致 (mismatch): {p}");
    }
    eprintln!(
        "gongkai: bundle {} does not verify ({} problems)",
        file.display(),
        report.problems.len()
    );
    Ok(ExitCode::from(1))
}
