//! The office's Ed25519 signing key: created once, kept in a file outside the database that
//! only its owner can read (mode 0600), the public half printed for publication.
//!
//! File format: the line [`SECRET_HEADER`], then the 32-byte secret seed as 64 lower-case hex
//! digits and a newline. Beside it, `<key>.pub` holds the public key as 64 hex digits and a
//! newline (publishable). The header tells the two apart, so a command that wants a public key
//! can be given either file.

use crate::error::EvidenceError;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::io::Write;
use std::path::{Path, PathBuf};

/// First line of a secret key file.
pub const SECRET_HEADER: &str =
    "# gongkai Ed25519 signing key: keep secret, owner-only (mode 0600)";

/// The office's signing key.
pub struct OfficeKey {
    signing: SigningKey,
}

/// A public key that verifies manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

fn key_err(path: &Path, message: impl Into<String>) -> EvidenceError {
    EvidenceError::Key {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Where the public half is written: `<key>.pub`.
pub fn public_key_path(key: &Path) -> PathBuf {
    let mut name = key.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

impl OfficeKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<OfficeKey, EvidenceError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| EvidenceError::Bundle(format!("no random source for a new key: {e}")))?;
        Ok(OfficeKey {
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// A key from its 32-byte seed (tests, and keys kept elsewhere).
    pub fn from_seed(seed: [u8; 32]) -> OfficeKey {
        OfficeKey {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    /// Reads the key at `path`; refuses a file that others than its owner can read.
    pub fn load(path: &Path) -> Result<OfficeKey, EvidenceError> {
        let text = std::fs::read_to_string(path).map_err(|source| EvidenceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        check_private(path)?;
        let Some(seed_hex) = text.strip_prefix(SECRET_HEADER) else {
            return Err(key_err(path, "not a gongkai signing key (header missing)"));
        };
        let bytes = hex::decode(seed_hex.trim())
            .map_err(|_| key_err(path, "not a gongkai key (expected 64 hex digits)"))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| key_err(path, "not a gongkai key (expected 32 bytes)"))?;
        Ok(OfficeKey::from_seed(seed))
    }

    /// Reads the key at `path`, or creates it there (mode 0600, and `<path>.pub`) when missing.
    /// Returns the key and whether it was created now.
    pub fn load_or_create(path: &Path) -> Result<(OfficeKey, bool), EvidenceError> {
        if path.exists() {
            return Ok((OfficeKey::load(path)?, false));
        }
        let key = OfficeKey::generate()?;
        key.save(path)?;
        Ok((key, true))
    }

    /// Writes the key to a new file `path` (never overwrites) with mode 0600, and `<path>.pub`.
    pub fn save(&self, path: &Path) -> Result<(), EvidenceError> {
        let io = |source| EvidenceError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(path).map_err(io)?;
        let text = format!(
            "{SECRET_HEADER}\n{}\n",
            hex::encode(self.signing.to_bytes())
        );
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        let public = public_key_path(path);
        std::fs::write(&public, format!("{}\n", self.public().to_hex())).map_err(|source| {
            EvidenceError::Io {
                path: public.clone(),
                source,
            }
        })
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    /// Ed25519 signature of `message`, hex.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.signing.sign(message).to_bytes())
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), EvidenceError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|source| EvidenceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(key_err(
            path,
            format!("readable by others (mode {mode:o}); run `chmod 600` on it"),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), EvidenceError> {
    Ok(())
}

impl PublicKey {
    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Result<PublicKey, EvidenceError> {
        let bad = || EvidenceError::PublicKey(s.chars().take(80).collect());
        let bytes: [u8; 32] = hex::decode(s.trim())
            .map_err(|_| bad())?
            .try_into()
            .map_err(|_| bad())?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| bad())
    }

    /// Parses `arg` as 64 hex digits, or else reads it as a file: a public key file (`<key>.pub`)
    /// or the secret key file itself (its public half is used).
    pub fn from_arg(arg: &str) -> Result<PublicKey, EvidenceError> {
        if let Ok(k) = PublicKey::from_hex(arg) {
            return Ok(k);
        }
        let path = Path::new(arg);
        if path.is_file() {
            let meta = std::fs::metadata(path).map_err(|source| EvidenceError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            if meta.len() > 4096 {
                return Err(EvidenceError::PublicKey(arg.to_string()));
            }
            let text = std::fs::read_to_string(path).map_err(|source| EvidenceError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            if text.starts_with(SECRET_HEADER) {
                return Ok(OfficeKey::load(path)?.public());
            }
            return PublicKey::from_hex(&text);
        }
        Err(EvidenceError::PublicKey(arg.to_string()))
    }

    /// 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// Checks a hex Ed25519 signature of `message` (strict verification: no malleable forms).
    pub fn verify_hex(&self, message: &[u8], signature_hex: &str) -> bool {
        let Ok(bytes) = hex::decode(signature_hex.trim()) else {
            return false;
        };
        let Ok(bytes) = <[u8; 64]>::try_from(bytes) else {
            return false;
        };
        let sig = Signature::from_bytes(&bytes);
        self.0.verify_strict(message, &sig).is_ok() && self.0.verify(message, &sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_load_sign_verify() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k/office.ed25519");
        let (key, created) = OfficeKey::load_or_create(&path).unwrap();
        assert!(created);
        let (again, created) = OfficeKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(key.public(), again.public());
        let published = std::fs::read_to_string(public_key_path(&path)).unwrap();
        assert_eq!(PublicKey::from_hex(&published).unwrap(), key.public());
        let sig = key.sign_hex(b"manifest");
        assert!(key.public().verify_hex(b"manifest", &sig));
        assert!(!key.public().verify_hex(b"manifesT", &sig));
        let other = OfficeKey::from_seed([7; 32]);
        assert!(!other.public().verify_hex(b"manifest", &sig));
        assert!(!key.public().verify_hex(b"manifest", "zz"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = OfficeKey::load(&path).err().unwrap().to_string();
            assert!(err.contains("chmod 600"), "{err}");
        }
    }

    #[test]
    fn public_key_from_file_or_hex() {
        let dir = tempfile::tempdir().unwrap();
        let key = OfficeKey::from_seed([1; 32]);
        let p = dir.path().join("k.pub");
        std::fs::write(&p, key.public().to_hex() + "\n").unwrap();
        assert_eq!(
            PublicKey::from_arg(p.to_str().unwrap()).unwrap(),
            key.public()
        );
        assert_eq!(
            PublicKey::from_arg(&key.public().to_hex()).unwrap(),
            key.public()
        );
        assert!(PublicKey::from_arg("nonsense").is_err());
        let secret = dir.path().join("k");
        key.save(&secret).unwrap();
        assert_eq!(
            PublicKey::from_arg(secret.to_str().unwrap()).unwrap(),
            key.public()
        );
    }
}
