//! `gongkai serve` over HTTP: who may see and do what. Sign-in links are single use; cookies are
//! HttpOnly + SameSite=Strict (+ Secure behind HTTPS); a department never reaches another's
//! findings (pages or API); every POST needs the session's CSRF token; sign-in is rate-limited.

mod serve_common;
mod support;

use serve_common::*;

#[test]
fn access_rules_over_http() {
    let s = Served::start();
    let a = &s.addr;
    let findings = s.findings();
    let of = |d: &str| -> Vec<i64> { findings.iter().filter(|f| f.1 == d).map(|f| f.0).collect() };
    let (ids_a, ids_b) = (of(DEPT_A), of(DEPT_B));
    assert!(!ids_a.is_empty() && !ids_b.is_empty(), "{findings:?}");

    // Not signed in: pages redirect to the sign-in page, POSTs do nothing.
    let r = http(a, "GET", "/findings", &[], "");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login"));
    let r = http(
        a,
        "POST",
        &format!("/findings/{}/recheck", ids_a[0]),
        &[],
        "csrf=x",
    );
    assert_eq!(r.status, 303);
    // Security headers on every page.
    let login = http(a, "GET", "/login", &[], "");
    assert_eq!(login.status, 200);
    let csp = login.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert_eq!(login.header("x-frame-options"), Some("DENY"));

    // A sign-in link works once; its session cookie is HttpOnly and SameSite=Strict.
    let link = s.signin_link(Some(DEPT_A));
    let path = link.trim_start_matches(a.as_str()).to_string();
    let page = http(a, "GET", &path, &[("X-Forwarded-Proto", "https")], "");
    let form_cookie = page.set_cookie("gk_form").unwrap();
    assert!(form_cookie.contains("HttpOnly") && form_cookie.contains("SameSite=Strict"));
    assert!(
        form_cookie.contains("Secure"),
        "behind HTTPS: {form_cookie}"
    );
    let sess_a = sign_in(a, &link);
    let again = http(a, "GET", &path, &[], "");
    assert_eq!(again.status, 404, "the link is spent");
    let sess_b = sign_in(a, &s.signin_link(Some(DEPT_B)));

    // The list shows only the department's own findings.
    let list = http(a, "GET", "/findings?status=all", &[("Cookie", &sess_a)], "");
    assert_eq!(list.status, 200);
    for id in &ids_a {
        assert!(
            list.body.contains(&format!("href=\"/findings/{id}\"")),
            "{id}"
        );
    }
    for id in &ids_b {
        assert!(
            !list.body.contains(&format!("href=\"/findings/{id}\"")),
            "{id} leaked"
        );
    }
    // Another department's finding id: refused, and nothing of it is shown.
    let other = http(
        a,
        "GET",
        &format!("/findings/{}", ids_b[0]),
        &[("Cookie", &sess_a)],
        "",
    );
    assert_eq!(other.status, 403);
    let missing = http(a, "GET", "/findings/999999", &[("Cookie", &sess_a)], "");
    assert_eq!(missing.status, 404);
    let own = http(
        a,
        "GET",
        &format!("/findings/{}", ids_a[0]),
        &[("Cookie", &sess_a)],
        "",
    );
    assert_eq!(own.status, 200);
    let csrf_a = own.csrf().unwrap();
    // Downloads hold only the department's rows.
    let csv = http(
        a,
        "GET",
        "/findings.csv?status=all",
        &[("Cookie", &sess_a)],
        "",
    );
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains(DEPT_A) && !csv.body.contains(DEPT_B));

    // CSRF: no token, a wrong token, another session's token: all refused, nothing recorded.
    let target = format!("/findings/{}/waiver", ids_a[0]);
    let csrf_b = http(a, "GET", "/findings", &[("Cookie", &sess_b)], "")
        .csrf()
        .unwrap();
    for body in [
        form(&[("reason", "无令牌")]),
        form(&[("csrf", "0000"), ("reason", "错令牌")]),
        form(&[("csrf", &csrf_b), ("reason", "他人令牌")]),
    ] {
        let r = http(a, "POST", &target, &[("Cookie", &sess_a)], &body);
        assert_eq!(r.status, 403, "{body}");
    }
    // Acting on another department's finding with a valid token: refused.
    let r = http(
        a,
        "POST",
        &format!("/findings/{}/waiver", ids_b[0]),
        &[("Cookie", &sess_a)],
        &form(&[("csrf", &csrf_a), ("reason", "越权")]),
    );
    assert_eq!(r.status, 403);
    let r = http(
        a,
        "POST",
        &target,
        &[("Cookie", &sess_a)],
        &form(&[("csrf", &csrf_a), ("reason", "外部系统，非本单位维护")]),
    );
    assert_eq!(r.status, 303);
    let conn = support::open_db(&s.db);
    let waivers: i64 = conn
        .query_row("SELECT count(*) FROM waivers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(waivers, 1, "only the valid request was recorded");
    // A department cannot decide waivers.
    let r = http(
        a,
        "POST",
        "/waivers/1/decide",
        &[("Cookie", &sess_a)],
        &form(&[("csrf", &csrf_a), ("decision", "approve")]),
    );
    assert_eq!(r.status, 403);
    let audit: Vec<(String, String)> = conn
        .prepare("SELECT actor, action FROM audit")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        audit.contains(&(DEPT_A.to_string(), "申请豁免".to_string())),
        "{audit:?}"
    );

    // Sign-out needs the token too, and ends the session.
    let r = http(a, "POST", "/logout", &[("Cookie", &sess_b)], "csrf=bad");
    assert_eq!(r.status, 403);
    let r = http(
        a,
        "POST",
        "/logout",
        &[("Cookie", &sess_b)],
        &form(&[("csrf", &csrf_b)]),
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        http(a, "GET", "/findings", &[("Cookie", &sess_b)], "").status,
        303
    );
}

#[test]
fn api_tokens_and_signin_limits() {
    let s = Served::start();
    let a = &s.addr;
    let findings = s.findings();
    let id_b = findings.iter().find(|f| f.1 == DEPT_B).unwrap().0;
    let id_a = findings.iter().find(|f| f.1 == DEPT_A).unwrap().0;
    let token_a = s.api_token(Some(DEPT_A));
    let token_admin = s.api_token(None);
    let bearer = |t: &str| format!("Bearer {t}");

    assert_eq!(http(a, "GET", "/api/findings", &[], "").status, 401);
    let wrong = http(
        a,
        "GET",
        "/api/findings",
        &[("Authorization", "Bearer 0123")],
        "",
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.header("www-authenticate"), Some("Bearer"));
    // A session cookie is not an API credential, nor a sign-in link's secret.
    let link = s.signin_link(Some(DEPT_B));
    let secret = link.rsplit('/').next().unwrap();
    assert_eq!(
        http(
            a,
            "GET",
            "/api/findings",
            &[("Authorization", &bearer(secret))],
            ""
        )
        .status,
        401
    );

    let list = http(
        a,
        "GET",
        "/api/findings",
        &[("Authorization", &bearer(&token_a))],
        "",
    );
    assert_eq!(list.status, 200);
    let list: Vec<serde_json::Value> = serde_json::from_str(&list.body).unwrap();
    assert!(!list.is_empty());
    for f in &list {
        assert_eq!(f["department"], DEPT_A, "{f}");
        for k in ["id", "rule", "url", "status"] {
            assert!(!f[k].is_null(), "{k} in {f}");
        }
    }
    let one = http(
        a,
        "GET",
        &format!("/api/findings/{id_a}"),
        &[("Authorization", &bearer(&token_a))],
        "",
    );
    assert_eq!(one.status, 200);
    let one: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(one["id"], id_a);
    assert_eq!(one["status"], "open");
    let other = http(
        a,
        "GET",
        &format!("/api/findings/{id_b}"),
        &[("Authorization", &bearer(&token_a))],
        "",
    );
    assert_eq!(other.status, 404, "another department's finding");
    assert!(!other.body.contains(DEPT_B));
    let all = http(
        a,
        "GET",
        "/api/findings",
        &[("Authorization", &bearer(&token_admin))],
        "",
    );
    let all: Vec<serde_json::Value> = serde_json::from_str(&all.body).unwrap();
    assert_eq!(all.len(), findings.len(), "the admin sees everything");

    // Wrong passwords: refused, then rate-limited per account (5 a minute).
    sign_in(a, &s.signin_link(Some(DEPT_A)));
    let page = http(a, "GET", "/login", &[], "");
    let token = page.cookie_value("gk_form").unwrap();
    let cookie = format!("gk_form={token}");
    let mut codes = Vec::new();
    for _ in 0..7 {
        let r = http(
            a,
            "POST",
            "/login",
            &[("Cookie", &cookie)],
            &form(&[
                ("csrf", &token),
                ("name", DEPT_A),
                ("password", "wrong password"),
            ]),
        );
        codes.push(r.status);
    }
    assert_eq!(&codes[..5], &[401; 5], "{codes:?}");
    assert_eq!(codes[6], 429, "{codes:?}");
    // Even the right password waits out the limit.
    let r = http(
        a,
        "POST",
        "/login",
        &[("Cookie", &cookie)],
        &form(&[
            ("csrf", &token),
            ("name", DEPT_A),
            ("password", "长期有效的密码123"),
        ]),
    );
    assert_eq!(r.status, 429);
    // A login without the form token is refused before the password is looked at.
    let r = http(
        a,
        "POST",
        "/login",
        &[],
        &form(&[("name", DEPT_B), ("password", "x")]),
    );
    assert_eq!(r.status, 403);
}
