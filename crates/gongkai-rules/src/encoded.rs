//! Findings held compact while the rules run: a [`Finding`] in memory (its evidence a
//! `serde_json::Value` tree of maps and strings) takes about three times its JSON, and a
//! portal's findings repeat themselves (the same rule, department and message shape thousands
//! of times), so their JSON is zstd-compressed in frames of [`FRAME_BYTES`]. The findings of a
//! large portal (30,000 at 100,000 pages) used to sit next to the whole loaded site. Checks emit
//! into [`EncodedFindings`]; the caller decodes them ([`EncodedFindings::into_findings`]) once it
//! has freed the site.

use crate::Finding;
use std::collections::HashSet;

/// JSON gathered before it is compressed as one frame: large enough for zstd to find a rule's
/// repeats, small enough to be a passing cost.
const FRAME_BYTES: usize = 256 * 1024;

/// zstd's default level: ~300 MB/s on one core, 30,000 findings in well under a second.
const LEVEL: i32 = 3;

/// Findings in emission order: sealed frames, then the open one.
/// Equal when they hold the same findings in the same order (a finding encodes one way, and a
/// frame compresses one way).
#[derive(Debug, Default, PartialEq)]
pub struct EncodedFindings {
    frames: Vec<Frame>,
    /// JSON of the findings not yet in a frame, one object after another.
    open: Vec<u8>,
    /// Where each finding of `open` ends.
    open_ends: Vec<u32>,
}

/// Findings whose JSON was compressed together.
#[derive(Debug, PartialEq)]
struct Frame {
    /// zstd frame of the JSON, or the JSON itself when compressing failed.
    bytes: Vec<u8>,
    compressed: bool,
    /// Length of the JSON, and where each finding ends in it.
    json_len: usize,
    ends: Vec<u32>,
}

impl EncodedFindings {
    /// Appends a finding.
    pub fn push(&mut self, f: &Finding) {
        // A finding is strings, numbers and a JSON value with string keys: writing it into a
        // vector cannot fail.
        serde_json::to_writer(&mut self.open, f).expect("a finding serialises");
        self.open_ends.push(self.open.len() as u32);
        if self.open.len() >= FRAME_BYTES {
            self.seal();
        }
    }

    /// Compresses the open findings into a frame.
    fn seal(&mut self) {
        if self.open_ends.is_empty() {
            return;
        }
        let json = std::mem::take(&mut self.open);
        let json_len = json.len();
        let (bytes, compressed) = match zstd::bulk::compress(&json, LEVEL) {
            // zstd allocates room for the worst case (the whole input): keep what it used.
            Ok(mut z) => {
                z.shrink_to_fit();
                (z, true)
            }
            // Out of memory inside zstd, say: keep the JSON as it is.
            Err(_) => (json, false),
        };
        self.frames.push(Frame {
            bytes,
            compressed,
            json_len,
            ends: std::mem::take(&mut self.open_ends),
        });
    }

    /// The findings of `parts`, in order.
    pub fn concat(parts: Vec<EncodedFindings>) -> Self {
        let mut all = EncodedFindings::default();
        for mut p in parts {
            p.seal();
            all.frames.append(&mut p.frames);
        }
        all
    }

    /// Number of findings.
    pub fn len(&self) -> usize {
        self.frames.iter().map(|f| f.ends.len()).sum::<usize>() + self.open_ends.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held for the findings (their compressed frames and the open JSON, as allocated).
    pub fn held_bytes(&self) -> usize {
        self.frames
            .iter()
            .map(|f| f.bytes.capacity() + 4 * f.ends.capacity())
            .sum::<usize>()
            + self.open.capacity()
            + 4 * self.open_ends.capacity()
    }

    /// The findings, deduplicated by fingerprint (the first emitted stays) and sorted (severity,
    /// rule, url, target), as [`crate::evaluate`] returns them.
    pub fn into_findings(mut self) -> Vec<Finding> {
        self.seal();
        let mut all: Vec<Finding> = Vec::with_capacity(self.len());
        let mut seen = HashSet::new();
        for frame in self.frames {
            // Written by `push` and `seal` in this process (serde_json's float_roundtrip keeps
            // every number exact), so each reads back as the same finding.
            let json = if frame.compressed {
                zstd::bulk::decompress(&frame.bytes, frame.json_len)
                    .expect("a frame compressed here decompresses")
            } else {
                frame.bytes
            };
            let mut start = 0;
            for &end in &frame.ends {
                let end = end as usize;
                let f: Finding =
                    serde_json::from_slice(&json[start..end]).expect("an encoded finding reads");
                start = end;
                if seen.insert(f.fingerprint.clone()) {
                    all.push(f);
                }
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

    #[test]
    fn many_findings_span_frames_and_are_held_compressed() {
        let all: Vec<Finding> = (0..5000)
            .map(|k| {
                let url = format!("http://x/{k:05}.html");
                finding(
                    "attachment.unreadable",
                    &url,
                    &format!("{k:024}"),
                    json!({"attachment": format!("{url}.pdf"), "reason": "损坏", "k": k}),
                )
            })
            .collect();
        let mut enc = EncodedFindings::default();
        for f in &all {
            enc.push(f);
        }
        let json: usize = all
            .iter()
            .map(|f| serde_json::to_vec(f).unwrap().len())
            .sum();
        assert!(json > 2 * FRAME_BYTES, "the test spans frames");
        assert!(enc.frames.len() >= 2);
        assert_eq!(enc.len(), 5000);
        // Findings of one rule repeat themselves: their frames are a fraction of their JSON.
        assert!(
            enc.held_bytes() * 4 < json,
            "{} of {json}",
            enc.held_bytes()
        );
        assert_eq!(
            enc.into_findings(),
            all,
            "already in sorted order, every one back"
        );
    }
}
