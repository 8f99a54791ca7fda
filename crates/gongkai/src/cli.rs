//! Command-line interface (clap derive).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "gongkai",
    version,
    about = "政务公开 checks for government portals: polite crawl, rules as data, findings for departments"
)]
pub struct Cli {
    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crawl a portal into the database and evaluate the rules.
    Scan(ScanArgs),
    /// Write a commented site.toml to start from.
    Init {
        /// Where to write it.
        #[arg(default_value = "site.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Serve the bundled fixture portal on a loopback port, scan it and print what was found.
    Demo(DemoArgs),
    /// Re-evaluate the rules over a stored crawl, without fetching.
    Check(CheckArgs),
    /// List the findings of a run.
    Findings(FindingsArgs),
    /// List the rule pack, explain a rule, or print the ledger coverage.
    Rules(RulesArgs),
    /// New and resolved findings between two runs (default: the last two completed scans).
    Diff(DiffArgs),
    /// Write index.html, departments.xlsx and findings.csv for a run.
    Report(ReportArgs),
    /// Show the fetch that proves a finding and save its exact bytes; `verify` re-hashes bodies.
    Evidence(EvidenceArgs),
    /// Export a run's requests and responses as a WARC 1.1 file.
    ExportWarc(ExportWarcArgs),
    /// The national spot-check indicators (国办秘函〔2019〕19号) for a run: pass / fail per indicator.
    Scorecard(ScorecardArgs),
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    #[arg(long)]
    pub from: Option<i64>,
    #[arg(long)]
    pub to: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// Run id or "latest".
    #[arg(long, default_value = "latest")]
    pub run: String,
    /// Directory to write the report into.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EvidenceArgs {
    #[command(subcommand)]
    pub action: Option<EvidenceAction>,
    /// Finding id or fingerprint (from `gongkai findings`).
    pub finding: Option<String>,
    #[arg(long, default_value = "gongkai.db", global = true)]
    pub db: PathBuf,
    /// Write the finding, its fetch record and the exact stored bytes into this directory.
    #[arg(long)]
    pub save: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceAction {
    /// Re-hash every stored body and report mismatches.
    Verify,
}

#[derive(Debug, Args)]
pub struct ExportWarcArgs {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// Run id or "latest".
    #[arg(long, default_value = "latest")]
    pub run: String,
    /// Output file, e.g. scan.warc.gz.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args, Clone)]
pub struct ScanArgs {
    /// Start URLs (default: the config's start_urls).
    pub urls: Vec<String>,
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// Site configuration (see `gongkai init`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Requests per second per host; 0 = unlimited.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Requests in flight across all hosts.
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Requests in flight to one host (default 4).
    #[arg(long)]
    pub per_host_concurrency: Option<usize>,
    #[arg(long)]
    pub max_pages: Option<usize>,
    #[arg(long)]
    pub max_depth: Option<u32>,
    /// Date that decides due dates and freshness (YYYY-MM-DD, default today in 北京时间).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Continue the last unfinished scan of this database.
    #[arg(long)]
    pub resume: bool,
    /// Rule pack directory (default: the bundled pack).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Exit 1 when the scan found problems at this severity or worse.
    #[arg(long, value_parser = ["error", "warning"])]
    pub fail_on: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Database to write (default: a fresh file in a temporary directory).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Requests per second per host for the demo crawl; 0 = unlimited.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// Run id (default: the latest run).
    #[arg(long)]
    pub run: Option<i64>,
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long)]
    pub rules: Option<PathBuf>,
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// Run id or "latest".
    #[arg(long, default_value = "latest")]
    pub run: String,
    #[arg(long, default_value = "table", value_parser = ["table", "jsonl", "json", "csv"])]
    pub format: String,
    #[arg(long)]
    pub rule: Option<String>,
    #[arg(long)]
    pub department: Option<String>,
    /// Only findings new since the previous scan, persisting, or resolved by this scan.
    #[arg(long, value_parser = ["new", "persisting", "resolved"])]
    pub status: Option<String>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,
    /// Print all 67 ledger items with how each is checked.
    #[arg(long)]
    pub coverage: bool,
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Print a rule's documentation.
    Explain { id: String },
}

#[derive(Debug, Args)]
pub struct ScorecardArgs {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// Run id or "latest".
    #[arg(long, default_value = "latest")]
    pub run: String,
}
