//! URL-space traps and floods: 10,000 links, endless calendars, session ids in URLs.

use super::*;
use gongkai_fixture::hostile::MANY_LINKS;

/// The crawler's default cap on distinct query strings per path.
const MAX_QUERY_VARIANTS: i64 = 50;
/// The crawler's default `max_depth`.
const MAX_DEPTH: i64 = 16;

fn count_like(scan: &Scan, pattern: &str) -> i64 {
    scan.fetches_like(pattern).len() as i64
}

#[test]
fn a_page_with_ten_thousand_links() {
    let lab = Lab::start();
    let s = lab.plain();
    let index = s.url("/links/index.html");
    let scan = lab.scan(
        std::slice::from_ref(&index),
        "",
        &["--rate", "0", "--max-pages", "100"],
        Duration::from_secs(40),
    );
    // Cut by --max-pages: partial, and the links not crawled are counted.
    scan.assert_partial();
    let cut = scan.not_fetched("max-pages");
    assert!(
        cut >= MANY_LINKS as i64 - 100 && cut <= MANY_LINKS as i64,
        "{cut} links counted as cut by max-pages"
    );
    eprintln!(
        "10,000-link page: scan took {:.1} s",
        scan.run.elapsed.as_secs_f64()
    );
    let f = scan.fetch(&index);
    assert_eq!(f.outcome, "ok");
    let conn = scan.conn();
    let links: i64 = conn
        .query_row(
            "SELECT count(*) FROM links l JOIN fetches f ON f.id = l.source_fetch_id WHERE f.url = ?1",
            [&index],
            |r| r.get(0),
        )
        .expect("count links");
    assert_eq!(links, MANY_LINKS as i64, "links stored for the page");
    // max-pages bounds the crawl; the rest of the links are not queued.
    let crawled = scan.count("SELECT count(*) FROM fetches WHERE purpose = 'crawl'");
    assert!(crawled <= 100, "{crawled} pages crawled");
    let queued = scan.count("SELECT count(*) FROM frontier WHERE purpose = 'crawl'");
    assert!(queued <= 100, "{queued} crawl entries queued");
    assert!(s.requests_to("/links/p/").len() <= 100);
    assert!(
        scan.run.elapsed < Duration::from_secs(30),
        "{:?}",
        scan.run.elapsed
    );
}

#[test]
fn query_calendar_is_stopped_by_the_query_variant_cap() {
    let lab = Lab::start();
    let s = lab.plain();
    // A depth limit far away: only the query-variant cap can stop this one.
    let scan = lab.scan(
        &[s.url("/cal?date=2023-04-20")],
        "",
        &["--rate", "0", "--max-depth", "100000"],
        Duration::from_secs(40),
    );
    scan.assert_completed();
    let days = count_like(&scan, &s.url("/cal?%"));
    eprintln!(
        "query calendar: {days} days fetched in {:.1} s",
        scan.run.elapsed.as_secs_f64()
    );
    assert!(days <= MAX_QUERY_VARIANTS, "{days} calendar days fetched");
    assert!(days >= 10, "the calendar was not followed ({days})");
    assert!(s.requests_to("/cal").len() as i64 <= MAX_QUERY_VARIANTS);
    assert!(
        scan.run.elapsed < Duration::from_secs(30),
        "{:?}",
        scan.run.elapsed
    );
}

#[test]
fn path_calendar_is_stopped_by_the_depth_limit() {
    let lab = Lab::start();
    let s = lab.plain();
    let scan = lab.scan(
        &[s.url("/cal/index.html")],
        "",
        &["--rate", "0"],
        Duration::from_secs(40),
    );
    // A path calendar looks like a deep site: the depth limit cuts it, and says so.
    scan.assert_partial();
    assert!(scan.not_fetched("max-depth") > 0);
    let days = count_like(&scan, &s.url("/day/%"));
    let query_days = count_like(&scan, &s.url("/cal?%"));
    eprintln!(
        "calendars at the default depth: {days} path days, {query_days} query days, {:.1} s",
        scan.run.elapsed.as_secs_f64()
    );
    // Both directions, one day per level, plus the unparsed checks one level below.
    assert!(days <= 2 * MAX_DEPTH + 3, "{days} path days fetched");
    assert!(
        query_days <= MAX_QUERY_VARIANTS,
        "{query_days} query days fetched"
    );
    assert!(
        scan.run.elapsed < Duration::from_secs(30),
        "{:?}",
        scan.run.elapsed
    );
}

#[test]
fn query_session_ids_are_capped() {
    let lab = Lab::start();
    let s = lab.plain();
    let scan = lab.scan(
        &[s.url("/sid/index.do")],
        "",
        &["--rate", "0"],
        Duration::from_secs(40),
    );
    scan.assert_completed();
    let pages = count_like(&scan, &s.url("/sid/%"));
    eprintln!(
        "?sid= site (4 real pages): {pages} fetches in {:.1} s",
        scan.run.elapsed.as_secs_f64()
    );
    assert!(pages <= 4 * MAX_QUERY_VARIANTS + 1, "{pages} fetches");
    assert!(
        scan.run.elapsed < Duration::from_secs(30),
        "{:?}",
        scan.run.elapsed
    );
}

#[test]
fn path_session_ids_do_not_multiply_pages() {
    let lab = Lab::start();
    let s = lab.plain();
    // Default limits, as a nightly scan runs; the watchdog decides "bounded".
    let scan = lab.scan(
        &[s.url("/sess/index.jsp")],
        "",
        &["--rate", "0"],
        Duration::from_secs(25),
    );
    let pages = s.requests_to("/sess/").len() as i64;
    eprintln!(
        ";jsessionid= site (4 real pages): {pages} requests in {:.1} s (killed: {})",
        scan.run.elapsed.as_secs_f64(),
        scan.run.killed
    );
    scan.assert_completed();
    // No worse than the query-string form: 4 pages, 50 variants each.
    assert!(
        pages <= 4 * MAX_QUERY_VARIANTS + 1,
        "{pages} requests for 4 pages"
    );
}
