//! Seals: leaves read back as stored, the manifest chain appended atomically, sealed leaves.

use super::{new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::{Finding, Severity};

fn finding(fp: &str, fetch_id: i64) -> Finding {
    Finding {
        rule: "link.broken".into(),
        severity: Severity::Error,
        url: format!("{HOST}/"),
        target: None,
        department: "市政府办公室".into(),
        ledger: vec![3],
        message: "链接无法访问".into(),
        evidence: serde_json::json!({"status": 404}),
        fingerprint: fp.into(),
        fetch_id: Some(fetch_id),
    }
}

fn seal(run_id: i64, name: &str) -> impl FnOnce(i64, Option<&str>) -> NewSeal + '_ {
    move |seq, prev| NewSeal {
        run_id,
        manifest: format!("{{\"seq\":{seq},\"prev\":{prev:?},\"n\":\"{name}\"}}").into_bytes(),
        hash: format!("{seq:064}"),
        signature: "00".repeat(64),
        sealed_at: "2026-01-31T00:00:00.000Z".into(),
        fetch_leaves: vec![("1".into(), [1; 32]), ("2".into(), [2; 32])],
        finding_leaves: vec![("fp-a".into(), [3; 32])],
    }
}

#[test]
fn leaves_read_what_is_stored() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let a = store
        .record(run, &page(&format!("{HOST}/"), 2), &[])
        .unwrap();
    let b = store
        .record(run, &page(&format!("{HOST}/b"), 0), &[])
        .unwrap();
    store
        .replace_findings(run, &[finding("fp-b", b), finding("fp-a", a)])
        .unwrap();
    let fetches = store.fetch_leaves(run).unwrap();
    assert_eq!(fetches.iter().map(|f| f.id).collect::<Vec<_>>(), [a, b]);
    let stored = store.fetch(a).unwrap().unwrap();
    assert_eq!(fetches[0].url, stored.record.url);
    assert_eq!(fetches[0].body_sha256, stored.body_sha256);
    assert_eq!(fetches[0].status, stored.record.status.map(i64::from));
    assert!(fetches[0].headers.is_array());
    let findings = store.finding_leaves(run).unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].1.fingerprint, "fp-b");
    assert_eq!(findings[0].1.fetch_id, Some(b));
    assert_eq!(findings[0].1.ledger, serde_json::json!([3]));

    // A JSON column edited into garbage still reads (as text), so the leaf changes instead of
    // the read failing.
    store
        .connection()
        .execute("UPDATE fetches SET headers = 'not json' WHERE id = ?1", [a])
        .unwrap();
    let edited = store.fetch_leaves(run).unwrap();
    assert_eq!(edited[0].headers, serde_json::json!("not json"));
}

#[test]
fn manifests_chain_and_survive_their_run() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let r1 = store.begin_run(&new_run("s")).unwrap();
    let r2 = store.begin_run(&new_run("s")).unwrap();
    assert_eq!(store.append_manifest(seal(r1, "one")).unwrap(), 1);
    assert_eq!(store.append_manifest(seal(r2, "two")).unwrap(), 2);
    let rows = store.manifests().unwrap();
    assert_eq!(rows.len(), 2);
    let text = String::from_utf8(rows[1].manifest.clone()).unwrap();
    assert!(
        text.contains(&format!("\"prev\":Some(\"{}\")", rows[0].hash)),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&rows[0].manifest).contains("\"prev\":None"));
    assert_eq!(store.latest_manifest(r2).unwrap().unwrap().seq, 2);
    assert!(store.latest_manifest(99).unwrap().is_none());
    let leaves = store.sealed_leaves(2, Tree::Fetch).unwrap();
    assert_eq!(
        leaves,
        vec![("1".to_owned(), [1; 32]), ("2".to_owned(), [2; 32])]
    );
    assert_eq!(store.sealed_leaves(2, Tree::Finding).unwrap().len(), 1);

    // Deleting a run does not delete its seal.
    store
        .connection()
        .execute("DELETE FROM runs WHERE id = ?1", [r1])
        .unwrap();
    assert_eq!(store.manifests().unwrap().len(), 2);
}

#[test]
fn body_users_and_missing_bodies() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let a = store
        .record(run, &page(&format!("{HOST}/"), 0), &[])
        .unwrap();
    let sha = store.fetch(a).unwrap().unwrap().body_sha256.unwrap();
    assert_eq!(store.body_users(&sha).unwrap(), vec![(a, run)]);
    assert!(store.missing_bodies().unwrap().is_empty());
    let c = store.connection();
    c.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    c.execute("DELETE FROM bodies WHERE sha256 = ?1", [&sha])
        .unwrap();
    assert_eq!(store.missing_bodies().unwrap(), vec![(a, run, sha)]);
}

#[test]
fn a_run_read_in_two_halves_is_the_run_read_whole() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let other = store.begin_run(&new_run("s")).unwrap();
    assert_eq!(store.fetch_id_midpoint(other).unwrap(), None, "no rows yet");
    let run = store.begin_run(&new_run("s")).unwrap();
    // Rows of the two runs interleaved, as a second run's rows never are but could be.
    for i in 0..7 {
        store
            .record(run, &page(&format!("{HOST}/{i}.html"), 1), &[])
            .unwrap();
        store
            .record(other, &page(&format!("{HOST}/o{i}.html"), 1), &[])
            .unwrap();
    }
    let ids = |range: std::ops::Range<i64>| {
        let mut out = Vec::new();
        store
            .for_each_fetch_leaf_in(run, range, |f| out.push(f.id))
            .unwrap();
        out
    };
    let whole = ids(i64::MIN..i64::MAX);
    assert_eq!(whole.len(), 7);
    let mid = store.fetch_id_midpoint(run).unwrap().unwrap();
    assert_eq!(mid, whole[3], "the first row of the second half");
    let (lower, upper) = (ids(i64::MIN..mid), ids(mid..i64::MAX));
    assert_eq!((lower.len(), upper.len()), (3, 4));
    assert_eq!([lower, upper].concat(), whole);
    let mut all = Vec::new();
    store.for_each_fetch_leaf(run, |f| all.push(f.id)).unwrap();
    assert_eq!(all, whole);
}
