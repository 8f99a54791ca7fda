//! Times the canonical bytes and hashes of fetch and finding leaves like a sealed 20,000-page
//! run's (30,000 fetches, 6,000 findings) and prints one sha256 over all leaf hashes, so a
//! speed change to `canon` or `leaf` can be checked to leave every leaf byte-identical:
//! `cargo run --release -p gongkai-evidence --example leaf_speed` (or under callgrind).

use gongkai_evidence::leaf::{FETCH_LEAF_FORMAT, FINDING_LEAF_FORMAT};
use gongkai_evidence::{FetchLeaf, FindingLeaf};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Instant;

fn fetch(i: i64) -> FetchLeaf {
    let url = format!(
        "http://127.0.0.1:18480/zwgk/tzgg/2021{:02}/t2021_{i}.html",
        i % 12 + 1
    );
    FetchLeaf {
        leaf: FETCH_LEAF_FORMAT.into(),
        id: i,
        run_id: 1,
        request_key: format!("GET {url}"),
        url: url.clone(),
        method: "GET".into(),
        request_body: (i % 97 == 0).then(|| "a=1&b=\"政务\"".into()),
        purpose: if i % 3 == 0 { "check" } else { "crawl" }.into(),
        depth: i % 5,
        outcome: "ok".into(),
        status: (i % 50 != 0).then_some(200),
        final_url: url,
        redirects: if i % 40 == 0 {
            json!([{"status": 302, "url": "http://127.0.0.1:18480/a?b=c"}])
        } else {
            json!([])
        },
        headers: json!([
            ["content-type", "text/html; charset=utf-8"],
            ["content-length", (8000 + i % 500).to_string()],
            ["etag", format!("\"6185e1a0-{i:x}\"")],
            ["last-modified", "Sat, 06 Nov 2021 02:00:00 GMT"],
            ["server", "nginx"],
            ["date", "Sun, 29 Nov 2026 08:44:14 GMT"]
        ]),
        content_type: Some("text/html; charset=utf-8".into()),
        charset: Some("UTF-8".into()),
        etag: Some(format!("\"6185e1a0-{i:x}\"")),
        last_modified: Some("Sat, 06 Nov 2021 02:00:00 GMT".into()),
        fetched_at: "2026-11-29T08:44:14.123Z".into(),
        elapsed_ms: i % 300,
        body_sha256: Some(format!("{:064x}", i * 7919)),
        body_truncated: i % 1000 == 0,
        not_modified: false,
        error: (i % 50 == 0).then(|| "连接超时\u{1}\n\"x\"".into()),
        attempts: 1 + i % 2,
    }
}

fn finding(i: i64) -> FindingLeaf {
    FindingLeaf {
        leaf: FINDING_LEAF_FORMAT.into(),
        run_id: 1,
        fingerprint: format!("{:032x}", i * 104729),
        rule: "link.broken".into(),
        severity: "error".into(),
        url: format!("http://127.0.0.1:18480/zwgk/t_{i}.html"),
        target: (i % 2 == 0).then(|| format!("http://127.0.0.1:18481/item/{i}.html")),
        department: "滕州市人民政府办公室".into(),
        ledger: json!(["12", "13"]),
        message: "链接失效：目标返回 404".into(),
        evidence: json!({"status": 404, "anchor": "通知公告", "ratio": 0.25, "n": i, "list": [1, null, true]}),
        fetch_id: Some(i),
    }
}

fn main() {
    let fetches: Vec<FetchLeaf> = (1..=30_000).map(fetch).collect();
    let findings: Vec<FindingLeaf> = (1..=6_000).map(finding).collect();
    let t = Instant::now();
    let mut all = Sha256::new();
    for f in &fetches {
        let leaf = f.to_leaf();
        all.update(leaf.hash);
        all.update(&leaf.bytes);
    }
    for f in &findings {
        let leaf = f.to_leaf();
        all.update(leaf.hash);
        all.update(&leaf.bytes);
    }
    let secs = t.elapsed().as_secs_f64();
    let hex: String = all.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("{hex}");
    eprintln!(
        "{:.1} ms for {} leaves",
        secs * 1e3,
        fetches.len() + findings.len()
    );
}
