//! Per-host politeness state: an even-spacing rate limiter (governor, burst 1), a concurrency
//! cap, a back-off deadline set by Retry-After, and the host's robots.txt.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use crate::frontier::FrontierEntry;
use gongkai_core::FetchPurpose;

/// What is known of a host's robots.txt.
pub enum RobotsState {
    /// Not fetched yet.
    Unknown,
    /// A fetch is in flight.
    Fetching,
    /// Rules to apply (None = everything allowed: 4xx or empty robots.txt).
    Ready(Option<texting_robots::Robot>),
    /// robots.txt answered 5xx (or 429): RFC 9309 says assume complete disallow.
    DisallowAll,
}

/// A queued request with the earliest time it may be sent (retries wait).
pub struct Queued {
    pub entry: FrontierEntry,
    pub attempt: u32,
    pub not_before: Option<Instant>,
}

/// A [`Queued`] as it waits in a host queue: the queue of a large portal holds most of its
/// articles at once (breadth first, lists before their items), so an entry keeps its URL in a
/// boxed string and shares its parent page and column with its siblings instead of carrying a
/// copy each (about half the memory of a [`FrontierEntry`]).
pub struct Waiting {
    url: Box<str>,
    request_body: Option<Box<str>>,
    parent: Option<Arc<str>>,
    column: Option<Arc<str>>,
    method: gongkai_core::Method,
    purpose: FetchPurpose,
    link_kind: Option<gongkai_page::LinkKind>,
    depth: u32,
    attempt: u32,
    not_before: Option<Instant>,
}

/// The last parent and column strings queued, shared by the entries that follow with the same.
#[derive(Default)]
pub struct Interner {
    parent: Option<Arc<str>>,
    column: Option<Arc<str>>,
}

fn share(slot: &mut Option<Arc<str>>, s: Option<String>) -> Option<Arc<str>> {
    let s = s?;
    match slot {
        Some(a) if **a == *s => Some(a.clone()),
        _ => {
            let a: Arc<str> = Arc::from(s);
            *slot = Some(a.clone());
            Some(a)
        }
    }
}

impl Waiting {
    /// Packs `q`, sharing its parent and column with the previous entry when they are equal.
    pub fn pack(q: Queued, interner: &mut Interner) -> Self {
        let Queued {
            entry,
            attempt,
            not_before,
        } = q;
        Waiting {
            url: entry.url.into_boxed_str(),
            request_body: entry.request_body.map(String::into_boxed_str),
            parent: share(&mut interner.parent, entry.parent),
            column: share(&mut interner.column, entry.column),
            method: entry.method,
            purpose: entry.purpose,
            link_kind: entry.link_kind,
            depth: entry.depth,
            attempt,
            not_before,
        }
    }

    /// The request as the fetch task takes it.
    pub fn unpack(self) -> Queued {
        Queued {
            entry: FrontierEntry {
                url: self.url.into_string(),
                method: self.method,
                request_body: self.request_body.map(str::into_string),
                purpose: self.purpose,
                depth: self.depth,
                parent: self.parent.map(|p| p.to_string()),
                link_kind: self.link_kind,
                column: self.column.map(|c| c.to_string()),
            },
            attempt: self.attempt,
            not_before: self.not_before,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn not_before(&self) -> Option<Instant> {
        self.not_before
    }
}

/// Which lane of a [`HostQueue`] a request waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// The next pages of a column list (下一页, numbered pagers, Hanweb batches).
    Lists,
    /// Link checks (attachments, images, out-of-scope pages, the soft-404 probe): requests that
    /// find nothing new.
    Checks,
    /// Everything else: the pages to crawl (articles, columns).
    Rest,
}

impl Lane {
    /// The lane of a request found as `purpose`, `via_pagination` when a list named it as its
    /// next page.
    pub fn of(purpose: FetchPurpose, via_pagination: bool) -> Lane {
        match (via_pagination, purpose) {
            (true, _) => Lane::Lists,
            (false, FetchPurpose::Crawl) => Lane::Rest,
            (false, FetchPurpose::Check | FetchPurpose::Soft404Probe) => Lane::Checks,
        }
    }
}

/// A host's waiting requests in three lanes, each first in, first out, served in this order:
/// - the next pages of column lists: a pager chain is walked one page at a time (each page names
///   the next), so behind thousands of articles a 300-page chain would be left for the end of
///   the crawl and walked there alone, one request in flight, while the host sits idle; walked
///   alongside the articles, it costs no extra time, and a crawl stopped early has seen its lists;
/// - link checks, as soon as a page names them: behind the articles they were all left for the
///   end of the crawl (10,000 of the bench portal's 30,000 requests in its last 1.5 s, with the
///   page analysis done and a core idle), and a crawl stopped early has checked the links of the
///   pages it read;
/// - the pages to crawl.
///
/// Retries go to the front of the checks, behind the next list pages only.
#[derive(Default)]
pub struct HostQueue {
    lists: VecDeque<Waiting>,
    checks: VecDeque<Waiting>,
    rest: VecDeque<Waiting>,
}

impl HostQueue {
    pub fn len(&self) -> usize {
        self.lists.len() + self.checks.len() + self.rest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty() && self.checks.is_empty() && self.rest.is_empty()
    }

    /// The request to send next.
    pub fn front(&self) -> Option<&Waiting> {
        self.lists
            .front()
            .or_else(|| self.checks.front())
            .or_else(|| self.rest.front())
    }

    pub fn pop_front(&mut self) -> Option<Waiting> {
        self.lists
            .pop_front()
            .or_else(|| self.checks.pop_front())
            .or_else(|| self.rest.pop_front())
    }

    /// Queues a new request at the back of its lane.
    pub fn push_back(&mut self, w: Waiting, lane: Lane) {
        match lane {
            Lane::Lists => self.lists.push_back(w),
            Lane::Checks => self.checks.push_back(w),
            Lane::Rest => self.rest.push_back(w),
        }
    }

    /// Queues a retry ahead of the other requests but a column's next list page.
    pub fn push_retry(&mut self, w: Waiting) {
        self.checks.push_front(w);
    }
}

pub struct Host {
    /// "scheme://host:port"
    pub origin: String,
    pub limiter: Option<Arc<DefaultDirectRateLimiter>>,
    pub inflight: usize,
    pub blocked_until: Option<Instant>,
    pub queue: HostQueue,
    pub robots: RobotsState,
    /// True once the soft-404 probe was queued.
    pub probed: bool,
}

impl Host {
    pub fn new(origin: String, rate: Option<f64>) -> Self {
        Host {
            origin,
            limiter: rate.and_then(limiter_for),
            inflight: 0,
            blocked_until: None,
            queue: HostQueue::default(),
            robots: RobotsState::Unknown,
            probed: false,
        }
    }

    /// Slows the host down to robots.txt's Crawl-delay when that is slower than the rate.
    pub fn apply_crawl_delay(&mut self, delay_secs: f32, rate: Option<f64>) {
        if !(delay_secs.is_finite() && delay_secs > 0.0) {
            return;
        }
        // A crawl-delay beyond a minute would stall a nightly scan; cap it.
        let delay = f64::from(delay_secs).min(60.0);
        let current_period = rate.map(|r| 1.0 / r).unwrap_or(0.0);
        if delay > current_period {
            self.limiter = limiter_for(1.0 / delay);
        }
    }

    /// Takes one request slot now, or tells how long to wait.
    pub fn try_acquire(&self) -> Result<(), Duration> {
        match &self.limiter {
            None => Ok(()),
            Some(l) => l
                .check()
                .map_err(|nu| nu.wait_time_from(DefaultClock::default().now())),
        }
    }
}

fn limiter_for(rate: f64) -> Option<Arc<DefaultDirectRateLimiter>> {
    if !(rate.is_finite() && rate > 0.0) {
        return None;
    }
    // Burst 1: requests are spaced evenly at 1/rate, so any one-second window sees at most `rate`.
    let quota = Quota::with_period(Duration::from_secs_f64(1.0 / rate))?;
    Some(Arc::new(RateLimiter::direct(quota)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_entries_unpack_to_what_was_queued_and_share_parents() {
        let mut interner = Interner::default();
        let mut a = FrontierEntry::crawl("http://a/1.html", 2);
        a.parent = Some("http://a/list.html".into());
        a.column = Some("通知公告".into());
        let mut b = a.clone();
        b.url = "http://a/2.html".into();
        b.method = gongkai_core::Method::Post;
        b.request_body = Some("page=2".into());
        b.link_kind = Some(gongkai_page::LinkKind::Attachment);
        let pack = |e: &FrontierEntry, i: &mut Interner| {
            Waiting::pack(
                Queued {
                    entry: e.clone(),
                    attempt: 1,
                    not_before: None,
                },
                i,
            )
        };
        let (wa, wb) = (pack(&a, &mut interner), pack(&b, &mut interner));
        assert!(Arc::ptr_eq(
            wa.parent.as_ref().unwrap(),
            wb.parent.as_ref().unwrap()
        ));
        assert_eq!(wb.url(), "http://a/2.html");
        for (w, e) in [(wa, a), (wb, b)] {
            let q = w.unpack();
            assert_eq!(q.entry, e);
            assert_eq!(q.attempt, 1);
        }
    }

    fn waiting(url: &str, attempt: u32) -> Waiting {
        let mut entry = FrontierEntry::crawl(url, 1);
        if url.ends_with(".pdf") {
            entry.purpose = FetchPurpose::Check;
        }
        let q = Queued {
            entry,
            attempt,
            not_before: None,
        };
        Waiting::pack(q, &mut Interner::default())
    }

    #[test]
    fn next_list_pages_go_first_then_retries_then_checks_then_the_rest_in_order() {
        let mut q = HostQueue::default();
        let mut push = |url: &str, via_pagination: bool| {
            let w = waiting(url, 0);
            let lane = Lane::of(w.purpose, via_pagination);
            q.push_back(w, lane);
        };
        push("http://a/t1.html", false);
        push("http://a/a1.pdf", false);
        push("http://a/t2.html", false);
        push("http://a/index_1.html", true);
        push("http://a/a2.pdf", false);
        q.push_retry(waiting("http://a/failed.html", 1));
        q.push_back(waiting("http://a/index_2.html", 0), Lane::Lists);
        assert_eq!(q.len(), 7);
        assert_eq!(q.front().map(Waiting::url), Some("http://a/index_1.html"));
        let mut order = Vec::new();
        while let Some(w) = q.pop_front() {
            order.push(w.url().rsplit('/').next().unwrap().to_string());
        }
        assert_eq!(
            order,
            [
                "index_1.html",
                "index_2.html",
                "failed.html",
                "a1.pdf",
                "a2.pdf",
                "t1.html",
                "t2.html"
            ]
        );
        assert!(q.is_empty() && q.front().is_none());
    }

    #[test]
    fn limiter_spaces_requests_evenly() {
        let h = Host::new("http://a:80".into(), Some(2.0));
        assert!(h.try_acquire().is_ok());
        let wait = h.try_acquire().unwrap_err();
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500));
    }

    #[test]
    fn crawl_delay_only_slows_down() {
        let mut h = Host::new("http://a:80".into(), Some(2.0));
        h.apply_crawl_delay(0.1, Some(2.0));
        assert!(h.try_acquire().is_ok());
        assert!(h.try_acquire().unwrap_err() <= Duration::from_millis(500));
        let mut h = Host::new("http://a:80".into(), Some(2.0));
        h.apply_crawl_delay(3.0, Some(2.0));
        assert!(h.try_acquire().is_ok());
        assert!(h.try_acquire().unwrap_err() > Duration::from_secs(2));
    }
}
