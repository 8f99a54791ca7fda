//! End-to-end: `gongkai inspect` shows the page model of one page and, per rule, whether it was
//! judged and why not — for a page stored by a scan (`--db DB --url URL`) and for a page fetched
//! now (`inspect URL`: robots.txt first, then that one page and nothing else).

mod support;

use gongkai_fixture::FixtureOptions;
use support::*;

/// G8 of PLANTED.md: a normative document without a validity mark.
const G8: &str = "zwgk/gfxwj/202206/t20220601_1234567.html";
/// G1: a normative document whose 相关解读 link is its interpretation.
const G1: &str = "zwgk/gfxwj/202210/t20221019_1236011.html";
/// A news item: no normative document.
const NEWS: &str = "zwgk/zwdt/202304/t20230419_1239012.html";

fn scanned() -> (Portal, tempfile::TempDir, std::path::PathBuf) {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    scan_fixture(&portal, dir.path(), &db, &["--rate", "0"]);
    (portal, dir, db)
}

fn inspect(args: &[&str]) -> String {
    let out = run(&[&["inspect"], args].concat());
    assert!(out.status.success(), "inspect failed: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn stored_page_shows_model_and_every_rules_verdict() {
    let (portal, _dir, db) = scanned();
    let db = db.to_str().unwrap();
    let url = format!("{}{G8}", portal.base());
    let text = inspect(&["--db", db, "--url", &url]);
    for want in [
        "页面类型：信息公开文章页",
        "文号（页面标签“文号”）：滕政办发〔2022〕14号",
        "规范性文件：是",
        "[判定·有问题] doc.validity-missing",
        "[判定·无问题] doc.number-format",
        "[未判定] interpretation.no-hotline",
        "[未判定] column.missing",
        "链接：共",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    // A news page: the document rules say why they did not judge it.
    let news = inspect(&["--db", db, "--url", &format!("{}{NEWS}", portal.base())]);
    assert!(news.contains("规范性文件：否"), "{news}");
    assert!(
        news.contains("[未判定] doc.validity-missing") && news.contains("不是规范性文件"),
        "{news}"
    );
    // Its broken body link is its finding.
    assert!(news.contains("[判定·有问题] link.broken"), "{news}");

    // JSON for machines: the model, the links and one verdict per rule.
    let json = inspect(&[
        "--db",
        db,
        "--url",
        &format!("{}{G1}", portal.base()),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["source"], "stored");
    assert!(
        v["model"]["metadata"]["fields"]["doc-number"].is_string(),
        "{v}"
    );
    assert!(v["links"].as_array().unwrap().len() > 5);
    let rules = v["explanation"]["rules"].as_array().unwrap();
    let pack = run(&["rules"]);
    assert!(pack.status.success());
    assert!(rules.len() >= 15, "{}", rules.len());
    let interp = rules
        .iter()
        .find(|r| r["rule"] == "doc.interpretation-missing")
        .unwrap();
    assert_eq!(interp["state"], "judged", "{interp}");
    assert!(interp["findings"].as_array().unwrap().is_empty());

    // A URL the run never fetched is an error that says so.
    let out = run(&[
        "inspect",
        "--db",
        db,
        "--url",
        &format!("{}nope.html", portal.base()),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not fetched"), "{}", stderr(&out));
}

#[test]
fn fetched_page_is_fetched_politely_and_alone() {
    let portal = Portal::start(FixtureOptions::default());
    let url = format!("{}{G8}", portal.base());
    let text = inspect(&[&url, "--as-of", gongkai_fixture::DEMO_AS_OF]);
    assert!(text.contains("现场获取"), "{text}");
    // Alone, the page is still a normative document by its breadcrumb and ColumnName.
    assert!(text.contains("规范性文件：是"), "{text}");
    assert!(
        text.contains("[判定·有问题] doc.validity-missing"),
        "{text}"
    );
    assert!(
        text.contains("文号（页面标签“文号”）：滕政办发〔2022〕14号"),
        "{text}"
    );
    let reqs = portal.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    // robots.txt first, then the page once; no link is followed or checked.
    assert_eq!(paths, ["/robots.txt", &format!("/{G8}")[..]], "{paths:?}");
    assert!(reqs.iter().all(|r| r
        .user_agent
        .as_deref()
        .is_some_and(|ua| ua.starts_with("gongkai/"))));

    // robots.txt disallows /private/: not fetched, and said so.
    let out = run(&["inspect", &format!("{}private/neibu.html", portal.base())]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("robots.txt"), "{}", stderr(&out));
    assert!(!portal
        .requests()
        .iter()
        .any(|r| r.path.starts_with("/private/")));
}
