//! Helpers of `tests/unseen_portal.rs`: the portal-jx fixture on loopback, its expected findings,
//! and the scoring (recall, precision, department accuracy per rule).
#![allow(dead_code)]

use gongkai_fixture::{FixtureOptions, FixtureServer, RequestLogEntry};
use std::collections::{BTreeMap, BTreeSet};

/// The portal-jx fixture served on 127.0.0.1 for the duration of a test.
pub struct JxPortal {
    pub server: FixtureServer,
    _rt: tokio::runtime::Runtime,
}

impl JxPortal {
    pub fn start() -> JxPortal {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = rt
            .block_on(FixtureServer::start_jx(FixtureOptions::default()))
            .expect("portal-jx server starts");
        JxPortal { server, _rt: rt }
    }

    pub fn requests(&self) -> Vec<RequestLogEntry> {
        self.server.requests()
    }

    /// Turns a URL of either origin into the form the expected file uses: a path on the portal,
    /// `{{SECOND_ORIGIN}}/…` on the old subsite; percent-escapes decoded (so `%E3%80%80` and a
    /// literal U+3000 compare equal).
    pub fn normalise(&self, s: &str) -> String {
        let s = normalise_with(
            s,
            &[
                (self.server.base_url(), "/"),
                (self.server.second_origin(), "{{SECOND_ORIGIN}}/"),
            ],
        );
        percent_decode(&s)
    }
}

/// Replaces the first origin (with its trailing slash) that prefixes `s`.
pub fn normalise_with(s: &str, pairs: &[(String, &str)]) -> String {
    for (origin, with) in pairs {
        if let Some(rest) = s.strip_prefix(origin.as_str()) {
            return format!("{with}{rest}");
        }
    }
    s.to_string()
}

/// Decodes `%XX` escapes as UTF-8 (lossy); anything else is kept.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// (rule, url, target): what identifies a finding.
pub type Key = (String, String, String);

/// One expected finding of `fixtures/portal-jx-expected.toml`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub rule: String,
    pub url: String,
    pub target: Option<String>,
    pub department: String,
    pub why: String,
}

#[derive(serde::Deserialize)]
struct ExpectedFile {
    finding: Vec<Expected>,
}

/// The expected findings by key; panics on a duplicate.
pub fn parse_expected(text: &str) -> BTreeMap<Key, Expected> {
    let file: ExpectedFile = toml::from_str(text).expect("fixtures/portal-jx-expected.toml parses");
    let mut out = BTreeMap::new();
    for f in file.finding {
        let key = (
            f.rule.clone(),
            percent_decode(&f.url),
            percent_decode(f.target.as_deref().unwrap_or_default()),
        );
        assert!(
            out.insert(key.clone(), f).is_none(),
            "duplicate entry in portal-jx-expected.toml: {key:?}"
        );
    }
    out
}

/// A finding as the tool reported it, normalised.
#[derive(Debug, Clone)]
pub struct Got {
    pub key: Key,
    pub department: String,
}

/// Per-rule figures.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RuleScore {
    pub expected: usize,
    pub found: usize,
    /// Expected findings that were reported (once or more).
    pub matched: usize,
    /// Matched findings whose department is the expected one.
    pub department_right: usize,
}

impl RuleScore {
    pub fn recall(&self) -> Option<f64> {
        (self.expected > 0).then(|| self.matched as f64 / self.expected as f64)
    }
    /// Share of reported findings that were expected; a repeat of a matched finding counts as
    /// a wrong one.
    pub fn precision(&self) -> Option<f64> {
        (self.found > 0).then(|| self.matched as f64 / self.found as f64)
    }
    pub fn department(&self) -> Option<f64> {
        (self.matched > 0).then(|| self.department_right as f64 / self.matched as f64)
    }
}

/// The comparison of what was reported with what was expected.
#[derive(Debug, Default)]
pub struct Score {
    pub rules: BTreeMap<String, RuleScore>,
    /// Expected, not reported.
    pub missed: Vec<String>,
    /// Reported, not expected (or reported again).
    pub unexpected: Vec<String>,
    /// Reported with another department than expected.
    pub wrong_department: Vec<String>,
}

fn show(k: &Key) -> String {
    if k.2.is_empty() {
        format!("{}  {}", k.0, k.1)
    } else {
        format!("{}  {}  →  {}", k.0, k.1, k.2)
    }
}

/// Scores `got` against `expected`; `rules` lists every rule of the pack (so a rule with
/// nothing expected and nothing found still gets a row).
pub fn score(expected: &BTreeMap<Key, Expected>, got: &[Got], rules: &[String]) -> Score {
    let mut s = Score::default();
    for r in rules {
        s.rules.entry(r.clone()).or_default();
    }
    for k in expected.keys() {
        s.rules.entry(k.0.clone()).or_default().expected += 1;
    }
    let mut seen: BTreeSet<&Key> = BTreeSet::new();
    for g in got {
        let row = s.rules.entry(g.key.0.clone()).or_default();
        row.found += 1;
        match expected.get(&g.key) {
            Some(e) if seen.insert(&g.key) => {
                row.matched += 1;
                if g.department == e.department {
                    row.department_right += 1;
                } else {
                    s.wrong_department.push(format!(
                        "  ≠ {}    department {:?}, expected {:?}",
                        show(&g.key),
                        g.department,
                        e.department
                    ));
                }
            }
            Some(_) => s
                .unexpected
                .push(format!("  × {}    (reported again)", show(&g.key))),
            None => s
                .unexpected
                .push(format!("  + {}    [{}]", show(&g.key), g.department)),
        }
    }
    for (k, e) in expected {
        if !seen.contains(k) {
            s.missed.push(format!("  - {}    ({})", show(k), e.why));
        }
    }
    s
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:5.1}%", v * 100.0))
        .unwrap_or_else(|| "    —".to_string())
}

impl Score {
    /// The per-rule table.
    pub fn table(&self) -> String {
        let mut t = format!(
            "{:<28} {:>4} {:>5} {:>7} {:>7} {:>9} {:>7}\n",
            "rule", "exp", "found", "match", "recall", "precision", "dept"
        );
        for (rule, r) in &self.rules {
            t.push_str(&format!(
                "{:<28} {:>4} {:>5} {:>7} {:>7} {:>9} {:>7}\n",
                rule,
                r.expected,
                r.found,
                r.matched,
                pct(r.recall()),
                pct(r.precision()),
                pct(r.department())
            ));
        }
        t
    }

    /// Rules below `min` in recall, precision or department accuracy. A rule with nothing
    /// expected must report nothing.
    pub fn failing(&self, min: f64) -> Vec<String> {
        let low = |v: Option<f64>| v.is_some_and(|v| v < min);
        self.rules
            .iter()
            .filter(|(_, r)| {
                (r.expected > 0 && r.recall().unwrap_or(0.0) < min)
                    || low(r.precision())
                    || low(r.department())
            })
            .map(|(rule, _)| rule.clone())
            .collect()
    }
}
