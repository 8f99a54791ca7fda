//! The data every gongkai crate shares, at the bottom of the dependency graph: the page model
//! ([`model`]), what happened to one fetch ([`outcome`]), one request waiting to be made with its
//! one request key ([`frontier`]), findings ([`finding`]) and the site the rules read ([`site`]).
//!
//! Plain serialisable data and small helpers only: no I/O, no parsing of pages, no async. The
//! crates follow the data flow on top of it — page extracts models, crawl fetches records, store
//! keeps both, rules turn a [`Site`] into [`Finding`]s, report renders them — with no sideways
//! edges (the rules depend on neither the crawler nor the store).

#![warn(missing_docs)]

pub mod coverage;
pub mod field_values;
pub mod finding;
pub mod frontier;
pub mod linktable;
pub mod model;
pub mod outcome;
pub mod pairs;
pub mod placeholder;
pub mod site;
pub mod strpool;

pub use coverage::{Coverage, CutReason, CutUrl, Unreadable};
pub use finding::{Finding, Severity};
pub use frontier::{request_key, FrontierEntry};
pub use linktable::{LinkRef, LinkTable, LinkTableBuilder};
pub use model::*;
pub use outcome::{FetchOutcome, FetchPurpose, FetchRecord, Method, RedirectHop};
pub use placeholder::{is_placeholder, PLACEHOLDER_VALUES};
pub use site::{
    PageTexts, Site, SiteAttachment, SiteBuilder, SiteLink, SitePage, TextChunk, TextSource,
};
pub use strpool::StringPool;
