//! Evaluation: runs every enabled rule of a pack over one [`Site`] and collects [`Finding`]s.

use crate::check::{RuleCx, RuleRef};
use crate::pack::Rule;
use crate::pack::RulePack;
use crate::sitemodel::SiteModel;
use crate::{Finding, Site};
use std::collections::HashSet;

pub use crate::check::fingerprint;
/// Old paths of the check contract (new code: `crate::check`).
#[allow(unused_imports)]
pub(crate) use crate::check::Emit;
pub use crate::context::{EvalContext, OwnerRule};

/// Check kinds whose findings say "the site lacks X": drawn only from a complete crawl.
pub const WHOLE_SITE_CHECKS: [&str; 3] = ["column-required", "column-empty", "annual-report"];

/// The enabled rules of `pack` that are not judged on a partial crawl.
pub fn rules_needing_complete_site(pack: &RulePack) -> Vec<&Rule> {
    pack.rules()
        .iter()
        .filter(|r| r.enabled && WHOLE_SITE_CHECKS.contains(&r.check.as_str()))
        .collect()
}

/// Evaluates every enabled rule whose `due` date has passed (`as_of` after `due`) over `site`.
/// Findings are deduplicated by fingerprint and sorted (severity, rule, url, target).
pub fn evaluate(pack: &RulePack, site: &Site, ctx: &EvalContext) -> Vec<Finding> {
    let model = SiteModel::build(site, pack.vocabulary());
    let mut all = Vec::new();
    for rule in pack.rules() {
        if !rule.enabled || rule.due.is_some_and(|d| ctx.as_of <= d) {
            continue;
        }
        let mut cx = RuleCx {
            rule: RuleRef {
                id: &rule.id,
                severity: rule.severity,
                ledger: &rule.ledger,
                department: &rule.department,
            },
            site: &model,
            ctx,
            out: Vec::new(),
        };
        rule.imp.run(&mut cx);
        all.extend(cx.out);
    }
    let mut seen = HashSet::new();
    all.retain(|f| seen.insert(f.fingerprint.clone()));
    all.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.url.cmp(&b.url))
            .then_with(|| a.target.cmp(&b.target))
    });
    all
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
