//! A compact table of a site's links: grouped by source page, every string (target, anchor,
//! hidden reason) held once in one buffer and named by a `u32` id, the element (`a[href]` ...)
//! an index into a short list of its own, packed with kind / skip / region into one word — 12
//! bytes a link, where a [`crate::SiteLink`] takes about 110 plus its shared strings' reference
//! counts. A 20,000-page portal has close to a million links, a 100,000-page one 4.6 million.
//!
//! Most of them are the template's navigation, repeated identically on every page; so a page's
//! links are cut into short runs and each distinct run is stored once: a page keeps the ids of
//! its runs (4 bytes a run), and the header and footer of 100,000 pages cost one copy each.
//! Links keep one virtual numbering (page order, then link order), as if stored one by one.

use crate::model::{LinkKind, LinkRegion, SkipReason};
use crate::site::SiteLink;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::BuildHasher;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Packed {
    target: u32,
    anchor: u32,
    bits: u32,
}

/// Distinct elements a table holds: the extractor writes a few (`a[href]`, `img[src]` ...); a
/// stored table edited by hand could name more, and those past the limit share the last index.
const MAX_ELEMENTS: u32 = 1 << 24;

/// Longest run: a long list of links without a cut still gets cut, so that one changed link
/// costs a short run, not the whole list.
const MAX_RUN: usize = 64;

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
    /// True when a run ends after this link. The cut depends on the link alone (about one link
    /// in eight), not on its position, so the same navigation after a header of a different
    /// length is cut at the same places and its runs are shared.
    fn ends_run(self) -> bool {
        let h = self.target.wrapping_mul(0x9E37_79B1)
            ^ self.anchor.wrapping_mul(0x85EB_CA77)
            ^ self.bits.wrapping_mul(0xC2B2_AE3D);
        h >> 29 == 0
    }
}

/// The links of a site's pages, grouped by page (see the module doc). Build it with
/// [`LinkTableBuilder`] (or [`LinkTable::from_site_links`] from hand-made links).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkTable {
    strings: Strings,
    /// The distinct elements (`a[href]`, `img[src]` ...), by first use.
    elements: Vec<Box<str>>,
    /// The links of every distinct run, run after run.
    words: Vec<Packed>,
    /// Run `r` is `words[run_start[r]..run_start[r + 1]]` (the last run ends at the end).
    run_start: Vec<u32>,
    /// The run ids of every page, page after page.
    page_runs: Vec<u32>,
    /// Runs of page `i` are `page_runs[page_run_start[i]..page_run_start[i + 1]]`.
    page_run_start: Vec<u32>,
    /// Links of page `i` have the indices `page_start[i]..page_start[i + 1]`; pages past the end
    /// have none.
    page_start: Vec<u32>,
    /// (link index, hidden reason), in link order: few links are hidden, so they are kept aside
    /// (and a hidden link's run can still be shared).
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
        self.page_start.last().map_or(0, |&n| n as usize)
    }

    /// True when there are no links.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Links held after sharing: the links of the distinct runs (at most [`Self::len`]).
    pub fn stored_links(&self) -> usize {
        self.words.len()
    }

    /// Number of distinct runs held.
    pub fn stored_runs(&self) -> usize {
        self.run_start.len()
    }

    /// The range of link indices of page `page` (empty for a page without links).
    pub fn range_of(&self, page: usize) -> std::ops::Range<usize> {
        match (self.page_start.get(page), self.page_start.get(page + 1)) {
            (Some(&a), Some(&b)) if a <= b => a as usize..b as usize,
            _ => 0..0,
        }
    }

    /// The links of run `r`.
    fn run(&self, r: u32) -> &[Packed] {
        let r = r as usize;
        let end = self
            .run_start
            .get(r + 1)
            .map_or(self.words.len(), |&e| e as usize);
        let start = self.run_start.get(r).map_or(end, |&s| s as usize);
        self.words.get(start..end).unwrap_or_default()
    }

    /// The run ids of page `page`.
    fn runs_of(&self, page: usize) -> &[u32] {
        let s = &self.page_run_start;
        match (s.get(page), s.get(page + 1)) {
            (Some(&a), Some(&b)) => self.page_runs.get(a as usize..b as usize),
            _ => None,
        }
        .unwrap_or_default()
    }

    /// The links on page `page`, in page order.
    pub fn links_of(&self, page: usize) -> impl Iterator<Item = LinkRef<'_>> + '_ {
        let range = self.range_of(page);
        // The hidden links of the page, walked alongside its links (no search per link).
        let first = self
            .hidden
            .partition_point(|&(k, _)| (k as usize) < range.start);
        let mut hidden = self.hidden[first..].iter().peekable();
        self.runs_of(page)
            .iter()
            .flat_map(move |&r| self.run(r))
            .zip(range)
            .map(move |(l, n)| {
                while hidden.next_if(|&&(k, _)| (k as usize) < n).is_some() {}
                let h = hidden.next_if(|&&(k, _)| k as usize == n);
                self.link_ref(*l, page, h.map(|&(_, h)| self.strings.get(h)))
            })
    }

    /// Every link, grouped by page in page order.
    pub fn iter(&self) -> impl Iterator<Item = LinkRef<'_>> + '_ {
        (0..self.page_start.len().saturating_sub(1)).flat_map(move |p| self.links_of(p))
    }

    /// Link `l`, on page `page`, hidden for the reason `hidden` if any.
    fn link_ref<'a>(&'a self, l: Packed, page: usize, hidden: Option<&'a str>) -> LinkRef<'a> {
        let opt = |id: u32| (id != NONE).then(|| self.strings.get(id));
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

    /// The link with index `n` (as [`Self::range_of`] counts), with its page.
    pub fn get(&self, n: usize) -> Option<LinkRef<'_>> {
        if n >= self.len() {
            return None;
        }
        // The page is the last whose start is at or before `n` among pages with links.
        let page = self
            .page_start
            .partition_point(|&s| s as usize <= n)
            .checked_sub(1)?;
        let mut off = n.checked_sub(self.range_of(page).start)?;
        let mut link = None;
        for &r in self.runs_of(page) {
            let run = self.run(r);
            match run.get(off) {
                Some(&l) => {
                    link = Some(l);
                    break;
                }
                None => off -= run.len(),
            }
        }
        let hidden = self
            .hidden
            .binary_search_by_key(&(n as u32), |&(k, _)| k)
            .ok()
            .map(|h| self.strings.get(self.hidden[h].1));
        Some(self.link_ref(link?, page, hidden))
    }

    /// The string ids of page `page`'s link targets, in link order (skipped links, which have
    /// none, left out): for counting targets over many pages by id instead of by text.
    pub fn target_ids_of(&self, page: usize) -> impl Iterator<Item = u32> + '_ {
        self.runs_of(page)
            .iter()
            .flat_map(move |&r| self.run(r))
            .map(|l| l.target)
            .filter(|&t| t != NONE)
    }

    /// The text of string `id` (a target id of [`Self::target_ids_of`]).
    pub fn target(&self, id: u32) -> &str {
        self.strings.get(id)
    }

    /// True when some link target holds `c` (every stored run is some page's, so the distinct
    /// runs hold every target).
    pub fn any_target_contains(&self, c: char) -> bool {
        self.words
            .iter()
            .any(|l| l.target != NONE && self.strings.get(l.target).contains(c))
    }

    /// Every distinct anchor text, sorted.
    ///
    /// Every stored run is some page's, so the distinct runs hold every anchor: their links
    /// (1.3 million of 4.6 million at 100,000 pages) mark the anchors' string ids in a bit set of
    /// one bit a string. Neither a set of the texts nor a list of every link's anchor is built
    /// (a hash set of them was a 4–5 MB passing peak at 100,000 pages, built by three checks).
    pub fn distinct_anchors(&self) -> Vec<&str> {
        let strings = self.strings.ends.len();
        let mut seen = vec![0u64; strings.div_ceil(64)];
        for l in &self.words {
            let id = l.anchor as usize;
            if id < strings {
                seen[id / 64] |= 1 << (id % 64);
            }
        }
        let mut v: Vec<&str> =
            Vec::with_capacity(seen.iter().map(|w| w.count_ones() as usize).sum());
        for (w, &bits) in seen.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let id = w * 64 + bits.trailing_zeros() as usize;
                v.push(self.strings.get(id as u32));
                bits &= bits - 1;
            }
        }
        v.sort_unstable();
        // Interned strings are distinct; a table read back from JSON need not be.
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
/// push that page's links, then [`Self::finish`]. The maps that share strings and runs live only
/// while building, and hold ids, not copies.
#[derive(Debug, Default)]
pub struct LinkTableBuilder {
    table: LinkTable,
    /// Links pushed so far (the next link's index).
    count: u32,
    /// The links of the run being pushed (not yet in the table).
    open: Vec<Packed>,
    /// The stored runs' ids, by a hash of their links: the links themselves are only in the
    /// table, so the map adds a few bytes a run, not a copy of every link.
    runs: hashbrown::HashTable<u32>,
    /// Random seeds, so that a hostile site cannot make runs or strings collide on purpose
    /// (foldhash: SipHash was a fifth of a load's interning, which hashes every link of every
    /// page).
    hasher: foldhash::fast::RandomState,
    /// The stored strings' ids, by a hash of the string (held only in the table's buffer).
    ids: hashbrown::HashTable<u32>,
    /// Element ids by name (a handful: `a[href]`, `img[src]` ...), with a fast hasher: every
    /// link of a load is looked up here.
    element_ids: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
}

impl LinkTableBuilder {
    /// Starts the links of page `page` (pages skipped in between get none). Pages must come in
    /// increasing order; a page already started is continued.
    pub fn start_page(&mut self, page: usize) {
        self.close_run();
        let t = &mut self.table;
        while t.page_start.len() <= page {
            t.page_start.push(self.count);
            t.page_run_start.push(t.page_runs.len() as u32);
        }
    }

    /// Room for about `links` more links. Shared runs make the table far smaller than its
    /// links (4.6 million links of 100,000 pages are 1.3 million held), so this reserves only
    /// the pages' run ids, at a guess of four links a run (three on the benchmark portal: its
    /// regions change often); the distinct links grow as they come, and [`Self::finish`] trims
    /// every list.
    pub fn reserve(&mut self, links: usize) {
        self.table.page_runs.reserve_exact(links / 4);
    }

    /// Room for `pages` more pages (their link and run starts), so that those lists are not
    /// doubled past the site's size.
    pub fn reserve_pages(&mut self, pages: usize) {
        self.table.page_start.reserve_exact(pages + 1);
        self.table.page_run_start.reserve_exact(pages + 1);
    }

    /// Appends a link to the page last started (its `source_page` is not read).
    pub fn push(&mut self, l: &LinkRef<'_>) {
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
            self.table.hidden.push((self.count, h));
        }
        self.count = self.count.wrapping_add(1);
        // Runs are cut where the region changes (header, content, footer differ in how often
        // they repeat), where the link says so, and at the longest run.
        if self
            .open
            .last()
            .is_some_and(|o| o.region() != packed.region())
        {
            self.close_run();
        }
        self.open.push(packed);
        if packed.ends_run() || self.open.len() >= MAX_RUN {
            self.close_run();
        }
    }

    /// Ends the open run: the page gets the id of an equal stored run, or of the run now stored.
    fn close_run(&mut self) {
        if self.open.is_empty() {
            return;
        }
        let t = &mut self.table;
        let hash = self.hasher.hash_one(&self.open[..]);
        let found = self.runs.find(hash, |&r| t.run(r) == &self.open[..]);
        let id = match found {
            Some(&id) => id,
            None => {
                let id = t.run_start.len() as u32;
                grow_vec(&mut t.run_start, 1);
                t.run_start.push(t.words.len() as u32);
                grow_vec(&mut t.words, self.open.len());
                t.words.extend_from_slice(&self.open);
                let (t, hasher) = (&*t, &self.hasher);
                self.runs
                    .insert_unique(hash, id, |&r| hasher.hash_one(t.run(r)));
                id
            }
        };
        grow_vec(&mut self.table.page_runs, 1);
        self.table.page_runs.push(id);
        self.open.clear();
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
        let hash = self.hasher.hash_one(s);
        let t = &mut self.table.strings;
        if let Some(&id) = self.ids.find(hash, |&id| t.get(id) == s) {
            return id;
        }
        let id = t.ends.len() as u32;
        if t.buf.len() + s.len() > t.buf.capacity() {
            t.buf
                .reserve_exact((t.buf.capacity() / 4).max(s.len()).max(4096));
        }
        t.buf.push_str(s);
        grow_vec(&mut t.ends, 1);
        t.ends.push(t.buf.len() as u64);
        let (t, hasher) = (&*t, &self.hasher);
        self.ids
            .insert_unique(hash, id, |&id| hasher.hash_one(t.get(id)));
        id
    }

    /// The table, for a site of `pages` pages.
    pub fn finish(mut self, pages: usize) -> LinkTable {
        self.start_page(pages);
        let t = &mut self.table;
        // A page started at or past `pages` still ends where its links do.
        if t.page_start.last() != Some(&self.count) {
            t.page_start.push(self.count);
            t.page_run_start.push(t.page_runs.len() as u32);
        }
        t.words.shrink_to_fit();
        t.run_start.shrink_to_fit();
        t.page_runs.shrink_to_fit();
        t.page_run_start.shrink_to_fit();
        t.elements.shrink_to_fit();
        t.page_start.shrink_to_fit();
        t.hidden.shrink_to_fit();
        t.strings.buf.shrink_to_fit();
        t.strings.ends.shrink_to_fit();
        self.table
    }
}

/// Makes room for `more` items in `v`, growing it by a quarter instead of doubling. The table's
/// lists grow until the last page is loaded, which is when loading a site peaks: doubled, they
/// held up to twice what they needed at that moment (17 MB of 57 at 100,000 pages; trimmed only
/// after, by [`LinkTableBuilder::finish`]).
fn grow_vec<T>(v: &mut Vec<T>, more: usize) {
    if v.len() + more > v.capacity() {
        v.reserve_exact((v.capacity() / 4).max(more).max(1024));
    }
}

#[cfg(test)]
mod tests;
