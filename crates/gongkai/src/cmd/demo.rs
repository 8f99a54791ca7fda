//! `gongkai demo`: serve the bundled fixture portal on loopback, scan it, print what was found.

use crate::cli::{DemoArgs, ScanArgs};
use anyhow::{Context, Result};
use gongkai_fixture::{FixtureOptions, FixtureServer};
use gongkai_store::Store;
use std::process::ExitCode;

pub async fn run(args: DemoArgs) -> Result<ExitCode> {
    let server = FixtureServer::start(FixtureOptions::default())
        .await
        .context("cannot start the fixture portal on 127.0.0.1")?;
    let dir = std::env::temp_dir().join(format!("gongkai-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = match args.db {
        Some(p) => {
            let _ = std::fs::remove_file(&p);
            p
        }
        None => dir.join("demo.db"),
    };
    let config = dir.join("site.toml");
    std::fs::write(&config, demo_config())?;
    println!("演示门户 (fixture portal): {}", server.base_url());
    let scan = ScanArgs {
        urls: vec![server.base_url()],
        db: db.clone(),
        config: Some(config),
        rate: Some(args.rate),
        concurrency: Some(8),
        per_host_concurrency: None,
        max_pages: None,
        max_depth: None,
        max_attachment_mib: None,
        as_of: Some(gongkai_fixture::DEMO_AS_OF.to_string()),
        resume: false,
        rules: None,
        quiet: false,
        fail_on: None,
        // The demo shows a whole scan, even into a database given again.
        full: true,
        night: None,
    };
    let report = super::scan::run(&scan).await?;
    server.shutdown().await;

    let store = Store::open_readonly(&db)?;
    let run = store
        .runs()?
        .into_iter()
        .find(|r| r.id == report.run_id)
        .context("the demo run is missing from the database")?;
    println!(
        "扫描完成: 页面 {} 个, 链接检查 {} 个, 用时 {:.1} 秒 (as-of {})",
        report.pages,
        report.checks,
        report.elapsed.as_secs_f64(),
        run.as_of
    );
    println!("抓取结果 (fetch outcomes):");
    for (code, n) in &run.outcome_counts {
        println!("  {code:<20} {n}");
    }
    if let Some(c) = &report.coverage {
        for line in super::scan::coverage_lines(c, &report.not_judged) {
            println!("{line}");
        }
    }
    for line in crate::health::summary_lines(&run) {
        println!("{line}");
    }
    super::print_summary(&report.findings);
    for line in super::scan::after_run_lines(&store, report.run_id) {
        println!("{line}");
    }
    println!("数据库 (database): {}", db.display());
    let pack = super::check::load_pack(None)?;
    let index = super::report::write(&store, report.run_id, &pack, &dir.join("report"))?;
    println!("报告 (report): {}", index.display());
    Ok(ExitCode::SUCCESS)
}

/// The demo's site.toml. The portal's footer links to real 备案 / 党政机关 hosts that cannot be
/// reached offline, so they are excluded from checking, as an office would exclude hosts it does
/// not answer for.
fn demo_config() -> String {
    let exclude: Vec<String> = gongkai_fixture::EXTERNAL_HOSTS
        .iter()
        .flat_map(|h| [format!("\"http://{h}/\""), format!("\"https://{h}/\"")])
        .collect();
    format!(
        "[site]\nname = \"滕州市人民政府 (演示)\"\ncontact = \"mailto:demo@example.org\"\nexclude = [{}]\n\n[crawl]\n# The loopback portal needs no pause before failures are tried again.\nrecheck_pause_secs = 0\n",
        exclude.join(", ")
    )
}
