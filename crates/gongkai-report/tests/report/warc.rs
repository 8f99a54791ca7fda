//! WARC: gzip members, headers and digests checked in Rust, then by warcio (Python).

use gongkai_report::warc::{self, sha256_b32, WarcExchange, WarcInfo};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Read};
use std::process::Command;

fn info() -> WarcInfo {
    WarcInfo {
        software_version: "0.1.0".into(),
        rules_version: "2026.1".into(),
        rules_hash: "abc123".into(),
        as_of: "2026-01-26".into(),
        run_id: 3,
        site: "https://www.tengzhou.gov.cn/".into(),
        created_at: "2026-01-26T02:10:00Z".into(),
        filename: Some("run-3.warc.gz".into()),
    }
}

fn exchanges() -> Vec<WarcExchange> {
    // GBK-encoded page bytes and a binary body containing CRLFCRLF: stored bytes, exactly.
    let gbk_page: Vec<u8> = b"<html><head><meta charset=gb2312><title>\xd5\xfe\xce\xf1\xb9\xab\xbf\xaa</title></head></html>".to_vec();
    let mut pdf = b"%PDF-1.4\r\n\r\n".to_vec();
    pdf.extend((0u8..=255).collect::<Vec<u8>>());
    vec![
        WarcExchange {
            fetch_id: Some(41),
            url: "https://www.tengzhou.gov.cn/zwgk/index.html#top".into(),
            method: "GET".into(),
            request_headers: vec![("User-Agent".into(), "gongkai/0.1.0".into())],
            request_body: None,
            status: 200,
            response_headers: vec![
                ("content-type".into(), "text/html; charset=gb2312".into()),
                ("content-encoding".into(), "gzip".into()),
                ("content-length".into(), "77".into()),
                ("transfer-encoding".into(), "chunked".into()),
                ("server".into(), "TRS".into()),
            ],
            body: gbk_page,
            truncated: false,
            fetched_at: "2026-01-26T09:40:00+08:00".into(),
        },
        WarcExchange {
            fetch_id: Some(42),
            url: "https://www.tengzhou.gov.cn/module/web/jpage/dataproxy.jsp?col=1".into(),
            method: "POST".into(),
            request_headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            request_body: Some(b"startrecord=1&endrecord=45&perpage=15".to_vec()),
            status: 200,
            response_headers: vec![("content-type".into(), "text/xml".into())],
            body: "<datastore><recordset><record><![CDATA[<li>通知</li>]]></record></recordset></datastore>".as_bytes().to_vec(),
            truncated: false,
            fetched_at: "2026-01-26T01:41:00Z".into(),
        },
        WarcExchange {
            fetch_id: Some(43),
            url: "https://www.tengzhou.gov.cn/att/report.pdf".into(),
            method: "GET".into(),
            status: 200,
            response_headers: vec![("content-type".into(), "application/pdf".into())],
            body: pdf,
            truncated: true,
            fetched_at: "2026-01-26T01:42:00Z".into(),
            ..Default::default()
        },
        WarcExchange {
            fetch_id: Some(44),
            url: "https://www.tengzhou.gov.cn/missing.html".into(),
            method: "GET".into(),
            status: 404,
            response_headers: vec![],
            body: vec![],
            fetched_at: "2026-01-26T01:43:00Z".into(),
            ..Default::default()
        },
        WarcExchange {
            fetch_id: Some(45),
            url: "https://unreachable.example.cn/".into(),
            method: "GET".into(),
            status: 0,
            fetched_at: "2026-01-26T01:44:00Z".into(),
            ..Default::default()
        },
    ]
}

/// Splits the file into gzip members and decompresses each.
fn members(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut cur = std::io::Cursor::new(bytes);
    let mut out = Vec::new();
    while !cur.fill_buf().unwrap().is_empty() {
        let mut d = flate2::bufread::GzDecoder::new(&mut cur);
        let mut v = Vec::new();
        d.read_to_end(&mut v).unwrap();
        out.push(v);
    }
    out
}

struct Rec {
    headers: Vec<(String, String)>,
    block: Vec<u8>,
}

impl Rec {
    fn get(&self, k: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
}

fn parse(rec: &[u8]) -> Rec {
    let head_end = rec.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = std::str::from_utf8(&rec[..head_end]).unwrap();
    let mut lines = head.split("\r\n");
    assert_eq!(lines.next(), Some("WARC/1.1"));
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "Content-Length")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let block = rec[head_end + 4..head_end + 4 + len].to_vec();
    assert_eq!(&rec[head_end + 4 + len..], b"\r\n\r\n", "record trailer");
    Rec { headers, block }
}

#[test]
fn members_headers_digests() {
    let ex = exchanges();
    let bytes = warc::to_bytes(&ex, &info()).unwrap();
    let recs: Vec<Rec> = members(&bytes).iter().map(|m| parse(m)).collect();
    assert_eq!(
        recs.len(),
        1 + 2 * 4,
        "warcinfo + request/response for 4 answered fetches"
    );

    let wi = &recs[0];
    assert_eq!(wi.get("WARC-Type"), Some("warcinfo"));
    assert_eq!(wi.get("WARC-Date"), Some("2026-01-26T02:10:00Z"));
    let fields = String::from_utf8(wi.block.clone()).unwrap();
    for f in [
        "software: gongkai/0.1.0",
        "gongkai-run-id: 3",
        "gongkai-as-of: 2026-01-26",
        "gongkai-rules-version: 2026.1",
        "gongkai-rules-hash: abc123",
    ] {
        assert!(fields.contains(f), "warcinfo lacks {f}");
    }

    for r in &recs {
        assert_eq!(r.get("WARC-Block-Digest").unwrap(), sha256_b32(&r.block));
        let id = r.get("WARC-Record-ID").unwrap();
        assert!(id.starts_with("<urn:uuid:") && id.ends_with('>'));
    }
    let resp = &recs[1];
    let req = &recs[2];
    assert_eq!(resp.get("WARC-Type"), Some("response"));
    assert_eq!(req.get("WARC-Type"), Some("request"));
    assert_eq!(resp.get("WARC-Concurrent-To"), req.get("WARC-Record-ID"));
    assert_eq!(req.get("WARC-Concurrent-To"), resp.get("WARC-Record-ID"));
    assert_eq!(
        resp.get("WARC-Target-URI"),
        Some("https://www.tengzhou.gov.cn/zwgk/index.html")
    );
    assert_eq!(resp.get("WARC-Date"), Some("2026-01-26T01:40:00Z"));
    assert_eq!(
        resp.get("WARC-Payload-Digest").unwrap(),
        sha256_b32(&ex[0].body)
    );
    assert!(resp.block.ends_with(&ex[0].body), "exact stored body");
    let head =
        String::from_utf8_lossy(&resp.block[..resp.block.len() - ex[0].body.len()]).to_string();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(head.contains(&format!("Content-Length: {}\r\n", ex[0].body.len())));
    assert!(head.contains("X-Gongkai-Original-content-encoding: gzip\r\n"));
    assert!(!head.to_lowercase().contains("\r\ntransfer-encoding:"));
    let req_text = String::from_utf8(req.block.clone()).unwrap();
    assert!(req_text.starts_with("GET /zwgk/index.html HTTP/1.1\r\nHost: www.tengzhou.gov.cn\r\n"));
    assert!(req_text.contains("User-Agent: gongkai/0.1.0\r\n"));

    let post = String::from_utf8(recs[4].block.clone()).unwrap();
    assert!(post.starts_with("POST /module/web/jpage/dataproxy.jsp?col=1 HTTP/1.1\r\n"));
    assert!(post.ends_with("\r\n\r\nstartrecord=1&endrecord=45&perpage=15"));
    assert_eq!(recs[5].get("WARC-Truncated"), Some("length"));

    // Same input, same bytes.
    assert_eq!(bytes, warc::to_bytes(&ex, &info()).unwrap());
}

#[test]
fn warcio_verifies() {
    let have = Command::new("python3")
        .args(["-c", "import warcio"])
        .output();
    if !matches!(&have, Ok(o) if o.status.success()) {
        println!("SKIPPED warcio_verifies: Python warcio not importable (pip install warcio)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run-3.warc.gz");
    let ex = exchanges();
    let file = std::fs::File::create(&path).unwrap();
    let stats = warc::write(&ex, &info(), file).unwrap();
    assert_eq!((stats.records, stats.exchanges, stats.skipped), (9, 4, 1));

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/warc_check.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "warc_check.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["checker_exit"], 0, "warcio check: {}", v["checker_log"]);
    let recs = v["records"].as_array().unwrap();
    assert_eq!(recs.len(), 9);
    let types: Vec<&str> = recs.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "warcinfo", "response", "request", "response", "request", "response", "request",
            "response", "request"
        ]
    );
    for r in recs {
        assert_eq!(r["problems"], serde_json::json!([]), "{r}");
        assert_eq!(r["passed"], true, "digests verified: {r}");
    }
    let responses: Vec<&serde_json::Value> =
        recs.iter().filter(|r| r["type"] == "response").collect();
    for (r, e) in responses.iter().zip(ex.iter().filter(|e| e.status != 0)) {
        assert_eq!(r["status"], e.status);
        assert_eq!(
            r["payload_sha256"],
            hex::encode(Sha256::digest(&e.body)),
            "payload is the stored body"
        );
        assert_eq!(r["has_payload_digest"], true);
    }
    assert_eq!(
        responses[0]["uri"],
        "https://www.tengzhou.gov.cn/zwgk/index.html"
    );
    assert_eq!(responses[2]["truncated"], "length");
    let post = recs
        .iter()
        .find(|r| r["type"] == "request" && r["uri"].as_str().unwrap().contains("dataproxy"))
        .unwrap();
    assert_eq!(
        post["payload_sha256"],
        hex::encode(Sha256::digest(b"startrecord=1&endrecord=45&perpage=15"))
    );
}
