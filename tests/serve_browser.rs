//! `gongkai serve` in headless Chromium, driven over the DevTools protocol (the same minimal
//! client as the report's browser test): a department signs in with its one-time link, sees only
//! its findings, asks for a recheck of a page fixed on the fixture server and sees it resolved,
//! asks for a waiver that the administrator then approves; a hostile page title shows as text;
//! no page logs an error (a CSP violation would).

mod serve_common;
mod support;

use gongkai_testkit::{chromium_available, problems, Browser, CHROMIUM};
use serde_json::json;
use serve_common::*;

/// Opens a tab; returns its DevTools session id.
fn tab(b: &mut Browser) -> String {
    b.tab()
}

/// Runs `expr` (a navigation, a click on a submit button) and waits for the next page load.
fn load(b: &mut Browser, s: &str, expr: &str) {
    b.events.retain(|e| e["method"] != "Page.loadEventFired");
    b.eval(s, expr);
    b.wait_event("Page.loadEventFired");
}

fn goto(b: &mut Browser, s: &str, url: &str) {
    load(b, s, &format!("location.href = {}; true", json!(url)));
}

fn path(b: &mut Browser, s: &str) -> String {
    b.eval(s, "location.pathname + location.search")
        .as_str()
        .unwrap()
        .to_string()
}

fn set_password(b: &mut Browser, s: &str) {
    load(
        b,
        s,
        r#"document.getElementById('password').value = '浏览器测试密码-2026';
           document.getElementById('password2').value = '浏览器测试密码-2026';
           document.querySelector('main form button[type=submit]').click(); true"#,
    );
}

#[test]
fn department_loop_in_headless_chromium() {
    if !chromium_available() {
        println!("SKIPPED department_loop_in_headless_chromium: {CHROMIUM} not found");
        return;
    }
    let served = Served::start();
    let findings = served.findings();
    let find = |url_end: &str, target_end: &str| {
        findings
            .iter()
            .find(|f| {
                f.2.ends_with(url_end) && f.3.as_deref().is_some_and(|t| t.ends_with(target_end))
            })
            .unwrap_or_else(|| panic!("no finding {url_end} -> {target_end}: {findings:?}"))
            .0
    };
    let fixed = find("/zjtz/index.html", "/gone/zjtz/gk2019.html");
    let waived = find("/hdjl/index.html", "nonexistent.invalid/");
    let link_a = served.signin_link(Some(DEPT_A));
    let link_admin = served.signin_link(None);
    let base = served.addr.clone();

    let mut b = Browser::launch();
    let s = tab(&mut b);

    // The department signs in with its link and lands on its list: only its own findings.
    goto(&mut b, &s, &link_a);
    set_password(&mut b, &s);
    assert_eq!(path(&mut b, &s), "/findings");
    let list = b.eval(
        &s,
        r#"(() => {
            const rows = [...document.querySelectorAll('#findings tr[data-status]')];
            return {
                depts: [...new Set(rows.map(r => r.cells[3].textContent))],
                ids: rows.map(r => r.cells[0].textContent),
                who: document.getElementById('who').textContent,
            };
        })()"#,
    );
    assert_eq!(list["depts"], json!([DEPT_A]), "{list}");
    assert_eq!(list["who"], DEPT_A);
    let expected = findings.iter().filter(|f| f.1 == DEPT_A).count();
    assert_eq!(list["ids"].as_array().unwrap().len(), expected, "{list}");

    // The finding's page: the hostile title is text; nothing it carries exists or ran.
    goto(&mut b, &s, &format!("{base}/findings/{fixed}"));
    let page = b.eval(
        &s,
        r#"(() => ({
            title: document.getElementById('page-title').textContent,
            injected: document.querySelectorAll('#page-title *').length,
            images: document.images.length,
            scripts: document.scripts.length,
            pwned: window.__pwned === undefined ? null : window.__pwned,
            status: document.getElementById('status').className,
        }))()"#,
    );
    assert_eq!(
        page,
        json!({"title": HOSTILE_TITLE, "injected": 0, "images": 0, "scripts": 0,
               "pwned": null, "status": "open"})
    );

    // The department fixes the page on the portal and asks for a recheck: resolved at once.
    served
        .portal
        .server
        .set_file("zjtz/index.html", Some(&zjtz_page(false)));
    load(
        &mut b,
        &s,
        "document.getElementById('recheck').click(); true",
    );
    let after = b.eval(
        &s,
        r#"(() => ({
            status: document.getElementById('status').className,
            message: document.getElementById('recheck-message').textContent,
            audit: document.getElementById('audit').textContent,
        }))()"#,
    );
    assert_eq!(after["status"], "resolved", "{after}");
    assert!(
        after["message"].as_str().unwrap().contains("复核通过"),
        "{after}"
    );
    assert!(
        after["audit"].as_str().unwrap().contains("申请复核"),
        "{after}"
    );
    let recheck_fetches = served
        .portal
        .requests()
        .iter()
        .filter(|r| r.path == "/zjtz/index.html")
        .count();
    assert!(recheck_fetches >= 2, "the page was fetched again");

    // A waiver for a finding outside the department's control.
    goto(&mut b, &s, &format!("{base}/findings/{waived}"));
    load(
        &mut b,
        &s,
        r#"document.getElementById('reason').value = '该链接指向外部单位系统，非本单位维护';
           document.getElementById('ask-waiver').click(); true"#,
    );
    let w = b.eval(&s, "document.getElementById('waivers').textContent");
    assert!(w.as_str().unwrap().contains("待审批"), "{w}");

    // Sign out; the administrator signs in and approves.
    load(
        &mut b,
        &s,
        "document.querySelector('header form button').click(); true",
    );
    assert_eq!(path(&mut b, &s), "/login");
    goto(&mut b, &s, &link_admin);
    set_password(&mut b, &s);
    goto(&mut b, &s, &format!("{base}/waivers"));
    load(
        &mut b,
        &s,
        "document.querySelector('button[value=approve]').click(); true",
    );
    assert_eq!(path(&mut b, &s), "/waivers");
    goto(&mut b, &s, &format!("{base}/findings/{waived}"));
    let st = b.eval(&s, "document.getElementById('status').className");
    assert_eq!(st, "waived");
    // Waived findings stay out of the list unless asked for.
    let href = format!("/findings/{waived}");
    let q = url::form_urlencoded::byte_serialize(DEPT_A.as_bytes()).collect::<String>();
    goto(&mut b, &s, &format!("{base}/findings?department={q}"));
    let shown = b.eval(
        &s,
        &format!("!!document.querySelector('a[href=\"{href}\"]')"),
    );
    assert_eq!(shown, json!(false));
    goto(
        &mut b,
        &s,
        &format!("{base}/findings?department={q}&status=waived"),
    );
    let shown = b.eval(
        &s,
        &format!("!!document.querySelector('a[href=\"{href}\"]')"),
    );
    assert_eq!(shown, json!(true));

    let bad = problems(&b.events);
    assert!(bad.is_empty(), "errors in the pages: {bad:#?}");
}
