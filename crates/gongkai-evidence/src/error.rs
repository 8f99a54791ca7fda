//! Errors of this crate: each says what was being done and on which file.

use std::path::PathBuf;

/// Errors of key handling and bundle reading.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// A key file could not be read, written or understood.
    #[error("key {path}: {message}")]
    Key { path: PathBuf, message: String },

    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A public key given on the command line or in a bundle is not 32 hex-encoded bytes.
    #[error("bad public key {0:?}: expected 64 hex digits (or a file holding them)")]
    PublicKey(String),

    /// A bundle is not a readable gongkai evidence bundle.
    #[error("bundle: {0}")]
    Bundle(String),

    /// A manifest could not be encoded.
    #[error("manifest: {0}")]
    Json(#[from] serde_json::Error),
}
