//! The write paths shared by [`crate::Store`] (direct writes) and [`crate::StoreWriter`]
//! (batched writes). Every function here runs inside a transaction opened by the caller.

use crate::body::{encode, sha256_hex, Compression};
use crate::codes::{method_code, purpose_code, serde_code};
use crate::error::{json, sql, StoreError};
pub(crate) use crate::link_defs::{replace_links, LinkDefs};
use crate::types::{record_request_key, FrontierEntry, WriterStats};
use gongkai_core::Link;
use gongkai_core::{FetchPurpose, FetchRecord};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Request keys known to be in the run's frontier (the writer keeps one so that re-sent, already
/// seen entries cost no SQL). Only ever holds keys that are stored or in the open transaction.
///
/// Keys are kept as 128-bit keyed SipHash values (16 bytes instead of the URL): the set holds
/// every request of the run, so strings made it grow by tens of megabytes at 100,000 pages. The
/// hash keys are random per process, so hostile URLs cannot be made to collide; a collision
/// would only skip an INSERT that `ON CONFLICT DO NOTHING` guards anyway.
#[derive(Debug, Default)]
pub(crate) struct SeenKeys {
    hasher: gongkai_core::frontier::KeyHasher,
    set: std::collections::HashSet<u128>,
}

impl SeenKeys {
    fn hash(&self, key: &str) -> u128 {
        self.hasher.key(key)
    }

    pub(crate) fn contains(&self, key: &str) -> bool {
        self.set.contains(&self.hash(key))
    }

    pub(crate) fn insert(&mut self, key: &str) {
        let h = self.hash(key);
        self.set.insert(h);
    }
}

/// Adds entries to the frontier of `run_id`; entries already seen in the run are left as they are.
pub(crate) fn enqueue(
    conn: &Connection,
    path: &Path,
    run_id: i64,
    entries: &[FrontierEntry],
    stats: &mut WriterStats,
    mut seen: Option<&mut SeenKeys>,
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO frontier (run_id, request_key, url, method, request_body, purpose, depth,
                                   parent, link_kind, column_name, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'queued')
             ON CONFLICT (run_id, request_key) DO NOTHING",
        )
        .map_err(sql(path, "prepare frontier insert"))?;
    for e in entries {
        stats.enqueued += 1;
        let key = e.request_key();
        if seen.as_ref().is_some_and(|s| s.contains(&key)) {
            continue;
        }
        let n = stmt
            .execute(params![
                run_id,
                key,
                e.url,
                method_code(e.method),
                e.request_body,
                purpose_code(e.purpose),
                i64::from(e.depth),
                e.parent,
                e.link_kind.as_ref().map(serde_code),
                e.column,
            ])
            .map_err(sql(path, "insert frontier entry"))?;
        stats.frontier_new += n as u64;
        if let Some(seen) = seen.as_deref_mut() {
            seen.insert(&key);
        }
    }
    Ok(())
}

/// Records URLs the crawler found but will not crawl; the first reason recorded for a key wins.
pub(crate) fn cut(
    conn: &Connection,
    path: &Path,
    run_id: i64,
    cut: &[gongkai_core::CutUrl],
) -> Result<(), StoreError> {
    if cut.is_empty() {
        return Ok(());
    }
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO cut_urls (run_id, request_key, url, reason, parent)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (run_id, request_key) DO NOTHING",
        )
        .map_err(sql(path, "prepare cut_urls insert"))?;
    for c in cut {
        stmt.execute(params![run_id, c.key, c.url, c.reason.code(), c.parent])
            .map_err(sql(path, "insert cut url"))?;
    }
    Ok(())
}

/// The part of storing a fetch record that needs no database: the body's sha256 (and, when
/// asked, its compressed form), the model's JSON and the headers' and redirects' JSON. Made on
/// any thread before the record reaches the writer ([`crate::StoreCommand::prepare`]), it leaves
/// the writer thread, the one serial stage of a crawl, only the SQL.
#[derive(Debug)]
pub struct Prepared {
    body: Option<PreparedBody>,
    /// [`crate::model_json::encode`] of the model, links apart as [`record`] stores them.
    model: Option<(String, bool)>,
    redirects: String,
    headers: String,
    /// [`crate::link_defs::link_key`] of each of a crawled page's links, in order.
    link_keys: Option<Vec<u128>>,
}

impl Prepared {
    /// Prepares `rec` (its model's links are moved out and put back while it is serialised).
    /// None when some JSON cannot be made: the writer then does it all, and reports the error.
    pub(crate) fn of(rec: &mut FetchRecord, compress: bool) -> Option<Prepared> {
        let links_apart = rec.purpose == FetchPurpose::Crawl;
        let model = match &mut rec.model {
            Some(m) => Some(crate::model_json::encode(m, links_apart).ok()?),
            None => None,
        };
        Some(Prepared {
            body: rec.body.as_deref().map(|bytes| PreparedBody {
                sha256: sha256_hex(bytes),
                stored: compress.then(|| encode(bytes)),
            }),
            model,
            redirects: serde_json::to_string(&rec.redirects).ok()?,
            headers: serde_json::to_string(&rec.headers).ok()?,
            link_keys: rec.model.as_ref().filter(|_| links_apart).map(|m| {
                let mut buf = Vec::new();
                m.links
                    .iter()
                    .map(|l| crate::link_defs::link_key(l, &mut buf))
                    .collect()
            }),
        })
    }
}

/// A body's sha256, with its stored form when compressed ahead (a body that turns out to be
/// stored already is then compressed for nothing, so rescans do not ask for it).
#[derive(Debug)]
pub(crate) struct PreparedBody {
    sha256: String,
    stored: Option<(Compression, Vec<u8>)>,
}

/// What the writer remembers between records: the run's frontier keys (None for a direct
/// write) and the link definitions it has stored.
pub(crate) struct Caches<'a> {
    pub(crate) seen: Option<&'a mut SeenKeys>,
    pub(crate) defs: &'a mut LinkDefs,
}

/// Stores `bytes` under its sha256 unless already present; returns the hex sha256.
pub(crate) fn store_body(
    conn: &Connection,
    path: &Path,
    bytes: &[u8],
    prepared: Option<PreparedBody>,
    stats: &mut WriterStats,
) -> Result<String, StoreError> {
    let (sha, encoded) = match prepared {
        Some(p) => (p.sha256, p.stored),
        None => (sha256_hex(bytes), None),
    };
    let exists = conn
        .prepare_cached("SELECT 1 FROM bodies WHERE sha256 = ?1")
        .map_err(sql(path, "prepare body lookup"))?
        .query_row([&sha], |_| Ok(()))
        .optional()
        .map_err(sql(path, "look up body"))?
        .is_some();
    if exists {
        stats.bodies_dedup += 1;
        return Ok(sha);
    }
    let (compression, data) = encoded.unwrap_or_else(|| encode(bytes));
    conn.prepare_cached(
        "INSERT OR IGNORE INTO bodies (sha256, raw_len, compression, data, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .map_err(sql(path, "prepare body insert"))?
    .execute(params![
        sha,
        bytes.len() as i64,
        compression.code(),
        data,
        now_rfc3339()
    ])
    .map_err(sql(path, "insert body"))?;
    stats.bodies_new += 1;
    Ok(sha)
}

/// Body of the latest stored fetch of `url` that has one (used when a 304 record comes without
/// the reused body).
fn latest_body_for(
    conn: &Connection,
    path: &Path,
    url: &str,
) -> Result<Option<String>, StoreError> {
    conn.prepare_cached(
        "SELECT body_sha256 FROM fetches
         WHERE url = ?1 AND method = 'GET' AND body_sha256 IS NOT NULL AND body_truncated = 0
         ORDER BY id DESC LIMIT 1",
    )
    .map_err(sql(path, "prepare latest body lookup"))?
    .query_row([url], |r| r.get(0))
    .optional()
    .map_err(sql(path, "look up latest body"))
}

/// Writes one fetch record (upsert on `(run_id, request_key)`, keeping the row id), its body,
/// its links (crawled pages only) and marks its frontier row done. Returns the fetch id.
///
/// A run with a night record (`runs.nights`) marks the row verified on that night as it is
/// written: marking every row after the crawl rewrote each whole row, page model included
/// (3 s of a 20,000-page scan's tail).
pub(crate) fn record(
    conn: &Connection,
    path: &Path,
    run_id: i64,
    rec: &mut FetchRecord,
    prepared: Option<Prepared>,
    stats: &mut WriterStats,
    caches: Caches<'_>,
) -> Result<i64, StoreError> {
    let key = record_request_key(rec);
    let (pre_body, pre_model, pre_json, pre_link_keys) = match prepared {
        Some(p) => (p.body, p.model, Some((p.redirects, p.headers)), p.link_keys),
        None => (None, None, None, None),
    };
    let body_sha256 = match &rec.body {
        Some(bytes) => Some(store_body(conn, path, bytes, pre_body, stats)?),
        None if rec.not_modified => latest_body_for(conn, path, &rec.url)?,
        None => None,
    };
    let (redirects, headers) = match pre_json {
        Some(both) => both,
        None => (
            serde_json::to_string(&rec.redirects).map_err(json(path, "encode redirects"))?,
            serde_json::to_string(&rec.headers).map_err(json(path, "encode headers"))?,
        ),
    };
    // The page's text goes in its own column, out of the model JSON (schema version 10); a
    // crawled page's links are stored apart from it (version 11; as `page_links` since 12).
    let links_apart = rec.purpose == FetchPurpose::Crawl;
    let (model, text_apart) = match (pre_model, &mut rec.model) {
        (Some((j, apart)), Some(_)) => (Some(j), apart),
        (_, Some(m)) => {
            let (j, apart) = crate::model_json::encode(m, links_apart)
                .map_err(json(path, "encode page model"))?;
            (Some(j), apart)
        }
        (_, None) => (None, false),
    };
    let links_apart = links_apart && model.is_some();
    let text = rec
        .model
        .as_ref()
        .filter(|_| text_apart)
        .map(|m| m.text.as_str());
    let title = rec.model.as_ref().map(|m| m.title.as_str());
    let extractor_version = rec.model.as_ref().map(|m| i64::from(m.extractor_version));

    let fetch_id: i64 = conn
        .prepare_cached(
            "INSERT INTO fetches (
                run_id, request_key, url, method, request_body, purpose, depth, outcome, status,
                final_url, redirects, headers, content_type, charset, etag, last_modified,
                fetched_at, elapsed_ms, body_sha256, body_truncated, not_modified, error, title,
                attempts, model, extractor_version, text, links_apart, verified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28,
                     (SELECT json_extract(nights, '$.night') FROM runs WHERE id = ?1))
             ON CONFLICT (run_id, request_key) DO UPDATE SET
                url = excluded.url, method = excluded.method,
                request_body = excluded.request_body, purpose = excluded.purpose,
                depth = excluded.depth, outcome = excluded.outcome, status = excluded.status,
                final_url = excluded.final_url, redirects = excluded.redirects,
                headers = excluded.headers, content_type = excluded.content_type,
                charset = excluded.charset, etag = excluded.etag,
                last_modified = excluded.last_modified, fetched_at = excluded.fetched_at,
                elapsed_ms = excluded.elapsed_ms, body_sha256 = excluded.body_sha256,
                body_truncated = excluded.body_truncated, not_modified = excluded.not_modified,
                error = excluded.error, title = excluded.title, attempts = excluded.attempts,
                model = excluded.model, extractor_version = excluded.extractor_version,
                text = excluded.text, links_apart = excluded.links_apart,
                verified_on = excluded.verified_on
             RETURNING id",
        )
        .map_err(sql(path, "prepare fetch upsert"))?
        .query_row(
            params![
                run_id,
                key,
                rec.url,
                method_code(rec.method),
                rec.request_body,
                purpose_code(rec.purpose),
                i64::from(rec.depth),
                rec.outcome.code(),
                rec.status.map(i64::from),
                rec.final_url,
                redirects,
                headers,
                rec.content_type,
                rec.charset,
                rec.etag,
                rec.last_modified,
                rec.fetched_at,
                i64::try_from(rec.elapsed_ms).unwrap_or(i64::MAX),
                body_sha256,
                rec.body_truncated,
                rec.not_modified,
                rec.error,
                title,
                i64::from(rec.attempts),
                model,
                extractor_version,
                text,
                links_apart,
            ],
            |r| r.get(0),
        )
        .map_err(sql(path, "upsert fetch"))?;

    let links: &[Link] = match (&rec.model, rec.purpose) {
        (Some(m), FetchPurpose::Crawl) => &m.links,
        _ => &[],
    };
    let keys = pre_link_keys.as_deref();
    replace_links(conn, path, fetch_id, links, keys, caches.defs, stats)?;

    conn.prepare_cached(
        "INSERT INTO frontier (run_id, request_key, url, method, request_body, purpose, depth,
                               parent, state, fetch_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, 'done', ?8)
         ON CONFLICT (run_id, request_key) DO UPDATE SET
            state = 'done', fetch_id = excluded.fetch_id",
    )
    .map_err(sql(path, "prepare frontier done"))?
    .execute(params![
        run_id,
        key,
        rec.url,
        method_code(rec.method),
        rec.request_body,
        purpose_code(rec.purpose),
        i64::from(rec.depth),
        fetch_id,
    ])
    .map_err(sql(path, "mark frontier done"))?;
    if let Some(seen) = caches.seen {
        seen.insert(&key);
    }

    stats.records += 1;
    Ok(fetch_id)
}
