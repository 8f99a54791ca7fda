//! `gongkai worker`: takes due site-runs from the fleet queue, scans each with `gongkai scan`'s
//! own code into a local SQLite store, and publishes the result to PostgreSQL once.
//!
//! A heartbeat task on its own connection renews the lease while the scan runs; when the lease
//! is lost (taken over after expiry, or PostgreSQL unreachable for longer than the lease) the
//! scan is stopped and nothing is published: the worker that took over publishes instead.

use crate::cli::{ScanArgs, WorkerArgs};
use anyhow::{Context, Result};
use gongkai_fleet::publish::{self, Published, PublishedFinding, RunRecord};
use gongkai_fleet::queue::{self, AfterFailure, Claim};
use gongkai_fleet::Db;
use gongkai_store::Store;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub async fn run(args: WorkerArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create {}", args.data.display()))?;
    let db = super::fleet::connected(&args.pg).await?;
    let hb = Arc::new(Db::connect(&args.pg).await?);
    // Fail on a bad rule pack or date before claiming anything.
    super::check::load_pack(args.rules.as_deref())?;
    super::parse_as_of(args.as_of.as_deref())?;
    let name = args.name.clone().unwrap_or_else(default_name);
    let lease = Duration::from_secs(args.lease_secs.max(3));
    let poll = Duration::from_secs_f64(args.poll_secs.clamp(0.05, 3600.0));
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            s.cancel();
        }
    });
    let started = Instant::now();
    let mut done = 0u64;
    while !stop.is_cancelled() {
        let Some(claim) = queue::claim(&db, &name, lease).await? else {
            if args.once && queue::open_counts(&db).await? == (0, 0) {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = stop.cancelled() => {}
            }
            continue;
        };
        let before = db.round_trips() + hb.round_trips() - 3; // the claim's three
        tracing::info!(site = %claim.url, attempt = claim.attempt, "claimed");
        let outcome = scan_and_publish(&args, &db, &hb, &name, lease, &claim).await?;
        let trips = db.round_trips() + hb.round_trips() - before;
        match outcome {
            Outcome::Published { pages, findings } => {
                done += 1;
                println!(
                    "已发布：{} {}（第 {} 次尝试，{pages} 页，发现 {findings} 条；PostgreSQL 往返 {trips} 次）",
                    claim.name, claim.url, claim.attempt
                );
            }
            Outcome::Failed(reason, after) => eprintln!(
                "gongkai: {} {}: {reason} ({})",
                claim.name,
                claim.url,
                match after {
                    AfterFailure::Retry => "will be retried",
                    AfterFailure::Failed => "marked failed after the last attempt",
                    AfterFailure::NotOurs => "lease already lost",
                }
            ),
            Outcome::LeaseLost => eprintln!(
                "gongkai: lost the lease on {} (another worker takes it over); nothing published",
                claim.url
            ),
            Outcome::Interrupted => break,
        }
    }
    println!(
        "工作进程 {name} 结束：发布 {done} 个站点，用时 {:.1} 秒，PostgreSQL 往返共 {} 次",
        started.elapsed().as_secs_f64(),
        db.round_trips() + hb.round_trips()
    );
    Ok(ExitCode::SUCCESS)
}

fn default_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "worker".into());
    format!("{host}:{}", std::process::id())
}

enum Outcome {
    Published {
        pages: u64,
        findings: usize,
    },
    Failed(String, AfterFailure),
    LeaseLost,
    /// Ctrl-C: the site-run went back to the queue.
    Interrupted,
}

/// Keeps the lease alive every third of its length; cancels `lost` when it is gone.
fn spawn_heartbeat(
    hb: Arc<Db>,
    claim: Claim,
    lease: Duration,
    lost: CancellationToken,
    flag: Arc<AtomicBool>,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let done = CancellationToken::new();
    let d = done.clone();
    let task = tokio::spawn(async move {
        let mut last_ok = Instant::now();
        loop {
            tokio::select! {
                () = tokio::time::sleep(lease / 3) => {}
                () = d.cancelled() => return,
            }
            match queue::heartbeat(&hb, &claim, lease).await {
                Ok(true) => last_ok = Instant::now(),
                Ok(false) => break,
                // PostgreSQL unreachable: the lease runs out on its own after `lease`.
                Err(e) if last_ok.elapsed() < lease => tracing::warn!("heartbeat: {e}"),
                Err(_) => break,
            }
        }
        flag.store(true, Ordering::SeqCst);
        lost.cancel();
    });
    (done, task)
}

async fn scan_and_publish(
    args: &WorkerArgs,
    db: &Db,
    hb: &Arc<Db>,
    name: &str,
    lease: Duration,
    claim: &Claim,
) -> Result<Outcome> {
    let site_db = args.data.join(format!("site-{}.db", claim.site_id));
    let config = match &claim.config_text {
        Some(text) => {
            let p = args.data.join(format!("site-{}.toml", claim.site_id));
            std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))?;
            Some(p)
        }
        None => None,
    };
    let scan_args = scan_args(args, claim, site_db.clone(), config);
    let lost = CancellationToken::new();
    let lost_flag = Arc::new(AtomicBool::new(false));
    let (hb_done, hb_task) = spawn_heartbeat(
        hb.clone(),
        claim.clone(),
        lease,
        lost.clone(),
        lost_flag.clone(),
    );
    let started_at = chrono::Utc::now();
    let result = super::scan::run_until(&scan_args, lost.clone()).await;
    hb_done.cancel();
    let _ = hb_task.await;
    if lost_flag.load(Ordering::SeqCst) {
        return Ok(Outcome::LeaseLost);
    }
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let reason = format!("{e:#}");
            let after = queue::fail(db, claim, &reason).await?;
            return Ok(Outcome::Failed(reason, after));
        }
    };
    if report.interrupted {
        queue::release(db, claim).await?;
        return Ok(Outcome::Interrupted);
    }
    let (record, findings) = run_record(&scan_args, &site_db, &report, started_at)?;
    match publish::publish(db, claim, name, &record, &findings).await? {
        Published::Done => Ok(Outcome::Published {
            pages: report.pages,
            findings: findings.len(),
        }),
        Published::LeaseLost => Ok(Outcome::LeaseLost),
    }
}

fn scan_args(args: &WorkerArgs, claim: &Claim, db: PathBuf, config: Option<PathBuf>) -> ScanArgs {
    ScanArgs {
        urls: vec![claim.url.clone()],
        db,
        config,
        rate: args.rate,
        concurrency: None,
        per_host_concurrency: None,
        max_pages: args.max_pages,
        max_depth: args.max_depth,
        max_attachment_mib: None,
        as_of: args.as_of.clone(),
        resume: false,
        rules: args.rules.clone(),
        quiet: true,
        fail_on: None,
        // Like `gongkai scan`: a site's later runs on this worker's local store are incremental
        // nights; a worker that has no store of the site yet scans it in full.
        full: false,
        night: None,
    }
}

/// The run record and findings to publish, from the local store: the scorecard and the site's
/// own HTML report (statuses are decided in PostgreSQL, against the site's previous run).
fn run_record(
    scan: &ScanArgs,
    site_db: &std::path::Path,
    report: &super::scan::ScanReport,
    started_at: chrono::DateTime<chrono::Utc>,
) -> Result<(RunRecord, Vec<PublishedFinding>)> {
    use gongkai_report::html::scorecard::{scorecard, IndicatorKind};
    let store = Store::open_readonly(site_db)
        .with_context(|| format!("cannot open {}", site_db.display()))?;
    let pack = super::check::load_pack(scan.rules.as_deref())?;
    let input = super::history::report_input(&store, report.run_id, &pack)?;
    let findings: Vec<PublishedFinding> = report
        .findings
        .iter()
        .map(|f| PublishedFinding {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.clone(),
            severity: f.severity.as_str().to_string(),
            url: f.url.clone(),
            target: f.target.clone(),
            department: f.department.clone(),
            message: f.message.clone(),
        })
        .collect();
    let refs: Vec<&gongkai_rules::Finding> = report.findings.iter().collect();
    let enabled: Vec<String> = input.rules.iter().map(|r| r.id.clone()).collect();
    let card: Vec<serde_json::Value> = scorecard(&refs, &enabled)
        .iter()
        .map(|i| {
            serde_json::json!({
                "name": i.name,
                "kind": match i.kind {
                    IndicatorKind::Veto => "veto",
                    IndicatorKind::Deduction => "deduction",
                    IndicatorKind::NotObservable => "not_observable",
                },
                "pass": i.pass,
                "figure": i.figure,
            })
        })
        .collect();
    let partial = report.coverage.as_ref().is_some_and(|c| c.partial());
    let record = RunRecord {
        status: if partial { "partial" } else { "completed" }.into(),
        as_of: input.run.as_of.clone(),
        started_at,
        finished_at: chrono::Utc::now(),
        pages: i64::try_from(report.pages).unwrap_or(i64::MAX),
        coverage: serde_json::to_value(&report.coverage)?,
        scorecard: serde_json::Value::Array(card),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        rules_version: Some(pack.hash().to_string()),
        report_html: Some(gongkai_report::html::render(&input)),
    };
    Ok((record, findings))
}
