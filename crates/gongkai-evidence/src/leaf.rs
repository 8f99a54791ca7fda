//! What is sealed of each fetch record and each finding: the leaves of a run's two Merkle trees.
//!
//! A leaf's bytes are the canonical JSON ([`crate::canon`]) of the struct below; its hash is
//! `H(0x00 || bytes)`. Derived data that `gongkai check` may legitimately rebuild later (the page
//! model, the title, the extractor version) is left out of the fetch leaf; the bytes received are
//! represented by their sha256, and the bodies are re-hashed separately.

use crate::canon::canonical_bytes;
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
    fn new<T: Serialize>(key: String, value: &T) -> Leaf {
        // Plain structs of strings, numbers and JSON values always serialise.
        let bytes = canonical_bytes(value).unwrap_or_default();
        let hash = leaf_hash(&bytes);
        Leaf { key, bytes, hash }
    }
}

impl FetchLeaf {
    /// Canonical bytes and leaf hash, keyed by the fetch id.
    pub fn to_leaf(&self) -> Leaf {
        Leaf::new(self.id.to_string(), self)
    }
}

impl FindingLeaf {
    /// Canonical bytes and leaf hash, keyed by the fingerprint.
    pub fn to_leaf(&self) -> Leaf {
        Leaf::new(self.fingerprint.clone(), self)
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
