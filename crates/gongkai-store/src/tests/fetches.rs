//! Fetch rows, stored bodies and validators.

use super::{body_for, count, new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::EXTRACTOR_VERSION;
use gongkai_core::{FetchOutcome, Method, RedirectHop};

#[test]
fn bodies_dedup_and_round_trip_exactly() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let r1 = store.begin_run(&new_run("s")).unwrap();
    let r2 = store.begin_run(&new_run("s")).unwrap();
    // GBK bytes, a NUL, invalid UTF-8 and a BOM: stored bytes are never re-encoded.
    let mut odd = b"\xef\xbb\xbf<html>\xd5\xfe\xb8\xae\x00\xff\xfe</html>".to_vec();
    odd.extend(std::iter::repeat_n(b'x', 5000));
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let incompressible: Vec<u8> = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    for (i, bytes) in [odd.clone(), incompressible.clone(), Vec::new()]
        .iter()
        .enumerate()
    {
        let mut rec = page(&format!("{HOST}/b{i}"), 0);
        rec.body = Some(bytes.clone());
        store.record(r1, &rec, &[]).unwrap();
        // Same bytes in another run and another URL: deduplicated.
        rec.url = format!("{HOST}/other{i}");
        store.record(r2, &rec, &[]).unwrap();
    }
    assert_eq!(count(&store, "SELECT count(*) FROM bodies"), 3);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM bodies WHERE compression = 'zstd'"
        ),
        1
    );
    for bytes in [&odd, &incompressible, &Vec::new()] {
        let sha = sha256_hex(bytes);
        assert_eq!(store.body(&sha).unwrap().as_ref(), Some(bytes));
    }
    assert_eq!(store.body(&"0".repeat(64)).unwrap(), None);
    assert_eq!(store.verify_bodies().unwrap(), Vec::<String>::new());
    let sha = store.put_body(&odd).unwrap();
    assert_eq!(sha, sha256_hex(&odd));
    assert_eq!(count(&store, "SELECT count(*) FROM bodies"), 3);

    // Corruption is detected.
    store
        .connection()
        .execute(
            "UPDATE bodies SET data = substr(data, 1, length(data) - 3) WHERE sha256 = ?1",
            [&sha],
        )
        .unwrap();
    assert_eq!(store.verify_bodies().unwrap(), vec![sha.clone()]);
    assert!(matches!(
        store.body(&sha).unwrap_err(),
        StoreError::Body { .. }
    ));
}

#[test]
fn record_upsert_is_idempotent_and_keeps_id() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let url = format!("{HOST}/col/index.html");
    let id1 = store.record(run, &page(&url, 5), &[]).unwrap();
    let mut again = page(&url, 2);
    again.outcome = FetchOutcome::Redirected;
    again.redirects = vec![RedirectHop {
        url: url.clone(),
        status: 302,
        location: format!("{HOST}/col/index_1.html"),
    }];
    let id2 = store.record(run, &again, &[]).unwrap();
    assert_eq!(id1, id2);
    assert_eq!(count(&store, "SELECT count(*) FROM fetches"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM links"), 3);
    assert_eq!(count(&store, "SELECT count(*) FROM frontier"), 1);
    let f = store.fetch(id1).unwrap().unwrap();
    assert_eq!(f.record.outcome, FetchOutcome::Redirected);
    assert_eq!(f.record.redirects, again.redirects);
    assert_eq!(f.record.headers, again.headers);
    assert_eq!(f.record.model, again.model);
    assert_eq!(f.record.body, None);
    assert_eq!(f.body_sha256, Some(sha256_hex(&body_for(&url))));
    assert_eq!(f.title.as_deref(), Some(format!("标题 {url}").as_str()));
    assert_eq!(f.extractor_version, Some(EXTRACTOR_VERSION));
    assert_eq!(f.request_key, format!("GET {url}"));
    assert_eq!(store.fetch_by_url(run, &url).unwrap().unwrap().id, id1);
    assert!(store.fetch(id1 + 100).unwrap().is_none());

    // POSTs with different bodies are different requests.
    let mut post = page(&format!("{HOST}/module/dataproxy.jsp"), 0);
    post.method = Method::Post;
    post.request_body = Some("startrecord=1&endrecord=45".into());
    let p1 = store.record(run, &post, &[]).unwrap();
    post.request_body = Some("startrecord=46&endrecord=90".into());
    let p2 = store.record(run, &post, &[]).unwrap();
    assert_ne!(p1, p2);
    assert_eq!(store.fetches(run).unwrap().len(), 3);
}

#[test]
fn validators_from_earlier_fetches() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let r1 = store.begin_run(&new_run("s")).unwrap();
    let url = format!("{HOST}/art/1.html");
    assert!(store.validators(&url).unwrap().is_none());
    let first = page(&url, 0);
    store.record(r1, &first, &[]).unwrap();
    let v = store.validators(&url).unwrap().unwrap();
    assert_eq!(v.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        v.last_modified.as_deref(),
        Some("Mon, 02 Jun 2025 08:00:00 GMT")
    );
    assert_eq!(v.body_sha256, sha256_hex(first.body.as_ref().unwrap()));

    // Next run: 304 without the body passed: the previous body is referenced.
    let r2 = store.begin_run(&new_run("s")).unwrap();
    let mut nm = page(&url, 0);
    nm.status = Some(304);
    nm.not_modified = true;
    nm.body = None;
    nm.etag = Some("\"v1\"".into());
    let id = store.record(r2, &nm, &[]).unwrap();
    assert_eq!(
        store.fetch(id).unwrap().unwrap().body_sha256,
        Some(v.body_sha256.clone())
    );
    assert_eq!(
        store.validators(&url).unwrap().unwrap().body_sha256,
        v.body_sha256
    );

    // Changed page with new validators wins; truncated or failed fetches are ignored.
    let r3 = store.begin_run(&new_run("s")).unwrap();
    let mut changed = page(&url, 0);
    changed.body = Some(b"<html>new</html>".to_vec());
    changed.etag = Some("\"v2\"".into());
    store.record(r3, &changed, &[]).unwrap();
    let r4 = store.begin_run(&new_run("s")).unwrap();
    let mut cut = page(&url, 0);
    cut.body_truncated = true;
    cut.etag = Some("\"v3\"".into());
    cut.body = Some(b"<ht".to_vec());
    store.record(r4, &cut, &[]).unwrap();
    let v = store.validators(&url).unwrap().unwrap();
    assert_eq!(v.etag.as_deref(), Some("\"v2\""));
    assert_eq!(v.body_sha256, sha256_hex(b"<html>new</html>"));

    // No validators at all: None.
    let other = format!("{HOST}/plain");
    let mut plain = page(&other, 0);
    plain.etag = None;
    plain.last_modified = None;
    store.record(r4, &plain, &[]).unwrap();
    assert!(store.validators(&other).unwrap().is_none());
}
