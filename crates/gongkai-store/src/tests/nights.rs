//! Incremental nights: carrying a previous run's unvisited rows forward.

use super::{check, count, new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::FetchOutcome;

/// A first run with the home page (linking /art/0..2) and the page /art/1.
fn first_run(store: &Store) -> i64 {
    let r1 = store.begin_run(&new_run("滕州")).unwrap();
    store
        .record(r1, &page(&format!("{HOST}/"), 3), &[])
        .unwrap();
    store
        .record(r1, &page(&format!("{HOST}/art/1.html"), 2), &[])
        .unwrap();
    r1
}

/// A night that fetches only the home page (the start page, depth 0): its run and that record.
fn night_of_home(store: &Store) -> (i64, gongkai_core::FetchRecord) {
    let run = store.begin_run(&new_run("滕州")).unwrap();
    let mut home = page(&format!("{HOST}/"), 3);
    home.depth = 0;
    store.record(run, &home, &[]).unwrap();
    (run, home)
}

#[test]
fn carry_forward_copies_rows_links_and_dates_and_drops_unlinked_pages() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    // /art/1 and /orphan are pages.
    let r1 = first_run(&store);
    store
        .record(r1, &page(&format!("{HOST}/orphan.html"), 0), &[])
        .unwrap();
    store
        .record(
            r1,
            &check(
                &format!("{HOST}/art/2.html"),
                FetchOutcome::NotFound,
                Some(404),
            ),
            &[],
        )
        .unwrap();
    store.mark_verified(r1, "2025-06-30").unwrap();
    store.finish_run(r1, RunStatus::Completed).unwrap();

    // Tonight only the home page is fetched.
    let (r2, home) = night_of_home(&store);
    let c = store.carry_forward(r2, r1, "2025-07-01").unwrap();
    // /art/1.html is carried (linked from the home page); /orphan.html is linked by nothing.
    assert_eq!((c.pages, c.checks), (1, 1), "{c:?}");
    assert_eq!(c.oldest.as_deref(), Some("2025-06-30"));
    let rows = |sql: &str| count(&store, &sql.replace("R2", &r2.to_string()));
    assert_eq!(rows("SELECT count(*) FROM fetches WHERE run_id = R2"), 3);
    assert_eq!(
        rows("SELECT count(*) FROM fetches WHERE run_id = R2 AND url LIKE '%orphan%'"),
        0
    );
    assert_eq!(
        rows("SELECT count(*) FROM fetches WHERE run_id = R2 AND carried_from IS NULL AND verified_on = '2025-07-01'"),
        1
    );
    // A carried failure is the base run's verification, not a second one (confirm_runs).
    let art2 = format!("{HOST}/art/2.html");
    assert_eq!(
        store.verified_outcome(r2, &art2).unwrap(),
        Some((FetchOutcome::NotFound, true))
    );
    assert_eq!(
        store.verified_outcome(r1, &art2).unwrap(),
        Some((FetchOutcome::NotFound, false))
    );
    assert_eq!(
        store
            .verified_outcome(r2, "http://elsewhere.invalid/")
            .unwrap(),
        None
    );
    // The carried page keeps its links (2 + a mailto) and its frontier row.
    let art1 = store
        .fetch_by_url(r2, &format!("{HOST}/art/1.html"))
        .unwrap()
        .unwrap();
    assert_eq!(
        store.fetch_verified(art1.id).unwrap(),
        Some(("2025-06-30".into(), true))
    );
    assert_eq!(
        rows(&format!(
            "SELECT count(*) FROM link_targets WHERE run_id = {r2} AND source_fetch_id = {}",
            art1.id
        )),
        3
    );
    assert_eq!(
        rows(&format!(
            "SELECT count(*) FROM frontier WHERE fetch_id = {}",
            art1.id
        )),
        1
    );
    // It shares the original's model and links instead of copying them ...
    assert!(
        art1.record.model.is_some(),
        "the model comes from the original row"
    );
    assert_eq!(
        rows(&format!(
            "SELECT count(*) FROM fetches WHERE id = {} AND model IS NULL",
            art1.id
        )),
        1
    );
    assert_eq!(
        rows(&format!(
            "SELECT count(*) FROM links WHERE source_fetch_id = {}",
            art1.id
        )),
        0
    );
    // ... and a second night carries it from the original, not from the copy.
    let original = store
        .fetch_by_url(r1, &format!("{HOST}/art/1.html"))
        .unwrap()
        .unwrap();
    let r3 = store.begin_run(&new_run("滕州")).unwrap();
    store.record(r3, &home, &[]).unwrap();
    store.carry_forward(r3, r2, "2025-07-02").unwrap();
    let again = store
        .fetch_by_url(r3, &format!("{HOST}/art/1.html"))
        .unwrap()
        .unwrap();
    assert_eq!(again.record.model, original.record.model);
    assert_eq!(
        rows(&format!(
            "SELECT count(*) FROM fetches WHERE id = {} AND carried_from = {}",
            again.id, original.id
        )),
        1
    );
    // The night's record round-trips.
    let rec = serde_json::json!({"mode": "incremental", "base_run": r1});
    store.set_run_nights(r2, &rec).unwrap();
    assert_eq!(store.run_nights(r2).unwrap(), Some(rec));
    assert_eq!(store.run_nights(r1).unwrap(), None);
    // What the schedule reads from a run.
    let prior = store.night_prior_rows(r1).unwrap();
    assert_eq!(prior.len(), 4);
    assert!(prior.iter().all(|p| p.verified_on == "2025-06-30"));
}

#[test]
fn rows_are_verified_on_the_run_night_as_they_are_written() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("滕州")).unwrap();
    // Written before the run has a night record: marked when the run is finished.
    let early = store
        .record(run, &page(&format!("{HOST}/early.html"), 1), &[])
        .unwrap();
    store
        .set_run_nights(
            run,
            &serde_json::json!({"mode": "full", "night": "2025-07-02"}),
        )
        .unwrap();
    let home = store
        .record(run, &page(&format!("{HOST}/"), 3), &[])
        .unwrap();
    // The batched writer marks its rows too.
    let (writer, _h) = StoreWriter::spawn(&path, run).unwrap();
    writer
        .record(check(&format!("{HOST}/x.pdf"), FetchOutcome::Ok, Some(200)))
        .unwrap();
    writer.finish().unwrap();
    let x = store
        .fetch_by_url(run, &format!("{HOST}/x.pdf"))
        .unwrap()
        .unwrap()
        .id;
    let verified = |id: i64| -> Option<String> {
        store
            .connection()
            .query_row("SELECT verified_on FROM fetches WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(verified(early), None);
    assert_eq!(verified(home).as_deref(), Some("2025-07-02"));
    assert_eq!(verified(x).as_deref(), Some("2025-07-02"));
    store.mark_verified(run, "2025-07-02").unwrap();
    assert_eq!(verified(early).as_deref(), Some("2025-07-02"));
}

#[test]
fn a_nights_coverage_counts_carried_pages_as_read_and_carried_non_html_as_not() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    // /art/1 is a page, /art/2 answered with a PDF.
    let r1 = first_run(&store);
    let mut file = page(&format!("{HOST}/art/2.html"), 0);
    file.model = None;
    file.content_type = Some("application/pdf".into());
    store.record(r1, &file, &[]).unwrap();
    store.mark_verified(r1, "2025-06-30").unwrap();
    let first = store.record_coverage(r1).unwrap();
    assert_eq!(first.coverage.unreadable.get("not-html"), Some(&1));
    store.finish_run(r1, RunStatus::Completed).unwrap();

    // Tonight only the home page is fetched; the page and the file are carried.
    let (r2, _) = night_of_home(&store);
    let c = store.carry_forward(r2, r1, "2025-07-01").unwrap();
    assert_eq!(c.pages, 2, "{c:?}");
    let night = store.record_coverage(r2).unwrap();
    assert_eq!(night.coverage.pages_fetched, 1);
    assert_eq!(night.pages, 3);
    // A carried page reads its original's model: it is not "not HTML".
    assert_eq!(
        night.coverage.unreadable.get("not-html"),
        Some(&1),
        "{:?}",
        night.coverage
    );
}
