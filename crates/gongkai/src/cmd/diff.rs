//! `gongkai diff`: new and resolved findings between two runs, by rule and department.

use crate::cli::DiffArgs;
use anyhow::{bail, Context, Result};
use gongkai_rules::Finding;
use gongkai_store::RunStatus;
use std::collections::BTreeMap;
use std::process::ExitCode;

pub fn run(args: DiffArgs) -> Result<ExitCode> {
    let store = super::check::open_existing(&args.db)?;
    let runs = store.runs()?;
    let to = match args.to {
        Some(id) => runs
            .iter()
            .find(|r| r.id == id)
            .with_context(|| format!("no run {id}"))?,
        None => runs
            .iter()
            .rev()
            .find(|r| r.status == RunStatus::Completed && r.degraded.is_none())
            .context("no completed scan in this database")?,
    };
    let from = match args.from {
        Some(id) => runs
            .iter()
            .find(|r| r.id == id)
            .with_context(|| format!("no run {id}"))?,
        None => match runs.iter().rev().find(|r| {
            r.id < to.id
                && r.site == to.site
                && r.status == RunStatus::Completed
                && r.degraded.is_none()
        }) {
            Some(r) => r,
            None => bail!(
                "run {} has no earlier completed scan of the same site to compare with",
                to.id
            ),
        },
    };
    let load = |id: i64| -> Result<Vec<Finding>> {
        Ok(store.findings(id)?.into_iter().map(|f| f.finding).collect())
    };
    let d = gongkai_report::diff(&load(from.id)?, &load(to.id)?);
    println!(
        "对比 run {} ({}) → run {} ({}): 新发现 {} 条, 已整改 {} 条, 未整改 {} 条",
        from.id,
        from.as_of,
        to.id,
        to.as_of,
        d.new.len(),
        d.resolved.len(),
        d.persisting.len()
    );
    section("新发现 (new)", &d.new);
    // A degraded run did not see the whole site: what it did not see is not fixed.
    match &to.degraded {
        Some(why) => {
            println!("\n注意：run {} 运行异常（降级）：{why}", to.id);
            section("未再出现（运行异常，不算已整改）", &d.resolved);
        }
        None => section("已整改 (resolved)", &d.resolved),
    }
    Ok(ExitCode::SUCCESS)
}

fn section(title: &str, findings: &[Finding]) {
    println!("\n{title}: {}", findings.len());
    let mut groups: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        groups
            .entry((f.rule.as_str(), f.department.as_str()))
            .or_default()
            .push(f);
    }
    for ((rule, dept), fs) in groups {
        println!("  {rule} · {dept}: {}", fs.len());
        for f in fs {
            println!("    {} {}", f.url, f.message);
        }
    }
}
