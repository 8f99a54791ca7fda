//! [`Store`]: one SQLite connection with the synchronous read and write API.

use crate::body::{decode, sha256_hex, Compression};
use crate::codes::{method_from_code, purpose_from_code};
use crate::error::{bad_value, json, sql, StoreError};
use crate::schema::{open_ro, open_rw};
use crate::types::{
    FrontierEntry, NewRun, RunInfo, RunStatus, StoredFetch, StoredFinding, Validators, WriterStats,
};
use crate::write::{self, now_rfc3339};
use gongkai_crawl::{FetchOutcome, FetchPurpose, FetchRecord, RedirectHop};
use gongkai_page::PageModel;
use gongkai_rules::{Finding, Severity, Site, SiteLink, SitePage};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A handle on one gongkai database. Not `Sync`: one per thread (open another for another
/// thread; WAL lets readers run beside the writer).
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

const RUN_COLS: &str = "id, site, start_urls, settings, tool_version, rules_version, config_hash, \
     as_of, started_at, finished_at, status, outcome_counts, pages_fetched, checked_at";

const FETCH_COLS: &str = "id, run_id, request_key, url, method, request_body, purpose, depth, \
     outcome, status, final_url, redirects, headers, content_type, charset, etag, last_modified, \
     fetched_at, elapsed_ms, body_sha256, body_truncated, not_modified, error, title, attempts, \
     model, extractor_version";

/// A `runs` row with JSON and codes still as text.
struct RawRun {
    id: i64,
    site: String,
    start_urls: String,
    settings: String,
    tool_version: String,
    rules_version: Option<String>,
    config_hash: Option<String>,
    as_of: String,
    started_at: String,
    finished_at: Option<String>,
    status: String,
    outcome_counts: Option<String>,
    pages_fetched: Option<i64>,
    checked_at: Option<String>,
}

impl RawRun {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawRun {
            id: r.get(0)?,
            site: r.get(1)?,
            start_urls: r.get(2)?,
            settings: r.get(3)?,
            tool_version: r.get(4)?,
            rules_version: r.get(5)?,
            config_hash: r.get(6)?,
            as_of: r.get(7)?,
            started_at: r.get(8)?,
            finished_at: r.get(9)?,
            status: r.get(10)?,
            outcome_counts: r.get(11)?,
            pages_fetched: r.get(12)?,
            checked_at: r.get(13)?,
        })
    }

    fn into_info(self, path: &Path) -> Result<RunInfo, StoreError> {
        const OP: &str = "read run";
        let status = RunStatus::from_code(&self.status)
            .ok_or_else(|| bad_value(path, OP, "runs.status", &self.status))?;
        let outcome_counts = match &self.outcome_counts {
            Some(s) => serde_json::from_str(s).map_err(json(path, "read runs.outcome_counts"))?,
            None => BTreeMap::new(),
        };
        Ok(RunInfo {
            id: self.id,
            site: self.site,
            start_urls: serde_json::from_str(&self.start_urls)
                .map_err(json(path, "read runs.start_urls"))?,
            settings: serde_json::from_str(&self.settings)
                .map_err(json(path, "read runs.settings"))?,
            tool_version: self.tool_version,
            rules_version: self.rules_version,
            config_hash: self.config_hash,
            as_of: self.as_of,
            started_at: self.started_at,
            finished_at: self.finished_at,
            status,
            outcome_counts,
            pages_fetched: self.pages_fetched.map(|n| n.max(0) as u64),
            checked_at: self.checked_at,
        })
    }
}

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
        })
    }

    fn into_stored(self, path: &Path) -> Result<StoredFetch, StoreError> {
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
        let model = parse_model(self.id, self.model.as_deref());
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

fn clamp_u32(n: i64) -> u32 {
    n.clamp(0, i64::from(u32::MAX)) as u32
}

/// Parses a stored page model. A model written by an older extractor that no longer parses is
/// treated as missing (and logged): `check` re-extracts it from the stored body.
fn parse_model(fetch_id: i64, text: Option<&str>) -> Option<PageModel> {
    let text = text?;
    match serde_json::from_str(text) {
        Ok(m) => Some(m),
        Err(e) => {
            tracing::warn!(fetch_id, error = %e, "stored page model does not parse; ignoring it");
            None
        }
    }
}

impl Store {
    /// Opens the database at `path` for reading and writing, creating it (and its directory)
    /// when missing and migrating it to [`crate::SCHEMA_VERSION`]. Refuses (without touching
    /// the file) a database whose schema is newer than this build knows.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            conn: open_rw(path)?,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing, migrated database read-only (reports, readers while a scan writes).
    pub fn open_readonly(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            conn: open_ro(path)?,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for ad-hoc read queries (reports).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn tx(&self, op: &'static str) -> Result<rusqlite::Transaction<'_>, StoreError> {
        rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(sql(&self.path, op))
    }

    fn commit(&self, tx: rusqlite::Transaction<'_>, op: &'static str) -> Result<(), StoreError> {
        tx.commit().map_err(sql(&self.path, op))
    }

    // ---- runs ---------------------------------------------------------------------------------

    /// Inserts a new run with status `running`; returns its id.
    pub fn begin_run(&self, info: &NewRun) -> Result<i64, StoreError> {
        let p = &self.path;
        let start_urls =
            serde_json::to_string(&info.start_urls).map_err(json(p, "encode start_urls"))?;
        let settings = if info.settings.is_null() {
            "{}".to_owned()
        } else {
            serde_json::to_string(&info.settings).map_err(json(p, "encode settings"))?
        };
        self.conn
            .execute(
                "INSERT INTO runs (site, start_urls, settings, tool_version, rules_version,
                                   config_hash, as_of, started_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running')",
                params![
                    info.site,
                    start_urls,
                    settings,
                    info.tool_version,
                    info.rules_version,
                    info.config_hash,
                    info.as_of,
                    now_rfc3339(),
                ],
            )
            .map_err(sql(p, "begin run"))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// One run by id.
    pub fn run(&self, run_id: i64) -> Result<Option<RunInfo>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {RUN_COLS} FROM runs WHERE id = ?1"))
            .map_err(sql(&self.path, "prepare run lookup"))?
            .query_row([run_id], RawRun::from_row)
            .optional()
            .map_err(sql(&self.path, "read run"))?;
        raw.map(|r| r.into_info(&self.path)).transpose()
    }

    fn runs_where(&self, clause: &str, op: &'static str) -> Result<Vec<RunInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {RUN_COLS} FROM runs r {clause}"))
            .map_err(sql(&self.path, op))?;
        let raws = stmt
            .query_map([], RawRun::from_row)
            .map_err(sql(&self.path, op))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, op))?;
        raws.into_iter().map(|r| r.into_info(&self.path)).collect()
    }

    /// All runs, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, StoreError> {
        self.runs_where("ORDER BY id", "list runs")
    }

    /// The newest completed run.
    pub fn latest_completed_run(&self) -> Result<Option<RunInfo>, StoreError> {
        Ok(self
            .runs_where(
                "WHERE status = 'completed' ORDER BY id DESC LIMIT 1",
                "latest completed run",
            )?
            .pop())
    }

    /// The newest run that is not completed (`running` after a crash, or `interrupted`) and has
    /// no completed run of the same site after it: the run a `--resume` continues.
    pub fn latest_unfinished_run(&self) -> Result<Option<RunInfo>, StoreError> {
        Ok(self
            .runs_where(
                "WHERE status <> 'completed' AND NOT EXISTS (
                     SELECT 1 FROM runs c
                     WHERE c.site = r.site AND c.status = 'completed' AND c.id > r.id)
                 ORDER BY id DESC LIMIT 1",
                "latest unfinished run",
            )?
            .pop())
    }

    /// Marks a run `running` again (resume), clearing `finished_at`.
    pub fn resume_run(&self, run_id: i64) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?1",
                [run_id],
            )
            .map_err(sql(&self.path, "resume run"))?;
        self.expect_run(n, run_id, "resume run")
    }

    fn expect_run(&self, changed: usize, run_id: i64, op: &'static str) -> Result<(), StoreError> {
        if changed == 0 {
            return Err(StoreError::RunNotFound {
                path: self.path.clone(),
                op,
                run_id,
            });
        }
        Ok(())
    }

    /// Sets the run's status and computes its counts (`outcome_counts` over all fetch rows,
    /// `pages_fetched` = fetch rows with purpose `crawl`). `finished_at` is set when the status is
    /// `completed`, and cleared otherwise.
    pub fn finish_run(&self, run_id: i64, status: RunStatus) -> Result<(), StoreError> {
        let p = &self.path;
        let tx = self.tx("finish run: begin")?;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT outcome, count(*) FROM fetches WHERE run_id = ?1 GROUP BY outcome",
                )
                .map_err(sql(p, "finish run: count outcomes"))?;
            let rows = stmt
                .query_map([run_id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })
                .map_err(sql(p, "finish run: count outcomes"))?;
            for row in rows {
                let (outcome, n) = row.map_err(sql(p, "finish run: count outcomes"))?;
                counts.insert(outcome, n.max(0) as u64);
            }
        }
        let pages: i64 = tx
            .query_row(
                "SELECT count(*) FROM fetches WHERE run_id = ?1 AND purpose = 'crawl'",
                [run_id],
                |r| r.get(0),
            )
            .map_err(sql(p, "finish run: count pages"))?;
        let counts = serde_json::to_string(&counts).map_err(json(p, "encode outcome_counts"))?;
        let finished_at = (status == RunStatus::Completed).then(now_rfc3339);
        let n = tx
            .execute(
                "UPDATE runs SET status = ?2, finished_at = ?3, outcome_counts = ?4,
                                 pages_fetched = ?5
                 WHERE id = ?1",
                params![run_id, status.as_str(), finished_at, counts, pages],
            )
            .map_err(sql(p, "finish run: update"))?;
        self.expect_run(n, run_id, "finish run")?;
        self.commit(tx, "finish run: commit")
    }

    /// Records the rule-pack version used by the latest `check` of a run.
    pub fn set_rules_version(&self, run_id: i64, rules_version: &str) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE runs SET rules_version = ?2 WHERE id = ?1",
                params![run_id, rules_version],
            )
            .map_err(sql(&self.path, "set rules version"))?;
        self.expect_run(n, run_id, "set rules version")
    }

    // ---- frontier -----------------------------------------------------------------------------

    /// Entries still `queued` in the run, in the order they were first queued (for resume).
    pub fn frontier_pending(&self, run_id: i64) -> Result<Vec<FrontierEntry>, StoreError> {
        const OP: &str = "read pending frontier";
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT url, method, request_body, purpose, depth, parent FROM frontier
                 WHERE run_id = ?1 AND state = 'queued' ORDER BY id",
            )
            .map_err(sql(p, OP))?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(sql(p, OP))?;
        let mut out = Vec::new();
        for row in rows {
            let (url, method, request_body, purpose, depth, parent) = row.map_err(sql(p, OP))?;
            out.push(FrontierEntry {
                url,
                method: method_from_code(&method)
                    .ok_or_else(|| bad_value(p, OP, "frontier.method", &method))?,
                request_body,
                purpose: purpose_from_code(&purpose)
                    .ok_or_else(|| bad_value(p, OP, "frontier.purpose", &purpose))?,
                depth: clamp_u32(depth),
                parent,
            });
        }
        Ok(out)
    }

    /// Request keys of every entry ever queued in the run (the crawler's "seen" set).
    pub fn frontier_seen(&self, run_id: i64) -> Result<Vec<String>, StoreError> {
        const OP: &str = "read frontier keys";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT request_key FROM frontier WHERE run_id = ?1 ORDER BY id")
            .map_err(sql(&self.path, OP))?;
        let keys = stmt
            .query_map([run_id], |r| r.get(0))
            .map_err(sql(&self.path, OP))?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(sql(&self.path, OP));
        keys
    }

    /// Direct (unbatched) enqueue, in its own transaction. The crawler uses [`crate::StoreWriter`].
    pub fn enqueue(
        &self,
        run_id: i64,
        entries: &[FrontierEntry],
    ) -> Result<WriterStats, StoreError> {
        let mut stats = WriterStats::default();
        let tx = self.tx("enqueue: begin")?;
        write::enqueue(&tx, &self.path, run_id, entries, &mut stats, None)?;
        self.commit(tx, "enqueue: commit")?;
        stats.transactions = 1;
        Ok(stats)
    }

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
        let id = write::record(&tx, &self.path, run_id, record, &mut stats, None)?;
        self.commit(tx, "record: commit")?;
        Ok(id)
    }

    // ---- fetches and bodies -------------------------------------------------------------------

    /// Validators for a conditional request: from the latest stored, complete GET of `url` (any
    /// run) that has a body, if that fetch carried an ETag or Last-Modified.
    pub fn validators(&self, url: &str) -> Result<Option<Validators>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT etag, last_modified, body_sha256 FROM fetches
                 WHERE url = ?1 AND method = 'GET' AND body_sha256 IS NOT NULL
                   AND body_truncated = 0 AND (status = 200 OR not_modified = 1)
                 ORDER BY id DESC LIMIT 1",
            )
            .map_err(sql(&self.path, "prepare validators"))?
            .query_row([url], |r| {
                Ok(Validators {
                    etag: r.get(0)?,
                    last_modified: r.get(1)?,
                    body_sha256: r.get(2)?,
                })
            })
            .optional()
            .map_err(sql(&self.path, "read validators"))?;
        Ok(row.filter(|v| v.etag.is_some() || v.last_modified.is_some()))
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
        write::store_body(&self.conn, &self.path, bytes, &mut stats)
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
        raw.map(|r| r.into_stored(&self.path)).transpose()
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
        raw.map(|r| r.into_stored(&self.path)).transpose()
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
        raws.into_iter()
            .map(|r| r.into_stored(&self.path))
            .collect()
    }

    /// Fetch ids of the run whose stored model was made by another extractor version than
    /// `current` (normally `gongkai_page::EXTRACTOR_VERSION`) or no longer parses: what `check`
    /// re-extracts.
    pub fn stale_models(&self, run_id: i64, current: u32) -> Result<Vec<i64>, StoreError> {
        const OP: &str = "find stale models";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, model FROM fetches
                 WHERE run_id = ?1 AND model IS NOT NULL ORDER BY id",
            )
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(sql(&self.path, OP))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, text) = row.map_err(sql(&self.path, OP))?;
            match serde_json::from_str::<PageModel>(&text) {
                Ok(m) if m.extractor_version == current => {}
                _ => out.push(id),
            }
        }
        Ok(out)
    }

    /// Replaces page models after re-extraction (one transaction): the model, its title and
    /// extractor version, and for crawled pages the link rows.
    pub fn update_models(&self, updates: &[(i64, PageModel)]) -> Result<WriterStats, StoreError> {
        let p = &self.path;
        let mut stats = WriterStats::default();
        let tx = self.tx("update models: begin")?;
        for (fetch_id, model) in updates {
            let text = serde_json::to_string(model).map_err(json(p, "encode page model"))?;
            let row: Option<(i64, String)> = tx
                .prepare_cached(
                    "UPDATE fetches SET model = ?2, title = ?3, extractor_version = ?4
                     WHERE id = ?1 RETURNING run_id, purpose",
                )
                .map_err(sql(p, "prepare model update"))?
                .query_row(
                    params![
                        fetch_id,
                        text,
                        model.title,
                        i64::from(model.extractor_version)
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(sql(p, "update model"))?;
            let Some((run_id, purpose)) = row else {
                tracing::warn!(fetch_id, "update_models: no such fetch");
                continue;
            };
            if purpose_from_code(&purpose) == Some(FetchPurpose::Crawl) {
                write::replace_links(&tx, p, run_id, *fetch_id, &model.links, &mut stats)?;
            }
        }
        self.commit(tx, "update models: commit")?;
        stats.transactions = 1;
        Ok(stats)
    }

    // ---- rules input --------------------------------------------------------------------------

    /// Builds the rules' view of a run: pages (purposes `crawl` and `check`), links of crawled
    /// pages, and soft-404 probe answers (purpose `soft-404-probe`).
    pub fn load_site(&self, run_id: i64) -> Result<Site, StoreError> {
        const OP: &str = "load site";
        let p = &self.path;
        let run = self.run(run_id)?.ok_or_else(|| StoreError::RunNotFound {
            path: p.clone(),
            op: OP,
            run_id,
        })?;
        let mut site = Site {
            run_id,
            start_urls: run.start_urls,
            ..Site::default()
        };
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT id, url, final_url, status, outcome, content_type, fetched_at, depth,
                            purpose, model, body_sha256
                     FROM fetches WHERE run_id = ?1 ORDER BY id",
                )
                .map_err(sql(p, OP))?;
            let mut rows = stmt.query([run_id]).map_err(sql(p, OP))?;
            while let Some(r) = rows.next().map_err(sql(p, OP))? {
                let id: i64 = r.get(0).map_err(sql(p, OP))?;
                let outcome: String = r.get(4).map_err(sql(p, OP))?;
                let purpose: String = r.get(8).map_err(sql(p, OP))?;
                let purpose = purpose_from_code(&purpose)
                    .ok_or_else(|| bad_value(p, OP, "fetches.purpose", &purpose))?;
                let model: Option<String> = r.get(9).map_err(sql(p, OP))?;
                let status: Option<i64> = r.get(3).map_err(sql(p, OP))?;
                let depth: i64 = r.get(7).map_err(sql(p, OP))?;
                let page = SitePage {
                    fetch_id: id,
                    url: r.get(1).map_err(sql(p, OP))?,
                    final_url: r.get(2).map_err(sql(p, OP))?,
                    status: status.map(|s| s.clamp(0, i64::from(u16::MAX)) as u16),
                    outcome: FetchOutcome::from_code(&outcome)
                        .ok_or_else(|| bad_value(p, OP, "fetches.outcome", &outcome))?,
                    content_type: r.get(5).map_err(sql(p, OP))?,
                    fetched_at: r.get(6).map_err(sql(p, OP))?,
                    depth: clamp_u32(depth),
                    crawled: purpose == FetchPurpose::Crawl,
                    model: parse_model(id, model.as_deref()),
                    body_sha256: r.get(10).map_err(sql(p, OP))?,
                };
                match purpose {
                    FetchPurpose::Soft404Probe => site.soft404_probes.push(page),
                    FetchPurpose::Crawl | FetchPurpose::Check => site.pages.push(page),
                }
            }
        }
        // Links of crawled pages: the `links` rows are written from `model.links` (and rewritten
        // by `update_models`), so they are taken from the models already loaded.
        let links = site
            .pages
            .iter()
            .filter(|p| p.crawled)
            .filter_map(|p| p.model.as_ref().map(|m| (p, m)))
            .flat_map(|(p, m)| {
                m.links.iter().map(move |l| SiteLink {
                    source_url: p.url.clone(),
                    target_url: l.url.clone(),
                    kind: l.kind,
                    element: l.element.clone(),
                    anchor: l.anchor.clone(),
                })
            })
            .collect();
        site.links = links;
        Ok(site)
    }

    // ---- findings -----------------------------------------------------------------------------

    /// Replaces all findings of a run in one transaction and stamps `runs.checked_at`.
    /// A `fetch_id` of `Some(0)` or less (tests build sites with id 0) is stored as NULL.
    pub fn replace_findings(&self, run_id: i64, findings: &[Finding]) -> Result<(), StoreError> {
        let p = &self.path;
        let tx = self.tx("replace findings: begin")?;
        let n = tx
            .execute(
                "UPDATE runs SET checked_at = ?2 WHERE id = ?1",
                params![run_id, now_rfc3339()],
            )
            .map_err(sql(p, "replace findings: stamp run"))?;
        self.expect_run(n, run_id, "replace findings")?;
        tx.execute("DELETE FROM findings WHERE run_id = ?1", [run_id])
            .map_err(sql(p, "replace findings: delete"))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO findings (run_id, rule, severity, url, target, department,
                                           ledger, message, evidence, fingerprint, fetch_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(sql(p, "replace findings: prepare"))?;
            for f in findings {
                let ledger = serde_json::to_string(&f.ledger).map_err(json(p, "encode ledger"))?;
                let evidence =
                    serde_json::to_string(&f.evidence).map_err(json(p, "encode evidence"))?;
                stmt.execute(params![
                    run_id,
                    f.rule,
                    f.severity.as_str(),
                    f.url,
                    f.target,
                    f.department,
                    ledger,
                    f.message,
                    evidence,
                    f.fingerprint,
                    f.fetch_id.filter(|id| *id > 0),
                ])
                .map_err(sql(p, "replace findings: insert"))?;
            }
        }
        self.commit(tx, "replace findings: commit")
    }

    /// Findings of a run in insertion order.
    pub fn findings(&self, run_id: i64) -> Result<Vec<StoredFinding>, StoreError> {
        const OP: &str = "read findings";
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, rule, severity, url, target, department, ledger, message, evidence,
                        fingerprint, fetch_id
                 FROM findings WHERE run_id = ?1 ORDER BY id",
            )
            .map_err(sql(p, OP))?;
        type Row = (
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
            String,
            String,
            Option<i64>,
        );
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })
            .map_err(sql(p, OP))?
            .collect::<rusqlite::Result<Vec<Row>>>()
            .map_err(sql(p, OP))?;
        rows.into_iter()
            .map(
                |(id, rule, sev, url, target, department, ledger, message, evidence, fp, fid)| {
                    let severity = match sev.as_str() {
                        "notice" => Severity::Notice,
                        "warning" => Severity::Warning,
                        "error" => Severity::Error,
                        _ => return Err(bad_value(p, OP, "findings.severity", sev)),
                    };
                    Ok(StoredFinding {
                        id,
                        run_id,
                        finding: Finding {
                            rule,
                            severity,
                            url,
                            target,
                            department,
                            ledger: serde_json::from_str(&ledger)
                                .map_err(json(p, "read findings.ledger"))?,
                            message,
                            evidence: serde_json::from_str(&evidence)
                                .map_err(json(p, "read findings.evidence"))?,
                            fingerprint: fp,
                            fetch_id: fid,
                        },
                    })
                },
            )
            .collect()
    }
}
