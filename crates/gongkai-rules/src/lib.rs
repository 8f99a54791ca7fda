//! The rule engine: loads the rule pack (`rules/*.toml`) into typed rules, keeps a registry of
//! check kinds (Rust code), and evaluates them over a stored crawl ([`Site`]) into [`Finding`]s.

pub mod site;
pub mod finding;

pub use finding::{Finding, Severity};
pub use site::{Site, SiteLink, SitePage};
