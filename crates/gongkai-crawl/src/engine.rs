//! The crawl loop: one dispatcher owns the frontier and all per-host state; fetches run as tasks
//! and report back. The dispatcher only starts a request when its host is ready (rate, back-off,
//! concurrency, robots.txt), so one slow or rate-limiting host never holds up the others.

use crate::config::CrawlConfig;
use crate::coverage::{CutReason, CutUrl};
use crate::ctx::{Ctx, Limiters, TaskDone};
pub use crate::ctx::{NoPrior, PriorFetch, PriorLookup};
use crate::fetch;
use crate::frontier::{Candidate, FrontierEntry, Rejection, Seen, Via};
use crate::host::{Host, Interner, Lane, Queued, RobotsState, Waiting};
use crate::outcome::{FetchOutcome, FetchPurpose, FetchRecord, Method};
use crate::recheck::{self, Recheck};
use crate::schedule::{Decision, NightState};
use crate::scope::{origin_key, Scope};
use crate::stats::CrawlStats;
use crate::task;
use gongkai_page::LinkKind;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

/// What the crawl reports, in order. A fetch carries the entries it queued and the URLs it found
/// but did not queue for crawling, so a store that commits each event atomically never has a done
/// page whose links were not accounted for (and a resumed run counts each cut URL once).
#[derive(Debug)]
pub enum CrawlEvent {
    /// Entries queued without a fetch that found them (start URLs, probes).
    Enqueued(Vec<FrontierEntry>),
    /// A fetch and the entries newly queued from it: store them in one transaction.
    Fetched {
        record: Box<FetchRecord>,
        queued: Vec<FrontierEntry>,
        /// URLs found on the page that will not be crawled, with the reason (coverage).
        cut: Vec<CutUrl>,
    },
    /// URLs not crawled, found without a fetch (deferred checks over the check limit).
    Cut(Vec<CutUrl>),
    /// Everything queued was fetched, and the crawl now waits this long (perhaps not at all)
    /// before its round of rechecks: what the caller stored so far stays as it is, but for the
    /// failures tried again. Work on the stored pages can start in the pause.
    Pausing(Duration),
}

/// State of an interrupted run, from the store.
#[derive(Debug, Default, Clone)]
pub struct ResumeState {
    /// Request keys of every entry ever queued in the run.
    pub seen_keys: Vec<String>,
    /// Entries queued but not yet recorded.
    pub pending: Vec<FrontierEntry>,
    /// In-scope pages found only beyond `max_depth` (cut for `max-depth`): checked at the end
    /// unless found at a crawlable depth first.
    pub deferred: Vec<FrontierEntry>,
    /// Failures recorded before the interruption and not yet tried again.
    pub failed: Vec<recheck::Failed>,
}

#[derive(Debug, Clone, Default)]
pub struct CrawlSummary {
    pub interrupted: bool,
    /// True when max_pages or max_checks stopped discovery.
    pub limit_hit: bool,
    /// Failed requests tried once more at the end of the run, and those that then succeeded.
    pub rechecked: u64,
    pub recovered: u64,
    /// Incremental nights: requests made by reason code ([`crate::schedule::Reason`]); empty
    /// for a full crawl.
    pub revisits: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("the event receiver was dropped (store writer stopped)")]
    SinkClosed,
}

/// Runs a crawl to completion (or until `cancel`), sending every queued entry and fetch record to
/// `events`.
pub async fn crawl(
    cfg: CrawlConfig,
    prior: Arc<dyn PriorLookup>,
    resume: Option<ResumeState>,
    events: mpsc::Sender<CrawlEvent>,
    cancel: CancellationToken,
    stats: Arc<CrawlStats>,
) -> Result<CrawlSummary, CrawlError> {
    let client = fetch::build_client(&cfg).map_err(|e| CrawlError::Client(e.to_string()))?;
    let scope = Scope::new(&cfg.start_urls, &cfg.extra_hosts);
    let ctx = Arc::new(Ctx {
        cfg,
        client,
        scope,
        prior,
        limiters: Limiters::default(),
        stats,
    });
    Dispatcher::new(ctx, events).run(resume, cancel).await
}

struct Dispatcher {
    ctx: Arc<Ctx>,
    events: mpsc::Sender<CrawlEvent>,
    hosts: Vec<Host>,
    host_index: HashMap<String, usize>,
    seen: Seen,
    admitted_crawl: usize,
    admitted_checks: usize,
    limit_hit: bool,
    /// Pager hops from the first list page, per pagination URL (not kept across a resume).
    page_hops: HashMap<String, u32>,
    /// Keys (hashed like `seen`'s) already reported as cut by a guard that may still admit them
    /// later (query variants, depth).
    cut_reported: HashSet<u128>,
    /// Pages found only beyond `max_depth`: checked once the crawl is done, so that a shorter
    /// path found later still crawls them (marking them seen as checks would forbid that).
    deferred: Vec<FrontierEntry>,
    inflight: usize,
    rr: usize,
    tasks: JoinSet<TaskDone>,
    /// Failures to confirm by a second attempt at the end of the run.
    recheck: Recheck,
    /// Incremental nights: what is fetched tonight (None: a full crawl).
    night: Option<NightState>,
    /// Most requests queued or in flight at once (memory diagnostics, logged at the end).
    peak_queued: usize,
    /// Parent and column strings shared by consecutive queued entries.
    interner: Interner,
}

impl Dispatcher {
    fn new(ctx: Arc<Ctx>, events: mpsc::Sender<CrawlEvent>) -> Self {
        let recheck_on = ctx.cfg.recheck_pause.is_some();
        Dispatcher {
            events,
            hosts: Vec::new(),
            host_index: HashMap::new(),
            seen: Seen::default(),
            admitted_crawl: 0,
            admitted_checks: 0,
            limit_hit: false,
            page_hops: HashMap::new(),
            cut_reported: HashSet::new(),
            deferred: Vec::new(),
            inflight: 0,
            rr: 0,
            tasks: JoinSet::new(),
            recheck: Recheck::new(recheck_on),
            night: ctx.cfg.night.clone().map(NightState::new),
            peak_queued: 0,
            interner: Interner::default(),
            ctx,
        }
    }

    async fn run(
        mut self,
        resume: Option<ResumeState>,
        cancel: CancellationToken,
    ) -> Result<CrawlSummary, CrawlError> {
        match resume {
            Some(state) => {
                // Everything seen counts against the limits: conservative on resume.
                self.admitted_crawl = state.seen_keys.len();
                for key in &state.seen_keys {
                    self.seen.insert_key(key);
                }
                // The stored frontier does not say how an entry was found: a resumed list page
                // waits with the pages.
                for entry in state.pending {
                    let lane = Lane::of(entry.purpose, false);
                    self.push(entry, 0, None, lane);
                }
                self.recheck.resume(state.failed);
                let hasher = self.seen.hasher();
                for entry in state.deferred {
                    if self.cut_reported.insert(hasher.entry(&entry)) {
                        self.deferred.push(entry);
                    }
                }
            }
            None => {
                let starts: Vec<FrontierEntry> = self
                    .ctx
                    .cfg
                    .start_urls
                    .iter()
                    .map(|u| FrontierEntry::crawl(u.as_str(), 0))
                    .collect();
                let mut candidates: Vec<Candidate> =
                    starts.into_iter().map(Candidate::link).collect();
                candidates.extend(self.night.as_ref().map(night_seeds).unwrap_or_default());
                let (queued, _) = self.admit_all(candidates);
                self.events
                    .send(CrawlEvent::Enqueued(queued))
                    .await
                    .map_err(|_| CrawlError::SinkClosed)?;
            }
        }

        loop {
            if cancel.is_cancelled() {
                self.tasks.abort_all();
                return Ok(self.summary(true));
            }
            let next_wake = self.dispatch();
            if self.inflight == 0 && self.hosts.iter().all(|h| h.queue.is_empty()) {
                if !self.deferred.is_empty() {
                    self.admit_deferred().await?;
                    continue;
                }
                let gone = self
                    .night
                    .as_mut()
                    .map(|n| n.take_gone())
                    .unwrap_or_default();
                if !gone.is_empty() {
                    self.deferred = gone;
                    self.admit_deferred().await?;
                    continue;
                }
                if self.recheck_round(&cancel).await? {
                    continue;
                }
                break;
            }
            let sleep_until =
                next_wake.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                _ = cancel.cancelled() => {}
                done = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    if let Some(done) = done {
                        self.inflight = self.inflight.saturating_sub(1);
                        match done {
                            Ok(done) => self.handle(done).await?,
                            Err(e) => tracing::error!("fetch task failed: {e}"),
                        }
                    }
                }
                _ = tokio::time::sleep_until(sleep_until) => {}
            }
            let queued = self.hosts.iter().map(|h| h.queue.len()).sum::<usize>() + self.inflight;
            self.peak_queued = self.peak_queued.max(queued);
            self.ctx.stats.set_queued(queued);
        }
        Ok(self.summary(false))
    }

    /// Queues the failures not yet tried twice, after the pause; false when there are none.
    async fn recheck_round(&mut self, cancel: &CancellationToken) -> Result<bool, CrawlError> {
        let round = self.recheck.take_round();
        if round.is_empty() {
            return Ok(false);
        }
        let cfg = &self.ctx.cfg;
        // The configured pause as it is: a host that asked for a back-off is still waited for
        // (the dispatcher starts nothing on it before), and with no pause configured the
        // crawl's end left the cores idle for the retry back-off.
        let wait = self
            .recheck
            .pause_left(cfg.recheck_pause.unwrap_or_default());
        // One request each: queued as a last attempt, so the task does not retry it.
        let last = cfg.max_retries;
        // Announced even with no pause: the work on the stored pages then runs beside the
        // rechecks.
        self.events
            .send(CrawlEvent::Pausing(wait))
            .await
            .map_err(|_| CrawlError::SinkClosed)?;
        if recheck::pause(wait, cancel).await {
            for entry in round {
                self.push(entry, last, None, Lane::Rest);
            }
        }
        Ok(true)
    }

    fn summary(&self, interrupted: bool) -> CrawlSummary {
        tracing::debug!(
            seen = self.seen.len(),
            peak_queued = self.peak_queued,
            cut_reported = self.cut_reported.len(),
            "crawl done: frontier sizes"
        );
        CrawlSummary {
            interrupted,
            limit_hit: self.limit_hit,
            rechecked: self.recheck.rechecked,
            recovered: self.recheck.recovered,
            revisits: self.night.as_ref().map(|n| n.counts()).unwrap_or_default(),
        }
    }

    fn host_mut(&mut self, origin: &str) -> &mut Host {
        let idx = match self.host_index.get(origin) {
            Some(i) => *i,
            None => {
                let host = Host::new(origin.to_string(), self.ctx.cfg.rate);
                self.ctx.limiters.set(origin, host.limiter.clone());
                self.hosts.push(host);
                let i = self.hosts.len() - 1;
                self.host_index.insert(origin.to_string(), i);
                i
            }
        };
        &mut self.hosts[idx]
    }

    fn push(
        &mut self,
        entry: FrontierEntry,
        attempt: u32,
        not_before: Option<Instant>,
        lane: Lane,
    ) {
        let origin = Url::parse(&entry.url)
            .map(|u| origin_key(&u))
            .unwrap_or_default();
        let q = Waiting::pack(
            Queued {
                entry,
                attempt,
                not_before,
            },
            &mut self.interner,
        );
        let host = self.host_mut(&origin);
        if attempt > 0 {
            host.queue.push_retry(q);
        } else {
            host.queue.push_back(q, lane);
        }
    }

    /// Applies the guards and limits and queues what is admitted; returns the admitted entries
    /// and the URLs that will not be crawled, with the reason.
    fn admit_all(&mut self, candidates: Vec<Candidate>) -> (Vec<FrontierEntry>, Vec<CutUrl>) {
        let ctx = self.ctx.clone();
        let cfg = &ctx.cfg;
        let hasher = self.seen.hasher();
        let mut admitted = Vec::new();
        let mut lanes = Vec::new();
        let mut cut = Vec::new();
        for Candidate { entry, via, note } in candidates {
            // Most links point to a request already seen: decided on the hash alone, without
            // building the key string.
            let hash = hasher.entry(&entry);
            if note == Some(CutReason::MaxDepth) {
                if !self.seen.contains_entry(&entry) && self.cut_reported.insert(hash) {
                    cut.push(cut_url(entry.request_key(), &entry, CutReason::MaxDepth));
                    self.deferred.push(entry);
                }
                continue;
            }
            if note == Some(CutReason::Scheme) {
                let key = format!("SKIP {}", entry.url);
                if self.cut_reported.insert(hasher.key(&key)) {
                    cut.push(cut_url(key, &entry, CutReason::Scheme));
                }
                continue;
            }
            if self.seen.contains_entry(&entry) {
                continue;
            }
            let key = entry.request_key();
            // Incremental nights: a request verified recently and unchanged is carried forward.
            let reason = match self.night.as_ref().map(|n| n.decide(&key, &entry.url, via)) {
                Some(Decision::Carry) => continue,
                Some(Decision::Fetch(r)) => Some(r),
                None => None,
            };
            let is_crawl = entry.purpose == FetchPurpose::Crawl;
            if is_crawl && self.admitted_crawl >= cfg.max_pages
                || !is_crawl && self.admitted_checks >= cfg.max_checks
            {
                self.limit_hit = true;
                let reason = if is_crawl {
                    CutReason::MaxPages
                } else {
                    CutReason::MaxChecks
                };
                // Limits only tighten: the URL is never admitted later in this run.
                self.seen.insert_entry(&entry);
                cut.push(cut_url(key, &entry, reason));
                continue;
            }
            let hops = match via {
                Via::Pagination => {
                    let parent = entry.parent.as_deref().unwrap_or("");
                    let h = self.page_hops.get(parent).copied().unwrap_or(0) + 1;
                    if h > cfg.max_pagination_chain {
                        self.seen.insert_entry(&entry);
                        cut.push(cut_url(key, &entry, CutReason::PaginationChain));
                        continue;
                    }
                    Some(h)
                }
                _ => None,
            };
            let count_variants = via == Via::Link;
            match self.seen.admit(
                &entry,
                cfg.max_url_len,
                cfg.max_query_variants,
                &cfg.excludes,
                count_variants,
            ) {
                Ok(()) => {}
                Err(Rejection::Seen) => continue,
                Err(r) => {
                    let reason = match r {
                        Rejection::TooLong => CutReason::UrlTooLong,
                        Rejection::Excluded => CutReason::Excluded,
                        _ => CutReason::QueryVariants,
                    };
                    // A list may still admit a URL the query-variant cap turned away.
                    if self.cut_reported.insert(hash) {
                        cut.push(cut_url(key, &entry, reason));
                    }
                    continue;
                }
            }
            if let Some(h) = hops {
                self.page_hops.insert(entry.url.clone(), h);
            }
            if is_crawl {
                self.admitted_crawl += 1;
            } else {
                self.admitted_checks += 1;
            }
            if let (Some(n), Some(r)) = (self.night.as_mut(), reason) {
                n.count(r);
            }
            if let Some(reason) = note {
                cut.push(cut_url(key, &entry, reason));
            }
            lanes.push(Lane::of(entry.purpose, via == Via::Pagination));
            admitted.push(entry);
        }
        for (entry, lane) in admitted.iter().zip(lanes) {
            self.push(entry.clone(), 0, None, lane);
        }
        (admitted, cut)
    }

    /// Queues the deferred too-deep pages that no shorter path reached, as checks.
    async fn admit_deferred(&mut self) -> Result<(), CrawlError> {
        let deferred = std::mem::take(&mut self.deferred);
        let candidates = deferred
            .into_iter()
            .filter(|e| !self.seen.contains_entry(e))
            .map(Candidate::link)
            .collect();
        let (queued, cut) = self.admit_all(candidates);
        if !cut.is_empty() {
            self.events
                .send(CrawlEvent::Cut(cut))
                .await
                .map_err(|_| CrawlError::SinkClosed)?;
        }
        self.events
            .send(CrawlEvent::Enqueued(queued))
            .await
            .map_err(|_| CrawlError::SinkClosed)
    }

    /// A final 429 / 503 (retries used up) still asks the host to be left alone for a while:
    /// its Retry-After (up to the cap), or one second when it gives none.
    fn busy_until(&self, record: &FetchRecord) -> Option<Instant> {
        if !matches!(record.status, Some(429 | 503)) {
            return None;
        }
        let wait = fetch::retry_after(&record.headers)
            .unwrap_or(Duration::from_secs(1))
            .min(self.ctx.cfg.retry_after_cap);
        Some(Instant::now() + wait)
    }

    /// The first time a host answers a page with HTML, queue one request for a path that cannot
    /// exist there: its answer is the host's "not found" page, which tells soft 404s apart.
    fn probe_if_new_host(&mut self, origin: &str, record: &FetchRecord) -> Option<FrontierEntry> {
        if !self.ctx.cfg.soft404_probe
            || record.purpose == FetchPurpose::Soft404Probe
            || !record.outcome.is_ok_like()
            || record.model.is_none()
        {
            return None;
        }
        let url = Url::parse(&record.url).ok()?;
        let host = self.host_mut(origin);
        if host.probed {
            return None;
        }
        host.probed = true;
        let probe = probe_entry(&url);
        self.seen
            .admit(&probe, usize::MAX, usize::MAX, &[], false)
            .ok()?;
        self.push(probe.clone(), 0, None, Lane::Checks);
        Some(probe)
    }

    /// Starts every request whose host is ready; returns when to look again.
    fn dispatch(&mut self) -> Option<Instant> {
        let now = Instant::now();
        let mut next_wake: Option<Instant> = None;
        let mut wake = |t: Instant| {
            next_wake = Some(next_wake.map_or(t, |w: Instant| w.min(t)));
        };
        let n = self.hosts.len();
        if n == 0 {
            return None;
        }
        let start = self.rr % n;
        self.rr = self.rr.wrapping_add(1);
        for k in 0..n {
            let i = (start + k) % n;
            loop {
                if self.inflight >= self.ctx.cfg.concurrency.max(1) {
                    return next_wake;
                }
                let host = &mut self.hosts[i];
                if host.queue.is_empty()
                    || host.inflight >= self.ctx.cfg.per_host_concurrency.max(1)
                {
                    break;
                }
                if let Some(t) = host.blocked_until {
                    if t > now {
                        wake(t);
                        break;
                    }
                }
                match host.robots {
                    RobotsState::Fetching => break,
                    RobotsState::Unknown => {
                        if let Err(wait) = host.try_acquire() {
                            wake(now + wait);
                            break;
                        }
                        host.robots = RobotsState::Fetching;
                        host.inflight += 1;
                        self.inflight += 1;
                        let ctx = self.ctx.clone();
                        let origin = host.origin.clone();
                        self.tasks
                            .spawn(async move { task::fetch_robots(ctx, origin).await });
                        break;
                    }
                    _ => {}
                }
                let front = host.queue.front().expect("queue checked non-empty");
                if let Some(t) = front.not_before() {
                    if t > now {
                        wake(t);
                        break;
                    }
                }
                if !robots_allows(&host.robots, front.url()) {
                    let q = host.queue.pop_front().expect("front exists").unpack();
                    let record = task::skipped_record(
                        &q.entry,
                        FetchOutcome::RobotsDisallowed,
                        "disallowed by robots.txt",
                    );
                    let origin = host.origin.clone();
                    self.inflight += 1;
                    host.inflight += 1;
                    self.tasks.spawn(async move {
                        TaskDone::Fetched {
                            origin,
                            record: Box::new(record),
                            discovered: Vec::new(),
                        }
                    });
                    continue;
                }
                if let Err(wait) = host.try_acquire() {
                    wake(now + wait);
                    break;
                }
                let q = host.queue.pop_front().expect("front exists").unpack();
                host.inflight += 1;
                self.inflight += 1;
                self.recheck.started(&q.entry);
                let ctx = self.ctx.clone();
                let origin = host.origin.clone();
                self.tasks
                    .spawn(async move { task::fetch_task(ctx, origin, q).await });
            }
        }
        next_wake
    }

    async fn handle(&mut self, done: TaskDone) -> Result<(), CrawlError> {
        match done {
            TaskDone::Robots { origin, state } => {
                let rate = self.ctx.cfg.rate;
                let host = self.host_mut(&origin);
                host.inflight = host.inflight.saturating_sub(1);
                if let RobotsState::Ready(Some(robot)) = &state {
                    if let Some(delay) = robot.delay {
                        host.apply_crawl_delay(delay, rate);
                        let l = host.limiter.clone();
                        self.ctx.limiters.set(&origin, l);
                    }
                }
                self.host_mut(&origin).robots = state;
            }
            TaskDone::Fetched {
                origin,
                mut record,
                discovered,
            } => {
                let second_attempt = self.recheck.finished(&mut record);
                let busy_until = self.busy_until(&record);
                let host = self.host_mut(&origin);
                host.inflight = host.inflight.saturating_sub(1);
                if let Some(t) = busy_until {
                    host.blocked_until = Some(host.blocked_until.map_or(t, |b| b.max(t)));
                }
                if !second_attempt {
                    self.ctx.stats.record(&record);
                }
                if let Some(n) = self.night.as_mut() {
                    n.observe(&record);
                }
                let (mut queued, cut) = self.admit_all(discovered);
                queued.extend(self.probe_if_new_host(&origin, &record));
                let event = CrawlEvent::Fetched {
                    record,
                    queued,
                    cut,
                };
                // Timed only when the channel is full: the crawl then waits for the store.
                match self.events.try_send(event) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(event)) => {
                        let t = std::time::Instant::now();
                        let sent = self.events.send(event).await;
                        self.ctx.stats.waited_for_store(t.elapsed());
                        sent.map_err(|_| CrawlError::SinkClosed)?;
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {
                        return Err(CrawlError::SinkClosed)
                    }
                }
            }
            TaskDone::Retry {
                origin,
                queued,
                block_host_until,
            } => {
                let host = self.host_mut(&origin);
                host.inflight = host.inflight.saturating_sub(1);
                if let Some(t) = block_host_until {
                    host.blocked_until = Some(host.blocked_until.map_or(t, |b| b.max(t)));
                }
                let Queued {
                    entry,
                    attempt,
                    not_before,
                } = queued;
                self.push(entry, attempt, not_before, Lane::Rest);
            }
        }
        Ok(())
    }
}

/// Tonight's known requests that are due, as candidates (list items: no query-variant count).
fn night_seeds(night: &NightState) -> Vec<Candidate> {
    night
        .plan()
        .seeds()
        .iter()
        .map(|e| Candidate {
            entry: e.clone(),
            via: Via::ListItem,
            note: None,
        })
        .collect()
}

fn cut_url(key: String, entry: &FrontierEntry, reason: CutReason) -> CutUrl {
    CutUrl {
        key,
        url: entry.url.clone(),
        reason,
        parent: entry.parent.clone(),
    }
}

fn robots_allows(state: &RobotsState, url: &str) -> bool {
    match state {
        RobotsState::Ready(Some(robot)) => robot.allowed(url),
        RobotsState::Ready(None) => true,
        RobotsState::DisallowAll => false,
        // not reached: dispatch waits for robots first
        RobotsState::Unknown | RobotsState::Fetching => true,
    }
}

/// A deterministic path that no site serves: its answer is the host's "not found" page.
fn probe_entry(u: &Url) -> FrontierEntry {
    use sha2::{Digest, Sha256};
    let origin = origin_key(u);
    let digest = Sha256::digest(format!("gongkai-soft-404:{origin}").as_bytes());
    let tag = hex::encode(&digest[..6]);
    let mut probe = u.clone();
    probe.set_path(&format!("/gongkai-probe-{tag}/not-here.html"));
    probe.set_query(None);
    FrontierEntry {
        url: probe.to_string(),
        method: Method::Get,
        request_body: None,
        purpose: FetchPurpose::Soft404Probe,
        depth: 0,
        parent: None,
        link_kind: Some(LinkKind::Page),
        column: None,
    }
}
