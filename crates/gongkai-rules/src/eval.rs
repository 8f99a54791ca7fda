//! Evaluation: runs every enabled rule of a pack over one [`Site`] and collects [`Finding`]s.

use crate::pack::{Rule, RulePack};
use crate::sitemodel::SiteModel;
use crate::text::compact;
use crate::{Finding, Site};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// Who is responsible for a part of the site, when the page itself does not say (发布机构).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerRule {
    /// Matches pages whose URL starts with this prefix.
    pub url_prefix: Option<String>,
    /// Matches pages in (or column findings about) a column whose name contains this.
    pub column: Option<String>,
    pub department: String,
}

/// What an evaluation needs besides the site: the date to judge on and who owns what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalContext {
    /// "Today" for due dates, update cycles and annual reports.
    pub as_of: NaiveDate,
    /// Owners by URL prefix and/or column; the most specific match wins (a column match beats a
    /// prefix; a longer prefix beats a shorter one).
    #[serde(default)]
    pub owners: Vec<OwnerRule>,
    /// alias → canonical department name (e.g. "滕州市司法局" → "市司法局").
    #[serde(default)]
    pub aliases: Vec<(String, String)>,
    /// False when the crawl was cut by a limit (a `partial` run): the checks that conclude
    /// something is absent from the whole site ([`WHOLE_SITE_CHECKS`]) do not judge then.
    #[serde(default = "yes")]
    pub complete: bool,
}

fn yes() -> bool {
    true
}

/// Check kinds whose findings say "the site lacks X": drawn only from a complete crawl.
pub const WHOLE_SITE_CHECKS: [&str; 3] = ["column-required", "column-empty", "annual-report"];

/// The enabled rules of `pack` that are not judged on a partial crawl.
pub fn rules_needing_complete_site(pack: &RulePack) -> Vec<&Rule> {
    pack.rules()
        .iter()
        .filter(|r| r.enabled && WHOLE_SITE_CHECKS.contains(&r.check.as_str()))
        .collect()
}

impl EvalContext {
    pub fn new(as_of: NaiveDate) -> Self {
        EvalContext {
            as_of,
            owners: Vec::new(),
            aliases: Vec::new(),
            complete: true,
        }
    }

    /// The canonical name of a department (aliases compared without spaces).
    pub fn canonical_department(&self, name: &str) -> String {
        let k = compact(name);
        self.aliases
            .iter()
            .find(|(a, _)| compact(a) == k)
            .map(|(_, c)| c.trim().to_string())
            .unwrap_or_else(|| name.trim().to_string())
    }
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
            rule,
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

/// Stable fingerprint: sha256 hex (first 24 chars) of the rule id and the subject parts.
pub fn fingerprint(rule: &str, subject: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    for s in subject {
        h.update([0x1f]);
        h.update(s.as_bytes());
    }
    hex::encode(h.finalize())[..24].to_string()
}

/// What a check hands to [`RuleCx::emit`].
pub(crate) struct Emit {
    pub url: String,
    pub target: Option<String>,
    pub department: String,
    pub message: String,
    pub evidence: serde_json::Value,
    /// Subject parts for the fingerprint; empty means [url, target].
    pub subject: Vec<String>,
    pub fetch_id: Option<i64>,
    /// Ledger items when narrower than the rule's (e.g. one required column).
    pub ledger: Option<Vec<u32>>,
}

impl Emit {
    pub fn new(
        url: &str,
        department: String,
        message: String,
        evidence: serde_json::Value,
    ) -> Self {
        Emit {
            url: url.to_string(),
            target: None,
            department,
            message,
            evidence,
            subject: Vec::new(),
            fetch_id: None,
            ledger: None,
        }
    }
    pub fn target(mut self, t: impl Into<String>) -> Self {
        self.target = Some(t.into());
        self
    }
    pub fn fetch(mut self, id: i64) -> Self {
        self.fetch_id = Some(id);
        self
    }
    pub fn subject(mut self, parts: Vec<String>) -> Self {
        self.subject = parts;
        self
    }
    pub fn ledger(mut self, items: Vec<u32>) -> Self {
        self.ledger = Some(items);
        self
    }
}

/// One rule's view of an evaluation.
pub(crate) struct RuleCx<'a> {
    pub rule: &'a Rule,
    pub site: &'a SiteModel<'a>,
    pub ctx: &'a EvalContext,
    pub out: Vec<Finding>,
}

impl RuleCx<'_> {
    pub fn as_of(&self) -> NaiveDate {
        self.ctx.as_of
    }

    /// Department of a page (publisher, owner, rule default).
    pub fn dept_page(&self, i: usize) -> String {
        self.site.department(i, self.ctx, &self.rule.department)
    }

    /// Department for a URL / columns (owner, rule default).
    pub fn dept_for(&self, url: &str, columns: &[String]) -> String {
        self.site
            .department_for(url, columns, self.ctx, &self.rule.department)
    }

    pub fn emit(&mut self, e: Emit) {
        let subject: Vec<String> = if e.subject.is_empty() {
            vec![e.url.clone(), e.target.clone().unwrap_or_default()]
        } else {
            e.subject
        };
        let parts: Vec<&str> = subject.iter().map(|s| s.as_str()).collect();
        self.out.push(Finding {
            rule: self.rule.id.clone(),
            severity: self.rule.severity,
            url: e.url,
            target: e.target,
            department: e.department,
            ledger: e.ledger.unwrap_or_else(|| self.rule.ledger.clone()),
            message: e.message,
            evidence: e.evidence,
            fingerprint: fingerprint(&self.rule.id, &parts),
            fetch_id: e.fetch_id,
        });
    }
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
