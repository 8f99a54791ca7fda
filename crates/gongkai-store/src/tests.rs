//! Store tests on temporary databases.

use crate::*;
use gongkai_crawl::{FetchOutcome, FetchPurpose, FetchRecord, Method, RedirectHop};
use gongkai_page::{Link, LinkKind, PageModel, SkipReason, EXTRACTOR_VERSION};
use gongkai_rules::{Finding, Severity};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const HOST: &str = "http://www.example.gov.cn";

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gongkai.sqlite");
    (dir, path)
}

fn new_run(site: &str) -> NewRun {
    NewRun {
        site: site.to_owned(),
        start_urls: vec![format!("{HOST}/")],
        settings: serde_json::json!({"rate": 2.0, "max_pages": 100}),
        tool_version: "0.1.0-test".to_owned(),
        rules_version: Some("pack-sha".to_owned()),
        config_hash: Some("cfg-sha".to_owned()),
        as_of: "2025-06-30".to_owned(),
    }
}

fn links(n: usize) -> Vec<Link> {
    let mut v: Vec<Link> = (0..n)
        .map(|i| Link {
            raw: format!("/art/{i}.html"),
            url: Some(format!("{HOST}/art/{i}.html")),
            kind: if i % 10 == 9 {
                LinkKind::Attachment
            } else {
                LinkKind::Page
            },
            element: "a[href]".to_owned(),
            anchor: format!("第{i}条 政策解读"),
            skip: None,
        })
        .collect();
    if n > 0 {
        v.push(Link {
            raw: "mailto:office@example.gov.cn".to_owned(),
            url: None,
            kind: LinkKind::Page,
            element: "a[href]".to_owned(),
            anchor: "联系我们".to_owned(),
            skip: Some(SkipReason::Mailto),
        });
    }
    v
}

fn body_for(url: &str) -> Vec<u8> {
    format!(
        "<html><head><title>{url}</title></head><body>{}</body></html>",
        "滕州市人民政府 政府信息公开 规范性文件 ".repeat(40)
    )
    .into_bytes()
}

fn page(url: &str, n_links: usize) -> FetchRecord {
    FetchRecord {
        url: url.to_owned(),
        method: Method::Get,
        request_body: None,
        purpose: FetchPurpose::Crawl,
        depth: 1,
        outcome: FetchOutcome::Ok,
        status: Some(200),
        final_url: url.to_owned(),
        redirects: Vec::new(),
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("etag".into(), "\"v1\"".into()),
        ],
        content_type: Some("text/html".to_owned()),
        charset: Some("utf-8".to_owned()),
        etag: Some("\"v1\"".to_owned()),
        last_modified: Some("Mon, 02 Jun 2025 08:00:00 GMT".to_owned()),
        fetched_at: "2025-06-30T08:00:00Z".to_owned(),
        elapsed_ms: 42,
        body: Some(body_for(url)),
        body_truncated: false,
        not_modified: false,
        error: None,
        model: Some(PageModel {
            extractor_version: EXTRACTOR_VERSION,
            title: format!("标题 {url}"),
            links: links(n_links),
            ..PageModel::default()
        }),
        attempts: 1,
    }
}

fn check(url: &str, outcome: FetchOutcome, status: Option<u16>) -> FetchRecord {
    FetchRecord {
        url: url.to_owned(),
        method: Method::Head,
        request_body: None,
        purpose: FetchPurpose::Check,
        depth: 2,
        outcome,
        status,
        final_url: url.to_owned(),
        redirects: Vec::new(),
        headers: Vec::new(),
        content_type: None,
        charset: None,
        etag: None,
        last_modified: None,
        fetched_at: "2025-06-30T08:00:01Z".to_owned(),
        elapsed_ms: 7,
        body: None,
        body_truncated: false,
        not_modified: false,
        error: (outcome != FetchOutcome::Ok).then(|| "HTTP 404".to_owned()),
        model: None,
        attempts: 1,
    }
}

fn count(store: &Store, sql: &str) -> i64 {
    store.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The crash-consistency invariant: frontier `done` rows and fetch rows match one to one, every
/// fetch's body is stored and its links are complete.
fn assert_consistent(store: &Store, run_id: i64) {
    let c = store.connection();
    let orphan_done: i64 = c
        .query_row(
            "SELECT count(*) FROM frontier fr LEFT JOIN fetches f ON f.id = fr.fetch_id
             WHERE fr.run_id = ?1 AND fr.state = 'done'
               AND (f.id IS NULL OR f.request_key <> fr.request_key)",
            [run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphan_done, 0, "done frontier rows without their fetch");
    let fetch_not_done: i64 = c
        .query_row(
            "SELECT count(*) FROM fetches f LEFT JOIN frontier fr
               ON fr.run_id = f.run_id AND fr.request_key = f.request_key
             WHERE f.run_id = ?1 AND (fr.id IS NULL OR fr.state <> 'done')",
            [run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        fetch_not_done, 0,
        "fetch rows whose frontier row is not done"
    );
    let missing_bodies: i64 = c
        .query_row(
            "SELECT count(*) FROM fetches f LEFT JOIN bodies b ON b.sha256 = f.body_sha256
             WHERE f.run_id = ?1 AND f.body_sha256 IS NOT NULL AND b.sha256 IS NULL",
            [run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(missing_bodies, 0);
    let partial_links: i64 = c
        .query_row(
            "SELECT count(*) FROM fetches f
             WHERE f.run_id = ?1 AND f.purpose = 'crawl' AND f.model IS NOT NULL
               AND json_array_length(f.model, '$.links')
                   <> (SELECT count(*) FROM links l WHERE l.source_fetch_id = f.id)",
            [run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(partial_links, 0, "fetches with partial link rows");
    let fk: i64 = c
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0, "foreign key violations");
}

#[test]
fn open_creates_and_refuses_newer() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.runs().unwrap(), vec![]);
    store
        .connection()
        .execute_batch("PRAGMA user_version = 7")
        .unwrap();
    drop(store);
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(
        err,
        StoreError::NewerSchema {
            found: 7,
            supported: SCHEMA_VERSION,
            ..
        }
    ));
    assert!(matches!(
        Store::open_readonly(&path).err().unwrap(),
        StoreError::NewerSchema { found: 7, .. }
    ));
    assert!(matches!(
        StoreWriter::spawn(&path, 1).err().unwrap(),
        StoreError::NewerSchema { .. }
    ));
}

#[test]
fn runs_lifecycle_and_counts() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let r1 = store.begin_run(&new_run("滕州")).unwrap();
    let info = store.run(r1).unwrap().unwrap();
    assert_eq!(info.status, RunStatus::Running);
    assert_eq!(info.start_urls, vec![format!("{HOST}/")]);
    assert_eq!(info.settings["max_pages"], 100);
    assert_eq!(info.as_of, "2025-06-30");
    assert!(info.finished_at.is_none());
    assert_eq!(store.latest_unfinished_run().unwrap().unwrap().id, r1);
    assert!(store.latest_completed_run().unwrap().is_none());

    store
        .record(r1, &page(&format!("{HOST}/"), 3), &[])
        .unwrap();
    store
        .record(
            r1,
            &check(&format!("{HOST}/gone"), FetchOutcome::NotFound, Some(404)),
            &[],
        )
        .unwrap();
    store
        .record(
            r1,
            &check(&format!("{HOST}/a.pdf"), FetchOutcome::Ok, Some(200)),
            &[],
        )
        .unwrap();
    store.finish_run(r1, RunStatus::Interrupted).unwrap();
    let info = store.run(r1).unwrap().unwrap();
    assert_eq!(info.status, RunStatus::Interrupted);
    assert!(info.finished_at.is_none());
    assert_eq!(info.pages_fetched, Some(1));
    assert_eq!(info.outcome_counts.get("ok"), Some(&2));
    assert_eq!(info.outcome_counts.get("not-found"), Some(&1));
    assert_eq!(store.latest_unfinished_run().unwrap().unwrap().id, r1);

    store.resume_run(r1).unwrap();
    assert_eq!(store.run(r1).unwrap().unwrap().status, RunStatus::Running);
    store.finish_run(r1, RunStatus::Completed).unwrap();
    let info = store.run(r1).unwrap().unwrap();
    assert_eq!(info.status, RunStatus::Completed);
    assert!(info.finished_at.is_some());
    assert!(store.latest_unfinished_run().unwrap().is_none());
    assert_eq!(store.latest_completed_run().unwrap().unwrap().id, r1);

    // An older unfinished run is not resumed once a later run of the same site completed.
    let r2 = store.begin_run(&new_run("other")).unwrap();
    let r3 = store.begin_run(&new_run("滕州")).unwrap();
    store.finish_run(r3, RunStatus::Completed).unwrap();
    assert_eq!(store.latest_unfinished_run().unwrap().unwrap().id, r2);
    assert_eq!(store.runs().unwrap().len(), 3);
    assert!(matches!(
        store.finish_run(999, RunStatus::Completed).unwrap_err(),
        StoreError::RunNotFound { run_id: 999, .. }
    ));
    // as_of is checked by the schema.
    let mut bad = new_run("x");
    bad.as_of = "30/06/2025".into();
    assert!(store.begin_run(&bad).is_err());
}

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
fn frontier_seen_pending_and_done() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let home = format!("{HOST}/");
    let a = FrontierEntry::get(format!("{HOST}/a"), FetchPurpose::Crawl, 1).with_parent(&home);
    let b = FrontierEntry::get(format!("{HOST}/b.pdf"), FetchPurpose::Check, 1).with_parent(&home);
    let mut post = FrontierEntry::get(format!("{HOST}/dp"), FetchPurpose::Crawl, 1);
    post.method = Method::Post;
    post.request_body = Some("col=1".into());
    let stats = store
        .enqueue(
            run,
            &[
                FrontierEntry::get(&home, FetchPurpose::Crawl, 0),
                a.clone(),
                b.clone(),
                post.clone(),
            ],
        )
        .unwrap();
    assert_eq!(stats.frontier_new, 4);
    // Seen entries are not queued twice (and keep their first parent/depth).
    let stats = store
        .enqueue(
            run,
            &[FrontierEntry::get(
                format!("{HOST}/a"),
                FetchPurpose::Crawl,
                5,
            )],
        )
        .unwrap();
    assert_eq!((stats.enqueued, stats.frontier_new), (1, 0));
    assert_eq!(store.frontier_pending(run).unwrap().len(), 4);

    let c = FrontierEntry::get(format!("{HOST}/c"), FetchPurpose::Crawl, 1).with_parent(&home);
    store
        .record(run, &page(&home, 1), std::slice::from_ref(&c))
        .unwrap();
    let pending = store.frontier_pending(run).unwrap();
    assert_eq!(pending, vec![a, b, post.clone(), c]);
    assert_eq!(pending[2].request_key(), format!("POST {HOST}/dp\ncol=1"));
    let seen = store.frontier_seen(run).unwrap();
    assert_eq!(seen.len(), 5);
    assert_eq!(seen[0], format!("GET {home}"));
    // A record that was never enqueued still joins the seen set, as done.
    store
        .record(
            run,
            &check(&format!("{HOST}/x"), FetchOutcome::Ok, Some(200)),
            &[],
        )
        .unwrap();
    assert_eq!(store.frontier_seen(run).unwrap().len(), 6);
    assert_eq!(store.frontier_pending(run).unwrap().len(), 4);
    assert_consistent(&store, run);
    // Other runs have their own frontier.
    let run2 = store.begin_run(&new_run("s")).unwrap();
    assert!(store.frontier_seen(run2).unwrap().is_empty());
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

#[test]
fn load_site_builds_the_rules_input() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let home = format!("{HOST}/");
    let home_id = store.record(run, &page(&home, 3), &[]).unwrap();
    store
        .record(
            run,
            &check(
                &format!("{HOST}/art/0.html"),
                FetchOutcome::NotFound,
                Some(404),
            ),
            &[],
        )
        .unwrap();
    let mut probe = check(
        &format!("{HOST}/gongkai-probe-8f3a"),
        FetchOutcome::Ok,
        Some(200),
    );
    probe.purpose = FetchPurpose::Soft404Probe;
    probe.method = Method::Get;
    probe.body = Some(b"<html>page not found</html>".to_vec());
    store.record(run, &probe, &[]).unwrap();
    // A checked target with a model (HTML first bytes) keeps its model but adds no links.
    let mut checked_html = page(&format!("{HOST}/elsewhere"), 4);
    checked_html.purpose = FetchPurpose::Check;
    store.record(run, &checked_html, &[]).unwrap();

    let site = store.load_site(run).unwrap();
    assert_eq!(site.run_id, run);
    assert_eq!(site.start_urls, vec![home.clone()]);
    assert_eq!(site.pages.len(), 3);
    assert_eq!(site.soft404_probes.len(), 1);
    assert_eq!(site.soft404_probes[0].status, Some(200));
    let p0 = &site.pages[0];
    assert_eq!(p0.fetch_id, home_id);
    assert!(p0.crawled);
    assert_eq!(p0.outcome, FetchOutcome::Ok);
    assert_eq!(p0.model.as_ref().unwrap().links.len(), 4);
    assert_eq!(p0.body_sha256, Some(sha256_hex(&body_for(&home))));
    assert_eq!(site.pages[1].outcome, FetchOutcome::NotFound);
    assert!(!site.pages[1].crawled);
    assert!(site.pages[2].model.is_some());
    assert_eq!(site.links.len(), 4, "links of crawled pages only");
    assert!(site.links.iter().all(|l| l.source_url == home));
    assert_eq!(
        site.links[0].target_url.as_deref(),
        Some(format!("{HOST}/art/0.html").as_str())
    );
    assert_eq!(site.links[0].anchor, "第0条 政策解读");
    assert_eq!(site.links[3].target_url, None);

    // The link_targets view joins the target's outcome.
    let broken: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM link_targets WHERE run_id = ?1 AND target_outcome = 'not-found'",
            [run],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(broken, 1);
    assert!(matches!(
        store.load_site(run + 1).unwrap_err(),
        StoreError::RunNotFound { .. }
    ));
    // start_outcome
    assert_eq!(
        store
            .start_outcome(run, &format!("{HOST}/art/0.html"))
            .unwrap(),
        Some((FetchOutcome::NotFound, Some("HTTP 404".into())))
    );
    assert_eq!(store.start_outcome(run, "http://nowhere/").unwrap(), None);
}

#[test]
fn unparsable_model_is_ignored_and_reextracted() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let url = format!("{HOST}/");
    let id = store.record(run, &page(&url, 2), &[]).unwrap();
    let id2 = store
        .record(run, &page(&format!("{HOST}/2"), 1), &[])
        .unwrap();
    assert!(store
        .stale_models(run, EXTRACTOR_VERSION)
        .unwrap()
        .is_empty());
    assert_eq!(
        store.stale_models(run, EXTRACTOR_VERSION + 1).unwrap(),
        vec![id, id2]
    );
    store
        .connection()
        .execute(
            "UPDATE fetches SET model = '{\"old\": true}' WHERE id = ?1",
            [id],
        )
        .unwrap();
    let site = store.load_site(run).unwrap();
    assert!(site.pages[0].model.is_none());
    assert_eq!(
        store.stale_models(run, EXTRACTOR_VERSION).unwrap(),
        vec![id]
    );

    let mut m = page(&url, 6).model.unwrap();
    m.title = "新标题".into();
    let stats = store
        .update_models(&[(id, m.clone()), (9999, m.clone())])
        .unwrap();
    assert_eq!(stats.links, 7);
    let f = store.fetch(id).unwrap().unwrap();
    assert_eq!(f.record.model, Some(m));
    assert_eq!(f.title.as_deref(), Some("新标题"));
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM links WHERE source_fetch_id = {id}")
        ),
        7
    );
    assert!(store
        .stale_models(run, EXTRACTOR_VERSION)
        .unwrap()
        .is_empty());
    assert_consistent(&store, run);
}

#[test]
fn findings_round_trip_and_replace() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let fid = store
        .record(run, &page(&format!("{HOST}/"), 1), &[])
        .unwrap();
    let f1 = Finding {
        rule: "link.broken".into(),
        severity: Severity::Error,
        url: format!("{HOST}/"),
        target: Some(format!("{HOST}/art/0.html")),
        department: "市政府办公室".into(),
        ledger: vec![3, 17],
        message: "链接无法访问（404）".into(),
        evidence: serde_json::json!({"status": 404, "anchor": "第0条"}),
        fingerprint: "fp-1".into(),
        fetch_id: Some(fid),
    };
    let f2 = Finding {
        rule: "metadata.missing".into(),
        severity: Severity::Warning,
        target: None,
        ledger: vec![],
        evidence: serde_json::json!({}),
        fingerprint: "fp-2".into(),
        fetch_id: Some(0),
        ..f1.clone()
    };
    store
        .replace_findings(run, &[f1.clone(), f2.clone()])
        .unwrap();
    let got = store.findings(run).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].finding, f1);
    assert_eq!(got[0].run_id, run);
    assert_eq!(
        got[1].finding,
        Finding {
            fetch_id: None,
            ..f2
        }
    );
    assert!(store.run(run).unwrap().unwrap().checked_at.is_some());

    store
        .replace_findings(run, std::slice::from_ref(&f1))
        .unwrap();
    assert_eq!(store.findings(run).unwrap().len(), 1);
    store.replace_findings(run, &[]).unwrap();
    assert!(store.findings(run).unwrap().is_empty());
    // Unknown fetch ids violate the foreign key; the old findings are kept (one transaction).
    store
        .replace_findings(run, std::slice::from_ref(&f1))
        .unwrap();
    let bad = Finding {
        fetch_id: Some(12345),
        ..f1
    };
    assert!(store.replace_findings(run, &[bad]).is_err());
    assert_eq!(store.findings(run).unwrap().len(), 1);
    assert!(matches!(
        store.replace_findings(77, &[]).unwrap_err(),
        StoreError::RunNotFound { .. }
    ));
    store.set_rules_version(run, "pack-2").unwrap();
    assert_eq!(
        store.run(run).unwrap().unwrap().rules_version.as_deref(),
        Some("pack-2")
    );
}

#[test]
fn writer_batches_and_flushes() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();

    // Hold the write lock so the writer stalls on its first batch while the channel fills up.
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    handle
        .blocking_enqueue(vec![FrontierEntry::get(
            format!("{HOST}/"),
            FetchPurpose::Crawl,
            0,
        )])
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    for i in 0..150 {
        let url = format!("{HOST}/p{i}");
        let follow = vec![FrontierEntry::get(
            format!("{url}/child"),
            FetchPurpose::Crawl,
            2,
        )];
        handle.blocking_record(page(&url, 2), follow).unwrap();
    }
    assert_eq!(
        count(&store, "SELECT count(*) FROM fetches"),
        0,
        "not committed yet"
    );
    blocker.execute_batch("COMMIT").unwrap();
    handle.blocking_flush().unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM fetches"), 150);
    assert_eq!(count(&store, "SELECT count(*) FROM frontier"), 301);
    assert_eq!(count(&store, "SELECT count(*) FROM links"), 450);
    // Same record again: upsert, no duplicates.
    writer.record(page(&format!("{HOST}/p0"), 2)).unwrap();
    writer.flush().unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM fetches"), 150);
    let stats = writer.finish().unwrap();
    assert_eq!(stats.records, 151);
    assert_eq!(stats.frontier_new, 151);
    assert_eq!(stats.links, 453);
    assert_eq!(stats.bodies_new, 150);
    assert_eq!(stats.bodies_dedup, 1);
    // 1 (stalled first) + 150 records in batches of <= 200 items (record + follow = 2 items).
    assert!(stats.transactions <= 4, "{stats:?}");
    // Sending after finish fails cleanly.
    assert!(matches!(
        handle.blocking_flush().unwrap_err(),
        StoreError::Writer { .. }
    ));
    assert_consistent(&store, run);
}

#[test]
fn writer_reports_errors() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert!(matches!(
        StoreWriter::spawn(&path, 42).err().unwrap(),
        StoreError::RunNotFound { run_id: 42, .. }
    ));
    let run = store.begin_run(&new_run("s")).unwrap();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    // Remove the run under the writer: its next insert violates the foreign key.
    store.connection().execute("DELETE FROM runs", []).unwrap();
    handle
        .blocking_record(page(&format!("{HOST}/"), 1), vec![])
        .unwrap();
    let err = handle.blocking_flush().unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    assert!(handle.blocking_enqueue(vec![]).is_err());
    assert!(matches!(
        writer.finish().unwrap_err(),
        StoreError::Sqlite { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writer_async_api() {
    let (_d, path) = temp_db();
    let run = Store::open(&path)
        .unwrap()
        .begin_run(&new_run("s"))
        .unwrap();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let h = handle.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..50 {
                let url = format!("{HOST}/t{t}/{i}");
                h.enqueue(vec![FrontierEntry::get(&url, FetchPurpose::Crawl, 1)])
                    .await
                    .unwrap();
                h.record(page(&url, 1), vec![]).await.unwrap();
            }
            h.flush().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    match handle.try_send(StoreCommand::Enqueue(vec![])) {
        Ok(()) | Err(TrySendError::Full(_)) => {}
        Err(TrySendError::Closed(e)) => panic!("{e}"),
    }
    let stats = writer.finish_async().await.unwrap();
    assert_eq!(stats.records, 200);
    let store = Store::open_readonly(&path).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM fetches"), 200);
    assert!(store.frontier_pending(run).unwrap().is_empty());
    assert_consistent(&store, run);
}

#[test]
fn readonly_reads_while_writer_writes() {
    let (_d, path) = temp_db();
    let run = Store::open(&path)
        .unwrap()
        .begin_run(&new_run("s"))
        .unwrap();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    let producer = std::thread::spawn(move || {
        for i in 0..400 {
            handle
                .blocking_record(page(&format!("{HOST}/r{i}"), 5), vec![])
                .unwrap();
            if i % 50 == 0 {
                handle.blocking_flush().unwrap();
            }
        }
    });
    let reader = Store::open_readonly(&path).unwrap();
    let mut last = 0;
    let mut observations = 0;
    while !producer.is_finished() {
        let n = count(&reader, "SELECT count(*) FROM fetches");
        assert!(n >= last, "counts only grow");
        // Each committed record has all its links (readers see whole transactions).
        let links = count(&reader, "SELECT count(*) FROM links");
        assert!(links >= n * 6, "{links} links for {n} fetches");
        last = n;
        observations += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
    producer.join().unwrap();
    writer.finish().unwrap();
    assert_eq!(count(&reader, "SELECT count(*) FROM fetches"), 400);
    assert!(observations > 0);
    // Readers cannot write.
    assert!(reader.begin_run(&new_run("s")).is_err());
}

/// Child half of `kill_minus_nine_keeps_frontier_consistent`: writes until killed.
#[test]
fn kill_child() {
    let Ok(db) = std::env::var("GONGKAI_STORE_KILL_CHILD") else {
        return;
    };
    let path = PathBuf::from(db);
    let run: i64 = std::env::var("GONGKAI_STORE_KILL_RUN")
        .unwrap()
        .parse()
        .unwrap();
    let (_writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    handle
        .blocking_enqueue(vec![FrontierEntry::get(
            format!("{HOST}/n/0"),
            FetchPurpose::Crawl,
            0,
        )])
        .unwrap();
    // A breadth-first crawl of a binary tree: fetching n/i discovers n/(2i+1) and n/(2i+2).
    // Bounded in time so that an orphaned child (parent panicked) does not run forever.
    let deadline = Instant::now() + Duration::from_secs(120);
    for i in 0u64.. {
        if Instant::now() > deadline {
            return;
        }
        let url = format!("{HOST}/n/{i}");
        let follow = [2 * i + 1, 2 * i + 2]
            .iter()
            .map(|c| {
                FrontierEntry::get(format!("{HOST}/n/{c}"), FetchPurpose::Crawl, 1)
                    .with_parent(&url)
            })
            .collect();
        handle.blocking_record(page(&url, 20), follow).unwrap();
    }
}

fn fetched_count(path: &Path) -> i64 {
    Store::open_readonly(path)
        .ok()
        .and_then(|s| {
            s.connection()
                .query_row("SELECT count(*) FROM fetches", [], |r| r.get(0))
                .ok()
        })
        .unwrap_or(0)
}

#[test]
fn kill_minus_nine_keeps_frontier_consistent() {
    let (_d, path) = temp_db();
    let run = Store::open(&path)
        .unwrap()
        .begin_run(&new_run("s"))
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    /// Kills the child if an assertion below panics.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = std::process::Command::new(exe)
        .args([
            "--exact",
            "tests::kill_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GONGKAI_STORE_KILL_CHILD", &path)
        .env("GONGKAI_STORE_KILL_RUN", run.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(KillOnDrop)
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while fetched_count(&path) < 300 {
        assert!(Instant::now() < deadline, "child wrote too little");
        assert!(child.0.try_wait().unwrap().is_none(), "child exited early");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.0.kill().unwrap(); // SIGKILL: no destructor, no commit of the open transaction
    child.0.wait().unwrap();

    let store = Store::open(&path).unwrap();
    assert_consistent(&store, run);
    let fetched = count(&store, "SELECT count(*) FROM fetches");
    assert!(fetched >= 300);
    // Every fetched node's children were queued in the same transaction.
    let missing_children: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM fetches f
             WHERE (SELECT count(*) FROM frontier fr WHERE fr.parent = f.url) <> 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(missing_children, 0);
    // Fetched nodes are a prefix 0..n of the tree (the writer committed in order).
    let mut nodes: Vec<i64> = store
        .fetches(run)
        .unwrap()
        .iter()
        .map(|f| f.record.url.rsplit('/').next().unwrap().parse().unwrap())
        .collect();
    nodes.sort_unstable();
    assert_eq!(nodes, (0..fetched).collect::<Vec<_>>());
    // Resume: the pending entries are exactly the unfetched children; finishing them leaves
    // nothing pending.
    let pending = store.frontier_pending(run).unwrap();
    let seen = store.frontier_seen(run).unwrap();
    assert_eq!(pending.len() as i64 + fetched, seen.len() as i64);
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    for e in &pending {
        handle.blocking_record(page(&e.url, 0), vec![]).unwrap();
    }
    writer.finish().unwrap();
    assert!(store.frontier_pending(run).unwrap().is_empty());
    assert_consistent(&store, run);
}

/// Process CPU seconds (Linux; 0 elsewhere), for throughput figures on a busy machine.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
            let ticks: f64 =
                after.get(11)?.parse::<f64>().ok()? + after.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

/// Throughput: `GONGKAI_STORE_PERF_PAGES` pages (default 2,000) with 40 links each through the
/// writer. Run with 20000 in release to see the production figure.
#[test]
fn writer_throughput() {
    let pages: usize = std::env::var("GONGKAI_STORE_PERF_PAGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let (_d, path) = temp_db();
    let run = Store::open(&path)
        .unwrap()
        .begin_run(&new_run("s"))
        .unwrap();
    let n_links: usize = std::env::var("GONGKAI_STORE_PERF_LINKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let with_follow = std::env::var("GONGKAI_STORE_PERF_FOLLOW").as_deref() != Ok("0");
    let records: Vec<FetchRecord> = (0..pages)
        .map(|i| {
            let url = format!("{HOST}/p/{i}.html");
            let mut r = page(&url, n_links);
            r.body = Some(
                format!("<html><title>{i}</title>{}</html>", "公开目录 ".repeat(500)).into_bytes(),
            );
            r
        })
        .collect();
    let started = Instant::now();
    let cpu = cpu_secs();
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    let producer = std::thread::spawn(move || {
        for r in records {
            if !with_follow {
                handle.blocking_record(r, vec![]).unwrap();
                continue;
            }
            let follow = r
                .model
                .as_ref()
                .unwrap()
                .links
                .iter()
                .filter_map(|l| l.url.clone())
                .map(|u| FrontierEntry::get(u, FetchPurpose::Crawl, 2))
                .collect();
            handle.blocking_record(r, follow).unwrap();
        }
    });
    producer.join().unwrap();
    let stats = writer.finish().unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "stored {pages} pages, {} links in {elapsed:?}, {:.2} s CPU ({} transactions)",
        stats.links,
        cpu_secs() - cpu,
        stats.transactions
    );
    assert_eq!(stats.records as usize, pages);
    let per_page = if n_links > 0 { n_links + 1 } else { 0 };
    assert_eq!(stats.links as usize, pages * per_page);
    let store = Store::open_readonly(&path).unwrap();
    let t = Instant::now();
    let cpu = cpu_secs();
    let site = store.load_site(run).unwrap();
    eprintln!(
        "load_site: {:?}, {:.2} s CPU",
        t.elapsed(),
        cpu_secs() - cpu
    );
    assert_eq!(site.pages.len(), pages);
    assert_eq!(site.links.len(), pages * per_page);
}
