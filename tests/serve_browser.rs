//! `gongkai serve` in headless Chromium, driven over the DevTools protocol (the same minimal
//! client as the report's browser test): a department signs in with its one-time link, sees only
//! its findings, asks for a recheck of a page fixed on the fixture server and sees it resolved,
//! asks for a waiver that the administrator then approves; a hostile page title shows as text;
//! no page logs an error (a CSP violation would).

mod serve_common;
mod support;

use serde_json::{json, Value};
use serve_common::*;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

const CHROMIUM: &str = "/usr/bin/chromium";
const TIMEOUT: Duration = Duration::from_secs(60);

struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        // Chromium prints "DevTools listening on ws://…" on stderr; keep draining it after.
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("ws://") {
                    let _ = tx.send(line[i..].trim().to_string());
                }
            }
        });
        let Ok(url) = rx.recv_timeout(TIMEOUT) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium printed no DevTools address");
        };
        let addr = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let stream = TcpStream::connect(&addr).expect("connect to DevTools");
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let (ws, _) = tungstenite::client(url.as_str(), stream).expect("WebSocket handshake");
        Browser {
            child,
            ws,
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        }
    }

    fn read(&mut self) -> Value {
        loop {
            match self.ws.read().expect("read DevTools message") {
                Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
                Message::Close(_) => panic!("DevTools closed the connection"),
                _ => {}
            }
        }
    }

    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(Instant::now() < deadline, "{method}: no answer");
            let m = self.read();
            if m["id"] == json!(id) {
                if let Some(e) = m.get("error") {
                    panic!("{method} failed: {e}");
                }
                return m["result"].clone();
            }
            if m.get("method").is_some() {
                self.events.push(m);
            }
        }
    }

    fn wait_event(&mut self, method: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.events.iter().any(|e| e["method"] == method) {
            assert!(Instant::now() < deadline, "no {method} event");
            let m = self.read();
            if m.get("method").is_some() {
                self.events.push(m);
            }
        }
    }

    /// Evaluates `expr` in the page and returns its (JSON) value; a thrown error fails.
    fn eval(&mut self, session: &str, expr: &str) -> Value {
        let r = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(ex) = r.get("exceptionDetails") {
            panic!("evaluation failed: {ex}");
        }
        r["result"]["value"].clone()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.next_id += 1;
        let close = json!({"id": self.next_id, "method": "Browser.close"});
        let _ = self.ws.send(Message::text(close.to_string()));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn problems(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| {
            let m = e["method"].as_str().unwrap_or("");
            m == "Runtime.exceptionThrown"
                || m == "Page.javascriptDialogOpening"
                || (m == "Log.entryAdded" && e["params"]["entry"]["level"] == "error")
                || (m == "Runtime.consoleAPICalled"
                    && matches!(e["params"]["type"].as_str(), Some("error" | "assert")))
        })
        .map(|e| e.to_string())
        .collect()
}

/// Opens a tab; returns its DevTools session id.
fn tab(b: &mut Browser) -> String {
    let target = b.call(None, "Target.createTarget", json!({"url": "about:blank"}));
    let target_id = target["targetId"].as_str().unwrap().to_string();
    let attached = b.call(
        None,
        "Target.attachToTarget",
        json!({"targetId": target_id, "flatten": true}),
    );
    let session = attached["sessionId"].as_str().unwrap().to_string();
    let s = Some(session.as_str());
    b.call(s, "Page.enable", json!({}));
    b.call(s, "Runtime.enable", json!({}));
    b.call(s, "Log.enable", json!({}));
    session
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
    if !Path::new(CHROMIUM).exists() {
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
