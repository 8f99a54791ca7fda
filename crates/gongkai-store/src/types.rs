//! Plain data types of the store API.

use gongkai_core::{FetchRecord, Finding};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use gongkai_core::frontier::{request_key, FrontierEntry};

/// The request key of a fetch record (see [`request_key`]).
pub fn record_request_key(record: &FetchRecord) -> String {
    record.request_key()
}

/// State of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Started and not finished (also what a killed scan leaves behind).
    Running,
    Completed,
    /// Stopped before the frontier was exhausted (Ctrl-C, crash); resumable.
    Interrupted,
    /// Finished, but a crawl limit (max pages, checks or depth) left part of the site unfetched:
    /// conclusions about the whole site are not drawn from it.
    Partial,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Partial => "partial",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "running" => Some(RunStatus::Running),
            "completed" => Some(RunStatus::Completed),
            "interrupted" => Some(RunStatus::Interrupted),
            "partial" => Some(RunStatus::Partial),
            _ => None,
        }
    }
}

/// What `begin_run` needs to know about a new run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewRun {
    /// Site name from the configuration.
    pub site: String,
    pub start_urls: Vec<String>,
    /// Effective crawl settings (limits, rate, user agent ...), stored as JSON.
    pub settings: serde_json::Value,
    /// gongkai version that ran the scan.
    pub tool_version: String,
    /// Rule-pack version or hash.
    pub rules_version: Option<String>,
    /// Hash of the site configuration.
    pub config_hash: Option<String>,
    /// Reference date of the assessment, YYYY-MM-DD.
    pub as_of: String,
}

/// One row of `runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub id: i64,
    pub site: String,
    pub start_urls: Vec<String>,
    pub settings: serde_json::Value,
    pub tool_version: String,
    pub rules_version: Option<String>,
    pub config_hash: Option<String>,
    pub as_of: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// RFC 3339 UTC; set only when the run completed.
    pub finished_at: Option<String>,
    pub status: RunStatus,
    /// Fetch rows per outcome code; empty until `finish_run`.
    pub outcome_counts: BTreeMap<String, u64>,
    /// Fetch rows with purpose `crawl`; None until `finish_run`.
    pub pages_fetched: Option<u64>,
    /// When findings were last replaced (RFC 3339 UTC).
    pub checked_at: Option<String>,
    /// What was fetched and what not, by reason; None until the crawl ended (and for runs
    /// recorded before schema version 3).
    #[serde(default)]
    pub coverage: Option<gongkai_core::Coverage>,
    /// Why the run is degraded (运行异常), in Chinese; None for a healthy run (schema v8).
    #[serde(default)]
    pub degraded: Option<String>,
    /// Broken links held back as 待确认 (not yet failed in `confirm_runs` consecutive runs);
    /// None until the rules ran (schema v8).
    #[serde(default)]
    pub unconfirmed: Option<u64>,
}

impl RunInfo {
    /// The crawl saw the whole site: not cut by a limit, not interrupted, not degraded.
    pub fn complete(&self) -> bool {
        !matches!(self.status, RunStatus::Partial | RunStatus::Interrupted)
            && !self.coverage.as_ref().is_some_and(|c| c.partial())
            && self.degraded.is_none()
    }

    /// Requests answered by a wall (401/403/407/412/429/451, challenge pages): unverified.
    pub fn walls(&self) -> u64 {
        self.outcome_counts.get("blocked").copied().unwrap_or(0)
    }
}

/// Conditional-request validators from the latest earlier fetch of a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Body those validators belong to (reuse it on 304).
    pub body_sha256: String,
    /// URL the body was finally served from.
    pub final_url: String,
    /// The page model stored with that body (JSON) and its extractor version: on a 304 from the
    /// same final URL the crawler reuses it instead of parsing the page again.
    pub model_json: Option<String>,
    pub extractor_version: Option<u32>,
    /// When the JSON was stored without its links (schema version 11): the fetch whose rows
    /// they are, for [`crate::Store::page_links`]. None when the JSON holds them.
    pub links_of: Option<i64>,
}

/// A finding as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFinding {
    pub id: i64,
    pub run_id: i64,
    pub finding: Finding,
}

/// A fetch row as stored. `record.body` is always None: load the bytes with
/// `Store::body(body_sha256)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredFetch {
    pub id: i64,
    pub run_id: i64,
    pub request_key: String,
    pub record: FetchRecord,
    pub body_sha256: Option<String>,
    /// `<title>` of the page model, when there is one.
    pub title: Option<String>,
    /// Extractor version of the stored model.
    pub extractor_version: Option<u32>,
}

/// Counters of a [`crate::StoreWriter`] (also returned by direct writes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriterStats {
    /// Fetch records written (upserts included).
    pub records: u64,
    /// Frontier entries received.
    pub enqueued: u64,
    /// Frontier entries that were new to the run (not seen before).
    pub frontier_new: u64,
    /// Bodies stored for the first time.
    pub bodies_new: u64,
    /// Bodies already present (deduplicated).
    pub bodies_dedup: u64,
    /// Link rows written.
    pub links: u64,
    /// Transactions committed.
    pub transactions: u64,
}

impl WriterStats {
    pub(crate) fn add(&mut self, o: &WriterStats) {
        self.records += o.records;
        self.enqueued += o.enqueued;
        self.frontier_new += o.frontier_new;
        self.bodies_new += o.bodies_new;
        self.bodies_dedup += o.bodies_dedup;
        self.links += o.links;
        self.transactions += o.transactions;
    }
}
