//! Opening databases: creation, newer schemas refused, v1 databases migrated in place.

use super::temp_db;
use crate::*;

#[test]
fn open_creates_and_refuses_newer() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.runs().unwrap(), vec![]);
    store
        .connection()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    drop(store);
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(
        err,
        StoreError::NewerSchema {
            found: 99,
            supported: SCHEMA_VERSION,
            ..
        }
    ));
    assert!(matches!(
        Store::open_readonly(&path).err().unwrap(),
        StoreError::NewerSchema { found: 99, .. }
    ));
    assert!(matches!(
        StoreWriter::spawn(&path, 1).err().unwrap(),
        StoreError::NewerSchema { .. }
    ));
}

/// A database written by a version-1 build (the v1 SQL, `user_version` = 1) is migrated in place
/// by a read-write open; its rows are kept and its queued frontier still resumes.
#[test]
fn v1_database_migrates_in_place() {
    let (_d, path) = temp_db();
    let html = b"<html><title>v1</title></html>";
    let sha = sha256_hex(html);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(crate::schema::V1).unwrap();
        conn.execute_batch("PRAGMA user_version = 1").unwrap();
        conn.execute(
            "INSERT INTO bodies (sha256, raw_len, compression, data, stored_at)
             VALUES (?1, ?2, 'none', ?3, '2025-06-30T08:00:01.000Z')",
            rusqlite::params![sha, html.len() as i64, &html[..]],
        )
        .unwrap();
        conn.execute_batch(
            r#"
            INSERT INTO runs (id, site, start_urls, settings, tool_version, as_of, started_at,
                              status)
            VALUES (1, '滕州', '["http://www.example.gov.cn/"]', '{"rate":2.0}', '0.1.0',
                    '2025-06-30', '2025-06-30T08:00:00.000Z', 'interrupted');
            INSERT INTO fetches (id, run_id, request_key, url, method, purpose, depth, outcome,
                                 status, final_url, fetched_at, elapsed_ms, body_sha256, title)
            VALUES (1, 1, 'GET http://www.example.gov.cn/', 'http://www.example.gov.cn/', 'GET',
                    'crawl', 0, 'ok', 200, 'http://www.example.gov.cn/',
                    '2025-06-30T08:00:01.000Z', 12, $SHA, 'v1');
            INSERT INTO links (run_id, source_fetch_id, seq, target_url, raw, kind, element,
                               anchor)
            VALUES (1, 1, 0, 'http://www.example.gov.cn/a.pdf', '/a.pdf', 'attachment',
                    'a[href]', '附件');
            INSERT INTO frontier (id, run_id, request_key, url, method, purpose, depth, state,
                                  fetch_id)
            VALUES (1, 1, 'GET http://www.example.gov.cn/', 'http://www.example.gov.cn/', 'GET',
                    'crawl', 0, 'done', 1);
            INSERT INTO frontier (id, run_id, request_key, url, method, request_body, purpose,
                                  depth, parent)
            VALUES (2, 1, 'HEAD http://www.example.gov.cn/a.pdf', 'http://www.example.gov.cn/a.pdf',
                    'HEAD', NULL, 'check', 1, 'http://www.example.gov.cn/'),
                   (3, 1, 'POST http://www.example.gov.cn/dp' || char(10) || 'col=1',
                    'http://www.example.gov.cn/dp', 'POST', 'col=1', 'crawl', 1,
                    'http://www.example.gov.cn/');
            INSERT INTO findings (run_id, rule, severity, url, department, message, fingerprint,
                                  fetch_id)
            VALUES (1, 'link.broken', 'error', 'http://www.example.gov.cn/', '市政府办公室',
                    '链接无法访问', 'fp-1', 1);
            "#
            .replace("$SHA", &format!("'{sha}'"))
            .as_str(),
        )
        .unwrap();
    }
    // A read-only open cannot migrate.
    assert!(matches!(
        Store::open_readonly(&path).err().unwrap(),
        StoreError::OlderSchema {
            found: 1,
            supported: SCHEMA_VERSION,
            ..
        }
    ));

    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let columns: Vec<String> = {
        let mut stmt = store
            .connection()
            .prepare("SELECT name FROM pragma_table_info('frontier') ORDER BY cid")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    assert_eq!(
        &columns[columns.len() - 2..],
        ["link_kind".to_owned(), "column_name".to_owned()]
    );

    // Rows intact.
    let run = store.run(1).unwrap().unwrap();
    assert_eq!(run.site, "滕州");
    assert_eq!(run.status, RunStatus::Interrupted);
    assert_eq!(run.settings["rate"], 2.0);
    let f = store.fetch(1).unwrap().unwrap();
    assert_eq!(f.title.as_deref(), Some("v1"));
    assert_eq!(f.body_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(store.body(&sha).unwrap().as_deref(), Some(&html[..]));
    assert!(store.verify_bodies().unwrap().is_empty());
    let findings = store.findings(1).unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].finding.fetch_id, Some(1));
    let links: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM link_targets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(links, 1);
    let link = store.page_links(1).unwrap();
    assert_eq!(link.len(), 1);
    assert_eq!(
        link[0].url.as_deref(),
        Some("http://www.example.gov.cn/a.pdf")
    );
    assert_eq!(
        (link[0].raw.as_str(), link[0].kind, link[0].anchor.as_str()),
        ("/a.pdf", gongkai_core::LinkKind::Attachment, "附件")
    );
    assert_eq!(store.frontier_seen(1).unwrap().len(), 3);
    let pending = store.frontier_pending(1).unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0].url, "http://www.example.gov.cn/a.pdf");
    assert_eq!(pending[0].method, gongkai_core::Method::Head);
    assert_eq!(pending[1].request_body.as_deref(), Some("col=1"));
    assert!(pending
        .iter()
        .all(|e| e.link_kind.is_none() && e.column.is_none()));
    assert_eq!(store.latest_unfinished_run().unwrap().unwrap().id, 1);

    // The resumed run writes the new columns beside the old rows.
    let e = FrontierEntry::get(
        "http://www.example.gov.cn/b.doc",
        gongkai_core::FetchPurpose::Check,
        1,
    )
    .with_link_kind(gongkai_core::LinkKind::Attachment)
    .with_column("规范性文件");
    store.enqueue(1, std::slice::from_ref(&e)).unwrap();
    assert_eq!(store.frontier_pending(1).unwrap()[2], e);
    drop(store);
    // Migrated once: reopening (also read-only) works and changes nothing.
    Store::open(&path).unwrap();
    assert_eq!(
        Store::open_readonly(&path)
            .unwrap()
            .frontier_pending(1)
            .unwrap()
            .len(),
        3
    );
}

/// A version-11 database's `links` rows become `link_defs` and `page_links` rows: each page keeps
/// its links in `seq` order (whatever order the rows were written in), the `links` view and
/// `link_targets` list the same links, and a page without links has no list.
#[test]
fn v11_link_rows_become_link_lists() {
    let (_d, path) = temp_db();
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        rusqlite_migration::Migrations::from_slice(&crate::schema::MIGRATIONS_SLICE[..11])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            r#"
            INSERT INTO runs (id, site, start_urls, settings, tool_version, as_of, started_at,
                              status)
            VALUES (1, 's', '["http://h/"]', '{}', '0.1.0', '2025-06-30',
                    '2025-06-30T08:00:00.000Z', 'completed');
            INSERT INTO fetches (id, run_id, request_key, url, method, purpose, depth, outcome,
                                 status, final_url, fetched_at, elapsed_ms, links_apart)
            VALUES (1, 1, 'GET http://h/', 'http://h/', 'GET', 'crawl', 0, 'ok', 200,
                    'http://h/', '2025-06-30T08:00:01.000Z', 1, 1),
                   (2, 1, 'GET http://h/a', 'http://h/a', 'GET', 'crawl', 1, 'ok', 200,
                    'http://h/a', '2025-06-30T08:00:02.000Z', 1, 1),
                   (3, 1, 'GET http://h/b', 'http://h/b', 'GET', 'crawl', 1, 'ok', 200,
                    'http://h/b', '2025-06-30T08:00:03.000Z', 1, 1);
            INSERT INTO links (id, run_id, source_fetch_id, seq, target_url, raw, kind, element,
                               anchor, skip, region, hidden)
            VALUES (10, 1, 1, 1, 'http://h/b', 'b', 'page', 'a[href]', '乙', NULL, 'chrome',
                    NULL),
                   (11, 1, 1, 0, 'http://h/a', 'a', 'page', 'a[href]', '甲', NULL, 'content',
                    'hidden attribute'),
                   (12, 1, 2, 0, NULL, 'mailto:x@h', 'page', 'a[href]', '信', 'mailto',
                    'content', NULL);
            "#,
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let home = store.page_links(1).unwrap();
    let got: Vec<(Option<&str>, &str, Option<&str>)> = home
        .iter()
        .map(|l| (l.url.as_deref(), l.anchor.as_str(), l.hidden.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("http://h/a"), "甲", Some("hidden attribute")),
            (Some("http://h/b"), "乙", None)
        ]
    );
    assert_eq!(home[1].region, gongkai_core::LinkRegion::Chrome);
    let a = store.page_links(2).unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(
        (a[0].url.as_deref(), a[0].skip),
        (None, Some(gongkai_core::SkipReason::Mailto))
    );
    assert!(store.page_links(3).unwrap().is_empty());
    let rows: Vec<(i64, i64, i64, String)> = {
        let mut stmt = store
            .connection()
            .prepare(
                "SELECT id, source_fetch_id, seq, raw FROM links ORDER BY source_fetch_id, seq",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    assert_eq!(
        rows,
        [
            (11, 1, 0, "a".to_owned()),
            (10, 1, 1, "b".to_owned()),
            (12, 2, 0, "mailto:x@h".to_owned())
        ]
    );
    let reached: Vec<(i64, Option<i64>)> = {
        let mut stmt = store
            .connection()
            .prepare(
                "SELECT seq, target_fetch_id FROM link_targets WHERE source_fetch_id = 1
                 ORDER BY seq",
            )
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    assert_eq!(reached, [(0, Some(2)), (1, Some(3))]);
}
