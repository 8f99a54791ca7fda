//! Command-line interface (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
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
        /// Database the signing key is for (the key is created as `<db>.ed25519`); default
        /// `gongkai.db` beside the written file.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Signing key file to create instead (default `$GONGKAI_KEY`, else `<db>.ed25519`).
        #[arg(long)]
        key: Option<PathBuf>,
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
    /// Show what gongkai reads on one page and whether each rule judged it, and why not.
    Inspect(InspectArgs),
    /// Serve the departments' web application (findings, rechecks, waivers, JSON API).
    Serve(ServeArgs),
    /// Make accounts for `serve`: one-time sign-in links and API tokens.
    Account(AccountArgs),
    /// The national spot-check indicators (国办秘函〔2019〕19号) for a run: pass / fail per indicator.
    Scorecard(ScorecardArgs),
    /// A province's sites scanned by workers coordinated through PostgreSQL: schema, sites,
    /// status and the province report.
    Fleet(FleetArgs),
    /// Take due site-runs from the fleet's PostgreSQL queue, scan them and publish the results.
    Worker(WorkerArgs),
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
    /// Signing key file (seal) or trusted public key: 64 hex digits or a key file (verify,
    /// check). Default `$GONGKAI_KEY`, else `<db>.ed25519`.
    #[arg(long, global = true)]
    pub key: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceAction {
    /// Re-hash every body, recompute every sealed run's roots, check the chain and signatures.
    Verify {
        /// A log published earlier (`gongkai evidence log` output): every seal it lists must
        /// still be in the chain with the same hash.
        #[arg(long)]
        log: Option<PathBuf>,
    },
    /// Write one self-contained zip proving a finding, checkable offline.
    Bundle {
        /// Finding id or fingerprint (from `gongkai findings`).
        finding: String,
        /// The zip file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a bundle offline (no database); pin the office's public key with --key.
    Check {
        /// The bundle zip.
        file: PathBuf,
    },
    /// Print the chain of manifests, one line per seal (publishable).
    Log,
    /// Seal completed runs that have no manifest yet (databases from before sealing).
    Seal,
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
    /// Read the portal's own attachments in full up to this many MiB (default 20; 0: only check
    /// that they are reachable).
    #[arg(long)]
    pub max_attachment_mib: Option<u64>,
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
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Fetch everything. Without it, a rescan of a database with a completed run of the same
    /// site is an incremental night: lists, new and changed pages and pages with findings every
    /// night, the rest on a rolling schedule (`revisit_days` in the config, default 7).
    #[arg(long)]
    pub full: bool,
    /// The night (YYYY-MM-DD) the rolling schedule counts; default today (UTC). For tests and
    /// replays.
    #[arg(long, hide = true)]
    pub night: Option<String>,
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
    #[arg(long, value_enum, default_value_t = FindingsFormat::Table)]
    pub format: FindingsFormat,
    #[arg(long)]
    pub rule: Option<String>,
    #[arg(long)]
    pub department: Option<String>,
    /// Only findings new since the previous scan, persisting, or resolved by this scan
    /// (`unverified`: missing from a partial scan, so not taken as resolved).
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,
}

/// `--fail-on`: the least severity that makes a scan exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Findings of severity error.
    Error,
    /// Findings of severity warning or error.
    Warning,
}

impl FailOn {
    /// The least severity that fails.
    pub fn severity(self) -> gongkai_core::Severity {
        match self {
            FailOn::Error => gongkai_core::Severity::Error,
            FailOn::Warning => gongkai_core::Severity::Warning,
        }
    }
}

/// `findings --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// A terminal table (display-width padded).
    Table,
    /// One JSON object per line.
    Jsonl,
    /// One JSON array.
    Json,
    /// CSV with BOM (for spreadsheets).
    Csv,
}

/// `findings --status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// New since the previous scan.
    New,
    /// Also present in the previous scan.
    Persisting,
    /// Present in the previous scan, gone in this one.
    Resolved,
    /// Present in the previous scan, not seen by this partial scan (not taken as resolved).
    Unverified,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,
    /// Print all 67 ledger items with how each is checked.
    #[arg(long)]
    pub coverage: bool,
    /// With --coverage: write the matrix to this file (e.g. docs/coverage.md) instead of stdout.
    #[arg(long, requires = "coverage")]
    pub write: Option<PathBuf>,
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Print a rule's documentation.
    Explain { id: String },
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The page to fetch now (politely, with the crawler's client; nothing else is fetched).
    pub url: Option<String>,
    /// With --db: the stored page to inspect.
    #[arg(long = "url", value_name = "URL")]
    pub page: Option<String>,
    /// Inspect the page as stored by a scan of this database (judged within the whole crawl).
    #[arg(long)]
    pub db: Option<std::path::PathBuf>,
    /// Run id (default: the latest run).
    #[arg(long, requires = "db")]
    pub run: Option<i64>,
    /// Judge as of this date (default: the run's as-of date, or today).
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long)]
    pub rules: Option<std::path::PathBuf>,
    /// site.toml for owners and department aliases (and the User-Agent contact).
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// Address to listen on (keep it on loopback behind a TLS reverse proxy).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// site.toml (owners and department aliases, used when a recheck re-runs a rule).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Rule pack directory (default: the bundled pack).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Always mark cookies Secure (served over HTTPS). Behind a proxy that sends
    /// `X-Forwarded-Proto: https` they are Secure anyway.
    #[arg(long)]
    pub secure_cookies: bool,
    /// Take the client address for the audit and rate limits from the last X-Forwarded-For entry
    /// (only behind a reverse proxy that sets it).
    #[arg(long)]
    pub trust_proxy: bool,
}

#[derive(Debug, Args)]
pub struct AccountArgs {
    #[command(subcommand)]
    pub action: AccountAction,
}

#[derive(Debug, Subcommand)]
pub enum AccountAction {
    /// Create the account when missing and print a one-time sign-in link (valid 72 hours).
    Add {
        #[command(flatten)]
        who: AccountWho,
        /// Address users open (the reverse proxy's HTTPS address).
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
    /// Create the account when missing and print a new API token (Authorization: Bearer).
    Token {
        #[command(flatten)]
        who: AccountWho,
    },
}

#[derive(Debug, Args)]
pub struct AccountWho {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// The 责任单位, exactly as findings name it.
    #[arg(long, conflicts_with = "admin")]
    pub department: Option<String>,
    /// The office administrator (sees everything, decides waivers).
    #[arg(long)]
    pub admin: bool,
}

#[derive(Debug, Args)]
pub struct ScorecardArgs {
    #[arg(long, default_value = "gongkai.db")]
    pub db: PathBuf,
    /// Run id or "latest".
    #[arg(long, default_value = "latest")]
    pub run: String,
}

/// `gongkai fleet`.
#[derive(Debug, Args)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub action: FleetAction,
}

/// The `gongkai fleet` subcommands.
#[derive(Debug, Subcommand)]
pub enum FleetAction {
    /// Create or migrate the fleet's PostgreSQL schema.
    Init {
        /// PostgreSQL URL, e.g. postgres://gongkai@db.example/gongkai.
        #[arg(long)]
        pg: String,
    },
    /// Register sites from a UTF-8 CSV (名称, 网址, 主管单位, optional 平台, 配置) and queue a
    /// site-run for each site not already queued; re-adding updates, never duplicates.
    Add {
        #[arg(long)]
        pg: String,
        /// The CSV file.
        #[arg(long)]
        sites: PathBuf,
    },
    /// Sites and their site-runs: due, running (worker, since), done, failed; last run.
    Status {
        #[arg(long)]
        pg: String,
    },
    /// The province view: index.html, sites.xlsx and each site's own report.
    Report {
        #[arg(long)]
        pg: String,
        /// Directory to write into.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `gongkai worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// PostgreSQL URL of the fleet.
    #[arg(long)]
    pub pg: String,
    /// Directory for the local SQLite store of each site (`site-<id>.db`).
    #[arg(long)]
    pub data: PathBuf,
    /// Exit when no site-run is due or running, instead of waiting for more.
    #[arg(long)]
    pub once: bool,
    /// Name shown in `fleet status` (default host:pid).
    #[arg(long)]
    pub name: Option<String>,
    /// Lease length in seconds; the heartbeat renews it every third of it.
    #[arg(long, default_value_t = 120)]
    pub lease_secs: u64,
    /// Seconds between looks at the queue when nothing can be claimed.
    #[arg(long, default_value_t = 5.0)]
    pub poll_secs: f64,
    /// Requests per second per host (as `gongkai scan`); 0 = unlimited.
    #[arg(long)]
    pub rate: Option<f64>,
    #[arg(long)]
    pub max_pages: Option<usize>,
    #[arg(long)]
    pub max_depth: Option<u32>,
    /// Date that decides due dates and freshness (YYYY-MM-DD, default today in 北京时间).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Rule pack directory (default: the bundled pack).
    #[arg(long)]
    pub rules: Option<PathBuf>,
}
