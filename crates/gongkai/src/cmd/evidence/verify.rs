//! `gongkai evidence verify`: every stored body re-hashed, every seal's signature and chain
//! link checked, every sealed run's trees recomputed; each mismatch named in one line.

use super::seal::{run_meta, RunTrees};
use anyhow::Result;
use gongkai_evidence::manifest::manifest_hash;
use gongkai_evidence::merkle::{self, Hash};
use gongkai_evidence::{Leaf, Manifest, PublicKey, SealedManifest, TreeHead, GENESIS};
use gongkai_store::{ManifestRow, RunStatus, Store, Tree};
use std::collections::{BTreeMap, BTreeSet};

/// What verification found.
#[derive(Default)]
pub struct Verification {
    pub problems: Vec<String>,
    pub manifests: usize,
    pub runs: usize,
    pub fetches: usize,
    pub findings: usize,
    pub bodies_bad: usize,
}

/// Runs every check. `trusted` is the office's public key when known.
pub fn verify(store: &Store, trusted: Option<&PublicKey>) -> Result<Verification> {
    let mut v = Verification::default();
    check_bodies(store, &mut v)?;
    let rows = store.manifests()?;
    v.manifests = rows.len();
    let parsed = check_chain(&rows, trusted, &mut v);
    check_runs(store, &rows, &parsed, &mut v)?;
    Ok(v)
}

/// Compares the chain with a log published earlier (`gongkai evidence log` lines:
/// `seq TAB run TAB sealed_at TAB hash TAB signature`; `#` lines ignored): a seal that is
/// missing or has another hash means the history was rewritten, even with the office's key.
pub fn against_published(store: &Store, log: &str, v: &mut Verification) -> Result<()> {
    let rows: BTreeMap<i64, ManifestRow> =
        store.manifests()?.into_iter().map(|r| (r.seq, r)).collect();
    for (n, line) in log.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(seq), Some(hash)) = (
            cols.first().and_then(|s| s.parse::<i64>().ok()),
            cols.get(3),
        ) else {
            anyhow::bail!("published log line {}: expected `seq, run, sealed_at, hash, signature` separated by tabs", n + 1);
        };
        match rows.get(&seq) {
            None => v.problems.push(format!(
                "已公布的清单缺失 published manifest #{seq} ({hash}) is no longer in the chain"
            )),
            Some(row) if manifest_hash(&row.manifest) != *hash => v.problems.push(format!(
                "历史被改写 manifest #{seq} differs from the published log: now {}, published {hash}",
                manifest_hash(&row.manifest)
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

fn check_bodies(store: &Store, v: &mut Verification) -> Result<()> {
    for sha in store.verify_bodies()? {
        v.bodies_bad += 1;
        let users: Vec<String> = store
            .body_users(&sha)?
            .iter()
            .map(|(f, r)| format!("fetch #{f} (run {r})"))
            .collect();
        v.problems.push(format!(
            "内容被改动 body altered: sha256 {sha} no longer matches its bytes; cited by {}",
            if users.is_empty() {
                "no fetch".to_owned()
            } else {
                users.join(", ")
            }
        ));
    }
    for (fetch, run, sha) in store.missing_bodies()? {
        v.problems.push(format!(
            "内容缺失 body missing: sha256 {sha} of fetch #{fetch} (run {run}) is not stored"
        ));
    }
    Ok(())
}

/// Hashes, signatures and chain links; returns the manifests that parse, by row position.
fn check_chain(
    rows: &[ManifestRow],
    trusted: Option<&PublicKey>,
    v: &mut Verification,
) -> Vec<Option<Manifest>> {
    let mut parsed = Vec::with_capacity(rows.len());
    let mut prev_hash = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    for row in rows {
        let s = row.seq;
        let hash = manifest_hash(&row.manifest);
        if hash != row.hash {
            v.problems.push(format!(
                "清单被改动 manifest #{s} edited: its bytes hash to {hash}, stored hash {}",
                row.hash
            ));
        }
        if s != expected_seq {
            v.problems.push(format!(
                "清单缺失或顺序被改 manifest chain broken: expected #{expected_seq}, found #{s} (manifests removed or reordered)"
            ));
        }
        let m = Manifest::parse(&row.manifest);
        match &m {
            None => v.problems.push(format!(
                "清单无法解析 manifest #{s} is not a canonical gongkai manifest"
            )),
            Some(m) => {
                check_signature(row, m, trusted, v);
                if m.seq != s.max(0) as u64 {
                    v.problems.push(format!(
                        "清单顺序被改 manifest stored as #{s} says it is #{}: manifests reordered",
                        m.seq
                    ));
                }
                if m.prev != prev_hash {
                    v.problems.push(format!(
                        "链接断开 chain broken at manifest #{s}: it follows {}, but the manifest before it hashes to {prev_hash} (a manifest was removed, inserted or reordered)",
                        m.prev
                    ));
                }
                if m.run.id != row.run_id {
                    v.problems.push(format!(
                        "清单 #{s} 属于运行 {} 却登记在运行 {} (manifest's run id edited)",
                        m.run.id, row.run_id
                    ));
                }
            }
        }
        prev_hash = hash;
        expected_seq = s + 1;
        parsed.push(m);
    }
    parsed
}

fn check_signature(
    row: &ManifestRow,
    m: &Manifest,
    trusted: Option<&PublicKey>,
    v: &mut Verification,
) {
    let sealed = SealedManifest {
        bytes: row.manifest.clone(),
        hash: row.hash.clone(),
        signature: row.signature.clone(),
    };
    let own = PublicKey::from_hex(&m.public_key).ok();
    let key = trusted.or(own.as_ref());
    let Some(key) = key else {
        v.problems.push(format!(
            "清单 #{} 公钥无效 (manifest names no valid key)",
            row.seq
        ));
        return;
    };
    if sealed.signed_by(key) {
        return;
    }
    let by_own = own.is_some_and(|k| Some(&k) != trusted && sealed.signed_by(&k));
    if by_own {
        v.problems.push(format!(
            "签名密钥不符 manifest #{} re-signed with another key {} (trusted key {})",
            row.seq,
            m.public_key,
            key.to_hex()
        ));
    } else {
        v.problems.push(format!(
            "签名无效 manifest #{}: signature does not verify under key {}",
            row.seq,
            key.to_hex()
        ));
    }
}

/// Each sealed run against its newest manifest; completed runs without any seal.
fn check_runs(
    store: &Store,
    rows: &[ManifestRow],
    parsed: &[Option<Manifest>],
    v: &mut Verification,
) -> Result<()> {
    let mut latest: BTreeMap<i64, (i64, &Manifest)> = BTreeMap::new();
    for (row, m) in rows.iter().zip(parsed) {
        if let Some(m) = m {
            latest.insert(m.run.id, (row.seq, m));
        }
    }
    let sealed_runs: BTreeSet<i64> = rows
        .iter()
        .map(|r| r.run_id)
        .chain(latest.keys().copied())
        .collect();
    for run in store.runs()? {
        if matches!(run.status, RunStatus::Completed | RunStatus::Partial)
            && !sealed_runs.contains(&run.id)
        {
            v.problems.push(format!(
                "运行 {} 已完成但未封存 run {} completed but not sealed (added after sealing, or from before sealing: `gongkai evidence seal`)",
                run.id, run.id
            ));
        }
    }
    for (&run_id, &(seq, m)) in &latest {
        let Some(run) = store.run(run_id)? else {
            v.problems.push(format!(
                "运行被删除 run {run_id} (sealed by manifest #{seq}) is missing from the database"
            ));
            continue;
        };
        v.runs += 1;
        check_meta(&run_meta(&run), seq, m, &latest, v);
        let trees = RunTrees::load(store, run_id)?;
        v.fetches += trees.fetches.len();
        v.findings += trees.findings.len();
        let ctx = TreeCheck { store, seq, run_id };
        ctx.compare(Tree::Fetch, &m.fetches, &trees.fetches, v)?;
        ctx.compare(Tree::Finding, &m.findings, &trees.findings, v)?;
    }
    Ok(())
}

fn meta_fields(meta: &gongkai_evidence::RunMeta) -> BTreeMap<String, serde_json::Value> {
    match serde_json::to_value(meta) {
        Ok(serde_json::Value::Object(map)) => map.into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

fn check_meta(
    now: &gongkai_evidence::RunMeta,
    seq: i64,
    m: &Manifest,
    latest: &BTreeMap<i64, (i64, &Manifest)>,
    v: &mut Verification,
) {
    if now == &m.run {
        return;
    }
    let (a, b) = (meta_fields(now), meta_fields(&m.run));
    let changed: Vec<&str> = b
        .iter()
        .filter(|(k, val)| a.get(*k) != Some(val))
        .map(|(k, _)| k.as_str())
        .collect();
    // Does this run now carry another sealed run's metadata (ids swapped)?
    let without_id = |mut f: BTreeMap<String, serde_json::Value>| {
        f.remove("id");
        f
    };
    let now_rest = without_id(a.clone());
    let moved = latest
        .iter()
        .find(|(id, (_, other))| **id != now.id && without_id(meta_fields(&other.run)) == now_rest);
    match moved {
        Some((other_id, (other_seq, _))) => v.problems.push(format!(
            "运行顺序被改 run {} now holds run {other_id} as sealed by manifest #{other_seq}: runs reordered or swapped",
            now.id
        )),
        None => v.problems.push(format!(
            "运行记录被改动 run {} differs from manifest #{seq} in: {}",
            now.id,
            changed.join(", ")
        )),
    }
}

/// Changed rows named per tree and run before the rest is only counted.
const MAX_NAMED: usize = 20;

struct TreeCheck<'a> {
    store: &'a Store,
    seq: i64,
    run_id: i64,
}

impl TreeCheck<'_> {
    fn compare(
        &self,
        tree: Tree,
        head: &TreeHead,
        now: &[Leaf],
        v: &mut Verification,
    ) -> Result<()> {
        if TreeHead::of(now) == *head {
            return Ok(());
        }
        let (run, seq) = (self.run_id, self.seq);
        let what = match tree {
            Tree::Fetch => "抓取记录 fetch records",
            Tree::Finding => "问题 findings",
        };
        let sealed = self.store.sealed_leaves(seq, tree)?;
        let hashes: Vec<Hash> = sealed.iter().map(|(_, h)| *h).collect();
        if sealed.len() as u64 != head.size || hex::encode(merkle::root(&hashes)) != head.root {
            v.problems.push(format!(
                "运行 {run} 的{what}与封存不符 (run {run}: {} root differs from manifest #{seq}; its sealed leaf list was altered too, so the rows cannot be named)",
                tree_name(tree)
            ));
            return Ok(());
        }
        let named = name_changes(tree, run, &sealed, now);
        if named.is_empty() {
            v.problems.push(format!(
                "运行 {run} 的{what}顺序被改 (run {run}: {} order differs from manifest #{seq})",
                tree_name(tree)
            ));
        }
        // Whole runs swapped or rewritten would name every row: the first ones say enough.
        let more = named.len().saturating_sub(MAX_NAMED);
        v.problems.extend(named.into_iter().take(MAX_NAMED));
        if more > 0 {
            v.problems.push(format!(
                "运行 {run} 另有 {more} 处{what}不符 (run {run}: {more} more {} changes not listed)",
                tree_name(tree)
            ));
        }
        Ok(())
    }
}

fn tree_name(tree: Tree) -> &'static str {
    match tree {
        Tree::Fetch => "fetch",
        Tree::Finding => "finding",
    }
}

/// Leaves deleted, inserted or edited, by key (fetch id or fingerprint).
fn name_changes(tree: Tree, run: i64, sealed: &[(String, Hash)], now: &[Leaf]) -> Vec<String> {
    let mut before: BTreeMap<&str, Vec<Hash>> = BTreeMap::new();
    for (k, h) in sealed {
        before.entry(k.as_str()).or_default().push(*h);
    }
    let mut after: BTreeMap<&str, Vec<&Leaf>> = BTreeMap::new();
    for l in now {
        after.entry(l.key.as_str()).or_default().push(l);
    }
    let keys: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    // Fetch ids in numeric order (fingerprints have no numeric reading and keep theirs).
    let mut keys: Vec<&str> = keys.into_iter().collect();
    keys.sort_by_key(|k| (k.parse::<i64>().ok(), *k));
    let mut out = Vec::new();
    for key in keys {
        let b = before.get(key).map(Vec::as_slice).unwrap_or_default();
        let a = after.get(key).map(Vec::as_slice).unwrap_or_default();
        let gone = b
            .iter()
            .filter(|h| !a.iter().any(|l| l.hash == **h))
            .count();
        let new: Vec<&&Leaf> = a.iter().filter(|l| !b.contains(&l.hash)).collect();
        let edited = gone.min(new.len());
        let label = describe(new.first().map(|l| **l));
        let (thing, edit_zh, del_zh, ins_zh) = match tree {
            Tree::Fetch => (
                "fetch #",
                "抓取记录被改动",
                "抓取记录被删除",
                "多出抓取记录",
            ),
            Tree::Finding => ("finding ", "问题被改动", "问题被删除", "多出问题"),
        };
        for _ in 0..edited {
            out.push(format!("{edit_zh} run {run}: {thing}{key} edited{label}"));
        }
        for _ in edited..gone {
            out.push(format!("{del_zh} run {run}: {thing}{key} deleted"));
        }
        for _ in edited..new.len() {
            out.push(format!("{ins_zh} run {run}: {thing}{key} inserted{label}"));
        }
    }
    out
}

/// ` (rule, url)` of a current leaf, for messages.
fn describe(leaf: Option<&Leaf>) -> String {
    let Some(v) = leaf.and_then(|l| serde_json::from_slice::<serde_json::Value>(&l.bytes).ok())
    else {
        return String::new();
    };
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    match (s("rule"), s("url")) {
        (r, u) if !r.is_empty() => format!(" ({r} · {u})"),
        (_, u) if !u.is_empty() => format!(" ({u})"),
        _ => String::new(),
    }
}
