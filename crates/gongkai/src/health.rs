//! Run health and confirmation: no false alarm sent twice.
//!
//! - A run is *degraded* (运行异常（降级）) when it fetched far fewer pages than the last run that
//!   saw the whole site, or a start page was blocked or unreachable. A degraded run is treated
//!   like a partial one: whole-site rules are not judged and findings it did not see stay open.
//! - A broken link is *confirmed* only when its target failed in `confirm_runs` consecutive runs;
//!   until then it is held back and counted as 待确认.

use crate::config::SiteConfig;
use anyhow::Result;
use gongkai_crawl::FetchOutcome;
use gongkai_rules::Finding;
use gongkai_store::{RunStatus, Store};
use std::collections::HashMap;

/// Default share of the baseline's pages below which a run is degraded.
pub const DEFAULT_MIN_PAGES_RATIO: f64 = 0.70;

/// Rules whose findings wait for `confirm_runs` consecutive failures of their target.
const CONFIRMED_RULES: &[&str] = &["link.broken"];

/// Why the run is degraded, in Chinese, or None when it is healthy. Reasons: a start URL that
/// did not answer with content, and a page count under `min_ratio` of the baseline run's. A run
/// cut by a crawl limit (`limited`) is already partial for a known reason: its page count is not
/// held against the baseline.
pub fn degraded_reason(
    store: &Store,
    run_id: i64,
    start_urls: &[url::Url],
    pages_fetched: u64,
    limited: bool,
    min_ratio: f64,
) -> Result<Option<String>> {
    let mut reasons = Vec::new();
    for u in start_urls {
        if let Some((outcome, _)) = store.start_outcome(run_id, u.as_str())? {
            if !outcome.is_ok_like() {
                let status = store
                    .fetch_by_url(run_id, u.as_str())?
                    .and_then(|f| f.record.status)
                    .map(|s| format!("，HTTP {s}"))
                    .unwrap_or_default();
                reasons.push(format!(
                    "起始页 {u} {}（{}{status}）",
                    start_failure_label(outcome),
                    outcome.code()
                ));
            }
        }
    }
    let site = store.run(run_id)?.map(|r| r.site).unwrap_or_default();
    if min_ratio > 0.0 && !limited {
        if let Some(base) = store.baseline_run(&site, run_id)? {
            // An incremental night fetches a slice and carries the rest forward (verified within
            // revisit_days): both sides count the pages the run covers, fetched or carried.
            let pages = pages_fetched + carried_pages(store, run_id)?;
            let base_pages = base.pages_fetched.unwrap_or(0) + carried_pages(store, base.id)?;
            if base_pages > 0 && (pages as f64) < min_ratio * base_pages as f64 {
                let pct = pages as f64 * 100.0 / base_pages as f64;
                reasons.push(format!(
                    "本次核实页面 {pages} 个，仅为上次完整运行（运行 {}）{base_pages} 个的 {pct:.0}%（下限 {:.0}%）",
                    base.id,
                    min_ratio * 100.0
                ));
            }
        }
    }
    Ok((!reasons.is_empty()).then(|| reasons.join("；")))
}

/// Pages an incremental night carried forward from its base run (0 for a full scan).
fn carried_pages(store: &Store, run_id: i64) -> Result<u64> {
    Ok(store
        .run_nights(run_id)?
        .and_then(|n| n["carried_pages"].as_u64())
        .unwrap_or(0))
}

fn start_failure_label(o: FetchOutcome) -> &'static str {
    match o {
        FetchOutcome::Blocked => "被拦截",
        FetchOutcome::RobotsDisallowed => "被 robots.txt 禁止",
        FetchOutcome::ServerError => "服务器错误",
        FetchOutcome::Timeout => "超时",
        FetchOutcome::Dns => "域名无法解析",
        FetchOutcome::Connect | FetchOutcome::Tls | FetchOutcome::NetworkError => "无法连接",
        _ => "无法访问",
    }
}

/// The configured minimum page ratio.
pub fn min_pages_ratio(site: &SiteConfig) -> f64 {
    site.crawl
        .min_pages_ratio
        .unwrap_or(DEFAULT_MIN_PAGES_RATIO)
}

/// Holds back the findings of [`CONFIRMED_RULES`] whose target did not also fail in each of the
/// `confirm_runs - 1` finished runs of the same site before `run_id`. Returns what is reported
/// and how many were held back (待确认).
pub fn hold_unconfirmed(
    store: &Store,
    run_id: i64,
    confirm_runs: u32,
    findings: Vec<Finding>,
) -> Result<(Vec<Finding>, u64)> {
    let need = confirm_runs.saturating_sub(1) as usize;
    if need == 0 {
        return Ok((findings, 0));
    }
    let runs = store.runs()?;
    let Some(site) = runs.iter().find(|r| r.id == run_id).map(|r| r.site.clone()) else {
        return Ok((findings, 0));
    };
    // Newest first, this run included: the runs whose rows can confirm a failure.
    let history: Vec<i64> = runs
        .iter()
        .rev()
        .filter(|r| r.id <= run_id && r.site == site)
        .filter(|r| r.id == run_id || matches!(r.status, RunStatus::Completed | RunStatus::Partial))
        .map(|r| r.id)
        .collect();
    let mut failed_before: HashMap<String, bool> = HashMap::new();
    let mut kept = Vec::with_capacity(findings.len());
    let mut held = 0u64;
    for f in findings {
        let Some(target) = f
            .target
            .as_deref()
            .filter(|_| CONFIRMED_RULES.contains(&f.rule.as_str()))
        else {
            kept.push(f);
            continue;
        };
        let confirmed = match failed_before.get(target) {
            Some(c) => *c,
            None => {
                let c = failed_in_a_row(store, &history, target, need + 1)?;
                failed_before.insert(target.to_string(), c);
                c
            }
        };
        if confirmed {
            kept.push(f);
        } else {
            held += 1;
        }
    }
    Ok((kept, held))
}

/// Whether `target` failed in `times` verifications in a row, newest first. A row an incremental
/// night carried forward is the same verification as the run it came from, so it is skipped, not
/// counted again: a failure seen once is never "confirmed" by copies of itself.
fn failed_in_a_row(store: &Store, runs: &[i64], target: &str, times: usize) -> Result<bool> {
    let mut seen = 0;
    for run in runs {
        match store.verified_outcome(*run, target)? {
            Some((_, true)) => {}
            Some((o, false)) if o.is_broken() => {
                seen += 1;
                if seen >= times {
                    return Ok(true);
                }
            }
            _ => return Ok(false),
        }
    }
    Ok(false)
}

/// The summary's lines on run health: degraded, walls, held back, rechecked.
pub fn summary_lines(run: &gongkai_store::RunInfo) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(why) = &run.degraded {
        out.push(format!(
            "运行异常（降级）：{why}。本次未再出现的问题不算已整改（仍为未核实），需要全站才能判断的规则未判断"
        ));
    }
    let walls = run.walls();
    if walls > 0 {
        out.push(format!(
            "未验证：{walls} 个页面或链接被访问限制拦截（401/403/412/429 等），不计为问题"
        ));
    }
    if let Some(n) = run.unconfirmed.filter(|n| *n > 0) {
        out.push(format!(
            "待确认：{n} 个失效链接尚未在连续多次运行中失效（confirm_runs），本次不计为问题"
        ));
    }
    out
}
