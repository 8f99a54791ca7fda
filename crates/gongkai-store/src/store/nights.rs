//! Incremental nights (schema v9): what the previous run saw (for tonight's schedule), carrying
//! its unvisited rows forward into tonight's run, and the run's revisit record (`runs.nights`).

use super::{clamp_u32, Store};
use crate::codes::{from_serde_code, method_from_code, purpose_from_code};
use crate::error::{bad_value, json, sql, StoreError};
use crate::types::FrontierEntry;
use gongkai_core::LinkKind;
use rusqlite::{params, OptionalExtension};

/// One request of a previous run, as tonight's schedule needs it.
#[derive(Debug, Clone)]
pub struct PriorRow {
    /// The request as it was queued (parent, link kind and column from its frontier row).
    pub entry: FrontierEntry,
    /// `fetches.request_key`.
    pub request_key: String,
    /// The page model's kind code (`home`, `column-list`, ...), when the row has a model.
    pub kind: Option<String>,
    /// The night (YYYY-MM-DD) the row's answer was last verified.
    pub verified_on: String,
}

/// One item of a previous run's column lists.
#[derive(Debug, Clone)]
pub struct PriorListItem {
    pub url: String,
    pub title: String,
    pub date: Option<String>,
    /// Depth of the list page it was listed on.
    pub depth: u32,
}

/// What carrying forward copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carried {
    /// Carried rows with purpose `crawl` (pages).
    pub pages: u64,
    /// Other carried rows (link targets, attachments).
    pub checks: u64,
    /// Oldest and newest last-verified night of the carried rows.
    pub oldest: Option<String>,
    pub newest: Option<String>,
}

const FETCH_COPY_COLS: &str = "request_key, url, method, request_body, purpose, depth, outcome, \
    status, final_url, redirects, headers, content_type, charset, etag, last_modified, fetched_at, \
    elapsed_ms, body_sha256, body_truncated, not_modified, error, title, attempts, \
    extractor_version";

/// The page model of fetch row `f`: its own, or for a carried row its original's.
const MODEL_OF_F: &str = model_of!("f");

impl Store {
    /// Every request of `run_id` (soft-404 probes aside), with what tonight's schedule needs.
    pub fn night_prior_rows(&self, run_id: i64) -> Result<Vec<PriorRow>, StoreError> {
        const OP: &str = "read previous run for the night schedule";
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT f.url, f.method, f.request_body, f.purpose, f.depth, fr.parent,
                        fr.link_kind, fr.column_name, f.request_key,
                        json_extract({MODEL_OF_F}, '$.kind'),
                        COALESCE(f.verified_on, substr(f.fetched_at, 1, 10))
                 FROM fetches f
                 LEFT JOIN frontier fr ON fr.run_id = f.run_id AND fr.request_key = f.request_key
                 WHERE f.run_id = ?1 AND f.purpose != 'soft-404-probe'
                 ORDER BY f.id"
            ))
            .map_err(sql(p, OP))?;
        let mut rows = stmt.query([run_id]).map_err(sql(p, OP))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql(p, OP))? {
            let get_s = |i: usize| r.get::<_, String>(i).map_err(sql(p, OP));
            let get_o = |i: usize| r.get::<_, Option<String>>(i).map_err(sql(p, OP));
            let method = get_s(1)?;
            let purpose = get_s(3)?;
            let link_kind = get_o(6)?
                .map(|code| {
                    from_serde_code::<LinkKind>(&code)
                        .ok_or_else(|| bad_value(p, OP, "frontier.link_kind", &code))
                })
                .transpose()?;
            let entry = FrontierEntry {
                url: get_s(0)?,
                method: method_from_code(&method)
                    .ok_or_else(|| bad_value(p, OP, "fetches.method", &method))?,
                request_body: get_o(2)?,
                purpose: purpose_from_code(&purpose)
                    .ok_or_else(|| bad_value(p, OP, "fetches.purpose", &purpose))?,
                depth: clamp_u32(r.get::<_, i64>(4).map_err(sql(p, OP))?),
                parent: get_o(5)?,
                link_kind,
                column: get_o(7)?,
            };
            out.push(PriorRow {
                entry,
                request_key: get_s(8)?,
                kind: get_o(9)?,
                verified_on: get_s(10)?,
            });
        }
        Ok(out)
    }

    /// URLs `run_id`'s findings are about: the page and the link target. (A site-wide rule's
    /// evidence fetch is an example page, not a page to watch.)
    pub fn night_finding_urls(&self, run_id: i64) -> Result<Vec<String>, StoreError> {
        const OP: &str = "read finding URLs for the night schedule";
        let mut stmt = self
            .conn
            .prepare(
                "SELECT url FROM findings WHERE run_id = ?1
                 UNION SELECT target FROM findings WHERE run_id = ?1 AND target IS NOT NULL",
            )
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map([run_id], |r| r.get::<_, String>(0))
            .map_err(sql(&self.path, OP))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))
    }

    /// The items of `run_id`'s column list pages (page models of kind `column-list`).
    pub fn night_list_items(&self, run_id: i64) -> Result<Vec<PriorListItem>, StoreError> {
        const OP: &str = "read previous column lists";
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT json_extract(j.value, '$.url'), json_extract(j.value, '$.title'),
                        json_extract(j.value, '$.date'), p.depth
                 FROM (SELECT f.depth, {MODEL_OF_F} AS m FROM fetches f WHERE f.run_id = ?1) p,
                      json_each(p.m, '$.column.items') j
                 WHERE p.m IS NOT NULL
                   AND json_extract(p.m, '$.kind') = 'column-list'
                   AND json_extract(j.value, '$.url') IS NOT NULL"
            ))
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok(PriorListItem {
                    url: r.get(0)?,
                    title: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    date: r.get(2)?,
                    depth: clamp_u32(r.get::<_, i64>(3)?),
                })
            })
            .map_err(sql(&self.path, OP))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))
    }

    /// Completes tonight's run `run_id` from `base_run`: rows fetched tonight are marked verified
    /// on `night`; every request of the base run not made tonight is carried (a fetch row and a
    /// frontier row, `carried_from` naming the original fetch row, `verified_on` kept), so the
    /// rules and reports see the whole site. A carried row shares its original's page model and
    /// links instead of copying them (readers resolve `carried_from`), so a night adds rows, not
    /// the site's pages again. A carried GET that tonight's start pages no longer
    /// reach through the run's links (a page removed from its list and from every page) is
    /// dropped. One transaction.
    pub fn carry_forward(
        &self,
        run_id: i64,
        base_run: i64,
        night: &str,
    ) -> Result<Carried, StoreError> {
        let p = &self.path;
        let tx = self.tx("carry forward: begin")?;
        let step = |sql_text: &str, args: &[&dyn rusqlite::ToSql], op: &'static str| {
            let t = std::time::Instant::now();
            let n = tx.execute(sql_text, args).map_err(sql(p, op));
            tracing::debug!(op, secs = t.elapsed().as_secs_f64(), "carry forward step");
            n
        };
        step(
            "UPDATE fetches SET verified_on = ?2
             WHERE run_id = ?1 AND verified_on IS NULL AND carried_from IS NULL",
            params![run_id, night],
            "carry forward: mark tonight's rows",
        )?;
        step(
            &format!(
                "INSERT INTO fetches (run_id, {FETCH_COPY_COLS}, verified_on, carried_from, model,
                                      text, links_apart)
                 SELECT ?1, {FETCH_COPY_COLS},
                        COALESCE(b.verified_on, substr(b.fetched_at, 1, 10)),
                        COALESCE(b.carried_from, b.id),
                        -- only a model re-extracted on a carried row is its own
                        CASE WHEN b.carried_from IS NULL THEN NULL ELSE b.model END,
                        CASE WHEN b.carried_from IS NULL THEN NULL ELSE b.text END,
                        CASE WHEN b.carried_from IS NULL THEN 0 ELSE b.links_apart END
                 FROM fetches b
                 WHERE b.run_id = ?2 AND b.purpose != 'soft-404-probe'
                   AND NOT EXISTS (SELECT 1 FROM fetches n
                                   WHERE n.run_id = ?1 AND n.request_key = b.request_key)"
            ),
            params![run_id, base_run],
            "carry forward: copy fetch rows",
        )?;
        // A model of its own goes with its links: copied with it when they are stored apart from it
        // (version 11), as the list of their ids (version 12).
        step(
            "INSERT INTO page_links (source_fetch_id, defs)
             SELECT n.id, pl.defs
             FROM fetches n
             JOIN fetches b ON b.run_id = ?2 AND b.request_key = n.request_key
             JOIN page_links pl ON pl.source_fetch_id = b.id
             WHERE n.run_id = ?1 AND n.carried_from IS NOT NULL AND n.model IS NOT NULL
               AND n.links_apart = 1
             ORDER BY n.id",
            params![run_id, base_run],
            "carry forward: copy the links of models of their own",
        )?;
        step(
            "INSERT OR IGNORE INTO frontier (run_id, request_key, url, method, request_body,
                                   purpose, depth, parent, state, fetch_id, link_kind, column_name)
             SELECT ?1, fr.request_key, fr.url, fr.method, fr.request_body, fr.purpose, fr.depth,
                    fr.parent, 'done', n.id, fr.link_kind, fr.column_name
             FROM fetches n JOIN frontier fr ON fr.run_id = ?2 AND fr.request_key = n.request_key
             WHERE n.run_id = ?1 AND n.carried_from IS NOT NULL
               -- A request a crawl limit cut tonight stays counted as not fetched (partial).
               AND NOT EXISTS (SELECT 1 FROM cut_urls c
                               WHERE c.run_id = ?1 AND c.request_key = n.request_key)",
            params![run_id, base_run],
            "carry forward: copy frontier rows",
        )?;
        // Reachable from tonight's start pages through what each page says, tonight's content for
        // pages fetched tonight and the original's for carried ones: its links, and the requests
        // its model asks for beyond links (script pagers, Hanweb dataproxy POSTs, whose batches
        // share the endpoint URL). A carried page no longer reached (removed from every list and
        // page, or the whole site behind a bare home page) is not part of the site any more.
        // CROSS JOIN keeps SQLite's join order (each reached URL, then its row, then its links):
        // left to the planner, it scanned every row of the run for every reached URL (15 s at
        // 1,000 pages). The set goes into a temporary table, read once by the DELETE.
        step(
            "DROP TABLE IF EXISTS temp.night_reach",
            params![],
            "carry forward: reset reach",
        )?;
        step(
            &format!(
                "CREATE TEMP TABLE night_reach AS
                 WITH RECURSIVE reach(url) AS (
                     SELECT url FROM fetches
                     WHERE run_id = ?1 AND carried_from IS NULL AND depth = 0
                       AND purpose = 'crawl'
                     UNION
                     SELECT l.target_url FROM reach r
                     CROSS JOIN fetches f ON f.run_id = ?1 AND f.url = r.url
                     CROSS JOIN page_links pl
                         ON pl.source_fetch_id = COALESCE(f.carried_from, f.id)
                     CROSS JOIN json_each(pl.defs) j
                     CROSS JOIN link_defs l ON l.id = j.value
                     WHERE l.target_url IS NOT NULL
                     UNION
                     SELECT COALESCE(json_extract(j.value, '$.url'),
                                     json_extract(j.value, '$.endpoint'))
                     FROM reach r
                     CROSS JOIN fetches f ON f.run_id = ?1 AND f.url = r.url
                     CROSS JOIN json_each({MODEL_OF_F}, '$.follow') j
                 )
                 SELECT DISTINCT url FROM reach WHERE url IS NOT NULL"
            ),
            params![run_id],
            "carry forward: what tonight's start pages reach",
        )?;
        step(
            "CREATE INDEX temp.night_reach_url ON night_reach(url)",
            params![],
            "carry forward: index reach",
        )?;
        step(
            "DELETE FROM fetches
             WHERE run_id = ?1 AND carried_from IS NOT NULL AND method = 'GET'
               AND url NOT IN (SELECT url FROM temp.night_reach)",
            params![run_id],
            "carry forward: drop rows no longer reached",
        )?;
        step(
            "DROP TABLE temp.night_reach",
            params![],
            "carry forward: drop reach",
        )?;
        let carried = tx
            .query_row(
                "SELECT count(*) FILTER (WHERE purpose = 'crawl'),
                        count(*) FILTER (WHERE purpose != 'crawl'),
                        min(verified_on), max(verified_on)
                 FROM fetches WHERE run_id = ?1 AND carried_from IS NOT NULL",
                [run_id],
                |r| {
                    Ok(Carried {
                        pages: r.get::<_, i64>(0)?.max(0) as u64,
                        checks: r.get::<_, i64>(1)?.max(0) as u64,
                        oldest: r.get(2)?,
                        newest: r.get(3)?,
                    })
                },
            )
            .map_err(sql(p, "carry forward: count"))?;
        self.commit(tx, "carry forward: commit")?;
        Ok(carried)
    }

    /// How many of `run_id`'s fetch rows it fetched itself (its requests), not carried forward.
    pub fn requests_made(&self, run_id: i64) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                concat!(
                    "SELECT count(*) FROM fetches WHERE id IN ",
                    run_rows!(),
                    " AND carried_from IS NULL"
                ),
                [run_id],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(sql(&self.path, "count the run's requests"))
    }

    /// Marks the rows fetched in `run_id` (not carried) as verified on `night` (a full scan).
    pub fn mark_verified(&self, run_id: i64, night: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                concat!(
                    "UPDATE fetches SET verified_on = ?2
                     WHERE id IN ",
                    run_rows!(),
                    " AND verified_on IS NULL AND carried_from IS NULL"
                ),
                params![run_id, night],
            )
            .map_err(sql(&self.path, "mark fetches verified"))?;
        Ok(())
    }

    /// The outcome of `url`'s latest row in `run_id`, and whether that row was carried forward
    /// from an earlier run (then it is that run's verification, not a new one).
    pub fn verified_outcome(
        &self,
        run_id: i64,
        url: &str,
    ) -> Result<Option<(gongkai_core::outcome::FetchOutcome, bool)>, StoreError> {
        const OP: &str = "read outcome and carried mark of url";
        let row: Option<(String, bool)> = self
            .conn
            .prepare_cached(
                "SELECT outcome, carried_from IS NOT NULL FROM fetches
                 WHERE run_id = ?1 AND url = ?2 ORDER BY id DESC LIMIT 1",
            )
            .map_err(sql(&self.path, OP))?
            .query_row(params![run_id, url], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(sql(&self.path, OP))?;
        row.map(|(code, carried)| {
            gongkai_core::outcome::FetchOutcome::from_code(&code)
                .map(|o| (o, carried))
                .ok_or_else(|| bad_value(&self.path, OP, "fetches.outcome", code))
        })
        .transpose()
    }

    /// Records the run's revisit record (`runs.nights`, JSON).
    pub fn set_run_nights(
        &self,
        run_id: i64,
        record: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(record).map_err(json(&self.path, "encode runs.nights"))?;
        self.conn
            .execute(
                "UPDATE runs SET nights = ?2 WHERE id = ?1",
                params![run_id, text],
            )
            .map_err(sql(&self.path, "record runs.nights"))?;
        Ok(())
    }

    /// The run's revisit record, when it has one (incremental and full scans since v9).
    pub fn run_nights(&self, run_id: i64) -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<Option<String>> = self
            .conn
            .query_row("SELECT nights FROM runs WHERE id = ?1", [run_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql(&self.path, "read runs.nights"))?;
        text.flatten()
            .map(|t| serde_json::from_str(&t).map_err(json(&self.path, "read runs.nights")))
            .transpose()
    }

    /// When the page or target a fetch row answered for was last verified, and whether the row
    /// was carried from an earlier run (not fetched in its own run).
    pub fn fetch_verified(&self, fetch_id: i64) -> Result<Option<(String, bool)>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT COALESCE(verified_on, substr(fetched_at, 1, 10)), carried_from IS NOT NULL
                 FROM fetches WHERE id = ?1",
            )
            .map_err(sql(&self.path, "prepare last verified"))?
            .query_row([fetch_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(sql(&self.path, "read last verified"))
    }
}
