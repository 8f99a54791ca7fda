//! The report's input model: plain data the CLI fills from the store. Writers read only this.

use gongkai_core::{Finding, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The document every finding cites.
pub const SOURCE_DOCUMENT: &str = "滕政办发〔2022〕11号";

/// Department shown for findings whose `department` is blank.
pub const UNKNOWN_DEPARTMENT: &str = "未指定责任单位";

/// One scan run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunMeta {
    /// Store run id.
    pub id: i64,
    /// The date the run is judged at (`YYYY-MM-DD`, Beijing calendar day).
    pub as_of: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// RFC 3339, UTC; `None` while running or when interrupted.
    pub finished_at: Option<String>,
    /// gongkai version that ran the scan.
    pub tool_version: String,
    /// Rule pack version.
    pub rules_version: String,
    /// Hash of the rule pack contents.
    pub rules_hash: String,
    /// Hash of the effective configuration.
    pub config_hash: String,
    /// Pages fetched in this run.
    pub pages_fetched: u64,
    /// Fetch outcome name (e.g. "ok", "timeout") → count.
    pub outcome_counts: BTreeMap<String, u64>,
    /// A crawl limit left part of the site unfetched: whole-site rules were not judged and
    /// earlier findings missing now are not taken as fixed.
    #[serde(default)]
    pub partial: bool,
    /// 覆盖情况: what was fetched and what not (None for runs recorded without it).
    #[serde(default)]
    pub coverage: Option<RunCoverage>,
    /// Why the run is 运行异常（降级） (far fewer pages than the last complete run, start page
    /// blocked or unreachable); None when healthy. A degraded run is also `partial`.
    #[serde(default)]
    pub degraded: Option<String>,
    /// Broken links held back as 待确认 (not yet failed in `confirm_runs` consecutive runs).
    #[serde(default)]
    pub unconfirmed: u64,
}

impl RunMeta {
    /// Requests answered by a wall (401/403/407/412/429/451, challenge pages): 未验证.
    pub fn walls(&self) -> u64 {
        self.outcome_counts.get("blocked").copied().unwrap_or(0)
    }

    /// The Chinese line saying why the run is degraded and what that means, if it is.
    pub fn degraded_line(&self) -> Option<String> {
        self.degraded.as_ref().map(|why| {
            format!(
                "运行异常（降级）：{why}。未再出现的问题不算已整改（仍为未核实），需要全站才能判断的规则未判断"
            )
        })
    }
}

/// The coverage of a run as reports show it (labels already in Chinese).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCoverage {
    /// Crawl fetches.
    pub pages_fetched: u64,
    /// URLs of the site not crawled, by reason label (non-zero only).
    pub not_fetched: Vec<(String, u64)>,
    /// Crawled pages that could not be read, by reason label.
    pub unreadable: Vec<(String, u64)>,
    /// Links to other sites: checked, not crawled.
    pub out_of_scope: u64,
    /// The limits that cut the run (labels), empty when complete.
    pub limits_hit: Vec<String>,
    /// Rule ids not judged because the run is partial.
    pub not_judged: Vec<String>,
    /// The one-line summary (`已抓取页面 N；未抓取 M：…`).
    pub summary: String,
    /// How the run was scanned: full, or an incremental night (what was revisited and why, what
    /// was carried forward and when it was last verified). Chinese lines; empty for older runs.
    #[serde(default)]
    pub nights: Vec<String>,
}

impl RunCoverage {
    pub fn not_fetched_total(&self) -> u64 {
        self.not_fetched.iter().map(|(_, n)| n).sum()
    }

    pub fn unreadable_total(&self) -> u64 {
        self.unreadable.iter().map(|(_, n)| n).sum()
    }
}

/// Where a finding stands relative to the previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    /// Not present in the previous run.
    New,
    /// Present in the previous run and still present.
    Persisting,
    /// Present in the previous run, gone now.
    Resolved,
    /// Present in the previous run and not seen now, but the current run is partial: it may
    /// simply not have reached the page, so the finding stays open.
    Unverified,
}

impl FindingStatus {
    /// Stable machine name (`new`, `persisting`, `resolved`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::New => "new",
            FindingStatus::Persisting => "persisting",
            FindingStatus::Resolved => "resolved",
            FindingStatus::Unverified => "unverified",
        }
    }

    /// Chinese label for reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            FindingStatus::New => "新发现",
            FindingStatus::Persisting => "未整改",
            FindingStatus::Resolved => "已整改",
            FindingStatus::Unverified => "未核实（本次扫描不完整）",
        }
    }
}

/// The stored fetch that proves a finding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// Store fetch id.
    pub fetch_id: i64,
    /// URL after redirects.
    pub final_url: Option<String>,
    /// HTTP status, when a response arrived.
    pub http_status: Option<u16>,
    /// RFC 3339, UTC.
    pub fetched_at: String,
    /// SHA-256 (hex) of the stored body.
    pub body_sha256: Option<String>,
}

/// A finding as reported: the rule output plus context and history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFinding {
    pub finding: Finding,
    /// Chinese rule title; empty means "look it up in [`ReportInput::rules`]".
    pub rule_title: String,
    /// Title of the page the finding is on (crawled text: hostile).
    pub page_title: Option<String>,
    pub status: FindingStatus,
    /// Date (`YYYY-MM-DD`) of the first run of the current streak that saw it.
    pub first_seen: String,
    /// Date (`YYYY-MM-DD`) of the latest run that saw it.
    pub last_seen: String,
    /// Days between `first_seen` and the current run (for resolved ones: `last_seen`).
    pub days_open: Option<i64>,
    pub evidence_ref: Option<EvidenceRef>,
    /// 最后核实: the night (`YYYY-MM-DD`) the finding's page was last fetched and verified. On an
    /// incremental night a page not revisited is carried forward with the date it was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_verified: Option<String>,
}

impl ReportFinding {
    /// Wraps a bare finding seen for the first time on `date`.
    pub fn new_on(finding: Finding, date: &str) -> Self {
        ReportFinding {
            finding,
            rule_title: String::new(),
            page_title: None,
            status: FindingStatus::New,
            first_seen: date.to_string(),
            last_seen: date.to_string(),
            days_open: Some(0),
            evidence_ref: None,
            last_verified: None,
        }
    }

    /// Responsible unit, with a placeholder for blank ones.
    pub fn department(&self) -> &str {
        let d = self.finding.department.trim();
        if d.is_empty() {
            UNKNOWN_DEPARTMENT
        } else {
            d
        }
    }
}

/// One point of the trend chart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub run_id: i64,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub errors: u64,
    pub warnings: u64,
    pub notices: u64,
}

/// What the report says about a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: String,
    /// Chinese title.
    pub title: String,
    pub severity: Severity,
    /// Ledger item numbers (台账序号) of 滕政办发〔2022〕11号.
    pub ledger: Vec<u32>,
    /// Clause of the document, e.g. "一（二）".
    pub clause: String,
}

/// Everything a report shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    /// Site name or root URL.
    pub site: String,
    pub run: RunMeta,
    pub previous_run: Option<RunMeta>,
    /// Open findings of this run (status new or persisting).
    pub findings: Vec<ReportFinding>,
    /// Findings of the previous run that are gone now.
    pub resolved: Vec<ReportFinding>,
    /// Past runs, oldest first, the current one last.
    pub trend: Vec<TrendPoint>,
    pub rules: Vec<RuleInfo>,
}

impl ReportInput {
    /// The rule's metadata, if listed.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The Chinese title for a finding's rule: its own, the rule list's, or the rule id.
    pub fn rule_title<'a>(&'a self, f: &'a ReportFinding) -> &'a str {
        if !f.rule_title.trim().is_empty() {
            return &f.rule_title;
        }
        match self.rule(&f.finding.rule) {
            Some(r) if !r.title.trim().is_empty() => &r.title,
            _ => &f.finding.rule,
        }
    }

    /// The clause a finding cites (empty if unknown).
    pub fn clause(&self, f: &ReportFinding) -> &str {
        self.rule(&f.finding.rule)
            .map(|r| r.clause.as_str())
            .unwrap_or("")
    }

    /// Ledger items a finding cites: its own, else its rule's.
    pub fn ledger<'a>(&'a self, f: &'a ReportFinding) -> &'a [u32] {
        if !f.finding.ledger.is_empty() {
            return &f.finding.ledger;
        }
        self.rule(&f.finding.rule)
            .map(|r| r.ledger.as_slice())
            .unwrap_or(&[])
    }

    /// Citation line: `滕政办发〔2022〕11号 条款 一（二） 台账序号 3、5`.
    pub fn citation(&self, f: &ReportFinding) -> String {
        let mut s = String::from(SOURCE_DOCUMENT);
        let clause = self.clause(f);
        if !clause.is_empty() {
            s.push_str(" 条款 ");
            s.push_str(clause);
        }
        let ledger = self.ledger(f);
        if !ledger.is_empty() {
            s.push_str(" 台账序号 ");
            s.push_str(&ledger_text(ledger));
        }
        s
    }

    /// Departments of the open findings, sorted, each once.
    pub fn departments(&self) -> Vec<String> {
        let mut d: Vec<String> = self
            .findings
            .iter()
            .map(|f| f.department().to_string())
            .collect();
        d.sort();
        d.dedup();
        d
    }
}

/// Ledger numbers joined with the Chinese enumeration comma: `3、5、12`.
pub fn ledger_text(ledger: &[u32]) -> String {
    ledger
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join("、")
}

/// Counts per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts {
    pub errors: u64,
    pub warnings: u64,
    pub notices: u64,
}

impl SeverityCounts {
    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Notice => self.notices += 1,
        }
    }

    pub fn get(&self, s: Severity) -> u64 {
        match s {
            Severity::Error => self.errors,
            Severity::Warning => self.warnings,
            Severity::Notice => self.notices,
        }
    }

    pub fn total(&self) -> u64 {
        self.errors + self.warnings + self.notices
    }

    /// Counts of a set of findings.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a ReportFinding>) -> Self {
        let mut c = SeverityCounts::default();
        for f in findings {
            c.add(f.finding.severity);
        }
        c
    }
}

/// Severities from most to least severe.
pub const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Notice];
