//! The HTML report in a real browser: headless Chromium loads `index.html` from disk, driven
//! over the DevTools protocol (a minimal client on a WebSocket). Checks: no script errors or
//! console errors (a CSP hash mismatch would show here), filters hide non-matching rows, the
//! hostile titles are plain text and nothing they carry ran.

use crate::common::{sample, HOSTILE_IMG_TITLE, HOSTILE_SCRIPT_TITLE};
use gongkai_report::html;
use gongkai_testkit::{chromium_available, problems, Browser, CHROMIUM};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

/// Opens `file` in a new tab; returns the DevTools session id once the page has loaded.
fn open(b: &mut Browser, file: &Path) -> String {
    let session = b.tab();
    let s = Some(session.as_str());
    // Record alert() calls instead of blocking on a dialog.
    b.call(
        s,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"}),
    );
    let url = format!("file://{}", file.display());
    let nav = b.call(s, "Page.navigate", json!({"url": url}));
    assert!(nav.get("errorText").is_none(), "navigation failed: {nav}");
    b.wait_event("Page.loadEventFired");
    session
}

#[test]
fn report_in_headless_chromium() {
    if !chromium_available() {
        println!(
            "SKIPPED report_in_headless_chromium: {CHROMIUM} not found \
             (apt-get install -y chromium)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("index.html");
    std::fs::write(&file, html::render(&sample())).unwrap();

    let mut b = Browser::launch();
    let s = open(&mut b, &file);

    let before = b.eval(
        &s,
        r#"(() => {
            const rows = [...document.querySelectorAll('#findings tbody tr')];
            return {
                rows: rows.length,
                visible: rows.filter(r => !r.hidden).length,
                shown: document.getElementById('shown-count').textContent,
                text: document.body.innerText,
                images: document.images.length,
                scripts: document.scripts.length,
                hrefs: [...document.querySelectorAll('a[href]')].map(a => a.href),
                alerts: window.__alerts,
            };
        })()"#,
    );
    let bad = problems(&b.events);
    assert!(bad.is_empty(), "errors while loading: {bad:#?}");
    assert_eq!(before["rows"], 6);
    assert_eq!(before["visible"], 6);
    assert_eq!(before["shown"], "6");
    let text = before["text"].as_str().unwrap();
    assert!(
        text.contains(HOSTILE_SCRIPT_TITLE),
        "script title shown as text"
    );
    assert!(text.contains(HOSTILE_IMG_TITLE), "img title shown as text");
    assert_eq!(before["images"], 0, "no <img> element was created");
    assert_eq!(before["scripts"], 1, "only the report's own script");
    for h in before["hrefs"].as_array().unwrap() {
        let h = h.as_str().unwrap();
        assert!(h.starts_with("https://") || h.starts_with("http://"), "{h}");
    }

    // Department filter.
    let after = b.eval(
        &s,
        r#"(() => {
            const sel = document.getElementById('f-dept');
            sel.value = '市教育局';
            sel.dispatchEvent(new Event('change', {bubbles: true}));
            const rows = [...document.querySelectorAll('#findings tbody tr')];
            const vis = rows.filter(r => !r.hidden && r.getClientRects().length > 0);
            return {
                visible: vis.length,
                depts: [...new Set(vis.map(r => r.dataset.dept))],
                hiddenShown: rows.filter(r => r.hidden && r.getClientRects().length > 0).length,
                shown: document.getElementById('shown-count').textContent,
            };
        })()"#,
    );
    assert_eq!(after["visible"], 2, "{after}");
    assert_eq!(after["depts"], json!(["市教育局"]));
    assert_eq!(after["hiddenShown"], 0, "hidden rows are not rendered");
    assert_eq!(after["shown"], "2");

    // Severity and status filters combine; reset shows everything again.
    let combined = b.eval(
        &s,
        r#"(() => {
            const set = (id, v) => { const s = document.getElementById(id); s.value = v;
                s.dispatchEvent(new Event('change', {bubbles: true})); };
            set('f-dept', '');
            set('f-severity', 'error');
            const errors = [...document.querySelectorAll('#findings tbody tr')].filter(r => !r.hidden).length;
            set('f-status', 'open');
            const openErrors = [...document.querySelectorAll('#findings tbody tr')].filter(r => !r.hidden).length;
            set('f-rule', 'link.broken');
            set('f-status', 'resolved');
            const resolved = [...document.querySelectorAll('#findings tbody tr')].filter(r => !r.hidden).length;
            document.getElementById('f-reset').click();
            const all = [...document.querySelectorAll('#findings tbody tr')].filter(r => !r.hidden).length;
            return {errors, openErrors, resolved, all, alerts: window.__alerts};
        })()"#,
    );
    assert_eq!(
        combined,
        json!({"errors": 3, "openErrors": 2, "resolved": 1, "all": 6, "alerts": []})
    );

    // Let any late handlers (image errors, timers) run, then check the event log.
    std::thread::sleep(Duration::from_millis(500));
    let alerts = b.eval(&s, "window.__alerts");
    assert_eq!(alerts, json!([]), "no alert fired");
    let bad = problems(&b.events);
    assert!(bad.is_empty(), "script errors or dialogs: {bad:#?}");
}
