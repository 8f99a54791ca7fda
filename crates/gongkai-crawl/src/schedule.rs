//! Incremental nights: which requests of a rescan are made tonight and why.
//!
//! A portal of 200,000 pages cannot be fetched every night at a polite 2 requests per second, so
//! a rescan fetches what changes often every night (home page, every column list page, new
//! articles, pages that had findings, pages whose list entry changed or vanished) and spreads
//! the rest over `revisit_days` nights: each known request falls in the bucket
//! `hash(request key) mod revisit_days`, and tonight's bucket is `night mod revisit_days`, so every
//! request is verified at least once every `revisit_days` nights. Anything whose last
//! verification is older than that (a night was skipped) is due as well. What is not fetched
//! tonight is carried forward by the caller from the previous run.
//!
//! [`NightPlan`] is built once from the previous run (deterministically, so a resumed night
//! makes the same decisions); [`NightState`] is the dispatcher's per-night state (lists seen
//! tonight, counts by reason).

use crate::frontier::{FrontierEntry, Via};
use crate::outcome::FetchRecord;
use gongkai_page::PageKind;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Why a request is made tonight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// A start URL (the home page).
    Home,
    /// A column list page, or another page of its list.
    ColumnList,
    /// Not seen by the previous run: a new article or link target.
    New,
    /// The previous run had findings about it.
    Findings,
    /// Its entry in a column list changed (title or date).
    ListChanged,
    /// It vanished from the column list that listed it: checked the same night.
    ListGone,
    /// Its turn in the rolling schedule.
    Rolling,
    /// Its last verification is older than `revisit_days` (a night was skipped).
    Overdue,
}

impl Reason {
    /// Every reason, in display order.
    pub const ALL: [Reason; 8] = [
        Reason::Home,
        Reason::ColumnList,
        Reason::New,
        Reason::Findings,
        Reason::ListChanged,
        Reason::ListGone,
        Reason::Rolling,
        Reason::Overdue,
    ];

    /// Stable code (kept in the run record).
    pub fn code(self) -> &'static str {
        match self {
            Reason::Home => "home",
            Reason::ColumnList => "column-list",
            Reason::New => "new",
            Reason::Findings => "findings",
            Reason::ListChanged => "list-changed",
            Reason::ListGone => "list-gone",
            Reason::Rolling => "rolling",
            Reason::Overdue => "overdue",
        }
    }

    /// The Chinese label reports use.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Home => "首页",
            Reason::ColumnList => "栏目列表",
            Reason::New => "新文章",
            Reason::Findings => "有问题页面",
            Reason::ListChanged => "列表变化",
            Reason::ListGone => "列表移除",
            Reason::Rolling => "轮检",
            Reason::Overdue => "超期",
        }
    }

    /// The reason for a code, if known.
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// One request of the previous run, as the plan needs it.
#[derive(Debug, Clone)]
pub struct KnownRequest {
    /// The request as it was queued.
    pub entry: FrontierEntry,
    /// Its page was the home page or a column list page (fetched every night).
    pub is_list: bool,
    /// Days since 1970-01-01 of the night it was last verified.
    pub verified_day: i64,
}

/// One entry of the previous run's column lists.
#[derive(Debug, Clone)]
pub struct ListedEntry {
    pub url: String,
    pub title: String,
    pub date: Option<String>,
    pub depth: u32,
}

/// Tonight's plan, built from the previous run.
pub struct NightPlan {
    /// Tonight: days since 1970-01-01.
    pub night_day: i64,
    pub revisit_days: u32,
    /// Known request keys (hashed) → why due tonight, or None when carried forward.
    known: HashMap<u64, Option<Reason>>,
    /// Previous list entries: URL → (hash of title and date, depth of its list).
    listed: HashMap<String, (u64, u32)>,
    /// Known requests due tonight, queued at the start.
    seeds: Vec<FrontierEntry>,
}

impl std::fmt::Debug for NightPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NightPlan")
            .field("night_day", &self.night_day)
            .field("revisit_days", &self.revisit_days)
            .field("known", &self.known.len())
            .field("listed", &self.listed.len())
            .field("seeds", &self.seeds.len())
            .finish()
    }
}

/// Stable 64-bit hash (the first 8 bytes of sha256): the same bucket on every machine and build.
fn stable_hash(parts: &[&str]) -> u64 {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// The rolling bucket of a request key: it is due on nights `n` with `n mod days == bucket`.
pub fn bucket(request_key: &str, revisit_days: u32) -> i64 {
    (stable_hash(&[request_key]) % u64::from(revisit_days.max(1))) as i64
}

/// Pages with findings revisited every night: at most 1% of the known requests (at least 50),
/// the least recently verified first, so that a portal with thousands of findings still fits its
/// night; the others are verified on the rolling schedule like every page (and a department that
/// fixed one can ask for a recheck at once in `gongkai serve`).
fn watched_findings(
    known: &[KnownRequest],
    finding_urls: &HashSet<String>,
    start_keys: &HashSet<String>,
) -> HashSet<String> {
    let cap = (known.len() / 100).max(50);
    let mut cands: Vec<(i64, u64, String)> = known
        .iter()
        .filter(|k| !k.is_list && finding_urls.contains(&k.entry.url))
        .map(|k| {
            let key = k.entry.request_key();
            (k.verified_day, stable_hash(&[&key]), key)
        })
        .filter(|(_, _, key)| !start_keys.contains(key))
        .collect();
    cands.sort();
    cands.into_iter().take(cap).map(|(_, _, k)| k).collect()
}

fn entry_hash(title: &str, date: Option<&str>) -> u64 {
    stable_hash(&[title.trim(), date.unwrap_or("")])
}

impl NightPlan {
    /// Decides for each request of the previous run whether it is due tonight, and why.
    /// `finding_urls` are the URLs the previous run's findings are about; `start_keys` the
    /// request keys of tonight's start URLs.
    pub fn build(
        night_day: i64,
        revisit_days: u32,
        known: Vec<KnownRequest>,
        listed: Vec<ListedEntry>,
        finding_urls: &HashSet<String>,
        start_keys: &HashSet<String>,
    ) -> NightPlan {
        let days = revisit_days.max(1);
        let tonight = night_day.rem_euclid(i64::from(days));
        let mut plan = NightPlan {
            night_day,
            revisit_days: days,
            known: HashMap::with_capacity(known.len()),
            listed: HashMap::with_capacity(listed.len()),
            seeds: Vec::new(),
        };
        let watched = watched_findings(&known, finding_urls, start_keys);
        for k in known {
            let key = k.entry.request_key();
            let reason = if start_keys.contains(&key) {
                Some(Reason::Home)
            } else if k.is_list {
                Some(Reason::ColumnList)
            } else if watched.contains(&key) {
                Some(Reason::Findings)
            } else if bucket(&key, days) == tonight {
                Some(Reason::Rolling)
            } else if night_day - k.verified_day >= i64::from(days) {
                Some(Reason::Overdue)
            } else {
                None
            };
            // Start URLs are queued by the crawl itself.
            if reason.is_some() && reason != Some(Reason::Home) {
                plan.seeds.push(k.entry);
            }
            plan.known.insert(stable_hash(&[&key]), reason);
        }
        for e in listed {
            plan.listed
                .insert(e.url, (entry_hash(&e.title, e.date.as_deref()), e.depth));
        }
        plan
    }

    /// Known requests due tonight (start URLs aside), in the previous run's order.
    pub fn seeds(&self) -> &[FrontierEntry] {
        &self.seeds
    }

    /// Requests of the previous run that are due tonight, by reason (start URLs included).
    pub fn due_counts(&self) -> BTreeMap<Reason, u64> {
        let mut out = BTreeMap::new();
        for r in self.known.values().flatten() {
            *out.entry(*r).or_insert(0) += 1;
        }
        out
    }

    /// Known requests carried forward unless something tonight makes them due.
    pub fn carried_count(&self) -> usize {
        self.known.values().filter(|r| r.is_none()).count()
    }
}

/// Whether to make a request tonight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Fetch(Reason),
    /// Verified recently and unchanged as far as tonight's lists tell: carried forward.
    Carry,
}

/// The dispatcher's state for one night.
pub(crate) struct NightState {
    plan: Arc<NightPlan>,
    /// URLs listed by tonight's column lists.
    listed_tonight: HashSet<String>,
    /// URLs whose list entry changed tonight.
    changed: HashSet<String>,
    /// URLs that vanished from their list (set once tonight's lists are all seen).
    gone: HashSet<String>,
    gone_checked: bool,
    counts: BTreeMap<Reason, u64>,
}

impl NightState {
    pub(crate) fn new(plan: Arc<NightPlan>) -> Self {
        NightState {
            plan,
            listed_tonight: HashSet::new(),
            changed: HashSet::new(),
            gone: HashSet::new(),
            gone_checked: false,
            counts: BTreeMap::new(),
        }
    }

    pub(crate) fn plan(&self) -> &NightPlan {
        &self.plan
    }

    /// Whether the request with `key` (for `url`, found `via`) is made tonight.
    pub(crate) fn decide(&self, key: &str, url: &str, via: Via) -> Decision {
        match self.plan.known.get(&stable_hash(&[key])) {
            None if via == Via::Pagination => Decision::Fetch(Reason::ColumnList),
            None => Decision::Fetch(Reason::New),
            Some(Some(r)) => Decision::Fetch(*r),
            Some(None) if via == Via::Pagination => Decision::Fetch(Reason::ColumnList),
            Some(None) if self.changed.contains(url) => Decision::Fetch(Reason::ListChanged),
            Some(None) if self.gone.contains(url) => Decision::Fetch(Reason::ListGone),
            Some(None) => Decision::Carry,
        }
    }

    /// Counts a request admitted tonight.
    pub(crate) fn count(&mut self, reason: Reason) {
        *self.counts.entry(reason).or_insert(0) += 1;
    }

    /// Notes the entries of a column list page fetched tonight; an entry whose title or date
    /// differs from the previous run's makes its page due.
    pub(crate) fn observe(&mut self, record: &FetchRecord) {
        let Some(model) = record.model.as_ref() else {
            return;
        };
        let (Some(col), PageKind::ColumnList) = (&model.column, model.kind) else {
            return;
        };
        for item in &col.items {
            let Some(url) = item.url.as_deref() else {
                continue;
            };
            if let Some((before, _)) = self.plan.listed.get(url) {
                if *before != entry_hash(&item.title, item.date.as_deref()) {
                    self.changed.insert(url.to_string());
                }
            }
            self.listed_tonight.insert(url.to_string());
        }
    }

    /// Once, when tonight's crawl has drained: the pages the previous run's lists showed and
    /// tonight's lists do not, to be checked now (removed pages answer 404 the same night).
    pub(crate) fn take_gone(&mut self) -> Vec<FrontierEntry> {
        if self.gone_checked {
            return Vec::new();
        }
        self.gone_checked = true;
        let mut out: Vec<FrontierEntry> = self
            .plan
            .listed
            .iter()
            .filter(|(url, _)| !self.listed_tonight.contains(*url))
            .map(|(url, (_, depth))| FrontierEntry::crawl(url, depth.saturating_add(1)))
            .collect();
        out.sort_by(|a, b| a.url.cmp(&b.url));
        self.gone = out.iter().map(|e| e.url.clone()).collect();
        out
    }

    /// Requests made tonight by reason code.
    pub(crate) fn counts(&self) -> BTreeMap<String, u64> {
        self.counts
            .iter()
            .map(|(r, n)| (r.code().to_string(), *n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(url: &str, verified_day: i64) -> KnownRequest {
        KnownRequest {
            entry: FrontierEntry::crawl(url, 2),
            is_list: false,
            verified_day,
        }
    }

    #[test]
    fn every_request_is_due_once_within_revisit_days() {
        let urls: Vec<String> = (0..500).map(|i| format!("http://a/art/{i}.html")).collect();
        // The first (full) scan verified everything on night 99; each night verifies its seeds.
        let mut verified: HashMap<String, i64> = urls.iter().map(|u| (u.clone(), 99)).collect();
        let mut seen = HashSet::new();
        let mut per_night = Vec::new();
        for night in 100..107 {
            let rows = urls.iter().map(|u| known(u, verified[u])).collect();
            let plan = NightPlan::build(night, 7, rows, vec![], &HashSet::new(), &HashSet::new());
            per_night.push(plan.seeds().len());
            for s in plan.seeds() {
                seen.insert(s.url.clone());
                verified.insert(s.url.clone(), night);
            }
        }
        assert!(verified.values().all(|d| 106 - d < 7));
        assert_eq!(
            seen.len(),
            urls.len(),
            "every page revisited within 7 nights"
        );
        // Spread evenly: no night takes more than twice its share.
        assert!(per_night.iter().all(|n| *n < 2 * 500 / 7), "{per_night:?}");
    }

    #[test]
    fn overdue_lists_and_findings_are_due() {
        let mut list = known("http://a/list/", 100);
        list.is_list = true;
        let rows = vec![
            known("http://a/old.html", 90),
            list,
            known("http://a/bad.html", 100),
        ];
        let findings = HashSet::from(["http://a/bad.html".to_string()]);
        let plan = NightPlan::build(101, 7, rows, vec![], &findings, &HashSet::new());
        let due = plan.due_counts();
        assert_eq!(due.get(&Reason::ColumnList), Some(&1));
        assert_eq!(due.get(&Reason::Findings), Some(&1));
        let old_due = bucket("GET http://a/old.html", 7) == 101 % 7;
        let reason = if old_due {
            Reason::Rolling
        } else {
            Reason::Overdue
        };
        assert_eq!(due.get(&reason), Some(&1));
    }

    #[test]
    fn findings_revisited_nightly_are_capped_oldest_first() {
        let rows: Vec<KnownRequest> = (0..200)
            .map(|i| known(&format!("http://a/f/{i}.html"), 90 + i64::from(i % 10 == 0)))
            .collect();
        let findings: HashSet<String> = rows.iter().map(|k| k.entry.url.clone()).collect();
        let plan = NightPlan::build(100, 7, rows, vec![], &findings, &HashSet::new());
        assert_eq!(plan.due_counts().get(&Reason::Findings), Some(&50));
    }

    #[test]
    fn changed_and_vanished_list_entries_are_fetched() {
        let days: i64 = 1000;
        // Pick two pages not due tonight by the rolling schedule.
        let mut urls = (0..100)
            .map(|i| format!("http://a/art/{i}.html"))
            .filter(|u| bucket(&format!("GET {u}"), 7) != days % 7);
        let (a, b) = (urls.next().unwrap(), urls.next().unwrap());
        let listed = vec![
            ListedEntry {
                url: a.clone(),
                title: "通知".into(),
                date: Some("2026-01-01".into()),
                depth: 1,
            },
            ListedEntry {
                url: b.clone(),
                title: "公告".into(),
                date: Some("2026-01-02".into()),
                depth: 1,
            },
        ];
        let rows = vec![known(&a, days), known(&b, days)];
        let plan = NightPlan::build(days, 7, rows, listed, &HashSet::new(), &HashSet::new());
        let mut st = NightState::new(Arc::new(plan));
        let ka = format!("GET {a}");
        let kb = format!("GET {b}");
        assert_eq!(st.decide(&ka, &a, Via::ListItem), Decision::Carry);
        let mut model = gongkai_page::PageModel {
            kind: PageKind::ColumnList,
            ..Default::default()
        };
        model.column = Some(Box::new(gongkai_page::ColumnList {
            name: "通知公告".into(),
            items: vec![gongkai_page::ColumnItem {
                title: "通知".into(),
                url: Some(a.clone().into()),
                date: Some("2026-02-01".into()),
            }],
            total_pages: None,
            current_page: None,
        }));
        let mut record = crate::task::skipped_record(
            &FrontierEntry::crawl("http://a/list/", 1),
            crate::outcome::FetchOutcome::Ok,
            "test",
        );
        record.model = Some(model);
        st.observe(&record);
        assert_eq!(
            st.decide(&ka, &a, Via::ListItem),
            Decision::Fetch(Reason::ListChanged)
        );
        assert_eq!(st.decide(&kb, &b, Via::Link), Decision::Carry);
        let gone = st.take_gone();
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].url, b);
        assert_eq!(
            st.decide(&kb, &b, Via::Link),
            Decision::Fetch(Reason::ListGone)
        );
        assert!(st.take_gone().is_empty(), "checked once a night");
    }
}
