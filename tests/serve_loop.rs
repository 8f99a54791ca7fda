//! `gongkai serve`: the loop over HTTP. A recheck of an unfixed link stays open with the new
//! fetch as evidence, a cross-page finding answers 需下次全站扫描复核, the recheck fetches only
//! what it needs (robots.txt first, the scan's User-Agent); an approved waiver hides a finding until
//! its page changes; the office's overview; `gongkai report` exports the audit trail.

mod serve_common;
mod support;

use serve_common::*;

#[test]
fn rechecks_not_fixed_and_site_wide() {
    let s = Served::start();
    let a = &s.addr;
    let findings = s.findings();
    // A link that still answers 500, and a column finding (needs the whole site).
    let broken = findings
        .iter()
        .find(|f| {
            f.3.as_deref()
                .is_some_and(|t| t.contains("/error/hdjl/query.jsp"))
        })
        .unwrap();
    let column = findings
        .iter()
        .find(|f| f.1 == broken.1 && f.2.ends_with("/zwgk/tjxx/index.html"))
        .unwrap_or_else(|| panic!("{findings:?}"));
    let sess = sign_in(a, &s.signin_link(Some(&broken.1)));
    let csrf = http(a, "GET", "/findings", &[("Cookie", &sess)], "")
        .csrf()
        .unwrap();
    let before = s.portal.requests().len();
    for id in [broken.0, column.0] {
        let r = http(
            a,
            "POST",
            &format!("/findings/{id}/recheck"),
            &[("Cookie", &sess)],
            &form(&[("csrf", &csrf)]),
        );
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let conn = support::open_db(&s.db);
    let rows: Vec<(i64, String, String, String)> = conn
        .prepare("SELECT finding_id, result, message, evidence FROM rechecks ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0].0, rows[0].1.as_str()),
        (broken.0, "open"),
        "{rows:?}"
    );
    assert!(rows[0].2.contains("复核未通过"));
    let ev: serde_json::Value = serde_json::from_str(&rows[0].3).unwrap();
    let target = ev
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["url"].as_str().unwrap().contains("query.jsp"))
        .unwrap();
    assert_eq!(target["status"], 500, "{ev}");
    assert_eq!(
        (rows[1].0, rows[1].1.as_str()),
        (column.0, "site-wide"),
        "{rows:?}"
    );
    assert!(rows[1].2.contains("需下次全站扫描复核"));
    // The recheck fetched politely: robots.txt, the page, the target; the column was not fetched.
    let reqs: Vec<String> = s.portal.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(reqs.iter().any(|p| p == "/robots.txt"), "{reqs:?}");
    assert!(reqs.iter().any(|p| p == "/hdjl/index.html"), "{reqs:?}");
    assert!(
        !reqs.iter().any(|p| p.starts_with("/zwgk/tjxx")),
        "{reqs:?}"
    );
    assert!(reqs.len() <= 8, "nothing else was crawled: {reqs:?}");
    let ua = s.portal.requests()[before..]
        .iter()
        .find_map(|r| r.user_agent.clone())
        .unwrap();
    assert!(ua.starts_with("gongkai/"), "{ua}");
    // Still open in the API.
    let token = s.api_token(Some(&broken.1));
    let one = http(
        a,
        "GET",
        &format!("/api/findings/{}", broken.0),
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    );
    assert!(one.body.contains("\"status\":\"open\""), "{}", one.body);
}

#[test]
fn waiver_lapses_when_the_page_changes() {
    let s = Served::start();
    let a = &s.addr;
    let findings = s.findings();
    let f = findings
        .iter()
        .find(|f| f.2.ends_with("/zjtz/index.html") && f.3.is_some())
        .unwrap();
    let sess = sign_in(a, &s.signin_link(Some(&f.1)));
    let admin = sign_in(a, &s.signin_link(None));
    let csrf = http(a, "GET", "/findings", &[("Cookie", &sess)], "")
        .csrf()
        .unwrap();
    let r = http(
        a,
        "POST",
        &format!("/findings/{}/waiver", f.0),
        &[("Cookie", &sess)],
        &form(&[("csrf", &csrf), ("reason", "历史页面，已归档")]),
    );
    assert_eq!(r.status, 303);
    let queue = http(a, "GET", "/waivers", &[("Cookie", &admin)], "");
    assert!(queue.body.contains("历史页面，已归档"));
    let admin_csrf = queue.csrf().unwrap();
    let r = http(
        a,
        "POST",
        "/waivers/1/decide",
        &[("Cookie", &admin)],
        &form(&[("csrf", &admin_csrf), ("decision", "approve")]),
    );
    assert_eq!(r.status, 303);
    // Decided once only.
    let r = http(
        a,
        "POST",
        "/waivers/1/decide",
        &[("Cookie", &admin)],
        &form(&[("csrf", &admin_csrf), ("decision", "reject")]),
    );
    assert_eq!(r.status, 409);

    let token = s.api_token(None);
    let auth = format!("Bearer {token}");
    let status = |path: &str| -> serde_json::Value {
        let r = http(a, "GET", path, &[("Authorization", &auth)], "");
        serde_json::from_str(&r.body).unwrap()
    };
    let one = status(&format!("/api/findings/{}", f.0));
    assert_eq!(one["status"], "waived");
    let open: Vec<serde_json::Value> = serde_json::from_str(
        &http(a, "GET", "/api/findings", &[("Authorization", &auth)], "").body,
    )
    .unwrap();
    assert!(
        !open.iter().any(|x| x["id"] == f.0),
        "waived findings leave the default list"
    );
    assert_eq!(open.len(), findings.len() - 1);

    // The page changes (same broken link, new text): the next scan's finding is open again.
    let changed = zjtz_page(true).replace("</body>", "<p>2026年更新</p></body>");
    s.portal.server.set_file("zjtz/index.html", Some(&changed));
    let out = support::run(&[
        "scan",
        &s.portal.base(),
        "--db",
        s.db.to_str().unwrap(),
        "--config",
        s.config.to_str().unwrap(),
        "--as-of",
        gongkai_fixture::DEMO_AS_OF,
        "--rate",
        "0",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let now: Vec<serde_json::Value> = serde_json::from_str(
        &http(a, "GET", "/api/findings", &[("Authorization", &auth)], "").body,
    )
    .unwrap();
    let again = now
        .iter()
        .find(|x| x["fingerprint"] == one["fingerprint"])
        .expect("found again");
    assert_eq!(again["status"], "open", "{again}");

    // The office's overview: per department, and per scan over time.
    let home = http(a, "GET", "/", &[("Cookie", &admin)], "");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("id=\"departments\"") && home.body.contains("id=\"trend\""));
    assert!(home.body.contains(DEPT_A) && home.body.contains(DEPT_B));
    assert_eq!(
        home.body.matches("<th>#").count(),
        2,
        "two scans in the trend"
    );
    // A department's home is its list.
    let r = http(a, "GET", "/", &[("Cookie", &sess)], "");
    assert_eq!((r.status, r.header("location")), (303, Some("/findings")));

    // The report carries the audit trail.
    let out_dir = s.dir.path().join("report");
    let out = support::run(&[
        "report",
        "--db",
        s.db.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let audit = std::fs::read_to_string(out_dir.join("audit.csv")).unwrap();
    for what in ["申请豁免", "批准豁免", "历史页面，已归档", "127.0.0.1"] {
        assert!(audit.contains(what), "{what} in {audit}");
    }
}
