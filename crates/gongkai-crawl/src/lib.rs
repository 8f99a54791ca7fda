//! The polite crawler: frontier, URL-space guards, robots.txt (RFC 9309), per-host rate limits and
//! concurrency caps, fetching with retries, redirects recorded by hand and bounded bodies, and
//! outcome classification. It emits [`CrawlEvent`]s in order; the caller stores them.
//!
//! Pipeline: frontier ([`frontier`]) → dispatcher ([`engine`], per-host readiness in [`host`]) →
//! HTTP exchange ([`fetch`]) → classification ([`outcome`]) → page extraction (`gongkai-page`) →
//! newly discovered entries back to the frontier.

pub mod attachment;
pub mod config;
pub use gongkai_core::coverage;
mod ctx;
pub mod engine;
pub mod fetch;
pub mod frontier;
pub mod hanweb;
pub mod host;
/// Fetch outcomes and records, defined in `gongkai-core` and re-exported here.
pub mod outcome {
    pub use gongkai_core::outcome::*;
}
pub mod recheck;
pub mod schedule;
pub mod scope;
pub mod stats;
mod task;

pub use config::CrawlConfig;
pub use coverage::{Coverage, CutReason, CutUrl, Unreadable};
pub use engine::{
    crawl, CrawlError, CrawlEvent, CrawlSummary, NoPrior, PriorFetch, PriorLookup, ResumeState,
};
pub use frontier::{request_key, FrontierEntry};
pub use outcome::{FetchOutcome, FetchPurpose, FetchRecord, Method, RedirectHop};
pub use scope::{origin_key, Scope};
pub use stats::CrawlStats;
