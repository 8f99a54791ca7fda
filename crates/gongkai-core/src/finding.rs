//! Findings: what the rules report, one per rule and subject.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
/// How much a finding matters; ordered notice < warning < error.
pub enum Severity {
    /// Worth a look; not a breach.
    Notice,
    /// Probably a breach; check it.
    Warning,
    /// A breach of a stated requirement.
    Error,
}

impl Severity {
    /// The stable code (JSONL, SQLite, `--fail-on`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    /// Chinese label for reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Notice => "提示",
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
}

/// One finding. Field names are a stable contract (JSONL output keys on them).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    /// Stable rule id, e.g. "link.broken".
    pub rule: String,
    /// Severity of the rule.
    pub severity: Severity,
    /// Page where it was observed (the site root for site-wide rules).
    pub url: String,
    /// Link target; canonical column name for column rules; else None.
    pub target: Option<String>,
    /// Responsible unit (责任单位).
    pub department: String,
    /// Ledger item numbers of 滕政办发〔2022〕11号 the rule cites.
    pub ledger: Vec<u32>,
    /// Chinese message for departments.
    pub message: String,
    /// Facts that prove it (JSON object).
    pub evidence: serde_json::Value,
    /// Stable across runs: hash of rule + subject.
    pub fingerprint: String,
    /// Fetch record id that proves it (store id), if any.
    pub fetch_id: Option<i64>,
}
