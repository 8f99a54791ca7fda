//! Broken markup and broken charsets: parsed to the end, in bounded time, without a panic.

use super::*;
use gongkai_fixture::hostile::GBK_ONLY_TITLE;

/// Longest a single page (fetch + parse) may take.
const PAGE_MS: i64 = 10_000;

#[test]
fn malformed_html_is_parsed_to_the_end() {
    let lab = Lab::start();
    let s = lab.plain();
    let scan = lab.scan(
        &[s.url("/bad/index.html")],
        "",
        &["--rate", "0"],
        Duration::from_secs(40),
    );
    scan.assert_completed();
    eprintln!(
        "malformed HTML: scan took {:.1} s",
        scan.run.elapsed.as_secs_f64()
    );
    let cases = ["unclosed", "garbage", "deep", "fonts", "attr", "many-attrs"];
    let mut expect = Vec::new();
    for case in cases {
        expect.push((s.url(&format!("/bad/{case}.html")), "ok"));
    }
    // Reaching the after-page proves the links at the end of the page were extracted (for the
    // deep pages see `links_below_deep_nesting_are_extracted`).
    for case in ["unclosed", "garbage", "attr", "many-attrs"] {
        expect.push((s.url(&format!("/bad/after-{case}.html")), "ok"));
    }
    assert_outcomes(&scan, &expect);
    for case in cases {
        let f = scan.fetch(&s.url(&format!("/bad/{case}.html")));
        assert!(f.has_model, "{case}: no page model");
        assert!(
            f.title.as_deref().is_some_and(|t| !t.trim().is_empty()),
            "{case}: title {:?}",
            f.title
        );
        assert!(f.elapsed_ms < PAGE_MS, "{case}: {} ms", f.elapsed_ms);
        eprintln!("  {case}: {} ms", f.elapsed_ms);
    }
    // The 5 MB attribute page is stored whole (under the cap).
    let f = scan.fetch(&s.url("/bad/attr.html"));
    assert!(!f.body_truncated && f.body_len.unwrap_or(0) > 5 * 1024 * 1024);
    // The 1 MB href is not fetched or queued.
    assert_eq!(
        scan.count("SELECT count(*) FROM frontier WHERE length(url) > 8192"),
        0
    );
    assert_eq!(
        scan.count("SELECT count(*) FROM fetches WHERE length(url) > 8192"),
        0
    );
    assert!(s.requests().iter().all(|r| r.path.len() < 8192));
}

#[test]
fn links_below_deep_nesting_are_extracted() {
    let lab = Lab::start();
    let s = lab.plain();
    let scan = lab.scan(
        &[s.url("/bad/index.html")],
        "",
        &["--rate", "0"],
        Duration::from_secs(40),
    );
    scan.assert_completed();
    assert_outcomes(
        &scan,
        &[
            (s.url("/bad/after-deep.html"), "ok"),
            (s.url("/bad/after-fonts.html"), "ok"),
        ],
    );
}

#[test]
fn charsets_gbk_only_characters_and_invalid_bytes() {
    let lab = Lab::start();
    let s = lab.plain();
    let scan = lab.scan(
        &[s.url("/cs/index.html")],
        "",
        &["--rate", "0"],
        Duration::from_secs(30),
    );
    scan.assert_completed();
    let expect: Vec<(String, &str)> = [
        "/cs/gbk-only.html",
        "/cs/gbk-only-meta.html",
        "/cs/bad-utf8.html",
        "/cs/bad-gbk.html",
        "/cs/after-gbk-only.html",
        "/cs/after-bad-utf8.html",
        "/cs/after-bad-gbk.html",
    ]
    .into_iter()
    .map(|p| (s.url(p), "ok"))
    .collect();
    assert_outcomes(&scan, &expect);

    // gb2312 is read as GB18030: 镕 堃 喆 survive, labelled in the header or only in a meta tag.
    for path in ["/cs/gbk-only.html", "/cs/gbk-only-meta.html"] {
        let f = scan.fetch(&s.url(path));
        assert_eq!(f.title.as_deref(), Some(GBK_ONLY_TITLE), "{path}");
    }
    // Invalid bytes become replacement characters; the text around them is kept.
    let f = scan.fetch(&s.url("/cs/bad-utf8.html"));
    let t = f.title.unwrap_or_default();
    assert!(t.contains("坏字节") && t.contains("页面"), "{t:?}");
    let f = scan.fetch(&s.url("/cs/bad-gbk.html"));
    let t = f.title.unwrap_or_default();
    assert!(t.contains("坏字节") && t.contains("测试页面"), "{t:?}");
}
