//! Store tests on temporary databases: shared fixtures here, one file per area beside it.

mod attachments;
mod crash;
mod fetches;
mod findings;
mod frontier;
mod links_apart;
mod nights;
mod runs;
mod schema;
mod seals;
mod serve;
mod site;
mod texts;
mod writer;

use crate::*;
use gongkai_core::{FetchOutcome, FetchPurpose, FetchRecord, Method};
use gongkai_core::{Link, LinkKind, PageModel, SkipReason, EXTRACTOR_VERSION};
use std::path::PathBuf;

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
            region: Default::default(),
            hidden: None,
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
            region: Default::default(),
            hidden: None,
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
            title: format!("标题 {url}").into(),
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
