//! gongkai-evidence: tamper-evident records. Pure functions (no database) that seal a run and
//! let anyone check one finding offline:
//!
//! * [`canon`]: canonical JSON, the exact bytes that are hashed and signed;
//! * [`leaf`]: what is sealed of a fetch record and of a finding;
//! * [`merkle`]: RFC 6962 Merkle trees and inclusion proofs;
//! * [`manifest`]: run manifests, their chain and signatures;
//! * [`key`]: the office's Ed25519 key file;
//! * [`bundle`]: the zip that proves one finding;
//! * [`check`]: its offline check.
//!
//! The database side (tables `manifests` and `sealed_leaves`) lives in `gongkai-store`; the
//! commands (`gongkai evidence verify|bundle|check|log`) in the `gongkai` binary.

pub mod bundle;
pub mod canon;
pub mod check;
mod error;
pub mod key;
pub mod leaf;
pub mod manifest;
pub mod merkle;

pub use bundle::{Bundle, InclusionProof, Proofs};
pub use check::{check, CheckReport};
pub use error::EvidenceError;
pub use key::{OfficeKey, PublicKey};
pub use leaf::{FetchLeaf, FindingLeaf, Leaf};
pub use manifest::{Manifest, RunMeta, SealedManifest, TreeHead, GENESIS, MANIFEST_FORMAT};
