//! Crash safety: SIGKILL at 20 random points of a scan, resuming each time, ends with exactly the
//! pages and findings of an uninterrupted scan; the database stays intact and readable meanwhile.

mod support;

use gongkai_fixture::FixtureOptions;
use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::*;

type Findings = BTreeSet<(String, String, Option<String>)>;

fn findings(db: &std::path::Path) -> Findings {
    let conn = open_db(db);
    let mut stmt = conn
        .prepare("SELECT rule, url, target FROM findings WHERE run_id = 1")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows
}

/// A small deterministic generator (xorshift), seeded from the clock and printed, so a failure
/// can be replayed with GONGKAI_CRASH_SEED.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn twenty_kills_then_resume_equal_an_uninterrupted_scan() {
    let portal = Portal::start(FixtureOptions {
        gen_pages: 120,
        ..FixtureOptions::default()
    });
    let start = format!("{}gen/index.html", portal.base());
    let dir = tempfile::tempdir().unwrap();
    let as_of = "2023-04-20";

    let full = dir.path().join("full.db");
    let out = run(&[
        "scan",
        &start,
        "--db",
        full.to_str().unwrap(),
        "--rate",
        "0",
        "--quiet",
        "--as-of",
        as_of,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    let seed = std::env::var("GONGKAI_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("GONGKAI_CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    let killed = dir.path().join("killed.db");
    let db = killed.to_str().unwrap();
    let mut kills = 0;
    let mut finished_early = false;
    for i in 0..20 {
        let mut args = vec!["scan", "--db", db, "--rate", "60", "--quiet"];
        // A kill can land before the first scan has begun its run (a slow start on a loaded
        // machine): there is nothing to resume yet, so the scan is started again.
        if i == 0 || !has_run(&killed) {
            args.extend([start.as_str(), "--as-of", as_of]);
        } else {
            args.push("--resume");
        }
        let mut child = gongkai()
            .args(&args)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(80 + rng.next() % 400));
        // A reader can query while the scan writes (WAL).
        if killed.exists() {
            if let Ok(conn) = rusqlite::Connection::open_with_flags(
                &killed,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            ) {
                let n: rusqlite::Result<i64> =
                    conn.query_row("SELECT count(*) FROM fetches", [], |r| r.get(0));
                if let Err(e) = n {
                    assert!(
                        !e.to_string().contains("locked"),
                        "reader blocked by the writer: {e}"
                    );
                }
            }
        }
        match child.try_wait().unwrap() {
            Some(status) => {
                // The scan finished before this kill point: nothing left to resume.
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                // A kill that landed after the run was marked completed leaves nothing to resume.
                assert!(
                    status.success() || err.contains("nothing to resume"),
                    "scan {i} failed: {err}"
                );
                finished_early = true;
                break;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
        }
    }
    if !finished_early {
        let out = run(&["scan", "--resume", "--db", db, "--rate", "0", "--quiet"]);
        assert!(
            out.status.success() || stderr(&out).contains("nothing to resume"),
            "{}",
            stderr(&out)
        );
    }
    assert!(kills >= 5, "only {kills} kills landed mid-scan");

    let (a, b) = (stored_fetches(&full), stored_fetches(&killed));
    let only_a: Vec<_> = a.difference(&b).take(5).collect();
    let only_b: Vec<_> = b.difference(&a).take(5).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "pages differ after {kills} kills: only uninterrupted {only_a:?}; only resumed {only_b:?}"
    );
    let (fa, fb) = (findings(&full), findings(&killed));
    assert!(!fa.is_empty());
    assert_eq!(fa, fb, "findings differ after {kills} kills");

    let conn = open_db(&killed);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let queued: i64 = conn
        .query_row(
            "SELECT count(*) FROM frontier WHERE run_id = 1 AND state = 'queued'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 0);
}

/// True when the database at `db` holds a run (a scan got as far as beginning it).
fn has_run(db: &std::path::Path) -> bool {
    rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("SELECT count(*) FROM runs", [], |r| r.get::<_, i64>(0)))
        .is_ok_and(|n| n > 0)
}
