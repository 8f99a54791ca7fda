//! The fetches behind the findings as an ISO 28500 WARC 1.1 file, one gzip member per record
//! (`.warc.gz`), so assessors can replay and verify exactly what was seen.
//!
//! Layout: one `warcinfo` record (software, rules version and hash, as-of date, run id), then
//! per exchange a `request` record (request line and headers reconstructed from the stored
//! fetch) and a `response` record (status line, stored headers, the exact stored body bytes),
//! linked with `WARC-Concurrent-To`. Record ids are deterministic UUIDs derived from the run id
//! and the fetch id, so the same run always gives the same file. Digests are SHA-256 in
//! base32 (`sha256:…`), as warcio writes and verifies them.
//!
//! The crawler stores bodies after content decoding and without transfer framing, so the
//! response headers are adjusted to match the stored body: `Content-Length` is set to the body
//! length, and any stored `Content-Length`, `Content-Encoding` and `Transfer-Encoding` are kept
//! as `X-Gongkai-Original-…` headers. Bodies cut at the crawler's size cap are marked with
//! `WARC-Truncated: length`. Exchanges without a response (status 0: network failure) are
//! skipped.

use crate::encode::{base32, uuid_from_hash};
use crate::text::warc_date;
use crate::Result;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;

/// One stored HTTP exchange.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarcExchange {
    /// Store fetch id (makes record ids stable); `None` uses the position in the list.
    pub fetch_id: Option<i64>,
    /// Requested URL.
    pub url: String,
    /// `GET`, `POST`, `HEAD`.
    pub method: String,
    /// Request headers as sent (e.g. `User-Agent`); `Host` is added when missing.
    pub request_headers: Vec<(String, String)>,
    /// Request body (form data of POSTs).
    pub request_body: Option<Vec<u8>>,
    /// HTTP status; 0 means no response arrived (the exchange is skipped).
    pub status: u16,
    /// Stored response headers.
    pub response_headers: Vec<(String, String)>,
    /// Stored body bytes, exactly.
    pub body: Vec<u8>,
    /// The body was cut at the crawler's size cap.
    pub truncated: bool,
    /// RFC 3339 time of the fetch.
    pub fetched_at: String,
}

/// What the `warcinfo` record says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarcInfo {
    /// gongkai version, e.g. `0.1.0`.
    pub software_version: String,
    pub rules_version: String,
    pub rules_hash: String,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    pub run_id: i64,
    /// Site name or root URL.
    pub site: String,
    /// RFC 3339 time the file was made (the warcinfo record's `WARC-Date`).
    pub created_at: String,
    /// File name, for `WARC-Filename`.
    pub filename: Option<String>,
}

/// Counts of what was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarcStats {
    pub records: usize,
    pub exchanges: usize,
    pub skipped: usize,
}

const CONFORMS_TO: &str =
    "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/";

/// Writes the WARC (gzip per record) to `out`.
pub fn write(records: &[WarcExchange], info: &WarcInfo, mut out: impl Write) -> Result<WarcStats> {
    let mut stats = WarcStats::default();
    let info_date = warc_date(&info.created_at).unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let info_id = record_id(info.run_id, "warcinfo", "0");
    let info_block = warcinfo_block(info);
    let mut headers = vec![
        ("WARC-Type", "warcinfo".to_string()),
        ("WARC-Record-ID", info_id.clone()),
        ("WARC-Date", info_date.clone()),
    ];
    if let Some(f) = &info.filename {
        headers.push(("WARC-Filename", clean_value(f)));
    }
    headers.push(("Content-Type", "application/warc-fields".to_string()));
    gzip_member(&mut out, &record(&headers, &info_block))?;
    stats.records += 1;

    for (i, ex) in records.iter().enumerate() {
        if ex.status == 0 {
            stats.skipped += 1;
            continue;
        }
        let key = match ex.fetch_id {
            Some(id) => format!("fetch:{id}"),
            None => format!("index:{i}:{}", ex.url),
        };
        let req_id = record_id(info.run_id, "request", &key);
        let resp_id = record_id(info.run_id, "response", &key);
        let date = warc_date(&ex.fetched_at).unwrap_or_else(|| info_date.clone());
        let target = target_uri(&ex.url);

        let resp_block = response_block(ex);
        let header_len = resp_block.len() - ex.body.len();
        let payload_digest = sha256_b32(&resp_block[header_len..]);
        let mut h = vec![
            ("WARC-Type", "response".to_string()),
            ("WARC-Record-ID", resp_id.clone()),
            ("WARC-Date", date.clone()),
            ("WARC-Target-URI", target.clone()),
            ("WARC-Warcinfo-ID", info_id.clone()),
            ("WARC-Concurrent-To", req_id.clone()),
            ("WARC-Payload-Digest", payload_digest),
        ];
        if ex.truncated {
            h.push(("WARC-Truncated", "length".to_string()));
        }
        h.push((
            "Content-Type",
            "application/http;msgtype=response".to_string(),
        ));
        gzip_member(&mut out, &record(&h, &resp_block))?;

        let req_block = request_block(ex);
        let h = vec![
            ("WARC-Type", "request".to_string()),
            ("WARC-Record-ID", req_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", target),
            ("WARC-Warcinfo-ID", info_id.clone()),
            ("WARC-Concurrent-To", resp_id),
            (
                "Content-Type",
                "application/http;msgtype=request".to_string(),
            ),
        ];
        gzip_member(&mut out, &record(&h, &req_block))?;
        stats.records += 2;
        stats.exchanges += 1;
    }
    out.flush()?;
    Ok(stats)
}

/// The WARC as bytes.
pub fn to_bytes(records: &[WarcExchange], info: &WarcInfo) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    write(records, info, &mut buf)?;
    Ok(buf)
}

/// `sha256:` + base32 of the SHA-256 of `data`.
pub fn sha256_b32(data: &[u8]) -> String {
    format!("sha256:{}", base32(&Sha256::digest(data)))
}

fn record_id(run_id: i64, kind: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"gongkai-warc\0");
    h.update(run_id.to_string().as_bytes());
    h.update(b"\0");
    h.update(kind.as_bytes());
    h.update(b"\0");
    h.update(key.as_bytes());
    format!("<urn:uuid:{}>", uuid_from_hash(&h.finalize()))
}

fn gzip_member(out: &mut impl Write, data: &[u8]) -> Result<()> {
    let mut gz = GzEncoder::new(out, Compression::default());
    gz.write_all(data)?;
    gz.finish()?;
    Ok(())
}

/// One record: version line, named fields, digest and length, blank line, block, two CRLFs.
fn record(headers: &[(&str, String)], block: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(block.len() + 1024);
    r.extend_from_slice(b"WARC/1.1\r\n");
    for (k, v) in headers {
        r.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    r.extend_from_slice(format!("WARC-Block-Digest: {}\r\n", sha256_b32(block)).as_bytes());
    r.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn warcinfo_block(info: &WarcInfo) -> Vec<u8> {
    let fields = [
        ("software", format!("gongkai/{}", info.software_version)),
        ("format", "WARC File Format 1.1".to_string()),
        ("conformsTo", CONFORMS_TO.to_string()),
        ("isPartOf", info.site.clone()),
        (
            "description",
            "gongkai government-transparency scan; HTTP messages reconstructed from stored \
             fetches, bodies stored after content decoding"
                .to_string(),
        ),
        ("gongkai-run-id", info.run_id.to_string()),
        ("gongkai-as-of", info.as_of.clone()),
        ("gongkai-rules-version", info.rules_version.clone()),
        ("gongkai-rules-hash", info.rules_hash.clone()),
    ];
    let mut b = String::new();
    for (k, v) in fields {
        if !v.is_empty() {
            b.push_str(&format!("{k}: {}\r\n", clean_value(&v)));
        }
    }
    b.into_bytes()
}

/// A header value on one line: control characters become spaces.
fn clean_value(v: &str) -> String {
    v.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// HTTP token characters only.
fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The URL without its fragment, cleaned for a header line.
fn target_uri(url: &str) -> String {
    let no_frag = url.split('#').next().unwrap_or(url);
    clean_value(no_frag).replace(' ', "%20")
}

/// (host[:port], path?query) of an absolute URL.
fn split_url(url: &str) -> (String, String) {
    let no_frag = url.split('#').next().unwrap_or(url);
    let rest = match no_frag.find("://") {
        Some(i) => &no_frag[i + 3..],
        None => return (String::new(), no_frag.to_string()),
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let mut path = rest[end..].to_string();
    if path.is_empty() {
        path = "/".to_string();
    } else if path.starts_with('?') {
        path.insert(0, '/');
    }
    (host.to_string(), path.replace(' ', "%20"))
}

fn request_block(ex: &WarcExchange) -> Vec<u8> {
    let (host, path) = split_url(&ex.url);
    let method = if valid_name(&ex.method) {
        ex.method.to_ascii_uppercase()
    } else {
        "GET".to_string()
    };
    let mut head = format!("{method} {} HTTP/1.1\r\n", clean_value(&path));
    let has = |name: &str| {
        ex.request_headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    if !has("host") && !host.is_empty() {
        head.push_str(&format!("Host: {}\r\n", clean_value(&host)));
    }
    for (k, v) in &ex.request_headers {
        if valid_name(k) {
            head.push_str(&format!("{k}: {}\r\n", clean_value(v)));
        }
    }
    let body = ex.request_body.as_deref().unwrap_or(&[]);
    if !body.is_empty() && !has("content-length") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut b = head.into_bytes();
    b.extend_from_slice(body);
    b
}

fn response_block(ex: &WarcExchange) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", ex.status, reason(ex.status));
    for (k, v) in &ex.response_headers {
        if !valid_name(k) {
            continue;
        }
        let lower = k.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "content-length" | "content-encoding" | "transfer-encoding"
        ) {
            head.push_str(&format!("X-Gongkai-Original-{k}: {}\r\n", clean_value(v)));
        } else {
            head.push_str(&format!("{k}: {}\r\n", clean_value(v)));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", ex.body.len()));
    let mut b = head.into_bytes();
    b.extend_from_slice(&ex.body);
    b
}

/// Reason phrase of common status codes.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        412 => "Precondition Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            split_url("https://www.tengzhou.gov.cn/zwgk/index.html?a=1#top"),
            ("www.tengzhou.gov.cn".into(), "/zwgk/index.html?a=1".into())
        );
        assert_eq!(
            split_url("http://u:p@x.cn:8080"),
            ("x.cn:8080".into(), "/".into())
        );
        assert_eq!(split_url("http://x.cn?q"), ("x.cn".into(), "/?q".into()));
        assert_eq!(target_uri("http://x.cn/a b#f"), "http://x.cn/a%20b");
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = record_id(7, "request", "fetch:1");
        assert_eq!(a, record_id(7, "request", "fetch:1"));
        assert_ne!(a, record_id(7, "response", "fetch:1"));
        assert_ne!(a, record_id(8, "request", "fetch:1"));
        assert!(a.starts_with("<urn:uuid:") && a.ends_with('>') && a.len() == 47);
    }

    #[test]
    fn header_injection_is_flattened() {
        let ex = WarcExchange {
            url: "http://x.cn/".into(),
            method: "GET".into(),
            status: 200,
            response_headers: vec![
                ("X-Evil".into(), "a\r\nSet-Cookie: b".into()),
                ("Bad Name".into(), "c".into()),
            ],
            body: b"hi".to_vec(),
            ..Default::default()
        };
        let b = String::from_utf8(response_block(&ex)).unwrap();
        assert!(b.contains("X-Evil: a  Set-Cookie: b\r\n"), "{b}");
        assert!(!b.contains("Bad Name"));
        assert!(b.ends_with("Content-Length: 2\r\n\r\nhi"));
    }
}
