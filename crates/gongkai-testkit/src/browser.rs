//! A headless Chromium and a minimal DevTools protocol client.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// Where the tests expect Chromium (`apt-get install -y chromium`).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long any one DevTools exchange may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// True when [`CHROMIUM`] exists; browser tests print SKIPPED and return otherwise.
pub fn chromium_available() -> bool {
    Path::new(CHROMIUM).exists()
}

/// A running headless Chromium with one DevTools connection; closed (or killed) on drop.
pub struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    /// Every protocol event received so far (console messages, exceptions, load events …).
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium with a fresh profile and connects to its DevTools endpoint.
    ///
    /// # Panics
    /// When Chromium cannot be started or prints no DevTools address within a minute.
    pub fn launch() -> Browser {
        let profile = tempfile::tempdir().expect("profile directory");
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
        let stderr = child.stderr.take().expect("piped stderr");
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
            .unwrap_or_default()
            .to_string();
        let stream = TcpStream::connect(&addr).expect("connect to DevTools");
        stream
            .set_read_timeout(Some(TIMEOUT))
            .expect("set read timeout");
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
                Message::Text(t) => {
                    return serde_json::from_str(t.as_str()).expect("DevTools JSON");
                }
                Message::Close(_) => panic!("DevTools closed the connection"),
                _ => {}
            }
        }
    }

    /// Calls a protocol method (on a tab's `session`, or on the browser) and returns its result;
    /// events arriving meanwhile are kept in [`Browser::events`].
    ///
    /// # Panics
    /// When the method fails or does not answer in time.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .expect("send DevTools message");
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

    /// Waits until an event named `method` has been received (possibly already).
    pub fn wait_event(&mut self, method: &str) {
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
    pub fn eval(&mut self, session: &str, expr: &str) -> Value {
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

    /// Opens a blank tab with the Page, Runtime and Log domains enabled; returns its session id.
    pub fn tab(&mut self) -> String {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap_or_default().to_string();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        let session = attached["sessionId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let s = Some(session.as_str());
        self.call(s, "Page.enable", json!({}));
        self.call(s, "Runtime.enable", json!({}));
        self.call(s, "Log.enable", json!({}));
        session
    }
}

impl Browser {
    /// Opens `url` (e.g. `file:///…/index.html`) in a new tab and waits for its load event;
    /// returns the tab's session id.
    ///
    /// # Panics
    /// When the navigation fails or the page does not load within the timeout.
    pub fn open(&mut self, url: &str) -> String {
        let session = self.tab();
        self.events.retain(|e| e["method"] != "Page.loadEventFired");
        let nav = self.call(Some(&session), "Page.navigate", json!({ "url": url }));
        assert!(nav.get("errorText").is_none(), "navigation failed: {nav}");
        self.wait_event("Page.loadEventFired");
        session
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

/// The events that mean something went wrong in a page: exceptions, dialogs, errors logged to
/// the console or the log (a Content-Security-Policy violation shows here).
pub fn problems(events: &[Value]) -> Vec<String> {
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
        .map(ToString::to_string)
        .collect()
}
