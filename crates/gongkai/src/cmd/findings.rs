//! `gongkai findings`: list the findings of a run as a table, JSONL, JSON or CSV, with their
//! status across runs (new / persisting / resolved).

use crate::cli::{FindingsArgs, FindingsFormat, StatusFilter};
use anyhow::{bail, Context, Result};
use gongkai_report::{FindingStatus, ReportFinding};
use gongkai_store::Store;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: FindingsArgs) -> Result<ExitCode> {
    let store = super::check::open_existing(&args.db)?;
    let run_id = resolve_run(&store, &args.run)?;
    let pack = super::check::load_pack(None)?;
    let mut input = super::history::report_input(&store, run_id, &pack)?;
    // Open findings by default; resolved ones only when asked for.
    let mut list: Vec<ReportFinding> = match args.status {
        Some(StatusFilter::Resolved) => std::mem::take(&mut input.resolved),
        Some(s) => {
            let want = match s {
                StatusFilter::New => FindingStatus::New,
                StatusFilter::Unverified => FindingStatus::Unverified,
                _ => FindingStatus::Persisting,
            };
            std::mem::take(&mut input.findings)
                .into_iter()
                .filter(|f| f.status == want)
                .collect()
        }
        None => std::mem::take(&mut input.findings),
    };
    if let Some(rule) = &args.rule {
        list.retain(|f| &f.finding.rule == rule);
    }
    if let Some(dept) = &args.department {
        list.retain(|f| f.finding.department.contains(dept.as_str()));
    }
    input.findings = list;
    input.resolved.clear();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        FindingsFormat::Jsonl => gongkai_report::jsonl::write(&input, &mut out)?,
        FindingsFormat::Json => {
            let all: Vec<serde_json::Value> = input
                .findings
                .iter()
                .map(|f| serde_json::from_str(&gongkai_report::jsonl::report_line(f, run_id)))
                .collect::<Result<_, _>>()?;
            writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
        }
        FindingsFormat::Csv => gongkai_report::csv::write(&input, &mut out)?,
        FindingsFormat::Table => write!(out, "{}", gongkai_report::table::render(&input))?,
    }
    out.flush()?;
    if args.format == FindingsFormat::Table {
        // Coverage on stderr: the table on stdout stays what it was for scripts that read it.
        if let Some(run) = store.run(run_id)? {
            if let Some(c) = &run.coverage {
                let not_judged: Vec<String> = if run.complete() {
                    Vec::new()
                } else {
                    gongkai_rules::eval::rules_needing_complete_site(&pack)
                        .iter()
                        .map(|r| r.id.clone())
                        .collect()
                };
                for line in super::scan::coverage_lines(c, &not_judged) {
                    eprintln!("{line}");
                }
            } else if !run.complete() {
                eprintln!("覆盖情况: 本次扫描未完成（{}）", run.status.as_str());
            }
            for line in crate::health::summary_lines(&run) {
                eprintln!("{line}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `latest` (the newest run) or a run id.
pub fn resolve_run(store: &Store, run: &str) -> Result<i64> {
    if run == "latest" {
        return Ok(store
            .runs()?
            .into_iter()
            .last()
            .context("no scan in this database yet")?
            .id);
    }
    let id: i64 = run
        .parse()
        .with_context(|| format!("bad --run {run:?}: expected a run id or \"latest\""))?;
    if store.run(id)?.is_none() {
        bail!("no run {id} in this database");
    }
    Ok(id)
}
