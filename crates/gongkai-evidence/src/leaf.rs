//! What is sealed of each fetch record and each finding: the leaves of a run's two Merkle trees.
//!
//! A leaf's bytes are the canonical JSON ([`crate::canon`]) of the struct below; its hash is
//! `H(0x00 || bytes)`. Derived data that `gongkai check` may legitimately rebuild later (the page
//! model, the title, the extractor version) is left out of the fetch leaf; the bytes received are
//! represented by their sha256, and the bodies are re-hashed separately.

use crate::canon;
use crate::merkle::{leaf_hash, Hash};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Format tag of fetch leaves.
pub const FETCH_LEAF_FORMAT: &str = "gongkai-fetch/1";
/// Format tag of finding leaves.
pub const FINDING_LEAF_FORMAT: &str = "gongkai-finding/1";

/// One fetch record as sealed (the columns of `fetches` that record what happened).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchLeaf {
    /// Always [`FETCH_LEAF_FORMAT`].
    pub leaf: String,
    /// Fetch id (cited by findings).
    pub id: i64,
    pub run_id: i64,
    /// `"METHOD URL"` (+ `"\n" + body`).
    pub request_key: String,
    pub url: String,
    pub method: String,
    pub request_body: Option<String>,
    pub purpose: String,
    pub depth: i64,
    pub outcome: String,
    pub status: Option<i64>,
    pub final_url: String,
    /// Redirect hops as stored (JSON array).
    pub redirects: Value,
    /// Selected response headers as stored (JSON array of `[name, value]`).
    pub headers: Value,
    pub content_type: Option<String>,
    pub charset: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub fetched_at: String,
    pub elapsed_ms: i64,
    /// Hex sha256 of the exact bytes received.
    pub body_sha256: Option<String>,
    pub body_truncated: bool,
    pub not_modified: bool,
    pub error: Option<String>,
    pub attempts: i64,
}

/// One finding as sealed. Row ids are not part of it (`check` rewrites them); the fingerprint
/// names a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingLeaf {
    /// Always [`FINDING_LEAF_FORMAT`].
    pub leaf: String,
    pub run_id: i64,
    pub fingerprint: String,
    pub rule: String,
    pub severity: String,
    pub url: String,
    pub target: Option<String>,
    pub department: String,
    /// Ledger item numbers as stored (JSON array).
    pub ledger: Value,
    pub message: String,
    /// Evidence as stored (JSON object).
    pub evidence: Value,
    /// The fetch that proves it (a [`FetchLeaf::id`] of the same run), if any.
    pub fetch_id: Option<i64>,
}

/// A leaf serialised: its canonical bytes and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// Fetch id or fingerprint: what a report names when this leaf no longer matches.
    pub key: String,
    pub bytes: Vec<u8>,
    pub hash: Hash,
}

impl Leaf {
    /// A leaf by the generic canonical form: what the field-by-field writers are tested against.
    #[cfg(test)]
    fn new<T: Serialize>(key: String, value: &T) -> Leaf {
        // Plain structs of strings, numbers and JSON values always serialise.
        Leaf::of_bytes(key, canon::canonical_bytes(value).unwrap_or_default())
    }

    /// The leaf of canonical `bytes`, keyed by `key`.
    fn of_bytes(key: String, bytes: Vec<u8>) -> Leaf {
        let hash = leaf_hash(&bytes);
        Leaf { key, bytes, hash }
    }
}

/// Starts member `name` of the canonical object being written into `out`: `{` or `,`, the
/// name, `:` (the caller writes the value, and the closing `}` after the last member).
fn member(name: &str, out: &mut Vec<u8>) {
    out.push(if out.is_empty() { b'{' } else { b',' });
    canon::write_str(name, out);
    out.push(b':');
}

impl FetchLeaf {
    /// Canonical bytes and leaf hash, keyed by the fetch id.
    pub fn to_leaf(&self) -> Leaf {
        Leaf::of_bytes(self.id.to_string(), self.canonical_bytes())
    }

    /// The canonical JSON of this struct ([`canon::canonical_bytes`] of it), written field by field in
    /// the order of their names' bytes instead of through a `serde_json::Value`: a seal writes
    /// one per fetch of the run, and building the value tree was most of a seal's time. The test
    /// `fetch_leaf_bytes_are_the_generic_canonical_form` holds the two equal, a new field
    /// included.
    fn canonical_bytes(&self) -> Vec<u8> {
        let FetchLeaf {
            leaf,
            id,
            run_id,
            request_key,
            url,
            method,
            request_body,
            purpose,
            depth,
            outcome,
            status,
            final_url,
            redirects,
            headers,
            content_type,
            charset,
            etag,
            last_modified,
            fetched_at,
            elapsed_ms,
            body_sha256,
            body_truncated,
            not_modified,
            error,
            attempts,
        } = self;
        let mut out = Vec::with_capacity(768);
        member("attempts", &mut out);
        canon::json(attempts, &mut out);
        member("body_sha256", &mut out);
        canon::json(body_sha256, &mut out);
        member("body_truncated", &mut out);
        canon::json(body_truncated, &mut out);
        member("charset", &mut out);
        canon::json(charset, &mut out);
        member("content_type", &mut out);
        canon::json(content_type, &mut out);
        member("depth", &mut out);
        canon::json(depth, &mut out);
        member("elapsed_ms", &mut out);
        canon::json(elapsed_ms, &mut out);
        member("error", &mut out);
        canon::json(error, &mut out);
        member("etag", &mut out);
        canon::json(etag, &mut out);
        member("fetched_at", &mut out);
        canon::json(fetched_at, &mut out);
        member("final_url", &mut out);
        canon::json(final_url, &mut out);
        member("headers", &mut out);
        canon::write(headers, &mut out);
        member("id", &mut out);
        canon::json(id, &mut out);
        member("last_modified", &mut out);
        canon::json(last_modified, &mut out);
        member("leaf", &mut out);
        canon::json(leaf, &mut out);
        member("method", &mut out);
        canon::json(method, &mut out);
        member("not_modified", &mut out);
        canon::json(not_modified, &mut out);
        member("outcome", &mut out);
        canon::json(outcome, &mut out);
        member("purpose", &mut out);
        canon::json(purpose, &mut out);
        member("redirects", &mut out);
        canon::write(redirects, &mut out);
        member("request_body", &mut out);
        canon::json(request_body, &mut out);
        member("request_key", &mut out);
        canon::json(request_key, &mut out);
        member("run_id", &mut out);
        canon::json(run_id, &mut out);
        member("status", &mut out);
        canon::json(status, &mut out);
        member("url", &mut out);
        canon::json(url, &mut out);
        out.push(b'}');
        out
    }
}

impl FindingLeaf {
    /// Canonical bytes and leaf hash, keyed by the fingerprint.
    pub fn to_leaf(&self) -> Leaf {
        Leaf::of_bytes(self.fingerprint.clone(), self.canonical_bytes())
    }

    /// [`canon::canonical_bytes`] of this struct written field by field, as for fetch leaves; the
    /// test `finding_leaf_bytes_are_the_generic_canonical_form` holds the two equal.
    fn canonical_bytes(&self) -> Vec<u8> {
        let FindingLeaf {
            leaf,
            run_id,
            fingerprint,
            rule,
            severity,
            url,
            target,
            department,
            ledger,
            message,
            evidence,
            fetch_id,
        } = self;
        let mut out = Vec::with_capacity(512);
        member("department", &mut out);
        canon::json(department, &mut out);
        member("evidence", &mut out);
        canon::write(evidence, &mut out);
        member("fetch_id", &mut out);
        canon::json(fetch_id, &mut out);
        member("fingerprint", &mut out);
        canon::json(fingerprint, &mut out);
        member("leaf", &mut out);
        canon::json(leaf, &mut out);
        member("ledger", &mut out);
        canon::write(ledger, &mut out);
        member("message", &mut out);
        canon::json(message, &mut out);
        member("rule", &mut out);
        canon::json(rule, &mut out);
        member("run_id", &mut out);
        canon::json(run_id, &mut out);
        member("severity", &mut out);
        canon::json(severity, &mut out);
        member("target", &mut out);
        canon::json(target, &mut out);
        member("url", &mut out);
        canon::json(url, &mut out);
        out.push(b'}');
        out
    }
}

/// Fetch leaves in canonical order: by fetch id.
pub fn fetch_leaves(fetches: &[FetchLeaf]) -> Vec<Leaf> {
    let mut sorted: Vec<&FetchLeaf> = fetches.iter().collect();
    sorted.sort_by_key(|f| f.id);
    sorted.into_iter().map(FetchLeaf::to_leaf).collect()
}

/// Finding leaves in canonical order: by fingerprint, then by their bytes, so the order does
/// not depend on row ids or evaluation order.
pub fn finding_leaves<'a>(findings: impl IntoIterator<Item = &'a FindingLeaf>) -> Vec<Leaf> {
    let mut leaves: Vec<Leaf> = findings.into_iter().map(FindingLeaf::to_leaf).collect();
    sort_finding_leaves(&mut leaves);
    leaves
}

/// Puts finding leaves (with their bytes) in the canonical order of [`finding_leaves`].
pub fn sort_finding_leaves(leaves: &mut [Leaf]) {
    leaves.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.bytes.cmp(&b.bytes)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn finding(fp: &str) -> FindingLeaf {
        FindingLeaf {
            leaf: FINDING_LEAF_FORMAT.into(),
            run_id: 1,
            fingerprint: fp.into(),
            rule: "link.broken".into(),
            severity: "error".into(),
            url: "http://a.gov.cn/".into(),
            target: Some("http://a.gov.cn/x".into()),
            department: "办公室".into(),
            ledger: json!(["12"]),
            message: "链接失效".into(),
            evidence: json!({"status": 404, "anchor": "通知"}),
            fetch_id: Some(3),
        }
    }

    #[test]
    fn finding_order_is_by_fingerprint() {
        let a = finding_leaves(&[finding("bb"), finding("aa")]);
        let b = finding_leaves(&[finding("aa"), finding("bb")]);
        assert_eq!(a, b);
        assert_eq!(a[0].key, "aa");
        let text = String::from_utf8(a[0].bytes.clone()).unwrap();
        assert!(
            text.starts_with(r#"{"department":"办公室","evidence":{"anchor":"通知","status":404}"#),
            "{text}"
        );
    }

    fn fetch(i: i64) -> FetchLeaf {
        let pick = |n: i64| (i >> n) & 1 == 1;
        let text = |n: i64| match (i >> n) % 4 {
            0 => "plain".to_string(),
            1 => "政务公开 \"引号\" \\ 反斜杠".to_string(),
            2 => "控制\u{1}\n\t\u{7f}\u{2028}".to_string(),
            _ => String::new(),
        };
        FetchLeaf {
            leaf: FETCH_LEAF_FORMAT.into(),
            id: i * 7919 - 3,
            run_id: i % 5,
            request_key: format!("GET http://a.gov.cn/{i}"),
            url: format!("http://a.gov.cn/{}", text(1)),
            method: "GET".into(),
            request_body: pick(2).then(|| text(3)),
            purpose: "crawl".into(),
            depth: -i,
            outcome: text(4),
            status: pick(5).then_some(i * 31 % 600),
            final_url: text(6),
            redirects: if pick(7) {
                serde_json::json!([{"url": text(8), "status": 301, "b": [1.5, null, true]}])
            } else {
                serde_json::json!([])
            },
            headers: serde_json::json!([["content-type", text(9)], ["x-n", i]]),
            content_type: pick(10).then(|| text(11)),
            charset: pick(12).then(|| "UTF-8".into()),
            etag: pick(13).then(|| text(14)),
            last_modified: pick(15).then(|| text(16)),
            fetched_at: "2026-11-29T08:44:14.123Z".into(),
            elapsed_ms: i64::MAX - i,
            body_sha256: pick(17).then(|| format!("{i:064x}")),
            body_truncated: pick(18),
            not_modified: pick(19),
            error: pick(20).then(|| text(21)),
            attempts: i % 3,
        }
    }

    /// The field-by-field writer of fetch leaves gives exactly the generic canonical form (so
    /// a run sealed before it still verifies), for every combination of present and missing
    /// fields, escapes and nested values; a field added to the struct but not to the writer
    /// fails here.
    #[test]
    fn fetch_leaf_bytes_are_the_generic_canonical_form() {
        for i in 0..4096 {
            let f = fetch(i);
            assert_eq!(
                String::from_utf8(f.canonical_bytes()).unwrap(),
                String::from_utf8(canon::canonical_bytes(&f).unwrap()).unwrap()
            );
            assert_eq!(f.to_leaf(), Leaf::new(f.id.to_string(), &f));
        }
    }

    /// As for fetch leaves: the finding writer gives the generic canonical form, for missing
    /// targets and fetches, escapes, and evidence objects whose keys come in any order.
    #[test]
    fn finding_leaf_bytes_are_the_generic_canonical_form() {
        for i in 0..1024i64 {
            let mut f = finding(&format!("{:032x}", i * 104_729));
            f.run_id = i;
            f.target = (i % 2 == 0).then(|| format!("http://a.gov.cn/控制\u{1}\"{i}"));
            f.fetch_id = (i % 3 != 0).then_some(-i);
            f.message = "链接失效：\n\\".repeat((i % 4) as usize);
            f.evidence = serde_json::json!({
                "z": i, "a": [1.25, null, {"y": "é", "b": false}], "中": "文", "": i % 7
            });
            f.ledger = serde_json::json!([i.to_string(), "13"]);
            assert_eq!(
                String::from_utf8(f.canonical_bytes()).unwrap(),
                String::from_utf8(canon::canonical_bytes(&f).unwrap()).unwrap()
            );
            assert_eq!(f.to_leaf(), Leaf::new(f.fingerprint.clone(), &f));
        }
    }

    #[test]
    fn any_field_changes_the_hash() {
        let base = finding("aa").to_leaf().hash;
        let mut f = finding("aa");
        f.evidence = json!({"status": 500, "anchor": "通知"});
        assert_ne!(f.to_leaf().hash, base);
        let mut f = finding("aa");
        f.fetch_id = None;
        assert_ne!(f.to_leaf().hash, base);
    }
}
