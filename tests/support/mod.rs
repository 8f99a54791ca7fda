//! Shared helpers for the end-to-end tests: the fixture server on loopback, the real binary, and
//! read access to the database it writes.
#![allow(dead_code)]

use gongkai_fixture::{FixtureOptions, FixtureServer, RequestLogEntry};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture portal served on 127.0.0.1 for the duration of a test.
pub struct Portal {
    pub server: FixtureServer,
    rt: tokio::runtime::Runtime,
}

impl Portal {
    pub fn start(opts: FixtureOptions) -> Portal {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = rt
            .block_on(FixtureServer::start(opts))
            .expect("fixture server starts");
        Portal { server, rt }
    }

    pub fn base(&self) -> String {
        self.server.base_url()
    }

    pub fn requests(&self) -> Vec<RequestLogEntry> {
        self.server.requests()
    }
}

/// The `gongkai` binary under test.
pub fn gongkai() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.env("RUST_LOG", "warn");
    // Failed requests are tried again at the end of a scan without the real scans' pause.
    cmd.env("GONGKAI_RECHECK_PAUSE_SECS", "0");
    cmd
}

pub fn run(args: &[&str]) -> Output {
    gongkai().args(args).output().expect("gongkai runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A site.toml for the fixture: the real external hosts of the footer cannot be reached offline,
/// so they are excluded as a real office would exclude hosts it does not want checked.
pub fn fixture_config(dir: &Path) -> PathBuf {
    let mut exclude = Vec::new();
    for host in gongkai_fixture::EXTERNAL_HOSTS {
        exclude.push(format!("\"http://{host}/\""));
        exclude.push(format!("\"https://{host}/\""));
    }
    let text = format!(
        "[site]\nname = \"滕州市人民政府 (fixture)\"\ncontact = \"mailto:test@example.org\"\nexclude = [{}]\n",
        exclude.join(", ")
    );
    let path = dir.join("site.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

pub fn open_db(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open db")
}

/// `gongkai scan START --db DB --config CFG --as-of DEMO_AS_OF`.
fn scan_base(start: &str, db: &Path, cfg: &Path) -> Command {
    let mut c = gongkai();
    c.args([
        "scan",
        start,
        "--db",
        db.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--as-of",
        gongkai_fixture::DEMO_AS_OF,
    ]);
    c
}

/// `gongkai scan START --db DB --config CFG --as-of DEMO_AS_OF --rate 0`, the scan most tests
/// run, for them to add their own arguments and environment to.
pub fn scan_command(start: &str, db: &Path, cfg: &Path) -> Command {
    let mut c = scan_base(start, db, cfg);
    c.args(["--rate", "0"]);
    c
}

/// Scans the fixture portal into `db` with the given extra arguments; asserts success.
pub fn scan_fixture(portal: &Portal, dir: &Path, db: &Path, extra: &[&str]) -> Output {
    let cfg = fixture_config(dir);
    let out = scan_base(&portal.base(), db, &cfg)
        .arg("--quiet")
        .args(extra)
        .output()
        .expect("gongkai runs");
    assert!(
        out.status.success(),
        "scan failed: {}\n{}",
        stderr(&out),
        stdout(&out)
    );
    out
}

/// A run of the binary under a watchdog: killed when it outlives its budget, with its peak
/// resident memory sampled from `/proc` while it runs.
#[derive(Debug)]
pub struct Bounded {
    /// None when the watchdog killed it.
    pub status: Option<std::process::ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: std::time::Duration,
    /// Highest `VmHWM` seen in `/proc/<pid>/status` (KiB; 0 where /proc is missing).
    pub peak_rss_kib: u64,
    pub killed: bool,
}

/// Runs `gongkai args…`, killing it after `budget`.
pub fn run_bounded(args: &[&str], budget: std::time::Duration) -> Bounded {
    use std::io::Read;
    use std::process::Stdio;
    let start = std::time::Instant::now();
    let mut child = gongkai()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gongkai starts");
    let pid = child.id();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let err = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let mut peak = 0;
    let mut killed = false;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for gongkai") {
            break Some(st);
        }
        peak = peak.max(peak_rss_kib(pid));
        if start.elapsed() > budget {
            let _ = child.kill();
            let _ = child.wait();
            killed = true;
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    Bounded {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        elapsed,
        peak_rss_kib: peak,
        killed,
    }
}

/// `VmHWM` (peak resident set) of a running process in KiB, 0 when unknown.
pub fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// (method, url, outcome, status) of every fetch of run 1: what two scans must agree on.
pub fn stored_fetches(
    db: &Path,
) -> std::collections::BTreeSet<(String, String, String, Option<i64>)> {
    let conn = open_db(db);
    let mut stmt = conn
        .prepare("SELECT method, url, outcome, status FROM fetches WHERE run_id = 1")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows
}
