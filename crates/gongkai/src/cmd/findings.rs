//! `gongkai findings`: list the findings of a run as a table, JSONL, JSON or CSV.

use crate::cli::FindingsArgs;
use anyhow::{bail, Context, Result};
use gongkai_rules::Finding;
use gongkai_store::Store;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: FindingsArgs) -> Result<ExitCode> {
    let store = super::check::open_existing(&args.db)?;
    let run_id = resolve_run(&store, &args.run)?;
    let mut findings: Vec<Finding> = store
        .findings(run_id)?
        .into_iter()
        .map(|f| f.finding)
        .collect();
    if let Some(rule) = &args.rule {
        findings.retain(|f| &f.rule == rule);
    }
    if let Some(dept) = &args.department {
        findings.retain(|f| f.department.contains(dept.as_str()));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format.as_str() {
        "jsonl" => {
            for f in &findings {
                writeln!(out, "{}", serde_json::to_string(&finding_json(f, run_id))?)?;
            }
        }
        "json" => {
            let all: Vec<_> = findings.iter().map(|f| finding_json(f, run_id)).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
        }
        "csv" => bail!("csv output: pending the report crate"),
        _ => {
            for f in &findings {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    f.severity.label_zh(),
                    f.rule,
                    f.department,
                    f.url,
                    f.message
                )?;
            }
            writeln!(out, "共 {} 条问题 (run {run_id})", findings.len())?;
        }
    }
    out.flush()?;
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

/// One finding as JSON with the stable field names.
pub fn finding_json(f: &Finding, run: i64) -> serde_json::Value {
    serde_json::json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "url": f.url,
        "target": f.target,
        "department": f.department,
        "ledger": f.ledger,
        "message": f.message,
        "evidence": f.evidence,
        "fingerprint": f.fingerprint,
        "run": run,
        "fetch_id": f.fetch_id,
    })
}
