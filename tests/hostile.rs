//! End-to-end: the real `gongkai scan` against hostile servers (`gongkai_fixture::hostile`).
//!
//! Every scan runs under a watchdog and must finish in bounded time with exit code 0 (no panic),
//! classify each misbehaviour into its outcome, keep stored bodies under the cap and its memory
//! bounded, and stay polite (retries bounded and spaced, the per-host rate and Retry-After
//! honoured). Timeouts are shortened by the site config (`timeout_secs = 3`,
//! `connect_timeout_secs = 2`) to keep the suite fast.

mod support;

#[path = "hostile/markup.rs"]
mod markup;
#[path = "hostile/redirects.rs"]
mod redirects;
#[path = "hostile/storm.rs"]
mod storm;
#[path = "hostile/transport.rs"]
mod transport;
#[path = "hostile/traps.rs"]
mod traps;

use gongkai_fixture::hostile::{HostileOptions, HostileServer};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::{open_db, run_bounded, Bounded};

/// Body cap for crawled HTML pages (the crawler's default `html_cap`).
pub const HTML_CAP: i64 = 10 * 1024 * 1024;
/// `timeout_secs` in the test config.
pub const TIMEOUT_SECS: u64 = 3;

/// Hostile servers on their own runtime, and a directory for configs and databases.
pub struct Lab {
    rt: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
    scans: AtomicUsize,
}

impl Lab {
    pub fn start() -> Lab {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        Lab {
            rt,
            dir: tempfile::tempdir().expect("temp dir"),
            scans: AtomicUsize::new(0),
        }
    }

    pub fn server(&self, opts: HostileOptions) -> HostileServer {
        self.rt
            .block_on(HostileServer::start(opts))
            .expect("hostile server starts")
    }

    pub fn plain(&self) -> HostileServer {
        self.server(HostileOptions::default())
    }

    /// A site.toml with short timeouts; `crawl_extra` lines go into `[crawl]`.
    pub fn config(&self, crawl_extra: &str) -> PathBuf {
        let n = self.scans.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.path().join(format!("site-{n}.toml"));
        let text = format!(
            "[site]\nname = \"hostile\"\ncontact = \"mailto:test@example.org\"\n\n[crawl]\n\
             timeout_secs = {TIMEOUT_SECS}\nconnect_timeout_secs = 2\n{crawl_extra}\n"
        );
        std::fs::write(&path, text).expect("write config");
        path
    }

    /// `gongkai scan URLS --db … --config … --quiet --as-of 2023-04-20 EXTRA`, under a watchdog.
    pub fn scan(
        &self,
        urls: &[String],
        crawl_extra: &str,
        extra: &[&str],
        budget: Duration,
    ) -> Scan {
        let cfg = self.config(crawl_extra);
        let n = self.scans.fetch_add(1, Ordering::Relaxed);
        let db = self.dir.path().join(format!("scan-{n}.db"));
        let mut args: Vec<&str> = vec!["scan"];
        args.extend(urls.iter().map(String::as_str));
        let (db_s, cfg_s) = (db.to_str().unwrap(), cfg.to_str().unwrap());
        args.extend([
            "--db",
            db_s,
            "--config",
            cfg_s,
            "--quiet",
            "--as-of",
            "2023-04-20",
        ]);
        args.extend_from_slice(extra);
        let run = run_bounded(&args, budget);
        Scan { run, db }
    }
}

/// A finished scan and its database.
pub struct Scan {
    pub run: Bounded,
    pub db: PathBuf,
}

/// One row of `fetches` (latest run), with the stored body's length.
#[derive(Debug, Clone)]
pub struct Fetch {
    pub url: String,
    pub method: String,
    pub purpose: String,
    pub outcome: String,
    pub status: Option<i64>,
    pub final_url: String,
    pub redirects: String,
    pub body_truncated: bool,
    pub title: Option<String>,
    pub error: Option<String>,
    pub attempts: i64,
    pub elapsed_ms: i64,
    pub body_len: Option<i64>,
    pub has_model: bool,
}

const FETCH_COLUMNS: &str = "f.url, f.method, f.purpose, f.outcome, f.status, f.final_url, \
    f.redirects, f.body_truncated, f.title, f.error, f.attempts, f.elapsed_ms, b.raw_len, \
    f.model IS NOT NULL";

impl Scan {
    /// Asserts the run ended by itself, with exit code 0, no panic, and a completed run row.
    pub fn assert_completed(&self) {
        self.assert_ended("completed");
    }

    /// Like [`Scan::assert_completed`] for a run a crawl limit cut short (status `partial`).
    pub fn assert_partial(&self) {
        self.assert_ended("partial");
    }

    /// The number of URLs the run did not crawl for `reason` (its coverage record).
    pub fn not_fetched(&self, reason: &str) -> i64 {
        let coverage: String = self
            .conn()
            .query_row(
                "SELECT coverage FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("coverage recorded");
        let v: serde_json::Value = serde_json::from_str(&coverage).expect("coverage JSON");
        v["not_fetched"][reason].as_i64().unwrap_or(0)
    }

    fn assert_ended(&self, want: &str) {
        let r = &self.run;
        assert!(
            !r.killed,
            "scan did not end within its budget: killed after {:?}\n{}",
            r.elapsed, r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "panic:\n{}", r.stderr);
        assert_eq!(
            r.status.and_then(|s| s.code()),
            Some(0),
            "exit status {:?}\nstderr:\n{}",
            r.status,
            r.stderr
        );
        let status: String = self
            .conn()
            .query_row(
                "SELECT status FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("run row");
        assert_eq!(status, want);
    }

    pub fn conn(&self) -> rusqlite::Connection {
        open_db(&self.db)
    }

    /// Every fetch of the latest run whose URL matches the SQL LIKE `pattern`.
    pub fn fetches_like(&self, pattern: &str) -> Vec<Fetch> {
        self.fetches_where("f.url LIKE ?1", pattern)
    }

    fn fetches_where(&self, cond: &str, param: &str) -> Vec<Fetch> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {FETCH_COLUMNS} FROM fetches f LEFT JOIN bodies b ON b.sha256 = f.body_sha256 \
             WHERE f.run_id = (SELECT max(id) FROM runs) AND {cond} ORDER BY f.id"
        );
        let mut stmt = conn.prepare(&sql).expect("prepare");
        let rows = stmt
            .query_map([param], |r| {
                Ok(Fetch {
                    url: r.get(0)?,
                    method: r.get(1)?,
                    purpose: r.get(2)?,
                    outcome: r.get(3)?,
                    status: r.get(4)?,
                    final_url: r.get(5)?,
                    redirects: r.get(6)?,
                    body_truncated: r.get::<_, i64>(7)? != 0,
                    title: r.get(8)?,
                    error: r.get(9)?,
                    attempts: r.get(10)?,
                    elapsed_ms: r.get(11)?,
                    body_len: r.get(12)?,
                    has_model: r.get(13)?,
                })
            })
            .expect("query");
        rows.map(|r| r.expect("row")).collect()
    }

    /// The fetch of exactly `url`, if any.
    pub fn try_fetch(&self, url: &str) -> Option<Fetch> {
        self.fetches_where("f.url = ?1", url).into_iter().next()
    }

    /// The fetch of exactly `url`, panicking with the stored URLs when missing.
    pub fn fetch(&self, url: &str) -> Fetch {
        self.try_fetch(url).unwrap_or_else(|| {
            let urls: Vec<String> = self.fetches_like("%").into_iter().map(|f| f.url).collect();
            panic!("{url} not fetched; fetched: {urls:#?}")
        })
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// Checks every `(url, outcome)` pair and reports all mismatches at once.
pub fn assert_outcomes(scan: &Scan, expect: &[(String, &str)]) {
    let mut wrong = Vec::new();
    for (url, want) in expect {
        match scan.try_fetch(url).as_ref() {
            Some(f) if f.outcome == *want => {}
            Some(f) => wrong.push(format!(
                "{url}: want {want}, got {} (status {:?}, error {:?})",
                f.outcome, f.status, f.error
            )),
            None => wrong.push(format!("{url}: want {want}, not fetched")),
        }
    }
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
}
