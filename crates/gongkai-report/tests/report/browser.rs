//! The HTML report in a real browser: headless Chromium loads `index.html` from disk, driven
//! over the DevTools protocol (a minimal client on a WebSocket). Checks: no script errors or
//! console errors (a CSP hash mismatch would show here), filters hide non-matching rows, the
//! hostile titles are plain text and nothing they carry ran.

use crate::common::{sample, HOSTILE_IMG_TITLE, HOSTILE_SCRIPT_TITLE};
use gongkai_report::html;
use serde_json::{json, Value};
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

/// Opens `file` in a new tab; returns the DevTools session id once the page has loaded.
fn open(b: &mut Browser, file: &Path) -> String {
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

#[test]
fn report_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
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
