//! The rules' input (`load_site`) and stored page models (stale-model lookup, re-extraction).

use super::links::LinkFeed;
use super::texts::StoreTexts;
use super::{clamp_u32, parse_model, Store};
use crate::codes::purpose_from_code;
use crate::error::{bad_value, json, sql, StoreError};
use crate::types::WriterStats;
use crate::write;
use gongkai_core::PageModel;
use gongkai_core::{FetchOutcome, FetchPurpose};
use gongkai_core::{Site, SiteBuilder, SitePage};
use rusqlite::{params, OptionalExtension};
use std::sync::Arc;

/// A row's page model, its original's for a carried row.
const MODEL: &str = model_of!("fetches");
/// The ids of the run's rows, read in id order (see `run_rows!`).
const RUN_ROWS: &str = run_rows!();
/// Its text when stored apart from the model JSON (schema version 10).
const TEXT: &str = text_of!("fetches");
/// Whether its links are stored apart from its model (schema version 11), and the fetch whose.
const LINKS_APART: &str = links_apart_of!("fetches");
const LINK_SOURCE: &str = link_source_of!("fetches");

// The run's rows are read as `id IN (SELECT id ... WHERE run_id = ?1) ORDER BY id`: SQLite then
// walks the rowids in order, where `WHERE run_id = ?1 ORDER BY id` would sort every row, models
// included, in a temporary B-tree held in memory (hundreds of MB on a 20,000-page crawl).

impl Store {
    /// Builds the rules' view of a run: pages (purposes `crawl` and `check`), links of crawled
    /// pages (in the compact `Site::link_table`), and soft-404 probe answers (purpose
    /// `soft-404-probe`). The models of crawled pages come without their text, which
    /// `Site::page_text` reads from the database when asked.
    pub fn load_site(&self, run_id: i64) -> Result<Site, StoreError> {
        self.load_site_waiting(run_id, || {})
    }

    /// [`Store::load_site`], calling `attachments_ready` after the pages and before the
    /// attachments are read: attachment texts still being written (on another connection) can
    /// be waited for there, their reading beside the longer load of the pages.
    pub fn load_site_waiting(
        &self,
        run_id: i64,
        attachments_ready: impl FnOnce(),
    ) -> Result<Site, StoreError> {
        const OP: &str = "load site";
        let p = &self.path;
        let run = self.run(run_id)?.ok_or_else(|| StoreError::RunNotFound {
            path: p.clone(),
            op: OP,
            run_id,
        })?;
        // Links of crawled pages: stored apart (schema version 11; before, also the models'
        // JSON) are put back into the models as they are read, and moved from there into
        // `Site::link_table`: the models of the returned site carry no links.
        let mut site = SiteBuilder::new(run_id, run.start_urls);
        // Every model is read once, in rowid order: a page cache would only fill with pages
        // never read again, so it is kept small while loading (restored below); so are the pages
        // the counts below walk.
        let cache: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(sql(p, OP))?;
        self.conn
            .pragma_update(None, "cache_size", -1024)
            .map_err(sql(p, OP))?;
        let rows_of = |table: &str| -> Result<usize, StoreError> {
            let n: i64 = self
                .conn
                .query_row(
                    &format!("SELECT count(*) FROM {table} WHERE run_id = ?1"),
                    [run_id],
                    |r| r.get(0),
                )
                .map_err(sql(p, OP))?;
            Ok(usize::try_from(n).unwrap_or(0))
        };
        site.reserve(rows_of("fetches")?);
        // The crawled pages' links: the lengths of their `page_links` lists (a carried row's are
        // its original's).
        let links: Option<i64> = self
            .conn
            .query_row(
                &format!(
                    "SELECT sum(json_array_length(pl.defs))
                     FROM fetches f JOIN page_links pl ON pl.source_fetch_id = {}
                     WHERE f.id IN {RUN_ROWS} AND f.purpose = 'crawl'",
                    link_source_of!("f")
                ),
                [run_id],
                |r| r.get(0),
            )
            .map_err(sql(p, OP))?;
        site.reserve_links(usize::try_from(links.unwrap_or(0)).unwrap_or(0));
        // The attachments too: read once, after the whole site is in memory (the peak of a
        // 100,000-page load was this query filling a 16 MiB cache).
        let loaded = self.load_site_rows(run_id, site).and_then(|mut site| {
            attachments_ready();
            site.attachments = self.site_attachments(run_id)?;
            Ok(site)
        });
        self.conn
            .pragma_update(None, "cache_size", cache)
            .map_err(sql(p, OP))?;
        let site = loaded?;
        // Hand the page cache back while the rules run.
        self.conn
            .execute_batch("PRAGMA shrink_memory")
            .map_err(sql(p, OP))?;
        Ok(site)
    }

    /// The pages and probes of run `run_id`, added to `site`.
    fn load_site_rows(&self, run_id: i64, mut site: SiteBuilder) -> Result<Site, StoreError> {
        let p = &self.path;
        // Crawled pages' texts stay in the store, read when a check asks (`Site::page_text`);
        // a database that cannot be opened a second time keeps them in memory instead.
        // Texts read on demand are not loaded (a text stored apart from its model is then not
        // read at all).
        let on_demand = match StoreTexts::open(p) {
            Ok(t) => {
                site.texts_on_demand(Arc::new(t));
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "page texts kept in memory");
                false
            }
        };
        self.read_site_rows(run_id, on_demand, &mut site)?;
        Ok(site.finish())
    }

    /// Reads the run's rows for [`Self::load_site_rows`] into `site`, the crawled pages' links
    /// read ahead on a second thread ([`LinkFeed`]). (Building the site on a second thread
    /// instead was tried: on 2 cores it saved too little wall time to measure, next to a
    /// peak-memory cost at 100,000 pages that could not be ruled out.)
    fn read_site_rows(
        &self,
        run_id: i64,
        on_demand: bool,
        site: &mut SiteBuilder,
    ) -> Result<(), StoreError> {
        const OP: &str = "load site";
        let p = &self.path;
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT id, url, final_url, status, outcome, content_type, fetched_at, depth,
                        purpose, {MODEL}, body_sha256,
                        CASE WHEN ?2 AND purpose = 'crawl' THEN NULL ELSE {TEXT} END,
                        {LINKS_APART}, {LINK_SOURCE}
                 FROM fetches WHERE id IN {RUN_ROWS}
                 ORDER BY id"
            ))
            .map_err(sql(p, OP))?;
        let mut feed = LinkFeed::start(p, run_id);
        let mut rows = stmt.query(params![run_id, on_demand]).map_err(sql(p, OP))?;
        while let Some(r) = rows.next().map_err(sql(p, OP))? {
            let id: i64 = r.get(0).map_err(sql(p, OP))?;
            let outcome: String = r.get(4).map_err(sql(p, OP))?;
            let purpose: String = r.get(8).map_err(sql(p, OP))?;
            let purpose = purpose_from_code(&purpose)
                .ok_or_else(|| bad_value(p, OP, "fetches.purpose", &purpose))?;
            let model = super::text_ref(r, 9).map_err(sql(p, OP))?;
            let status: Option<i64> = r.get(3).map_err(sql(p, OP))?;
            let depth: i64 = r.get(7).map_err(sql(p, OP))?;
            let text = super::text_ref(r, 11)
                .map_err(sql(p, OP))?
                .map(str::to_owned);
            let mut model = parse_model(id, model, text);
            let links_apart: Option<bool> = r.get(12).map_err(sql(p, OP))?;
            let source: i64 = r.get(13).map_err(sql(p, OP))?;
            let links_apart = links_apart == Some(true);
            let fed = match (&mut feed, links_apart) {
                (Some(f), true) => f.links_of(id)?,
                _ => None,
            };
            // Links read ahead go to the site as they came (shared with other pages); a page
            // without a model has none.
            let fed = match (fed, model.as_mut()) {
                (Some(links), Some(_)) => Some(links),
                (Some(_), None) => None,
                (None, m) => {
                    self.restore_links(m, links_apart, source)?;
                    None
                }
            };
            let page = SitePage {
                fetch_id: id,
                url: arc_text(r, 1).map_err(sql(p, OP))?,
                final_url: arc_text(r, 2).map_err(sql(p, OP))?,
                status: status.map(|s| s.clamp(0, i64::from(u16::MAX)) as u16),
                outcome: FetchOutcome::from_code(&outcome)
                    .ok_or_else(|| bad_value(p, OP, "fetches.outcome", &outcome))?,
                content_type: arc_opt_text(r, 5).map_err(sql(p, OP))?,
                fetched_at: arc_text(r, 6).map_err(sql(p, OP))?,
                depth: clamp_u32(depth),
                crawled: purpose == FetchPurpose::Crawl,
                model: model.map(Box::new),
                body_sha256: arc_opt_text(r, 10).map_err(sql(p, OP))?,
            };
            match (purpose, fed) {
                (FetchPurpose::Soft404Probe, _) => site.probe(page),
                (FetchPurpose::Crawl | FetchPurpose::Check, Some(links)) => {
                    site.page_with_links(page, &links);
                }
                (FetchPurpose::Crawl | FetchPurpose::Check, None) => site.page(page),
            }
        }
        Ok(())
    }

    /// Fetch ids of the run whose stored model was made by another extractor version than
    /// `current` (normally `gongkai_core::EXTRACTOR_VERSION`), or whose version is not known:
    /// what `check` re-extracts.
    ///
    /// Reads the `extractor_version` column the writer, `update_models` and carried rows keep
    /// beside each model (a carried row without a model of its own answers with its
    /// original's), so no model is parsed: parsing every model only to read its version took
    /// 0.77 s at 20,000 pages. A model whose format changed under the same version is not
    /// found here: a change of the model's stored format bumps `EXTRACTOR_VERSION`.
    pub fn stale_models(&self, run_id: i64, current: u32) -> Result<Vec<i64>, StoreError> {
        const OP: &str = "find stale models";
        let mut stmt = self
            .conn
            .prepare_cached(concat!(
                "SELECT id FROM (
                     SELECT f.id,
                            CASE WHEN f.model IS NOT NULL THEN f.extractor_version
                                 ELSE o.extractor_version END AS v,
                            f.model IS NOT NULL OR o.model IS NOT NULL AS has_model
                     FROM fetches f LEFT JOIN fetches o ON o.id = f.carried_from
                     WHERE f.id IN ",
                run_rows!(),
                ")
                 WHERE has_model AND v IS NOT ?2
                 ORDER BY id",
            ))
            .map_err(sql(&self.path, OP))?;
        let rows = stmt
            .query_map(params![run_id, i64::from(current)], |r| r.get::<_, i64>(0))
            .map_err(sql(&self.path, OP))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, OP))
    }

    /// Replaces page models after re-extraction (one transaction): the model, its title and
    /// extractor version, and for crawled pages the stored links (the model JSON then without
    /// them, as the writer stores it). The models are given back unchanged.
    pub fn update_models(
        &self,
        updates: &mut [(i64, PageModel)],
    ) -> Result<WriterStats, StoreError> {
        let p = &self.path;
        let mut stats = WriterStats::default();
        let tx = self.tx("update models: begin")?;
        let mut defs = write::LinkDefs::new();
        for (fetch_id, model) in updates.iter_mut() {
            let purpose: Option<String> = tx
                .prepare_cached("SELECT purpose FROM fetches WHERE id = ?1")
                .map_err(sql(p, "prepare model update"))?
                .query_row([*fetch_id], |r| r.get(0))
                .optional()
                .map_err(sql(p, "update model"))?;
            let Some(purpose) = purpose else {
                tracing::warn!(fetch_id, "update_models: no such fetch");
                continue;
            };
            let crawled = purpose_from_code(&purpose) == Some(FetchPurpose::Crawl);
            let (json_text, text_apart) =
                crate::model_json::encode(model, crawled).map_err(json(p, "encode page model"))?;
            tx.prepare_cached(
                "UPDATE fetches SET model = ?2, title = ?3, extractor_version = ?4, text = ?5,
                        links_apart = ?6
                 WHERE id = ?1",
            )
            .map_err(sql(p, "prepare model update"))?
            .execute(params![
                *fetch_id,
                json_text,
                model.title.as_str(),
                i64::from(model.extractor_version),
                text_apart.then_some(model.text.as_str()),
                crawled,
            ])
            .map_err(sql(p, "update model"))?;
            if crawled {
                write::replace_links(&tx, p, *fetch_id, &model.links, None, &mut defs, &mut stats)?;
            }
        }
        self.commit(tx, "update models: commit")?;
        stats.transactions = 1;
        Ok(stats)
    }
}

/// Column `i` of `r`, a text, without a `String` in between.
fn arc_text(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<gongkai_core::ArcStr> {
    let v = r.get_ref(i)?;
    v.as_str()
        .map(gongkai_core::ArcStr::from)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), e.into()))
}

/// Column `i` of `r`, a text or NULL.
fn arc_opt_text(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<gongkai_core::ArcStr>> {
    let v = r.get_ref(i)?;
    v.as_str_or_null()
        .map(|s| s.map(gongkai_core::ArcStr::from))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), e.into()))
}
