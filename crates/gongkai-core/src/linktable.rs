//! A compact table of a site's links: grouped by source page, every string (target, anchor,
//! hidden reason) held once in one buffer and named by a `u32` id, the element (`a[href]` ...)
//! an index into a short list of its own, packed with kind / skip / region into one word — 12
//! bytes a link, where a [`crate::SiteLink`] takes about 110 plus its shared strings' reference
//! counts. A 20,000-page portal has close to a million links, a 100,000-page one 4.6 million.

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

/// One link, its strings by id; `bits` is the element's index in [`LinkTable::elements`] (high
/// 24 bits), then the kind (3 bits), skip reason + 1 or 0 (3 bits) and region (2 bits).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Packed {
    target: u32,
    anchor: u32,
    bits: u32,
}

/// Distinct elements a table holds: the extractor writes a few (`a[href]`, `img[src]` ...); a
/// stored table edited by hand could name more, and those past the limit share the last index.
const MAX_ELEMENTS: u32 = 1 << 24;

impl Packed {
    fn element(self) -> usize {
        (self.bits >> 8) as usize
    }
    fn kind(self) -> LinkKind {
        KINDS[((self.bits >> 5) & 0b111) as usize % KINDS.len()]
    }
    fn skip(self) -> Option<SkipReason> {
        let s = ((self.bits >> 2) & 0b111) as usize;
        s.checked_sub(1).map(|s| SKIPS[s.min(SKIPS.len() - 1)])
    }
    fn region(self) -> LinkRegion {
        REGIONS[(self.bits & 0b11) as usize]
    }
}

/// The links of a site's pages, grouped by page (see the module doc). Build it with
/// [`LinkTableBuilder`] (or [`LinkTable::from_site_links`] from hand-made links).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkTable {
    strings: Strings,
    /// The distinct elements (`a[href]`, `img[src]` ...), by first use.
    elements: Vec<Box<str>>,
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
            kind: l.kind(),
            element: self.elements.get(l.element()).map_or("", |e| e),
            anchor: self.strings.get(l.anchor),
            skip: l.skip(),
            region: l.region(),
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
    element_ids: HashMap<Box<str>, u32>,
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

    /// Room for `links` more links, so that a large site's table is allocated once instead of
    /// doubling (a doubling copy of 4.6 million links was the peak of loading 100,000 pages).
    pub fn reserve(&mut self, links: usize) {
        self.table.links.reserve_exact(links);
    }

    /// Appends a link to the page last started (its `source_page` is not read).
    pub fn push(&mut self, l: &LinkRef<'_>) {
        let n = self.table.links.len() as u32;
        let target = l.target_url.map_or(NONE, |t| self.intern(t));
        let element = self.element(l.element);
        let packed = Packed {
            target,
            anchor: self.intern(l.anchor),
            bits: element << 8
                | u32::from(code_of(&KINDS, &l.kind)) << 5
                | u32::from(l.skip.map_or(0, |s| code_of(&SKIPS, &s) + 1)) << 2
                | u32::from(code_of(&REGIONS, &l.region)),
        };
        if let Some(h) = l.hidden {
            let h = self.intern(h);
            self.table.hidden.push((n, h));
        }
        self.table.links.push(packed);
    }

    fn element(&mut self, e: &str) -> u32 {
        if let Some(&id) = self.element_ids.get(e) {
            return id;
        }
        let elements = &mut self.table.elements;
        if elements.len() as u32 >= MAX_ELEMENTS {
            return MAX_ELEMENTS - 1;
        }
        let id = elements.len() as u32;
        elements.push(e.into());
        self.element_ids.insert(e.into(), id);
        id
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
        t.elements.shrink_to_fit();
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

    #[test]
    fn every_kind_skip_and_region_survives_packing() {
        assert_eq!(std::mem::size_of::<Packed>(), 12);
        let mut b = LinkTableBuilder::default();
        b.reserve(KINDS.len() * (SKIPS.len() + 1) * REGIONS.len());
        b.start_page(0);
        let mut want = Vec::new();
        for (k, kind) in KINDS.iter().enumerate() {
            for skip in std::iter::once(None).chain(SKIPS.iter().copied().map(Some)) {
                for region in REGIONS {
                    let element = ["a[href]", "img[src]", "iframe[src]"][k % 3];
                    let l = LinkRef {
                        source_page: 0,
                        target_url: Some("http://x/"),
                        kind: *kind,
                        element,
                        anchor: "a",
                        skip,
                        region,
                        hidden: None,
                    };
                    b.push(&l);
                    want.push(l);
                }
            }
        }
        let t = b.finish(1);
        assert_eq!(t.links_of(0).collect::<Vec<_>>(), want);
        assert_eq!(t.elements.len(), 3);
    }
}
