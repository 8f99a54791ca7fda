//! A 429 storm on one host: the host gets no more than the rate and Retry-After is honoured,
//! while another host's pages keep flowing.

use super::*;
use gongkai_fixture::hostile::{HostileRequest, FAST_PAGES, STORM_PEER_PAGES};
use std::time::Instant;

const RATE: usize = 5;
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// A request arriving this soon after a 429 was already on its way (sent before the crawler
/// could read the answer).
const IN_FLIGHT: Duration = Duration::from_millis(50);
/// Arrival-time jitter allowed when counting requests per second.
const JITTER: Duration = Duration::from_millis(50);

/// The most requests that arrived within any window of one second (less the jitter allowance).
fn max_per_second(reqs: &[HostileRequest]) -> usize {
    let mut times: Vec<Instant> = reqs.iter().map(|r| r.at).collect();
    times.sort();
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1) - JITTER)
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// Which 429 answers' Retry-After windows to check.
#[derive(Clone, Copy, PartialEq)]
enum Windows {
    /// Every 429.
    All,
    /// Only 429s whose request was repeated later (same method and target): the crawler meant
    /// to come back, so it had read the Retry-After.
    Retried,
}

/// Requests that arrived inside the Retry-After window of an earlier 429 (after the in-flight
/// allowance), with how long after the 429 they came.
fn retry_after_violations(reqs: &[HostileRequest], which: Windows) -> Vec<(String, Duration)> {
    let mut out = Vec::new();
    for (i, r429) in reqs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == Some(429))
    {
        let Some(sent) = r429.done else { continue };
        let retried = reqs[i + 1..]
            .iter()
            .any(|r| r.method == r429.method && r.path == r429.path);
        if which == Windows::Retried && !retried {
            continue;
        }
        for r in reqs {
            if r.at > sent + IN_FLIGHT && r.at < sent + RETRY_AFTER - JITTER {
                out.push((
                    format!("{} {} after 429 on {}", r.method, r.path, r429.path),
                    r.at - sent,
                ));
            }
        }
    }
    out
}

fn storm_pair(lab: &Lab) -> (HostileServer, HostileServer) {
    let storm = lab.server(HostileOptions {
        storm_retry_after: Some(RETRY_AFTER.as_secs()),
        ..HostileOptions::default()
    });
    let fast = lab.server(HostileOptions {
        peer: Some(storm.origin()),
        ..HostileOptions::default()
    });
    (storm, fast)
}

#[test]
fn a_429_storm_on_one_host_does_not_hold_up_another() {
    let lab = Lab::start();
    let (storm, fast) = storm_pair(&lab);
    let rate = RATE.to_string();
    let scan = lab.scan(
        &[storm.url("/index.html"), fast.url("/fast/index.html")],
        "",
        &["--rate", &rate],
        Duration::from_secs(50),
    );
    scan.assert_completed();

    // Outcomes: the storm host's pages are blocked (unverified), the fast host's are fine.
    let mut expect = vec![(storm.url("/index.html"), "blocked")];
    for i in 1..=STORM_PEER_PAGES {
        expect.push((storm.url(&format!("/p/{i}.html")), "blocked"));
    }
    for i in 1..=FAST_PAGES {
        expect.push((fast.url(&format!("/fast/{i}.html")), "ok"));
    }
    assert_outcomes(&scan, &expect);

    let (s_reqs, f_reqs) = (storm.requests(), fast.requests());
    let begin = s_reqs
        .iter()
        .chain(&f_reqs)
        .map(|r| r.at)
        .min()
        .expect("requests");
    let last = |reqs: &[HostileRequest]| reqs.iter().map(|r| r.at).max().expect("requests");
    let fast_span = last(&f_reqs) - begin;
    let storm_span = last(&s_reqs) - begin;
    let storms = s_reqs.iter().filter(|r| r.status == Some(429)).count();
    eprintln!(
        "429 storm at --rate {RATE}: fast host {} requests in {:.2} s ({:.1}/s); \
         429 host {} requests ({storms} answered 429) over {:.2} s; whole run {:.2} s",
        f_reqs.len(),
        fast_span.as_secs_f64(),
        f_reqs.len() as f64 / fast_span.as_secs_f64().max(0.001),
        s_reqs.len(),
        storm_span.as_secs_f64(),
        scan.run.elapsed.as_secs_f64()
    );

    // The fast host is paced by its own rate only, and is done while the storm goes on.
    let paced = Duration::from_secs_f64(f_reqs.len() as f64 / RATE as f64);
    assert!(
        fast_span <= paced + Duration::from_secs(2),
        "fast host took {fast_span:?} for {} requests at {RATE}/s",
        f_reqs.len()
    );
    assert!(
        fast_span < storm_span,
        "fast {fast_span:?}, storm {storm_span:?}"
    );
    // Its requests went on inside the storm host's back-off windows.
    let during_backoff = f_reqs
        .iter()
        .filter(|f| {
            s_reqs.iter().any(|s| {
                s.status == Some(429) && s.done.is_some_and(|d| f.at > d && f.at < d + RETRY_AFTER)
            })
        })
        .count();
    assert!(
        during_backoff >= RATE,
        "{during_backoff} fast requests during back-off"
    );

    // Politeness on both hosts: an honest User-Agent, never above the rate; Retry-After honoured.
    for r in s_reqs.iter().chain(&f_reqs) {
        let ua = r.header("user-agent").unwrap_or("");
        assert!(
            ua.contains("gongkai") && ua.contains("test@example.org"),
            "{ua:?}"
        );
    }
    for (name, reqs) in [("storm", &s_reqs), ("fast", &f_reqs)] {
        let peak = max_per_second(reqs);
        assert!(
            peak <= RATE,
            "{name} host: {peak} requests within one second"
        );
    }
    // Retry-After honoured whenever the crawler came back for the URL (a 429 on the last attempt
    // is covered by `a_final_429_still_blocks_its_host`).
    let v = retry_after_violations(&s_reqs, Windows::Retried);
    assert!(
        v.is_empty(),
        "requests inside the Retry-After window: {v:#?}"
    );
    // Each blocked URL was tried a bounded number of times.
    for i in 1..=STORM_PEER_PAGES {
        let n = storm.requests_to(&format!("/p/{i}.html")).len();
        assert!((1..=3).contains(&n), "/p/{i}.html requested {n} times");
    }
}

#[test]
fn a_final_429_still_blocks_its_host() {
    let lab = Lab::start();
    let (storm, fast) = storm_pair(&lab);
    let rate = RATE.to_string();
    let scan = lab.scan(
        &[storm.url("/index.html"), fast.url("/fast/index.html")],
        "",
        &["--rate", &rate],
        Duration::from_secs(50),
    );
    scan.assert_completed();
    let v = retry_after_violations(&storm.requests(), Windows::All);
    assert!(
        v.is_empty(),
        "requests inside the Retry-After window: {v:#?}"
    );
}

#[test]
fn checks_falling_back_from_head_to_get_honour_retry_after() {
    let lab = Lab::start();
    let (storm, fast) = storm_pair(&lab);
    let rate = RATE.to_string();
    let scan = lab.scan(
        &[fast.url("/fast/attach.html")],
        "",
        &["--rate", &rate],
        Duration::from_secs(40),
    );
    scan.assert_completed();
    let s_reqs = storm.requests();
    eprintln!(
        "attachment checks on a 429 host: {:?}",
        s_reqs
            .iter()
            .map(|r| format!("{} {} {:?}", r.method, r.path, r.status))
            .collect::<Vec<_>>()
    );
    assert_outcomes(
        &scan,
        &[
            (storm.url("/files/report.pdf"), "blocked"),
            (storm.url("/img/logo.png"), "blocked"),
        ],
    );
    assert!(max_per_second(&s_reqs) <= RATE);
    // Each GET fallback waits out the Retry-After of the HEAD's 429.
    let mut early = Vec::new();
    for (i, h) in s_reqs.iter().enumerate() {
        if h.method != "HEAD" || h.status != Some(429) {
            continue;
        }
        let (Some(sent), Some(get)) = (
            h.done,
            s_reqs[i + 1..]
                .iter()
                .find(|g| g.method == "GET" && g.path == h.path),
        ) else {
            continue;
        };
        if get.at < sent + RETRY_AFTER - JITTER {
            early.push((h.path.clone(), get.at - sent));
        }
    }
    assert!(
        early.is_empty(),
        "GET fallbacks inside the HEAD's Retry-After window: {early:?}"
    );
}
