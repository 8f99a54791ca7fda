//! The site model the rules read: every page of one run with its outcome and page model, and every
//! link. Built by the store from SQLite (`gongkai_store::Store::load_site`), or directly in tests.
//!
//! Every link is held once: a site loaded from the store keeps them in its compact
//! [`Site::link_table`] (see [`SiteBuilder`]), a site made by hand in [`Site::links`] (see
//! [`Site::take_model_links`]); models carry none. The rules reach a page's links through the site
//! model, which reads both.

use crate::linktable::{LinkRef, LinkTable, LinkTableBuilder};
use crate::model::{ArcStr, LinkKind, LinkRegion, PageModel, SkipReason};
use crate::outcome::FetchOutcome;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

/// One fetched URL of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SitePage {
    /// Store id of the fetch record (evidence reference); 0 in tests.
    pub fetch_id: i64,
    /// Requested (normalised) URL.
    pub url: ArcStr,
    /// URL after redirects (the same allocation as `url` when there were none, in a loaded site).
    pub final_url: ArcStr,
    /// Last HTTP status (None when no response arrived).
    pub status: Option<u16>,
    /// The classified result of the fetch.
    pub outcome: FetchOutcome,
    /// `Content-Type` of the answer.
    pub content_type: Option<ArcStr>,
    /// RFC 3339 UTC.
    pub fetched_at: ArcStr,
    /// Link depth from the start URLs.
    pub depth: u32,
    /// True for pages crawled in scope (parsed), false for link targets only checked.
    pub crawled: bool,
    /// Page model for parsed HTML pages (also for checked targets whose first bytes were HTML,
    /// so soft-404s can be told); None otherwise. Models loaded from the store carry no links
    /// (`model.links` is empty): use [`Site::links`].
    pub model: Option<Box<PageModel>>,
    /// sha256 of the stored body, hex.
    pub body_sha256: Option<ArcStr>,
}

/// One link from a crawled page. Its strings are shared: a site's links name few distinct URLs,
/// elements and anchors (navigation repeats on every page), so each is held once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteLink {
    #[serde(with = "shared_str")]
    /// The page the link is on.
    pub source_url: Arc<str>,
    /// Normalised absolute target; None for skipped links (mailto: ...).
    #[serde(with = "shared_opt_str")]
    pub target_url: Option<Arc<str>>,
    /// What kind of reference it is.
    pub kind: LinkKind,
    /// Element and attribute, e.g. `a[href]`, `img[src]`.
    #[serde(with = "shared_str")]
    pub element: Arc<str>,
    #[serde(with = "shared_str")]
    /// Anchor text (or `alt` / `title`), whitespace-collapsed.
    pub anchor: Arc<str>,
    /// Why the link is not fetched, if it is not (`tel:` links are [`SkipReason::Tel`]).
    #[serde(default)]
    pub skip: Option<SkipReason>,
    /// Index in [`Site::pages`] of the page the link is on, when known (the store sets it, so
    /// two pages answering under one URL keep their own links); None: the first page whose URL
    /// is `source_url`.
    #[serde(default)]
    pub source_page: Option<usize>,
    /// Where on its page the link sits (content, 相关解读 block, template chrome), as the page
    /// model says ([`gongkai_page::Link::region`]).
    #[serde(default)]
    pub region: LinkRegion,
    /// Why the link is hidden from readers by CSS (`gongkai_page::hidden`), if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
}

/// Everything the rules see of one run.
///
/// Each link is held once, here: models loaded from the store carry no links; use
/// [`Site::links`] (the rules index them by source page).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Site {
    /// Store id of the run.
    pub run_id: i64,
    /// Start URLs of the run.
    pub start_urls: Vec<String>,
    /// Every fetched URL of the run, in fetch order.
    pub pages: Vec<SitePage>,
    /// Links of crawled pages, in page order, as made by hand (tests, in-memory sites).
    pub links: Vec<SiteLink>,
    /// Links of crawled pages, compact and grouped by page: what [`SiteBuilder`] (and so the
    /// store) fills. The rules read both this and [`Site::links`].
    #[serde(default)]
    pub link_table: LinkTable,
    /// Soft-404 probe answers per origin ("http://host:port" → page of the random path).
    pub soft404_probes: Vec<SitePage>,
    /// Attachments of the portal's own origins that were read in full: their text with
    /// locations, or why it could not be read.
    #[serde(default)]
    pub attachments: Vec<SiteAttachment>,
    /// Where the texts of crawled pages are read when the site does not hold them: set (by the
    /// store), the models of crawled pages carry no `text`; use [`Site::page_text`].
    #[serde(skip)]
    pub texts: TextSource,
}

/// Reads the text (`PageModel::text`) of a stored page on demand, so that a large site's texts
/// are never all in memory. Implemented by the store.
pub trait PageTexts: Send + Sync {
    /// The text of the page of fetch `fetch_id`; None when it cannot be read (logged, and
    /// counted in [`PageTexts::failures`]).
    fn text(&self, fetch_id: i64) -> Option<String>;

    /// How many reads failed so far, with the first failure's message: the checks read those
    /// pages as empty, so an evaluation with failures must not be taken as complete.
    fn failures(&self) -> Option<(usize, String)> {
        None
    }
}

/// A site's [`PageTexts`], if its crawled pages' texts are not held in their models.
#[derive(Clone, Default)]
pub struct TextSource(Option<Arc<dyn PageTexts>>);

impl TextSource {
    /// Texts of crawled pages come from `texts`.
    pub fn new(texts: Arc<dyn PageTexts>) -> Self {
        TextSource(Some(texts))
    }

    /// True when texts are read on demand.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// The reads that failed so far ([`PageTexts::failures`]).
    pub fn failures(&self) -> Option<(usize, String)> {
        self.0.as_ref().and_then(|t| t.failures())
    }
}

impl std::fmt::Debug for TextSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_set() {
            "TextSource(on demand)"
        } else {
            "TextSource(in models)"
        })
    }
}

/// One attachment read in full during the run (the store fills these from its extracted texts).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SiteAttachment {
    /// Store id of the fetch record (evidence reference); 0 in tests.
    pub fetch_id: i64,
    /// Requested (normalised) URL: what the linking pages point at.
    pub url: String,
    /// Format code as the extractor names it (`xlsx`, `pdf`, `doc` ...); empty when not read.
    pub format: String,
    /// Why no text could be read (`too-large`, `encrypted`, `no-text`, `corrupt`, `hostile`,
    /// `unsupported`, `timeout`); None when read.
    pub unreadable: Option<String>,
    /// Text was cut at the extraction limit.
    pub cut: bool,
    /// The text, piece by piece, with locations.
    pub chunks: Vec<TextChunk>,
}

/// A piece of an attachment's text and where it is, e.g. `Sheet2!C5`, `第3页`, `表格1 第2行第3列`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextChunk {
    /// Where in the file (sheet and cell, page, paragraph, zip member).
    pub loc: String,
    /// The text found there.
    pub text: String,
}

impl Site {
    /// Moves the links out of the page models into [`Site::links`] (crawled pages' links are
    /// appended in page order; other pages' model links are dropped, the rules never read them),
    /// so that every link is held once. [`SiteBuilder`] does the same page by page.
    pub fn take_model_links(&mut self) {
        let mut strings = Strings::default();
        for (i, p) in self.pages.iter_mut().enumerate() {
            move_links(p, i, &mut self.links, &mut strings);
        }
    }

    /// The text of page `i`'s model: read from [`Site::texts`] for a crawled page when the
    /// site was loaded without texts, else the model's own; empty without a model. Each call
    /// of a site without texts reads the store again: callers keep what they need.
    pub fn page_text(&self, i: usize) -> std::borrow::Cow<'_, str> {
        let Some(p) = self.pages.get(i) else {
            return std::borrow::Cow::Borrowed("");
        };
        let Some(m) = p.model.as_ref() else {
            return std::borrow::Cow::Borrowed("");
        };
        match &self.texts.0 {
            Some(t) if p.crawled => std::borrow::Cow::Owned(t.text(p.fetch_id).unwrap_or_default()),
            _ => std::borrow::Cow::Borrowed(&m.text),
        }
    }

    /// All links of the site in one table: [`Site::link_table`] when [`Site::links`] is empty
    /// (borrowed), else both merged, page by page (built).
    pub fn all_links(&self) -> std::borrow::Cow<'_, LinkTable> {
        if self.links.is_empty() {
            return std::borrow::Cow::Borrowed(&self.link_table);
        }
        let urls: Vec<&str> = self.pages.iter().map(|p| p.url.as_str()).collect();
        let hand = LinkTable::from_site_links(&urls, &self.links);
        let mut b = LinkTableBuilder::default();
        for i in 0..self.pages.len() {
            b.start_page(i);
            for l in self.link_table.links_of(i).chain(hand.links_of(i)) {
                b.push(&l);
            }
        }
        std::borrow::Cow::Owned(b.finish(self.pages.len()))
    }

    /// The links on page `i`, from both [`Site::link_table`] and [`Site::links`].
    pub fn links_on(&self, i: usize) -> Vec<SiteLink> {
        let url = self.pages.get(i).map_or("", |p| p.url.as_str());
        let own = |l: LinkRef<'_>| SiteLink {
            source_url: Arc::from(url),
            target_url: l.target_url.map(Arc::from),
            kind: l.kind,
            element: Arc::from(l.element),
            anchor: Arc::from(l.anchor),
            skip: l.skip,
            source_page: Some(i),
            region: l.region,
            hidden: l.hidden.map(String::from),
        };
        let mut v: Vec<SiteLink> = self.link_table.links_of(i).map(own).collect();
        v.extend(
            self.links
                .iter()
                .filter(|l| {
                    l.source_page.map_or(
                        &*l.source_url == url && self.first_page_of(url) == Some(i),
                        |s| s == i,
                    )
                })
                .cloned(),
        );
        v
    }

    fn first_page_of(&self, url: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.url == url)
    }
}

/// Builds a [`Site`] page by page (what `gongkai_store::Store::load_site` uses): each page's
/// model links go to the compact [`Site::link_table`] as the page is added, so a large crawl
/// never holds its links twice, nor as [`SiteLink`]s.
#[derive(Debug, Default)]
pub struct SiteBuilder {
    site: Site,
    links: LinkTableBuilder,
    /// Shares the strings the pages' models repeat (dropped with the builder).
    strings: crate::strpool::StringPool,
}

impl SiteBuilder {
    /// An empty site of run `run_id`.
    pub fn new(run_id: i64, start_urls: Vec<String>) -> Self {
        SiteBuilder {
            site: Site {
                run_id,
                start_urls,
                ..Site::default()
            },
            links: LinkTableBuilder::default(),
            strings: crate::strpool::StringPool::default(),
        }
    }

    /// Adds a fetched page; the links of its model move to [`Site::link_table`] when it was
    /// crawled and are dropped otherwise.
    pub fn page(&mut self, page: SitePage) {
        self.add_page(page, None);
    }

    /// [`Self::page`] for a crawled page whose links were read apart from its model, shared with
    /// the other pages that have them (the store's loader decodes a template's links once, and
    /// copying each page's links out of its cache was a tenth of a load); `links` go to
    /// [`Site::link_table`], the model's own are dropped.
    pub fn page_with_links(&mut self, page: SitePage, links: &[Arc<crate::model::Link>]) {
        self.add_page(page, Some(links));
    }

    fn add_page(&mut self, mut page: SitePage, shared: Option<&[Arc<crate::model::Link>]>) {
        let i = self.site.pages.len();
        let links = page
            .model
            .as_mut()
            .map(|m| std::mem::take(&mut m.links))
            .unwrap_or_default();
        if page.crawled {
            match shared {
                Some(shared) => self.page_links(i, shared.iter().map(|l| &**l)),
                None => self.page_links(i, links.iter()),
            }
            if self.site.texts.is_set() {
                if let Some(m) = page.model.as_mut() {
                    m.text = String::new();
                    // The term clause's sentence is text too (a quote each of most documents).
                    if let Some(t) = m.term.as_mut() {
                        t.quote = ArcStr::new();
                    }
                }
            }
        }
        // The page's URL goes to the pool before its model: a column lists its articles by URL
        // and an article's `Url` meta tag states its own, so these share the page's copy.
        self.strings.share(&mut page.url);
        if let Some(m) = page.model.as_mut() {
            m.share_strings(&mut self.strings);
        }
        // A site's pages repeat their content types and fetch seconds, and most were not
        // redirected: held once.
        if page.final_url == page.url {
            page.final_url = page.url.clone();
        } else {
            self.strings.share(&mut page.final_url);
        }
        self.strings.share(&mut page.fetched_at);
        self.strings.share_opt(&mut page.content_type);
        self.site.pages.push(page);
    }

    /// Adds links of page `i` (the page most recently added, or the next one to be added).
    fn page_links<'l>(&mut self, i: usize, links: impl Iterator<Item = &'l crate::model::Link>) {
        self.links.start_page(i);
        for l in links {
            let tel = l.raw.trim_start().starts_with("tel:");
            self.links.push(&LinkRef {
                source_page: i,
                target_url: l.url.as_deref(),
                kind: l.kind,
                element: &l.element,
                anchor: &l.anchor,
                skip: l.skip.or(tel.then_some(SkipReason::Tel)),
                region: l.region,
                hidden: l.hidden.as_deref(),
            });
        }
    }

    /// Adds a soft-404 probe answer (its model's links are dropped).
    pub fn probe(&mut self, mut page: SitePage) {
        if let Some(m) = page.model.as_mut() {
            m.links = Vec::new();
            m.share_strings(&mut self.strings);
        }
        self.site.soft404_probes.push(page);
    }

    /// Room for `pages` more pages and probes, so a large site's page list is allocated once.
    pub fn reserve(&mut self, pages: usize) {
        self.site.pages.reserve_exact(pages);
        self.links.reserve_pages(pages);
    }

    /// Room for `links` more links of crawled pages (see [`LinkTableBuilder::reserve`]).
    pub fn reserve_links(&mut self, links: usize) {
        self.links.reserve(links);
    }

    /// From now on crawled pages' texts are dropped as they are added: `texts` reads them
    /// ([`Site::page_text`]).
    pub fn texts_on_demand(&mut self, texts: Arc<dyn PageTexts>) {
        self.site.texts = TextSource::new(texts);
    }

    /// The site, with every link in [`Site::link_table`].
    pub fn finish(mut self) -> Site {
        // The pool's table is the largest thing loading holds besides the site: gone first.
        drop(std::mem::take(&mut self.strings));
        self.site.link_table = self.links.finish(self.site.pages.len());
        self.site.pages.shrink_to_fit();
        self.site
    }
}

/// Interned strings of the links being added.
#[derive(Debug, Default)]
struct Strings(HashSet<Arc<str>>);

impl Strings {
    fn get(&mut self, s: String) -> Arc<str> {
        if let Some(a) = self.0.get(s.as_str()) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(a.clone());
        a
    }
}

/// Moves the links of page `i`'s model to `links` (crawled pages) or drops them.
fn move_links(p: &mut SitePage, i: usize, links: &mut Vec<SiteLink>, strings: &mut Strings) {
    let Some(m) = p.model.as_mut() else {
        return;
    };
    let model_links = std::mem::take(&mut m.links);
    if !p.crawled || model_links.is_empty() {
        return;
    }
    let source = strings.get(p.url.to_string());
    links.extend(model_links.into_iter().map(|l| {
        let tel = l.raw.trim_start().starts_with("tel:");
        SiteLink {
            source_url: source.clone(),
            target_url: l.url.map(|u| strings.get(u)),
            kind: l.kind,
            element: strings.get(l.element),
            anchor: strings.get(l.anchor),
            skip: l.skip.or(tel.then_some(SkipReason::Tel)),
            source_page: Some(i),
            region: l.region,
            hidden: l.hidden,
        }
    }));
}

/// Serde for a shared string field: as a plain string.
mod shared_str {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(d).map(Arc::from)
    }
}

/// Serde for an optional shared string field: as an optional plain string.
mod shared_opt_str {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(v: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
        v.as_deref().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<str>>, D::Error> {
        Option::<String>::deserialize(d).map(|v| v.map(Arc::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, final_url: &str, fetched_at: &str) -> SitePage {
        SitePage {
            fetch_id: 0,
            url: url.into(),
            final_url: final_url.into(),
            status: Some(200),
            outcome: FetchOutcome::Ok,
            content_type: Some("text/html; charset=utf-8".into()),
            fetched_at: fetched_at.into(),
            depth: 1,
            crawled: false,
            model: None,
            body_sha256: None,
        }
    }

    #[test]
    fn a_loaded_page_shares_its_repeated_strings_and_says_the_same() {
        let mut b = SiteBuilder::new(1, vec!["http://x/".into()]);
        b.page(page("http://x/a", "http://x/a", "2025-01-15T00:00:01Z"));
        b.page(page("http://x/b", "http://x/c", "2025-01-15T00:00:01Z"));
        let site = b.finish();
        let [a, r] = &site.pages[..] else {
            panic!("two pages")
        };
        let same = |x: &ArcStr, y: &ArcStr| std::ptr::eq(x.as_ptr(), y.as_ptr());
        assert!(same(&a.url, &a.final_url), "not redirected: one URL");
        assert_eq!(
            (r.url.as_str(), r.final_url.as_str()),
            ("http://x/b", "http://x/c")
        );
        assert!(same(&a.fetched_at, &r.fetched_at));
        assert!(same(
            a.content_type.as_ref().unwrap(),
            r.content_type.as_ref().unwrap()
        ));
        assert_eq!(a.fetched_at, "2025-01-15T00:00:01Z");
    }
}
