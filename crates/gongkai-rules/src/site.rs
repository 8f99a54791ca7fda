//! The site model the rules read: every page of one run with its outcome and page model, and every
//! link. Built by the store from SQLite (`gongkai_store::Store::load_site`), or directly in tests.

use gongkai_crawl::FetchOutcome;
use gongkai_page::{LinkKind, PageModel};
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
    /// so soft-404s can be told); None otherwise.
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
    pub element: String,
    pub anchor: String,
}

/// Everything the rules see of one run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Site {
    pub run_id: i64,
    /// Start URLs of the run.
    pub start_urls: Vec<String>,
    pub pages: Vec<SitePage>,
    pub links: Vec<SiteLink>,
    /// Soft-404 probe answers per origin ("http://host:port" → page of the random path).
    pub soft404_probes: Vec<SitePage>,
}
