//! Bundles: a sealed synthetic run, its bundle checked offline, and every kind of change caught.

use super::*;
use crate::check::check;
use crate::key::OfficeKey;
use crate::leaf::{
    fetch_leaves, finding_leaves, FetchLeaf, FETCH_LEAF_FORMAT, FINDING_LEAF_FORMAT,
};
use crate::manifest::{RunMeta, TreeHead, GENESIS, MANIFEST_FORMAT};
use serde_json::json;
use sha2::{Digest, Sha256};

const BODY: &[u8] = "<html><title>通知</title>现行有效</html>".as_bytes();

fn fetch(id: i64, body: Option<&[u8]>) -> FetchLeaf {
    FetchLeaf {
        leaf: FETCH_LEAF_FORMAT.into(),
        id,
        run_id: 7,
        request_key: format!("GET http://a.gov.cn/{id}.html"),
        url: format!("http://a.gov.cn/{id}.html"),
        method: "GET".into(),
        request_body: None,
        purpose: "crawl".into(),
        depth: 1,
        outcome: "ok".into(),
        status: Some(200),
        final_url: format!("http://a.gov.cn/{id}.html"),
        redirects: json!([]),
        headers: json!([["content-type", "text/html; charset=utf-8"]]),
        content_type: Some("text/html".into()),
        charset: Some("utf-8".into()),
        etag: None,
        last_modified: None,
        fetched_at: "2026-01-31T01:02:03.000Z".into(),
        elapsed_ms: 12,
        body_sha256: body.map(|b| hex::encode(Sha256::digest(b))),
        body_truncated: false,
        not_modified: false,
        error: None,
        attempts: 1,
    }
}

fn finding(fp: &str, fetch_id: Option<i64>) -> FindingLeaf {
    FindingLeaf {
        leaf: FINDING_LEAF_FORMAT.into(),
        run_id: 7,
        fingerprint: fp.into(),
        rule: "doc.validity".into(),
        severity: "warning".into(),
        url: "http://a.gov.cn/3.html".into(),
        target: None,
        department: "司法局".into(),
        ledger: json!(["31"]),
        message: "已过有效期仍标注现行有效".into(),
        evidence: json!({"mark": "现行有效", "expires": "2025-09-18"}),
        fetch_id,
    }
}

/// A run of 5 fetches and 3 findings, sealed; returns the zip of finding "fp-b" (fetch 3).
fn sealed_bundle(key: &OfficeKey) -> Vec<u8> {
    bundle_of(key, "fp-b")
}

/// The zip of finding `fp` of the sealed synthetic run.
fn bundle_of(key: &OfficeKey, fp: &str) -> Vec<u8> {
    let fetches: Vec<FetchLeaf> = (1..=5)
        .map(|i| fetch(i, (i == 3).then_some(BODY)))
        .collect();
    let findings = vec![
        finding("fp-c", None),
        finding("fp-b", Some(3)),
        finding("fp-a", Some(1)),
    ];
    let fl = fetch_leaves(&fetches);
    let gl = finding_leaves(&findings);
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        seq: 1,
        prev: GENESIS.into(),
        run: RunMeta {
            id: 7,
            site: "测试".into(),
            start_urls: json!(["http://a.gov.cn/"]),
            settings: json!({}),
            tool_version: "0.1.0".into(),
            rules_version: None,
            config_hash: None,
            as_of: "2026-01-31".into(),
            started_at: "2026-01-31T01:00:00Z".into(),
            finished_at: Some("2026-01-31T02:00:00Z".into()),
            status: "completed".into(),
        },
        sealed_at: "2026-01-31T02:00:01Z".into(),
        fetches: TreeHead::of(&fl),
        findings: TreeHead::of(&gl),
        public_key: key.public().to_hex(),
    };
    let index = gl.iter().position(|l| l.key == fp).unwrap();
    let fetch = (fp == "fp-b").then(|| FetchPart {
        leaves: &fl,
        index: 2,
        body: Some(BODY.to_vec()),
    });
    Bundle::assemble(manifest.seal(key), &key.public(), &gl, index, fetch)
        .unwrap()
        .to_zip()
        .unwrap()
}

fn repack(zip: &[u8], edit: impl FnOnce(&mut Bundle)) -> Vec<u8> {
    let mut b = Bundle::from_zip(zip).unwrap();
    edit(&mut b);
    b.to_zip().unwrap()
}

fn problems(zip: &[u8]) -> String {
    let key = OfficeKey::from_seed([9; 32]);
    let r = check(zip, Some(&key.public()));
    assert!(!r.ok(), "expected a failure");
    r.problems.join("\n")
}

#[test]
fn untouched_bundle_verifies_pinned_and_unpinned() {
    let key = OfficeKey::from_seed([9; 32]);
    let zip = sealed_bundle(&key);
    assert_eq!(zip, sealed_bundle(&key), "deterministic bytes");
    let r = check(&zip, Some(&key.public()));
    assert!(r.ok(), "{:?}", r.problems);
    assert!(check(&zip, None).ok());
    let other = OfficeKey::from_seed([8; 32]).public();
    let r = check(&zip, Some(&other));
    assert!(
        r.problems.join(" ").contains("signed with key"),
        "{:?}",
        r.problems
    );
}

#[test]
fn any_flipped_byte_fails() {
    let key = OfficeKey::from_seed([9; 32]);
    let zip = sealed_bundle(&key);
    for i in 0..zip.len() {
        let mut bad = zip.clone();
        bad[i] ^= 0x01;
        assert!(
            !check(&bad, Some(&key.public())).ok(),
            "byte {i} of {}",
            zip.len()
        );
    }
    // Truncated and extended files too.
    assert!(!check(&zip[..zip.len() - 1], None).ok());
    let mut longer = zip.clone();
    longer.push(0);
    assert!(!check(&longer, None).ok());
}

#[test]
fn edited_entries_in_a_valid_zip_are_named() {
    let key = OfficeKey::from_seed([9; 32]);
    let zip = sealed_bundle(&key);
    // Record: the status of the fetch.
    let p = problems(&repack(&zip, |b| {
        let t = String::from_utf8(b.fetch.clone().unwrap()).unwrap();
        b.fetch = Some(t.replace("\"status\":200", "\"status\":404").into_bytes());
    }));
    assert!(
        p.contains("fetch.json is not in the sealed fetch tree"),
        "{p}"
    );
    // Body: one byte.
    let p = problems(&repack(&zip, |b| b.body.as_mut().unwrap()[5] ^= 1));
    assert!(p.contains("body.bin sha256"), "{p}");
    // Finding text.
    let p = problems(&repack(&zip, |b| {
        let t = String::from_utf8(b.finding.clone()).unwrap();
        b.finding = t.replace("现行有效", "已失效").into_bytes();
    }));
    assert!(
        p.contains("finding.json is not in the sealed findings tree"),
        "{p}"
    );
    // Proof path.
    let p = problems(&repack(&zip, |b| {
        let s = &mut b.proofs.finding.path[0];
        let c = if s.starts_with('0') { "1" } else { "0" };
        s.replace_range(0..1, c);
    }));
    assert!(p.contains("findings tree"), "{p}");
    // Signature.
    let p = problems(&repack(&zip, |b| {
        let s = &mut b.manifest.signature;
        let c = if s.starts_with('0') { "1" } else { "0" };
        s.replace_range(0..1, c);
    }));
    assert!(p.contains("signature does not verify"), "{p}");
    // Manifest re-signed with another key (the bundle's own key swapped too).
    let p = problems(&repack(&zip, |b| {
        let other = OfficeKey::from_seed([1; 32]);
        let mut m = Manifest::parse(&b.manifest.bytes).unwrap();
        m.public_key = other.public().to_hex();
        b.manifest = m.seal(&other);
        b.public_key = other.public().to_hex();
        b.proofs.manifest_hash = b.manifest.hash.clone();
    }));
    assert!(p.contains("signed with key"), "{p}");
    // An entry removed.
    let p = problems(&repack(&zip, |b| b.body = None));
    assert!(p.contains("body missing"), "{p}");
}

#[test]
fn site_level_finding_bundle_and_a_missing_fetch() {
    let key = OfficeKey::from_seed([9; 32]);
    let zip = bundle_of(&key, "fp-c");
    let r = check(&zip, Some(&key.public()));
    assert!(r.ok(), "{:?}", r.problems);
    let b = Bundle::from_zip(&zip).unwrap();
    assert!(b.fetch.is_none() && b.body.is_none());
    // A finding that cites a fetch, bundled without it.
    let p = problems(&repack(&sealed_bundle(&key), |b| {
        b.fetch = None;
        b.body = None;
        b.proofs.fetch = None;
    }));
    assert!(p.contains("fetch.json or its proof missing"), "{p}");
}
