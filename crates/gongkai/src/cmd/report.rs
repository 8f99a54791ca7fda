//! `gongkai report`: index.html, departments.xlsx and findings.csv for one run (and audit.csv,
//! the append-only record of `gongkai serve`, when it has entries).

use crate::cli::ReportArgs;
use anyhow::{Context, Result};
use gongkai_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: ReportArgs) -> Result<ExitCode> {
    let store = super::check::open_existing(&args.db)?;
    let run_id = super::findings::resolve_run(&store, &args.run)?;
    let pack = super::check::load_pack(args.rules.as_deref())?;
    let index = write(&store, run_id, &pack, &args.out)?;
    println!("报告已写入 (report written): {}", index.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes the three report files into `out`; returns the path of index.html.
pub fn write(
    store: &Store,
    run_id: i64,
    pack: &gongkai_rules::RulePack,
    out: &Path,
) -> Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let input = super::history::report_input(store, run_id, pack)?;
    let index = out.join("index.html");
    std::fs::write(&index, gongkai_report::html::render(&input))
        .with_context(|| format!("cannot write {}", index.display()))?;
    let xlsx = out.join("departments.xlsx");
    gongkai_report::xlsx::write(&input, &xlsx)
        .with_context(|| format!("cannot write {}", xlsx.display()))?;
    let csv = out.join("findings.csv");
    let file =
        std::fs::File::create(&csv).with_context(|| format!("cannot write {}", csv.display()))?;
    gongkai_report::csv::write(&input, std::io::BufWriter::new(file))
        .with_context(|| format!("cannot write {}", csv.display()))?;
    // The departments' actions in `gongkai serve` (rechecks, waivers, decisions), when any.
    let audit = store.audit_log(None)?;
    if !audit.is_empty() {
        let path = out.join("audit.csv");
        std::fs::write(&path, gongkai_serve::pages::audit_csv_bytes(&audit))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(index)
}
