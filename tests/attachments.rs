//! End-to-end: attachments of a 公示 section the rules were not written against
//! (`fixtures/portal/zwgk/fj/`, made by `cargo run -p gongkai-extract --example make_fixtures`)
//! are read in full: planted ID numbers in an xlsx (second sheet), an xls, a GBK csv, a docx
//! table, a pdf and a legacy doc (6-8-4 groups) are found at their locations, classification
//! marks in a pdf and a docx are found, the traps stay silent, unreadable files are counted with
//! their reason, nothing prints a whole number, and a rescan revalidates instead of re-reading.

mod support;

use gongkai_fixture::FixtureOptions;
use std::collections::BTreeMap;
use support::*;

/// Planted numbers: none may appear whole in any output.
const PLANTED: &[&str] = &[
    "370481198503127717",
    "37048119920815002X",
    "370481197309265564",
    "370481196802214336",
    "370481200105091288",
    "370481197607043011",
];

struct Found {
    url: String,
    department: String,
    message: String,
    evidence: serde_json::Value,
}

fn findings(db: &std::path::Path, run: i64, rule: &str) -> BTreeMap<String, Found> {
    let conn = open_db(db);
    let mut stmt = conn
        .prepare(
            "SELECT url, department, message, evidence FROM findings
             WHERE run_id = ?1 AND rule = ?2 AND url LIKE '%/fj/%'",
        )
        .unwrap();
    let rows = stmt
        .query_map(rusqlite::params![run, rule], |r| {
            let ev: String = r.get(3)?;
            Ok(Found {
                url: r.get(0)?,
                department: r.get(1)?,
                message: r.get(2)?,
                evidence: serde_json::from_str(&ev).unwrap(),
            })
        })
        .unwrap();
    rows.map(|r| {
        let f = r.unwrap();
        let name = f.url.rsplit('/').next().unwrap().to_string();
        (name, f)
    })
    .collect()
}

fn scan(portal: &Portal, dir: &std::path::Path, db: &std::path::Path) -> std::process::Output {
    scan_with(portal, &fixture_config(dir), db, &[])
}

/// Scans the attachments column with `cfg`, the environment set as `env` says.
fn scan_with(
    portal: &Portal,
    cfg: &std::path::Path,
    db: &std::path::Path,
    env: &[(&str, &str)],
) -> std::process::Output {
    let start = format!("{}/zwgk/fj/index.html", portal.base());
    let out = support::scan_command(&start, db, cfg)
        .args(["--max-depth", "1"])
        .envs(env.iter().copied())
        .output()
        .expect("gongkai runs");
    assert!(out.status.success(), "scan failed: {}", stderr(&out));
    out
}

#[test]
fn attachments_are_read_checked_and_masked() {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = scan(&portal, dir.path(), &db);

    let ids = findings(&db, 1, "privacy.id-number");
    let want_ids = [
        ("P020230315000000000001.xlsx", "Sheet2!C5"),
        ("P020230315000000000002.xls", "成绩!B2"),
        ("P020230315000000000003.csv", "第2行"),
        ("P020230320000000000001.docx", "表格1 第2行第2列"),
        ("P020230320000000000002.pdf", "第2页"),
        ("P020230320000000000004.doc", "段落2"),
    ];
    let got: Vec<&str> = ids.keys().map(String::as_str).collect();
    let want: Vec<&str> = want_ids.iter().map(|(n, _)| *n).collect();
    assert_eq!(got, want, "privacy.id-number on attachments");
    for (name, loc) in want_ids {
        let f = &ids[name];
        assert_eq!(f.evidence["count"], 1, "{name}: {}", f.evidence);
        assert_eq!(f.evidence["locations"][0], loc, "{name}");
        assert!(f.evidence["linked_from"][0]
            .as_str()
            .unwrap()
            .contains("/zwgk/fj/t2023"));
    }
    assert_eq!(
        ids["P020230315000000000001.xlsx"].department,
        "滕州市民政局"
    );
    assert_eq!(
        ids["P020230320000000000001.docx"].department,
        "滕州市人力资源和社会保障局"
    );

    let marks = findings(&db, 1, "secrecy.classified-mark");
    let got: Vec<&str> = marks.keys().map(String::as_str).collect();
    assert_eq!(
        got,
        ["P020230320000000000001.docx", "P020230320000000000003.pdf"],
        "classified marks (the 保密 text is a trap)"
    );
    assert_eq!(
        marks["P020230320000000000003.pdf"].evidence["marks"][0],
        "秘密★1年"
    );
    assert_eq!(
        marks["P020230320000000000001.docx"].evidence["locations"][0],
        "段落1"
    );

    let unread = findings(&db, 1, "attachment.unreadable");
    let got: BTreeMap<&str, &str> = unread
        .iter()
        .map(|(k, f)| (k.as_str(), f.evidence["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        BTreeMap::from([
            ("P020230315000000000004.pdf", "no-text"),
            ("P020230320000000000007.xlsx", "hostile"),
        ])
    );
    assert!(unread["P020230315000000000004.pdf"]
        .message
        .contains("扫描"));

    // Summary line; nothing prints a whole number.
    let err = stderr(&out);
    // 9 of the section's 11 own attachments are read; the home page's placeholder pdf adds one
    // more unreadable (corrupt).
    assert!(err.contains("附件：已读取 9 个，未能读取 3 个（"), "{err}");
    assert!(err.contains("无文本层（扫描图片） 1"), "{err}");
    let conn = open_db(&db);
    let all: String = conn
        .query_row(
            "SELECT group_concat(message || evidence || url, '') FROM findings",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let outputs = [all, stdout(&out), err];
    for id in PLANTED {
        for o in &outputs {
            assert!(!o.contains(id), "{id} printed whole");
        }
    }
    let fid: i64 = conn
        .query_row(
            "SELECT id FROM findings WHERE rule = 'privacy.id-number' AND url LIKE '%.xlsx'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let ev = run(&["evidence", &fid.to_string(), "--db", db.to_str().unwrap()]);
    let ev_out = stdout(&ev);
    assert!(ev_out.contains("370481********7717"), "{ev_out}");
    assert!(!ev_out.contains("370481198503127717"));

    // The outside-origin attachment is only checked: no body, no text.
    let (body, headers): (Option<String>, String) = conn
        .query_row(
            "SELECT body_sha256, headers FROM fetches WHERE url LIKE '%P020230315000000000009.xls'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(body.is_none() && !headers.contains("x-gongkai-attachment"));

    // The database holds the leak: owner-only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let warc = dir.path().join("a.warc.gz");
    let w = run(&[
        "export-warc",
        "--db",
        db.to_str().unwrap(),
        "--out",
        warc.to_str().unwrap(),
    ]);
    assert!(stdout(&w).contains("原始"), "{}", stdout(&w));
    drop(conn);

    // Rescan: attachments are revalidated (conditional GET), not downloaded or read again.
    let texts_before: i64 = open_db(&db)
        .query_row("SELECT count(*) FROM attachment_texts", [], |r| r.get(0))
        .unwrap();
    scan(&portal, dir.path(), &db);
    let conditional = portal
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("P020230315000000000001.xlsx") && r.if_none_match.is_some())
        .count();
    assert!(conditional >= 1, "the rescan sends the stored validator");
    let conn = open_db(&db);
    let texts_after: i64 = conn
        .query_row("SELECT count(*) FROM attachment_texts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(texts_before, texts_after);
    assert_eq!(findings(&db, 2, "privacy.id-number").len(), 6);
}

/// Scans the fixture portal with one missing page linked from an attachments list, failures
/// tried again `pause` seconds after the latest, and returns the debug log. What holds with any
/// pause is checked here: some attachments were read in the pause before the rechecks, the
/// failure was tried again, and the attachments' findings are those of a scan without a pause.
fn scan_with_a_failure(pause: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let db_path = tmp.path().join("a.db");
    let (dir, db) = (tmp.path(), db_path.as_path());
    let portal = Portal::start(FixtureOptions::default());
    let list = include_str!("../fixtures/portal/zwgk/fj/index.html").replace(
        "</ul>",
        r#"<li><a href="/zwgk/fj/t20230399_missing.html">已删除的附件说明</a></li></ul>"#,
    );
    assert!(list.contains("missing.html"));
    portal.server.set_file("zwgk/fj/index.html", Some(&list));
    let env = [
        ("RUST_LOG", "gongkai=debug"),
        ("GONGKAI_RECHECK_PAUSE_SECS", pause),
    ];
    let out = scan_with(&portal, &fixture_config(dir), db, &env);
    // The log is plain text when stderr is not a terminal.
    let err = stderr(&out);
    assert!(
        !err.contains('\x1b'),
        "no colour codes in a log that is not a terminal"
    );
    let early: usize = err
        .lines()
        .find(|l| l.contains("attachments read in the pause before the rechecks"))
        .and_then(|l| {
            l.split(" read=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no reading in the pause: {err}"));
    let stored: usize = open_db(db)
        .query_row("SELECT count(*) FROM attachment_texts", [], |r| r.get(0))
        .unwrap();
    assert!(early > 0 && early <= stored, "{early} of {stored}");
    // The failure was tried again after the pause: its record keeps the first attempt.
    let tries: i64 = open_db(db)
        .query_row(
            "SELECT count(*) FROM fetches WHERE url LIKE '%t20230399_missing.html'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(tries >= 1);
    let headers: String = open_db(db)
        .query_row(
            "SELECT headers FROM fetches WHERE url LIKE '%t20230399_missing.html'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(headers.contains("x-gongkai-first-attempt"), "{headers}");
    let ids = findings(db, 1, "privacy.id-number");
    assert_eq!(ids.len(), 6, "{:?}", ids.keys().collect::<Vec<_>>());
    err
}

/// The crawl's pause before it tries its failures again leaves the cores idle: the attachments
/// stored by then are read in it, the pass after the crawl reads only the rest, and the findings
/// on the attachments are the same.
#[test]
fn attachments_are_read_in_the_pause_before_the_rechecks() {
    // The pause counts from the failure, on the list page fetched first; 5 s leave a slow
    // machine room to crawl the rest before the pause would be over.
    scan_with_a_failure("5");
}

/// With no pause configured the crawl does not wait at all before its rechecks (it waited for
/// the retry back-off, its cores idle), and the attachments are read beside the rechecks.
#[test]
fn with_no_pause_the_rechecks_start_at_once_and_attachments_are_read_beside_them() {
    let err = scan_with_a_failure("0");
    assert!(
        !err.contains("pausing before rechecking failures"),
        "no pause: {err}"
    );
}
