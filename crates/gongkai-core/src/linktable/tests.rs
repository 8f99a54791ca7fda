//! Tests of the link table: fields survive packing, shared runs give back what was pushed.

use super::*;
use std::sync::Arc;

fn link(src: &str, target: Option<&str>, anchor: &str) -> SiteLink {
    SiteLink {
        source_url: Arc::from(src),
        target_url: target.map(Arc::from),
        kind: LinkKind::Attachment,
        element: Arc::from("a[href]"),
        anchor: Arc::from(anchor),
        skip: target.is_none().then_some(SkipReason::Tel),
        source_page: None,
        region: LinkRegion::Related,
        hidden: None,
    }
}

#[test]
fn links_come_back_by_page_with_their_fields() {
    let mut hidden = link("b", Some("x"), "暗");
    hidden.hidden = Some("display:none".into());
    hidden.source_page = Some(2);
    let links = [
        link("b", Some("x"), "一"),
        link("a", None, "电话"),
        hidden,
        link("nowhere", Some("y"), "丢"),
        link("a", Some("x"), "二"),
    ];
    let t = LinkTable::from_site_links(&["a", "b", "b"], &links);
    assert_eq!(t.len(), 4, "the link of no known page is dropped");
    let a: Vec<_> = t.links_of(0).collect();
    assert_eq!(a.len(), 2);
    assert_eq!((a[0].anchor, a[0].target_url), ("电话", None));
    assert_eq!(a[0].skip, Some(SkipReason::Tel));
    assert_eq!((a[1].anchor, a[1].target_url), ("二", Some("x")));
    assert_eq!(a[1].kind, LinkKind::Attachment);
    assert_eq!(a[1].region, LinkRegion::Related);
    assert_eq!(a[1].element, "a[href]");
    let b: Vec<_> = t.links_of(1).collect();
    assert_eq!((b.len(), b[0].anchor, b[0].hidden), (1, "一", None));
    let c: Vec<_> = t.links_of(2).collect();
    assert_eq!((c[0].hidden, c[0].source_page), (Some("display:none"), 2));
    assert_eq!(t.links_of(9).count(), 0);
    assert_eq!(t.get(2).map(|l| l.anchor), Some("一"));
    assert_eq!(t.get(3).map(|l| l.source_page), Some(2));
    assert_eq!(t.iter().count(), 4);
    assert_eq!(t.distinct_anchors(), ["一", "二", "暗", "电话"]);
}

#[test]
fn every_kind_skip_and_region_survives_packing() {
    assert_eq!(std::mem::size_of::<Packed>(), 12);
    let mut b = LinkTableBuilder::default();
    b.reserve(KINDS.len() * (SKIPS.len() + 1) * REGIONS.len());
    b.start_page(0);
    let mut want = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        for skip in std::iter::once(None).chain(SKIPS.iter().copied().map(Some)) {
            for region in REGIONS {
                let element = ["a[href]", "img[src]", "iframe[src]"][k % 3];
                let l = LinkRef {
                    source_page: 0,
                    target_url: Some("http://x/"),
                    kind: *kind,
                    element,
                    anchor: "a",
                    skip,
                    region,
                    hidden: None,
                };
                b.push(&l);
                want.push(l);
            }
        }
    }
    let t = b.finish(1);
    assert_eq!(t.links_of(0).collect::<Vec<_>>(), want);
    assert_eq!(t.elements.len(), 3);
}

/// An owned link to push (a [`LinkRef`] borrows).
#[derive(Debug, Clone)]
struct Owned {
    target: Option<String>,
    anchor: String,
    element: &'static str,
    kind: LinkKind,
    region: LinkRegion,
    hidden: Option<&'static str>,
}

impl Owned {
    fn new(target: &str, anchor: &str, region: LinkRegion) -> Self {
        Owned {
            target: Some(target.into()),
            anchor: anchor.into(),
            element: "a[href]",
            kind: LinkKind::Page,
            region,
            hidden: None,
        }
    }

    fn at(&self, page: usize) -> LinkRef<'_> {
        LinkRef {
            source_page: page,
            target_url: self.target.as_deref(),
            kind: self.kind,
            element: self.element,
            anchor: &self.anchor,
            skip: self.target.is_none().then_some(SkipReason::Mailto),
            region: self.region,
            hidden: self.hidden,
        }
    }
}

/// The template's navigation: the same `n` links on every page.
fn nav(prefix: &str, n: usize, region: LinkRegion) -> Vec<Owned> {
    (0..n)
        .map(|k| {
            Owned::new(
                &format!("http://g.cn/{prefix}/{k}"),
                &format!("{prefix}{k}"),
                region,
            )
        })
        .collect()
}

/// Builds a table of `pages` pages from `(page, links)` in increasing page order.
fn build(pages: usize, links: &[(usize, Vec<Owned>)], reserve: usize) -> LinkTable {
    let mut b = LinkTableBuilder::default();
    b.reserve(reserve);
    for (p, ls) in links {
        b.start_page(*p);
        for l in ls {
            b.push(&l.at(*p));
        }
    }
    b.finish(pages)
}

/// Many pages sharing header and footer with their own content between, some of them empty,
/// some skipped, with hidden links inside the shared header on some pages only.
fn portal() -> (usize, Vec<(usize, Vec<Owned>)>) {
    let (header, footer) = (
        nav("nav", 30, LinkRegion::Chrome),
        nav("foot", 9, LinkRegion::Chrome),
    );
    let mut pages = Vec::new();
    for p in (0..120).filter(|p| p % 17 != 5) {
        if p % 10 == 3 {
            pages.push((p, Vec::new()));
            continue;
        }
        let mut ls = header.clone();
        if p % 7 == 0 {
            ls[4].hidden = Some("display:none");
        }
        for k in 0..p % 6 {
            let mut c = Owned::new(
                &format!("http://g.cn/a/{p}/{k}"),
                "正文",
                LinkRegion::Content,
            );
            if k == 1 {
                (c.target, c.kind) = (None, LinkKind::Attachment);
            }
            ls.push(c);
        }
        ls.extend(nav("rel", p % 3, LinkRegion::Related));
        ls.extend(footer.iter().cloned());
        pages.push((p, ls));
    }
    (125, pages)
}

#[test]
fn shared_runs_give_back_exactly_what_was_pushed() {
    let (n, pages) = portal();
    let t = build(n, &pages, 0);
    let mut want: Vec<Vec<LinkRef<'_>>> = vec![Vec::new(); n];
    for (p, ls) in &pages {
        want[*p] = ls.iter().map(|l| l.at(*p)).collect();
    }
    let all: Vec<LinkRef<'_>> = want.iter().flatten().copied().collect();
    assert_eq!(t.len(), all.len());
    assert!(
        t.stored_links() * 3 < t.len(),
        "header and footer are held once"
    );
    let mut next = 0;
    for (p, w) in want.iter().enumerate() {
        assert_eq!(t.links_of(p).collect::<Vec<_>>(), *w, "page {p}");
        assert_eq!(t.range_of(p), next..next + w.len(), "page {p}");
        next += w.len();
    }
    assert_eq!(t.iter().collect::<Vec<_>>(), all);
    for (k, l) in all.iter().enumerate() {
        assert_eq!(t.get(k).as_ref(), Some(l), "link {k}");
    }
    assert_eq!(t.get(all.len()), None);
    assert_eq!(t.links_of(n).count() + t.links_of(n + 40).count(), 0);
    assert_eq!(t.range_of(n + 40), 0..0);
    let hidden = t.iter().filter(|l| l.hidden.is_some()).count();
    assert_eq!(
        hidden,
        pages
            .iter()
            .filter(|(p, ls)| p % 7 == 0 && !ls.is_empty())
            .count()
    );
    let mut anchors: Vec<&str> = all.iter().map(|l| l.anchor).collect();
    anchors.sort_unstable();
    anchors.dedup();
    assert_eq!(t.distinct_anchors(), anchors);
}

#[test]
fn equal_runs_are_stored_once() {
    let header = nav("nav", 30, LinkRegion::Chrome);
    let pages: Vec<(usize, Vec<Owned>)> = (0..1000)
        .map(|p| {
            let mut ls = header.clone();
            ls.push(Owned::new(
                &format!("http://g.cn/a/{p}"),
                "正文",
                LinkRegion::Content,
            ));
            (p, ls)
        })
        .collect();
    let t = build(1000, &pages, 31_000);
    assert_eq!(t.len(), 31_000);
    assert_eq!(
        t.stored_links(),
        30 + 1000,
        "the header once, each page's own link once"
    );
    assert_eq!(
        t.words.capacity(),
        t.stored_links(),
        "no room left over after finish"
    );
    assert_eq!(
        t.get(30_999).map(|l| l.target_url),
        Some(Some("http://g.cn/a/999"))
    );
    assert_eq!(
        t.get(31 * 500 + 7).map(|l| (l.source_page, l.anchor)),
        Some((500, "nav7"))
    );
}

#[test]
fn a_shifted_header_is_still_shared() {
    // A breadcrumb of its own length before the same navigation, in the same region: the cuts
    // follow the links, not their positions, so most of the navigation is still held once.
    let header = nav("nav", 60, LinkRegion::Chrome);
    let pages: Vec<(usize, Vec<Owned>)> = (0..200)
        .map(|p| {
            let mut ls = nav(&format!("crumb{p}-"), 1 + p % 3, LinkRegion::Chrome);
            ls.extend(header.iter().cloned());
            (p, ls)
        })
        .collect();
    let t = build(200, &pages, 0);
    assert_eq!(t.iter().count(), t.len());
    assert!(
        t.stored_links() * 4 < t.len(),
        "{} of {}",
        t.stored_links(),
        t.len()
    );
    let back: Vec<_> = t.links_of(199).collect();
    let want: Vec<_> = pages[199].1.iter().map(|l| l.at(199)).collect();
    assert_eq!(back, want);
}

#[test]
fn a_page_of_runs_longer_than_the_cap_comes_back_whole() {
    let mut ls = nav("x", MAX_RUN * 3 + 5, LinkRegion::Other);
    for l in &mut ls {
        // One anchor and target for all: no link cuts the run, only the cap does.
        (l.target, l.anchor) = (Some("http://g.cn/same".into()), "同".into());
    }
    let t = build(2, &[(1, ls.clone())], 0);
    assert!(
        !t.words[0].ends_run(),
        "the test needs a link that does not cut"
    );
    assert_eq!(t.links_of(1).count(), ls.len());
    assert_eq!(
        t.stored_links(),
        MAX_RUN + 5,
        "the capped runs are equal and held once"
    );
    assert_eq!(t.range_of(0), 0..0);
    assert_eq!(t.get(ls.len() - 1).map(|l| l.source_page), Some(1));
}
