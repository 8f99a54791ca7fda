//! Runs: begin, resume, finish and list scans (`runs` table).

use super::Store;
use crate::error::{bad_value, json, sql, StoreError};
use crate::types::{NewRun, RunInfo, RunStatus};
use crate::write::now_rfc3339;
use gongkai_core::{Coverage, CutReason, Unreadable};
use rusqlite::{params, OptionalExtension, Row};
use std::collections::BTreeMap;
use std::path::Path;

const RUN_COLS: &str = "id, site, start_urls, settings, tool_version, rules_version, config_hash, \
     as_of, started_at, finished_at, status, outcome_counts, pages_fetched, checked_at, coverage, \
     degraded, unconfirmed";

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
    coverage: Option<String>,
    degraded: Option<String>,
    unconfirmed: Option<i64>,
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
            coverage: r.get(14)?,
            degraded: r.get(15)?,
            unconfirmed: r.get(16)?,
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
            coverage: self
                .coverage
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(json(path, "read runs.coverage"))?,
            degraded: self.degraded,
            unconfirmed: self.unconfirmed.map(|n| n.max(0) as u64),
        })
    }
}

impl Store {
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

    /// The newest run that is not finished (`running` after a crash, or `interrupted`) and has
    /// no finished (completed or partial) run of the same site after it: the run a `--resume`
    /// continues.
    pub fn latest_unfinished_run(&self) -> Result<Option<RunInfo>, StoreError> {
        Ok(self
            .runs_where(
                "WHERE status IN ('running', 'interrupted') AND NOT EXISTS (
                     SELECT 1 FROM runs c
                     WHERE c.site = r.site AND c.status IN ('completed', 'partial')
                       AND c.id > r.id)
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

    /// Sets the run's status and computes its counts (`outcome_counts` over all fetch rows,
    /// `pages_fetched` = fetch rows with purpose `crawl`). `finished_at` is set when the status is
    /// `completed` or `partial`, and cleared otherwise. The coverage is recorded too.
    pub fn finish_run(&self, run_id: i64, status: RunStatus) -> Result<(), StoreError> {
        self.finish_run_with(run_id, status, None)
    }

    /// [`Store::finish_run`] with the tally [`Store::record_coverage`] took after the crawl,
    /// when nothing it counts has changed since (a scan's rules change no fetch, cut or frontier
    /// row): counting again read every fetch row once more.
    pub fn finish_run_with(
        &self,
        run_id: i64,
        status: RunStatus,
        tally: Option<&RunTally>,
    ) -> Result<(), StoreError> {
        let p = &self.path;
        let tx = self.tx("finish run: begin")?;
        let counted;
        let tally = match tally {
            Some(t) => t,
            None => {
                counted = tally_in(&tx, p, run_id)?;
                &counted
            }
        };
        let counts = serde_json::to_string(&tally.outcome_counts)
            .map_err(json(p, "encode outcome_counts"))?;
        let finished_at =
            matches!(status, RunStatus::Completed | RunStatus::Partial).then(now_rfc3339);
        let coverage =
            serde_json::to_string(&tally.coverage).map_err(json(p, "encode coverage"))?;
        let n = tx
            .execute(
                "UPDATE runs SET status = ?2, finished_at = ?3, outcome_counts = ?4,
                                 pages_fetched = ?5, coverage = ?6
                 WHERE id = ?1",
                params![
                    run_id,
                    status.as_str(),
                    finished_at,
                    counts,
                    tally.pages as i64,
                    coverage
                ],
            )
            .map_err(sql(p, "finish run: update"))?;
        self.expect_run(n, run_id, "finish run")?;
        self.commit(tx, "finish run: commit")
    }

    /// Computes the run's coverage from what is stored (crawl fetches, URLs not crawled by
    /// reason, pages not readable) and records it in `runs.coverage`. A scan calls this before
    /// evaluating the rules, so that a partial crawl is known to be partial.
    /// What it returns also holds the counts [`Store::finish_run_with`] stores.
    pub fn record_coverage(&self, run_id: i64) -> Result<RunTally, StoreError> {
        let p = &self.path;
        let tally = tally_in(&self.conn, p, run_id)?;
        let text = serde_json::to_string(&tally.coverage).map_err(json(p, "encode coverage"))?;
        let n = self
            .conn
            .execute(
                "UPDATE runs SET coverage = ?2 WHERE id = ?1",
                params![run_id, text],
            )
            .map_err(sql(p, "record coverage"))?;
        self.expect_run(n, run_id, "record coverage")?;
        Ok(tally)
    }

    /// URLs of a run that were not crawled for `reason`, with the page each was found on,
    /// oldest first (at most `limit`).
    pub fn cut_urls(
        &self,
        run_id: i64,
        reason: CutReason,
        limit: usize,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        const OP: &str = "list cut urls";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT url, parent FROM cut_urls WHERE run_id = ?1 AND reason = ?2
                 ORDER BY id LIMIT ?3",
            )
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map(
                params![run_id, reason.code(), limit.min(i64::MAX as usize) as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(sql(&self.path, OP))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP));
        rows
    }

    /// Marks a run degraded (运行异常) with the reason, or healthy with `None`.
    pub fn set_degraded(&self, run_id: i64, reason: Option<&str>) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE runs SET degraded = ?2 WHERE id = ?1",
                params![run_id, reason],
            )
            .map_err(sql(&self.path, "set degraded"))?;
        self.expect_run(n, run_id, "set degraded")
    }

    /// Records how many broken links the run held back as 待确认.
    pub fn set_unconfirmed(&self, run_id: i64, n: u64) -> Result<(), StoreError> {
        let n_rows = self
            .conn
            .execute(
                "UPDATE runs SET unconfirmed = ?2 WHERE id = ?1",
                params![run_id, i64::try_from(n).unwrap_or(i64::MAX)],
            )
            .map_err(sql(&self.path, "set unconfirmed"))?;
        self.expect_run(n_rows, run_id, "set unconfirmed")
    }

    /// The newest run of `site` before `before` that saw the whole site (completed, not cut by a
    /// limit, not degraded): the baseline a new run's page count is compared with.
    pub fn baseline_run(&self, site: &str, before: i64) -> Result<Option<RunInfo>, StoreError> {
        const OP: &str = "baseline run";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RUN_COLS} FROM runs WHERE site = ?1 AND id < ?2 AND status = 'completed'
                   AND degraded IS NULL ORDER BY id DESC LIMIT 20"
            ))
            .map_err(sql(&self.path, OP))?;
        let raws = stmt
            .query_map(params![site, before], RawRun::from_row)
            .map_err(sql(&self.path, OP))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))?;
        for raw in raws {
            let run = raw.into_info(&self.path)?;
            if run.complete() {
                return Ok(Some(run));
            }
        }
        Ok(None)
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
}

/// A run's counts from its rows: its coverage and what [`Store::finish_run`] stores beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTally {
    /// Pages fetched, URLs not crawled by reason, pages not readable.
    pub coverage: Coverage,
    /// Fetch rows by outcome code (`runs.outcome_counts`).
    pub outcome_counts: BTreeMap<String, u64>,
    /// Fetch rows with purpose `crawl`, carried ones included (`runs.pages_fetched`).
    pub pages: u64,
}

/// The run's tally from its rows, in one pass over its fetch rows (they are wide: each pass
/// read the whole table, and the end of a scan made five) and one over its cut URLs. A URL cut
/// for one reason but crawled later by another path (a list reached it after the
/// query-variant cap turned it away) is not counted.
fn tally_in(conn: &rusqlite::Connection, p: &Path, run_id: i64) -> Result<RunTally, StoreError> {
    const OP: &str = "compute coverage";
    let mut tally = RunTally::default();
    let cov = &mut tally.coverage;
    {
        // Counted here, not by a GROUP BY: SQLite's sorter takes a 16 MiB buffer for the rows,
        // which the allocator then keeps while the site loads (15 MB more peak RSS at 20,000
        // pages); the groups are a handful.
        let mut groups: Vec<((String, bool, bool, bool), u64)> = Vec::new();
        let mut stmt = conn
            .prepare_cached(concat!(
                // A carried row has no model of its own: it shares its original's, whose
                // `extractor_version` it keeps (NULL when the original had no model either).
                "SELECT outcome, purpose = 'crawl', carried_from IS NULL,
                        model IS NULL AND (carried_from IS NULL OR extractor_version IS NULL)
                 FROM fetches WHERE id IN ",
                run_rows!(),
            ))
            .map_err(sql(p, OP))?;
        let mut rows = stmt.query([run_id]).map_err(sql(p, OP))?;
        while let Some(r) = rows.next().map_err(sql(p, OP))? {
            let outcome = r
                .get_ref(0)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(sql(p, OP))?;
            let flags: (bool, bool, bool) = (
                r.get(1).map_err(sql(p, OP))?,
                r.get(2).map_err(sql(p, OP))?,
                r.get(3).map_err(sql(p, OP))?,
            );
            match groups
                .iter_mut()
                .find(|(k, _)| k.0 == outcome && (k.1, k.2, k.3) == flags)
            {
                Some((_, n)) => *n += 1,
                None => groups.push(((outcome.to_owned(), flags.0, flags.1, flags.2), 1)),
            }
        }
        for ((outcome, crawl, fetched_tonight, no_model), n) in groups {
            if crawl {
                tally.pages += n;
                // Rows carried from an earlier run (incremental nights) were not fetched tonight.
                if fetched_tonight {
                    cov.pages_fetched += n;
                }
                let unreadable = match outcome.as_str() {
                    "too-large" => Some(Unreadable::TooLarge),
                    "blocked" => Some(Unreadable::Blocked),
                    "ok" | "redirected" if no_model => Some(Unreadable::NotHtml),
                    _ => None,
                };
                if let Some(u) = unreadable {
                    *cov.unreadable.entry(u.code().to_owned()).or_insert(0) += n;
                }
            }
            // A run fetches each request key once (UNIQUE (run_id, request_key)): rows are
            // distinct URLs.
            if outcome == "robots-disallowed" {
                *cov.not_fetched
                    .entry(CutReason::Robots.code().to_owned())
                    .or_insert(0) += n;
            }
            *tally.outcome_counts.entry(outcome).or_insert(0) += n;
        }
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.reason, count(*) FROM cut_urls c
             WHERE c.run_id = ?1 AND NOT EXISTS (
                 SELECT 1 FROM frontier f
                 WHERE f.run_id = c.run_id AND f.request_key = c.request_key
                   AND f.purpose = 'crawl')
             GROUP BY c.reason",
        )
        .map_err(sql(p, OP))?;
    let mut rows = stmt.query([run_id]).map_err(sql(p, OP))?;
    while let Some(r) = rows.next().map_err(sql(p, OP))? {
        let reason: String = r.get(0).map_err(sql(p, OP))?;
        let n = r.get::<_, i64>(1).map_err(sql(p, OP))?;
        if n > 0 {
            *cov.not_fetched.entry(reason).or_insert(0) += n as u64;
        }
    }
    Ok(tally)
}
