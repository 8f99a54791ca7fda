//! Finding history: what is new, what persists and what was fixed, matched by fingerprint.

use crate::model::{FindingStatus, ReportFinding, RunMeta};
use chrono::NaiveDate;
use gongkai_core::Finding;
use std::collections::{HashMap, HashSet};

/// Findings of two runs compared by fingerprint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// In `cur`, not in `prev` (in `cur` order).
    pub new: Vec<Finding>,
    /// In `prev`, not in `cur` (in `prev` order).
    pub resolved: Vec<Finding>,
    /// In both; the current version (in `cur` order).
    pub persisting: Vec<Finding>,
}

/// Compares two runs' findings by fingerprint. A fingerprint repeated within one run counts once.
pub fn diff(prev: &[Finding], cur: &[Finding]) -> Diff {
    let prev_set: HashSet<&str> = prev.iter().map(|f| f.fingerprint.as_str()).collect();
    let cur_set: HashSet<&str> = cur.iter().map(|f| f.fingerprint.as_str()).collect();
    let mut out = Diff::default();
    let mut seen = HashSet::new();
    for f in cur {
        if !seen.insert(f.fingerprint.as_str()) {
            continue;
        }
        if prev_set.contains(f.fingerprint.as_str()) {
            out.persisting.push(f.clone());
        } else {
            out.new.push(f.clone());
        }
    }
    let mut seen = HashSet::new();
    for f in prev {
        if seen.insert(f.fingerprint.as_str()) && !cur_set.contains(f.fingerprint.as_str()) {
            out.resolved.push(f.clone());
        }
    }
    out
}

/// Parses the leading `YYYY-MM-DD` of a date or RFC 3339 timestamp.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let head = s.trim().get(..10)?;
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

/// Whole days from `from` to `to` (both `YYYY-MM-DD…`), if both parse.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    Some((parse_day(to)? - parse_day(from)?).num_days())
}

/// The date a run counts for: its `as_of`, else the day of `started_at`.
fn run_date(run: &RunMeta) -> String {
    if !run.as_of.trim().is_empty() {
        run.as_of.trim().to_string()
    } else {
        run.started_at
            .get(..10)
            .unwrap_or(&run.started_at)
            .to_string()
    }
}

/// Tracks findings across runs, oldest first; the last entry is the current run.
///
/// Returns `(open, resolved)`:
/// - open: the current run's findings (first occurrence per fingerprint), `New` when the
///   previous run did not have the fingerprint, else `Persisting`;
/// - resolved: the previous run's findings whose fingerprint is gone now. When the current run
///   is partial (`RunMeta::partial`) they are not resolved: they stay in `open` as `Unverified`.
///
/// `first_seen` is the date of the first run of the unbroken streak of runs that had the
/// fingerprint (a finding that went away and came back starts a new streak); `last_seen` is the
/// date of the latest run that had it. `days_open` is the current run's date minus `first_seen`
/// for open findings and `last_seen` minus `first_seen` for resolved ones. Dates are the runs'
/// `as_of`. Rule titles, page titles and evidence references are left for the caller to fill.
pub fn track(history: &[(RunMeta, Vec<Finding>)]) -> (Vec<ReportFinding>, Vec<ReportFinding>) {
    let Some(((cur_run, cur), older)) = history.split_last() else {
        return (Vec::new(), Vec::new());
    };
    let dates: Vec<String> = history.iter().map(|(r, _)| run_date(r)).collect();
    let sets: Vec<HashSet<&str>> = history
        .iter()
        .map(|(_, fs)| fs.iter().map(|f| f.fingerprint.as_str()).collect())
        .collect();
    let cur_idx = history.len() - 1;
    let cur_date = run_date(cur_run);

    // Index of the first run of the streak that ends at run `end` for fingerprint `fp`.
    let streak_start = |fp: &str, end: usize| -> usize {
        let mut i = end;
        while i > 0 && sets[i - 1].contains(fp) {
            i -= 1;
        }
        i
    };

    let prev_set = if cur_idx > 0 {
        Some(&sets[cur_idx - 1])
    } else {
        None
    };

    let mut open = Vec::new();
    let mut seen = HashSet::new();
    for f in cur {
        if !seen.insert(f.fingerprint.as_str()) {
            continue;
        }
        let fp = f.fingerprint.as_str();
        let status = match prev_set {
            Some(p) if p.contains(fp) => FindingStatus::Persisting,
            _ => FindingStatus::New,
        };
        let first = &dates[streak_start(fp, cur_idx)];
        open.push(ReportFinding {
            finding: f.clone(),
            rule_title: String::new(),
            page_title: None,
            status,
            first_seen: first.clone(),
            last_seen: cur_date.clone(),
            days_open: days_between(first, &cur_date),
            evidence_ref: None,
            last_verified: None,
        });
    }

    let mut resolved = Vec::new();
    if let Some((_, prev)) = older.last() {
        // A partial run may not have reached the page: what it did not see is not fixed.
        let (missing_status, missing_out) = if cur_run.partial {
            (FindingStatus::Unverified, &mut open)
        } else {
            (FindingStatus::Resolved, &mut resolved)
        };
        let prev_idx = cur_idx - 1;
        let mut by_fp: HashMap<&str, &Finding> = HashMap::new();
        let mut order = Vec::new();
        for f in prev {
            if !sets[cur_idx].contains(f.fingerprint.as_str())
                && by_fp.insert(f.fingerprint.as_str(), f).is_none()
            {
                order.push(f.fingerprint.as_str());
            }
        }
        for fp in order {
            let f = by_fp[fp];
            let first = &dates[streak_start(fp, prev_idx)];
            let last = &dates[prev_idx];
            let until = if cur_run.partial { &cur_date } else { last };
            missing_out.push(ReportFinding {
                finding: f.clone(),
                rule_title: String::new(),
                page_title: None,
                status: missing_status,
                first_seen: first.clone(),
                last_seen: last.clone(),
                days_open: days_between(first, until),
                evidence_ref: None,
                last_verified: None,
            });
        }
    }
    (open, resolved)
}
