//! End-to-end: `gongkai scorecard` and the scorecard section of the HTML report, on the fixture
//! portal.

mod support;

use gongkai_fixture::FixtureOptions;
use support::*;

fn count(db: &str, rule: &str) -> usize {
    let out = run(&["findings", "--db", db, "--rule", rule, "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().count()
}

/// The figure printed on the scorecard line of an indicator ("… · N项").
fn figure(text: &str, name: &str) -> Option<usize> {
    let line = text.lines().find(|l| l.contains(&format!("] {name}：")))?;
    let after = line.split(" · ").nth(1)?;
    after.split('项').next()?.parse().ok()
}

#[test]
fn scorecard_command_and_report_section() {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    scan_fixture(&portal, dir.path(), &db, &["--rate", "0"]);
    let db_s = db.to_str().unwrap();

    let out = run(&["scorecard", "--db", db_s]);
    let text = stdout(&out);
    assert!(
        text.contains("政府网站检查指标记分卡"),
        "{text}\n{}",
        stderr(&out)
    );
    // Figures are the run's findings of the rules behind each indicator.
    assert_eq!(
        figure(&text, "空白栏目"),
        Some(count(db_s, "column.empty")),
        "{text}"
    );
    assert_eq!(
        figure(&text, "暗链和违规链接"),
        Some(count(db_s, "link.dark")),
        "{text}"
    );
    assert_eq!(
        figure(&text, "链接不可用"),
        Some(count(db_s, "link.broken") + count(db_s, "link.soft-404")),
        "{text}"
    );
    assert!(text.contains("[无法由抓取判断] 站点无法访问"), "{text}");
    // Exit code 1 exactly when a veto indicator fails.
    let vetoed = text
        .lines()
        .any(|l| l.starts_with("[单项否决]") && l.contains("否决 ·"));
    assert_eq!(out.status.code(), Some(i32::from(vetoed)), "{text}");

    let out_dir = dir.path().join("report");
    let out = run(&["report", "--db", db_s, "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(html.contains("<section id=\"scorecard\">"));
    assert!(html.contains("暗链和违规链接"));
}
