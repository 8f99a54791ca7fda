//! `gongkai scan`: crawl into the store, then evaluate the rules.

use super::check::StoredModels;
use crate::cli::ScanArgs;
use crate::config::SiteConfig;
use anyhow::{bail, Context, Result};
use gongkai_crawl::{Coverage, CrawlConfig, CrawlEvent, CrawlStats, FetchOutcome, ResumeState};
use gongkai_store::{NewRun, RunStatus, Store, StoreCommand, StoreWriter};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The summary's lines on what happened after the crawl: attachments read, and the run's seal.
pub(crate) fn after_run_lines(store: &Store, run_id: i64) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(Some(line)) = crate::attachments::summary_line(store, run_id) {
        out.push(line);
    }
    if let Ok(Some(m)) = store.latest_manifest(run_id) {
        out.push(format!(
            "封存：第 {} 号清单，哈希 {}（gongkai evidence verify 可核验）",
            m.seq,
            m.hash.get(..16).unwrap_or(&m.hash)
        ));
    }
    out
}

/// What a finished scan reports back (used by `demo` too).
#[derive(Debug)]
pub struct ScanReport {
    pub run_id: i64,
    pub interrupted: bool,
    /// What was fetched and what not (None when interrupted).
    pub coverage: Option<Coverage>,
    /// Rule ids not judged because the run is partial.
    pub not_judged: Vec<String>,
    pub pages: u64,
    pub checks: u64,
    pub elapsed: std::time::Duration,
    pub findings: Vec<gongkai_rules::Finding>,
    /// Failed requests tried again at the end of the crawl, and those that then succeeded.
    pub rechecked: u64,
    pub recovered: u64,
    /// How the run was scanned (`runs.nights`): full, or an incremental night and why each
    /// request was made (None when interrupted).
    pub nights: Option<serde_json::Value>,
}

pub async fn run_cli(args: ScanArgs) -> Result<ExitCode> {
    let report = run(&args).await?;
    let t = Instant::now();
    let failing = args
        .fail_on
        .is_some_and(|at| report.findings.iter().any(|f| f.severity >= at.severity()));
    if report.interrupted {
        eprintln!(
            "gongkai: scan interrupted (run {}); continue with `gongkai scan --resume --db {}`",
            report.run_id,
            args.db.display()
        );
        return Ok(ExitCode::from(130));
    }
    let partial = report.coverage.as_ref().is_some_and(|c| c.partial());
    if partial {
        eprintln!(
            "gongkai: note: run {} is partial: a crawl limit left part of the site unfetched (see --max-pages / --max-depth)",
            report.run_id
        );
    }
    let store = Store::open_readonly(&args.db).ok();
    let run = store
        .as_ref()
        .and_then(|s| s.run(report.run_id).ok().flatten());
    if let Some(why) = run.as_ref().and_then(|r| r.degraded.as_deref()) {
        eprintln!(
            "gongkai: note: run {} is degraded (运行异常（降级）): {why}",
            report.run_id
        );
    }
    if !args.quiet {
        if let Some(c) = &report.coverage {
            for line in coverage_lines(c, &report.not_judged) {
                println!("{line}");
            }
        }
        for line in run.iter().flat_map(crate::health::summary_lines) {
            println!("{line}");
        }
        if report.rechecked > 0 {
            println!(
                "复查：{} 个失败的请求在运行结束时重试，其中 {} 个第二次成功（不计为问题）",
                report.rechecked, report.recovered
            );
        }
        if let Some(rec) = &report.nights {
            for line in super::nights::lines(rec) {
                println!("{line}");
            }
        }
        super::print_summary(&report.findings);
        if let Some(store) = &store {
            for line in after_run_lines(store, report.run_id) {
                eprintln!("{line}");
            }
        }
    }
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "summary printed");
    if failing {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The 覆盖情况 lines of a summary: pages fetched, not fetched and unreadable by reason, and the
/// rules a partial run did not judge.
pub fn coverage_lines(c: &Coverage, not_judged: &[String]) -> Vec<String> {
    let mut out = vec![format!("覆盖情况: {}", c.summary_line())];
    if c.partial() {
        let limits: Vec<&str> = c.limits_hit().iter().map(|r| r.label()).collect();
        out.push(format!(
            "本次扫描不完整（{}），需要全站才能判断的规则未判断: {}",
            limits.join("、"),
            if not_judged.is_empty() {
                "无".to_string()
            } else {
                not_judged.join("、")
            }
        ));
    }
    out
}

/// Validates a start URL: absolute http(s) with a host.
pub fn parse_start_url(s: &str) -> Result<Url> {
    let mut url = Url::parse(s.trim()).with_context(|| format!("bad start URL {s:?}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        bail!("bad start URL {s:?}: only http and https are fetched");
    }
    if url.host_str().is_none_or(|h| h.is_empty()) {
        bail!("bad start URL {s:?}: no host");
    }
    url.set_fragment(None);
    Ok(url)
}

pub async fn run(args: &ScanArgs) -> Result<ScanReport> {
    run_until(args, CancellationToken::new()).await
}

/// [`run`], also stopping as on Ctrl-C when `cancel` fires (a fleet worker that lost its lease):
/// the run is then stored as interrupted and the report says so.
pub async fn run_until(args: &ScanArgs, cancel: CancellationToken) -> Result<ScanReport> {
    let site = match &args.config {
        Some(p) => SiteConfig::load(p)?,
        None => SiteConfig::default(),
    };
    let mut as_of = super::parse_as_of(args.as_of.as_deref())?;
    // A bad rule file fails before any request is made.
    let pack = super::check::load_pack(args.rules.as_deref())?;
    let _lock = lock_database(&args.db)?;
    let store = Store::open(&args.db)
        .with_context(|| format!("cannot open database {}", args.db.display()))?;

    let (run_id, start_urls, resume, night) = if args.resume {
        let Some(run) = store.latest_unfinished_run()? else {
            bail!(
                "nothing to resume in {}: no unfinished scan",
                args.db.display()
            );
        };
        let start_urls = run
            .start_urls
            .iter()
            .map(|u| parse_start_url(u))
            .collect::<Result<Vec<_>>>()?;
        let state = resume_state(&store, &run)?;
        let night = super::nights::resume(&store, &run)?;
        if args.as_of.is_none() {
            as_of = super::parse_as_of(Some(&run.as_of))?;
        }
        store.resume_run(run.id)?;
        tracing::info!(run = run.id, "resuming");
        (run.id, start_urls, Some(state), night)
    } else {
        let (run_id, start_urls, night) = begin_new_run(args, &site, &pack, &store, as_of)?;
        (run_id, start_urls, None, Some(night))
    };
    let mut cfg = crawl_config(args, &site, start_urls.clone());
    if let Some(super::nights::Mode::Incremental { plan, .. }) = night.as_ref().map(|n| &n.mode) {
        cfg.night = Some(plan.clone());
    }

    let resumed = resume.is_some();
    let started = Instant::now();
    let Crawled {
        stats,
        summary,
        early,
    } = crawl_into_store(&args.db, run_id, cfg, resume, &store, args.quiet, cancel).await?;
    let mut findings = Vec::new();
    let mut coverage = None;
    let mut not_judged = Vec::new();
    let mut nights = None;
    if summary.interrupted {
        store.finish_run(run_id, RunStatus::Interrupted)?;
    } else {
        // Rows carried forward tonight are part of the site: in place before it is loaded.
        let incremental = matches!(
            night.as_ref().map(|n| &n.mode),
            Some(super::nights::Mode::Incremental { .. })
        );
        if incremental {
            let t = Instant::now();
            nights = night
                .as_ref()
                .map(|n| super::nights::finish(&store, run_id, n, &summary.revisits))
                .transpose()?;
            tracing::debug!(secs = t.elapsed().as_secs_f64(), heap_mb = ?crate::heap_mb(), "night recorded");
        }
        // A new full scan wrote every row itself, with the current extractor.
        let models = if resumed || incremental {
            StoredModels::MayBeOutdated
        } else {
            StoredModels::WrittenNow
        };
        // The run's own records (a full night's, coverage, health) are written on a connection
        // of their own while this one brings the pages up to date and loads the site: neither
        // reads what the other writes, and the load leaves a core idle.
        let (book, loaded) = std::thread::scope(|s| {
            let book = std::thread::Builder::new()
                .name("gongkai-runbook".into())
                .spawn_scoped(s, || {
                    let store = Store::open(&args.db)
                        .with_context(|| format!("cannot open database {}", args.db.display()))?;
                    store.small_cache()?;
                    let night = match nights.take() {
                        Some(recorded) => NightRecord::Recorded(recorded),
                        None => NightRecord::Finish(night.as_ref()),
                    };
                    record_run(&store, run_id, night, &summary.revisits, &start_urls, &site)
                });
            let loaded = super::check::load_run_site(&store, run_id, models, early);
            let book = match book {
                Ok(h) => h
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(e) => Err(anyhow::Error::from(e).context("cannot start a thread")),
            };
            (book, loaded)
        });
        let book = book?;
        let (tally, degraded) = (book.tally, book.degraded);
        nights = book.nights;
        let cov = &tally.coverage;
        let status = if cov.partial() {
            RunStatus::Partial
        } else {
            RunStatus::Completed
        };
        if let Err(e) = book.reachable {
            store.finish_run_with(run_id, status, Some(&tally))?;
            if let Err(s) = super::evidence::seal_completed(&store, &args.db, run_id) {
                tracing::warn!("{s:#}");
            }
            return Err(e);
        }
        let snapshot = loaded?;
        // Findings are stored before the run is marked finished: a crash in between leaves an
        // unfinished run, and the resume evaluates again.
        findings = super::check::evaluate_site(&store, run_id, as_of, &pack, &site, snapshot)?;
        let t = Instant::now();
        store.finish_run_with(run_id, status, Some(&tally))?;
        tracing::debug!(secs = t.elapsed().as_secs_f64(), "run finished");
        if cov.partial() || degraded.is_some() {
            not_judged = gongkai_rules::eval::rules_needing_complete_site(&pack)
                .iter()
                .map(|r| r.id.clone())
                .collect();
        }
        coverage = Some(tally.coverage);
        let t = Instant::now();
        super::evidence::seal_completed(&store, &args.db, run_id)?;
        tracing::debug!(secs = t.elapsed().as_secs_f64(), "run sealed");
    }
    let (pages, checks, _, _, _) = stats.snapshot();
    Ok(ScanReport {
        run_id,
        interrupted: summary.interrupted,
        coverage,
        not_judged,
        pages,
        checks,
        elapsed: started.elapsed(),
        findings,
        rechecked: summary.rechecked,
        recovered: summary.recovered,
        nights,
    })
}

/// A new run: its start URLs (command line, else the config), whether it is a full scan or an
/// incremental night over an earlier run, and its run record.
fn begin_new_run(
    args: &ScanArgs,
    site: &SiteConfig,
    pack: &gongkai_rules::RulePack,
    store: &Store,
    as_of: chrono::NaiveDate,
) -> Result<(i64, Vec<Url>, super::nights::Night)> {
    let revisit_days = site
        .crawl
        .revisit_days
        .unwrap_or(super::nights::DEFAULT_REVISIT_DAYS);
    let raw: Vec<String> = if args.urls.is_empty() {
        site.site.start_urls.clone()
    } else {
        args.urls.clone()
    };
    if raw.is_empty() {
        bail!("no start URL: give one on the command line or in the config's start_urls");
    }
    let start_urls = raw
        .iter()
        .map(|u| parse_start_url(u))
        .collect::<Result<Vec<_>>>()?;
    let cfg = crawl_config(args, site, start_urls.clone());
    let night = super::nights::decide(
        store,
        args.full,
        super::nights::night_date(args.night.as_deref())?,
        revisit_days,
        &site_name(site, &start_urls),
        &start_urls,
    )?;
    let run_id = store.begin_run(&NewRun {
        site: site_name(site, &start_urls),
        start_urls: start_urls.iter().map(|u| u.to_string()).collect(),
        settings: settings_json(&cfg),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        rules_version: Some(pack.hash().to_string()),
        config_hash: args
            .config
            .as_deref()
            .and_then(crate::store_bridge::file_hash),
        as_of: as_of.to_string(),
    })?;
    store.set_run_nights(run_id, &super::nights::begin_record(&night))?;
    Ok((run_id, start_urls, night))
}

/// The night's record when the run's own records are written: already written (an incremental
/// night carries rows forward before the load), or to be written for this night.
enum NightRecord<'a> {
    Recorded(serde_json::Value),
    Finish(Option<&'a super::nights::Night>),
}

/// The run's own records after its crawl, written beside the site's load.
struct RunBook {
    nights: Option<serde_json::Value>,
    tally: gongkai_store::RunTally,
    degraded: Option<String>,
    /// Err when no start page could be reached: nothing to judge.
    reachable: Result<()>,
}

/// Records a crawled run's night, coverage and health: before the rules, since a partial or
/// degraded run does not judge what needs the whole site.
fn record_run(
    store: &Store,
    run_id: i64,
    night: NightRecord<'_>,
    revisits: &std::collections::BTreeMap<String, u64>,
    start_urls: &[Url],
    site: &SiteConfig,
) -> Result<RunBook> {
    let t = Instant::now();
    let mut nights = match night {
        NightRecord::Recorded(rec) => Some(rec),
        NightRecord::Finish(None) => None,
        NightRecord::Finish(Some(n)) => {
            let rec = super::nights::finish(store, run_id, n, revisits)?;
            tracing::debug!(secs = t.elapsed().as_secs_f64(), "night recorded");
            Some(rec)
        }
    };
    let t = Instant::now();
    let tally = store.record_coverage(run_id)?;
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "coverage recorded");
    let t = Instant::now();
    let degraded = record_run_health(
        store,
        run_id,
        start_urls,
        site,
        &tally.coverage,
        nights.as_mut(),
    )?;
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "run health recorded");
    Ok(RunBook {
        nights,
        degraded,
        reachable: unreachable_check(store, run_id, start_urls),
        tally,
    })
}

/// Marks the run degraded when it saw far less than the last complete run or its start page
/// failed (returns why), and notes a night cut by a crawl limit in its record. Both are recorded
/// before the rules run, which judge no whole-site rule on such a run.
fn record_run_health(
    store: &Store,
    run_id: i64,
    start_urls: &[Url],
    site: &SiteConfig,
    cov: &Coverage,
    nights: Option<&mut serde_json::Value>,
) -> Result<Option<String>> {
    let degraded = crate::health::degraded_reason(
        store,
        run_id,
        start_urls,
        cov.pages_fetched,
        cov.partial(),
        crate::health::min_pages_ratio(site),
    )?;
    store.set_degraded(run_id, degraded.as_deref())?;
    if let Some(rec) = nights.filter(|_| cov.partial()) {
        rec["partial"] = serde_json::json!(true);
        store.set_run_nights(run_id, rec)?;
    }
    Ok(degraded)
}

/// What a resumed crawl starts from: the run's seen set, its pending entries, and the pages cut
/// for depth that are still to be checked.
fn resume_state(store: &Store, run: &gongkai_store::RunInfo) -> Result<ResumeState> {
    let seen_keys = store.frontier_seen(run.id)?;
    let pending = store.frontier_pending(run.id)?;
    let check_depth = run
        .settings
        .get("max_depth")
        .and_then(|d| d.as_u64())
        .map_or(u32::MAX, |d| {
            (d.min(u64::from(u32::MAX)) as u32).saturating_add(1)
        });
    let deferred = store
        .cut_urls(run.id, gongkai_crawl::CutReason::MaxDepth, usize::MAX)?
        .into_iter()
        .map(|(url, parent)| gongkai_crawl::FrontierEntry {
            url,
            method: gongkai_crawl::Method::Get,
            request_body: None,
            purpose: gongkai_crawl::FetchPurpose::Check,
            depth: check_depth,
            parent,
            link_kind: Some(gongkai_page::LinkKind::Page),
            column: None,
        })
        .collect();
    Ok(ResumeState {
        seen_keys,
        pending,
        deferred,
        failed: failed_before(store, run.id)?,
    })
}

/// Failures an interrupted run recorded and had not tried again yet: the resumed crawl does, at
/// its end.
fn failed_before(store: &Store, run_id: i64) -> Result<Vec<gongkai_crawl::recheck::Failed>> {
    let codes: Vec<&str> = FetchOutcome::ALL
        .iter()
        .filter(|o| o.is_broken())
        .map(|o| o.code())
        .collect();
    let mut out = Vec::new();
    for (entry, fetch_id) in store.frontier_failed(run_id, &codes)? {
        if let Some(fetch) = store.fetch(fetch_id)? {
            out.extend(gongkai_crawl::recheck::Failed::new(entry, &fetch.record));
        }
    }
    Ok(out)
}

fn site_name(site: &SiteConfig, start_urls: &[Url]) -> String {
    if !site.site.name.trim().is_empty() {
        return site.site.name.trim().to_string();
    }
    start_urls
        .first()
        .and_then(|u| u.host_str())
        .unwrap_or("")
        .to_string()
}

pub fn crawl_config(args: &ScanArgs, site: &SiteConfig, start_urls: Vec<Url>) -> CrawlConfig {
    let mut cfg = CrawlConfig::new(start_urls).with_contact(&site.site.contact);
    cfg.extra_hosts = site.site.extra_hosts.clone();
    cfg.excludes = site.site.exclude.clone();
    let rate = args.rate.or(site.crawl.rate).unwrap_or(2.0);
    cfg.rate = (rate > 0.0).then_some(rate);
    if let Some(c) = args.concurrency.or(site.crawl.concurrency) {
        cfg.concurrency = c.max(1);
    }
    if let Some(c) = args
        .per_host_concurrency
        .or(site.crawl.per_host_concurrency)
    {
        cfg.per_host_concurrency = c.max(1);
    }
    if let Some(m) = args.max_pages.or(site.crawl.max_pages) {
        cfg.max_pages = m;
    }
    if let Some(d) = args.max_depth.or(site.crawl.max_depth) {
        cfg.max_depth = d;
    }
    if let Some(t) = site.crawl.timeout_secs {
        cfg.timeout = std::time::Duration::from_secs(t.max(1));
    }
    if let Some(t) = site.crawl.connect_timeout_secs {
        cfg.connect_timeout = std::time::Duration::from_secs(t.max(1));
    }
    if let Some(m) = args.max_attachment_mib.or(site.crawl.max_attachment_mib) {
        cfg.attachment_cap = usize::try_from(m.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX);
    }
    cfg.recheck_pause = Some(recheck_pause(site));
    cfg
}

/// The pause before failed requests are tried again: `GONGKAI_RECHECK_PAUSE_SECS`, else the
/// config's `recheck_pause_secs`, else 60 s.
fn recheck_pause(site: &SiteConfig) -> std::time::Duration {
    let env = std::env::var("GONGKAI_RECHECK_PAUSE_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let secs = env.or(site.crawl.recheck_pause_secs).unwrap_or(60);
    std::time::Duration::from_secs(secs.min(24 * 3600))
}

fn settings_json(cfg: &CrawlConfig) -> serde_json::Value {
    serde_json::json!({
        "rate": cfg.rate,
        "concurrency": cfg.concurrency,
        "per_host_concurrency": cfg.per_host_concurrency,
        "max_pages": cfg.max_pages,
        "max_checks": cfg.max_checks,
        "max_depth": cfg.max_depth,
        "max_query_variants": cfg.max_query_variants,
        "max_pagination_chain": cfg.max_pagination_chain,
        "extra_hosts": cfg.extra_hosts,
        "excludes": cfg.excludes,
        "user_agent": cfg.user_agent,
        "timeout_secs": cfg.timeout.as_secs(),
        "connect_timeout_secs": cfg.connect_timeout.as_secs(),
        "attachment_cap": cfg.attachment_cap,
        "recheck_pause_secs": cfg.recheck_pause.map(|d| d.as_secs()),
    })
}

/// Records being prepared for the store at most, ahead of the writer (each holds a page's
/// body, also compressed on a first scan).
const PREPARE_AHEAD: usize = 32;

/// A store command on its way to the writer, in crawl order.
enum Forwarded {
    Ready(StoreCommand),
    /// A record whose database-free work ([`StoreCommand::prepare`]) runs on the blocking pool.
    Preparing(tokio::task::JoinHandle<StoreCommand>),
}

/// Runs the crawler with the store writer on its own thread; Ctrl-C stops gracefully.
async fn crawl_into_store(
    db: &Path,
    run_id: i64,
    cfg: CrawlConfig,
    resume: Option<ResumeState>,
    store: &Store,
    quiet: bool,
    cancel: CancellationToken,
) -> Result<Crawled> {
    // A first scan into an empty database: nothing to ask conditionally, every body is new.
    let first_scan = !store.has_fetches()?;
    let (writer, handle) = StoreWriter::spawn(db, run_id)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<CrawlEvent>(256);
    // Events are forwarded in order to the writer thread, which commits each atomically. A
    // record's work that needs no database is done on the blocking pool first, several records
    // at a time, and the commands still reach the writer in the order of the events.
    let (ordered_tx, mut ordered_rx) = tokio::sync::mpsc::channel::<Forwarded>(PREPARE_AHEAD);
    let send_in_order = tokio::spawn(async move {
        while let Some(next) = ordered_rx.recv().await {
            let cmd = match next {
                Forwarded::Ready(cmd) => cmd,
                Forwarded::Preparing(job) => job
                    .await
                    .map_err(|e| anyhow::anyhow!("preparing a record for the store: {e}"))?,
            };
            handle.send(cmd).await?;
        }
        Ok::<_, anyhow::Error>(())
    });
    let early_db = db.to_path_buf();
    let forward = tokio::spawn(async move {
        let mut early = None;
        while let Some(ev) = rx.recv().await {
            // Cut URLs go first: recording them twice (a crash before the page's record, then a
            // resume) is harmless, as the store keeps one row per URL.
            if let CrawlEvent::Fetched { cut, .. } = &ev {
                if !cut.is_empty() {
                    let cmd = StoreCommand::Cut(cut.clone());
                    if ordered_tx.send(Forwarded::Ready(cmd)).await.is_err() {
                        break;
                    }
                }
            }
            let next = match ev {
                CrawlEvent::Cut(cut) => Forwarded::Ready(StoreCommand::Cut(cut)),
                CrawlEvent::Enqueued(entries) => Forwarded::Ready(StoreCommand::Enqueue(entries)),
                CrawlEvent::Fetched { record, queued, .. } => {
                    let mut cmd = StoreCommand::Record {
                        record,
                        follow: queued,
                        prepared: None,
                    };
                    // Bodies are compressed ahead only when most are new.
                    Forwarded::Preparing(tokio::task::spawn_blocking(move || {
                        cmd.prepare(first_scan);
                        cmd
                    }))
                }
                CrawlEvent::Pausing(_) => {
                    if early.is_none() {
                        early = early_attachments(&early_db, run_id);
                    }
                    continue;
                }
            };
            // Closed only when the sending task stopped on an error, which it returns.
            if ordered_tx.send(next).await.is_err() {
                break;
            }
        }
        drop(ordered_tx);
        send_in_order
            .await
            .map_err(|e| anyhow::anyhow!("store forwarding task: {e}"))??;
        Ok::<_, anyhow::Error>(early)
    });

    let c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::warn!("interrupt: stopping after saving state");
            c.cancel();
        }
    });
    let stats = Arc::new(CrawlStats::default());
    let progress_done = CancellationToken::new();
    let progress = crate::progress::spawn(stats.clone(), progress_done.clone(), quiet);
    let prior: Arc<dyn gongkai_crawl::PriorLookup> = if first_scan {
        Arc::new(gongkai_crawl::NoPrior)
    } else {
        Arc::new(crate::store_bridge::StorePrior::open(db)?)
    };
    let t = Instant::now();
    let result = gongkai_crawl::crawl(cfg, prior, resume, tx, cancel.clone(), stats.clone()).await;
    let waited = stats
        .store_wait_us
        .load(std::sync::atomic::Ordering::Relaxed);
    tracing::debug!(
        secs = t.elapsed().as_secs_f64(),
        store_wait_secs = waited as f64 / 1e6,
        "crawl done"
    );
    let t = Instant::now();
    progress_done.cancel();
    let _ = progress.await;
    let forwarded = forward
        .await
        .map_err(|e| anyhow::anyhow!("store forwarding task: {e}"))?;
    let finished = writer.finish_async().await;
    tracing::debug!(
        secs = t.elapsed().as_secs_f64(),
        heap_mb = ?crate::heap_mb(),
        stats = ?finished.as_ref().ok(),
        "store writer finished"
    );
    let early = forwarded.context("storing the crawl")?;
    finished.context("storing the crawl")?;
    // An interrupted scan does not wait for the early reading (a commit is atomic, and what it
    // did not store is read by the run that resumes); a finished one joins it while it loads
    // the site.
    let early = early.filter(|_| !cancel.is_cancelled());
    let summary = result?;
    Ok(Crawled {
        stats,
        summary,
        early,
    })
}

/// What [`crawl_into_store`] leaves.
struct Crawled {
    stats: Arc<CrawlStats>,
    summary: gongkai_crawl::CrawlSummary,
    /// The attachment reading started in the pause before the rechecks, if still to be joined.
    early: Option<std::thread::JoinHandle<()>>,
}

/// Reads the attachments stored so far on a thread of its own, with a connection of its own:
/// the crawl's pause before its rechecks leaves the cores idle (`recheck_pause_secs`, 60 s by
/// default, at least the backoff base), and reading attachments was a serial step after the
/// crawl. The pass after the crawl
/// ([`crate::attachments::extract_pending`] in `check::evaluate_run`) reads only what this one
/// did not: the attachments of records not yet committed, and those the rechecks fetch. A failure
/// here is left to that pass.
fn early_attachments(db: &Path, run_id: i64) -> Option<std::thread::JoinHandle<()>> {
    let db = db.to_path_buf();
    std::thread::Builder::new()
        .name("gongkai-attachments".into())
        .spawn(move || {
            let t = Instant::now();
            match crate::attachments::read_pending(&db, run_id) {
                Ok(n) => tracing::debug!(
                    read = n,
                    secs = t.elapsed().as_secs_f64(),
                    "attachments read in the pause before the rechecks"
                ),
                Err(e) => tracing::debug!(
                    "attachments not read in the pause (read after the crawl): {e:#}"
                ),
            }
        })
        .ok()
}

/// A scan whose every start URL failed at the network level is an operational error.
fn unreachable_check(store: &Store, run_id: i64, start_urls: &[Url]) -> Result<()> {
    let mut failures = Vec::new();
    let mut blocked = false;
    for u in start_urls {
        let Some((outcome, detail)) = store.start_outcome(run_id, u.as_str())? else {
            return Ok(());
        };
        let network = matches!(
            outcome,
            FetchOutcome::Dns
                | FetchOutcome::Connect
                | FetchOutcome::Tls
                | FetchOutcome::Timeout
                | FetchOutcome::NetworkError
        );
        // A start page behind an anti-bot wall (412 challenge, 403) leaves nothing to check.
        let walled = matches!(
            outcome,
            FetchOutcome::Blocked | FetchOutcome::RobotsDisallowed
        );
        if !network && !walled {
            return Ok(());
        }
        blocked |= walled;
        failures.push(format!(
            "{u} ({}{})",
            outcome.code(),
            detail.map(|d| format!(": {d}")).unwrap_or_default()
        ));
    }
    if blocked {
        bail!(
            "the site refused the crawler, nothing could be checked: {} (an anti-bot wall or robots.txt; ask the site's operators to allow gongkai's User-Agent)",
            failures.join("; ")
        )
    }
    bail!("site unreachable: {}", failures.join("; "))
}

/// Holds `<db>.lock` for the whole scan so two scans of one database never overlap (a nightly
/// timer firing while a slow scan still runs). The OS releases the lock if the process dies.
fn lock_database(db: &Path) -> Result<std::fs::File> {
    use fs4::fs_std::FileExt;
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    let path = std::path::PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    match file.try_lock_exclusive() {
        Ok(true) => Ok(file),
        Ok(false) => bail!(
            "another gongkai scan is using {} (lock {}); try again when it has finished",
            db.display(),
            path.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
}
