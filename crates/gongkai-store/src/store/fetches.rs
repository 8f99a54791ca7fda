//! Fetch rows (record, read), stored bodies and conditional-request validators.

use super::links;
use super::{clamp_u32, parse_model, Store};
use crate::body::{decode, sha256_hex, Compression};
use crate::codes::{method_from_code, purpose_from_code};
use crate::error::{bad_value, json, sql, StoreError};
use crate::model_json::with_text;
use crate::types::{FrontierEntry, StoredFetch, Validators, WriterStats};
use crate::write;
use gongkai_core::{FetchOutcome, FetchRecord, RedirectHop};
use rusqlite::{params, OptionalExtension, Row};

const FETCH_COLS: &str = concat!(
    "id, run_id, request_key, url, method, request_body, purpose, depth, outcome, status, \
     final_url, redirects, headers, content_type, charset, etag, last_modified, fetched_at, \
     elapsed_ms, body_sha256, body_truncated, not_modified, error, title, attempts, ",
    model_of!("fetches"),
    ", extractor_version, ",
    text_of!("fetches"),
    ", ",
    links_apart_of!("fetches"),
    ", ",
    link_source_of!("fetches")
);

/// A `fetches` row with JSON and codes still as text.
struct RawFetch {
    id: i64,
    run_id: i64,
    request_key: String,
    url: String,
    method: String,
    request_body: Option<String>,
    purpose: String,
    depth: i64,
    outcome: String,
    status: Option<i64>,
    final_url: String,
    redirects: String,
    headers: String,
    content_type: Option<String>,
    charset: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    fetched_at: String,
    elapsed_ms: i64,
    body_sha256: Option<String>,
    body_truncated: bool,
    not_modified: bool,
    error: Option<String>,
    title: Option<String>,
    attempts: i64,
    model: Option<String>,
    extractor_version: Option<i64>,
    /// The model's text when stored apart from its JSON.
    text: Option<String>,
    /// The model's links are the stored links of fetch `link_source` (schema version 11).
    links_apart: bool,
    link_source: i64,
}

impl RawFetch {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawFetch {
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
            redirects: r.get(11)?,
            headers: r.get(12)?,
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
            title: r.get(23)?,
            attempts: r.get(24)?,
            model: r.get(25)?,
            extractor_version: r.get(26)?,
            text: r.get(27)?,
            links_apart: r.get::<_, Option<bool>>(28)?.unwrap_or(false),
            link_source: r.get(29)?,
        })
    }

    fn into_stored(self, store: &Store) -> Result<StoredFetch, StoreError> {
        let path = &store.path;
        const OP: &str = "read fetch";
        let method = method_from_code(&self.method)
            .ok_or_else(|| bad_value(path, OP, "fetches.method", &self.method))?;
        let purpose = purpose_from_code(&self.purpose)
            .ok_or_else(|| bad_value(path, OP, "fetches.purpose", &self.purpose))?;
        let outcome = FetchOutcome::from_code(&self.outcome)
            .ok_or_else(|| bad_value(path, OP, "fetches.outcome", &self.outcome))?;
        let redirects: Vec<RedirectHop> =
            serde_json::from_str(&self.redirects).map_err(json(path, "read fetches.redirects"))?;
        let headers: Vec<(String, String)> =
            serde_json::from_str(&self.headers).map_err(json(path, "read fetches.headers"))?;
        let mut model = parse_model(self.id, self.model.as_deref(), self.text);
        store.restore_links(model.as_mut(), self.links_apart, self.link_source)?;
        Ok(StoredFetch {
            id: self.id,
            run_id: self.run_id,
            request_key: self.request_key,
            body_sha256: self.body_sha256,
            title: self.title,
            extractor_version: self.extractor_version.map(clamp_u32),
            record: FetchRecord {
                url: self.url,
                method,
                request_body: self.request_body,
                purpose,
                depth: clamp_u32(self.depth),
                outcome,
                status: self.status.map(|s| s.clamp(0, i64::from(u16::MAX)) as u16),
                final_url: self.final_url,
                redirects,
                headers,
                content_type: self.content_type,
                charset: self.charset,
                etag: self.etag,
                last_modified: self.last_modified,
                fetched_at: self.fetched_at,
                elapsed_ms: self.elapsed_ms.max(0) as u64,
                body: None,
                body_truncated: self.body_truncated,
                not_modified: self.not_modified,
                error: self.error,
                model,
                attempts: clamp_u32(self.attempts),
            },
        })
    }
}

impl Store {
    /// Direct (unbatched) write of one fetch record plus the entries it discovered, in one
    /// transaction; returns the fetch id. Same semantics as `StoreCommand::Record`.
    pub fn record(
        &self,
        run_id: i64,
        record: &FetchRecord,
        follow: &[FrontierEntry],
    ) -> Result<i64, StoreError> {
        let mut stats = WriterStats::default();
        let tx = self.tx("record: begin")?;
        write::enqueue(&tx, &self.path, run_id, follow, &mut stats, None)?;
        // The writer moves a model's links out while it serialises it.
        let mut record = record.clone();
        let id = write::record(
            &tx,
            &self.path,
            run_id,
            &mut record,
            None,
            &mut stats,
            write::Caches {
                seen: None,
                defs: &mut write::LinkDefs::new(),
            },
        )?;
        self.commit(tx, "record: commit")?;
        Ok(id)
    }

    /// Whether the database holds any fetch (of any run): a first scan into an empty one has no
    /// earlier answer to ask conditionally about.
    pub fn has_fetches(&self) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT EXISTS (SELECT 1 FROM fetches)", [], |r| r.get(0))
            .map_err(sql(&self.path, "look for fetches"))
    }

    /// Validators for a conditional request: from the latest stored, complete GET of `url` (any
    /// run) that has a body, if that fetch carried an ETag or Last-Modified.
    pub fn validators(&self, url: &str) -> Result<Option<Validators>, StoreError> {
        let row = self
            .conn
            .prepare_cached(concat!(
                "SELECT etag, last_modified, body_sha256, final_url, ",
                model_of!("fetches"),
                ", extractor_version, ",
                text_of!("fetches"),
                ", ",
                links_apart_of!("fetches"),
                ", ",
                link_source_of!("fetches"),
                " FROM fetches
                 WHERE url = ?1 AND method = 'GET' AND body_sha256 IS NOT NULL
                   AND body_truncated = 0 AND (status = 200 OR not_modified = 1)
                 ORDER BY id DESC LIMIT 1"
            ))
            .map_err(sql(&self.path, "prepare validators"))?
            .query_row([url], |r| {
                let text: Option<String> = r.get(6)?;
                let links_apart = r.get::<_, Option<bool>>(7)?.unwrap_or(false);
                let v = Validators {
                    etag: r.get(0)?,
                    last_modified: r.get(1)?,
                    body_sha256: r.get(2)?,
                    final_url: r.get(3)?,
                    model_json: r
                        .get::<_, Option<String>>(4)?
                        .map(|j| with_text(j, text.as_deref())),
                    extractor_version: r.get(5)?,
                    links_of: None,
                };
                Ok((v, links_apart, r.get::<_, i64>(8)?))
            })
            .optional()
            .map_err(sql(&self.path, "read validators"))?;
        let Some((mut v, links_apart, source)) = row else {
            return Ok(None);
        };
        if v.etag.is_none() && v.last_modified.is_none() {
            return Ok(None);
        }
        // The links are read only if the caller takes the model (its version may be stale).
        v.links_of = (links_apart && v.model_json.is_some()).then_some(source);
        Ok(Some(v))
    }

    /// The links of a crawled page stored as rows (see [`Validators::links_of`]), in page order.
    pub fn page_links(&self, fetch_id: i64) -> Result<Vec<gongkai_core::Link>, StoreError> {
        links::link_rows(&self.conn, &self.path, fetch_id)
    }

    /// The exact bytes stored under `sha256` (hex), if present.
    pub fn body(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .conn
            .prepare_cached("SELECT compression, data, raw_len FROM bodies WHERE sha256 = ?1")
            .map_err(sql(&self.path, "prepare body read"))?
            .query_row([sha256], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .optional()
            .map_err(sql(&self.path, "read body"))?;
        let Some((compression, data, raw_len)) = row else {
            return Ok(None);
        };
        let c = Compression::from_code(&compression).ok_or_else(|| {
            bad_value(&self.path, "read body", "bodies.compression", &compression)
        })?;
        decode(c, data, raw_len.max(0) as usize)
            .map(Some)
            .map_err(|message| StoreError::Body {
                path: self.path.clone(),
                sha256: sha256.to_owned(),
                message,
            })
    }

    /// Stores bytes directly (deduplicated); returns the hex sha256.
    pub fn put_body(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let mut stats = WriterStats::default();
        write::store_body(&self.conn, &self.path, bytes, None, &mut stats)
    }

    /// Decodes every stored body and checks its length and sha256; returns the sha256 of each
    /// body that fails.
    pub fn verify_bodies(&self) -> Result<Vec<String>, StoreError> {
        const OP: &str = "verify bodies";
        let p = &self.path;
        let mut bad = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT sha256, compression, data, raw_len FROM bodies ORDER BY sha256")
            .map_err(sql(p, OP))?;
        let mut rows = stmt.query([]).map_err(sql(p, OP))?;
        while let Some(r) = rows.next().map_err(sql(p, OP))? {
            let sha: String = r.get(0).map_err(sql(p, OP))?;
            let compression: String = r.get(1).map_err(sql(p, OP))?;
            let data: Vec<u8> = r.get(2).map_err(sql(p, OP))?;
            let raw_len: i64 = r.get(3).map_err(sql(p, OP))?;
            let ok = Compression::from_code(&compression)
                .and_then(|c| decode(c, data, raw_len.max(0) as usize).ok())
                .is_some_and(|bytes| sha256_hex(&bytes) == sha);
            if !ok {
                bad.push(sha);
            }
        }
        Ok(bad)
    }

    /// One fetch row (for evidence).
    pub fn fetch(&self, fetch_id: i64) -> Result<Option<StoredFetch>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {FETCH_COLS} FROM fetches WHERE id = ?1"))
            .map_err(sql(&self.path, "prepare fetch read"))?
            .query_row([fetch_id], RawFetch::from_row)
            .optional()
            .map_err(sql(&self.path, "read fetch"))?;
        raw.map(|r| r.into_stored(self)).transpose()
    }

    /// The latest fetch of `url` (any method) in a run.
    pub fn fetch_by_url(&self, run_id: i64, url: &str) -> Result<Option<StoredFetch>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {FETCH_COLS} FROM fetches WHERE run_id = ?1 AND url = ?2
                 ORDER BY id DESC LIMIT 1"
            ))
            .map_err(sql(&self.path, "prepare fetch by url"))?
            .query_row(params![run_id, url], RawFetch::from_row)
            .optional()
            .map_err(sql(&self.path, "read fetch by url"))?;
        raw.map(|r| r.into_stored(self)).transpose()
    }

    /// Outcome and error detail of the latest fetch of `url` in a run (e.g. a start URL).
    pub fn start_outcome(
        &self,
        run_id: i64,
        url: &str,
    ) -> Result<Option<(FetchOutcome, Option<String>)>, StoreError> {
        const OP: &str = "read outcome of url";
        let row: Option<(String, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT outcome, error FROM fetches WHERE run_id = ?1 AND url = ?2
                 ORDER BY id DESC LIMIT 1",
            )
            .map_err(sql(&self.path, OP))?
            .query_row(params![run_id, url], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(sql(&self.path, OP))?;
        row.map(|(code, error)| {
            FetchOutcome::from_code(&code)
                .map(|o| (o, error))
                .ok_or_else(|| bad_value(&self.path, OP, "fetches.outcome", code))
        })
        .transpose()
    }

    /// Every fetch row of a run, in insertion order.
    pub fn fetches(&self, run_id: i64) -> Result<Vec<StoredFetch>, StoreError> {
        const OP: &str = "read fetches";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {FETCH_COLS} FROM fetches WHERE run_id = ?1 ORDER BY id"
            ))
            .map_err(sql(&self.path, OP))?;
        let raws = stmt
            .query_map([run_id], RawFetch::from_row)
            .map_err(sql(&self.path, OP))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))?;
        raws.into_iter().map(|r| r.into_stored(self)).collect()
    }
}
