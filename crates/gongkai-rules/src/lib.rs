//! The rule engine: loads the rule pack (`rules/*.toml`) into typed rules, keeps a registry of
//! check kinds (Rust code), and evaluates them over a stored crawl ([`Site`]) into [`Finding`]s.
//!
//! - Rules are data: [`load_pack`] reads a directory (`--rules DIR`), [`default_pack`] is the
//!   repository's `rules/` embedded at compile time. Offices change names, cycles, due dates and
//!   required columns in TOML, without recompiling. Errors name the file and line.
//! - Check kinds are code: one module per kind under `checks/`, listed by [`check_kinds`].
//! - [`evaluate`] builds a site model once (pages by URL, columns with their pagination pages,
//!   normative documents, interpretations) and runs every enabled rule over it.
//! - [`explain_page`] says, for one page, whether each rule judged it and why not
//!   (`gongkai inspect`).
//! - [`coverage`] maps all 67 items of the ledger of 滕政办发〔2022〕11号 to rules or notes;
//!   [`coverage_markdown`] renders `docs/coverage.md`.

mod attach;
pub mod calendar;
mod check;
pub mod checks;
mod context;
pub mod coverage;
mod coverage_data;
mod encoded;
pub mod error;
pub mod eval;
pub mod explain;
/// Findings, defined in `gongkai-core` and re-exported here.
pub mod finding {
    pub use gongkai_core::finding::*;
}
mod linkage;
pub mod pack;
/// The site the rules read, defined in `gongkai-core` and re-exported here.
pub mod site {
    pub use gongkai_core::site::*;
}
mod sitemodel;
pub mod text;
mod urlparts;
pub mod vocab;

pub use context::{AllowEntry, SiteTerms};
pub use coverage::{coverage, coverage_markdown, CoverageItem, CoverageStatus};
pub use encoded::EncodedFindings;
pub use error::RulesError;
pub use eval::{evaluate, evaluate_encoded, fingerprint, EvalContext, OwnerRule};
pub use explain::{explain_page, Applies, PageExplanation, RuleVerdict};
pub use finding::{Finding, Severity};
pub use gongkai_core::{LinkRef, LinkTable};
pub use pack::{default_pack, load_pack, pack_from_files, RawRule, Rule, RulePack};
pub use site::{Site, SiteAttachment, SiteBuilder, SiteLink, SitePage, TextChunk};
pub use vocab::Vocabulary;

/// Every check kind: (name, one-line summary in Chinese).
pub fn check_kinds() -> Vec<(&'static str, &'static str)> {
    checks::KINDS.iter().map(|k| (k.name, k.summary)).collect()
}
