//! Finding bundles: one zip file that proves one finding without the database, and its
//! offline check.
//!
//! Entries, in this order, stored uncompressed with the fixed date 1980-01-01 00:00 and mode 0644
//! (so the same content always gives the same file, and the check can insist on it):
//!
//! | entry | content |
//! |---|---|
//! | `README.txt` | how to verify by hand (generated from the entries below) |
//! | `manifest.json` | the run manifest, the exact signed bytes |
//! | `manifest.sig` | Ed25519 signature of `manifest.json`, 128 hex digits |
//! | `public_key.txt` | the office's public key, 64 hex digits |
//! | `finding.json` | the finding's leaf bytes |
//! | `fetch.json` | the fetch record's leaf bytes (absent for site-level findings) |
//! | `body.bin` | the exact bytes received (absent when none were stored) |
//! | `proof.json` | audit paths of the finding and the fetch in the manifest's trees |

use crate::error::EvidenceError;
use crate::key::PublicKey;
use crate::leaf::{FindingLeaf, Leaf};
use crate::manifest::{manifest_hash, Manifest, SealedManifest};
use crate::merkle::{leaf_hash, verify_inclusion, Hash};
use serde::{Deserialize, Serialize};
use std::io::{Cursor, Read, Write};

/// Format tag of `proof.json`.
pub const PROOF_FORMAT: &str = "gongkai-proof/1";
/// Largest bundle the check reads (bodies are capped by the crawler well below this).
pub const MAX_BUNDLE_BYTES: u64 = 512 * 1024 * 1024;
const ENTRY_NAMES: [&str; 8] = [
    "README.txt",
    "manifest.json",
    "manifest.sig",
    "public_key.txt",
    "finding.json",
    "fetch.json",
    "body.bin",
    "proof.json",
];

/// The audit path of one leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// 0-based position of the leaf in the tree's canonical order.
    pub index: u64,
    /// Number of leaves in the tree (the manifest's `size`).
    pub size: u64,
    /// Hex `H(0x00 || leaf bytes)`.
    pub leaf_hash: String,
    /// Hex sibling hashes from the leaf upwards (RFC 6962 audit path).
    pub path: Vec<String>,
}

impl InclusionProof {
    /// The proof for leaf `index` of `leaves` (hashes in canonical order).
    pub fn new(leaves: &[Hash], index: usize) -> InclusionProof {
        InclusionProof {
            index: index as u64,
            size: leaves.len() as u64,
            leaf_hash: leaves.get(index).map(hex::encode).unwrap_or_default(),
            path: crate::merkle::inclusion_proof(leaves, index)
                .iter()
                .map(hex::encode)
                .collect(),
        }
    }

    /// Whether `leaf` (its bytes) is at this position of a tree with root `root_hex`.
    pub fn verifies(&self, leaf: &[u8], root_hex: &str) -> bool {
        let h = leaf_hash(leaf);
        let path: Option<Vec<Hash>> = self.path.iter().map(|p| parse_hash(p)).collect();
        let (Some(path), Some(root)) = (path, parse_hash(root_hex)) else {
            return false;
        };
        hex::encode(h) == self.leaf_hash
            && verify_inclusion(&h, self.index, self.size, &path, &root)
    }
}

fn parse_hash(s: &str) -> Option<Hash> {
    hex::decode(s).ok()?.try_into().ok()
}

/// `proof.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proofs {
    /// Always [`PROOF_FORMAT`].
    pub format: String,
    /// Hex sha256 of `manifest.json` (compare it with the published log).
    pub manifest_hash: String,
    pub finding: InclusionProof,
    pub fetch: Option<InclusionProof>,
}

/// The content of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub manifest: SealedManifest,
    /// Hex public key.
    pub public_key: String,
    /// Leaf bytes of the finding.
    pub finding: Vec<u8>,
    /// Leaf bytes of the fetch record.
    pub fetch: Option<Vec<u8>>,
    /// Exact bytes received.
    pub body: Option<Vec<u8>>,
    pub proofs: Proofs,
}

fn bundle_err(message: impl Into<String>) -> EvidenceError {
    EvidenceError::Bundle(message.into())
}

/// The fetch part of a bundle: the run's fetch leaves, which one, and its exact bytes.
pub struct FetchPart<'a> {
    /// All fetch leaves of the run in canonical order.
    pub leaves: &'a [Leaf],
    pub index: usize,
    pub body: Option<Vec<u8>>,
}

impl Bundle {
    /// Assembles a bundle for finding `finding_index` of `findings` (the run's finding leaves in
    /// canonical order), sealed by `manifest`.
    pub fn assemble(
        manifest: SealedManifest,
        public_key: &PublicKey,
        findings: &[Leaf],
        finding_index: usize,
        fetch: Option<FetchPart<'_>>,
    ) -> Result<Bundle, EvidenceError> {
        let finding = findings
            .get(finding_index)
            .ok_or_else(|| bundle_err("finding index out of range"))?;
        let hashes: Vec<Hash> = findings.iter().map(|l| l.hash).collect();
        let (fetch_bytes, fetch_proof, body) = match fetch {
            Some(part) => {
                let leaf = part
                    .leaves
                    .get(part.index)
                    .ok_or_else(|| bundle_err("fetch index out of range"))?;
                let hashes: Vec<Hash> = part.leaves.iter().map(|l| l.hash).collect();
                (
                    Some(leaf.bytes.clone()),
                    Some(InclusionProof::new(&hashes, part.index)),
                    part.body,
                )
            }
            None => (None, None, None),
        };
        Ok(Bundle {
            proofs: Proofs {
                format: PROOF_FORMAT.into(),
                manifest_hash: manifest.hash.clone(),
                finding: InclusionProof::new(&hashes, finding_index),
                fetch: fetch_proof,
            },
            manifest,
            public_key: public_key.to_hex(),
            finding: finding.bytes.clone(),
            fetch: fetch_bytes,
            body,
        })
    }

    /// The zip file (deterministic: same content, same bytes).
    pub fn to_zip(&self) -> Result<Vec<u8>, EvidenceError> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644)
            .large_file(false);
        let proof = serde_json::to_vec_pretty(&self.proofs)?;
        let readme = self.readme();
        let entries: [(&str, Option<&[u8]>); 8] = [
            ("README.txt", Some(readme.as_bytes())),
            ("manifest.json", Some(&self.manifest.bytes)),
            ("manifest.sig", Some(self.manifest.signature.as_bytes())),
            ("public_key.txt", Some(self.public_key.as_bytes())),
            ("finding.json", Some(&self.finding)),
            ("fetch.json", self.fetch.as_deref()),
            ("body.bin", self.body.as_deref()),
            ("proof.json", Some(&proof)),
        ];
        let zerr = |e: zip::result::ZipError| bundle_err(format!("writing zip: {e}"));
        for (name, data) in entries {
            let Some(data) = data else { continue };
            zip.start_file(name, opts).map_err(zerr)?;
            zip.write_all(data)
                .map_err(|e| bundle_err(format!("writing {name}: {e}")))?;
        }
        Ok(zip.finish().map_err(zerr)?.into_inner())
    }

    /// Reads a bundle's entries (bounded; unknown entries refused).
    pub fn from_zip(bytes: &[u8]) -> Result<Bundle, EvidenceError> {
        if bytes.len() as u64 > MAX_BUNDLE_BYTES {
            return Err(bundle_err("larger than 512 MiB"));
        }
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| bundle_err(format!("not a zip file: {e}")))?;
        if zip.len() > ENTRY_NAMES.len() {
            return Err(bundle_err(format!(
                "{} entries, expected at most 8",
                zip.len()
            )));
        }
        let mut found: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| bundle_err(format!("entry {i}: {e}")))?;
            let name = entry.name().to_string();
            if !ENTRY_NAMES.contains(&name.as_str()) || found.contains_key(&name) {
                return Err(bundle_err(format!("unexpected entry {name:?}")));
            }
            let mut data = Vec::new();
            // Reading to the end also checks the entry's CRC-32.
            (&mut entry)
                .take(MAX_BUNDLE_BYTES)
                .read_to_end(&mut data)
                .map_err(|e| bundle_err(format!("{name}: {e}")))?;
            found.insert(name, data);
        }
        let mut take = |name: &str| found.remove(name);
        let need =
            |v: Option<Vec<u8>>, name: &str| v.ok_or_else(|| bundle_err(format!("{name} missing")));
        let text = |v: Vec<u8>, name: &str| {
            String::from_utf8(v).map_err(|_| bundle_err(format!("{name} is not UTF-8")))
        };
        let manifest_bytes = need(take("manifest.json"), "manifest.json")?;
        let signature = text(need(take("manifest.sig"), "manifest.sig")?, "manifest.sig")?;
        let public_key = text(
            need(take("public_key.txt"), "public_key.txt")?,
            "public_key.txt",
        )?;
        let finding = need(take("finding.json"), "finding.json")?;
        let proofs: Proofs = serde_json::from_slice(&need(take("proof.json"), "proof.json")?)
            .map_err(|e| bundle_err(format!("proof.json: {e}")))?;
        Ok(Bundle {
            manifest: SealedManifest {
                hash: manifest_hash(&manifest_bytes),
                bytes: manifest_bytes,
                signature,
            },
            public_key,
            finding,
            fetch: take("fetch.json"),
            body: take("body.bin"),
            proofs,
        })
    }

    /// `README.txt`: what the bundle is and how to check it with common tools.
    pub fn readme(&self) -> String {
        let finding: Option<FindingLeaf> = serde_json::from_slice(&self.finding).ok();
        let (rule, url, fp) = finding
            .map(|f| (f.rule, f.url, f.fingerprint))
            .unwrap_or_default();
        let run = Manifest::parse(&self.manifest.bytes)
            .map(|m| (m.run.id, m.run.site, m.sealed_at))
            .unwrap_or_default();
        format!(
            "gongkai 证据包 / evidence bundle\n\
             问题 finding: {rule} · {url}\n指纹 fingerprint: {fp}\n\
             运行 run: {} ({}) · 封存 sealed: {}\n\
             清单哈希 manifest sha256: {}\n公钥 public key: {}\n\n\
             Check it: `gongkai evidence check THIS.zip --key PUBLISHED_KEY`, or by hand:\n\
             1. manifest.sig is the Ed25519 signature (RFC 8032) of the bytes of manifest.json\n\
             \x20  under public_key.txt; compare the key and sha256(manifest.json) with what the\n\
             \x20  office published (`gongkai evidence log`).\n\
             2. leaf hash = sha256(0x00 || bytes of finding.json) (and of fetch.json); it must\n\
             \x20  equal proof.json's leaf_hash, and the audit path (RFC 6962 / RFC 9162 2.1.3.2,\n\
             \x20  node = sha256(0x01 || left || right)) must lead to manifest.json's\n\
             \x20  findings.root (fetches.root) with the given index and size.\n\
             3. sha256(body.bin) equals fetch.json's body_sha256; finding.json's fetch_id equals\n\
             \x20  fetch.json's id; both carry the manifest's run.id.\n",
            run.0, run.1, run.2, self.manifest.hash, self.public_key
        )
    }
}

#[cfg(test)]
#[path = "bundle_tests.rs"]
mod tests;
