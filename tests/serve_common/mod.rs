//! Shared setup of the `gongkai serve` tests: the fixture portal scanned with two departments,
//! accounts made with `gongkai account`, the server running as a child process, and a minimal
//! HTTP/1.1 client (one request per connection) that shows raw headers.
#![allow(dead_code)]

use crate::support::*;
use gongkai_fixture::FixtureOptions;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

/// The department the fixture's broken links on pages without a publisher go to (/zjtz/,
/// /hdjl/ ...): the 主办单位 the portal's footer states.
pub const DEPT_A: &str = "滕州市人民政府办公室";
/// The 发布机构 of the fixture's housing documents and interpretations.
pub const DEPT_B: &str = "滕州市住房和城乡建设局";
/// The title planted on /zjtz/index.html: must show as text, never run.
pub const HOSTILE_TITLE: &str =
    "走进滕州<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">";

pub struct Served {
    pub portal: Portal,
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config: PathBuf,
    /// `http://127.0.0.1:PORT` of `gongkai serve`.
    pub addr: String,
    child: Child,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// /zjtz/index.html with the hostile title, with or without its broken link (410).
pub fn zjtz_page(with_broken_link: bool) -> String {
    let page = String::from_utf8(
        gongkai_fixture::portal_file("zjtz/index.html")
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    let title = HOSTILE_TITLE.replace('<', "&lt;").replace('>', "&gt;");
    let page = page.replace(
        "<title>走进滕州_滕州市人民政府</title>",
        &format!("<title>{title}</title>"),
    );
    if with_broken_link {
        page
    } else {
        page.replace("/gone/zjtz/gk2019.html", "/zwgk/index.html")
    }
}

impl Served {
    /// Scans the fixture (with the hostile title) and starts `gongkai serve`.
    pub fn start() -> Served {
        let portal = Portal::start(FixtureOptions::default());
        portal
            .server
            .set_file("zjtz/index.html", Some(&zjtz_page(true)));
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("serve.db");
        let base = portal.base();
        let mut exclude = Vec::new();
        for host in gongkai_fixture::EXTERNAL_HOSTS {
            exclude.push(format!("\"http://{host}/\""));
            exclude.push(format!("\"https://{host}/\""));
        }
        let config = dir.path().join("site.toml");
        std::fs::write(
            &config,
            format!(
                "[site]\nname = \"fixture\"\nexclude = [{}]\n",
                exclude.join(", ")
            ),
        )
        .unwrap();
        let out = run(&[
            "scan",
            &base,
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--as-of",
            gongkai_fixture::DEMO_AS_OF,
            "--rate",
            "0",
            "--quiet",
        ]);
        assert!(out.status.success(), "scan: {}", stderr(&out));
        let mut child = gongkai()
            .args([
                "serve",
                "--db",
                db.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .args(["--config", config.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start gongkai serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Served {
            portal,
            dir,
            db,
            config,
            addr,
            child,
        }
    }

    fn account(&self, action: &str, who: &[&str]) -> String {
        let mut args = vec!["account", action, "--db", self.db.to_str().unwrap()];
        args.extend_from_slice(who);
        if action == "add" {
            args.extend_from_slice(&["--base-url", &self.addr]);
        }
        let out = run(&args);
        assert!(out.status.success(), "account: {}", stderr(&out));
        stdout(&out).lines().last().unwrap().trim().to_string()
    }

    /// A one-time sign-in link for a department (`Some`) or the admin (`None`).
    pub fn signin_link(&self, dept: Option<&str>) -> String {
        match dept {
            Some(d) => self.account("add", &["--department", d]),
            None => self.account("add", &["--admin"]),
        }
    }

    /// An API token for a department (`Some`) or the admin (`None`).
    pub fn api_token(&self, dept: Option<&str>) -> String {
        match dept {
            Some(d) => self.account("token", &["--department", d]),
            None => self.account("token", &["--admin"]),
        }
    }

    /// Finding ids of the latest run per department: (id, department, url, target).
    pub fn findings(&self) -> Vec<(i64, String, String, Option<String>)> {
        let conn = open_db(&self.db);
        let mut stmt = conn
            .prepare(
                "SELECT id, department, url, target FROM findings
                 WHERE run_id = (SELECT max(run_id) FROM findings) ORDER BY id",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        rows.map(Result::unwrap).collect()
    }
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name=value` of a Set-Cookie for `name`, with its attributes.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.as_str())
            .find(|v| v.starts_with(&format!("{name}=")))
    }

    /// Value of the cookie `name` set by this answer.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        let c = self.set_cookie(name)?;
        Some(c.split(';').next()?.split_once('=')?.1.to_string())
    }

    /// The value of the first hidden `csrf` input.
    pub fn csrf(&self) -> Option<String> {
        let i = self.body.find("name=\"csrf\" value=\"")?;
        let rest = &self.body[i + "name=\"csrf\" value=\"".len()..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// Sends one request (Connection: close) and reads the whole answer.
pub fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let host = addr.trim_start_matches("http://");
    let mut s = TcpStream::connect(host).expect("connect to gongkai serve");
    s.set_read_timeout(Some(Duration::from_secs(150))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Form-encodes pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Uses a sign-in link over HTTP; returns the session cookie header value (`gk_session=…`).
pub fn sign_in(addr: &str, link: &str) -> String {
    let path = link.trim_start_matches(addr);
    let page = http(addr, "GET", path, &[], "");
    assert_eq!(page.status, 200, "{}", page.body);
    let form_cookie = page.cookie_value("gk_form").expect("form cookie");
    let csrf = page.csrf().expect("csrf field");
    assert_eq!(csrf, form_cookie);
    let cookie = format!("gk_form={form_cookie}");
    let done = http(
        addr,
        "POST",
        path,
        &[("Cookie", &cookie)],
        &form(&[
            ("csrf", &csrf),
            ("password", "长期有效的密码123"),
            ("password2", "长期有效的密码123"),
        ]),
    );
    assert_eq!(done.status, 303, "{}", done.body);
    format!(
        "gk_session={}",
        done.cookie_value("gk_session").expect("session cookie")
    )
}
