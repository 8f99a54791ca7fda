//! Findings across runs: gathers a site's runs from the store and turns them into the report
//! model (statuses new / persisting / resolved, first and last seen, days open, evidence).

use anyhow::{Context, Result};
use gongkai_report::{EvidenceRef, ReportFinding, ReportInput, RuleInfo, RunMeta, TrendPoint};
use gongkai_rules::{Finding, RulePack, Severity};
use gongkai_store::{RunInfo, RunStatus, Store};

pub fn run_meta(r: &RunInfo) -> RunMeta {
    RunMeta {
        id: r.id,
        as_of: r.as_of.clone(),
        started_at: r.started_at.clone(),
        finished_at: r.finished_at.clone(),
        tool_version: r.tool_version.clone(),
        rules_version: r.rules_version.clone().unwrap_or_default(),
        rules_hash: r.rules_version.clone().unwrap_or_default(),
        config_hash: r.config_hash.clone().unwrap_or_default(),
        pages_fetched: r.pages_fetched.unwrap_or(0),
        outcome_counts: r.outcome_counts.clone(),
        partial: !r.complete(),
        coverage: r.coverage.as_ref().map(run_coverage),
        degraded: r.degraded.clone(),
        unconfirmed: r.unconfirmed.unwrap_or(0),
    }
}

/// The report's view of a run's coverage (rules not judged are filled by [`report_input`]).
fn run_coverage(c: &gongkai_crawl::Coverage) -> gongkai_report::RunCoverage {
    let own = |v: Vec<(&str, u64)>| v.into_iter().map(|(l, n)| (l.to_string(), n)).collect();
    gongkai_report::RunCoverage {
        pages_fetched: c.pages_fetched,
        not_fetched: own(c.not_fetched_labelled()),
        unreadable: own(c.unreadable_labelled()),
        out_of_scope: c
            .not_fetched
            .get(gongkai_crawl::CutReason::OutOfScope.code())
            .copied()
            .unwrap_or(0),
        limits_hit: c
            .limits_hit()
            .iter()
            .map(|r| r.label().to_string())
            .collect(),
        not_judged: Vec::new(),
        summary: c.summary_line(),
        nights: Vec::new(),
    }
}

/// Completed runs of the same site up to and including `run_id` (the run itself is included
/// whatever its status), oldest first, each with its findings. Partial and degraded runs are
/// never the baseline of a later run: only a complete, healthy crawl says what the site had.
pub fn history(store: &Store, run_id: i64) -> Result<Vec<(RunInfo, Vec<Finding>)>> {
    let runs = store.runs()?;
    let current = runs
        .iter()
        .find(|r| r.id == run_id)
        .with_context(|| format!("no run {run_id} in this database"))?
        .clone();
    let mut out = Vec::new();
    for r in runs {
        let same_site = r.site == current.site;
        let baseline = r.status == RunStatus::Completed && r.complete();
        if r.id < run_id && same_site && baseline || r.id == run_id {
            let findings = store
                .findings(r.id)?
                .into_iter()
                .map(|f| f.finding)
                .collect();
            out.push((r, findings));
        }
    }
    Ok(out)
}

/// The report model of one run.
pub fn report_input(store: &Store, run_id: i64, pack: &RulePack) -> Result<ReportInput> {
    let hist = history(store, run_id)?;
    let metas: Vec<(RunMeta, Vec<Finding>)> =
        hist.iter().map(|(r, f)| (run_meta(r), f.clone())).collect();
    let (mut open, mut resolved) = gongkai_report::track(&metas);
    let current = &hist.last().context("empty history")?.0;
    for f in open.iter_mut() {
        enrich(store, run_id, pack, f)?;
    }
    let previous = hist.len().checked_sub(2).map(|i| &hist[i].0);
    if let Some(prev) = previous {
        for f in resolved.iter_mut() {
            enrich(store, prev.id, pack, f)?;
        }
    }
    let trend = hist
        .iter()
        .map(|(r, fs)| {
            let count = |s: Severity| fs.iter().filter(|f| f.severity == s).count() as u64;
            TrendPoint {
                run_id: r.id,
                date: r.as_of.clone(),
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                notices: count(Severity::Notice),
            }
        })
        .collect();
    let mut run = run_meta(current);
    if let Some(c) = run.coverage.as_mut().filter(|_| run.partial) {
        c.not_judged = gongkai_rules::eval::rules_needing_complete_site(pack)
            .iter()
            .map(|r| r.id.clone())
            .collect();
    }
    if let (Some(c), Some(rec)) = (run.coverage.as_mut(), store.run_nights(run_id)?) {
        c.nights = super::nights::lines(&rec);
    }
    Ok(ReportInput {
        site: current.site.clone(),
        run,
        previous_run: previous.map(run_meta),
        findings: open,
        resolved,
        trend,
        rules: pack
            .rules()
            .iter()
            .map(|r| RuleInfo {
                id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                ledger: r.ledger.clone(),
                clause: r.clause.clone(),
            })
            .collect(),
    })
}

/// Fills rule title, page title and the evidence reference from the store.
fn enrich(store: &Store, run_id: i64, pack: &RulePack, f: &mut ReportFinding) -> Result<()> {
    if let Some(rule) = pack.get(&f.finding.rule) {
        f.rule_title = rule.title.clone();
    }
    let mut verified_fetch = f.finding.fetch_id;
    if let Some(page) = store.fetch_by_url(run_id, &f.finding.url)? {
        f.page_title = page.title.clone().filter(|t| !t.trim().is_empty());
        verified_fetch = Some(page.id);
    }
    // 最后核实: when the page (else the evidence) was last fetched; carried rows keep their date.
    if let Some(id) = verified_fetch {
        f.last_verified = store.fetch_verified(id)?.map(|(day, _)| day);
    }
    if let Some(id) = f.finding.fetch_id {
        if let Some(fetch) = store.fetch(id)? {
            f.evidence_ref = Some(EvidenceRef {
                fetch_id: id,
                final_url: Some(fetch.record.final_url.clone()),
                http_status: fetch.record.status,
                fetched_at: fetch.record.fetched_at.clone(),
                body_sha256: fetch.body_sha256.clone(),
            });
        }
    }
    // Nothing ID-shaped leaves in a report, whatever put it in the finding or the page title.
    gongkai_report::mask::mask_finding(&mut f.finding);
    if let Some(t) = f.page_title.as_mut() {
        *t = gongkai_report::mask::mask_ids(t).into_owned();
    }
    Ok(())
}
