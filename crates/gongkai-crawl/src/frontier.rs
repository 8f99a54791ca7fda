//! Frontier entries and the guards that keep a crawl out of URL-space traps.
//!
//! A URL is marked seen when it is queued, not when it is fetched, so it is fetched at most once
//! per run; the request key includes method and form body (Hanweb list POSTs share one URL).

pub use gongkai_core::frontier::{request_key, FrontierEntry, KeyHasher};
use gongkai_core::Method;
use std::collections::{HashMap, HashSet};

/// How a candidate was found: decides which trap guards apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// An ordinary link (or a start URL).
    Link,
    /// An item of the page's own column list: many query variants of one path are expected
    /// (`show.jsp?id=…`), so the query-variant cap does not apply.
    ListItem,
    /// Another page of the same column list: keeps the list's depth; bounded by the pager chain
    /// cap instead of the query-variant cap.
    Pagination,
}

/// A frontier entry as discovered, before the guards and limits decide about it.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub entry: FrontierEntry,
    pub via: Via,
    /// Set when the entry is queued but will not be crawled (only checked): beyond `max_depth`
    /// or out of scope. `Scheme` marks a link that is never requested.
    pub note: Option<crate::coverage::CutReason>,
}

impl Candidate {
    pub fn link(entry: FrontierEntry) -> Self {
        Candidate {
            entry,
            via: Via::Link,
            note: None,
        }
    }
}

/// Why a discovered URL is not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Seen,
    TooLong,
    TooManyQueryVariants,
    Excluded,
}

/// The seen set and trap guards.
#[derive(Debug, Default)]
pub struct Seen {
    hasher: KeyHasher,
    keys: HashSet<u128>,
    /// scheme://host:port/path (hashed) → distinct queries seen.
    query_variants: HashMap<u128, u32>,
}

impl Seen {
    /// The hasher of this set (for other sets of request keys kept beside it).
    pub fn hasher(&self) -> KeyHasher {
        self.hasher
    }

    /// Marks a request key seen.
    pub fn insert_key(&mut self, key: &str) {
        self.keys.insert(self.hasher.key(key));
    }

    /// Marks an entry seen.
    pub fn insert_entry(&mut self, entry: &FrontierEntry) {
        self.keys.insert(self.hasher.entry(entry));
    }

    /// Whether a request key was seen.
    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains(&self.hasher.key(key))
    }

    /// Whether an entry's request was seen.
    pub fn contains_entry(&self, entry: &FrontierEntry) -> bool {
        self.keys.contains(&self.hasher.entry(entry))
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Admits `entry` unless seen or caught by a guard; marks it seen when admitted.
    /// `count_variants` is false for list items and pager pages (see [`Via`]).
    pub fn admit(
        &mut self,
        entry: &FrontierEntry,
        max_url_len: usize,
        max_query_variants: usize,
        excludes: &[String],
        count_variants: bool,
    ) -> Result<(), Rejection> {
        let key = self.hasher.entry(entry);
        if self.keys.contains(&key) {
            return Err(Rejection::Seen);
        }
        if entry.url.len() > max_url_len {
            return Err(Rejection::TooLong);
        }
        if excludes
            .iter()
            .any(|p| !p.is_empty() && entry.url.starts_with(p.as_str()))
        {
            return Err(Rejection::Excluded);
        }
        if entry.method == Method::Get && count_variants {
            if let Some((path, _query)) = entry.url.split_once('?') {
                let n = self
                    .query_variants
                    .entry(self.hasher.key(path))
                    .or_insert(0);
                if *n as usize >= max_query_variants {
                    return Err(Rejection::TooManyQueryVariants);
                }
                *n = n.saturating_add(1);
            }
        }
        self.keys.insert(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_on_queue_and_query_variant_cap() {
        let mut seen = Seen::default();
        let e = FrontierEntry::crawl("http://a/x", 0);
        assert_eq!(seen.admit(&e, 100, 2, &[], true), Ok(()));
        assert_eq!(seen.admit(&e, 100, 2, &[], true), Err(Rejection::Seen));
        for (i, want) in [
            (1, Ok(())),
            (2, Ok(())),
            (3, Err(Rejection::TooManyQueryVariants)),
        ] {
            let e = FrontierEntry::crawl(&format!("http://a/cal?date={i}"), 0);
            assert_eq!(seen.admit(&e, 100, 2, &[], true), want);
        }
        // List items are not counted against the cap.
        let item = FrontierEntry::crawl("http://a/cal?date=9", 0);
        assert_eq!(seen.admit(&item, 100, 2, &[], false), Ok(()));
        let long = FrontierEntry::crawl(&format!("http://a/{}", "x".repeat(200)), 0);
        assert_eq!(
            seen.admit(&long, 100, 2, &[], true),
            Err(Rejection::TooLong)
        );
        let ex = FrontierEntry::crawl("http://a/private/1", 0);
        assert_eq!(
            seen.admit(&ex, 100, 2, &["http://a/private/".into()], true),
            Err(Rejection::Excluded)
        );
    }

    #[test]
    fn entry_hash_is_the_hash_of_its_request_key() {
        let h = KeyHasher::default();
        let mut post = FrontierEntry::crawl("http://a/module/web/jpage/dataproxy.jsp", 1);
        post.method = Method::Post;
        post.request_body = Some("startrecord=1&endrecord=45".into());
        let get = FrontierEntry::crawl("http://a/x?y=1", 0);
        for e in [&post, &get] {
            assert_eq!(h.entry(e), h.key(&e.request_key()));
        }
        assert_ne!(h.entry(&post), h.entry(&get));
        // Another process (other keys) hashes differently: hashes never leave the process.
        assert_ne!(
            KeyHasher::default().key("GET http://a/"),
            h.key("GET http://a/")
        );
        let mut seen = Seen::default();
        seen.insert_key(&get.request_key());
        assert!(seen.contains_entry(&get) && !seen.contains_entry(&post));
        seen.insert_entry(&post);
        assert!(seen.contains(&post.request_key()));
    }
}
