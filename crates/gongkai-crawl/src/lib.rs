//! The polite crawler: frontier, URL normalisation, robots.txt, per-host rate limits, fetching with
//! retries and bounded bodies, outcome classification. It emits [`CrawlEvent`]s; the caller stores them.

pub mod outcome;

pub use outcome::{FetchOutcome, FetchPurpose, FetchRecord, Method, RedirectHop};
