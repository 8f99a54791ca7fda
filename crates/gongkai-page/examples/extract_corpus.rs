//! Runs the extractor over a corpus and prints one sha256 of the serialized model per page, so a
//! speed change can be checked to leave every model byte-identical:
//! `cargo run --release -p gongkai-page --example extract_corpus -- LIST [ROUNDS]`.
//!
//! LIST has one page a line, `URL<TAB>FILE`. Hashes go to stdout (`HASH FILE`), the total
//! extraction time (reading files and hashing excluded) and ms/page to stderr, wall clock and, on
//! Linux, the thread's CPU time (steadier on a busy machine). ROUNDS > 1 repeats the extraction
//! (for profiling) and prints the hashes of the first round only.
//!
//! A list for a generated bench site (`bench/gen_site.py`; its origin is in `manifest.json`):
//! `awk -v d=DIR '{print "http://127.0.0.1:PORT" $0 "\t" d "/main" $0}' DIR/pages.txt`.
//! Keep the output of the unchanged code and `cmp` against it after every change.

use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(list) = args.get(1) else {
        eprintln!("usage: extract_corpus LIST [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let text = std::fs::read_to_string(list).unwrap_or_else(|e| {
        eprintln!("cannot read {list}: {e}");
        std::process::exit(2);
    });
    let mut pages = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some((url, file)) = line.split_once('\t') else {
            continue;
        };
        let url = url::Url::parse(url).unwrap_or_else(|e| {
            eprintln!("{list}:{}: bad url {url}: {e}", n + 1);
            std::process::exit(2);
        });
        let body = std::fs::read(file).unwrap_or_else(|e| {
            eprintln!("{list}:{}: cannot read {file}: {e}", n + 1);
            std::process::exit(2);
        });
        pages.push((url, file.to_string(), body));
    }
    let mut total = Duration::ZERO;
    let mut cpu: Option<Duration> = thread_cpu().map(|_| Duration::ZERO);
    for round in 0..rounds {
        for (url, file, body) in &pages {
            let cpu_before = thread_cpu();
            let start = Instant::now();
            let model = gongkai_page::analyze(url, body, Some("text/html"));
            total += start.elapsed();
            if let (Some(sum), Some(a), Some(b)) = (cpu.as_mut(), cpu_before, thread_cpu()) {
                *sum += b.saturating_sub(a);
            }
            if round == 0 {
                let json = serde_json::to_vec(&model).unwrap_or_default();
                let hash = Sha256::digest(&json);
                let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
                println!("{hex} {file}");
            }
        }
    }
    let n = pages.len().max(1) * rounds;
    eprintln!(
        "{} pages x {rounds}: wall {:.3} s, {:.3} ms/page",
        pages.len(),
        total.as_secs_f64(),
        total.as_secs_f64() * 1000.0 / n as f64
    );
    if let Some(cpu) = cpu {
        eprintln!(
            "cpu {:.3} s, {:.3} ms/page",
            cpu.as_secs_f64(),
            cpu.as_secs_f64() * 1000.0 / n as f64
        );
    }
}

/// CPU time of this thread so far (Linux `schedstat`), None elsewhere.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}
