//! Redirects to other schemes, off-site, in loops and in endless chains.

use super::*;

/// The crawler's default redirect limit.
const MAX_REDIRECTS: usize = 10;

#[test]
fn bad_redirects_are_classified_and_never_followed_far() {
    let lab = Lab::start();
    let other = lab.plain();
    let s = lab.server(HostileOptions {
        peer: Some(other.origin()),
        ..HostileOptions::default()
    });
    let scan = lab.scan(
        &[s.url("/r/index.html")],
        "",
        &["--rate", "0"],
        Duration::from_secs(30),
    );
    scan.assert_completed();
    let expect: Vec<(String, &str)> = [
        ("/r/ftp", "too-many-redirects"),
        ("/r/javascript", "too-many-redirects"),
        ("/r/file", "too-many-redirects"),
        ("/r/offsite", "redirected"),
        ("/r/loop-a", "redirect-loop"),
        ("/r/self", "redirect-loop"),
        ("/r/chain/0", "too-many-redirects"),
    ]
    .into_iter()
    .map(|(p, o)| (s.url(p), o))
    .collect();
    assert_outcomes(&scan, &expect);

    // A non-http(s) Location is recorded, named in the error, and not retried.
    for (path, scheme) in [
        ("/r/ftp", "ftp:"),
        ("/r/javascript", "javascript:"),
        ("/r/file", "file:"),
    ] {
        let f = scan.fetch(&s.url(path));
        assert_eq!(f.status, Some(302), "{path}");
        assert!(
            f.redirects.contains(scheme),
            "{path}: chain {}",
            f.redirects
        );
        assert!(
            f.error.as_deref().is_some_and(|e| e.contains("non-http")),
            "{path}: {:?}",
            f.error
        );
        assert_eq!(
            s.requests_to(path).len(),
            1,
            "{path} requested more than once"
        );
    }
    assert_eq!(
        scan.count(
            "SELECT count(*) FROM fetches WHERE url NOT LIKE 'http%' OR final_url NOT LIKE 'http%'"
        ),
        0
    );

    // Off-site: the landing page is fetched once, its links are not crawled (out of scope).
    let f = scan.fetch(&s.url("/r/offsite"));
    assert_eq!(f.final_url, other.url("/landing.html"));
    assert_eq!(other.requests_to("/landing.html").len(), 1);
    assert!(other.requests_to("/landing-next.html").is_empty());

    // Loops are caught at the first repeat; chains stop at the limit.
    assert!(
        s.requests_to("/r/loop-").len() <= 2,
        "{:?}",
        s.requests_to("/r/loop-")
    );
    assert_eq!(s.requests_to("/r/self").len(), 1);
    let chain = s.requests_to("/r/chain/").len();
    assert!(
        (MAX_REDIRECTS..=MAX_REDIRECTS + 1).contains(&chain),
        "{chain} requests along an endless chain"
    );
    let f = scan.fetch(&s.url("/r/chain/0"));
    let hops: Vec<serde_json::Value> = serde_json::from_str(&f.redirects).expect("redirects json");
    assert!(
        hops.len() <= MAX_REDIRECTS + 1,
        "{} hops recorded",
        hops.len()
    );

    // A 302 without Location is bounded too (one request, not taken for content).
    let f = scan.fetch(&s.url("/r/no-location"));
    assert_eq!(f.status, Some(302));
    assert!(
        !matches!(f.outcome.as_str(), "ok" | "redirected"),
        "{}",
        f.outcome
    );
    assert_eq!(s.requests_to("/r/no-location").len(), 1);
}
