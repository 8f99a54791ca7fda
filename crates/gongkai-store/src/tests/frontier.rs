//! The frontier: seen set, pending entries, done rows.

use super::{assert_consistent, check, new_run, page, temp_db, HOST};
use crate::*;
use gongkai_crawl::{FetchOutcome, FetchPurpose, Method};

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
