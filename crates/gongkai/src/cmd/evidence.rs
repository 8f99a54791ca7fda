//! `gongkai evidence`: the fetch that proves a finding and the exact stored bytes; sealed runs
//! (`seal`, `verify`, `log`) and offline finding bundles (`bundle`, `check`).

mod bundle;
mod seal;
mod verify;

pub use seal::{key_path, seal_completed};

use crate::cli::{EvidenceAction, EvidenceArgs};
use anyhow::{bail, Context, Result};
use gongkai_evidence::PublicKey;
use gongkai_store::{Store, StoredFinding};
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: EvidenceArgs) -> Result<ExitCode> {
    if let Some(EvidenceAction::Check { file }) = &args.action {
        return bundle::check(file, args.key.as_deref());
    }
    let store = super::check::open_existing(&args.db)?;
    match &args.action {
        Some(EvidenceAction::Verify { log }) => return run_verify(&store, &args, log.as_deref()),
        Some(EvidenceAction::Bundle { finding, out }) => {
            return bundle::write(&store, &find(&store, finding)?, out)
        }
        Some(EvidenceAction::Log) => return log(&store, &args),
        Some(EvidenceAction::Seal) => {
            let key = key_path(&args.db, args.key.as_ref().map(Into::into));
            let n = seal::seal_unsealed(&store, &key)?;
            println!("封存 {n} 次运行 (sealed {n} runs)");
            return Ok(ExitCode::SUCCESS);
        }
        Some(EvidenceAction::Check { .. }) | None => {}
    }
    let Some(key) = args.finding.as_deref() else {
        bail!("give a finding id or fingerprint (see `gongkai findings`), or verify / bundle / check / log / seal");
    };
    let found = find(&store, key)?;
    let mut masked = found.finding.clone();
    gongkai_report::mask::mask_finding(&mut masked);
    let f = &masked;
    println!("问题 (finding) #{} · run {}", found.id, found.run_id);
    println!("  规则 rule:        {} ({})", f.rule, f.severity.as_str());
    println!("  页面 url:         {}", f.url);
    if let Some(t) = &f.target {
        println!("  目标 target:      {t}");
    }
    println!("  责任单位:         {}", f.department);
    println!("  台账序号 ledger:  {:?}", f.ledger);
    println!("  说明 message:     {}", f.message);
    println!("  指纹 fingerprint: {}", f.fingerprint);
    println!(
        "  证据 evidence:    {}",
        serde_json::to_string(&f.evidence)?
    );
    match store.latest_manifest(found.run_id)? {
        Some(m) => println!(
            "  封存 sealed:      manifest #{} sha256 {} (`gongkai evidence bundle` for an offline proof)",
            m.seq, m.hash
        ),
        None => println!("  封存 sealed:      未封存 not sealed"),
    }
    let Some(fetch_id) = f.fetch_id else {
        println!(
            "（此问题为站点级问题，无单一抓取记录 / site-level finding without a single fetch）"
        );
        return Ok(ExitCode::SUCCESS);
    };
    let fetch = store
        .fetch(fetch_id)?
        .with_context(|| format!("fetch {fetch_id} is missing from the database"))?;
    let r = &fetch.record;
    println!("抓取记录 (fetch) #{fetch_id}");
    println!("  请求 request:     {} {}", r.method.as_str(), r.url);
    if let Some(b) = &r.request_body {
        println!("  请求体 body:      {b}");
    }
    for hop in &r.redirects {
        println!(
            "  重定向 redirect:  {} {} → {}",
            hop.status, hop.url, hop.location
        );
    }
    println!("  最终地址 final:   {}", r.final_url);
    println!(
        "  状态 status:      {} ({})",
        r.status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "无响应 no response".into()),
        r.outcome.code()
    );
    if let Some(e) = &r.error {
        println!("  错误 error:       {}", gongkai_report::mask::mask_ids(e));
    }
    println!("  抓取时间 UTC:     {}", r.fetched_at);
    println!("  北京时间:         {}", beijing(&r.fetched_at));
    for (k, v) in &r.headers {
        println!("  响应头 {k}: {v}");
    }
    match &fetch.body_sha256 {
        Some(sha) => println!("  内容 sha256:      {sha}"),
        None => println!("  内容 body:        （未存储 / none stored）"),
    }
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let record = dir.join(format!("finding-{}.json", found.id));
        let json = serde_json::json!({ "finding": f, "fetch": r.clone_without_body() });
        std::fs::write(&record, serde_json::to_vec_pretty(&json)?)?;
        println!("已保存 (saved): {}", record.display());
        if let Some(sha) = &fetch.body_sha256 {
            let body = store
                .body(sha)?
                .with_context(|| format!("body {sha} is missing"))?;
            let path = dir.join(format!("{sha}.bin"));
            std::fs::write(&path, &body)?;
            println!(
                "已保存原始内容 (exact stored bytes): {} ({} bytes)",
                path.display(),
                body.len()
            );
            println!("注意：原始内容未经脱敏，可能含个人信息，请妥善保管 (the saved bytes are the original, personal data included)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The public key verification trusts: `--key` (hex, a `.pub` file or the key file), else
/// `$GONGKAI_KEY`, else `<db>.ed25519` or `<db>.ed25519.pub` when present.
fn trusted_key(db: &Path, arg: Option<&str>) -> Result<Option<PublicKey>> {
    if let Some(a) = arg {
        return Ok(Some(PublicKey::from_arg(a)?));
    }
    let path = key_path(db, None);
    let public = gongkai_evidence::key::public_key_path(&path);
    for p in [&path, &public] {
        if p.is_file() {
            let key = PublicKey::from_arg(&p.to_string_lossy())
                .with_context(|| format!("trusted key {}", p.display()))?;
            return Ok(Some(key));
        }
    }
    Ok(None)
}

fn run_verify(store: &Store, args: &EvidenceArgs, published: Option<&Path>) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let trusted = trusted_key(&args.db, args.key.as_deref())?;
    if trusted.is_none() {
        eprintln!("gongkai: warning: no trusted key (--key, $GONGKAI_KEY or <db>.ed25519): signatures are checked against the key each manifest names");
    }
    let mut v = verify::verify(store, trusted.as_ref())?;
    if let Some(path) = published {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read published log {}", path.display()))?;
        verify::against_published(store, &text, &mut v)?;
    }
    for p in &v.problems {
        println!("不一致 (mismatch): {p}");
    }
    let summary = format!(
        "{} manifests, {} sealed runs, {} fetch records, {} findings; {:.1} s",
        v.manifests,
        v.runs,
        v.fetches,
        v.findings,
        started.elapsed().as_secs_f64()
    );
    if v.problems.is_empty() {
        println!(
            "校验通过 all holds: every body, seal, chain link and signature matches ({summary})"
        );
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("gongkai: {} problems found ({summary})", v.problems.len());
    Ok(ExitCode::from(1))
}

/// `gongkai evidence log`: the manifest chain, one tab-separated line per seal.
fn log(store: &Store, args: &EvidenceArgs) -> Result<ExitCode> {
    let key = trusted_key(&args.db, args.key.as_deref())?
        .map(|k| k.to_hex())
        .unwrap_or_else(|| "unknown".into());
    println!("# gongkai evidence log · public key {key}");
    println!("# seq\trun\tsealed_at\tmanifest_sha256\tsignature");
    for row in store.manifests()? {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            row.seq, row.run_id, row.sealed_at, row.hash, row.signature
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A finding by its id or a fingerprint prefix (newest run first).
fn find(store: &Store, key: &str) -> Result<StoredFinding> {
    let id: Option<i64> = key.trim_start_matches('#').parse().ok();
    for run in store.runs()?.into_iter().rev() {
        for f in store.findings(run.id)? {
            if Some(f.id) == id || (key.len() >= 6 && f.finding.fingerprint.starts_with(key)) {
                return Ok(f);
            }
        }
    }
    bail!("no finding {key:?} in this database (use an id or fingerprint from `gongkai findings`)")
}

/// RFC 3339 UTC → 北京时间 (UTC+8) for display.
pub fn beijing(rfc3339: &str) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S (UTC+8)")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

trait WithoutBody {
    fn clone_without_body(&self) -> serde_json::Value;
}

impl WithoutBody for gongkai_crawl::FetchRecord {
    fn clone_without_body(&self) -> serde_json::Value {
        let mut r = self.clone();
        r.body = None;
        r.model = None;
        serde_json::to_value(r).unwrap_or_default()
    }
}
