//! Confirm before reporting: a failed link is tried once more at the end of the run (only a
//! second failure makes it broken, and the evidence keeps both attempts), and `confirm_runs = N`
//! reports a broken link only after it failed in N consecutive runs (待确认 until then).

mod support;

use support::*;

/// A home page linking to a page that is missing once, a page that is always missing, and a page
/// behind a wall.
const HOME: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>滕州市人民政府</title></head>
<body><div class="content">
<a href="/flaky/404/zjtz/once.html">旅游景点</a>
<a href="/status/404">已删除的通知</a>
<a href="/status/403">内部页面</a>
</div></body></html>"#;

fn config(dir: &std::path::Path, crawl: &str) -> std::path::PathBuf {
    let path = fixture_config(dir);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("\n[crawl]\n{crawl}\n"));
    std::fs::write(&path, text).unwrap();
    path
}

fn scan(portal: &Portal, db: &std::path::Path, cfg: &std::path::Path) -> std::process::Output {
    let out = scan_command(&portal.base(), db, cfg)
        .output()
        .expect("gongkai runs");
    assert!(out.status.success(), "scan: {}", stderr(&out));
    out
}

/// Targets of the `link.broken` findings of a run.
fn broken_targets(db: &std::path::Path, run: i64) -> Vec<String> {
    let conn = open_db(db);
    let mut stmt = conn
        .prepare("SELECT target FROM findings WHERE run_id = ?1 AND rule = 'link.broken' ORDER BY target")
        .unwrap();
    stmt.query_map([run], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_link_failing_once_is_not_broken_and_one_failing_twice_is() {
    let portal = Portal::start(gongkai_fixture::FixtureOptions::default());
    portal.server.set_file("index.html", Some(HOME));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let cfg = config(dir.path(), "recheck_pause_secs = 0");
    let out = scan(&portal, &db, &cfg);
    let text = stdout(&out);

    let broken = broken_targets(&db, 1);
    assert!(
        broken.iter().any(|t| t.ends_with("/status/404")),
        "{broken:?}"
    );
    assert!(
        !broken.iter().any(|t| t.contains("/flaky/404/")),
        "a link that failed once was reported broken: {broken:?}"
    );
    // A wall is not broken and is not retried: counted as unverified.
    assert!(!broken.iter().any(|t| t.ends_with("/status/403")));
    assert!(text.contains("未验证：1 个"), "{text}");

    // Two requests each for the failures, one for the wall.
    let count = |path: &str| portal.requests().iter().filter(|r| r.path == path).count();
    assert_eq!(count("/flaky/404/zjtz/once.html"), 2);
    assert_eq!(count("/status/404"), 2);
    assert_eq!(count("/status/403"), 1);

    // The evidence shows both attempts: the second answer, with the first kept beside it.
    let conn = open_db(&db);
    let row = |path: &str| -> (String, i64, String) {
        conn.query_row(
            "SELECT outcome, attempts, headers FROM fetches WHERE run_id = 1 AND url LIKE ?1",
            [format!("%{path}")],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let (outcome, attempts, headers) = row("/flaky/404/zjtz/once.html");
    assert_eq!(outcome, "ok");
    assert_eq!(attempts, 2);
    let headers: Vec<(String, String)> = serde_json::from_str(&headers).unwrap();
    let first = headers
        .iter()
        .find(|(k, _)| k == "x-gongkai-first-attempt")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    assert!(first.starts_with("not-found 404 "), "{headers:?}");
    let (outcome, _, headers) = row("/status/404");
    assert_eq!(outcome, "not-found");
    assert!(headers.contains("x-gongkai-first-attempt"), "{headers}");
    assert!(
        text.contains("复查：2 个失败的请求在运行结束时重试，其中 1 个第二次成功"),
        "{text}"
    );
}

#[test]
fn confirm_runs_reports_a_broken_link_only_on_its_second_failing_run() {
    let portal = Portal::start(gongkai_fixture::FixtureOptions::default());
    portal.server.set_file("index.html", Some(HOME));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let cfg = config(dir.path(), "recheck_pause_secs = 0\nconfirm_runs = 2");

    let first = stdout(&scan(&portal, &db, &cfg));
    assert!(
        broken_targets(&db, 1).is_empty(),
        "{:?}",
        broken_targets(&db, 1)
    );
    assert!(first.contains("待确认：1 个"), "{first}");
    let held: i64 = open_db(&db)
        .query_row("SELECT unconfirmed FROM runs WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(held, 1);
    // `findings` says it too (on stderr, beside the table).
    let listed = run(&["findings", "--db", db.to_str().unwrap()]);
    assert!(
        stderr(&listed).contains("待确认：1 个"),
        "{}",
        stderr(&listed)
    );

    let second = stdout(&scan(&portal, &db, &cfg));
    let broken = broken_targets(&db, 2);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].ends_with("/status/404"));
    assert!(!second.contains("待确认"), "{second}");

    // The HTML report shows the walls and what was held back on the first run.
    let out_dir = dir.path().join("report");
    let rep = run(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--run",
        "1",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(rep.status.success(), "{}", stderr(&rep));
    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(html.contains("未验证（访问受限）"), "walls row missing");
    assert!(
        html.contains("<dt>待确认</dt><dd>1 个"),
        "held-back row missing"
    );
}
