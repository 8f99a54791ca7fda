//! Findings held as compact JSON while the rules run: a [`Finding`] in memory (its evidence a
//! `serde_json::Value` tree of maps and strings) takes about three times its JSON, and the
//! findings of a large portal (30,000 at 100,000 pages) used to sit next to the whole loaded
//! site. Checks emit into [`EncodedFindings`]; the caller decodes them
//! ([`EncodedFindings::into_findings`]) once it has freed the site.

use crate::Finding;
use std::collections::HashSet;

/// Findings in emission order, each one JSON object in one shared buffer.
/// Equal when they hold the same findings in the same order (a finding encodes one way).
#[derive(Debug, Default, PartialEq)]
pub struct EncodedFindings {
    bytes: Vec<u8>,
    /// Finding `k` is `bytes[ends[k - 1]..ends[k]]`.
    ends: Vec<usize>,
}

impl EncodedFindings {
    /// Appends a finding.
    pub fn push(&mut self, f: &Finding) {
        // A finding is strings, numbers and a JSON value with string keys: writing it into a
        // vector cannot fail.
        serde_json::to_writer(&mut self.bytes, f).expect("a finding serialises");
        self.ends.push(self.bytes.len());
    }

    /// The findings of `parts`, in order, in one buffer of their exact size.
    pub fn concat(parts: Vec<EncodedFindings>) -> Self {
        let mut all = EncodedFindings {
            bytes: Vec::with_capacity(parts.iter().map(|p| p.bytes.len()).sum()),
            ends: Vec::with_capacity(parts.iter().map(|p| p.ends.len()).sum()),
        };
        for p in parts {
            let base = all.bytes.len();
            all.bytes.extend_from_slice(&p.bytes);
            all.ends.extend(p.ends.iter().map(|e| e + base));
        }
        all
    }

    /// Number of findings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The findings, deduplicated by fingerprint (the first emitted stays) and sorted (severity,
    /// rule, url, target), as [`crate::evaluate`] returns them.
    pub fn into_findings(self) -> Vec<Finding> {
        let mut starts = std::iter::once(0).chain(self.ends.iter().copied());
        let mut all: Vec<Finding> = Vec::with_capacity(self.ends.len());
        let mut seen = HashSet::new();
        for &end in &self.ends {
            let start = starts.next().unwrap_or(0);
            // Written by `push` in this process (serde_json's float_roundtrip keeps every number
            // exact), so it reads back as the same finding.
            let f: Finding =
                serde_json::from_slice(&self.bytes[start..end]).expect("an encoded finding reads");
            if seen.insert(f.fingerprint.clone()) {
                all.push(f);
            }
        }
        all.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.url.cmp(&b.url))
                .then_with(|| a.target.cmp(&b.target))
        });
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;
    use serde_json::json;

    fn finding(rule: &str, url: &str, fp: &str, evidence: serde_json::Value) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Warning,
            url: url.into(),
            target: None,
            department: "市政府办公室".into(),
            ledger: vec![3, 41],
            message: "未标注有效性 <script>".into(),
            evidence,
            fingerprint: fp.into(),
            fetch_id: Some(7),
        }
    }

    #[test]
    fn findings_come_back_exactly_deduplicated_and_sorted() {
        let awkward = json!({
            "share": 0.1 + 0.2,
            "tiny": 5e-324,
            "big": u64::MAX,
            "neg": -3,
            "list": ["一", {"k": null}],
            "text": "\u{0}\u{1f}\"\\ 〔2022〕",
        });
        let a = finding("link.broken", "http://x/b", "fp-a", awkward.clone());
        let b = finding("doc.validity-missing", "http://x/a", "fp-b", json!({}));
        let mut dup = a.clone();
        dup.message = "second emission of the same subject".into();
        let mut first = EncodedFindings::default();
        first.push(&a);
        let mut more = EncodedFindings::default();
        more.push(&b);
        more.push(&dup);
        let enc = EncodedFindings::concat(vec![first, EncodedFindings::default(), more]);
        assert_eq!(enc.len(), 3);
        let back = enc.into_findings();
        assert_eq!(back.len(), 2, "the duplicate fingerprint is dropped");
        assert_eq!(back[0], b, "sorted by rule within one severity");
        assert_eq!(back[1], a, "the first emission stays, every number exact");
        assert_eq!(back[1].evidence["share"].as_f64(), Some(0.1 + 0.2));
    }
}
