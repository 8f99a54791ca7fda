//! Runs: lifecycle, counts, which run a resume picks.

use super::{check, new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::FetchOutcome;

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
fn coverage_counts_cut_urls_once_and_partial_runs_are_finished() {
    use gongkai_core::{CutReason, CutUrl};
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("滕州")).unwrap();
    store
        .record(run, &page(&format!("{HOST}/"), 3), &[])
        .unwrap();
    let cut = |url: &str, reason| CutUrl {
        key: format!("GET {url}"),
        url: url.to_string(),
        reason,
        parent: Some(format!("{HOST}/")),
    };
    let (writer, handle) = StoreWriter::spawn(&path, run).unwrap();
    let batch = vec![
        cut(&format!("{HOST}/p/1.html"), CutReason::MaxPages),
        cut(&format!("{HOST}/p/2.html"), CutReason::MaxPages),
        cut(&format!("{HOST}/cal?d=1"), CutReason::QueryVariants),
        cut("http://other.example/", CutReason::OutOfScope),
    ];
    handle
        .blocking_send(StoreCommand::Cut(batch.clone()))
        .unwrap();
    // Found again after a resume: counted once.
    handle.blocking_send(StoreCommand::Cut(batch)).unwrap();
    // Turned away by the query-variant cap, then crawled from a list: not counted.
    let listed = format!("{HOST}/show?id=7");
    handle
        .blocking_send(StoreCommand::Cut(vec![cut(
            &listed,
            CutReason::QueryVariants,
        )]))
        .unwrap();
    handle
        .blocking_enqueue(vec![FrontierEntry::get(
            &listed,
            gongkai_core::FetchPurpose::Crawl,
            1,
        )])
        .unwrap();
    drop(handle);
    writer.finish().unwrap();

    let tally = store.record_coverage(run).unwrap();
    let cov = tally.coverage.clone();
    assert_eq!(cov.pages_fetched, 1);
    assert_eq!(cov.not_fetched.get("max-pages"), Some(&2));
    assert_eq!(cov.not_fetched.get("query-variants"), Some(&1));
    assert_eq!(cov.not_fetched.get("out-of-scope"), Some(&1));
    assert!(cov.partial());
    assert_eq!(
        store.run(run).unwrap().unwrap().coverage.as_ref(),
        Some(&cov)
    );
    assert!(!store.run(run).unwrap().unwrap().complete());
    assert_eq!(
        store.cut_urls(run, CutReason::MaxPages, 10).unwrap()[0].0,
        format!("{HOST}/p/1.html")
    );

    store.finish_run(run, RunStatus::Partial).unwrap();
    let info = store.run(run).unwrap().unwrap();
    assert_eq!(info.status, RunStatus::Partial);
    assert!(info.finished_at.is_some());
    assert_eq!(info.coverage.as_ref(), Some(&cov));
    // A scan hands the tally it took after the crawl to `finish_run_with`: the same record as
    // counting again.
    store
        .finish_run_with(run, RunStatus::Partial, Some(&tally))
        .unwrap();
    let again = store.run(run).unwrap().unwrap();
    assert_eq!(again.coverage, Some(cov));
    assert_eq!(again.outcome_counts, info.outcome_counts);
    assert_eq!(again.pages_fetched, info.pages_fetched);
    // A partial run is finished: nothing to resume.
    assert!(store.latest_unfinished_run().unwrap().is_none());
}

#[test]
fn degraded_runs_are_not_complete_and_never_the_baseline() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let r1 = store.begin_run(&new_run("滕州")).unwrap();
    store.finish_run(r1, RunStatus::Completed).unwrap();
    let r2 = store.begin_run(&new_run("滕州")).unwrap();
    store.finish_run(r2, RunStatus::Partial).unwrap();
    let r3 = store.begin_run(&new_run("滕州")).unwrap();
    store.finish_run(r3, RunStatus::Completed).unwrap();
    store
        .set_degraded(r3, Some("本次抓取页面 1 个，仅为上次完整运行 40 个的 2%"))
        .unwrap();
    store.set_unconfirmed(r3, 4).unwrap();
    let info = store.run(r3).unwrap().unwrap();
    assert!(!info.complete());
    assert_eq!(
        info.degraded.as_deref().map(|d| d.contains("2%")),
        Some(true)
    );
    assert_eq!(info.unconfirmed, Some(4));
    let r4 = store.begin_run(&new_run("滕州")).unwrap();
    // Neither the partial nor the degraded run: the last complete one.
    assert_eq!(store.baseline_run("滕州", r4).unwrap().unwrap().id, r1);
    assert!(store.baseline_run("other", r4).unwrap().is_none());
    store.set_degraded(r3, None).unwrap();
    assert!(store.run(r3).unwrap().unwrap().complete());
    assert_eq!(store.baseline_run("滕州", r4).unwrap().unwrap().id, r3);
}
