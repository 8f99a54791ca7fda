//! End-to-end: a finding bundle written from a sealed database verifies offline, without the
//! database, against the published key, and fails when any byte of it changes.

mod support;

use gongkai_evidence::OfficeKey;
use gongkai_fixture::FixtureOptions;
use std::path::Path;
use support::*;

/// Offsets of the first occurrence of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not in bundle", String::from_utf8_lossy(needle)))
}

fn check_code(zip: &Path, key: &str) -> (Option<i32>, String) {
    let out = run(&["evidence", "check", zip.to_str().unwrap(), "--key", key]);
    (out.status.code(), stdout(&out) + &stderr(&out))
}

#[test]
fn a_bundle_verifies_offline_and_fails_when_any_byte_changes() {
    let portal = Portal::start(FixtureOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    scan_fixture(
        &portal,
        dir.path(),
        &db,
        &["--rate", "0", "--max-pages", "60"],
    );
    let db_s = db.to_str().unwrap();
    let c = open_db(&db);
    let (fp, fetch_id): (String, i64) = c
        .query_row(
            "SELECT fi.fingerprint, fi.fetch_id FROM findings fi JOIN fetches f ON f.id = fi.fetch_id
             WHERE fi.run_id = 1 AND f.body_sha256 IS NOT NULL ORDER BY fi.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let body_sha: String = c
        .query_row(
            "SELECT body_sha256 FROM fetches WHERE id = ?1",
            [fetch_id],
            |r| r.get(0),
        )
        .unwrap();
    let signature: String = c
        .query_row(
            "SELECT signature FROM manifests WHERE run_id = 1 ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(c);
    let zip = dir.path().join("finding.zip");
    let out = run(&[
        "evidence",
        "bundle",
        &fp,
        "--db",
        db_s,
        "--out",
        zip.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Offline: the database and the key file are gone; the published public key is pinned.
    let public = std::fs::read_to_string(format!("{db_s}.ed25519.pub")).unwrap();
    let public = public.trim().to_owned();
    let elsewhere = tempfile::tempdir().unwrap();
    let moved = elsewhere.path().join("finding.zip");
    std::fs::rename(&zip, &moved).unwrap();
    drop(dir);
    let (code, text) = check_code(&moved, &public);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains(&format!("fetch #{fetch_id}")) && text.contains(&body_sha),
        "{text}"
    );
    // Another pinned key fails.
    let other = OfficeKey::from_seed([5; 32]).public().to_hex();
    let (code, text) = check_code(&moved, &other);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("signed with key"), "{text}");

    // One byte of each part: record, body, proof, signature, and zip structure.
    let bytes = std::fs::read(&moved).unwrap();
    let sig_at = find(&bytes, signature.as_bytes());
    let body_at = {
        let entry = find(&bytes, b"body.bin");
        entry + find(&bytes[entry..], b"<")
    };
    let targets = [
        (
            "fetch record",
            find(&bytes, b"\"leaf\":\"gongkai-fetch/1\"") + 9,
        ),
        (
            "finding",
            find(&bytes, b"\"leaf\":\"gongkai-finding/1\"") + 9,
        ),
        ("proof", find(&bytes, b"\"leaf_hash\"") + 16),
        ("body", body_at + 40),
        ("signature", sig_at + 10),
        ("manifest", find(&bytes, b"\"fetches\":{\"root\"") + 20),
        ("zip header", 8),
    ];
    for (what, at) in targets {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        std::fs::write(&moved, &bad).unwrap();
        let (code, text) = check_code(&moved, &public);
        assert_eq!(code, Some(1), "{what} byte {at} changed: {text}");
    }
    // A sample of all other bytes (every byte is covered by gongkai-evidence's unit tests).
    for at in (0..bytes.len()).step_by(211) {
        let mut bad = bytes.clone();
        bad[at] = bad[at].wrapping_add(1);
        std::fs::write(&moved, &bad).unwrap();
        let (code, text) = check_code(&moved, &public);
        assert_eq!(code, Some(1), "byte {at} changed: {text}");
    }
}
