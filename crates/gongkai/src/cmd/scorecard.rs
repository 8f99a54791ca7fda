//! `gongkai scorecard`: the national spot-check indicators (国办秘函〔2019〕19号) for one run —
//! threshold, figure and pass / fail per indicator, from the run's open findings. Exit code 1
//! when a veto indicator fails.

use crate::cli::ScorecardArgs;
use anyhow::Result;
use gongkai_report::html::scorecard::{self, IndicatorKind};
use std::process::ExitCode;

pub fn run(args: ScorecardArgs) -> Result<ExitCode> {
    let store = super::check::open_existing(&args.db)?;
    let run_id = super::findings::resolve_run(&store, &args.run)?;
    let pack = super::check::load_pack(None)?;
    let input = super::history::report_input(&store, run_id, &pack)?;
    print!("{}", scorecard::text(&input));
    let findings: Vec<&gongkai_rules::Finding> =
        input.findings.iter().map(|f| &f.finding).collect();
    let enabled: Vec<String> = input.rules.iter().map(|r| r.id.clone()).collect();
    let vetoed = scorecard::scorecard(&findings, &enabled)
        .iter()
        .any(|i| i.kind == IndicatorKind::Veto && i.pass == Some(false));
    Ok(if vetoed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
