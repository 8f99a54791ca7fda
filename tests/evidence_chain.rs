//! End-to-end: sealed, chained runs. An untouched database verifies; each kind of tampering is
//! detected and named; `check` and resumes seal; the log lists the chain and exposes rewrites.
//! Finding bundles: `evidence_bundle.rs`.

mod support;

use gongkai_evidence::{Manifest, OfficeKey};
use gongkai_fixture::FixtureOptions;
use rusqlite::params;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::*;

/// Two completed scans of the fixture, sealed with the key beside the database. Built once;
/// each test tampers with its own copy.
fn sealed_db() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, db) = DB.get_or_init(|| {
        let portal = Portal::start(FixtureOptions::default());
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("g.db");
        let first = scan_fixture(
            &portal,
            dir.path(),
            &db,
            &["--rate", "0", "--max-pages", "60"],
        );
        assert!(
            stderr(&first).contains("public key"),
            "first use creates the key and prints its public half: {}",
            stderr(&first)
        );
        scan_fixture(
            &portal,
            dir.path(),
            &db,
            &["--rate", "0", "--max-pages", "60"],
        );
        (dir, db)
    });
    db
}

/// A private copy of the sealed database and its key files.
fn copy() -> (tempfile::TempDir, PathBuf) {
    let src = sealed_db();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    for suffix in ["", "-wal", ".ed25519", ".ed25519.pub"] {
        let from = PathBuf::from(format!("{}{suffix}", src.display()));
        if from.exists() {
            std::fs::copy(&from, PathBuf::from(format!("{}{suffix}", db.display()))).unwrap();
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = PathBuf::from(format!("{}.ed25519", db.display()));
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    (dir, db)
}

fn rw(db: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    c
}

/// Runs `evidence verify`; asserts it fails (exit 1) and returns its stdout.
fn verify_fails(db: &Path) -> String {
    let out = run(&["evidence", "verify", "--db", db.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

fn verify_ok(db: &Path) -> String {
    let out = run(&["evidence", "verify", "--db", db.to_str().unwrap()]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    stdout(&out)
}

#[test]
fn untouched_database_verifies_and_logs_its_chain() {
    let (_dir, db) = copy();
    let out = verify_ok(&db);
    assert!(
        out.contains("all holds") && out.contains("2 manifests"),
        "{out}"
    );
    let out = run(&["evidence", "log", "--db", db.to_str().unwrap()]);
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 2, "{text}");
    for (i, line) in lines.iter().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols[0], (i + 1).to_string());
        assert_eq!(cols[1], (i + 1).to_string(), "run id");
        assert_eq!(cols[3].len(), 64, "manifest sha256");
        assert_eq!(cols[4].len(), 128, "signature");
    }
    // The published key in the log is the key file's public half.
    let public = std::fs::read_to_string(format!("{}.ed25519.pub", db.display())).unwrap();
    assert!(text.contains(public.trim()), "{text}");
}

#[test]
fn check_reseals_and_the_chain_grows() {
    let (_dir, db) = copy();
    let db_s = db.to_str().unwrap();
    let out = run(&["check", "--db", db_s, "--run", "1", "--as-of", "2024-01-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = verify_ok(&db);
    assert!(out.contains("3 manifests"), "{out}");
    let c = open_db(&db);
    let (seq, run): (i64, i64) = c
        .query_row(
            "SELECT seq, run_id FROM manifests ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((seq, run), (3, 1));
}

#[test]
fn one_byte_of_a_body_is_named_with_its_fetch() {
    let (_dir, db) = copy();
    let c = rw(&db);
    let (sha, data): (String, Vec<u8>) = c
        .query_row(
            "SELECT b.sha256, b.data FROM bodies b JOIN fetches f ON f.body_sha256 = b.sha256
             WHERE f.run_id = 2 AND b.raw_len > 10
             ORDER BY b.compression = 'none' DESC, b.sha256 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut data = data;
    let mid = data.len() / 2;
    data[mid] ^= 0x20;
    c.execute(
        "UPDATE bodies SET data = ?1 WHERE sha256 = ?2",
        params![data, sha],
    )
    .unwrap();
    let fetch: i64 = c
        .query_row(
            "SELECT min(id) FROM fetches WHERE body_sha256 = ?1",
            [&sha],
            |r| r.get(0),
        )
        .unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(
        out.contains(&format!("body altered: sha256 {sha}")),
        "{out}"
    );
    assert!(out.contains(&format!("fetch #{fetch} ")), "{out}");
}

#[test]
fn an_edited_fetch_status_is_named() {
    let (_dir, db) = copy();
    let c = rw(&db);
    let id: i64 = c
        .query_row(
            "SELECT id FROM fetches WHERE run_id = 1 AND status = 404 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    c.execute(
        "UPDATE fetches SET status = 200, outcome = 'ok' WHERE id = ?1",
        [id],
    )
    .unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(out.contains(&format!("run 1: fetch #{id} edited")), "{out}");
    assert_eq!(out.lines().count(), 1, "only that fetch is named: {out}");
}

#[test]
fn a_deleted_finding_is_named() {
    let (_dir, db) = copy();
    let c = rw(&db);
    let (id, fp): (i64, String) = c
        .query_row(
            "SELECT id, fingerprint FROM findings WHERE run_id = 2 ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.execute("DELETE FROM findings WHERE id = ?1", [id])
        .unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(
        out.contains(&format!("run 2: finding {fp} deleted")),
        "{out}"
    );
}

#[test]
fn an_inserted_finding_is_named() {
    let (_dir, db) = copy();
    let c = rw(&db);
    c.execute(
        "INSERT INTO findings (run_id, rule, severity, url, target, department, ledger, message,
                               evidence, fingerprint, fetch_id)
         SELECT run_id, rule, severity, url, target, department, ledger, message || '（补）',
                evidence, 'feedfacefeedfacefeedface', fetch_id
         FROM findings WHERE run_id = 1 ORDER BY id LIMIT 1",
        [],
    )
    .unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(
        out.contains("run 1: finding feedfacefeedfacefeedface inserted"),
        "{out}"
    );
}

#[test]
fn a_deleted_run_is_named() {
    let (_dir, db) = copy();
    let c = rw(&db);
    c.execute_batch("PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = 1;")
        .unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(
        out.contains("run 1 (sealed by manifest #1) is missing"),
        "{out}"
    );
}

#[test]
fn swapped_runs_and_reordered_manifests_are_named() {
    let (_dir, db) = copy();
    let c = rw(&db);
    let mut sql = String::from("BEGIN;");
    sql += "UPDATE runs SET id = -1 WHERE id = 1; UPDATE runs SET id = 1 WHERE id = 2;
            UPDATE runs SET id = 2 WHERE id = -1;";
    for table in ["fetches", "findings", "frontier"] {
        sql += &format!(
            "UPDATE {table} SET run_id = -1 WHERE run_id = 1;
             UPDATE {table} SET run_id = 1 WHERE run_id = 2;
             UPDATE {table} SET run_id = 2 WHERE run_id = -1;"
        );
    }
    sql += "COMMIT;";
    c.execute_batch(&sql).unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(out.contains("run 1 now holds run 2"), "{out}");
    assert!(out.contains("run 2 now holds run 1"), "{out}");

    // The seals themselves swapped in the chain.
    let (_dir2, db) = copy();
    let c = rw(&db);
    c.execute_batch(
        "BEGIN;
         UPDATE manifests SET seq = -1 WHERE seq = 1; UPDATE manifests SET seq = 1 WHERE seq = 2;
         UPDATE manifests SET seq = 2 WHERE seq = -1;
         UPDATE sealed_leaves SET seq = -1 WHERE seq = 1; UPDATE sealed_leaves SET seq = 1 WHERE seq = 2;
         UPDATE sealed_leaves SET seq = 2 WHERE seq = -1;
         COMMIT;",
    )
    .unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(out.contains("manifest stored as #1 says it is #2"), "{out}");
    assert!(out.contains("chain broken at manifest #1"), "{out}");
}

#[test]
fn a_manifest_resigned_with_another_key_is_named() {
    let (_dir, db) = copy();
    let c = rw(&db);
    let bytes: String = c
        .query_row("SELECT manifest FROM manifests WHERE seq = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    // Someone without the office key edits a finding away and signs a new manifest #2.
    c.execute(
        "DELETE FROM findings WHERE id = (SELECT max(id) FROM findings WHERE run_id = 2)",
        [],
    )
    .unwrap();
    let mut m = Manifest::parse(bytes.as_bytes()).unwrap();
    let forger = OfficeKey::from_seed([42; 32]);
    m.public_key = forger.public().to_hex();
    let sealed = m.seal(&forger);
    c.execute(
        "UPDATE manifests SET manifest = ?1, hash = ?2, signature = ?3 WHERE seq = 2",
        params![
            String::from_utf8(sealed.bytes).unwrap(),
            sealed.hash,
            sealed.signature
        ],
    )
    .unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(
        out.contains(&format!(
            "manifest #2 re-signed with another key {}",
            forger.public().to_hex()
        )),
        "{out}"
    );
}

#[test]
fn an_unsealed_completed_run_is_reported_until_sealed() {
    let (_dir, db) = copy();
    let c = rw(&db);
    c.execute_batch(
        "DELETE FROM sealed_leaves WHERE seq = 2; DELETE FROM manifests WHERE seq = 2;",
    )
    .unwrap();
    drop(c);
    let out = verify_fails(&db);
    assert!(out.contains("run 2 completed but not sealed"), "{out}");
    let out = run(&["evidence", "seal", "--db", db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("sealed run 2"), "{}", stdout(&out));
    verify_ok(&db);
}

#[test]
fn a_resumed_run_is_sealed_when_it_completes() {
    let (_dir, db) = copy();
    let db_s = db.to_str().unwrap();
    // Run 2 as a crash would have left it after its last fetch: unfinished, not sealed.
    let c = rw(&db);
    c.execute_batch(
        "UPDATE runs SET status = 'interrupted', finished_at = NULL WHERE id = 2;
         DELETE FROM sealed_leaves WHERE seq = 2; DELETE FROM manifests WHERE seq = 2;",
    )
    .unwrap();
    drop(c);
    // Not completed, so not expected to be sealed: the chain still verifies.
    verify_ok(&db);
    let out = run(&["scan", "--resume", "--db", db_s, "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let c = open_db(&db);
    let run: i64 = c
        .query_row("SELECT run_id FROM manifests WHERE seq = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(run, 2);
    drop(c);
    verify_ok(&db);
}

#[test]
fn a_history_rewritten_with_the_office_key_differs_from_the_published_log() {
    let (dir, db) = copy();
    let db_s = db.to_str().unwrap();
    let published = dir.path().join("published.tsv");
    let out = run(&["evidence", "log", "--db", db_s]);
    std::fs::write(&published, stdout(&out)).unwrap();
    // Someone with the key file deletes a finding and seals run 2 anew.
    let c = rw(&db);
    c.execute_batch(
        "DELETE FROM findings WHERE id = (SELECT min(id) FROM findings WHERE run_id = 2);
         DELETE FROM sealed_leaves WHERE seq = 2; DELETE FROM manifests WHERE seq = 2;",
    )
    .unwrap();
    drop(c);
    assert!(run(&["evidence", "seal", "--db", db_s]).status.success());
    // The database alone is consistent again ...
    verify_ok(&db);
    // ... but not with what was published.
    let out = run(&[
        "evidence",
        "verify",
        "--db",
        db_s,
        "--log",
        published.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("manifest #2 differs from the published log"),
        "{text}"
    );
    assert!(!text.contains("manifest #1 differs"), "{text}");
}

#[test]
fn init_creates_an_owner_only_key_once_and_prints_its_public_half() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("site.toml");
    let out = run(&["init", cfg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let key = dir.path().join("gongkai.db.ed25519");
    let public = std::fs::read_to_string(dir.path().join("gongkai.db.ed25519.pub")).unwrap();
    assert!(stdout(&out).contains(public.trim()), "{}", stdout(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let before = std::fs::read(&key).unwrap();
    let out = run(&["init", cfg.to_str().unwrap(), "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&key).unwrap(), before, "never overwritten");
    assert!(stdout(&out).contains(public.trim()));
}

#[test]
fn a_cut_tail_is_named_against_the_published_log() {
    let (dir, db) = copy();
    let db_s = db.to_str().unwrap();
    let published = dir.path().join("published.tsv");
    std::fs::write(&published, stdout(&run(&["evidence", "log", "--db", db_s]))).unwrap();
    let c = rw(&db);
    c.execute_batch(
        "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = 2;
         DELETE FROM sealed_leaves WHERE seq = 2; DELETE FROM manifests WHERE seq = 2;",
    )
    .unwrap();
    drop(c);
    verify_ok(&db);
    let out = run(&[
        "evidence",
        "verify",
        "--db",
        db_s,
        "--log",
        published.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("published manifest #2"),
        "{}",
        stdout(&out)
    );
}
