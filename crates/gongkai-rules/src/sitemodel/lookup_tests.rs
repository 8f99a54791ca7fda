//! Which page stands for a URL, which pages are crawled, which columns list a page: the answers
//! [`super::SiteModel::build`] gives through its compact indices ([`super::index`]).

use super::SiteModel;
use crate::checks::testkit::*;
use crate::{SitePage, Vocabulary};
use gongkai_core::FetchOutcome;

fn with_body(mut p: SitePage, sha: &str) -> SitePage {
    p.body_sha256 = Some(sha.into());
    p
}

fn redirected(url: &str, to: &str) -> SitePage {
    let mut p = page(url, article("通知", "正文"));
    p.final_url = to.into();
    p.outcome = FetchOutcome::Redirected;
    p
}

/// The better fetch of a URL stands for it whichever came first; of two as good, the first.
#[test]
fn the_best_ranked_fetch_stands_for_a_url() {
    let vocab = Vocabulary::default();
    let x = u("a/x.html");
    let s = site(vec![
        page(ROOT, home("")),
        target(&x, FetchOutcome::NotFound, Some(404)),
        page(&x, article("通知", "正文")),
        target(&x, FetchOutcome::ServerError, Some(500)),
    ]);
    let sm = SiteModel::build(&s, &vocab);
    assert_eq!(sm.lookup(&x), Some(2));
    assert_eq!(sm.lookup(&format!("{x}#part")), Some(2));
    // Two usable answers of one URL with different bodies (a form endpoint): both crawled,
    // the first stands for the URL.
    let s = site(vec![
        page(ROOT, home("")),
        with_body(page(&x, article("一", "正文一")), "aa"),
        with_body(page(&x, article("二", "正文二")), "bb"),
        // Not crawled: worse than a crawled answer, better than a broken one.
        target(&u("b.html"), FetchOutcome::NotFound, Some(404)),
        target(&u("b.html"), FetchOutcome::Ok, Some(200)),
    ]);
    let sm = SiteModel::build(&s, &vocab);
    assert_eq!(sm.lookup(&x), Some(1));
    assert_eq!(sm.crawled, [0, 1, 2]);
    assert_eq!(sm.lookup(&u("b.html")), Some(4));
    assert_eq!(sm.lookup(&u("c.html")), None);
}

/// A redirected page is found by both its URLs; two redirects to one final URL are one page.
#[test]
fn both_urls_of_a_redirected_page_find_it() {
    let vocab = Vocabulary::default();
    let (a, b, c) = (u("a.html"), u("b.html"), u("c.html"));
    let s = site(vec![
        page(ROOT, home("")),
        redirected(&a, &c),
        redirected(&b, &format!("{c}#top")),
    ]);
    let sm = SiteModel::build(&s, &vocab);
    assert_eq!(sm.lookup(&a), Some(1));
    assert_eq!(sm.lookup(&c), Some(1));
    assert_eq!(sm.lookup(&b), Some(2));
    assert_eq!(sm.crawled, [0, 1]);
}

/// The same bytes under several URLs are one page: the shallowest, then shortest URL stands
/// for every URL of the others, not the first fetched.
#[test]
fn pages_with_one_body_are_remapped_to_the_preferred_one() {
    let vocab = Vocabulary::default();
    let (index, old) = (u("index.html"), u("old.html"));
    let mut deep = with_body(page(&u("a/t.html"), article("通知", "正文")), "tt");
    deep.depth = 1;
    let mut shallow = with_body(page(&u("b/t.html"), article("通知", "正文")), "tt");
    shallow.depth = 0;
    let s = site(vec![
        with_body(page(&index, home("")), "hh"),
        with_body(page(ROOT, home("")), "hh"),
        with_body(redirected(&old, &index), "hh"),
        deep,
        shallow,
        with_body(page(&u("other.html"), article("另一", "正文")), "oo"),
    ]);
    let sm = SiteModel::build(&s, &vocab);
    for url in [ROOT, &index, &old] {
        assert_eq!(sm.lookup(url), Some(1), "{url}");
    }
    assert_eq!(sm.lookup(&u("a/t.html")), Some(4));
    assert_eq!(sm.lookup(&u("b/t.html")), Some(4));
    assert_eq!(sm.crawled, [1, 4, 5]);
}

/// A page's column names come from every column group listing it (each once, whichever of
/// the group's pages lists it), its breadcrumb and its own column name.
#[test]
fn column_names_come_from_every_group_listing_the_page() {
    let vocab = Vocabulary::default();
    let (a, b, c) = (u("x/a.html"), u("x/b.html"), u("x/c.html"));
    let mut crumbed = article("通知三", "正文");
    crumbed.breadcrumb = vec!["首页".into(), "政务公开".into()];
    let s = site(vec![
        page(ROOT, home("")),
        page(&u("b/index.html"), column("工作动态", &[("一", &a, None)])),
        page(
            &u("a/index.html"),
            column("通知公告", &[("一", &a, None), ("二", &b, None)]),
        ),
        page(
            &u("a/index_1.html"),
            column("通知公告", &[("一", &format!("{a}#x"), None)]),
        ),
        page(&a, article("通知一", "正文")),
        page(&b, article("通知二", "正文")),
        page(&c, crumbed),
    ]);
    let sm = SiteModel::build(&s, &vocab);
    assert_eq!(sm.columns.len(), 2);
    assert_eq!(sm.column_names(4), ["工作动态", "通知公告"]);
    assert_eq!(sm.column_names(5), ["通知公告"]);
    assert_eq!(sm.column_names(6), ["政务公开"]);
    // A column page's own name.
    assert_eq!(sm.column_names(3), ["通知公告"]);
}
