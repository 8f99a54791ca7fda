//! Below HTTP: stalls, endless bodies, resets, bombs, non-HTTP answers, untrusted TLS.

use super::*;
use gongkai_fixture::hostile::BOMB_BYTES;

/// Attempts per URL at most: 1 + the crawler's default `max_retries` (2).
const MAX_ATTEMPTS: usize = 3;
/// The crawler's default backoff base: retries of a failed request are at least this far apart.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Peak resident memory allowed while a 1 GiB gzip bomb and an endless body are read.
const RSS_LIMIT_KIB: u64 = 400 * 1024;

#[test]
fn transport_failures_end_in_bounded_time_with_the_right_outcome() {
    let lab = Lab::start();
    let s = lab.plain();
    let scan = lab.scan(
        &[s.url("/t/index.html")],
        "",
        &["--rate", "0"],
        Duration::from_secs(60),
    );
    scan.assert_completed();
    eprintln!(
        "transport scan: {:.1} s, peak RSS {} MiB (bomb {} MiB decompressed)",
        scan.run.elapsed.as_secs_f64(),
        scan.run.peak_rss_kib / 1024,
        BOMB_BYTES >> 20
    );
    let expect: Vec<(String, &str)> = [
        ("/t/ok.html", "ok"),
        ("/t/slowloris", "timeout"),
        ("/t/silent", "timeout"),
        ("/t/trickle", "timeout"),
        ("/t/endless", "too-large"),
        ("/t/bomb", "too-large"),
        ("/t/reset", "network-error"),
        ("/t/eof", "network-error"),
        ("/t/not-http", "network-error"),
        ("/t/header-flood", "network-error"),
    ]
    .into_iter()
    .map(|(p, o)| (s.url(p), o))
    .collect();
    assert_outcomes(&scan, &expect);

    // Bodies are cut at the cap, and what is stored is at most the cap.
    for path in ["/t/endless", "/t/bomb"] {
        let f = scan.fetch(&s.url(path));
        assert!(f.body_truncated, "{path}: not marked truncated");
        let len = f.body_len.unwrap_or(0);
        assert!(
            len <= HTML_CAP,
            "{path}: stored {len} bytes, cap {HTML_CAP}"
        );
        assert!(!f.has_model, "{path}: a truncated page was parsed");
    }
    // Memory stays bounded although the bomb inflates to more than a GiB.
    if scan.run.peak_rss_kib > 0 {
        assert!(
            scan.run.peak_rss_kib < RSS_LIMIT_KIB,
            "peak RSS {} MiB",
            scan.run.peak_rss_kib / 1024
        );
    }

    // A hanging answer is given up after the timeout, each attempt.
    let limit_ms = (TIMEOUT_SECS * 1000 + 1500) as i64;
    for path in ["/t/slowloris", "/t/silent", "/t/trickle"] {
        let f = scan.fetch(&s.url(path));
        assert!(
            f.elapsed_ms <= limit_ms,
            "{path}: last attempt took {} ms",
            f.elapsed_ms
        );
        assert_eq!(f.body_len, None, "{path}: a partial body was stored");
    }
    // Retries are bounded, counted, and spaced by the backoff.
    for path in [
        "/t/slowloris",
        "/t/silent",
        "/t/trickle",
        "/t/reset",
        "/t/eof",
        "/t/not-http",
        "/t/header-flood",
    ] {
        let reqs = s.requests_to(path);
        let f = scan.fetch(&s.url(path));
        assert!(
            // The attempts, and one more at the end of the run (confirm before reporting).
            (1..=MAX_ATTEMPTS + 1).contains(&reqs.len()),
            "{path}: {} requests",
            reqs.len()
        );
        assert_eq!(f.attempts as usize, reqs.len(), "{path}: attempts column");
        for w in reqs.windows(2) {
            let gap = w[1].at.duration_since(w[0].at);
            assert!(gap >= BACKOFF_BASE, "{path}: retried after {gap:?}");
        }
    }
    // The whole scan is bounded by the hanging URLs' attempts, not by the servers.
    assert!(
        scan.run.elapsed < Duration::from_secs(40),
        "scan took {:?}",
        scan.run.elapsed
    );
}

#[test]
fn a_self_signed_certificate_is_a_tls_failure_never_a_crash() {
    let lab = Lab::start();
    let tls = lab.server(HostileOptions {
        tls: true,
        ..HostileOptions::default()
    });
    let s = lab.server(HostileOptions {
        peer: Some(tls.origin()),
        ..HostileOptions::default()
    });
    let scan = lab.scan(
        &[s.url("/peer/index.html")],
        "",
        &["--rate", "0"],
        Duration::from_secs(30),
    );
    scan.assert_completed();
    assert_outcomes(
        &scan,
        &[
            (format!("{}/", tls.origin()), "tls"),
            (tls.url("/t/ok.html"), "tls"),
        ],
    );
    // The certificate was never accepted: handshakes happened, no HTTP request got through.
    assert!(tls.connections() >= 2, "{} connections", tls.connections());
    assert!(tls.requests().is_empty(), "{:?}", tls.requests());
    assert_eq!(tls.tls_handshake_failures(), tls.connections());

    // Starting at the TLS host is an operational error: exit 2, one line naming tls.
    let scan = lab.scan(
        &[tls.url("/")],
        "",
        &["--rate", "0"],
        Duration::from_secs(30),
    );
    let r = &scan.run;
    assert!(!r.killed && !r.stderr.contains("panicked"), "{}", r.stderr);
    assert_eq!(r.status.and_then(|s| s.code()), Some(2), "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].contains("unreachable") && lines[0].contains("tls"),
        "{}",
        lines[0]
    );
}
