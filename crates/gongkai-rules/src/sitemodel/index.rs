//! Hash tables of page indices keyed by what the pages carry (their URLs, their final URL and
//! body hash), for [`super::SiteModel`].
//!
//! Why: at 100,000 pages a `HashMap<&str, usize>` of every page's two URLs is 24 bytes an entry
//! (6.5 MB kept for the whole evaluation), and the sets that `SiteModel::build` needs for a
//! moment (final URLs seen, pages by body hash) were as large again, alive at the same time.
//! These tables hold page indices only (8 or 4 bytes an entry) and compare keys by re-reading
//! the pages, which the site holds anyway. A page index must fit in 31 bits (a site that large
//! could not be loaded at all).

use super::strip_fragment;
use crate::SitePage;
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hash};

/// The hasher of the tables: fast, seeded per table (so a hostile site cannot choose URLs
/// that collide on every run).
pub(crate) type DefaultHasher = foldhash::fast::RandomState;

/// Which of a page's two URLs a key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlOf {
    /// The URL requested ([`SitePage::url`]).
    Requested,
    /// The URL after redirects ([`SitePage::final_url`]).
    Final,
}

/// A page index as stored: fewer than 2^31 pages, so a URL key (`page << 1 | final`) fits too.
fn index32(i: usize) -> u32 {
    u32::try_from(i)
        .ok()
        .filter(|&i| i < 1 << 31)
        .expect("a site of fewer than 2^31 pages")
}

/// URL (fragment stripped) → the page standing for it.
///
/// Each entry is `(key, page)`: `key` names the URL as `page << 1 | 1 when final` of a page
/// that carries it, `page` is the page standing for that URL. Equal URLs of several pages are
/// one entry: [`Self::update`] decides which page it names.
pub(crate) struct UrlIndex<'a, S = DefaultHasher> {
    pages: &'a [SitePage],
    table: HashTable<(u32, u32)>,
    hasher: S,
}

/// The URL (fragment stripped) a [`UrlIndex`] key names.
fn url_of(pages: &[SitePage], key: u32) -> &str {
    strip_fragment(raw_url_of(pages, key))
}

/// The URL a [`UrlIndex`] key names, as the page has it.
fn raw_url_of(pages: &[SitePage], key: u32) -> &str {
    let p = &pages[(key >> 1) as usize];
    if key & 1 == 0 {
        &p.url
    } else {
        &p.final_url
    }
}

/// True when the URL `key` names is `url` once its fragment is stripped (`url` has none):
/// the comparison of every probe, so it does not scan the stored URL for a `#` first.
fn names(pages: &[SitePage], key: u32, url: &str) -> bool {
    raw_url_of(pages, key)
        .strip_prefix(url)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
}

impl<'a> UrlIndex<'a> {
    /// An empty index over `pages` with room for `capacity` distinct URLs.
    pub fn with_capacity(pages: &'a [SitePage], capacity: usize) -> Self {
        Self::with_hasher(pages, capacity, DefaultHasher::default())
    }
}

impl<'a, S: BuildHasher> UrlIndex<'a, S> {
    /// [`Self::with_capacity`] with the given hasher (tests make every hash collide).
    pub fn with_hasher(pages: &'a [SitePage], capacity: usize, hasher: S) -> Self {
        UrlIndex {
            pages,
            table: HashTable::with_capacity(capacity),
            hasher,
        }
    }

    /// The page standing for `url` (its fragment ignored).
    pub fn get(&self, url: &str) -> Option<usize> {
        let url = strip_fragment(url);
        let hash = self.hasher.hash_one(url);
        self.table
            .find(hash, |&(k, _)| names(self.pages, k, url))
            .map(|&(_, p)| p as usize)
    }

    /// Sets the page standing for page `key_page`'s `which` URL (fragment stripped): `choose`
    /// is given the page standing for that URL so far, if any, and returns the one to stand
    /// for it now.
    pub fn update(
        &mut self,
        key_page: usize,
        which: UrlOf,
        choose: impl FnOnce(Option<usize>) -> usize,
    ) {
        let key = index32(key_page) << 1 | u32::from(which == UrlOf::Final);
        let (pages, hasher) = (self.pages, &self.hasher);
        let url = url_of(pages, key);
        let hash = hasher.hash_one(url);
        let entry = self.table.entry(
            hash,
            |&(k, _)| names(pages, k, url),
            |&(k, _)| hasher.hash_one(url_of(pages, k)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(mut e) => {
                let standing = &mut e.get_mut().1;
                *standing = index32(choose(Some(*standing as usize)));
            }
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert((key, index32(choose(None))));
            }
        }
    }

    /// The number of distinct URLs indexed.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.table.len()
    }
}

/// Pages keyed by something each carries (`key` reads it from the page), one page a key. Only
/// page indices are stored; two pages are under one key when `key` gives them equal values.
pub(crate) struct PageKeyed<'a, F, S = DefaultHasher> {
    pages: &'a [SitePage],
    key: F,
    table: HashTable<u32>,
    hasher: S,
}

impl<'a, K, F> PageKeyed<'a, F>
where
    K: Hash + Eq,
    F: Fn(&'a SitePage) -> K,
{
    /// An empty table over `pages` keyed by `key`, with room for `capacity` keys.
    pub fn new(pages: &'a [SitePage], capacity: usize, key: F) -> Self {
        Self::with_hasher(pages, capacity, key, DefaultHasher::default())
    }
}

impl<'a, K, F, S> PageKeyed<'a, F, S>
where
    K: Hash + Eq,
    F: Fn(&'a SitePage) -> K,
    S: BuildHasher,
{
    /// [`Self::new`] with the given hasher (tests make every hash collide).
    pub fn with_hasher(pages: &'a [SitePage], capacity: usize, key: F, hasher: S) -> Self {
        PageKeyed {
            pages,
            key,
            table: HashTable::with_capacity(capacity),
            hasher,
        }
    }

    /// Adds page `i` under its key: when no page is there yet (returns true), or when
    /// `replaces(j)` says it should take the place of page `j` that is (returns false).
    pub fn offer(&mut self, i: usize, replaces: impl FnOnce(usize) -> bool) -> bool {
        let (pages, key, hasher) = (self.pages, &self.key, &self.hasher);
        let k = key(&pages[i]);
        let hash = hasher.hash_one(&k);
        let entry = self.table.entry(
            hash,
            |&j| key(&pages[j as usize]) == k,
            |&j| hasher.hash_one(key(&pages[j as usize])),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(mut e) => {
                if replaces(*e.get() as usize) {
                    *e.get_mut() = index32(i);
                }
                false
            }
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(index32(i));
                true
            }
        }
    }

    /// Adds page `i` unless a page with its key is there already; true when added.
    pub fn insert(&mut self, i: usize) -> bool {
        self.offer(i, |_| false)
    }

    /// The page under page `i`'s key, if any.
    pub fn get(&self, i: usize) -> Option<usize> {
        let k = (self.key)(&self.pages[i]);
        let hash = self.hasher.hash_one(&k);
        self.table
            .find(hash, |&j| (self.key)(&self.pages[j as usize]) == k)
            .map(|&j| j as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::{PageKeyed, UrlIndex, UrlOf};
    use crate::checks::testkit::{article, page, u};
    use crate::SitePage;
    use std::hash::{BuildHasher, Hasher};

    /// Every key hashes alike: only the comparison through the pages tells keys apart.
    #[derive(Default)]
    struct Collide;
    struct Zero;
    impl Hasher for Zero {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, _: &[u8]) {}
    }
    impl BuildHasher for Collide {
        type Hasher = Zero;
        fn build_hasher(&self) -> Zero {
            Zero
        }
    }

    fn p(url: &str, final_url: &str, sha: Option<&str>) -> SitePage {
        let mut p = page(url, article("通知", "正文"));
        p.final_url = final_url.into();
        p.body_sha256 = sha.map(Into::into);
        p
    }

    /// Indexes both URLs of every page, the first page carrying a URL standing for it.
    fn index_first<S: BuildHasher>(pages: &[SitePage], hasher: S) -> UrlIndex<'_, S> {
        let mut ix = UrlIndex::with_hasher(pages, 1, hasher);
        for i in 0..pages.len() {
            for which in [UrlOf::Requested, UrlOf::Final] {
                ix.update(i, which, |j| j.unwrap_or(i));
            }
        }
        ix
    }

    fn url_index_answers<S: BuildHasher>(hasher: S) {
        let pages = vec![
            p(&u("a.html#top"), &u("a.html#top"), None),
            p(&u("old.html"), &u("new.html"), None),
            p(&u("a.html"), &u("a.html"), None),
            p(&u("b.html"), &u("b.html"), None),
        ];
        let ix = index_first(&pages, hasher);
        // a.html (twice, once with a fragment), old.html, new.html, b.html.
        assert_eq!(ix.len(), 4);
        assert_eq!(ix.get(&u("a.html")), Some(0));
        assert_eq!(ix.get(&u("a.html#other")), Some(0));
        assert_eq!(ix.get(&u("old.html")), Some(1));
        assert_eq!(ix.get(&u("new.html#x")), Some(1));
        assert_eq!(ix.get(&u("b.html")), Some(3));
        assert_eq!(ix.get(&u("c.html")), None);
        // A prefix of an indexed URL is another URL.
        assert_eq!(ix.get(&u("a.htm")), None);
    }

    #[test]
    fn urls_are_found_fragment_stripped_by_either_url_of_a_page() {
        url_index_answers(super::DefaultHasher::default());
    }

    #[test]
    fn colliding_hashes_still_tell_urls_apart() {
        url_index_answers(Collide);
    }

    #[test]
    fn update_sees_the_page_standing_for_a_url_and_replaces_it() {
        let pages = vec![
            p(&u("a.html"), &u("a.html"), None),
            p(&u("x.html"), &u("a.html"), None),
            p(&u("a.html#2"), &u("b.html"), None),
        ];
        let mut ix = UrlIndex::with_hasher(&pages, 0, Collide);
        let mut seen = Vec::new();
        for i in 0..pages.len() {
            for which in [UrlOf::Requested, UrlOf::Final] {
                ix.update(i, which, |j| {
                    seen.push(j);
                    i
                });
            }
        }
        // Page 1's final URL and page 2's requested URL are a.html, already standing.
        assert_eq!(seen, [None, Some(0), None, Some(0), Some(1), None]);
        assert_eq!(ix.get(&u("a.html")), Some(2));
        assert_eq!(ix.get(&u("x.html")), Some(1));
        assert_eq!(ix.get(&u("b.html")), Some(2));
        // Remapping a URL to another page leaves the others.
        ix.update(1, UrlOf::Requested, |_| 0);
        assert_eq!(ix.get(&u("x.html")), Some(0));
        assert_eq!(ix.get(&u("a.html")), Some(2));
        assert_eq!(ix.len(), 3);
    }

    fn keyed_answers<S: BuildHasher>(hasher: S) {
        let pages = vec![
            p(&u("1"), &u("1"), Some("aa")),
            p(&u("2"), &u("2"), Some("bb")),
            p(&u("3"), &u("3"), Some("aa")),
            p(&u("4"), &u("4"), Some("aa")),
            p(&u("5"), &u("5"), None),
        ];
        let mut by_body =
            PageKeyed::with_hasher(&pages, 0, |p: &SitePage| p.body_sha256.as_deref(), hasher);
        assert!(by_body.insert(0));
        assert!(by_body.insert(1));
        // Same body as page 0: not added, and page 0 stays.
        assert!(!by_body.insert(2));
        assert_eq!(by_body.get(2), Some(0));
        // Offered with a preference: page 3 takes page 0's place.
        let mut asked = None;
        assert!(!by_body.offer(3, |j| {
            asked = Some(j);
            true
        }));
        assert_eq!(asked, Some(0));
        assert_eq!((by_body.get(0), by_body.get(2)), (Some(3), Some(3)));
        assert_eq!(by_body.get(1), Some(1));
        assert_eq!(by_body.get(4), None);
    }

    #[test]
    fn pages_with_equal_keys_are_one_entry() {
        keyed_answers(super::DefaultHasher::default());
    }

    #[test]
    fn pages_with_colliding_keys_are_told_apart() {
        keyed_answers(Collide);
    }
}
