//! Evaluation: runs every enabled rule of a pack over one [`Site`] and collects [`Finding`]s.

use crate::check::{RuleCx, RuleRef};
use crate::pack::Rule;
use crate::pack::RulePack;
use crate::sitemodel::SiteModel;
use crate::{EncodedFindings, Finding, Site};

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
    evaluate_encoded(pack, site, ctx).into_findings()
}

/// [`evaluate`], its findings still encoded: a caller that frees the site before decoding them
/// ([`EncodedFindings::into_findings`]) never holds both.
pub fn evaluate_encoded(pack: &RulePack, site: &Site, ctx: &EvalContext) -> EncodedFindings {
    let model = SiteModel::build(site, pack.vocabulary());
    let due: Vec<&Rule> = pack
        .rules()
        .iter()
        .filter(|r| r.enabled && r.due.is_none_or(|d| ctx.as_of > d))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    EncodedFindings::concat(run_rules(&due, &model, ctx, threads))
}

/// Runs `rules` over the site model on up to `threads` threads (the machine's cores: the checks
/// only read the model, and a rule's findings do not depend on another's), and returns each
/// rule's findings in the order of `rules`: the result is the same whichever thread ran which.
pub(crate) fn run_rules<'a>(
    rules: &[&'a Rule],
    model: &'a SiteModel<'a>,
    ctx: &'a EvalContext,
    threads: usize,
) -> Vec<EncodedFindings> {
    let run = |rule: &'a Rule| {
        let mut cx = RuleCx {
            rule: RuleRef {
                id: &rule.id,
                severity: rule.severity,
                ledger: &rule.ledger,
                department: &rule.department,
            },
            site: model,
            ctx,
            out: EncodedFindings::default(),
        };
        let t = std::time::Instant::now();
        rule.imp.run(&mut cx);
        tracing::debug!(rule = %rule.id, secs = t.elapsed().as_secs_f64(), findings = cx.out.len(), "rule evaluated");
        cx.out
    };
    let threads = threads.min(rules.len());
    if threads <= 1 {
        return rules.iter().map(|r| run(r)).collect();
    }
    // Rules are handed out one at a time: their costs differ by orders of magnitude.
    let order = handout_order(rules);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<EncodedFindings> = rules.iter().map(|_| EncodedFindings::default()).collect();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = order.get(k) else {
                            return done;
                        };
                        let rule = rules[i];
                        done.push((i, run(rule)));
                    }
                })
            })
            .collect();
        for w in workers {
            // A check that panics fails the evaluation as it did on one thread.
            let done = w.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (i, findings) in done {
                out[i] = findings;
            }
        }
    });
    out
}

/// The order in which [`run_rules`] hands `rules` out (indices): the checks that read every page
/// first ([`crate::check::Check::reads_every_page`]), each group in pack order. On 20,000 pages
/// in pack order the last 0.2 s of the evaluation was one long check alone on one core.
fn handout_order(rules: &[&Rule]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rules.len()).collect();
    order.sort_by_key(|&i| !rules[i].imp.reads_every_page());
    order
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
