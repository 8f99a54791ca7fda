//! `gongkai rules`: list the pack, explain a rule, print the ledger coverage.

use crate::cli::{RulesAction, RulesArgs};
use anyhow::{bail, Context, Result};
use std::process::ExitCode;

pub fn run(args: RulesArgs) -> Result<ExitCode> {
    let pack = super::check::load_pack(args.rules.as_deref())?;
    if args.coverage {
        let text = gongkai_rules::coverage_markdown(&pack);
        match &args.write {
            Some(path) => {
                std::fs::write(path, &text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("已写入覆盖情况：{}", path.display());
            }
            None => print!("{text}"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    match args.action {
        Some(RulesAction::Explain { id }) => match pack.explain(&id) {
            Some(text) => println!("{text}"),
            None => bail!("no rule {id:?} in the pack (see `gongkai rules`)"),
        },
        None => {
            println!(
                "规则包 (rule pack) {}",
                &pack.hash()[..pack.hash().len().min(12)]
            );
            for rule in pack.rules() {
                let ledger: Vec<String> = rule.ledger.iter().map(|n| n.to_string()).collect();
                println!(
                    "{:<32} {:<8} 台账 {:<16} {}",
                    rule.id,
                    rule.severity.as_str(),
                    ledger.join(","),
                    rule.title
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
