//! Shared sample data: a small run with hostile crawled strings.

use gongkai_core::{Finding, Severity};
use gongkai_report::{
    EvidenceRef, FindingStatus, ReportFinding, ReportInput, RuleInfo, RunMeta, TrendPoint,
};
use serde_json::json;

pub const HOSTILE_SCRIPT_TITLE: &str = "<script>alert(1)</script>";
pub const HOSTILE_IMG_TITLE: &str = "<img src=x onerror=alert(4)>";
pub const JS_URL: &str = "javascript:alert(3)";
pub const ODD_DEPT: &str = "市场监管局[执法]/稽查:一科";

pub fn finding(rule: &str, sev: Severity, url: &str, dept: &str, fp: &str) -> Finding {
    Finding {
        rule: rule.to_string(),
        severity: sev,
        url: url.to_string(),
        target: None,
        department: dept.to_string(),
        ledger: vec![5],
        message: format!("{rule} 问题"),
        evidence: json!({}),
        fingerprint: fp.to_string(),
        fetch_id: None,
    }
}

pub fn run(id: i64, as_of: &str) -> RunMeta {
    RunMeta {
        id,
        as_of: as_of.to_string(),
        started_at: format!("{as_of}T01:30:00Z"),
        finished_at: Some(format!("{as_of}T02:10:00Z")),
        tool_version: "0.1.0".into(),
        rules_version: "2026.1".into(),
        rules_hash: "abc123".into(),
        config_hash: "cfg456".into(),
        pages_fetched: 1234,
        outcome_counts: [("ok".to_string(), 1200u64), ("timeout".to_string(), 34)]
            .into_iter()
            .collect(),
        partial: false,
        coverage: None,
        degraded: None,
        unconfirmed: 0,
    }
}

fn tracked(f: Finding, status: FindingStatus, first: &str, days: i64) -> ReportFinding {
    ReportFinding {
        finding: f,
        rule_title: String::new(),
        page_title: None,
        status,
        first_seen: first.to_string(),
        last_seen: "2026-01-26".to_string(),
        days_open: Some(days),
        evidence_ref: None,
        last_verified: None,
    }
}

/// Five open findings over four departments (one with a sheet-hostile name), one resolved.
pub fn sample() -> ReportInput {
    let mut broken = finding(
        "link.broken",
        Severity::Error,
        "https://www.tengzhou.gov.cn/zwgk/202601/t20260126_1.html",
        "市政府办公室",
        "fp-broken",
    );
    broken.target = Some("https://www.tengzhou.gov.cn/dead.html".into());
    broken.message = "链接无法访问（HTTP 404）".into();
    broken.evidence = json!({"status": 404, "anchor": "</pre><script>alert(5)</script>"});
    broken.fetch_id = Some(42);
    let mut broken = tracked(broken, FindingStatus::Persisting, "2026-01-14", 12);
    broken.page_title = Some(HOSTILE_SCRIPT_TITLE.into());
    broken.evidence_ref = Some(EvidenceRef {
        fetch_id: 42,
        final_url: Some("https://www.tengzhou.gov.cn/zwgk/202601/t20260126_1.html".into()),
        http_status: Some(200),
        fetched_at: "2026-01-26T01:40:00Z".into(),
        body_sha256: Some(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into(),
        ),
    });

    let mut meta = finding(
        "meta.missing",
        Severity::Warning,
        JS_URL,
        "市教育局",
        "fp-meta",
    );
    meta.message = "=HYPERLINK(\"http://evil.example/\",\"点击\")".into();
    let mut meta = tracked(meta, FindingStatus::New, "2026-01-26", 0);
    meta.page_title = Some(HOSTILE_IMG_TITLE.into());

    let mut stale = finding(
        "column.stale",
        Severity::Notice,
        "https://www.tengzhou.gov.cn/jyj/index.html",
        "市教育局",
        "fp-stale",
    );
    stale.message = "栏目“教育动态”超过14天未更新".into();
    let mut stale = tracked(stale, FindingStatus::New, "2026-01-26", 0);
    stale.page_title = Some("教育动态".into());

    let docnum = tracked(
        finding(
            "docnum.format",
            Severity::Warning,
            "https://www.tengzhou.gov.cn/czj/t1.html",
            "市财政局",
            "fp-docnum",
        ),
        FindingStatus::Persisting,
        "2026-01-12",
        14,
    );
    let odd = tracked(
        finding(
            "link.broken",
            Severity::Error,
            "https://www.tengzhou.gov.cn/scjgj/a.html",
            ODD_DEPT,
            "fp-odd",
        ),
        FindingStatus::New,
        "2026-01-26",
        0,
    );
    let mut gone = tracked(
        finding(
            "link.broken",
            Severity::Error,
            "https://www.tengzhou.gov.cn/old.html",
            "市政府办公室",
            "fp-gone",
        ),
        FindingStatus::Resolved,
        "2026-01-12",
        7,
    );
    gone.last_seen = "2026-01-19".into();

    ReportInput {
        site: "滕州市人民政府门户网站".into(),
        run: run(3, "2026-01-26"),
        previous_run: Some(run(2, "2026-01-19")),
        findings: vec![broken, meta, stale, docnum, odd],
        resolved: vec![gone],
        trend: vec![
            TrendPoint {
                run_id: 1,
                date: "2026-01-12".into(),
                errors: 4,
                warnings: 3,
                notices: 1,
            },
            TrendPoint {
                run_id: 2,
                date: "2026-01-19".into(),
                errors: 3,
                warnings: 2,
                notices: 0,
            },
            TrendPoint {
                run_id: 3,
                date: "2026-01-26".into(),
                errors: 2,
                warnings: 2,
                notices: 1,
            },
        ],
        rules: vec![
            rule("link.broken", "链接无法访问", Severity::Error, "一（二）"),
            rule(
                "meta.missing",
                "页面元数据缺失",
                Severity::Warning,
                "二（一）",
            ),
            rule(
                "column.stale",
                "栏目未按期更新",
                Severity::Notice,
                "一（二）",
            ),
            rule(
                "docnum.format",
                "发文字号格式不规范",
                Severity::Warning,
                "一（一）",
            ),
        ],
    }
}

fn rule(id: &str, title: &str, severity: Severity, clause: &str) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        title: title.into(),
        severity,
        ledger: vec![5, 12],
        clause: clause.into(),
    }
}
