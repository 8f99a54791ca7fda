//! 申请复核: re-fetch a finding's page (and its link target) now and re-run the rules on it.
//!
//! The fetch goes through the crawler itself (`gongkai_crawl::crawl`, with the run's stored
//! User-Agent, rate and timeouts; robots.txt is read first), seeded with exactly the page and the
//! target and with every limit at zero, so nothing else is followed.
//!
//! Check kinds that compare pages (columns with their pagination, required columns, annual reports
//! across a column, interpretations of documents, soft-404 probes) are never judged on one page:
//! the answer is "需下次全站扫描复核" ([`SITE_WIDE_CHECKS`]). For the others, the rules are first
//! run on a small site built from the *stored* copy of the same page (and target); if that does
//! not reproduce the finding, the rule needed more of the site and the answer is the same. Only
//! then is the small site built from the fresh fetch: finding gone → resolved, still there → open.

use gongkai_crawl::{
    CrawlConfig, CrawlEvent, CrawlStats, FetchOutcome, FetchPurpose, FetchRecord, FrontierEntry,
    Method, NoPrior, ResumeState,
};
use gongkai_rules::{EvalContext, Finding, RulePack, Site, SiteBuilder, SitePage};
use gongkai_store::{RunInfo, Store};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Check kinds whose findings depend on several pages: rechecked only by the next full scan.
pub const SITE_WIDE_CHECKS: &[&str] = &[
    "annual-report",
    "column-empty",
    "column-required",
    "column-stale",
    "doc-interpretation",
    "interpretation-copied",
    "link-soft404",
];

/// True when `rule`'s check kind can be judged on the finding's page (and link target) alone.
pub fn page_local(pack: &RulePack, rule: &str) -> bool {
    pack.get(rule)
        .is_some_and(|r| !SITE_WIDE_CHECKS.contains(&r.check.as_str()))
}

/// Longest a recheck may take (robots.txt, retries and back-off included).
pub const RECHECK_TIMEOUT: Duration = Duration::from_secs(120);

/// What a recheck concluded.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `resolved`, `open`, `site-wide` or `failed` (the `rechecks.result` codes).
    pub result: &'static str,
    /// For the department, in Chinese.
    pub message: String,
    /// The re-fetches (JSON array), bodies stored by sha256.
    pub evidence: serde_json::Value,
}

/// Rules context of a run: its as-of date and the site's owners, aliases and `[text]` terms.
pub fn context(run: &RunInfo, opts: &crate::ServeOptions) -> EvalContext {
    let as_of = chrono::NaiveDate::parse_from_str(&run.as_of, "%Y-%m-%d")
        .unwrap_or_else(|_| chrono::Utc::now().date_naive());
    EvalContext {
        as_of,
        owners: opts.owners.clone(),
        aliases: opts.aliases.clone(),
        text: opts.text.clone(),
        // A recheck sees one page and its target, never the whole site: whole-site rules do not
        // judge (they are answered "需下次全站扫描复核" before evaluation).
        complete: false,
    }
}

/// True when the rules, run on `site`, report `fingerprint`.
pub fn reports(pack: &RulePack, site: &Site, ctx: &EvalContext, fingerprint: &str) -> bool {
    gongkai_rules::evaluate(pack, site, ctx)
        .iter()
        .any(|f| f.fingerprint == fingerprint)
}

fn page_of(
    r: &FetchRecord,
    crawled: bool,
    model: Option<gongkai_page::PageModel>,
    sha: Option<String>,
) -> SitePage {
    SitePage {
        fetch_id: 0,
        url: r.url.as_str().into(),
        final_url: r.final_url.as_str().into(),
        status: r.status,
        outcome: r.outcome,
        content_type: r.content_type.as_deref().map(Into::into),
        fetched_at: r.fetched_at.as_str().into(),
        depth: r.depth,
        crawled,
        model: model.map(Box::new),
        body_sha256: sha.map(Into::into),
    }
}

/// The small site of the stored copy (control), or None when the stored page cannot be used.
pub fn stored_site(store: &Store, run: &RunInfo, f: &Finding) -> anyhow::Result<Option<Site>> {
    let Some(page) = store.fetch_by_url(run.id, &f.url)? else {
        return Ok(None);
    };
    if page.record.method != Method::Get {
        return Ok(None);
    }
    let body = match page.body_sha256.as_deref() {
        Some(sha) => store.body(sha)?,
        None => None,
    };
    let model = match (body, url::Url::parse(&page.record.final_url)) {
        (Some(b), Ok(u)) if page.record.outcome.is_ok_like() => Some(gongkai_page::analyze(
            &u,
            &b,
            page.record.content_type.as_deref(),
        )),
        _ => None,
    };
    let mut b = SiteBuilder::new(run.id, run.start_urls.clone());
    b.page(page_of(&page.record, true, model, page.body_sha256.clone()));
    if let Some(t) = f.target.as_deref().filter(|t| *t != f.url) {
        if let Some(tf) = store.fetch_by_url(run.id, t)? {
            b.page(page_of(&tf.record, false, None, tf.body_sha256.clone()));
        }
    }
    Ok(Some(b.finish()))
}

/// Crawl settings for the re-fetch from what the run stored.
fn config(run: &RunInfo, page: url::Url) -> CrawlConfig {
    let s = &run.settings;
    let mut cfg = CrawlConfig::new(vec![page]);
    if let Some(ua) = s.get("user_agent").and_then(|v| v.as_str()) {
        cfg.user_agent = ua.to_string();
    }
    // A scan with no rate limit (local tests, benchmarks) stores null; a recheck is 2 requests.
    cfg.rate = s.get("rate").and_then(|v| v.as_f64()).filter(|r| *r > 0.0);
    if let Some(t) = s.get("timeout_secs").and_then(|v| v.as_u64()) {
        cfg.timeout = Duration::from_secs(t.clamp(1, 60));
    }
    if let Some(t) = s.get("connect_timeout_secs").and_then(|v| v.as_u64()) {
        cfg.connect_timeout = Duration::from_secs(t.clamp(1, 30));
    }
    cfg.max_pages = 0;
    cfg.max_checks = 0;
    cfg.max_depth = 0;
    cfg.soft404_probe = false;
    cfg.concurrency = 2;
    cfg.per_host_concurrency = 1;
    cfg
}

/// Fetches the page (crawled) and the target (checked) through the crawler.
pub async fn refetch(run: &RunInfo, f: &Finding) -> anyhow::Result<Vec<FetchRecord>> {
    let page = url::Url::parse(&f.url)?;
    let mut pending = vec![FrontierEntry::crawl(page.as_str(), 0)];
    if let Some(t) = f.target.as_deref().filter(|t| *t != f.url) {
        if url::Url::parse(t).is_ok() {
            pending.push(FrontierEntry {
                url: t.to_string(),
                method: Method::Get,
                request_body: None,
                purpose: FetchPurpose::Check,
                depth: 1,
                parent: Some(f.url.clone()),
                link_kind: None,
                column: None,
            });
        }
    }
    let resume = ResumeState {
        seen_keys: pending.iter().map(|e| e.request_key()).collect(),
        pending,
        deferred: Vec::new(),
        failed: Vec::new(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let cancel = CancellationToken::new();
    let crawl = gongkai_crawl::crawl(
        config(run, page),
        Arc::new(NoPrior),
        Some(resume),
        tx,
        cancel.clone(),
        Arc::new(CrawlStats::default()),
    );
    let collect = async {
        let mut out = Vec::new();
        while let Some(ev) = rx.recv().await {
            if let CrawlEvent::Fetched { record, .. } = ev {
                out.push(*record);
            }
        }
        out
    };
    let work = async {
        let (res, records) = tokio::join!(crawl, collect);
        res.map(|_| records)
    };
    match tokio::time::timeout(RECHECK_TIMEOUT, work).await {
        Ok(r) => Ok(r?),
        Err(_) => {
            cancel.cancel();
            anyhow::bail!("recheck of {} timed out", f.url)
        }
    }
}

/// The small site of the fresh fetch; stores the bodies and returns the evidence JSON.
pub fn fresh_site(
    store: &Store,
    run: &RunInfo,
    f: &Finding,
    records: &[FetchRecord],
) -> anyhow::Result<(Site, serde_json::Value)> {
    let mut b = SiteBuilder::new(run.id, run.start_urls.clone());
    let mut evidence = Vec::new();
    for r in records {
        let sha = match r.body.as_deref() {
            Some(bytes) => Some(store.put_body(bytes)?),
            None => None,
        };
        evidence.push(json!({
            "url": r.url,
            "final_url": r.final_url,
            "status": r.status,
            "outcome": r.outcome.code(),
            "fetched_at": r.fetched_at,
            "body_sha256": sha,
            "error": r.error,
        }));
        let crawled = r.url == f.url && r.purpose == FetchPurpose::Crawl;
        b.page(page_of(
            r,
            crawled,
            if crawled { r.model.clone() } else { None },
            sha,
        ));
    }
    Ok((b.finish(), json!(evidence)))
}

/// The verdict on a fresh site, given whether its page could be fetched.
pub fn verdict(
    records: &[FetchRecord],
    f: &Finding,
    still_reported: bool,
) -> (&'static str, String) {
    let page = records.iter().find(|r| r.url == f.url);
    match page.map(|r| r.outcome) {
        None => ("failed", "未能重新抓取该页面，问题保持待整改。".to_string()),
        Some(o) if !o.is_ok_like() => (
            "failed",
            format!(
                "重新抓取页面未成功（{}），无法复核，问题保持待整改。",
                outcome_zh(o)
            ),
        ),
        Some(_) if still_reported => (
            "open",
            "复核未通过：重新抓取后问题仍然存在，请继续整改。".to_string(),
        ),
        Some(_) => ("resolved", "复核通过：重新抓取后问题已不存在。".to_string()),
    }
}

fn outcome_zh(o: FetchOutcome) -> String {
    match o {
        FetchOutcome::Blocked => "被拦截或需验证".to_string(),
        other => other.code().to_string(),
    }
}

/// The answer when the stored copy alone does not reproduce the finding.
pub fn site_wide() -> Outcome {
    Outcome {
        result: "site-wide",
        message: "该问题涉及多个页面（如栏目、分页或全站比对），无法单页复核，需下次全站扫描复核。"
            .to_string(),
        evidence: json!([]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_wide_kinds_exist_and_pages_stay_local() {
        let kinds: Vec<&str> = gongkai_rules::check_kinds().iter().map(|k| k.0).collect();
        for k in SITE_WIDE_CHECKS {
            assert!(kinds.contains(k), "unknown check kind {k}");
        }
        let pack = gongkai_rules::default_pack();
        let by_kind = |kind: &str| {
            pack.rules()
                .iter()
                .find(|r| r.check == kind)
                .map(|r| r.id.clone())
                .unwrap()
        };
        assert!(page_local(&pack, &by_kind("link-broken")));
        assert!(page_local(&pack, &by_kind("doc-metadata")));
        assert!(!page_local(&pack, &by_kind("column-stale")));
        assert!(!page_local(&pack, "no.such-rule"));
    }

    #[test]
    fn verdicts() {
        let f = Finding {
            rule: "link.broken".into(),
            severity: gongkai_rules::Severity::Error,
            url: "http://a.gov.cn/p.html".into(),
            target: None,
            department: String::new(),
            ledger: Vec::new(),
            message: String::new(),
            evidence: json!({}),
            fingerprint: "fp".into(),
            fetch_id: None,
        };
        let mut r: FetchRecord = serde_json::from_value(json!({
            "url": "http://a.gov.cn/p.html", "method": "GET", "request_body": null,
            "purpose": "crawl", "depth": 0, "outcome": "ok", "status": 200,
            "final_url": "http://a.gov.cn/p.html", "redirects": [], "headers": [],
            "content_type": "text/html", "charset": null, "etag": null, "last_modified": null,
            "fetched_at": "2026-01-01T00:00:00Z", "elapsed_ms": 1, "body": null,
            "body_truncated": false, "not_modified": false, "error": null, "model": null,
            "attempts": 1
        }))
        .unwrap();
        assert_eq!(verdict(&[r.clone()], &f, false).0, "resolved");
        assert_eq!(verdict(&[r.clone()], &f, true).0, "open");
        assert_eq!(verdict(&[], &f, false).0, "failed");
        r.outcome = FetchOutcome::Blocked;
        let (code, msg) = verdict(&[r], &f, false);
        assert_eq!(code, "failed", "a blocked page never resolves a finding");
        assert!(msg.contains("被拦截"));
    }
}
