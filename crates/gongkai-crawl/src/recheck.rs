//! Confirm before reporting: a request that failed (not found, server error, no connection …) is
//! tried once more when the crawl is otherwise done, after a pause (counted from the latest
//! failure: every failed request waits at least that long), so that a link that failed
//! once at night is not reported broken. The second try is one request (the first already had
//! its retries), through the same host queue, rate limiter and robots.txt as any other, never
//! sooner than the backoff base after the first. The second answer replaces the first in the store; the
//! first is kept on the record as the header [`FIRST_ATTEMPT_HEADER`], so the evidence shows both.
//!
//! Walls (401/403/412/429, challenge pages: `blocked`) are not retried: they stay unverified
//! whatever a retry says. robots.txt refusals and soft-404 probes are not failures, and redirect
//! loops and chains are the server's configuration.

use crate::frontier::FrontierEntry;
use crate::outcome::{FetchOutcome, FetchPurpose, FetchRecord};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Header added to the record of a retried request: what the first attempt got
/// (`<outcome> <status|-> <fetched_at>[ <error>]`).
pub const FIRST_ATTEMPT_HEADER: &str = "x-gongkai-first-attempt";

/// Longest error text kept in the first attempt's note.
const NOTE_ERROR_CAP: usize = 200;

/// True when a record's failure is worth a second try at the end of the run. Redirect loops,
/// chains, redirects to another scheme and redirects without a target are how the server is
/// configured, not a bad moment: they are not tried again.
pub fn needs_recheck(record: &FetchRecord) -> bool {
    record.purpose != FetchPurpose::Soft404Probe
        && record.outcome.is_broken()
        && !matches!(
            record.outcome,
            FetchOutcome::RedirectLoop | FetchOutcome::TooManyRedirects
        )
        && !record.status.is_some_and(|s| (300..400).contains(&s))
}

/// The note kept of a failed first attempt.
fn first_attempt_note(record: &FetchRecord) -> String {
    let status = record
        .status
        .map_or_else(|| "-".to_string(), |s| s.to_string());
    let mut note = format!("{} {status} {}", record.outcome.code(), record.fetched_at);
    if let Some(e) = record.error.as_deref().filter(|e| !e.is_empty()) {
        let cut: String = e
            .chars()
            .filter(|c| !c.is_control())
            .take(NOTE_ERROR_CAP)
            .collect();
        note.push(' ');
        note.push_str(&cut);
    }
    note
}

/// What the first attempt of a retried request got.
#[derive(Debug, Clone)]
struct First {
    note: String,
    attempts: u32,
}

/// A failed first attempt recorded before a crawl was interrupted: a resumed crawl tries it
/// again at its end, as the interrupted one would have.
#[derive(Debug, Clone)]
pub struct Failed {
    entry: FrontierEntry,
    first: First,
}

impl Failed {
    /// The entry as queued and the record of its failed attempt; None when the record is not a
    /// failure worth retrying, or was itself the retry.
    pub fn new(entry: FrontierEntry, record: &FetchRecord) -> Option<Failed> {
        let retried = record
            .headers
            .iter()
            .any(|(k, _)| k == FIRST_ATTEMPT_HEADER);
        (needs_recheck(record) && !retried).then(|| Failed {
            entry,
            first: First {
                note: first_attempt_note(record),
                attempts: record.attempts,
            },
        })
    }
}

/// The dispatcher's bookkeeping of failures and their second attempts.
#[derive(Debug, Default)]
pub(crate) struct Recheck {
    enabled: bool,
    /// Entries of requests in flight (their records carry no link kind or parent), by key.
    inflight: HashMap<String, FrontierEntry>,
    /// Failed first attempts waiting for the next round, with what they got.
    failed: Vec<(FrontierEntry, First)>,
    /// Rechecks queued or in flight, by key.
    pending: HashMap<String, First>,
    /// Keys already retried once (never a third time).
    done: HashSet<String>,
    /// When the latest failure waiting in `failed` came back: the pause before a round counts
    /// from it.
    latest_failure: Option<Instant>,
    /// Requests retried, and those whose retry succeeded.
    pub(crate) rechecked: u64,
    pub(crate) recovered: u64,
}

impl Recheck {
    pub(crate) fn new(enabled: bool) -> Self {
        Recheck {
            enabled,
            ..Recheck::default()
        }
    }

    /// Failures recorded before an interruption, to retry at the end of the resumed crawl.
    pub(crate) fn resume(&mut self, failed: Vec<Failed>) {
        if self.enabled {
            self.failed
                .extend(failed.into_iter().map(|f| (f.entry, f.first)));
            // Their failure time is not kept across the interruption: the pause runs in full.
            self.latest_failure = Some(Instant::now());
        }
    }

    /// A request is being sent.
    pub(crate) fn started(&mut self, entry: &FrontierEntry) {
        if self.enabled {
            self.inflight.insert(entry.request_key(), entry.clone());
        }
    }

    /// A record came back. Marks a retried record with its first attempt (returns true: the
    /// request was already counted), or keeps a failed first attempt for the next round.
    pub(crate) fn finished(&mut self, record: &mut FetchRecord) -> bool {
        if !self.enabled {
            return false;
        }
        let key = record.request_key();
        let entry = self.inflight.remove(&key);
        if let Some(first) = self.pending.remove(&key) {
            if !record.outcome.is_broken() {
                self.recovered += 1;
            }
            // Requests made for the URL in this run: the first attempt's and this one.
            record.attempts = first.attempts.saturating_add(1);
            record
                .headers
                .push((FIRST_ATTEMPT_HEADER.to_string(), first.note));
            return true;
        }
        if needs_recheck(record) && !self.done.contains(&key) {
            if let Some(entry) = entry {
                let first = First {
                    note: first_attempt_note(record),
                    attempts: record.attempts,
                };
                self.failed.push((entry, first));
                self.latest_failure = Some(Instant::now());
            }
        }
        false
    }

    /// What is left of `pause` for the failures waiting: the pause counts from the latest of
    /// them, so each is tried again at least `pause` after it failed, and failures of the
    /// crawl's first minutes do not hold up its end (the default pause is a minute).
    pub(crate) fn pause_left(&self, pause: Duration) -> Duration {
        self.latest_failure
            .map_or(pause, |t| pause.saturating_sub(t.elapsed()))
    }

    /// The failures to try again now (each request at most once); empty when none are left.
    pub(crate) fn take_round(&mut self) -> Vec<FrontierEntry> {
        let mut round = Vec::new();
        for (entry, first) in std::mem::take(&mut self.failed) {
            let key = entry.request_key();
            if self.done.insert(key.clone()) {
                self.pending.insert(key, first);
                self.rechecked += 1;
                round.push(entry);
            }
        }
        round
    }
}

/// Waits `pause` before a round of rechecks; false when the crawl was cancelled meanwhile.
pub(crate) async fn pause(pause: Duration, cancel: &CancellationToken) -> bool {
    if pause.is_zero() {
        return !cancel.is_cancelled();
    }
    tracing::info!(
        secs = pause.as_secs_f64(),
        "pausing before rechecking failures"
    );
    tokio::select! {
        _ = cancel.cancelled() => false,
        _ = tokio::time::sleep(pause) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Method;

    fn record(url: &str, outcome: FetchOutcome, status: Option<u16>) -> FetchRecord {
        let entry = FrontierEntry::crawl(url, 1);
        let mut r = crate::task::skipped_record(&entry, outcome, "x");
        r.status = status;
        r.method = Method::Get;
        r
    }

    #[test]
    fn the_pause_counts_from_the_latest_failure() {
        let mut rc = Recheck::new(true);
        let pause = Duration::from_secs(60);
        assert_eq!(
            rc.pause_left(pause),
            pause,
            "nothing failed yet: the whole pause"
        );
        let entry = FrontierEntry::crawl("http://a.test/gone.html", 1);
        rc.started(&entry);
        let mut first = record("http://a.test/gone.html", FetchOutcome::NotFound, Some(404));
        rc.finished(&mut first);
        let left = rc.pause_left(pause);
        assert!(left <= pause && left > Duration::from_secs(59), "{left:?}");
        // A failure long ago leaves nothing to wait.
        rc.latest_failure = Instant::now().checked_sub(Duration::from_secs(61));
        if rc.latest_failure.is_some() {
            assert_eq!(rc.pause_left(pause), Duration::ZERO);
        }
    }

    #[test]
    fn a_failure_is_retried_once_and_keeps_its_first_attempt() {
        let mut rc = Recheck::new(true);
        let entry = FrontierEntry::crawl("http://a.test/gone.html", 1);
        rc.started(&entry);
        let mut first = record("http://a.test/gone.html", FetchOutcome::NotFound, Some(404));
        assert!(!rc.finished(&mut first));
        let round = rc.take_round();
        assert_eq!(round.len(), 1);
        assert!(rc.take_round().is_empty());
        rc.started(&round[0]);
        let mut second = record("http://a.test/gone.html", FetchOutcome::Ok, Some(200));
        assert!(rc.finished(&mut second));
        let note = &second
            .headers
            .iter()
            .find(|(k, _)| k == FIRST_ATTEMPT_HEADER)
            .unwrap()
            .1;
        assert!(note.starts_with("not-found 404 "), "{note}");
        assert_eq!((rc.rechecked, rc.recovered), (1, 1));
        assert_eq!(second.attempts, first.attempts + 1);
        // A second failure of the retry is not queued a third time.
        let mut third = record("http://a.test/gone.html", FetchOutcome::NotFound, Some(404));
        rc.started(&round[0]);
        assert!(!rc.finished(&mut third));
        assert!(rc.take_round().is_empty());
    }

    #[test]
    fn walls_robots_and_probes_are_not_retried() {
        let mut rc = Recheck::new(true);
        for (o, s) in [
            (FetchOutcome::Blocked, Some(403)),
            (FetchOutcome::Blocked, Some(429)),
            (FetchOutcome::RobotsDisallowed, None),
            (FetchOutcome::RedirectLoop, Some(302)),
            (FetchOutcome::TooManyRedirects, Some(302)),
            (FetchOutcome::ClientError, Some(302)),
            (FetchOutcome::Ok, Some(200)),
        ] {
            rc.started(&FrontierEntry::crawl("http://a.test/x", 1));
            let mut r = record("http://a.test/x", o, s);
            rc.finished(&mut r);
        }
        let mut probe = record("http://a.test/p", FetchOutcome::NotFound, Some(404));
        probe.purpose = FetchPurpose::Soft404Probe;
        assert!(!needs_recheck(&probe));
        assert!(rc.take_round().is_empty());
    }

    #[test]
    fn failures_from_before_a_resume_are_retried_once() {
        let mut rc = Recheck::new(true);
        let entry = FrontierEntry::crawl("http://a.test/down.html", 1);
        let failed = record("http://a.test/down.html", FetchOutcome::Connect, None);
        let mut retried = failed.clone();
        retried
            .headers
            .push((FIRST_ATTEMPT_HEADER.into(), "connect - t".into()));
        assert!(Failed::new(entry.clone(), &retried).is_none());
        let ok = record("http://a.test/down.html", FetchOutcome::Ok, Some(200));
        assert!(Failed::new(entry.clone(), &ok).is_none());
        rc.resume(Failed::new(entry.clone(), &failed).into_iter().collect());
        assert_eq!(rc.take_round(), vec![entry.clone()]);
        rc.started(&entry);
        let mut second = record("http://a.test/down.html", FetchOutcome::Connect, None);
        assert!(rc.finished(&mut second));
        assert!(rc.take_round().is_empty());
    }

    #[test]
    fn disabled_does_nothing() {
        let mut rc = Recheck::new(false);
        rc.started(&FrontierEntry::crawl("http://a.test/x", 1));
        let mut r = record("http://a.test/x", FetchOutcome::Connect, None);
        assert!(!rc.finished(&mut r));
        assert!(rc.take_round().is_empty());
    }
}
