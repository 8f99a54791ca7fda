//! End-to-end: a scan of the fixture portal with the demo's settings produces exactly the findings
//! of `fixtures/expected-findings.toml` (reviewed by hand against `fixtures/portal/PLANTED.md`),
//! and `gongkai findings --format jsonl` writes them with a fixed set of keys and no full ID number.
//! On a failure it prints the difference: expected and missing, found and unexpected.

mod support;

use gongkai_fixture::FixtureOptions;
use std::collections::{BTreeMap, BTreeSet};
use support::*;

const EXPECTED: &str = include_str!("../fixtures/expected-findings.toml");

/// Keys every JSONL line has.
const KEYS: &[&str] = &[
    "rule",
    "severity",
    "url",
    "target",
    "department",
    "ledger",
    "message",
    "evidence",
    "fingerprint",
    "run",
];

/// Keys a line may have besides: the fetch that proves the finding, and the history that
/// `gongkai_report::jsonl` documents (`status`, `first_seen`, `last_seen`, `last_verified` "when
/// known"). Any other key fails the test.
const OPTIONAL_KEYS: &[&str] = &[
    "fetch_id",
    "status",
    "first_seen",
    "last_seen",
    "last_verified",
];

/// (rule, url, target) with the dynamic origins replaced by a path or a placeholder.
type Key = (String, String, String);

/// Replaces the portal origin by nothing (a path remains), the second origin by
/// `{{SECOND_ORIGIN}}` and the dead origin by `{{DEAD_ORIGIN}}`. Each origin is matched with its
/// trailing slash, so port 4099 never eats into port 40991.
struct Origins {
    pairs: Vec<(String, &'static str)>,
}

impl Origins {
    fn of(portal: &Portal) -> Origins {
        let s = &portal.server;
        Origins {
            pairs: vec![
                (s.base_url(), "/"),
                (s.second_origin(), "{{SECOND_ORIGIN}}/"),
                (s.dead_origin(), "{{DEAD_ORIGIN}}/"),
            ],
        }
    }

    fn normalise(&self, s: &str) -> String {
        for (origin, with) in &self.pairs {
            if let Some(rest) = s.strip_prefix(origin.as_str()) {
                return format!("{with}{rest}");
            }
        }
        s.to_string()
    }
}

#[derive(serde::Deserialize)]
struct ExpectedFile {
    finding: Vec<ExpectedFinding>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    rule: String,
    url: String,
    target: Option<String>,
    #[allow(dead_code)]
    why: String,
}

/// The expected findings, keyed, with their `why`; panics on a duplicate entry.
fn expected() -> BTreeMap<Key, String> {
    let file: ExpectedFile = toml::from_str(EXPECTED).expect("fixtures/expected-findings.toml");
    let mut out = BTreeMap::new();
    for f in file.finding {
        let key = (f.rule, f.url, f.target.unwrap_or_default());
        assert!(
            out.insert(key.clone(), f.why).is_none(),
            "duplicate entry in expected-findings.toml: {key:?}"
        );
    }
    out
}

fn show(k: &Key) -> String {
    if k.2.is_empty() {
        format!("{}  {}", k.0, k.1)
    } else {
        format!("{}  {}  →  {}", k.0, k.1, k.2)
    }
}

/// Runs of 17 digits and a digit or X standing alone (a full resident ID number's shape).
fn full_id_numbers(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            let b = w.as_bytes();
            b.len() == 18
                && b[..17].iter().all(u8::is_ascii_digit)
                && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x')
        })
        .map(String::from)
        .collect()
}

#[test]
fn demo_scan_produces_exactly_the_expected_findings() {
    let portal = Portal::start(FixtureOptions::default());
    let origins = Origins::of(&portal);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    // The demo's settings: as-of 2023-04-20 (scan_fixture), unlimited rate, 8 in flight, the
    // footer's real external hosts excluded (scan_fixture's config).
    scan_fixture(
        &portal,
        dir.path(),
        &db,
        &["--rate", "0", "--concurrency", "8"],
    );
    let out = run(&[
        "findings",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert!(out.status.success(), "findings failed: {}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSONL line {l}: {e}")))
        .collect();

    // The JSONL shape.
    let want: BTreeSet<&str> = KEYS.iter().copied().collect();
    for line in &lines {
        let obj = line.as_object().expect("a JSON object per line");
        let keys: BTreeSet<&str> = obj
            .keys()
            .map(String::as_str)
            .filter(|k| !OPTIONAL_KEYS.contains(k))
            .collect();
        assert_eq!(keys, want, "JSONL keys of {line}");
    }

    // No full ID number in what privacy.id-number reports (evidence and message).
    let id_lines: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["rule"] == "privacy.id-number")
        .collect();
    assert!(!id_lines.is_empty(), "privacy.id-number did not fire");
    for line in id_lines {
        let shown = format!("{} {}", line["evidence"], line["message"]);
        let leaked = full_id_numbers(&shown);
        assert!(
            leaked.is_empty(),
            "full ID numbers in a finding: {leaked:?}"
        );
        for id in ["11010519491231002X", "440524188001010014"] {
            assert!(!shown.contains(id), "{id} in a finding");
        }
    }

    // The pages behind the grouped 发展指引 findings: only the old /gbk/ site lacks the tags; the
    // dataproxy's XML answers are data, not pages.
    for line in lines.iter().filter(|l| l["rule"] == "site.guideline-meta") {
        let examples = line["evidence"]["examples"].as_array().expect("examples");
        for e in examples {
            let e = origins.normalise(e.as_str().expect("example URL"));
            assert!(e.starts_with("/gbk/"), "guideline-meta counts {e}");
        }
    }

    // The set, exactly.
    let mut got: BTreeMap<Key, usize> = BTreeMap::new();
    for line in &lines {
        let text = |k: &str| line[k].as_str().map(|s| origins.normalise(s));
        let key = (
            line["rule"].as_str().expect("rule").to_string(),
            text("url").expect("url"),
            text("target").unwrap_or_default(),
        );
        *got.entry(key).or_default() += 1;
    }
    let expected = expected();
    let missing: Vec<String> = expected
        .iter()
        .filter(|(k, _)| !got.contains_key(*k))
        .map(|(k, why)| format!("  - {}    ({why})", show(k)))
        .collect();
    let unexpected: Vec<String> = got
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .map(|k| format!("  + {}", show(k)))
        .collect();
    let doubled: Vec<String> = got
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, n)| format!("  ×{n} {}", show(k)))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, n) in &got {
        *counts.entry(k.0.as_str()).or_default() += n;
    }
    assert!(
        missing.is_empty() && unexpected.is_empty() && doubled.is_empty(),
        "the demo scan's findings differ from fixtures/expected-findings.toml\n\
         missing (expected, not found): {}\n{}\n\
         unexpected (found, not expected): {}\n{}\n\
         reported more than once: {}\n{}\n\
         found per rule: {counts:?}",
        missing.len(),
        missing.join("\n"),
        unexpected.len(),
        unexpected.join("\n"),
        doubled.len(),
        doubled.join("\n"),
    );
}

#[test]
fn normalising_origins() {
    let o = Origins {
        pairs: vec![
            ("http://127.0.0.1:40991/".into(), "/"),
            ("http://127.0.0.1:4099/".into(), "{{SECOND_ORIGIN}}/"),
        ],
    };
    assert_eq!(o.normalise("http://127.0.0.1:40991/a.html"), "/a.html");
    assert_eq!(o.normalise("http://127.0.0.1:40991/"), "/");
    assert_eq!(
        o.normalise("http://127.0.0.1:4099/x"),
        "{{SECOND_ORIGIN}}/x"
    );
    assert_eq!(
        o.normalise("http://nonexistent.invalid/"),
        "http://nonexistent.invalid/"
    );
    assert_eq!(o.normalise("统计信息"), "统计信息");
    assert_eq!(
        full_id_numbers("张三 11010519491231002X、110105********002X"),
        vec!["11010519491231002X".to_string()]
    );
    assert!(full_id_numbers("P020221019512345678901.pdf").is_empty());
}
