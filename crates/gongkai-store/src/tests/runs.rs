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
