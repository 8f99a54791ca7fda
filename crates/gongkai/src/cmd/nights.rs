//! Incremental nights for `gongkai scan`: whether a rescan is a night or a full scan, tonight's
//! plan from the previous completed run, carrying the rest forward, and the run's revisit record
//! (`runs.nights`) with the summary lines that explain it.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use gongkai_crawl::schedule::{KnownRequest, ListedEntry, NightPlan, Reason};
use gongkai_store::{RunInfo, RunStatus, Store};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use url::Url;

/// Default `revisit_days`: every page verified at least once a week.
pub const DEFAULT_REVISIT_DAYS: u32 = 7;

/// How tonight's scan was decided.
pub enum Mode {
    /// Everything is fetched; the reason code (`first-scan`, `full-flag`, `no-base`).
    Full(&'static str),
    /// An incremental night over `base_run`.
    Incremental { base_run: i64, plan: Arc<NightPlan> },
}

/// Tonight's decision, with what the run record needs.
pub struct Night {
    pub night: NaiveDate,
    pub revisit_days: u32,
    pub mode: Mode,
}

fn day_number(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::default()).num_days()
}

fn parse_day(s: &str) -> Option<i64> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
        .ok()
        .map(day_number)
}

/// The night's date: `--night`, else today in Beijing.
pub fn night_date(arg: Option<&str>) -> Result<NaiveDate> {
    match arg {
        None => Ok(super::today_beijing()),
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow::anyhow!("bad --night date {s:?}: expected YYYY-MM-DD")),
    }
}

/// The run tonight builds on: the newest completed, healthy run of the same site and start URLs
/// (a degraded run saw too little to carry forward).
fn base_run(store: &Store, site: &str, start_urls: &[String]) -> Result<Option<RunInfo>> {
    Ok(store.runs()?.into_iter().rev().find(|r| {
        r.status == RunStatus::Completed
            && r.degraded.is_none()
            && r.site == site
            && r.start_urls == start_urls
    }))
}

/// Decides tonight: a full scan (first scan, `--full`) or an incremental night with its plan.
pub fn decide(
    store: &Store,
    full: bool,
    night: NaiveDate,
    revisit_days: u32,
    site: &str,
    start_urls: &[Url],
) -> Result<Night> {
    let revisit_days = revisit_days.max(1);
    let urls: Vec<String> = start_urls.iter().map(|u| u.to_string()).collect();
    let mode = if full {
        Mode::Full("full-flag")
    } else {
        match base_run(store, site, &urls)? {
            None if store.runs()?.is_empty() => Mode::Full("first-scan"),
            None => Mode::Full("no-base"),
            Some(base) => {
                let t = std::time::Instant::now();
                let plan = plan(store, base.id, night, revisit_days, &urls)?;
                tracing::info!(
                    base = base.id,
                    due = ?plan.due_counts(),
                    carried = plan.carried_count(),
                    secs = t.elapsed().as_secs_f64(),
                    "night plan"
                );
                Mode::Incremental {
                    base_run: base.id,
                    plan: Arc::new(plan),
                }
            }
        }
    };
    Ok(Night {
        night,
        revisit_days,
        mode,
    })
}

/// Tonight's plan over `base_run` (also rebuilt, identically, when a night is resumed).
pub fn plan(
    store: &Store,
    base_run: i64,
    night: NaiveDate,
    revisit_days: u32,
    start_urls: &[String],
) -> Result<NightPlan> {
    let night_day = day_number(night);
    let known = store
        .night_prior_rows(base_run)?
        .into_iter()
        .map(|r| KnownRequest {
            // Crawled list pages only: a checked outside home page is a link target like others.
            is_list: r.entry.purpose == gongkai_crawl::FetchPurpose::Crawl
                && (matches!(r.kind.as_deref(), Some("home" | "column-list"))
                    || r.entry.method == gongkai_crawl::Method::Post),
            verified_day: parse_day(&r.verified_on).unwrap_or(i64::MIN / 2),
            entry: r.entry,
        })
        .collect();
    let listed = store
        .night_list_items(base_run)?
        .into_iter()
        .map(|i| ListedEntry {
            url: i.url,
            title: i.title,
            date: i.date,
            depth: i.depth,
        })
        .collect();
    let findings: HashSet<String> = store.night_finding_urls(base_run)?.into_iter().collect();
    let start_keys: HashSet<String> = start_urls
        .iter()
        .map(|u| gongkai_crawl::request_key(gongkai_crawl::Method::Get, u, None))
        .collect();
    Ok(NightPlan::build(
        night_day,
        revisit_days,
        known,
        listed,
        &findings,
        &start_keys,
    ))
}

/// The record written when the run begins (a resume reads the mode and base back from it).
pub fn begin_record(n: &Night) -> Value {
    let mut v = json!({
        "night": n.night.to_string(),
        "revisit_days": n.revisit_days,
    });
    match &n.mode {
        Mode::Full(why) => {
            v["mode"] = json!("full");
            v["full_reason"] = json!(why);
        }
        Mode::Incremental { base_run, .. } => {
            v["mode"] = json!("incremental");
            v["base_run"] = json!(base_run);
        }
    }
    v
}

/// Rebuilds a resumed run's night from its record (None: a run recorded before nights).
pub fn resume(store: &Store, run: &RunInfo) -> Result<Option<Night>> {
    let Some(rec) = store.run_nights(run.id)? else {
        return Ok(None);
    };
    let night = rec["night"]
        .as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .context("run record: bad nights.night")?;
    let revisit_days = rec["revisit_days"]
        .as_u64()
        .map_or(DEFAULT_REVISIT_DAYS, |d| d.clamp(1, 365) as u32);
    let mode = match rec["base_run"].as_i64() {
        Some(base) if rec["mode"] == "incremental" => Mode::Incremental {
            base_run: base,
            plan: Arc::new(plan(store, base, night, revisit_days, &run.start_urls)?),
        },
        _ => Mode::Full("full-flag"),
    };
    Ok(Some(Night {
        night,
        revisit_days,
        mode,
    }))
}

/// After tonight's crawl: rows fetched tonight are marked verified tonight, the rest of the base
/// run is carried forward, and the run record gets the counts. Returns the record.
pub fn finish(
    store: &Store,
    run_id: i64,
    n: &Night,
    revisits: &std::collections::BTreeMap<String, u64>,
) -> Result<Value> {
    let night = n.night.to_string();
    let mut rec = begin_record(n);
    rec["requests"] = json!(store.requests_made(run_id)?);
    match &n.mode {
        Mode::Full(_) => store.mark_verified(run_id, &night)?,
        Mode::Incremental { base_run, .. } => {
            let t = std::time::Instant::now();
            let c = store.carry_forward(run_id, *base_run, &night)?;
            tracing::info!(
                run = run_id,
                base = base_run,
                pages = c.pages,
                checks = c.checks,
                secs = t.elapsed().as_secs_f64(),
                "carried forward"
            );
            rec["revisits"] = json!(revisits);
            rec["carried_pages"] = json!(c.pages);
            rec["carried_checks"] = json!(c.checks);
            rec["carried_oldest"] = json!(c.oldest);
            rec["carried_newest"] = json!(c.newest);
        }
    }
    store.set_run_nights(run_id, &rec)?;
    Ok(rec)
}

/// The summary's lines on how tonight was scanned (Chinese, for the office).
pub fn lines(rec: &Value) -> Vec<String> {
    let requests = rec["requests"].as_u64().unwrap_or(0);
    let days = rec["revisit_days"].as_u64().unwrap_or(7);
    if rec["mode"] != "incremental" {
        let why = match rec["full_reason"].as_str() {
            Some("first-scan") => "首次扫描",
            Some("full-flag") => "按 --full 要求",
            _ => "没有可沿用的完整扫描",
        };
        return vec![format!(
            "全量扫描（{why}）：请求 {requests} 次，全部页面和链接目标均已核实"
        )];
    }
    let by_reason: Vec<String> = Reason::ALL
        .iter()
        .filter_map(|r| {
            let n = rec["revisits"][r.code()].as_u64().unwrap_or(0);
            (n > 0).then(|| format!("{} {n}", r.label()))
        })
        .collect();
    let mut out = vec![format!(
        "增量巡检（{}，轮检周期 {days} 天，基于第 {} 次扫描）：今晚请求 {requests} 次（{}）",
        rec["night"].as_str().unwrap_or(""),
        rec["base_run"].as_i64().unwrap_or(0),
        if by_reason.is_empty() {
            "无".to_string()
        } else {
            by_reason.join("、")
        }
    )];
    let pages = rec["carried_pages"].as_u64().unwrap_or(0);
    let checks = rec["carried_checks"].as_u64().unwrap_or(0);
    if pages + checks > 0 {
        let oldest = rec["carried_oldest"].as_str().unwrap_or("?");
        let newest = rec["carried_newest"].as_str().unwrap_or("?");
        let night = rec["night"].as_str().and_then(parse_day);
        let within = match (night, parse_day(oldest)) {
            (Some(n), Some(o)) => n - o < days as i64,
            _ => false,
        };
        out.push(format!(
            "沿用最近核实结果：{pages} 个页面、{checks} 个链接目标，最后核实于 {oldest} 至 {newest}{}",
            if rec["partial"] == true {
                "；今晚的抓取被上限截断，本次扫描不完整".to_string()
            } else if within {
                format!("，均在 {days} 天内：本次扫描按轮检设计是完整的")
            } else {
                format!("，其中有超过 {days} 天未核实的（下次扫描优先核实）")
            }
        ));
    }
    out
}
