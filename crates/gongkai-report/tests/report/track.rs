//! History across runs: new / persisting / resolved, first and last seen, days open.

use crate::common::{finding, run};
use gongkai_core::{Finding, Severity};
use gongkai_report::{diff, track, FindingStatus, ReportFinding};

fn f(fp: &str) -> Finding {
    finding(
        "link.broken",
        Severity::Error,
        &format!("https://x.cn/{fp}"),
        "市教育局",
        fp,
    )
}

fn by_fp<'a>(list: &'a [ReportFinding], fp: &str) -> &'a ReportFinding {
    list.iter()
        .find(|r| r.finding.fingerprint == fp)
        .unwrap_or_else(|| panic!("{fp} missing"))
}

#[test]
fn three_runs() {
    // a: in all three runs; b: runs 1-2 (resolved now); c: new in run 3;
    // d: runs 1 and 3 (gone in 2: a new streak); e: run 2 and 3.
    let history = vec![
        (run(1, "2026-01-01"), vec![f("a"), f("b"), f("d")]),
        (run(2, "2026-01-08"), vec![f("a"), f("b"), f("e")]),
        (
            run(3, "2026-01-15"),
            vec![f("a"), f("c"), f("d"), f("e"), f("a")],
        ),
    ];
    let (open, resolved) = track(&history);
    assert_eq!(open.len(), 4, "duplicate fingerprint counted once");

    let a = by_fp(&open, "a");
    assert_eq!(a.status, FindingStatus::Persisting);
    assert_eq!(
        (a.first_seen.as_str(), a.last_seen.as_str()),
        ("2026-01-01", "2026-01-15")
    );
    assert_eq!(a.days_open, Some(14));

    let c = by_fp(&open, "c");
    assert_eq!(c.status, FindingStatus::New);
    assert_eq!(c.first_seen, "2026-01-15");
    assert_eq!(c.days_open, Some(0));

    let d = by_fp(&open, "d");
    assert_eq!(d.status, FindingStatus::New, "came back after a gap");
    assert_eq!(d.first_seen, "2026-01-15");

    let e = by_fp(&open, "e");
    assert_eq!(e.status, FindingStatus::Persisting);
    assert_eq!(e.first_seen, "2026-01-08");
    assert_eq!(e.days_open, Some(7));

    assert_eq!(resolved.len(), 1);
    let b = &resolved[0];
    assert_eq!(b.finding.fingerprint, "b");
    assert_eq!(b.status, FindingStatus::Resolved);
    assert_eq!(
        (b.first_seen.as_str(), b.last_seen.as_str()),
        ("2026-01-01", "2026-01-08")
    );
    assert_eq!(b.days_open, Some(7));
}

#[test]
fn first_run_and_empty_history() {
    let (open, resolved) = track(&[(run(1, "2026-01-01"), vec![f("a")])]);
    assert_eq!(open[0].status, FindingStatus::New);
    assert_eq!(open[0].days_open, Some(0));
    assert!(resolved.is_empty());
    let (open, resolved) = track(&[]);
    assert!(open.is_empty() && resolved.is_empty());
}

#[test]
fn as_of_falls_back_to_start_day() {
    let mut r1 = run(1, "");
    r1.started_at = "2026-02-01T23:00:00Z".into();
    let mut r2 = run(2, "");
    r2.started_at = "2026-02-05T01:00:00Z".into();
    let (open, _) = track(&[(r1, vec![f("a")]), (r2, vec![f("a")])]);
    assert_eq!(open[0].first_seen, "2026-02-01");
    assert_eq!(open[0].days_open, Some(4));
}

#[test]
fn diff_by_fingerprint() {
    let prev = vec![f("a"), f("b")];
    let mut a2 = f("a");
    a2.message = "新的描述".into();
    let cur = vec![a2, f("c"), f("c")];
    let d = diff(&prev, &cur);
    let fps = |v: &[Finding]| v.iter().map(|x| x.fingerprint.clone()).collect::<Vec<_>>();
    assert_eq!(fps(&d.new), ["c"]);
    assert_eq!(fps(&d.resolved), ["b"]);
    assert_eq!(fps(&d.persisting), ["a"]);
    assert_eq!(d.persisting[0].message, "新的描述", "current version kept");
}

#[test]
fn a_partial_run_resolves_nothing() {
    let mut partial = run(2, "2026-01-08");
    partial.partial = true;
    let history = vec![
        (run(1, "2026-01-01"), vec![f("a"), f("b")]),
        (partial, vec![f("a")]),
    ];
    let (open, resolved) = track(&history);
    assert!(resolved.is_empty(), "{resolved:?}");
    assert_eq!(open.len(), 2);
    let b = by_fp(&open, "b");
    assert_eq!(b.status, FindingStatus::Unverified);
    assert_eq!(b.last_seen, "2026-01-01");
    assert_eq!(b.days_open, Some(7));
    assert_eq!(by_fp(&open, "a").status, FindingStatus::Persisting);
}
