//! A crawled page's links as stored since schema version 12: each distinct link (target, text as
//! written, kind, element, anchor, skip reason, region, hidden reason) is one `link_defs` row,
//! and a page is one `page_links` row listing its links' ids in page order (a JSON array, so
//! that the `links` view can unfold it in plain SQL).
//!
//! Why: a portal's template repeats the same 40-odd navigation links on every page, so a
//! 20,000-page portal had 922,523 link rows (123 MB plus an 11 MB index) for 91,613 distinct
//! links. Writing them was the largest share of the writer's bytes; a scan that stored no links
//! at all crawled 1.3 s faster, and one that wrote each page's links as one JSON row only 0.2 s
//! (the cost is the bytes, not the rows).
//!
//! [`LinkDefs`] finds a link's id in memory: a keyed 128-bit SipHash of its fields ([`link_key`]),
//! with keys drawn at random per process, so a hostile page cannot craft a link that collides
//! with another. The keys can be computed on any thread before a record reaches the writer
//! ([`crate::Prepared`]).
//! The map is bounded; past the bound it starts again, and a link seen before is stored again
//! under a new id (correct, only less compact). Ids are valid only while the transactions that
//! inserted them stand: the writer stops (and drops its map) on a failed batch, and other
//! writers use a map of their own for one transaction.

use crate::codes::serde_code;
use crate::error::{sql, StoreError};
use gongkai_core::Link;
use rusqlite::Connection;
use siphasher::sip128::{Hasher128, SipHasher13};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;

/// Distinct links a map holds before it starts again: about 40 MB at most, where a
/// 100,000-page portal has a few hundred thousand.
const MAX_KNOWN: usize = 1 << 20;

/// The SipHash keys of [`link_key`], drawn once per process from the standard library's
/// random hasher seeds.
static KEYS: std::sync::LazyLock<(u64, u64)> = std::sync::LazyLock::new(|| {
    let seed = std::collections::hash_map::RandomState::new();
    (seed.hash_one(0x5eed_u64), seed.hash_one(0xdef5_u64))
});

/// The keyed hash of a link's fields that [`LinkDefs`] knows it by: the fields length-prefixed
/// into one buffer and hashed in one call (hashing them field by field through `Hash` cost 1.3%
/// of a scan's CPU in small writes). `buf` is scratch space kept between calls.
pub(crate) fn link_key(l: &Link, buf: &mut Vec<u8>) -> u128 {
    fn text(buf: &mut Vec<u8>, s: Option<&str>) {
        match s {
            Some(s) => {
                buf.extend_from_slice(&(s.len() as u64).to_le_bytes());
                buf.extend_from_slice(s.as_bytes());
            }
            None => buf.extend_from_slice(&u64::MAX.to_le_bytes()),
        }
    }
    buf.clear();
    text(buf, l.url.as_deref());
    text(buf, Some(&l.raw));
    text(buf, Some(&l.element));
    text(buf, Some(&l.anchor));
    text(buf, l.hidden.as_deref());
    buf.extend_from_slice(&[
        l.kind as u8,
        l.skip.map_or(u8::MAX, |s| s as u8),
        l.region as u8,
    ]);
    let mut h = SipHasher13::new_with_keys(KEYS.0, KEYS.1);
    h.write(buf);
    h.finish128().as_u128()
}

/// The ids of links already stored by this writer (see the module doc).
pub(crate) struct LinkDefs {
    /// By [`link_key`], itself looked up with foldhash: SipHash again over a random key would
    /// only cost time.
    known: HashMap<u128, i64, foldhash::fast::RandomState>,
    /// Scratch space of [`link_key`].
    buf: Vec<u8>,
    /// [`MAX_KNOWN`], smaller in tests.
    max_known: usize,
}

impl LinkDefs {
    pub(crate) fn new() -> LinkDefs {
        LinkDefs {
            known: HashMap::default(),
            buf: Vec::new(),
            max_known: MAX_KNOWN,
        }
    }

    /// Forgets every id (the map is full).
    fn forget(&mut self) {
        self.known = HashMap::default();
    }

    /// The `link_defs` id of `l`, inserted when this map does not know it.
    pub(crate) fn id_of(
        &mut self,
        conn: &Connection,
        path: &Path,
        l: &Link,
    ) -> Result<i64, StoreError> {
        let key = link_key(l, &mut self.buf);
        self.id_by_key(conn, path, l, key)
    }

    /// [`LinkDefs::id_of`] with `l`'s [`link_key`] already computed.
    fn id_by_key(
        &mut self,
        conn: &Connection,
        path: &Path,
        l: &Link,
        key: u128,
    ) -> Result<i64, StoreError> {
        if let Some(&id) = self.known.get(&key) {
            return Ok(id);
        }
        let id = conn
            .prepare_cached(
                "INSERT INTO link_defs (target_url, raw, kind, element, anchor, skip, region,
                                        hidden)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
            )
            .map_err(sql(path, "prepare link insert"))?
            .query_row(
                rusqlite::params![
                    l.url,
                    l.raw,
                    serde_code(&l.kind),
                    l.element,
                    l.anchor,
                    l.skip.as_ref().map(serde_code),
                    serde_code(&l.region),
                    l.hidden,
                ],
                |r| r.get(0),
            )
            .map_err(sql(path, "insert link"))?;
        if self.known.len() >= self.max_known {
            self.forget();
        }
        self.known.insert(key, id);
        Ok(id)
    }
}

/// Replaces the links of one source fetch: its `page_links` row (none for a page without links).
/// `keys`, when given, are the links' [`link_key`]s in the same order.
pub(crate) fn replace_links(
    conn: &Connection,
    path: &Path,
    fetch_id: i64,
    links: &[Link],
    keys: Option<&[u128]>,
    defs: &mut LinkDefs,
    stats: &mut crate::types::WriterStats,
) -> Result<(), StoreError> {
    if links.is_empty() {
        conn.prepare_cached("DELETE FROM page_links WHERE source_fetch_id = ?1")
            .map_err(sql(path, "prepare links delete"))?
            .execute([fetch_id])
            .map_err(sql(path, "delete old links"))?;
        return Ok(());
    }
    let keys = keys.filter(|k| k.len() == links.len());
    let ids = links
        .iter()
        .enumerate()
        .map(|(i, l)| match keys {
            Some(keys) => defs.id_by_key(conn, path, l, keys[i]),
            None => defs.id_of(conn, path, l),
        })
        .collect::<Result<Vec<i64>, _>>()?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO page_links (source_fetch_id, defs) VALUES (?1, ?2)",
    )
    .map_err(sql(path, "prepare links insert"))?
    .execute(rusqlite::params![fetch_id, ids_json(&ids)])
    .map_err(sql(path, "insert links"))?;
    stats.links += links.len() as u64;
    Ok(())
}

/// Ids as a JSON array (`[12,7,...]`), the form of `page_links.defs`.
pub(crate) fn ids_json(ids: &[i64]) -> String {
    let mut out = String::with_capacity(ids.len() * 8 + 2);
    let mut digits = itoa::Buffer::new();
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(digits.format(*id));
    }
    out.push(']');
    out
}

/// Parses a `page_links.defs` array (`[12,7,...]`): ids in page order.
pub(crate) fn parse_ids(path: &Path, text: &str) -> Result<Vec<i64>, StoreError> {
    // What [`ids_json`] writes is read directly (a JSON parser was a tenth of the link feed's
    // time); anything else (spaces, a row edited by hand) goes to the JSON parser, which also
    // words the error.
    if let Some(ids) = parse_plain_ids(text) {
        return Ok(ids);
    }
    serde_json::from_str(text).map_err(crate::error::json(path, "read page_links.defs"))
}

/// `[12,7,...]` exactly as [`ids_json`] writes it; None for anything else.
fn parse_plain_ids(text: &str) -> Option<Vec<i64>> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    if inner.is_empty() {
        return Some(Vec::new());
    }
    let mut ids = Vec::with_capacity(inner.len() / 6 + 1);
    for part in inner.split(',') {
        // `i64::from_str` also takes a leading '+', which JSON does not: left to the parser.
        if !part.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return None;
        }
        ids.push(part.parse().ok()?);
    }
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::{LinkKind, LinkRegion};

    fn link(i: usize) -> Link {
        Link {
            raw: format!("/{i}.html"),
            url: Some(format!("http://h/{i}.html")),
            kind: LinkKind::Page,
            element: "a[href]".to_owned(),
            anchor: format!("第{i}条"),
            skip: None,
            region: LinkRegion::Chrome,
            hidden: None,
        }
    }

    /// The ids read directly are what the JSON parser reads; other spellings still parse, and
    /// a damaged row is an error naming the column.
    #[test]
    fn page_link_ids_parse_with_or_without_the_json_parser() {
        let p = Path::new("t.db");
        for ids in [vec![], vec![7], vec![12, 7, 12, 9_007_199_254_740_993, -1]] {
            let text = ids_json(&ids);
            assert_eq!(parse_plain_ids(&text), Some(ids.clone()), "{text}");
            assert_eq!(parse_ids(p, &text).unwrap(), ids);
        }
        assert_eq!(parse_plain_ids("[1, 2]"), None);
        assert_eq!(parse_ids(p, "[1, 2]").unwrap(), vec![1, 2]);
        assert_eq!(parse_ids(p, " [3]").unwrap(), vec![3]);
        for bad in ["[1,,2]", "[1,a]", "[+1]", "[1", "", "{}"] {
            let e = parse_ids(p, bad).unwrap_err().to_string();
            assert!(e.contains("page_links.defs"), "{bad}: {e}");
        }
    }

    /// Links seen again share an id; a field that differs (here only `hidden`) makes another
    /// link; past its bound the map starts again and stores a link seen before anew, and every
    /// id still reads back as its link.
    #[test]
    fn the_same_link_is_stored_once_until_the_map_is_full() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.sqlite");
        let conn = crate::schema::open_rw(&path).unwrap();
        let mut defs = LinkDefs::new();
        defs.max_known = 3;
        let a = defs.id_of(&conn, &path, &link(1)).unwrap();
        assert_eq!(defs.id_of(&conn, &path, &link(1)).unwrap(), a);
        let mut hidden = link(1);
        hidden.hidden = Some("hidden attribute".into());
        let h = defs.id_of(&conn, &path, &hidden).unwrap();
        assert_ne!(h, a);
        let b = defs.id_of(&conn, &path, &link(2)).unwrap();
        assert_eq!(defs.id_of(&conn, &path, &link(2)).unwrap(), b);
        // Full (3 known): the next new link starts the map again.
        defs.id_of(&conn, &path, &link(3)).unwrap();
        let again = defs.id_of(&conn, &path, &link(1)).unwrap();
        assert_ne!(again, a, "forgotten, stored anew");
        let stored: i64 = conn
            .query_row("SELECT count(*) FROM link_defs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, 5);
        for (id, want) in [(a, link(1)), (h, hidden), (b, link(2)), (again, link(1))] {
            let got = crate::store::links::read_defs(&conn, &path, id).unwrap();
            assert_eq!(got, want);
        }
    }
}
