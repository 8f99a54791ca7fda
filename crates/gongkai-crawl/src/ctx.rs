//! What a fetch task gets from the dispatcher and hands back: the shared context ([`Ctx`]: config,
//! client, scope, earlier fetches, rate limiters, counters) and the task's answer ([`TaskDone`]).
//! Kept apart from `engine` (the dispatcher) and `task` (one request) so neither depends on the
//! other.

use crate::config::CrawlConfig;
use crate::frontier::Candidate;
use crate::host::{Queued, RobotsState};
use crate::outcome::FetchRecord;
use crate::scope::Scope;
use crate::stats::CrawlStats;
use gongkai_page::PageModel;
use governor::DefaultDirectRateLimiter;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

/// What an earlier scan stored for a URL, for conditional requests.
#[derive(Debug, Clone)]
pub struct PriorFetch {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The stored body, reused when the server answers 304.
    pub body: Vec<u8>,
    /// URL the stored body was served from.
    pub final_url: String,
    /// The page model extracted from that body (current extractor version only).
    pub model: Option<PageModel>,
}

/// Looks up earlier fetches (the store implements this; blocking calls are run off the runtime).
pub trait PriorLookup: Send + Sync {
    fn prior(&self, url: &str) -> Option<PriorFetch>;

    /// True when no URL has a prior fetch: the crawl then asks for none (a lookup is a trip to
    /// the blocking pool and a query for every page of a first scan).
    fn is_empty(&self) -> bool {
        false
    }
}

/// No earlier scan.
pub struct NoPrior;
impl PriorLookup for NoPrior {
    fn prior(&self, _url: &str) -> Option<PriorFetch> {
        None
    }

    fn is_empty(&self) -> bool {
        true
    }
}

/// Rate limiters shared with fetch tasks (redirect hops to other hosts wait on them too).
#[derive(Default)]
pub(crate) struct Limiters {
    map: Mutex<HashMap<String, Option<Arc<DefaultDirectRateLimiter>>>>,
}

impl Limiters {
    pub(crate) fn get(&self, origin: &str) -> Option<Option<Arc<DefaultDirectRateLimiter>>> {
        self.map.lock().ok()?.get(origin).cloned()
    }
    pub(crate) fn set(&self, origin: &str, l: Option<Arc<DefaultDirectRateLimiter>>) {
        if let Ok(mut m) = self.map.lock() {
            m.insert(origin.to_string(), l);
        }
    }
}

pub(crate) struct Ctx {
    pub(crate) cfg: CrawlConfig,
    pub(crate) client: reqwest::Client,
    pub(crate) scope: Scope,
    pub(crate) prior: Arc<dyn PriorLookup>,
    pub(crate) limiters: Limiters,
    pub(crate) stats: Arc<CrawlStats>,
}

pub(crate) enum TaskDone {
    Robots {
        origin: String,
        state: RobotsState,
    },
    Fetched {
        origin: String,
        record: Box<FetchRecord>,
        discovered: Vec<Candidate>,
    },
    Retry {
        origin: String,
        queued: Queued,
        block_host_until: Option<Instant>,
    },
}
