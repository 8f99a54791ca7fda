//! A compact table of a site's links: grouped by source page, every string (target, anchor,
//! element, hidden reason) held once in one buffer and named by a `u32` id, kind / skip / region
//! packed in a byte each — 16 bytes a link, where a [`crate::SiteLink`] takes about 110 plus its
//! shared strings' reference counts. A 20,000-page portal has close to a million links.

use crate::model::{LinkKind, LinkRegion, SkipReason};
use crate::site::SiteLink;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// "No string" (a skipped link's target, a visible link's hidden reason).
const NONE: u32 = u32::MAX;

/// Every string once, in one buffer: string `id` is `buf[ends[id - 1]..ends[id]]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Strings {
    buf: String,
    /// Byte offsets: 64-bit, so that a hostile site's long URLs cannot wrap them (the ids
    /// stay 32-bit: a run has at most a few million links).
    ends: Vec<u64>,
}

impl Strings {
    fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 {
            0
        } else {
            self.ends[id - 1] as usize
        };
        &self.buf[start..self.ends[id] as usize]
    }
}

/// One link, its strings by id.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Packed {
    target: u32,
    anchor: u32,
    element: u32,
    kind: u8,
    skip: u8,
    region: u8,
}

/// The links of a site's pages, grouped by page (see the module doc). Build it with
/// [`LinkTableBuilder`] (or [`LinkTable::from_site_links`] from hand-made links).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkTable {
    strings: Strings,
    links: Vec<Packed>,
    /// Links of page `i` are `links[page_start[i]..page_start[i + 1]]`; pages past the end have
    /// none.
    page_start: Vec<u32>,
    /// (link index, hidden reason), in link order: few links are hidden, so they are kept aside.
    hidden: Vec<(u32, u32)>,
}

/// One link of a [`LinkTable`], borrowed: the fields of [`SiteLink`] a check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRef<'a> {
    /// Index of the page the link is on (in [`crate::Site::pages`]).
    pub source_page: usize,
    /// Normalised absolute target; None for skipped links (mailto: ...).
    pub target_url: Option<&'a str>,
    /// What kind of reference it is.
    pub kind: LinkKind,
    /// Element and attribute, e.g. `a[href]`, `img[src]`.
    pub element: &'a str,
    /// Anchor text (or `alt` / `title`), whitespace-collapsed.
    pub anchor: &'a str,
    /// Why the link is not fetched, if it is not.
    pub skip: Option<SkipReason>,
    /// Where on its page the link sits.
    pub region: LinkRegion,
    /// Why the link is hidden from readers by CSS, if it is.
    pub hidden: Option<&'a str>,
}

impl LinkTable {
    /// Number of links.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// True when there are no links.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// The range of link indices of page `page` (empty for a page without links).
    pub fn range_of(&self, page: usize) -> std::ops::Range<usize> {
        match (self.page_start.get(page), self.page_start.get(page + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    /// The links on page `page`, in page order.
    pub fn links_of(&self, page: usize) -> impl Iterator<Item = LinkRef<'_>> + '_ {
        self.range_of(page).map(move |n| self.link_at(n, page))
    }

    /// Every link, grouped by page in page order.
    pub fn iter(&self) -> impl Iterator<Item = LinkRef<'_>> + '_ {
        (0..self.page_start.len().saturating_sub(1)).flat_map(move |p| self.links_of(p))
    }

    /// Link `n` (an index from [`Self::range_of`]), on page `page`.
    fn link_at(&self, n: usize, page: usize) -> LinkRef<'_> {
        let l = &self.links[n];
        let opt = |id: u32| (id != NONE).then(|| self.strings.get(id));
        let hidden = self
            .hidden
            .binary_search_by_key(&(n as u32), |&(k, _)| k)
            .ok()
            .map(|h| self.strings.get(self.hidden[h].1));
        LinkRef {
            source_page: page,
            target_url: opt(l.target),
            kind: KINDS[usize::from(l.kind)],
            element: self.strings.get(l.element),
            anchor: self.strings.get(l.anchor),
            skip: usize::from(l.skip)
                .checked_sub(1)
                .map(|s| SKIPS[s.min(SKIPS.len() - 1)]),
            region: REGIONS[usize::from(l.region)],
            hidden,
        }
    }

    /// The link with index `n` (as [`Self::range_of`] and [`Self::index`] count), with its page.
    pub fn get(&self, n: usize) -> Option<LinkRef<'_>> {
        if n >= self.links.len() {
            return None;
        }
        // The page is the last whose start is at or before `n` among pages with links.
        let page = self.page_start.partition_point(|&s| s as usize <= n) - 1;
        Some(self.link_at(n, page))
    }

    /// Every distinct anchor text, sorted.
    pub fn distinct_anchors(&self) -> Vec<&str> {
        let mut ids: Vec<u32> = self.links.iter().map(|l| l.anchor).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut v: Vec<&str> = ids.into_iter().map(|id| self.strings.get(id)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// A table of hand-made links (tests, in-memory sites): each link belongs to its
    /// `source_page`, else to the first page of `page_urls` whose URL is its `source_url`; links
    /// of no known page are dropped. Page order first, then link order.
    pub fn from_site_links(page_urls: &[&str], links: &[SiteLink]) -> Self {
        let n = page_urls.len();
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, u) in page_urls.iter().enumerate() {
            first.entry(u).or_insert(i);
        }
        let mut by_page: Vec<Vec<&SiteLink>> = vec![Vec::new(); n];
        for l in links {
            let src = match l.source_page {
                Some(i) => (i < n).then_some(i),
                None => first.get(&*l.source_url).copied(),
            };
            if let Some(i) = src {
                by_page[i].push(l);
            }
        }
        let mut b = LinkTableBuilder::default();
        for (i, ls) in by_page.into_iter().enumerate() {
            b.start_page(i);
            for l in ls {
                b.push(&LinkRef {
                    source_page: i,
                    target_url: l.target_url.as_deref(),
                    kind: l.kind,
                    element: &l.element,
                    anchor: &l.anchor,
                    skip: l.skip,
                    region: l.region,
                    hidden: l.hidden.as_deref(),
                });
            }
        }
        b.finish(n)
    }
}

const KINDS: [LinkKind; 7] = [
    LinkKind::Page,
    LinkKind::Image,
    LinkKind::Attachment,
    LinkKind::Script,
    LinkKind::Style,
    LinkKind::Frame,
    LinkKind::Media,
];
const SKIPS: [SkipReason; 7] = [
    SkipReason::Mailto,
    SkipReason::Tel,
    SkipReason::Javascript,
    SkipReason::Data,
    SkipReason::BareFragment,
    SkipReason::OtherScheme,
    SkipReason::Malformed,
];
const REGIONS: [LinkRegion; 4] = [
    LinkRegion::Content,
    LinkRegion::Related,
    LinkRegion::Chrome,
    LinkRegion::Other,
];

fn code_of<T: PartialEq>(all: &[T], v: &T) -> u8 {
    all.iter().position(|x| x == v).unwrap_or(0) as u8
}

/// Builds a [`LinkTable`] page by page: call [`Self::start_page`] with increasing page indices,
/// push that page's links, then [`Self::finish`]. The map that shares strings lives only while
/// building.
#[derive(Debug, Default)]
pub struct LinkTableBuilder {
    table: LinkTable,
    ids: HashMap<Box<str>, u32>,
}

impl LinkTableBuilder {
    /// Starts the links of page `page` (pages skipped in between get none). Pages must come in
    /// increasing order; a page already started is continued.
    pub fn start_page(&mut self, page: usize) {
        let n = self.table.links.len() as u32;
        while self.table.page_start.len() <= page {
            self.table.page_start.push(n);
        }
    }

    /// Appends a link to the page last started (its `source_page` is not read).
    pub fn push(&mut self, l: &LinkRef<'_>) {
        let n = self.table.links.len() as u32;
        let target = l.target_url.map_or(NONE, |t| self.intern(t));
        let packed = Packed {
            target,
            anchor: self.intern(l.anchor),
            element: self.intern(l.element),
            kind: code_of(&KINDS, &l.kind),
            skip: l.skip.map_or(0, |s| code_of(&SKIPS, &s) + 1),
            region: code_of(&REGIONS, &l.region),
        };
        if let Some(h) = l.hidden {
            let h = self.intern(h);
            self.table.hidden.push((n, h));
        }
        self.table.links.push(packed);
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let t = &mut self.table.strings;
        let id = t.ends.len() as u32;
        t.buf.push_str(s);
        t.ends.push(t.buf.len() as u64);
        self.ids.insert(s.into(), id);
        id
    }

    /// The table, for a site of `pages` pages.
    pub fn finish(mut self, pages: usize) -> LinkTable {
        self.start_page(pages);
        let t = &mut self.table;
        t.links.shrink_to_fit();
        t.page_start.shrink_to_fit();
        t.hidden.shrink_to_fit();
        t.strings.buf.shrink_to_fit();
        t.strings.ends.shrink_to_fit();
        self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn link(src: &str, target: Option<&str>, anchor: &str) -> SiteLink {
        SiteLink {
            source_url: Arc::from(src),
            target_url: target.map(Arc::from),
            kind: LinkKind::Attachment,
            element: Arc::from("a[href]"),
            anchor: Arc::from(anchor),
            skip: target.is_none().then_some(SkipReason::Tel),
            source_page: None,
            region: LinkRegion::Related,
            hidden: None,
        }
    }

    #[test]
    fn links_come_back_by_page_with_their_fields() {
        let mut hidden = link("b", Some("x"), "暗");
        hidden.hidden = Some("display:none".into());
        hidden.source_page = Some(2);
        let links = [
            link("b", Some("x"), "一"),
            link("a", None, "电话"),
            hidden,
            link("nowhere", Some("y"), "丢"),
            link("a", Some("x"), "二"),
        ];
        let t = LinkTable::from_site_links(&["a", "b", "b"], &links);
        assert_eq!(t.len(), 4, "the link of no known page is dropped");
        let a: Vec<_> = t.links_of(0).collect();
        assert_eq!(a.len(), 2);
        assert_eq!((a[0].anchor, a[0].target_url), ("电话", None));
        assert_eq!(a[0].skip, Some(SkipReason::Tel));
        assert_eq!((a[1].anchor, a[1].target_url), ("二", Some("x")));
        assert_eq!(a[1].kind, LinkKind::Attachment);
        assert_eq!(a[1].region, LinkRegion::Related);
        assert_eq!(a[1].element, "a[href]");
        let b: Vec<_> = t.links_of(1).collect();
        assert_eq!((b.len(), b[0].anchor, b[0].hidden), (1, "一", None));
        let c: Vec<_> = t.links_of(2).collect();
        assert_eq!((c[0].hidden, c[0].source_page), (Some("display:none"), 2));
        assert_eq!(t.links_of(9).count(), 0);
        assert_eq!(t.get(2).map(|l| l.anchor), Some("一"));
        assert_eq!(t.get(3).map(|l| l.source_page), Some(2));
        assert_eq!(t.iter().count(), 4);
        assert_eq!(t.distinct_anchors(), ["一", "二", "暗", "电话"]);
    }
}
