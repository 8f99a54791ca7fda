//! A crawled page's links stored once, as `links` rows (schema version 11): every reader of a
//! model gives them back as they were recorded, every field included, and rows written before
//! (links inside the JSON) read the same.

use super::{new_run, page, temp_db, HOST};
use crate::*;
use gongkai_core::{FetchPurpose, Link, LinkKind, LinkRegion, PageModel, SkipReason};

/// Links with every field set in some way: kinds, skips, regions, hidden, no URL, quotes.
fn varied_links() -> Vec<Link> {
    let kinds = [
        LinkKind::Page,
        LinkKind::Image,
        LinkKind::Attachment,
        LinkKind::Script,
        LinkKind::Style,
        LinkKind::Frame,
    ];
    let regions = [
        LinkRegion::Content,
        LinkRegion::Related,
        LinkRegion::Chrome,
        LinkRegion::Other,
    ];
    let skips = [None, Some(SkipReason::Mailto), Some(SkipReason::Javascript)];
    (0..24)
        .map(|i| Link {
            raw: format!("/a/{i}.html?q=\"x\"&b"),
            url: (i % 5 != 4).then(|| format!("{HOST}/a/{i}.html")),
            kind: kinds[i % kinds.len()],
            element: if i % 2 == 0 { "a[href]" } else { "img[src]" }.to_owned(),
            anchor: format!("第{i}个 \"链接\" \\ "),
            skip: skips[i % skips.len()],
            region: regions[i % regions.len()],
            hidden: (i % 3 == 0).then(|| "style=\"display:none\"".to_owned()),
        })
        .collect()
}

fn model_json(store: &Store, id: i64) -> serde_json::Value {
    let json: String = store
        .connection()
        .query_row("SELECT model FROM fetches WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn every_reader_gives_a_crawled_pages_links_back_whole() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let url = format!("{HOST}/doc.html");
    let mut rec = page(&url, 0);
    rec.model.as_mut().unwrap().links = varied_links();
    let id = store.record(run, &rec, &[]).unwrap();
    let want = rec.model.clone();

    // Stored once: the rows, not the JSON.
    assert!(model_json(&store, id).get("links").is_none());
    let rows: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM links WHERE source_fetch_id = ?1 AND hidden IS NOT NULL",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 8);

    assert_eq!(store.fetch(id).unwrap().unwrap().record.model, want);
    assert_eq!(
        store.fetch_by_url(run, &url).unwrap().unwrap().record.model,
        want
    );
    assert_eq!(store.fetches(run).unwrap()[0].record.model, want);
    let v = store.validators(&url).unwrap().unwrap();
    let mut m: PageModel = serde_json::from_str(v.model_json.as_deref().unwrap()).unwrap();
    assert_eq!(v.links_of, Some(id), "the links are the page's rows");
    if let Some(source) = v.links_of {
        m.links = store.page_links(source).unwrap();
    }
    assert_eq!(Some(m), want);
    let site = store.load_site(run).unwrap();
    let loaded: Vec<_> = site
        .link_table
        .links_of(0)
        .map(|l| {
            let hidden = l.hidden.map(str::to_owned);
            (
                l.target_url.map(str::to_owned),
                l.kind,
                l.element.to_owned(),
                l.anchor.to_owned(),
                l.skip,
                l.region,
                hidden,
            )
        })
        .collect();
    let recorded: Vec<_> = want
        .unwrap()
        .links
        .into_iter()
        .map(|l| {
            (
                l.url, l.kind, l.element, l.anchor, l.skip, l.region, l.hidden,
            )
        })
        .collect();
    assert_eq!(loaded, recorded);
}

#[test]
fn checked_pages_keep_their_links_in_the_json_and_old_rows_read_as_before() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let mut checked = page(&format!("{HOST}/elsewhere.html"), 2);
    checked.purpose = FetchPurpose::Check;
    let cid = store.record(run, &checked, &[]).unwrap();
    assert!(model_json(&store, cid).get("links").is_some());
    assert_eq!(
        store.fetch(cid).unwrap().unwrap().record.model,
        checked.model
    );

    // A row as a version-9 build wrote it: the whole model in the JSON, links also as rows.
    let url = format!("{HOST}/old.html");
    let mut old = page(&url, 3);
    old.model.as_mut().unwrap().links[0].hidden = Some("hidden attribute".into());
    let oid = store.record(run, &old, &[]).unwrap();
    let whole = old.model.clone().unwrap();
    store
        .connection()
        .execute(
            "UPDATE fetches SET model = ?2, text = NULL, links_apart = 0 WHERE id = ?1",
            rusqlite::params![oid, serde_json::to_string(&whole).unwrap()],
        )
        .unwrap();
    // ... whose rows lacked `hidden`: the JSON is what counts.
    store
        .connection()
        .execute(
            "UPDATE link_defs SET hidden = NULL WHERE id IN
                 (SELECT j.value FROM page_links p, json_each(p.defs) j
                  WHERE p.source_fetch_id = ?1)",
            [oid],
        )
        .unwrap();
    assert_eq!(store.fetch(oid).unwrap().unwrap().record.model, old.model);
    let v = store.validators(&url).unwrap().unwrap();
    let mut m: PageModel = serde_json::from_str(v.model_json.as_deref().unwrap()).unwrap();
    assert_eq!(v.links_of, None, "an old row's JSON holds them");
    if let Some(source) = v.links_of {
        m.links = store.page_links(source).unwrap();
    }
    assert_eq!(Some(m), old.model);
}

#[test]
fn a_re_extracted_model_replaces_its_rows_and_leaves_the_json_without_links() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let rec = page(&format!("{HOST}/p.html"), 5);
    let id = store.record(run, &rec, &[]).unwrap();
    let mut m = rec.model.clone().unwrap();
    m.links = varied_links()[..3].to_vec();
    let given = m.clone();
    let mut updates = [(id, m)];
    store.update_models(&mut updates).unwrap();
    assert_eq!(updates[0].1, given, "the models are given back unchanged");
    assert!(model_json(&store, id).get("links").is_none());
    assert_eq!(store.fetch(id).unwrap().unwrap().record.model, Some(given));
}

/// The links of page `i` of a loaded site, as the fields a link row keeps.
fn loaded_links(site: &gongkai_core::Site, i: usize) -> Vec<(Option<String>, String, String)> {
    site.link_table
        .links_of(i)
        .map(|l| {
            (
                l.target_url.map(str::to_owned),
                l.anchor.to_owned(),
                l.element.to_owned(),
            )
        })
        .collect()
}

/// `load_site` reads the link rows ahead on a thread of its own while it parses the models:
/// crawled pages whose links are rows, old rows whose JSON holds them, checked pages and pages
/// without links, mixed, each still get exactly their own links, in page order.
#[test]
fn a_loaded_site_gives_each_page_its_own_links_whatever_the_mix_of_rows() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let all = varied_links();
    let mut want = Vec::new();
    for i in 0..60usize {
        let url = format!("{HOST}/p{i}.html");
        let mut rec = page(&url, 0);
        let links: Vec<Link> = all.iter().cycle().skip(i).take(i % 7).cloned().collect();
        rec.model.as_mut().unwrap().links = links.clone();
        if i % 5 == 3 {
            rec.purpose = FetchPurpose::Check;
        }
        let id = store.record(run, &rec, &[]).unwrap();
        if i % 9 == 4 {
            // As a version-10 build wrote it: the links in the JSON (and as rows, ignored).
            let whole = serde_json::to_string(rec.model.as_ref().unwrap()).unwrap();
            store
                .connection()
                .execute(
                    "UPDATE fetches SET model = ?2, text = NULL, links_apart = 0 WHERE id = ?1",
                    rusqlite::params![id, whole],
                )
                .unwrap();
            store
                .connection()
                .execute(
                    "UPDATE link_defs SET anchor = 'stale' WHERE id IN
                         (SELECT j.value FROM page_links p, json_each(p.defs) j
                          WHERE p.source_fetch_id = ?1)",
                    [id],
                )
                .unwrap();
        }
        let crawled = rec.purpose == FetchPurpose::Crawl;
        want.push((
            url,
            crawled.then(|| {
                links
                    .iter()
                    .map(|l| (l.url.clone(), l.anchor.clone(), l.element.clone()))
                    .collect::<Vec<_>>()
            }),
        ));
    }
    let site = store.load_site(run).unwrap();
    let mut compared = 0;
    for (url, links) in want {
        let i = site
            .pages
            .iter()
            .position(|p| *p.url == *url)
            .unwrap_or_else(|| panic!("{url} not loaded"));
        if let Some(links) = links {
            assert_eq!(loaded_links(&site, i), links, "{url}");
            compared += 1;
        }
    }
    assert_eq!(compared, 48);
}

/// Links shared between pages (one writer stores each once) load back as every page's own, in
/// order: a first page with more new links than the loader's cache of decoded links holds, then
/// pages that repeat some of its links, some of each other's and some of their own twice.
#[test]
fn pages_sharing_links_load_with_their_own_links_in_order() {
    let (_d, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let run = store.begin_run(&new_run("s")).unwrap();
    let link = |i: usize| Link {
        raw: format!("/a/{i}.html"),
        url: Some(format!("{HOST}/a/{i}.html")),
        kind: LinkKind::Page,
        element: "a[href]".to_owned(),
        anchor: format!("第{i}条"),
        skip: None,
        region: LinkRegion::Content,
        hidden: None,
    };
    let range = |r: std::ops::Range<usize>| r.map(link).collect::<Vec<_>>();
    let pages: Vec<Vec<Link>> = vec![
        range(0..5_000),
        [range(0..100), range(9_000..9_010)].concat(),
        [range(4_900..5_000), range(9_000..9_010), range(0..3)].concat(),
        [
            range(9_005..9_010),
            range(9_005..9_010),
            range(2_000..2_050),
        ]
        .concat(),
        range(0..5_000).into_iter().rev().collect(),
    ];
    let (writer, _handle) = StoreWriter::spawn(&path, run).unwrap();
    for (i, links) in pages.iter().enumerate() {
        let mut rec = page(&format!("{HOST}/p{i}.html"), 0);
        rec.model.as_mut().unwrap().links = links.clone();
        writer.record(rec).unwrap();
    }
    writer.finish().unwrap();
    let stored: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM link_defs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 5_010, "each distinct link once");
    let site = store.load_site(run).unwrap();
    for (i, links) in pages.iter().enumerate() {
        let url = format!("{HOST}/p{i}.html");
        let at = site.pages.iter().position(|p| *p.url == *url).unwrap();
        let want: Vec<_> = links
            .iter()
            .map(|l| (l.url.clone(), l.anchor.clone(), l.element.clone()))
            .collect();
        assert_eq!(loaded_links(&site, at), want, "{url}");
        assert_eq!(store.page_links(site.pages[at].fetch_id).unwrap(), *links);
    }
}
