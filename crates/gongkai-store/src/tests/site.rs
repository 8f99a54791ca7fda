//! The rules' input (`load_site`) and stored page models.

use super::{assert_consistent, body_for, check, count, new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::EXTRACTOR_VERSION;
use gongkai_core::{FetchOutcome, FetchPurpose, Method};

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
    // The links are held once, in `site.link_table`: the loaded models carry none.
    assert!(p0.model.as_ref().unwrap().links.is_empty());
    assert_eq!(
        p0.body_sha256.as_deref(),
        Some(sha256_hex(&body_for(&home)).as_str())
    );
    assert_eq!(site.pages[1].outcome, FetchOutcome::NotFound);
    assert!(!site.pages[1].crawled);
    assert!(site.pages[2].model.is_some());
    assert!(site.links.is_empty(), "loaded links are in the table only");
    let links: Vec<_> = site.link_table.iter().collect();
    assert_eq!(links.len(), 4, "links of crawled pages only");
    assert!(links.iter().all(|l| l.source_page == 0));
    assert_eq!(
        links[0].target_url,
        Some(format!("{HOST}/art/0.html").as_str())
    );
    assert_eq!(links[0].anchor, "第0条 政策解读");
    assert_eq!(links[3].target_url, None);

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
    // A model of an older extractor with fields missing still loads (serde defaults, version 0)
    // and is stale.
    store
        .connection()
        .execute(
            "UPDATE fetches SET model = '{\"old\": true}', extractor_version = 0 WHERE id = ?1",
            [id2],
        )
        .unwrap();
    // A model that no longer parses (a field of another type) and whose version is not known
    // is ignored, and stale too.
    store
        .connection()
        .execute(
            "UPDATE fetches SET model = '{\"title\": 5}', extractor_version = NULL WHERE id = ?1",
            [id],
        )
        .unwrap();
    let site = store.load_site(run).unwrap();
    assert!(site.pages[0].model.is_none());
    assert_eq!(site.pages[1].model.as_ref().unwrap().extractor_version, 0);
    assert_eq!(
        store.stale_models(run, EXTRACTOR_VERSION).unwrap(),
        vec![id, id2]
    );

    let mut m = page(&url, 6).model.unwrap();
    m.title = "新标题".into();
    let m2 = page(&format!("{HOST}/2"), 1).model.unwrap();
    let stats = store
        .update_models(&mut [(id, m.clone()), (id2, m2), (9999, m.clone())])
        .unwrap();
    assert_eq!(stats.links, 7 + 2);
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
fn link_regions_round_trip() {
    use gongkai_core::LinkRegion;
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let mut rec = page(&format!("{HOST}/"), 4);
    let regions = [
        LinkRegion::Content,
        LinkRegion::Related,
        LinkRegion::Chrome,
        LinkRegion::Other,
    ];
    let links = &mut rec.model.as_mut().unwrap().links;
    for (l, r) in links.iter_mut().zip(regions) {
        l.region = r;
    }
    let id = store.record(run, &rec, &[]).unwrap();
    // The rules' input keeps each link's region.
    let site = store.load_site(run).unwrap();
    let got: Vec<LinkRegion> = site.link_table.iter().take(4).map(|l| l.region).collect();
    assert_eq!(got, regions);
    // And the links table holds it as its serde code.
    let stored: Vec<String> = {
        let mut stmt = store
            .connection()
            .prepare("SELECT region FROM links WHERE source_fetch_id = ?1 ORDER BY seq LIMIT 4")
            .unwrap();
        let rows = stmt.query_map([id], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    assert_eq!(stored, ["content", "related", "chrome", "other"]);
}

#[test]
fn crawled_page_texts_are_read_from_the_store_on_demand() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let r1 = store.begin_run(&new_run("s")).unwrap();
    let with_text = |url: &str, purpose: FetchPurpose, text: &str| {
        let mut rec = page(url, 1);
        rec.purpose = purpose;
        rec.model.as_mut().unwrap().text = text.into();
        rec
    };
    // The home page links /art/0.html (`page`'s first link), so a night carries it forward.
    let home = format!("{HOST}/");
    let art = format!("{HOST}/art/0.html");
    store
        .record(r1, &with_text(&home, FetchPurpose::Crawl, "首页正文"), &[])
        .unwrap();
    store
        .record(r1, &with_text(&art, FetchPurpose::Crawl, "文章正文"), &[])
        .unwrap();
    let target = format!("{HOST}/other");
    store
        .record(
            r1,
            &with_text(&target, FetchPurpose::Check, "目标正文"),
            &[],
        )
        .unwrap();
    store.finish_run(r1, RunStatus::Completed).unwrap();

    let cache_size = || -> i64 {
        store
            .connection()
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap()
    };
    let before = cache_size();
    let site = store.load_site(r1).unwrap();
    assert_eq!(
        cache_size(),
        before,
        "the page cache is small only while loading"
    );
    assert!(site.texts.is_set());
    // Crawled pages hold no text; it is read when asked.
    assert_eq!(site.pages[0].model.as_ref().unwrap().text, "");
    assert_eq!(site.page_text(0), "首页正文");
    assert_eq!(site.page_text(1), "文章正文");
    // A checked target keeps its (small) text in memory.
    assert_eq!(site.pages[2].model.as_ref().unwrap().text, "目标正文");
    assert_eq!(site.page_text(2), "目标正文");
    assert_eq!(site.page_text(9), "");

    // A night that carries the article forward reads the original row's text.
    let r2 = store.begin_run(&new_run("s")).unwrap();
    let mut tonight = with_text(&home, FetchPurpose::Crawl, "首页正文");
    tonight.depth = 0;
    store.record(r2, &tonight, &[]).unwrap();
    store.carry_forward(r2, r1, "2025-07-01").unwrap();
    let site = store.load_site(r2).unwrap();
    let i = site.pages.iter().position(|p| p.url == art).unwrap();
    let carried = format!(
        "SELECT count(*) FROM fetches WHERE id = {} AND carried_from IS NOT NULL AND model IS NULL",
        site.pages[i].fetch_id
    );
    assert_eq!(count(&store, &carried), 1);
    assert_eq!(site.page_text(i), "文章正文");
}

#[test]
fn stale_models_of_carried_rows_answer_with_their_original() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let r1 = store.begin_run(&new_run("s")).unwrap();
    let home = format!("{HOST}/");
    let art = format!("{HOST}/art/0.html");
    store.record(r1, &page(&home, 3), &[]).unwrap();
    let art1 = store.record(r1, &page(&art, 1), &[]).unwrap();
    store.finish_run(r1, RunStatus::Completed).unwrap();
    let r2 = store.begin_run(&new_run("s")).unwrap();
    let mut tonight = page(&home, 3);
    tonight.depth = 0;
    store.record(r2, &tonight, &[]).unwrap();
    store.carry_forward(r2, r1, "2025-07-01").unwrap();
    let carried: i64 = store
        .connection()
        .query_row(
            "SELECT id FROM fetches WHERE run_id = ?1 AND carried_from = ?2",
            [r2, art1],
            |r| r.get(0),
        )
        .unwrap();
    assert!(store
        .stale_models(r2, EXTRACTOR_VERSION)
        .unwrap()
        .is_empty());
    // The original was made by an older extractor: the carried row shares its model, so it is
    // stale too, whatever version was copied onto it.
    store
        .connection()
        .execute(
            "UPDATE fetches SET extractor_version = 0 WHERE id = ?1",
            [art1],
        )
        .unwrap();
    assert_eq!(
        store.stale_models(r2, EXTRACTOR_VERSION).unwrap(),
        vec![carried]
    );
    assert_eq!(
        store.stale_models(r1, EXTRACTOR_VERSION).unwrap(),
        vec![art1]
    );
    // Re-extracted on the carried row, the model is its own and current.
    let m = page(&art, 1).model.unwrap();
    store.update_models(&mut [(carried, m)]).unwrap();
    assert!(store
        .stale_models(r2, EXTRACTOR_VERSION)
        .unwrap()
        .is_empty());
    // Rows without a model (a check's answer) are never stale.
    let id = store
        .record(
            r2,
            &check(&format!("{HOST}/x"), FetchOutcome::Ok, Some(200)),
            &[],
        )
        .unwrap();
    assert!(!store
        .stale_models(r2, EXTRACTOR_VERSION + 1)
        .unwrap()
        .contains(&id));
}
