//! The frontier: seen set, pending entries, done rows, link kinds and columns.

use super::{assert_consistent, check, new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::LinkKind;
use gongkai_core::{FetchOutcome, FetchPurpose, Method};

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
fn frontier_keeps_link_kind_and_column() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let home = format!("{HOST}/");
    let kinds = [
        (LinkKind::Page, "page"),
        (LinkKind::Image, "image"),
        (LinkKind::Attachment, "attachment"),
        (LinkKind::Script, "script"),
        (LinkKind::Style, "style"),
        (LinkKind::Frame, "frame"),
        (LinkKind::Media, "media"),
    ];
    let direct: Vec<FrontierEntry> = kinds
        .iter()
        .map(|(kind, code)| {
            FrontierEntry::get(format!("{HOST}/{code}"), FetchPurpose::Check, 1)
                .with_parent(&home)
                .with_link_kind(*kind)
        })
        .collect();
    store.enqueue(run, &direct).unwrap();
    // A Hanweb list POST carries its column's name; a start URL carries neither.
    let mut post = FrontierEntry::get(format!("{HOST}/dataproxy.jsp"), FetchPurpose::Crawl, 2)
        .with_parent(&home)
        .with_link_kind(LinkKind::Page)
        .with_column("规范性文件");
    post.method = Method::Post;
    post.request_body = Some("col=1&columnid=12&startrecord=1&endrecord=45".into());
    let start = FrontierEntry::get(format!("{HOST}/start"), FetchPurpose::Crawl, 0);
    store
        .record(run, &page(&home, 0), &[post.clone(), start.clone()])
        .unwrap();
    // Through the writer thread too.
    let via_writer = FrontierEntry::get(format!("{HOST}/w.doc"), FetchPurpose::Check, 3)
        .with_link_kind(LinkKind::Attachment)
        .with_column("政策解读");
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    handle.blocking_enqueue(vec![via_writer.clone()]).unwrap();
    writer.finish().unwrap();
    // The first enqueue wins: re-queueing with other values changes nothing.
    store
        .enqueue(
            run,
            &[post
                .clone()
                .with_link_kind(LinkKind::Frame)
                .with_column("x")],
        )
        .unwrap();

    let mut expected = direct;
    expected.extend([post, start, via_writer]);
    assert_eq!(store.frontier_pending(run).unwrap(), expected);
    let codes: Vec<Option<String>> = {
        let mut stmt = store
            .connection()
            .prepare("SELECT link_kind FROM frontier WHERE run_id = ?1 ORDER BY id")
            .unwrap();
        let rows = stmt.query_map([run], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    let mut want: Vec<Option<String>> = kinds.iter().map(|(_, c)| Some(c.to_string())).collect();
    // post, start, home (recorded, never queued: done at once), via_writer
    want.extend([Some("page".into()), None, None, Some("attachment".into())]);
    assert_eq!(codes, want);
    assert_consistent(&store, run);

    // An unknown code is reported, not guessed.
    store
        .connection()
        .execute(
            "UPDATE frontier SET link_kind = 'hologram' WHERE url = ?1",
            [format!("{HOST}/start")],
        )
        .unwrap();
    assert!(matches!(
        store.frontier_pending(run).unwrap_err(),
        StoreError::BadValue {
            column: "frontier.link_kind",
            ..
        }
    ));
}

/// `gongkai check` rebuilds a Hanweb list model with the column its POST was queued with.
#[test]
fn frontier_column_is_read_back_by_request_key() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let mut post =
        FrontierEntry::get(format!("{HOST}/dp"), FetchPurpose::Crawl, 1).with_column("规范性文件");
    post.method = Method::Post;
    post.request_body = Some("col=1".into());
    let plain = FrontierEntry::get(format!("{HOST}/a"), FetchPurpose::Crawl, 1);
    store.enqueue(run, &[post.clone(), plain.clone()]).unwrap();
    let col = |e: &FrontierEntry| store.frontier_column(run, &e.request_key()).unwrap();
    assert_eq!(col(&post).as_deref(), Some("规范性文件"));
    assert_eq!(col(&plain), None);
    let unknown = FrontierEntry::get(format!("{HOST}/never"), FetchPurpose::Crawl, 1);
    assert_eq!(col(&unknown), None);
}

#[test]
fn failed_entries_come_back_with_their_fetch_for_a_resume() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let mut gone = FrontierEntry::get(format!("{HOST}/gone.pdf"), FetchPurpose::Check, 1)
        .with_parent(format!("{HOST}/"));
    gone.method = Method::Head;
    gone.link_kind = Some(LinkKind::Attachment);
    let fine = FrontierEntry::get(format!("{HOST}/ok.pdf"), FetchPurpose::Check, 1);
    let later = FrontierEntry::get(format!("{HOST}/later"), FetchPurpose::Crawl, 1);
    store
        .enqueue(run, &[gone.clone(), fine.clone(), later])
        .unwrap();
    store
        .record(
            run,
            &check(&gone.url, FetchOutcome::NotFound, Some(404)),
            &[],
        )
        .unwrap();
    store
        .record(run, &check(&fine.url, FetchOutcome::Ok, Some(200)), &[])
        .unwrap();
    let failed = store
        .frontier_failed(run, &["not-found", "server-error", "x'; DROP"])
        .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, gone);
    let fetch = store.fetch(failed[0].1).unwrap().unwrap();
    assert_eq!(fetch.record.outcome, FetchOutcome::NotFound);
    assert!(store.frontier_failed(run, &[]).unwrap().is_empty());
}
