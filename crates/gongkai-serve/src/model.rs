//! What the pages and the API show of a finding: its row in the current run plus where the loop
//! stands (open, resolved by a recheck, waived), and who may see it.

use gongkai_rules::{Finding, RulePack, Severity};
use gongkai_store::{Account, AccountRole, RecheckRow, RunInfo, RunStatus, Store, WaiverRow};
use serde::Serialize;
use std::collections::HashMap;

/// Where a finding stands in the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LoopState {
    /// Reported and not (yet) shown fixed.
    Open,
    /// A recheck after the run found it fixed.
    Resolved,
    /// The office approved a waiver and the page has not changed since.
    Waived,
}

impl LoopState {
    pub fn as_str(self) -> &'static str {
        match self {
            LoopState::Open => "open",
            LoopState::Resolved => "resolved",
            LoopState::Waived => "waived",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            LoopState::Open => "待整改",
            LoopState::Resolved => "已整改（复核通过）",
            LoopState::Waived => "已豁免",
        }
    }

    pub fn parse(s: &str) -> Option<LoopState> {
        match s {
            "open" => Some(LoopState::Open),
            "resolved" => Some(LoopState::Resolved),
            "waived" => Some(LoopState::Waived),
            _ => None,
        }
    }
}

/// One finding as shown.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub id: i64,
    pub run_id: i64,
    pub rule: String,
    pub rule_title: String,
    pub severity: Severity,
    pub department: String,
    pub url: String,
    pub target: Option<String>,
    pub message: String,
    pub fingerprint: String,
    pub status: LoopState,
    /// A waiver request waits for the office.
    pub waiver_pending: bool,
    /// Message of the latest recheck, if any.
    pub last_recheck: Option<String>,
    #[serde(skip)]
    pub finding: Finding,
}

/// The run the application shows: the latest completed, healthy run with findings (a degraded
/// run did not see the whole site: departments keep the list of the last one that did), else the
/// latest completed run with findings, else the latest run with findings (a first scan that was
/// interrupted), else none.
pub fn current_run(store: &Store) -> anyhow::Result<Option<RunInfo>> {
    let runs = store.runs()?;
    let checked = || runs.iter().rev().filter(|r| r.checked_at.is_some());
    Ok(checked()
        .find(|r| r.status == RunStatus::Completed && r.degraded.is_none())
        .or_else(|| checked().find(|r| r.status == RunStatus::Completed))
        .or_else(|| checked().next())
        .cloned())
}

/// May `account` see findings of `department`?
pub fn can_see(account: &Account, department: &str) -> bool {
    match &account.role {
        AccountRole::Admin => true,
        AccountRole::Department(d) => d.trim() == department.trim() && !d.trim().is_empty(),
    }
}

/// The state of a finding (by fingerprint) relative to `run`.
pub fn loop_state(
    store: &Store,
    run: &RunInfo,
    f: &Finding,
    rechecks: &[RecheckRow],
    waivers: &[WaiverRow],
) -> anyhow::Result<LoopState> {
    if let Some(w) = waivers.iter().rev().find(|w| w.status == "approved") {
        // The waiver holds while the page is the one it was asked on.
        let now = store
            .fetch_by_url(run.id, &f.url)?
            .and_then(|p| p.body_sha256);
        if now == w.body_sha256 {
            return Ok(LoopState::Waived);
        }
    }
    let checked_at = run.checked_at.as_deref().unwrap_or("");
    if let Some(r) = rechecks.last() {
        // A recheck counts until a later scan finds the problem again.
        if r.result == "resolved" && r.requested_at.as_str() > checked_at {
            return Ok(LoopState::Resolved);
        }
    }
    Ok(LoopState::Open)
}

/// Rechecks and waivers by fingerprint.
#[derive(Default)]
pub struct LoopRecords {
    rechecks: HashMap<String, Vec<RecheckRow>>,
    waivers: HashMap<String, Vec<WaiverRow>>,
}

impl LoopRecords {
    /// Everything (for lists: two queries instead of two per finding).
    pub fn all(store: &Store) -> anyhow::Result<LoopRecords> {
        Ok(Self::group(store.rechecks(None)?, store.waivers(None)?))
    }

    /// One finding's.
    pub fn of(store: &Store, fingerprint: &str) -> anyhow::Result<LoopRecords> {
        Ok(Self::group(
            store.rechecks(Some(fingerprint))?,
            store.waivers(Some(fingerprint))?,
        ))
    }

    fn group(rechecks: Vec<RecheckRow>, waivers: Vec<WaiverRow>) -> LoopRecords {
        let mut out = LoopRecords::default();
        for r in rechecks {
            out.rechecks
                .entry(r.fingerprint.clone())
                .or_default()
                .push(r);
        }
        for w in waivers {
            out.waivers
                .entry(w.fingerprint.clone())
                .or_default()
                .push(w);
        }
        out
    }
}

/// Builds the view of one finding row of `run`.
pub fn view(
    store: &Store,
    pack: &RulePack,
    run: &RunInfo,
    id: i64,
    f: Finding,
    records: &LoopRecords,
) -> anyhow::Result<FindingView> {
    let rechecks = records
        .rechecks
        .get(&f.fingerprint)
        .map_or(&[][..], Vec::as_slice);
    let waivers = records
        .waivers
        .get(&f.fingerprint)
        .map_or(&[][..], Vec::as_slice);
    let status = loop_state(store, run, &f, rechecks, waivers)?;
    Ok(FindingView {
        id,
        run_id: run.id,
        rule_title: pack
            .get(&f.rule)
            .map(|r| r.title.clone())
            .unwrap_or_default(),
        rule: f.rule.clone(),
        severity: f.severity,
        department: f.department.clone(),
        url: f.url.clone(),
        target: f.target.clone(),
        message: f.message.clone(),
        fingerprint: f.fingerprint.clone(),
        status,
        waiver_pending: waivers.iter().any(|w| w.status == "pending"),
        last_recheck: rechecks.last().map(|r| r.message.clone()),
        finding: f,
    })
}

/// Findings of the current run that `account` may see.
pub fn visible(
    store: &Store,
    pack: &RulePack,
    account: &Account,
) -> anyhow::Result<(Option<RunInfo>, Vec<FindingView>)> {
    let Some(run) = current_run(store)? else {
        return Ok((None, Vec::new()));
    };
    let records = LoopRecords::all(store)?;
    let mut out = Vec::new();
    for sf in store.findings(run.id)? {
        if can_see(account, &sf.finding.department) {
            out.push(view(store, pack, &run, sf.id, sf.finding, &records)?);
        }
    }
    Ok((Some(run), out))
}

/// Why a finding id cannot be shown to an account.
#[derive(Debug, PartialEq, Eq)]
pub enum Denied {
    NotFound,
    Forbidden,
}

/// One finding row by id (of any run, shown against its own run), if `account` may see it.
pub fn one(
    store: &Store,
    pack: &RulePack,
    account: &Account,
    id: i64,
) -> anyhow::Result<Result<(RunInfo, FindingView), Denied>> {
    let Some((run_id, _)) = store.finding_ref(id)? else {
        return Ok(Err(Denied::NotFound));
    };
    let Some(sf) = store.findings(run_id)?.into_iter().find(|f| f.id == id) else {
        return Ok(Err(Denied::NotFound));
    };
    if !can_see(account, &sf.finding.department) {
        return Ok(Err(Denied::Forbidden));
    }
    let run = store
        .run(run_id)?
        .ok_or_else(|| anyhow::anyhow!("finding {id} names missing run {run_id}"))?;
    let records = LoopRecords::of(store, &sf.finding.fingerprint)?;
    let v = view(store, pack, &run, sf.id, sf.finding, &records)?;
    Ok(Ok((run, v)))
}

/// Filters of the list page and the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub rule: Option<String>,
    /// `open`, `resolved`, `waived` or `all`; default: everything but waived.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    /// Administrator only: one department.
    #[serde(default)]
    pub department: Option<String>,
}

fn some(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Filter {
    pub fn keep(&self, v: &FindingView) -> bool {
        if some(&self.rule).is_some_and(|r| r != v.rule) {
            return false;
        }
        if some(&self.severity).is_some_and(|s| s != v.severity.as_str()) {
            return false;
        }
        if some(&self.department).is_some_and(|d| d != v.department.trim()) {
            return false;
        }
        match some(&self.status) {
            Some("all") => true,
            Some(s) => LoopState::parse(s) == Some(v.status),
            // Waived findings stay out of lists and counts unless asked for.
            None => v.status != LoopState::Waived,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(rule: &str, sev: Severity, dept: &str, status: LoopState) -> FindingView {
        let finding = Finding {
            rule: rule.into(),
            severity: sev,
            url: "http://a.gov.cn/".into(),
            target: None,
            department: dept.into(),
            ledger: Vec::new(),
            message: String::new(),
            evidence: serde_json::json!({}),
            fingerprint: "fp".into(),
            fetch_id: None,
        };
        FindingView {
            id: 1,
            run_id: 1,
            rule: rule.into(),
            rule_title: String::new(),
            severity: sev,
            department: dept.into(),
            url: finding.url.clone(),
            target: None,
            message: String::new(),
            fingerprint: "fp".into(),
            status,
            waiver_pending: false,
            last_recheck: None,
            finding,
        }
    }

    #[test]
    fn filters_hide_waived_unless_asked() {
        let open = view("link.broken", Severity::Error, "市住建局", LoopState::Open);
        let waived = view(
            "link.broken",
            Severity::Error,
            "市住建局",
            LoopState::Waived,
        );
        let all = Filter::default();
        assert!(all.keep(&open) && !all.keep(&waived));
        let f = Filter {
            status: Some("waived".into()),
            ..Filter::default()
        };
        assert!(!f.keep(&open) && f.keep(&waived));
        let f = Filter {
            status: Some("all".into()),
            rule: Some("link.broken".into()),
            severity: Some("error".into()),
            department: Some(" ".into()),
        };
        assert!(f.keep(&open) && f.keep(&waived));
        let f = Filter {
            severity: Some("notice".into()),
            ..Filter::default()
        };
        assert!(!f.keep(&open));
    }

    #[test]
    fn departments_see_only_their_own() {
        let dept = Account {
            id: 1,
            role: AccountRole::Department("市住建局".into()),
            password_hash: None,
        };
        let admin = Account {
            id: 2,
            role: AccountRole::Admin,
            password_hash: None,
        };
        assert!(can_see(&dept, "市住建局") && can_see(&dept, " 市住建局 "));
        assert!(!can_see(&dept, "市教育局") && !can_see(&dept, ""));
        assert!(can_see(&admin, "市教育局") && can_see(&admin, ""));
    }
}
