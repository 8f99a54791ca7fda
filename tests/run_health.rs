//! Run health: a run that fetched far fewer pages than the last complete run, or whose start page
//! was blocked or failed, is degraded (运行异常（降级）): it resolves none of the earlier findings
//! (they stay open as unverified), and the next healthy run is compared with the last complete
//! run, not with the degraded one.

mod support;

use support::*;

/// A home page with nothing behind it: the site "shrank" to one page.
const BARE_HOME: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>滕州市人民政府</title></head>
<body><p>系统维护中</p></body></html>"#;

fn scan_from(
    portal: &Portal,
    dir: &std::path::Path,
    db: &std::path::Path,
    start: &str,
) -> std::process::Output {
    let cfg = fixture_config(dir);
    scan_command(&format!("{}{start}", portal.base()), db, &cfg)
        .output()
        .expect("gongkai runs")
}

/// The findings of `run` with the given status, as JSON lines.
fn with_status(db: &std::path::Path, run_id: i64, status: &str) -> Vec<serde_json::Value> {
    let out = run(&[
        "findings",
        "--db",
        db.to_str().unwrap(),
        "--run",
        &run_id.to_string(),
        "--status",
        status,
        "--format",
        "jsonl",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn degraded(db: &std::path::Path, run_id: i64) -> Option<String> {
    open_db(db)
        .query_row("SELECT degraded FROM runs WHERE id = ?1", [run_id], |r| {
            r.get(0)
        })
        .unwrap()
}

/// The fixture portal scanned once into a new database (run 1): the portal, the database's
/// folder and path, and run 1's finding count.
fn first_scan() -> (Portal, tempfile::TempDir, std::path::PathBuf, i64) {
    let portal = Portal::start(gongkai_fixture::FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let first = scan_from(&portal, dir.path(), &db, "");
    assert!(first.status.success(), "{}", stderr(&first));
    let before = finding_count(&db, 1);
    (portal, dir, db, before)
}

fn finding_count(db: &std::path::Path, run_id: i64) -> i64 {
    open_db(db)
        .query_row(
            "SELECT count(DISTINCT fingerprint) FROM findings WHERE run_id = ?1",
            [run_id],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_run_with_far_fewer_pages_is_degraded_and_the_next_compares_with_the_last_complete_run() {
    let portal = Portal::start(gongkai_fixture::FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");

    let first = scan_from(&portal, dir.path(), &db, "");
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(degraded(&db, 1), None);
    let before = finding_count(&db, 1);
    assert!(before > 10, "{before} findings on the full portal");

    // The site answers with one bare page: a run of a few pages.
    portal.server.set_file("index.html", Some(BARE_HOME));
    let second = scan_from(&portal, dir.path(), &db, "");
    assert!(second.status.success(), "exit stays 0: {}", stderr(&second));
    let why = degraded(&db, 2).expect("run 2 is degraded");
    assert!(why.contains("仅为上次完整运行（运行 1）"), "{why}");
    assert!(
        stdout(&second).contains("运行异常（降级）"),
        "{}",
        stdout(&second)
    );
    assert!(stderr(&second).contains("degraded"), "{}", stderr(&second));
    // Nothing of run 1 is resolved by it: what it did not see stays open, unverified.
    assert!(with_status(&db, 2, "resolved").is_empty());
    let unverified = with_status(&db, 2, "unverified");
    assert!(
        unverified.len() as i64 >= before - finding_count(&db, 2),
        "{} unverified of {before}",
        unverified.len()
    );

    // `diff` against the degraded run does not call the missing findings fixed.
    let d = stdout(&run(&["diff", "--db", db.to_str().unwrap(), "--to", "2"]));
    assert!(d.contains("run 2 运行异常（降级）"), "{d}");
    assert!(d.contains("未再出现（运行异常，不算已整改）"), "{d}");

    // The report says so.
    let out_dir = dir.path().join("report2");
    let rep = run(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--run",
        "2",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(rep.status.success(), "{}", stderr(&rep));
    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(html.contains("运行异常（降级）"), "report header");
    assert!(html.contains("仅为上次完整运行"), "report reason");

    // The site is back: run 3 is healthy and compared with run 1, not with the degraded run 2.
    portal.server.set_file("index.html", None);
    let third = scan_from(&portal, dir.path(), &db, "");
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(degraded(&db, 3), None, "run 2 is not the baseline");
    assert!(with_status(&db, 3, "resolved").is_empty());
    let new = with_status(&db, 3, "new");
    assert!(new.is_empty(), "compared with the degraded run: {new:?}");
    let persisting = with_status(&db, 3, "persisting");
    assert_eq!(persisting.len() as i64, before);
    let d = stdout(&run(&["diff", "--db", db.to_str().unwrap()]));
    assert!(d.contains("对比 run 1"), "{d}");
    assert!(d.contains("新发现 0 条, 已整改 0 条"), "{d}");
}

#[test]
fn a_start_page_behind_a_wall_or_failing_makes_a_degraded_run() {
    let (portal, dir, db, before) = first_scan();

    // 403 at the start page: nothing could be checked (an operational error, exit 2), and the
    // run is marked degraded so it resolves nothing.
    let walled = scan_from(&portal, dir.path(), &db, "status/403");
    assert_eq!(walled.status.code(), Some(2), "{}", stderr(&walled));
    assert!(stderr(&walled).contains("refused the crawler"));
    let why = degraded(&db, 2).expect("run 2 is degraded");
    assert!(why.contains("被拦截（blocked，HTTP 403）"), "{why}");
    assert!(with_status(&db, 2, "resolved").is_empty());
    assert_eq!(with_status(&db, 2, "unverified").len() as i64, before);

    // 500 at the start page: the scan ends normally (exit 0), degraded.
    let failing = scan_from(&portal, dir.path(), &db, "status/500");
    assert!(failing.status.success(), "{}", stderr(&failing));
    let why = degraded(&db, 3).expect("run 3 is degraded");
    assert!(
        why.contains("服务器错误（server-error，HTTP 500）"),
        "{why}"
    );
    assert!(why.contains("仅为上次完整运行（运行 1）"), "{why}");
    assert!(with_status(&db, 3, "resolved").is_empty());

    // Healthy again: compared with run 1.
    let back = scan_from(&portal, dir.path(), &db, "");
    assert!(back.status.success(), "{}", stderr(&back));
    assert_eq!(degraded(&db, 4), None);
    let new = with_status(&db, 4, "new");
    assert!(new.is_empty(), "compared with run 1: {new:?}");
    assert!(with_status(&db, 4, "resolved").is_empty());
}

#[test]
fn a_page_text_that_cannot_be_read_fails_check_and_keeps_the_findings() {
    let (_portal, dir, db, before) = first_scan();
    assert!(before > 0);
    // A damaged row: the stored text of one crawled page is not UTF-8.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE fetches SET text = X'FFFE' WHERE id = (SELECT min(id) FROM fetches
             WHERE run_id = 1 AND purpose = 'crawl' AND model IS NOT NULL)",
            [],
        )
        .unwrap();
    let cfg = fixture_config(dir.path());
    let check = run(&[
        "check",
        "--db",
        db.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--as-of",
        gongkai_fixture::DEMO_AS_OF,
    ]);
    // The rules would have judged that page as empty: no findings are stored from them.
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    let err = stderr(&check);
    assert!(
        err.contains("page texts of run 1 could not be read"),
        "{err}"
    );
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("gongkai: error"))
            .count(),
        1
    );
    assert_eq!(finding_count(&db, 1), before, "the scan's findings stay");
}
