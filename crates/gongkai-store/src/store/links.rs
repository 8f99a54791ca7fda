//! A crawled page's links read back from the store: since schema version 11 its model JSON
//! leaves them out (`fetches.links_apart`), so readers of a model put them back from here. Since
//! version 12 they are its `page_links` row, ids of `link_defs` rows (see `link_defs.rs`).

use super::Store;
use crate::error::{bad_value, sql, StoreError};
use gongkai_core::Link;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::de::value::{Error as CodeError, StrDeserializer};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// A page's link ids, in page order.
const PAGE_LINKS: &str = "SELECT defs FROM page_links WHERE source_fetch_id = ?1";
/// Distinct links by id, the ids given as a JSON array (the id last: `link_from_row` reads the
/// link's columns from 0).
const LINK_DEFS: &str = "SELECT d.target_url, d.raw, d.kind, d.element, d.anchor, d.skip, d.region,
                                d.hidden, d.id
                         FROM json_each(?1) j CROSS JOIN link_defs d ON d.id = j.value";

/// Maps keyed by `link_defs` ids: integers the store assigned, so a fast hasher (the default
/// SipHash was a sixth of the link feed's time; every link of a load is looked up).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

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

/// Links decoded lately, by `link_defs` id: a portal's template links are on every page, so a
/// reader walking many pages decodes each once. Two generations of at most [`CACHED_DEFS`]: when
/// the newer is full it becomes the older (the older is dropped), and a link found in the older
/// moves back to the newer, so the template's links stay while each page's own come and go.
#[derive(Default)]
pub(crate) struct DefCache {
    newer: HashMap<i64, Arc<Link>>,
    older: HashMap<i64, Arc<Link>>,
}

/// Links a [`DefCache`] generation holds at most (about 1 MB each).
const CACHED_DEFS: usize = 4_096;

impl DefCache {
    fn contains(&self, id: i64) -> bool {
        self.newer.contains_key(&id) || self.older.contains_key(&id)
    }

    /// The link, and whether it is in the older generation (to be moved back, see
    /// [`Self::promote`]).
    fn peek(&self, id: i64) -> Option<(&Arc<Link>, bool)> {
        match self.newer.get(&id) {
            Some(l) => Some((l, false)),
            None => self.older.get(&id).map(|l| (l, true)),
        }
    }

    /// Moves a link of the older generation back to the newer.
    fn promote(&mut self, id: i64) {
        if let Some(link) = self.older.remove(&id) {
            self.insert(id, link);
        }
    }

    fn insert(&mut self, id: i64, link: Arc<Link>) {
        if self.newer.len() >= CACHED_DEFS {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.insert(id, link);
    }
}

/// The links of fetch `source`, in page order (none when it has no `page_links` row).
pub(crate) fn link_rows(
    conn: &Connection,
    path: &Path,
    source: i64,
) -> Result<Vec<Link>, StoreError> {
    let links = read_links(conn, path, source, &mut DefCache::default())?;
    Ok(links.into_iter().map(Arc::unwrap_or_clone).collect())
}

/// The link stored as `link_defs` row `id`.
#[cfg(test)]
pub(crate) fn read_defs(conn: &Connection, path: &Path, id: i64) -> Result<Link, StoreError> {
    let mut found = HashMap::default();
    read_missing(conn, path, &[id], &mut found)?;
    found
        .remove(&id)
        .map(Arc::unwrap_or_clone)
        .ok_or_else(|| bad_value(path, "read links", "page_links.defs", id.to_string()))
}

/// Reads the `link_defs` rows `ids` into `found`, in one statement per page (a query per link:
/// 2.5-3.2 s of a 100,000-page load, whose 458,000 distinct links are read 1.2 million times).
fn read_missing(
    conn: &Connection,
    path: &Path,
    ids: &[i64],
    found: &mut HashMap<i64, Arc<Link>>,
) -> Result<(), StoreError> {
    const OP: &str = "read links";
    let list = crate::link_defs::ids_json(ids);
    let mut stmt = conn
        .prepare_cached(LINK_DEFS)
        .map_err(sql(path, "prepare links read"))?;
    let mut rows = stmt.query([list]).map_err(sql(path, OP))?;
    while let Some(r) = rows.next().map_err(sql(path, OP))? {
        let id: i64 = r.get(8).map_err(sql(path, OP))?;
        found.insert(id, Arc::new(link_from_row(path, r)?));
    }
    Ok(())
}

/// [`link_rows`] with a cache of decoded links kept across calls; a link on many pages is one
/// `Arc` shared by them.
pub(crate) fn read_links(
    conn: &Connection,
    path: &Path,
    source: i64,
    cache: &mut DefCache,
) -> Result<Vec<Arc<Link>>, StoreError> {
    const OP: &str = "read links";
    let ids: Option<String> = conn
        .prepare_cached(PAGE_LINKS)
        .map_err(sql(path, "prepare links read"))?
        .query_row([source], |r| r.get(0))
        .optional()
        .map_err(sql(path, OP))?;
    let Some(ids) = ids else {
        return Ok(Vec::new());
    };
    let ids = crate::link_defs::parse_ids(path, &ids)?;
    let mut missing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|&id| !cache.contains(id))
        .collect();
    // The page's own links, read together; kept apart from the cache until the page is put
    // together, so that a page with more new links than the cache holds still gets them all.
    let mut found = HashMap::default();
    if !missing.is_empty() {
        missing.sort_unstable();
        missing.dedup();
        read_missing(conn, path, &missing, &mut found)?;
    }
    // The cache changes only once the page is put together: moving a link back to the newer
    // generation may drop the older one, with links this page still needs.
    let mut links = Vec::with_capacity(ids.len());
    let mut older = Vec::new();
    for &id in &ids {
        let link = match found.get(&id) {
            Some(l) => l.clone(),
            None => {
                let (l, in_older) = cache
                    .peek(id)
                    .ok_or_else(|| bad_value(path, OP, "page_links.defs", id.to_string()))?;
                if in_older {
                    older.push(id);
                }
                l.clone()
            }
        };
        links.push(link);
    }
    for id in older {
        cache.promote(id);
    }
    for (id, link) in found {
        cache.insert(id, link);
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

/// What the feed sends: a row's id and its links, in order.
type Fed = Result<(i64, Vec<Arc<Link>>), StoreError>;

/// Links read ahead for a reader that walks a run's rows in id order (`load_site`): a thread of
/// its own walks the same rows on a connection of its own and sends each row's links, in order.
/// Decoding the links was half of a load's time, spent while the loading thread parsed
/// models; now the two run side by side.
pub(crate) struct LinkFeed {
    rx: std::sync::mpsc::Receiver<Fed>,
    /// A row's links received ahead of the row the reader asked for (cannot happen while both
    /// walk the same rows; kept, not lost, if it does).
    ahead: Option<(i64, Vec<Arc<Link>>)>,
    join: Option<std::thread::JoinHandle<()>>,
}

/// Rows of links the feed holds ahead at most. A few are enough to keep both threads busy; 64
/// added about 6 MB to the peak of a 100,000-page load (the load's peak is the memory
/// bound), 4 adds none measurable.
const FEED_AHEAD: usize = 4;

impl LinkFeed {
    /// Starts reading the links of run `run_id`'s rows whose links are rows (`links_apart`);
    /// None when the database cannot be opened a second time (the reader then reads them
    /// itself).
    pub(crate) fn start(path: &Path, run_id: i64) -> Option<LinkFeed> {
        let conn = match crate::schema::open_ro(path) {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!(error = %e, "links read on the loading thread");
                return None;
            }
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(FEED_AHEAD);
        let path = path.to_path_buf();
        let join = std::thread::Builder::new()
            .name("gongkai-link-feed".into())
            .spawn(move || {
                if let Err(e) = feed(&conn, &path, run_id, &tx) {
                    let _ = tx.send(Err(e));
                }
            })
            .ok()?;
        Some(LinkFeed {
            rx,
            ahead: None,
            join: Some(join),
        })
    }

    /// The links of row `id` (one the feed walks: its links are rows); None when the feed has
    /// none for it (the caller then reads them itself).
    pub(crate) fn links_of(&mut self, id: i64) -> Result<Option<Vec<Arc<Link>>>, StoreError> {
        loop {
            let (got, links) = match self.ahead.take() {
                Some(next) => next,
                None => match self.rx.recv() {
                    Ok(next) => next?,
                    Err(_) => return Ok(None),
                },
            };
            match got.cmp(&id) {
                std::cmp::Ordering::Equal => return Ok(Some(links)),
                // A row the reader did not ask for (not while both walk the same rows): passed.
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Greater => {
                    self.ahead = Some((got, links));
                    return Ok(None);
                }
            }
        }
    }
}

impl Drop for LinkFeed {
    fn drop(&mut self) {
        // Hang up first: a feeder blocked on a full channel then stops.
        let (_, rx) = std::sync::mpsc::sync_channel(0);
        drop(std::mem::replace(&mut self.rx, rx));
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
    }
}

/// The feeder: the run's rows in id order, as `load_site` reads them, and the links of each.
fn feed(
    conn: &Connection,
    path: &Path,
    run_id: i64,
    tx: &std::sync::mpsc::SyncSender<Fed>,
) -> Result<(), StoreError> {
    const OP: &str = "read links ahead";
    // Pages' link lists are read once, in order, and repeated links come from `DefCache`: a
    // small page cache, like the loader's.
    conn.pragma_update(None, "cache_size", -1024)
        .map_err(crate::error::sql(path, OP))?;
    let mut stmt = conn
        .prepare(concat!(
            "SELECT id, ",
            link_source_of!("fetches"),
            " FROM fetches WHERE id IN ",
            run_rows!(),
            " AND ",
            links_apart_of!("fetches"),
            " = 1 ORDER BY id"
        ))
        .map_err(crate::error::sql(path, OP))?;
    let mut rows = stmt.query([run_id]).map_err(crate::error::sql(path, OP))?;
    let mut cache = DefCache::default();
    while let Some(r) = rows.next().map_err(crate::error::sql(path, OP))? {
        let id: i64 = r.get(0).map_err(crate::error::sql(path, OP))?;
        let source: i64 = r.get(1).map_err(crate::error::sql(path, OP))?;
        let links = read_links(conn, path, source, &mut cache)?;
        if tx.send(Ok((id, links))).is_err() {
            break;
        }
    }
    Ok(())
}
