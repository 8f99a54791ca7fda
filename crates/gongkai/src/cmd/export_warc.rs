//! `gongkai export-warc`: a run's stored exchanges as an ISO 28500 WARC 1.1 file.

use crate::cli::ExportWarcArgs;
use anyhow::{Context, Result};
use gongkai_report::{WarcExchange, WarcInfo};
use std::process::ExitCode;

pub fn run(args: ExportWarcArgs) -> Result<ExitCode> {
    let store = super::check::open_existing(&args.db)?;
    let run_id = super::findings::resolve_run(&store, &args.run)?;
    let run = store.run(run_id)?.context("run vanished")?;
    let settings_ua = run
        .settings
        .get("user_agent")
        .and_then(|v| v.as_str())
        .unwrap_or("gongkai")
        .to_string();
    let mut exchanges = Vec::new();
    for fetch in store.fetches(run_id)? {
        let r = fetch.record;
        let Some(status) = r.status else { continue };
        let body = match &fetch.body_sha256 {
            Some(sha) => store.body(sha)?.unwrap_or_default(),
            None => Vec::new(),
        };
        let used = r
            .headers
            .iter()
            .find(|(k, _)| k == "x-gongkai-method")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| r.method.as_str().to_string());
        exchanges.push(WarcExchange {
            fetch_id: Some(fetch.id),
            url: r.final_url.clone(),
            method: used,
            request_headers: vec![("User-Agent".into(), settings_ua.clone())],
            request_body: r.request_body.clone().map(String::into_bytes),
            status,
            response_headers: r
                .headers
                .iter()
                .filter(|(k, _)| k != "x-gongkai-method")
                .cloned()
                .collect(),
            body,
            truncated: r.body_truncated,
            fetched_at: r.fetched_at.clone(),
        });
    }
    let info = WarcInfo {
        software_version: run.tool_version.clone(),
        rules_version: run.rules_version.clone().unwrap_or_default(),
        rules_hash: run.rules_version.clone().unwrap_or_default(),
        as_of: run.as_of.clone(),
        run_id,
        site: run.site.clone(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        filename: args
            .out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
    };
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let stats = gongkai_report::warc::write(&exchanges, &info, std::io::BufWriter::new(file))
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "WARC 已写入 (written): {} ({} records, {} exchanges)",
        args.out.display(),
        stats.records,
        stats.exchanges
    );
    println!(
        "注意：归档保存的是原始抓取内容（含附件），未经脱敏，可能含身份证号码等个人信息，请妥善保管、勿外传 \
         (the archive holds the original bytes, personal data included)"
    );
    Ok(ExitCode::SUCCESS)
}
