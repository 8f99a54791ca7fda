//! End-to-end: `gongkai scan` of the fixture portal — outcome classes, robots.txt, encodings,
//! pagination, conditional rescans.

mod support;

use gongkai_fixture::{FixtureOptions, Origin};
use std::collections::BTreeMap;
use support::*;

fn outcome_of(conn: &rusqlite::Connection, run: i64, url_suffix: &str) -> Option<String> {
    conn.query_row(
        "SELECT outcome FROM fetches WHERE run_id = ?1 AND url LIKE '%' || ?2 ORDER BY id LIMIT 1",
        rusqlite::params![run, url_suffix],
        |r| r.get(0),
    )
    .ok()
}

#[test]
fn scan_classifies_every_outcome_and_follows_the_portal() {
    let portal = Portal::start(FixtureOptions {
        slow_ms: 50,
        ..FixtureOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    scan_fixture(&portal, dir.path(), &db, &["--rate", "0"]);
    let conn = open_db(&db);

    let expect = [
        ("/zwgk/index.html", "ok"),
        ("/redirect/chain", "redirected"),
        ("/redirect/offsite", "redirected"),
        ("/sjkf/index.html", "not-found"),
        ("/gone/zjtz/gk2019.html", "not-found"),
        ("/error/hdjl/query.jsp?id=1", "server-error"),
        ("/waf/ldxx/index.html", "blocked"),
        ("/busy/zxft/index.html", "blocked"),
        ("/auth/oa/index.html", "blocked"),
        ("/forbidden/admin/index.html", "blocked"),
        ("nonexistent.invalid/", "dns"),
        ("/wsxf/index.html", "connect"),
        ("/redirect/loop-a", "redirect-loop"),
        ("/private/neibu.html", "robots-disallowed"),
        ("/flaky/500/zjtz/lyjd.html", "ok"),
        ("/slow/zjtz/lswh.html", "ok"),
        ("filename=bszn.pdf", "ok"),
    ];
    let mut wrong = Vec::new();
    for (suffix, want) in expect {
        let got = outcome_of(&conn, 1, suffix);
        if got.as_deref() != Some(want) {
            wrong.push(format!("{suffix}: want {want}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));

    // robots.txt obeyed: the disallowed page is never requested.
    let log = portal.requests();
    assert!(log.iter().any(|r| r.path == "/robots.txt"));
    assert!(
        !log.iter().any(|r| r.path.starts_with("/private/")),
        "a robots.txt-disallowed path was requested"
    );
    // Honest User-Agent with the contact.
    assert!(log.iter().all(|r| r
        .user_agent
        .as_deref()
        .is_some_and(|ua| ua.contains("gongkai") && ua.contains("test@example.org"))));

    // GBK pages decoded: the stored title reads back in Chinese, GBK-only characters included.
    let title: String = conn
        .query_row(
            "SELECT title FROM fetches WHERE run_id = 1 AND url LIKE '%/gbk/tzgg/2023/0328_1.html'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        title,
        "关于滕州市金镕机械有限公司技术改造项目备案情况的公示_滕州市发展和改革局"
    );

    // Pagination: TRS createPageHTML pages and the Hanweb dataproxy POSTs were followed.
    for suffix in [
        "/zwgk/gfxwj/index_2.html",
        "/zwgk/zcjd/index_1.html",
        "/art/2022/6/1/art_1234_5678.html",
        "/art/2022/8/30/art_1234_5679.html",
    ] {
        assert_eq!(
            outcome_of(&conn, 1, suffix).as_deref(),
            Some("ok"),
            "{suffix} not crawled"
        );
    }
    let posts: i64 = conn
        .query_row(
            "SELECT count(*) FROM fetches WHERE run_id = 1 AND method = 'POST' AND url LIKE '%dataproxy.jsp'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(posts >= 1, "no Hanweb dataproxy POST");

    // Every request key fetched once per run.
    let dupes: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT request_key FROM fetches WHERE run_id = 1 GROUP BY request_key HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(dupes, 0);
}

#[test]
fn rescan_sends_conditional_requests_and_reuses_bodies() {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    scan_fixture(
        &portal,
        dir.path(),
        &db,
        &["--rate", "0", "--max-pages", "40"],
    );
    let first = portal.requests().len();
    scan_fixture(
        &portal,
        dir.path(),
        &db,
        &["--rate", "0", "--max-pages", "40"],
    );
    let log = portal.requests();
    let second = &log[first..];
    let not_modified = second.iter().filter(|r| r.status == 304).count();
    let conditional = second.iter().filter(|r| r.if_none_match.is_some()).count();
    assert!(conditional > 10, "few conditional requests: {conditional}");
    assert!(not_modified > 10, "few 304 answers: {not_modified}");

    let conn = open_db(&db);
    let reused: i64 = conn
        .query_row(
            "SELECT count(*) FROM fetches WHERE run_id = 2 AND not_modified = 1 AND body_sha256 IS NOT NULL AND model IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        reused > 10,
        "304 answers did not reuse stored bodies: {reused}"
    );
    // The rescan found the same pages.
    let count = |run: i64| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM fetches WHERE run_id = ?1 AND purpose = 'crawl'",
            [run],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(count(1), count(2));
}

#[test]
fn per_host_rate_is_never_exceeded() {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    scan_fixture(
        &portal,
        dir.path(),
        &db,
        &["--rate", "8", "--max-pages", "25"],
    );
    let log = portal.requests();
    let mut by_origin: BTreeMap<u16, Vec<std::time::Instant>> = BTreeMap::new();
    for r in &log {
        by_origin.entry(r.port).or_default().push(r.at);
    }
    // Times are taken when the server's handler runs; on a loaded 2-core machine a request can
    // sit in the server's queue for a while and then be logged right before the next one, so a
    // window slightly shorter than a second absorbs that scheduling noise.
    let window = std::time::Duration::from_millis(850);
    for (port, mut times) in by_origin {
        times.sort();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| u.duration_since(*t) < window)
                .count();
            assert!(
                in_window <= 8,
                "port {port}: {in_window} requests within {window:?}"
            );
        }
        // Even spacing, no bursts: over the whole scan the host saw at most the rate on average.
        if let (Some(first), Some(last)) = (times.first(), times.last()) {
            let secs = last.duration_since(*first).as_secs_f64();
            assert!(
                (times.len() as f64 - 1.0) <= 8.0 * secs + 1.0,
                "port {port}: {} requests in {secs:.2}s",
                times.len()
            );
        }
    }
    assert!(log.iter().any(|r| r.origin == Origin::Main));
}
