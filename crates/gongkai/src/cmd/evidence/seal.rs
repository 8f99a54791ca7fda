//! Sealing: a completed run's fetch records and findings become two Merkle trees whose roots,
//! with the run's metadata and the previous manifest's hash, are signed into the next manifest.

use anyhow::{bail, Context, Result};
use gongkai_evidence::leaf::{finding_leaves, sort_finding_leaves};
use gongkai_evidence::manifest::MANIFEST_FORMAT;
use gongkai_evidence::{FindingLeaf, Leaf, Manifest, OfficeKey, RunMeta, TreeHead, GENESIS};
use gongkai_store::{NewSeal, RunInfo, RunStatus, Store};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Environment variable naming the signing key file.
pub const KEY_ENV: &str = "GONGKAI_KEY";

/// The signing key file: `--key`, else `$GONGKAI_KEY`, else `<db>.ed25519` beside the database.
pub fn key_path(db: &Path, key: Option<OsString>) -> PathBuf {
    if let Some(k) = key.or_else(|| std::env::var_os(KEY_ENV).filter(|v| !v.is_empty())) {
        return PathBuf::from(k);
    }
    let mut name = db.as_os_str().to_owned();
    name.push(".ed25519");
    PathBuf::from(name)
}

/// A run's current leaves, in canonical order, and its findings with their row ids.
pub struct RunTrees {
    pub fetches: Vec<Leaf>,
    pub findings: Vec<Leaf>,
    pub finding_rows: Vec<(i64, FindingLeaf)>,
}

impl RunTrees {
    pub fn load(store: &Store, run_id: i64) -> Result<RunTrees> {
        Self::load_leaves(store, run_id, true)
    }

    /// [`RunTrees::load`] with `keep_bytes` false: the leaves keep their key and hash only (all
    /// that sealing needs) and `finding_rows` is empty, so sealing a large run does not hold every
    /// record's canonical bytes (issue 11: sealing was the peak of a 20,000-page `check`).
    pub fn load_leaves(store: &Store, run_id: i64, keep_bytes: bool) -> Result<RunTrees> {
        // Rows come in id order, the fetch tree's canonical order. The run's two halves (by id)
        // are read side by side, each on a connection and a thread of its own that also makes
        // their canonical bytes and hashes; the halves then join in order. (With one reader
        // feeding one hasher, the reader was the slower half of a serial step at the end of
        // every scan.)
        let leaf_of = move |f: gongkai_evidence::FetchLeaf| {
            let mut leaf = f.to_leaf();
            if !keep_bytes {
                leaf.bytes = Vec::new();
            }
            leaf
        };
        let read = |s: &Store, ids: std::ops::Range<i64>| -> Result<Vec<Leaf>> {
            let mut out = Vec::new();
            s.for_each_fetch_leaf_in(run_id, ids, |f| out.push(leaf_of(f)))?;
            Ok(out)
        };
        let mid = store.fetch_id_midpoint(run_id)?;
        // A second connection (read-only); without one, the whole run is read on this thread.
        let second = mid.and_then(|_| Store::open_readonly(store.path()).ok());
        let fetches = match (mid, second) {
            (Some(mid), Some(second)) => std::thread::scope(|s| -> Result<Vec<Leaf>> {
                let upper = s.spawn(move || read(&second, mid..i64::MAX));
                let mut fetches = read(store, i64::MIN..mid)?;
                let upper = upper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                fetches.extend(upper);
                Ok(fetches)
            })?,
            _ => read(store, i64::MIN..i64::MAX)?,
        };
        if keep_bytes {
            let finding_rows = store.finding_leaves(run_id)?;
            return Ok(RunTrees {
                fetches,
                findings: finding_leaves(finding_rows.iter().map(|(_, f)| f)),
                finding_rows,
            });
        }
        // The findings one row at a time: their bytes only order equal fingerprints, and are
        // dropped once sorted (holding every row twice was the peak of a 100,000-page `check`).
        let mut findings = Vec::new();
        store.for_each_finding_leaf(run_id, |_, f| findings.push(f.to_leaf()))?;
        sort_finding_leaves(&mut findings);
        for leaf in &mut findings {
            leaf.bytes = Vec::new();
        }
        Ok(RunTrees {
            fetches,
            findings,
            finding_rows: Vec::new(),
        })
    }
}

/// The run metadata a manifest seals.
pub fn run_meta(run: &RunInfo) -> RunMeta {
    RunMeta {
        id: run.id,
        site: run.site.clone(),
        start_urls: serde_json::json!(run.start_urls),
        settings: run.settings.clone(),
        tool_version: run.tool_version.clone(),
        rules_version: run.rules_version.clone(),
        config_hash: run.config_hash.clone(),
        as_of: run.as_of.clone(),
        started_at: run.started_at.clone(),
        finished_at: run.finished_at.clone(),
        status: run.status.as_str().to_owned(),
    }
}

/// What sealing did.
pub struct Sealed {
    pub seq: i64,
    pub hash: String,
    pub fetches: usize,
    pub findings: usize,
    pub bytes: usize,
    pub elapsed: Duration,
}

/// Seals a completed run with the key at `key_file` (created when missing; its public key is
/// then printed on stderr for publication).
pub fn seal_run(store: &Store, run_id: i64, key_file: &Path) -> Result<Sealed> {
    let started = Instant::now();
    let run = store
        .run(run_id)?
        .with_context(|| format!("no run {run_id} to seal"))?;
    if !matches!(run.status, RunStatus::Completed | RunStatus::Partial) {
        bail!(
            "run {run_id} is {}, only completed runs are sealed",
            run.status.as_str()
        );
    }
    let (key, created) = OfficeKey::load_or_create(key_file)
        .with_context(|| format!("signing key {}", key_file.display()))?;
    if created {
        eprintln!(
            "gongkai: 已创建签名密钥 created signing key {} · 公钥 public key (publish it): {}",
            key_file.display(),
            key.public().to_hex()
        );
    }
    let trees = RunTrees::load_leaves(store, run_id, false)?;
    let (fetches, findings) = (TreeHead::of(&trees.fetches), TreeHead::of(&trees.findings));
    let (n_fetches, n_findings) = (trees.fetches.len(), trees.findings.len());
    // The leaves move to the store's rows: a large run's keys are not held twice.
    let keyed = |leaves: Vec<Leaf>| leaves.into_iter().map(|l| (l.key, l.hash)).collect();
    let (fetch_leaves, finding_leaves) = (keyed(trees.fetches), keyed(trees.findings));
    let meta = run_meta(&run);
    let sealed_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut out = None;
    let seq = store.append_manifest(|seq, prev| {
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            seq: seq.max(0) as u64,
            prev: prev.unwrap_or(GENESIS).to_owned(),
            run: meta,
            sealed_at: sealed_at.clone(),
            fetches,
            findings,
            public_key: key.public().to_hex(),
        };
        let sealed = manifest.seal(&key);
        out = Some((sealed.hash.clone(), sealed.bytes.len()));
        NewSeal {
            run_id,
            hash: sealed.hash,
            signature: sealed.signature,
            manifest: sealed.bytes,
            sealed_at,
            fetch_leaves,
            finding_leaves,
        }
    })?;
    let (hash, bytes) = out.unwrap_or_default();
    Ok(Sealed {
        seq,
        hash,
        fetches: n_fetches,
        findings: n_findings,
        bytes,
        elapsed: started.elapsed(),
    })
}

/// The hook `scan` and `check` call when a run is complete: seals it with the default key
/// (`$GONGKAI_KEY` or `<db>.ed25519`). Runs that did not finish (running, interrupted) are left
/// alone; partial runs are finished runs and are sealed.
pub fn seal_completed(store: &Store, db: &Path, run_id: i64) -> Result<()> {
    let Some(run) = store.run(run_id)? else {
        return Ok(());
    };
    if !matches!(run.status, RunStatus::Completed | RunStatus::Partial) {
        return Ok(());
    }
    let s = seal_run(store, run_id, &key_path(db, None)).with_context(|| {
        format!("sealing run {run_id} (seal it later with `gongkai evidence seal`)")
    })?;
    tracing::debug!(
        run = run_id,
        manifest = s.seq,
        hash = %s.hash,
        fetches = s.fetches,
        findings = s.findings,
        manifest_bytes = s.bytes,
        ms = s.elapsed.as_millis() as u64,
        "sealed"
    );
    Ok(())
}

/// `gongkai evidence seal`: seals every completed run that has no manifest yet.
pub fn seal_unsealed(store: &Store, key_file: &Path) -> Result<usize> {
    let mut n = 0;
    for run in store.runs()? {
        if !matches!(run.status, RunStatus::Completed | RunStatus::Partial)
            || store.latest_manifest(run.id)?.is_some()
        {
            continue;
        }
        let s = seal_run(store, run.id, key_file)?;
        println!(
            "已封存 sealed run {} · 清单 manifest #{} · sha256 {} · {} fetches, {} findings · {} ms",
            run.id,
            s.seq,
            s.hash,
            s.fetches,
            s.findings,
            s.elapsed.as_millis()
        );
        n += 1;
    }
    Ok(n)
}
