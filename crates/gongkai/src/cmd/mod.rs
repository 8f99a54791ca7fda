//! One module per subcommand.

pub mod account;
pub mod check;
pub mod demo;
pub mod diff;
pub mod evidence;
pub mod export_warc;
pub mod findings;
pub mod fleet;
pub mod history;
pub mod init;
pub mod inspect;
pub mod nights;
pub mod report;
pub mod rules;
pub mod scan;
pub mod scorecard;
pub mod serve;
pub mod worker;

use crate::cli::{Cli, Command};
use anyhow::Result;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init {
            path,
            force,
            db,
            key,
        } => init::run(&path, force, db.as_deref(), key.as_deref()),
        Command::Scan(args) => runtime()?.block_on(scan::run_cli(args)),
        Command::Demo(args) => runtime()?.block_on(demo::run(args)),
        Command::Check(args) => check::run(args),
        Command::Findings(args) => findings::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Report(args) => report::run(args),
        Command::Evidence(args) => evidence::run(args),
        Command::ExportWarc(args) => export_warc::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Serve(args) => runtime()?.block_on(serve::run(args)),
        Command::Account(args) => account::run(args),
        Command::Scorecard(args) => scorecard::run(args),
        Command::Fleet(args) => runtime()?.block_on(fleet::run(args)),
        Command::Worker(args) => runtime()?.block_on(worker::run(args)),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    // Page analysis runs on the blocking pool: more threads than cores parse no faster, but
    // each holds a parsed document, so an unbounded pool (tokio's default allows 512; a scan
    // reached 120) grew the crawl's memory with its concurrency (issue 11).
    // An idle analysis thread exits soon, and its regexes with it (`gongkai_page`'s
    // `ThreadRegex`): the rules that run after a crawl do not carry the crawl's regex caches.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads((2 * cores).max(4))
        .thread_keep_alive(std::time::Duration::from_secs(1))
        .build()?)
}

/// Today's date in 北京时间 (UTC+8), the default as-of date.
pub fn today_beijing() -> chrono::NaiveDate {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// Parses `--as-of`.
pub fn parse_as_of(s: Option<&str>) -> Result<chrono::NaiveDate> {
    match s {
        None => Ok(today_beijing()),
        Some(s) => chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow::anyhow!("bad --as-of date {s:?}: expected YYYY-MM-DD")),
    }
}

/// Prints findings counted by rule and by department (Chinese, for the office).
pub fn print_summary(findings: &[gongkai_rules::Finding]) {
    use std::collections::BTreeMap;
    let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut by_dept: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *by_rule
            .entry((f.rule.as_str(), f.severity.label_zh()))
            .or_default() += 1;
        *by_dept.entry(f.department.as_str()).or_default() += 1;
    }
    println!("发现问题 {} 条", findings.len());
    println!("按规则:");
    for ((rule, sev), n) in &by_rule {
        println!("  {rule:<32} {sev}  {n}");
    }
    println!("按责任单位:");
    for (dept, n) in &by_dept {
        println!("  {dept}  {n}");
    }
}
