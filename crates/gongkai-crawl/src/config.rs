//! Crawl settings, with the polite defaults a government server expects.

use std::time::Duration;

/// Everything the crawler needs to know about one scan.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Normalised absolute start URLs; their origins are the crawl scope.
    pub start_urls: Vec<url::Url>,
    /// Further hosts whose pages are crawled (not only checked), e.g. a department subdomain.
    pub extra_hosts: Vec<String>,
    /// URL prefixes never fetched (site config `exclude`).
    pub excludes: Vec<String>,
    /// Requests per second per host (host:port). `None` = unlimited (benchmarks, local tests).
    pub rate: Option<f64>,
    /// Requests in flight across all hosts.
    pub concurrency: usize,
    /// Requests in flight to one host.
    pub per_host_concurrency: usize,
    /// Crawled (parsed) pages at most.
    pub max_pages: usize,
    /// Link checks (out-of-scope targets, attachments, images) at most.
    pub max_checks: usize,
    /// Clicks from a start URL; all pages of one column list share the depth of its first page.
    pub max_depth: u32,
    pub max_url_len: usize,
    /// Distinct query strings per path before further variants are skipped (calendar traps).
    /// List items and pager pages are not counted (they are bounded by the lists themselves).
    pub max_query_variants: usize,
    /// Pages of one pager chain (下一页 → 下一页 …) before the rest is treated as a trap.
    pub max_pagination_chain: u32,
    pub user_agent: String,
    /// Product token matched against robots.txt groups.
    pub robots_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Body cap for crawled HTML pages (decompressed bytes).
    pub html_cap: usize,
    /// Bytes read from a checked target (enough to recognise an error page).
    pub check_cap: usize,
    /// Attachments on the crawl's own origins are read in full up to this many bytes (their text
    /// is checked for personal data and classification marks); larger ones are recorded as
    /// "too large" without a body. 0: attachments are only checked, like outside links.
    pub attachment_cap: usize,
    pub max_retries: u32,
    /// Longest Retry-After that is honoured; longer waits give up on the URL.
    pub retry_after_cap: Duration,
    pub max_redirects: usize,
    /// Probe each crawled origin once with a random path to learn its soft-404 answer.
    pub soft404_probe: bool,
    /// Base delay of the exponential backoff.
    pub backoff_base: Duration,
    /// Failed requests (not found, server error, no connection …; not walls) are tried once more
    /// when the crawl is otherwise done, after this pause; `None`: no end-of-run recheck.
    pub recheck_pause: Option<Duration>,
    /// Incremental nights: tonight's plan from the previous run (None: fetch everything).
    pub night: Option<std::sync::Arc<crate::schedule::NightPlan>>,
}

impl CrawlConfig {
    pub fn new(start_urls: Vec<url::Url>) -> Self {
        CrawlConfig {
            start_urls,
            extra_hosts: Vec::new(),
            excludes: Vec::new(),
            rate: Some(2.0),
            concurrency: 16,
            per_host_concurrency: 4,
            // A city portal has some 200,000 pages and as many attachments and outside links.
            max_pages: 250_000,
            max_checks: 1_000_000,
            max_depth: 16,
            max_url_len: 2048,
            max_query_variants: 50,
            max_pagination_chain: 5_000,
            user_agent: format!(
                "gongkai/{} (government transparency checker)",
                env!("CARGO_PKG_VERSION")
            ),
            robots_agent: "gongkai".to_string(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            html_cap: 10 * 1024 * 1024,
            check_cap: 256 * 1024,
            attachment_cap: 20 * 1024 * 1024,
            max_retries: 2,
            retry_after_cap: Duration::from_secs(30),
            max_redirects: 10,
            soft404_probe: true,
            backoff_base: Duration::from_millis(500),
            recheck_pause: None,
            night: None,
        }
    }

    /// Honest User-Agent with a contact, e.g. `gongkai/0.1 (+mailto:web@tengzhou.gov.cn)`.
    pub fn with_contact(mut self, contact: &str) -> Self {
        if !contact.trim().is_empty() {
            self.user_agent = format!(
                "gongkai/{} (government transparency checker; +{})",
                env!("CARGO_PKG_VERSION"),
                contact.trim()
            );
        }
        self
    }
}
