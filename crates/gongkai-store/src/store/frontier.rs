//! The crawl queue: direct enqueue and what a resume reads back (`frontier` table).

use super::{clamp_u32, Store};
use crate::codes::{from_serde_code, method_from_code, purpose_from_code};
use crate::error::{bad_value, sql, StoreError};
use crate::types::{FrontierEntry, WriterStats};
use crate::write;
use gongkai_core::LinkKind;
use rusqlite::OptionalExtension;

impl Store {
    /// Entries still `queued` in the run, in the order they were first queued (for resume).
    pub fn frontier_pending(&self, run_id: i64) -> Result<Vec<FrontierEntry>, StoreError> {
        Ok(self
            .frontier_rows(
                run_id,
                "SELECT url, method, request_body, purpose, depth, parent, link_kind, column_name,
                        NULL
                 FROM frontier WHERE run_id = ?1 AND state = 'queued' ORDER BY id",
                "read pending frontier",
            )?
            .into_iter()
            .map(|(e, _)| e)
            .collect())
    }

    /// Entries of the run whose fetch failed as a broken target does (`outcome` one of `codes`),
    /// with the fetch id, in queue order: a resumed crawl tries them again at its end.
    pub fn frontier_failed(
        &self,
        run_id: i64,
        codes: &[&str],
    ) -> Result<Vec<(FrontierEntry, i64)>, StoreError> {
        let list = codes
            .iter()
            .filter(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(",");
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.frontier_rows(
            run_id,
            &format!(
                "SELECT q.url, q.method, q.request_body, q.purpose, q.depth, q.parent, q.link_kind,
                        q.column_name, x.id
                 FROM frontier q JOIN fetches x ON x.id = q.fetch_id
                 WHERE q.run_id = ?1 AND q.state = 'done' AND x.outcome IN ({list})
                 ORDER BY q.id"
            ),
            "read failed frontier",
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|(e, id)| id.map(|id| (e, id)))
            .collect())
    }

    /// Frontier rows selected by `query` (the columns of `frontier_pending`, then a fetch id).
    fn frontier_rows(
        &self,
        run_id: i64,
        query: &str,
        op: &'static str,
    ) -> Result<Vec<(FrontierEntry, Option<i64>)>, StoreError> {
        const OP: &str = "read frontier";
        let p = &self.path;
        let mut stmt = self.conn.prepare_cached(query).map_err(sql(p, op))?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    (
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                    ),
                    (
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, Option<i64>>(8)?,
                    ),
                ))
            })
            .map_err(sql(p, op))?;
        let mut out = Vec::new();
        for row in rows {
            let ((url, method, request_body, purpose, depth), (parent, link_kind, column, id)) =
                row.map_err(sql(p, op))?;
            let link_kind = link_kind
                .map(|code| {
                    from_serde_code::<LinkKind>(&code)
                        .ok_or_else(|| bad_value(p, OP, "frontier.link_kind", &code))
                })
                .transpose()?;
            let entry = FrontierEntry {
                url,
                method: method_from_code(&method)
                    .ok_or_else(|| bad_value(p, OP, "frontier.method", &method))?,
                request_body,
                purpose: purpose_from_code(&purpose)
                    .ok_or_else(|| bad_value(p, OP, "frontier.purpose", &purpose))?,
                depth: clamp_u32(depth),
                parent,
                link_kind,
                column,
            };
            out.push((entry, id));
        }
        Ok(out)
    }

    /// Column name the frontier entry with `request_key` carried (Hanweb list POSTs are queued
    /// with their list page's column name; `gongkai check` needs it to rebuild their models).
    pub fn frontier_column(
        &self,
        run_id: i64,
        request_key: &str,
    ) -> Result<Option<String>, StoreError> {
        const OP: &str = "read frontier column";
        self.conn
            .prepare_cached(
                "SELECT column_name FROM frontier WHERE run_id = ?1 AND request_key = ?2",
            )
            .map_err(sql(&self.path, OP))?
            .query_row(rusqlite::params![run_id, request_key], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .map(Option::flatten)
            .map_err(sql(&self.path, OP))
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
}
