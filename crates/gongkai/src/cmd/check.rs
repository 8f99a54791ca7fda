//! `gongkai check`: evaluate the rule pack over a stored crawl, without fetching.

use crate::cli::CheckArgs;
use crate::config::SiteConfig;
use anyhow::{bail, Context, Result};
use gongkai_rules::{EvalContext, Finding, OwnerRule, RulePack};
use gongkai_store::Store;
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let site = match &args.config {
        Some(p) => SiteConfig::load(p)?,
        None => SiteConfig::default(),
    };
    let pack = load_pack(args.rules.as_deref())?;
    let store = open_existing(&args.db)?;
    let run = match args.run {
        Some(id) => store
            .run(id)?
            .with_context(|| format!("no run {id} in {}", args.db.display()))?,
        None => store
            .runs()?
            .into_iter()
            .last()
            .with_context(|| format!("no scan in {}", args.db.display()))?,
    };
    let as_of = match &args.as_of {
        Some(s) => super::parse_as_of(Some(s))?,
        None => super::parse_as_of(Some(&run.as_of))?,
    };
    let findings = evaluate_run(&store, run.id, as_of, &pack, &site)?;
    // New findings of a completed run are sealed again (a new manifest in the chain).
    super::evidence::seal_completed(&store, &args.db, run.id)?;
    super::print_summary(&findings);
    Ok(ExitCode::SUCCESS)
}

/// The bundled pack, or the pack in `dir`.
pub fn load_pack(dir: Option<&Path>) -> Result<RulePack> {
    match dir {
        None => Ok(gongkai_rules::default_pack()),
        Some(d) => Ok(gongkai_rules::load_pack(d)?),
    }
}

/// Opens a database that must already exist (readers must not create empty files).
pub fn open_existing(db: &Path) -> Result<Store> {
    if !db.exists() {
        bail!("database {} does not exist", db.display());
    }
    Store::open(db).with_context(|| format!("cannot open database {}", db.display()))
}

/// Re-extracts outdated page models, evaluates the pack and stores the findings of the run.
pub fn evaluate_run(
    store: &Store,
    run_id: i64,
    as_of: chrono::NaiveDate,
    pack: &RulePack,
    site: &SiteConfig,
) -> Result<Vec<Finding>> {
    let snapshot = load_run_site(store, run_id, StoredModels::MayBeOutdated, None)?;
    evaluate_site(store, run_id, as_of, pack, site, snapshot)
}

/// Whether a run's stored page models can be older than the running extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredModels {
    /// Rows of an earlier binary may be among them (`check`, a resumed scan, rows carried
    /// forward by a night): each is compared with [`gongkai_page::EXTRACTOR_VERSION`].
    MayBeOutdated,
    /// Every row was written by this process's crawl (a new, full scan): the comparison, a
    /// pass over the run's rows, is skipped.
    WrittenNow,
}

/// Brings a run's pages up to date for the rules (outdated page models re-extracted from the
/// stored bytes, attachments not read yet read) and loads its site. It writes page models and
/// attachment texts, never the run's own record, so `scan` records the run's coverage and health
/// beside it.
///
/// The attachments are read on a thread of their own while the pages load (after `early`, a
/// reading the crawl started, has finished): the load waits for them only before it reads their
/// texts.
pub fn load_run_site(
    store: &Store,
    run_id: i64,
    models: StoredModels,
    early: Option<std::thread::JoinHandle<()>>,
) -> Result<gongkai_core::Site> {
    if models == StoredModels::MayBeOutdated {
        let t = std::time::Instant::now();
        refresh_models(store, run_id)?;
        tracing::debug!(secs = t.elapsed().as_secs_f64(), heap_mb = ?crate::heap_mb(), "models up to date");
    }
    let db = store.path().to_path_buf();
    std::thread::scope(|s| {
        let reader = std::thread::Builder::new()
            .name("gongkai-attachments".into())
            .spawn_scoped(s, || {
                let t = std::time::Instant::now();
                if let Some(early) = early {
                    let _ = early.join();
                    tracing::debug!(
                        secs = t.elapsed().as_secs_f64(),
                        "early attachment reading joined"
                    );
                }
                crate::attachments::read_pending(&db, run_id)?;
                tracing::debug!(secs = t.elapsed().as_secs_f64(), heap_mb = ?crate::heap_mb(), "attachments up to date");
                Ok::<_, anyhow::Error>(())
            })
            .context("cannot start a thread")?;
        let t = std::time::Instant::now();
        let peak = crate::HeapPeak::start();
        let mut reader = Some(reader);
        let mut join = || reader.take().map(|r| r.join());
        let mut read = None;
        let loaded = store.load_site_waiting(run_id, || read = join());
        // Waited for whatever stopped the load, so that no reading outlives this call.
        if let Some(r) = read.or_else(join) {
            r.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        }
        let snapshot = loaded?;
        tracing::debug!(
            secs = t.elapsed().as_secs_f64(),
            heap_mb = ?crate::heap_mb(),
            heap_peak_mb = ?peak.finish(),
            "site loaded"
        );
        Ok(snapshot)
    })
}

/// Evaluates the pack over a run's loaded site ([`load_run_site`]) and stores the findings.
/// The run's coverage must be recorded: a run cut by a crawl limit is judged differently.
pub fn evaluate_site(
    store: &Store,
    run_id: i64,
    as_of: chrono::NaiveDate,
    pack: &RulePack,
    site: &SiteConfig,
    snapshot: gongkai_core::Site,
) -> Result<Vec<Finding>> {
    // A run cut by a crawl limit does not judge what needs the whole site.
    let t = std::time::Instant::now();
    let complete = store.run(run_id)?.is_none_or(|r| r.complete());
    let ctx = EvalContext {
        as_of,
        owners: site
            .owners
            .iter()
            .map(|o| OwnerRule {
                url_prefix: o.url_prefix.clone(),
                column: o.column.clone(),
                department: o.department.clone(),
            })
            .collect(),
        aliases: site
            .departments
            .aliases
            .iter()
            .map(|(a, c)| (a.clone(), c.clone()))
            .collect(),
        complete,
        text: site.text.site_terms(),
    };
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "rule context built");
    let t = std::time::Instant::now();
    let peak = crate::HeapPeak::start();
    let encoded = gongkai_rules::evaluate_encoded(pack, &snapshot, &ctx);
    tracing::debug!(
        secs = t.elapsed().as_secs_f64(),
        heap_mb = ?crate::heap_mb(),
        heap_peak_mb = ?peak.finish(),
        findings = encoded.len(),
        findings_mb = encoded.held_bytes() as f64 / 1e6,
        "rules evaluated"
    );
    let t = std::time::Instant::now();
    // A check that could not read a page's text judged it as empty: such an evaluation is not
    // complete, so its findings are not stored (the previous ones stay; the next run retries).
    if let Some((n, first)) = snapshot.texts.failures() {
        anyhow::bail!(
            "page texts of run {run_id} could not be read from the database ({n} reads failed), \
             so the rules did not see those pages and no findings were stored (first: {first})"
        );
    }
    // The site is the rules' input only: free it before the findings are written.
    drop(snapshot);
    let freed = tracing::enabled!(tracing::Level::DEBUG)
        .then(crate::heap_mb)
        .flatten();
    let findings = encoded.into_findings();
    tracing::debug!(
        secs = t.elapsed().as_secs_f64(),
        heap_mb_site_freed = ?freed,
        heap_mb = ?crate::heap_mb(),
        "site freed, findings decoded"
    );
    let t = std::time::Instant::now();
    // Broken links are reported once they failed in `confirm_runs` consecutive runs.
    let confirm_runs = site.crawl.confirm_runs.unwrap_or(1);
    let (findings, held) = crate::health::hold_unconfirmed(store, run_id, confirm_runs, findings)?;
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "unconfirmed held back");
    let t = std::time::Instant::now();
    store.set_unconfirmed(run_id, held)?;
    store.replace_findings(run_id, &findings)?;
    store.set_rules_version(run_id, pack.hash())?;
    tracing::debug!(secs = t.elapsed().as_secs_f64(), "findings stored");
    Ok(findings)
}

/// Page models stored by an older extractor are rebuilt from the stored bytes.
fn refresh_models(store: &Store, run_id: i64) -> Result<()> {
    let stale = store.stale_models(run_id, gongkai_page::EXTRACTOR_VERSION)?;
    if stale.is_empty() {
        return Ok(());
    }
    tracing::info!(pages = stale.len(), "re-extracting page models");
    let mut updates = Vec::new();
    for id in stale {
        let Some(fetch) = store.fetch(id)? else {
            continue;
        };
        let Some(sha) = fetch.body_sha256.as_deref() else {
            continue;
        };
        let Some(body) = store.body(sha)? else {
            continue;
        };
        let Ok(url) = url::Url::parse(&fetch.record.final_url) else {
            continue;
        };
        // The column name travels with the request, not the bytes: read it back from the frontier
        // so a re-extracted Hanweb list keeps it (as the crawl did).
        let column = store.frontier_column(run_id, &fetch.request_key)?;
        let analyzed = gongkai_page::analyze_fetched(
            &url,
            &body,
            fetch.record.content_type.as_deref(),
            fetch.record.method,
            column.as_deref(),
        );
        updates.push((id, analyzed.model));
    }
    store.update_models(&mut updates)?;
    Ok(())
}
