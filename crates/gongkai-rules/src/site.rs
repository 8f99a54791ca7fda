//! The site model the rules read: every page of one run with its outcome and page model, and every
//! link. Built by the store from SQLite (`gongkai_store::Store::load_site`), or directly in tests.
//!
//! Every link is held once, in [`Site::links`]: models loaded from the store carry no links (see
//! [`Site::take_model_links`]); the rules reach a page's links through the site model's index.

use gongkai_crawl::FetchOutcome;
use gongkai_page::{LinkKind, PageModel, SkipReason};
use serde::{Deserialize, Serialize};

/// One fetched URL of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SitePage {
    /// Store id of the fetch record (evidence reference); 0 in tests.
    pub fetch_id: i64,
    /// Requested (normalised) URL.
    pub url: String,
    pub final_url: String,
    pub status: Option<u16>,
    pub outcome: FetchOutcome,
    pub content_type: Option<String>,
    /// RFC 3339 UTC.
    pub fetched_at: String,
    pub depth: u32,
    /// True for pages crawled in scope (parsed), false for link targets only checked.
    pub crawled: bool,
    /// Page model for parsed HTML pages (also for checked targets whose first bytes were HTML,
    /// so soft-404s can be told); None otherwise. Models loaded from the store carry no links
    /// (`model.links` is empty): use [`Site::links`].
    pub model: Option<PageModel>,
    /// sha256 of the stored body, hex.
    pub body_sha256: Option<String>,
}

/// One link from a crawled page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteLink {
    pub source_url: String,
    /// Normalised absolute target; None for skipped links (mailto: ...).
    pub target_url: Option<String>,
    pub kind: LinkKind,
    /// Element and attribute, e.g. `a[href]`, `img[src]`.
    pub element: String,
    pub anchor: String,
    /// Why the link is not fetched, if it is not (`tel:` links are [`SkipReason::Tel`]).
    #[serde(default)]
    pub skip: Option<SkipReason>,
    /// Index in [`Site::pages`] of the page the link is on, when known (the store sets it, so
    /// two pages answering under one URL keep their own links); None: the first page whose URL
    /// is `source_url`.
    #[serde(default)]
    pub source_page: Option<usize>,
}

/// Everything the rules see of one run.
///
/// Each link is held once, here: models loaded from the store carry no links; use
/// [`Site::links`] (the rules index them by source page).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Site {
    pub run_id: i64,
    /// Start URLs of the run.
    pub start_urls: Vec<String>,
    pub pages: Vec<SitePage>,
    /// Links of crawled pages, in page order.
    pub links: Vec<SiteLink>,
    /// Soft-404 probe answers per origin ("http://host:port" → page of the random path).
    pub soft404_probes: Vec<SitePage>,
}

impl Site {
    /// Moves the links out of the page models into [`Site::links`] (crawled pages' links are
    /// appended in page order; other pages' model links are dropped, the rules never read them),
    /// so that every link is held once. `gongkai_store::Store::load_site` calls it; models keep
    /// everything else.
    pub fn take_model_links(&mut self) {
        let total: usize = self
            .pages
            .iter()
            .filter(|p| p.crawled)
            .filter_map(|p| p.model.as_ref())
            .map(|m| m.links.len())
            .sum();
        self.links.reserve(total);
        for (i, p) in self.pages.iter_mut().enumerate() {
            let Some(m) = p.model.as_mut() else {
                continue;
            };
            let links = std::mem::take(&mut m.links);
            if !p.crawled {
                continue;
            }
            self.links.extend(links.into_iter().map(|l| {
                let tel = l.raw.trim_start().starts_with("tel:");
                SiteLink {
                    source_url: p.url.clone(),
                    target_url: l.url,
                    kind: l.kind,
                    element: l.element,
                    anchor: l.anchor,
                    skip: l.skip.or(tel.then_some(SkipReason::Tel)),
                    source_page: Some(i),
                }
            }));
        }
    }
}
