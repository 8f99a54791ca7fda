//! Run manifests: what a seal says about a run, the chain that links seals, and signing.
//!
//! A manifest's bytes are canonical JSON ([`crate::canon`]); its hash is the hex sha256 of those
//! bytes and the signature is Ed25519 over the same bytes. Each manifest names the hash of the
//! previous one (`prev`; 64 zeros for the first), so removing, inserting or reordering a seal
//! breaks the chain.

use crate::canon::canonical_bytes;
use crate::key::{OfficeKey, PublicKey};
use crate::leaf::Leaf;
use crate::merkle::{self, Hash};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Format tag of manifests.
pub const MANIFEST_FORMAT: &str = "gongkai-manifest/1";
/// `prev` of the first manifest of a database.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A run's metadata as sealed (the `runs` row, without fields that change after sealing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    pub id: i64,
    pub site: String,
    pub start_urls: Value,
    pub settings: Value,
    pub tool_version: String,
    /// Rule-pack hash of the evaluation that produced the findings.
    pub rules_version: Option<String>,
    /// sha256 of the site configuration file.
    pub config_hash: Option<String>,
    pub as_of: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
}

/// Size and root of one Merkle tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    pub size: u64,
    /// Hex root hash.
    pub root: String,
}

impl TreeHead {
    /// The head of a tree over `leaves` (already in canonical order).
    pub fn of(leaves: &[Leaf]) -> TreeHead {
        let hashes: Vec<Hash> = leaves.iter().map(|l| l.hash).collect();
        TreeHead {
            size: hashes.len() as u64,
            root: hex::encode(merkle::root(&hashes)),
        }
    }
}

/// What a seal says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// Position in the database's chain, 1-based.
    pub seq: u64,
    /// Hash of manifest `seq - 1`, or [`GENESIS`].
    pub prev: String,
    pub run: RunMeta,
    /// RFC 3339 UTC.
    pub sealed_at: String,
    pub fetches: TreeHead,
    pub findings: TreeHead,
    /// Hex Ed25519 public key that signs it.
    pub public_key: String,
}

/// A manifest with its exact bytes, hash and signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedManifest {
    pub bytes: Vec<u8>,
    /// Hex sha256 of `bytes`.
    pub hash: String,
    /// Hex Ed25519 signature of `bytes`.
    pub signature: String,
}

/// Hex sha256 of a manifest's bytes.
pub fn manifest_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Manifest {
    /// Canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Strings, numbers and JSON values always serialise.
        canonical_bytes(self).unwrap_or_default()
    }

    /// Parses manifest bytes; `None` unless they are a manifest in canonical form.
    pub fn parse(bytes: &[u8]) -> Option<Manifest> {
        let m: Manifest = serde_json::from_slice(bytes).ok()?;
        (m.format == MANIFEST_FORMAT && m.to_bytes() == bytes).then_some(m)
    }

    /// Encodes and signs.
    pub fn seal(&self, key: &OfficeKey) -> SealedManifest {
        let bytes = self.to_bytes();
        SealedManifest {
            hash: manifest_hash(&bytes),
            signature: key.sign_hex(&bytes),
            bytes,
        }
    }
}

impl SealedManifest {
    /// Whether `key` signed these bytes.
    pub fn signed_by(&self, key: &PublicKey) -> bool {
        key.verify_hex(&self.bytes, &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn manifest(seq: u64, prev: &str) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            seq,
            prev: prev.into(),
            run: RunMeta {
                id: 1,
                site: "滕州".into(),
                start_urls: json!(["http://a.gov.cn/"]),
                settings: json!({"rate": 2.0}),
                tool_version: "0.1.0".into(),
                rules_version: Some("abc".into()),
                config_hash: None,
                as_of: "2026-01-31".into(),
                started_at: "2026-01-31T00:00:00Z".into(),
                finished_at: Some("2026-01-31T01:00:00Z".into()),
                status: "completed".into(),
            },
            sealed_at: "2026-01-31T01:00:01Z".into(),
            fetches: TreeHead::of(&[]),
            findings: TreeHead::of(&[]),
            public_key: String::new(),
        }
    }

    #[test]
    fn seal_parse_roundtrip_and_signature() {
        let key = OfficeKey::from_seed([3; 32]);
        let mut m = manifest(1, GENESIS);
        m.public_key = key.public().to_hex();
        let sealed = m.seal(&key);
        assert_eq!(Manifest::parse(&sealed.bytes), Some(m));
        assert!(sealed.signed_by(&key.public()));
        assert!(!sealed.signed_by(&OfficeKey::from_seed([4; 32]).public()));
        let mut edited = sealed.clone();
        edited.bytes[10] ^= 1;
        assert!(!edited.signed_by(&key.public()));
        // Non-canonical bytes (whitespace added) are not accepted as a manifest.
        let pretty = serde_json::to_vec_pretty(&Manifest::parse(&sealed.bytes).unwrap()).unwrap();
        assert!(Manifest::parse(&pretty).is_none());
    }
}
