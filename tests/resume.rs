//! End-to-end: a scan killed with SIGKILL resumes with `--resume` and ends with exactly the pages
//! an uninterrupted scan stores.

mod support;

use gongkai_fixture::FixtureOptions;
use std::time::Duration;
use support::*;

#[test]
fn kill_9_then_resume_equals_an_uninterrupted_scan() {
    let portal = Portal::start(FixtureOptions {
        gen_pages: 150,
        ..FixtureOptions::default()
    });
    let start = format!("{}gen/index.html", portal.base());
    let dir = tempfile::tempdir().unwrap();

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
        "2023-04-20",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    let killed = dir.path().join("killed.db");
    let db = killed.to_str().unwrap();
    let mut child = gongkai()
        .args([
            "scan",
            &start,
            "--db",
            db,
            "--rate",
            "40",
            "--quiet",
            "--as-of",
            "2023-04-20",
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial = stored_fetches(&killed).len();
    assert!(partial > 0, "nothing stored before the kill");

    // A second kill during the resume, then a resume to the end.
    let mut child = gongkai()
        .args(["scan", "--resume", "--db", db, "--rate", "40", "--quiet"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    child.kill().unwrap();
    child.wait().unwrap();
    let out = run(&["scan", "--resume", "--db", db, "--rate", "0", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let a = stored_fetches(&full);
    let b = stored_fetches(&killed);
    assert!(partial < b.len(), "the kill came too late to test anything");
    let only_a: Vec<_> = a.difference(&b).take(5).collect();
    let only_b: Vec<_> = b.difference(&a).take(5).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "differ: only uninterrupted {only_a:?}; only resumed {only_b:?}"
    );

    let conn = open_db(&killed);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let status: String = conn
        .query_row("SELECT status FROM runs WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "completed");
}

#[test]
fn ctrl_c_stops_gracefully_and_resume_finishes() {
    let portal = Portal::start(FixtureOptions {
        gen_pages: 80,
        ..FixtureOptions::default()
    });
    let start = format!("{}gen/index.html", portal.base());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db_s = db.to_str().unwrap();
    let child = gongkai()
        .args([
            "scan",
            &start,
            "--db",
            db_s,
            "--rate",
            "20",
            "--quiet",
            "--as-of",
            "2023-04-20",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("--resume"), "{}", stderr(&out));
    {
        let conn = open_db(&db);
        let status: String = conn
            .query_row("SELECT status FROM runs WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(status, "interrupted");
    }
    let out = run(&["scan", "--resume", "--db", db_s, "--rate", "0", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = open_db(&db);
    let (status, findings): (String, i64) = conn
        .query_row(
            "SELECT status, (SELECT count(*) FROM findings WHERE run_id = 1) FROM runs WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(status, "completed");
    assert!(findings > 0);
}
