//! A crawled page's links read back from its `links` rows: since schema version 11 its model JSON
//! leaves them out (`fetches.links_apart`), so readers of a model put them back from here.

use super::Store;
use crate::error::{bad_value, sql, StoreError};
use gongkai_core::Link;
use rusqlite::{Connection, Row};
use serde::de::value::{Error as CodeError, StrDeserializer};
use serde::Deserialize;
use std::path::Path;

/// In rowid order, which the `links_source` index gives without a sort: a page's rows are
/// written together, in page order (checked below, sorted by `seq` when not).
const LINK_ROWS: &str = "SELECT target_url, raw, kind, element, anchor, skip, region, hidden, seq
                         FROM links WHERE source_fetch_id = ?1 ORDER BY id";

/// A unit enum from its serde name, without building a JSON value per field.
fn code<'de, T: Deserialize<'de>>(s: &'de str) -> Option<T> {
    T::deserialize(StrDeserializer::<CodeError>::new(s)).ok()
}

fn link_from_row(path: &Path, r: &Row<'_>) -> Result<Link, StoreError> {
    const OP: &str = "read links";
    let text = |i: usize| -> Result<&str, StoreError> {
        r.get_ref(i)
            .and_then(|v| v.as_str().map_err(Into::into))
            .map_err(sql(path, OP))
    };
    let opt_text = |i: usize| -> Result<Option<&str>, StoreError> {
        r.get_ref(i)
            .and_then(|v| v.as_str_or_null().map_err(Into::into))
            .map_err(sql(path, OP))
    };
    let kind = text(2)?;
    let skip = opt_text(5)?;
    let region = opt_text(6)?;
    Ok(Link {
        url: opt_text(0)?.map(str::to_owned),
        raw: text(1)?.to_owned(),
        kind: code(kind).ok_or_else(|| bad_value(path, OP, "links.kind", kind))?,
        element: text(3)?.to_owned(),
        anchor: text(4)?.to_owned(),
        skip: match skip {
            Some(s) => Some(code(s).ok_or_else(|| bad_value(path, OP, "links.skip", s))?),
            None => None,
        },
        // NULL in rows written before schema version 4, whose JSON had no region either.
        region: match region {
            Some(s) => code(s).ok_or_else(|| bad_value(path, OP, "links.region", s))?,
            None => Default::default(),
        },
        hidden: opt_text(7)?.map(str::to_owned),
    })
}

/// The `links` rows of fetch `source`, in page order.
pub(crate) fn link_rows(
    conn: &Connection,
    path: &Path,
    source: i64,
) -> Result<Vec<Link>, StoreError> {
    let mut stmt = conn
        .prepare_cached(LINK_ROWS)
        .map_err(sql(path, "prepare links read"))?;
    let mut rows = stmt.query([source]).map_err(sql(path, "read links"))?;
    let mut links = Vec::new();
    let mut seqs = Vec::new();
    while let Some(r) = rows.next().map_err(sql(path, "read links"))? {
        links.push(link_from_row(path, r)?);
        seqs.push(r.get::<_, i64>(8).map_err(sql(path, "read links"))?);
    }
    if !seqs.is_sorted() {
        let mut pairs: Vec<(i64, Link)> = seqs.into_iter().zip(links).collect();
        pairs.sort_by_key(|(seq, _)| *seq);
        links = pairs.into_iter().map(|(_, l)| l).collect();
    }
    Ok(links)
}

impl Store {
    /// Puts the links of a model stored apart from them (`links_apart`) back from the rows of
    /// fetch `source`; a no-op for a model whose JSON held them.
    pub(crate) fn restore_links(
        &self,
        model: Option<&mut gongkai_core::PageModel>,
        links_apart: bool,
        source: i64,
    ) -> Result<(), StoreError> {
        if let (Some(m), true) = (model, links_apart) {
            m.links = link_rows(&self.conn, &self.path, source)?;
        }
        Ok(())
    }
}
