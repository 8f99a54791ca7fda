//! Page texts stored apart from the model JSON (schema version 10), and rows written before,
//! with the text inside the JSON, reading the same.

use super::{new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::{FetchPurpose, PageModel, EXTRACTOR_VERSION};

fn with_text(url: &str, text: &str) -> gongkai_core::FetchRecord {
    let mut rec = page(url, 2);
    rec.model.as_mut().unwrap().text = text.into();
    rec
}

/// True when row `id` holds `text` in its `text` column and not in its model JSON.
fn text_only_in_its_column(store: &Store, id: i64, text: &str) -> bool {
    store
        .connection()
        .query_row(
            "SELECT count(*) FROM fetches WHERE id = ?1
             AND json_extract(model, '$.text') IS NULL AND text = ?2",
            rusqlite::params![id, text],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        == 1
}

/// Turns row `id` into the form a version-9 build wrote: the whole model in the JSON (its
/// links too, which version 11 keeps only as rows).
fn as_written_before(store: &Store, id: i64, model: &PageModel) {
    let json = serde_json::to_string(model).unwrap();
    store
        .connection()
        .execute(
            "UPDATE fetches SET model = ?2, text = NULL, links_apart = 0 WHERE id = ?1",
            rusqlite::params![id, json],
        )
        .unwrap();
}

#[test]
fn old_and_new_rows_read_the_same_model() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let r1 = store.begin_run(&new_run("s")).unwrap();
    let home = format!("{HOST}/");
    let new_url = format!("{HOST}/art/0.html");
    let old_url = format!("{HOST}/art/1.html");
    let new_rec = with_text(&new_url, "新格式的正文 \"text\": {}");
    let old_rec = with_text(&old_url, "旧格式的正文");
    store.record(r1, &with_text(&home, "首页"), &[]).unwrap();
    let new_id = store.record(r1, &new_rec, &[]).unwrap();
    let old_id = store.record(r1, &old_rec, &[]).unwrap();
    as_written_before(&store, old_id, old_rec.model.as_ref().unwrap());
    // The new row keeps its text once, in its own column.
    assert!(text_only_in_its_column(
        &store,
        new_id,
        "新格式的正文 \"text\": {}"
    ));
    for (id, url, rec) in [(new_id, &new_url, &new_rec), (old_id, &old_url, &old_rec)] {
        // Whole-model readers: the fetch, and the validators a 304 reuses the model from.
        let f = store.fetch(id).unwrap().unwrap();
        assert_eq!(f.record.model, rec.model, "{url}");
        let v = store.validators(url).unwrap().unwrap();
        let mut m: PageModel = serde_json::from_str(v.model_json.as_deref().unwrap()).unwrap();
        if let Some(source) = v.links_of {
            m.links = store.page_links(source).unwrap();
        }
        assert_eq!(Some(m), rec.model, "{url}");
    }
    assert!(store
        .stale_models(r1, EXTRACTOR_VERSION)
        .unwrap()
        .is_empty());
    let site = store.load_site(r1).unwrap();
    let text_of = |site: &gongkai_core::Site, url: &str| {
        let i = site.pages.iter().position(|p| p.url == url).unwrap();
        site.page_text(i).into_owned()
    };
    assert_eq!(text_of(&site, &new_url), "新格式的正文 \"text\": {}");
    assert_eq!(text_of(&site, &old_url), "旧格式的正文");
    // Three pages of `links(2)` (two links and a mailto each).
    assert_eq!(site.link_table.iter().count(), 3 * 3);
    store.finish_run(r1, RunStatus::Completed).unwrap();

    // Carried forward by a night, both read their original's model and text.
    let r2 = store.begin_run(&new_run("s")).unwrap();
    let mut tonight = page(&home, 3);
    tonight.depth = 0;
    store.record(r2, &tonight, &[]).unwrap();
    store.carry_forward(r2, r1, "2025-07-01").unwrap();
    let site = store.load_site(r2).unwrap();
    assert_eq!(text_of(&site, &new_url), "新格式的正文 \"text\": {}");
    assert_eq!(text_of(&site, &old_url), "旧格式的正文");
    for (url, rec) in [(&new_url, &new_rec), (&old_url, &old_rec)] {
        let f = store.fetch_by_url(r2, url).unwrap().unwrap();
        assert_eq!(f.record.model, rec.model, "{url}");
    }

    // Re-extracted, an old row takes the new form (a carried one gets a model of its own).
    let carried_old = store.fetch_by_url(r2, &old_url).unwrap().unwrap().id;
    let mut m = old_rec.model.clone().unwrap();
    m.text = "重新抽取的正文".into();
    store
        .update_models(&mut [(old_id, m.clone()), (carried_old, m.clone())])
        .unwrap();
    for id in [old_id, carried_old] {
        assert_eq!(
            store.fetch(id).unwrap().unwrap().record.model,
            Some(m.clone())
        );
        assert!(text_only_in_its_column(&store, id, "重新抽取的正文"));
    }
    assert_eq!(
        text_of(&store.load_site(r2).unwrap(), &old_url),
        "重新抽取的正文"
    );
    // A third night copies the carried row's own model with its text.
    let r3 = store.begin_run(&new_run("s")).unwrap();
    store.record(r3, &tonight, &[]).unwrap();
    store.carry_forward(r3, r2, "2025-07-02").unwrap();
    let f = store.fetch_by_url(r3, &old_url).unwrap().unwrap();
    assert_eq!(f.record.model, Some(m));
}

#[test]
fn texts_of_checked_pages_are_loaded_with_their_model() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let mut rec = with_text(&format!("{HOST}/elsewhere"), "目标正文");
    rec.purpose = FetchPurpose::Check;
    store.record(run, &rec, &[]).unwrap();
    let site = store.load_site(run).unwrap();
    assert_eq!(site.pages[0].model.as_ref().unwrap().text, "目标正文");
}

#[test]
fn a_text_that_cannot_be_read_is_counted_not_passed_over() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    store
        .record(run, &with_text(&format!("{HOST}/"), "首页"), &[])
        .unwrap();
    let bad = store
        .record(run, &with_text(&format!("{HOST}/art/0.html"), "正文"), &[])
        .unwrap();
    let bad_text = store
        .record(run, &with_text(&format!("{HOST}/art/1.html"), "正文"), &[])
        .unwrap();
    // Damaged rows: a text column holding bytes (a blob), and one holding text that is not
    // UTF-8 after a Chinese character.
    let conn = store.connection();
    conn.execute("UPDATE fetches SET text = X'FFFE' WHERE id = ?1", [bad])
        .unwrap();
    conn.execute(
        "UPDATE fetches SET text = CAST(X'E6ADA3FF' AS TEXT) WHERE id = ?1",
        [bad_text],
    )
    .unwrap();
    let site = store.load_site(run).unwrap();
    assert!(site.texts.failures().is_none(), "nothing read yet");
    assert_eq!(site.page_text(0), "首页");
    assert_eq!(site.page_text(1), "", "read as empty ...");
    assert_eq!(site.page_text(1), "");
    let (n, first) = site.texts.failures().expect("... and counted");
    assert_eq!(n, 2);
    assert!(first.starts_with(&format!("fetch {bad}:")), "{first}");
    assert_eq!(site.page_text(2), "");
    assert_eq!(site.texts.failures().map(|f| f.0), Some(3));
}

#[test]
fn threads_reading_texts_at_once_each_get_their_own() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let texts: Vec<String> = (0..40).map(|k| format!("第{k}页的正文")).collect();
    for (k, t) in texts.iter().enumerate() {
        store
            .record(run, &with_text(&format!("{HOST}/art/{k}.html"), t), &[])
            .unwrap();
    }
    let site = store.load_site(run).unwrap();
    // The rules read texts from one thread per core: the readers are shared, never mixed up.
    std::thread::scope(|s| {
        for shift in 0..4 {
            let (site, texts) = (&site, &texts);
            s.spawn(move || {
                for round in 0..25 {
                    for k in 0..texts.len() {
                        let k = (k * 7 + shift + round) % texts.len();
                        assert_eq!(site.page_text(k), texts[k].as_str());
                    }
                }
            });
        }
    });
    assert!(site.texts.failures().is_none());
}
