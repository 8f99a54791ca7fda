//! Evidence seals: the leaves of a run in canonical form, the chain of signed manifests
//! (`manifests`) and the leaf hashes each one committed to (`sealed_leaves`).
//!
//! Hashing, signing and checking are `gongkai-evidence`'s; this module only reads and writes rows.

use super::Store;
use crate::error::{sql, StoreError};
use gongkai_evidence::{FetchLeaf, FindingLeaf};
use rusqlite::{params, OptionalExtension, Row};
use serde_json::Value;

/// One row of `manifests`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    /// Position in the chain, 1-based.
    pub seq: i64,
    pub run_id: i64,
    /// The exact signed bytes (canonical JSON).
    pub manifest: Vec<u8>,
    /// Hex sha256 of `manifest` as stored.
    pub hash: String,
    /// Hex Ed25519 signature as stored.
    pub signature: String,
    pub sealed_at: String,
}

/// Which tree a sealed leaf belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tree {
    Fetch,
    Finding,
}

impl Tree {
    fn code(self) -> &'static str {
        match self {
            Tree::Fetch => "fetch",
            Tree::Finding => "finding",
        }
    }
}

/// A manifest about to be appended, with the leaves it commits to (in canonical order).
#[derive(Debug, Clone)]
pub struct NewSeal {
    pub run_id: i64,
    pub manifest: Vec<u8>,
    pub hash: String,
    pub signature: String,
    pub sealed_at: String,
    /// `(fetch id, leaf hash)` in canonical order.
    pub fetch_leaves: Vec<(String, [u8; 32])>,
    /// `(fingerprint, leaf hash)` in canonical order.
    pub finding_leaves: Vec<(String, [u8; 32])>,
}

fn manifest_row(r: &Row<'_>) -> rusqlite::Result<ManifestRow> {
    Ok(ManifestRow {
        seq: r.get(0)?,
        run_id: r.get(1)?,
        manifest: r.get::<_, String>(2)?.into_bytes(),
        hash: r.get(3)?,
        signature: r.get(4)?,
        sealed_at: r.get(5)?,
    })
}

/// A JSON column as sealed: its parsed value, or the raw text when it does not parse (so an
/// edit that breaks the JSON still changes the leaf instead of failing the read).
fn json_or_text(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

const MANIFEST_COLS: &str = "seq, run_id, manifest, hash, signature, sealed_at";

impl Store {
    /// The fetch rows of a run as sealed leaves, by fetch id.
    pub fn fetch_leaves(&self, run_id: i64) -> Result<Vec<FetchLeaf>, StoreError> {
        let mut out = Vec::new();
        self.for_each_fetch_leaf(run_id, |f| out.push(f))?;
        Ok(out)
    }

    /// Hands the fetch records of a run to `each` as sealed leaves, in id order, one at a time:
    /// a large run's records (headers included) are never all in memory.
    pub fn for_each_fetch_leaf(
        &self,
        run_id: i64,
        each: impl FnMut(FetchLeaf),
    ) -> Result<(), StoreError> {
        self.for_each_fetch_leaf_in(run_id, i64::MIN..i64::MAX, each)
    }

    /// [`Store::for_each_fetch_leaf`] for the rows whose id is in `ids` (two connections can
    /// then read a run's halves side by side; see [`Store::fetch_id_midpoint`]).
    pub fn for_each_fetch_leaf_in(
        &self,
        run_id: i64,
        ids: std::ops::Range<i64>,
        mut each: impl FnMut(FetchLeaf),
    ) -> Result<(), StoreError> {
        const OP: &str = "read fetch leaves";
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, run_id, request_key, url, method, request_body, purpose, depth,
                        outcome, status, final_url, redirects, headers, content_type, charset,
                        etag, last_modified, fetched_at, elapsed_ms, body_sha256,
                        body_truncated, not_modified, error, attempts
                 FROM fetches WHERE id IN (SELECT id FROM fetches
                                           WHERE run_id = ?1 AND id >= ?2 AND id < ?3)
                 ORDER BY id",
            )
            .map_err(sql(p, OP))?;
        let rows = stmt
            .query_map(params![run_id, ids.start, ids.end], |r| {
                Ok(FetchLeaf {
                    leaf: gongkai_evidence::leaf::FETCH_LEAF_FORMAT.to_owned(),
                    id: r.get(0)?,
                    run_id: r.get(1)?,
                    request_key: r.get(2)?,
                    url: r.get(3)?,
                    method: r.get(4)?,
                    request_body: r.get(5)?,
                    purpose: r.get(6)?,
                    depth: r.get(7)?,
                    outcome: r.get(8)?,
                    status: r.get(9)?,
                    final_url: r.get(10)?,
                    redirects: json_or_text(r.get(11)?),
                    headers: json_or_text(r.get(12)?),
                    content_type: r.get(13)?,
                    charset: r.get(14)?,
                    etag: r.get(15)?,
                    last_modified: r.get(16)?,
                    fetched_at: r.get(17)?,
                    elapsed_ms: r.get(18)?,
                    body_sha256: r.get(19)?,
                    body_truncated: r.get(20)?,
                    not_modified: r.get(21)?,
                    error: r.get(22)?,
                    attempts: r.get(23)?,
                })
            })
            .map_err(sql(p, OP))?;
        for row in rows {
            each(row.map_err(sql(p, OP))?);
        }
        Ok(())
    }

    /// The id that splits run `run_id`'s fetch rows into two halves of (nearly) equal count:
    /// the first row of the second half; None for a run without rows.
    pub fn fetch_id_midpoint(&self, run_id: i64) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT id FROM fetches WHERE run_id = ?1 ORDER BY id LIMIT 1
                 OFFSET (SELECT count(*) / 2 FROM fetches WHERE run_id = ?1)",
                [run_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(&self.path, "split fetch leaves"))
    }

    /// The findings of a run as sealed leaves, each with its row id, in row order.
    pub fn finding_leaves(&self, run_id: i64) -> Result<Vec<(i64, FindingLeaf)>, StoreError> {
        let mut out = Vec::new();
        self.for_each_finding_leaf(run_id, |id, f| out.push((id, f)))?;
        Ok(out)
    }

    /// [`Store::finding_leaves`] one at a time, so a large run's findings need not all be held
    /// (sealing keeps only their hashes).
    pub fn for_each_finding_leaf(
        &self,
        run_id: i64,
        mut each: impl FnMut(i64, FindingLeaf),
    ) -> Result<(), StoreError> {
        const OP: &str = "read finding leaves";
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, run_id, fingerprint, rule, severity, url, target, department, ledger,
                        message, evidence, fetch_id
                 FROM findings WHERE run_id = ?1 ORDER BY id",
            )
            .map_err(sql(p, OP))?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    r.get(0)?,
                    FindingLeaf {
                        leaf: gongkai_evidence::leaf::FINDING_LEAF_FORMAT.to_owned(),
                        run_id: r.get(1)?,
                        fingerprint: r.get(2)?,
                        rule: r.get(3)?,
                        severity: r.get(4)?,
                        url: r.get(5)?,
                        target: r.get(6)?,
                        department: r.get(7)?,
                        ledger: json_or_text(r.get(8)?),
                        message: r.get(9)?,
                        evidence: json_or_text(r.get(10)?),
                        fetch_id: r.get(11)?,
                    },
                ))
            })
            .map_err(sql(p, OP))?;
        for row in rows {
            let (id, leaf) = row.map_err(sql(p, OP))?;
            each(id, leaf);
        }
        Ok(())
    }

    /// Every manifest row, by `seq`.
    pub fn manifests(&self) -> Result<Vec<ManifestRow>, StoreError> {
        const OP: &str = "read manifests";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MANIFEST_COLS} FROM manifests ORDER BY seq"
            ))
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map([], manifest_row)
            .map_err(sql(&self.path, OP))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))
    }

    /// The newest manifest of a run.
    pub fn latest_manifest(&self, run_id: i64) -> Result<Option<ManifestRow>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {MANIFEST_COLS} FROM manifests WHERE run_id = ?1 ORDER BY seq DESC LIMIT 1"
            ))
            .map_err(sql(&self.path, "prepare latest manifest"))?
            .query_row([run_id], manifest_row)
            .optional()
            .map_err(sql(&self.path, "read latest manifest"))
    }

    /// The leaves a manifest committed to, `(key, hash)` in canonical order. A hash that is not
    /// 32 bytes (an edited row) is returned as zeros, which can never match.
    pub fn sealed_leaves(
        &self,
        seq: i64,
        tree: Tree,
    ) -> Result<Vec<(String, [u8; 32])>, StoreError> {
        const OP: &str = "read sealed leaves";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT key, hash FROM sealed_leaves WHERE seq = ?1 AND tree = ?2 ORDER BY idx",
            )
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map(params![seq, tree.code()], |r| {
                let hash: Vec<u8> = r.get(1)?;
                Ok((r.get(0)?, hash.try_into().unwrap_or([0u8; 32])))
            })
            .map_err(sql(&self.path, OP))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))
    }

    /// Appends a manifest to the chain in one transaction. `build` receives the next `seq` and
    /// the hash of the current last manifest (None for the first) and returns the seal, so the
    /// chain cannot fork between reading its end and appending.
    pub fn append_manifest(
        &self,
        build: impl FnOnce(i64, Option<&str>) -> NewSeal,
    ) -> Result<i64, StoreError> {
        let p = &self.path;
        let tx = self.tx("append manifest: begin")?;
        let last: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, hash FROM manifests ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql(p, "append manifest: read chain end"))?;
        let seq = last.as_ref().map_or(1, |(s, _)| s + 1);
        let seal = build(seq, last.as_ref().map(|(_, h)| h.as_str()));
        let text = String::from_utf8(seal.manifest).unwrap_or_default();
        tx.execute(
            "INSERT INTO manifests (seq, run_id, manifest, hash, signature, sealed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                seq,
                seal.run_id,
                text,
                seal.hash,
                seal.signature,
                seal.sealed_at
            ],
        )
        .map_err(sql(p, "append manifest: insert"))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO sealed_leaves (seq, tree, idx, key, hash)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql(p, "append manifest: prepare leaves"))?;
            for (tree, leaves) in [
                (Tree::Fetch, &seal.fetch_leaves),
                (Tree::Finding, &seal.finding_leaves),
            ] {
                for (i, (key, hash)) in leaves.iter().enumerate() {
                    stmt.execute(params![seq, tree.code(), i as i64, key, &hash[..]])
                        .map_err(sql(p, "append manifest: insert leaf"))?;
                }
            }
        }
        self.commit(tx, "append manifest: commit")?;
        Ok(seq)
    }

    /// Fetch rows `(fetch id, run id)` whose body is `sha256`.
    pub fn body_users(&self, sha256: &str) -> Result<Vec<(i64, i64)>, StoreError> {
        const OP: &str = "read body users";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, run_id FROM fetches WHERE body_sha256 = ?1 ORDER BY id")
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql(&self.path, OP))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))
    }

    /// Fetch rows `(fetch id, run id, sha256)` citing a body that is not stored.
    pub fn missing_bodies(&self) -> Result<Vec<(i64, i64, String)>, StoreError> {
        const OP: &str = "read missing bodies";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT f.id, f.run_id, f.body_sha256 FROM fetches f
                 WHERE f.body_sha256 IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.sha256 = f.body_sha256)
                 ORDER BY f.id",
            )
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(sql(&self.path, OP))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))
    }
}
