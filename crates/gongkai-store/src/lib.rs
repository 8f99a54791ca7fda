//! gongkai-store: everything a scan saw, in one SQLite file, so every finding can be reproduced
//! later (exact bytes, what the server answered, when).
//!
//! * [`Store`]: a synchronous connection with the read API and the small writes (runs,
//!   findings, re-extracted models).
//! * [`StoreWriter`]: a dedicated writer thread for the crawl's hot path (fetch records,
//!   frontier), batched into transactions; async-friendly through [`WriterHandle`].
//!
//! The schema is documented in `docs/schema.md`; migrations (append-only, in `src/schema.rs`) are
//! tracked by `PRAGMA user_version` ([`SCHEMA_VERSION`]). A database newer than this build is
//! refused with [`StoreError::NewerSchema`] and left untouched.
//!
//! Dropping a [`StoreWriter`] without [`StoreWriter::finish`] leaves its thread running until
//! every [`WriterHandle`] is dropped; it then commits what it received and exits.

mod body;
mod checkpoint;
mod codes;
mod error;
mod link_defs;
mod model_json;
mod schema;
mod store;
mod types;
mod write;
mod writer;

pub use body::sha256_hex;
pub use error::StoreError;
pub use schema::SCHEMA_VERSION;
pub use store::serve::{Account, AccountRole, AuditRow, CredentialKind, RecheckRow, WaiverRow};
pub use store::{
    AttachmentText, Carried, ManifestRow, NewSeal, PendingAttachment, PriorListItem, PriorRow,
    RunTally, Store, Tree,
};
pub use types::{
    record_request_key, request_key, FrontierEntry, NewRun, RunInfo, RunStatus, StoredFetch,
    StoredFinding, Validators, WriterStats,
};
pub use write::Prepared;
pub use writer::{FlushAck, StoreCommand, StoreWriter, TrySendError, WriterConfig, WriterHandle};

#[cfg(test)]
mod tests;
