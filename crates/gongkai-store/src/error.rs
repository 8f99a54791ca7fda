//! The one error type of this crate. Every variant says what was being done and, where it
//! matters, on which database file.

use std::path::PathBuf;

/// Errors of the store. Display strings are English and meant for logs and the CLI.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file (or its directory) could not be opened or created.
    #[error("cannot open database {path} ({op}): {source}")]
    Open {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    /// Creating the directory of the database failed.
    #[error("cannot create directory for database {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The database was written by a newer gongkai; it is left untouched.
    #[error(
        "database {path} has schema version {found}, newer than this build supports \
         ({supported}); use a newer gongkai (the file was not modified)"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// A read-only open found a database that still needs migrations (read-only cannot migrate).
    #[error(
        "database {path} has schema version {found}, older than this build's {supported}; \
         open it read-write once (e.g. run a scan or `check`) to migrate it"
    )]
    OlderSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// Applying the schema migrations failed.
    #[error("migrating database {path} to schema version {supported}: {source}")]
    Migrate {
        path: PathBuf,
        supported: i64,
        #[source]
        source: rusqlite_migration::Error,
    },

    /// An SQLite statement failed.
    #[error("database {path}: {op}: {source}")]
    Sqlite {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    /// A JSON column could not be written or read.
    #[error("database {path}: {op}: JSON: {source}")]
    Json {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: serde_json::Error,
    },

    /// A stored value is not what this build expects (unknown code, bad number ...).
    #[error("database {path}: {op}: unexpected value {value:?} in {column}")]
    BadValue {
        path: PathBuf,
        op: &'static str,
        column: &'static str,
        value: String,
    },

    /// A stored body could not be decoded (corrupt compression).
    #[error("database {path}: body {sha256}: {message}")]
    Body {
        path: PathBuf,
        sha256: String,
        message: String,
    },

    /// The run id does not exist.
    #[error("database {path}: run {run_id} not found ({op})")]
    RunNotFound {
        path: PathBuf,
        op: &'static str,
        run_id: i64,
    },

    /// The batched writer thread stopped (after an error, or after `finish`) or panicked.
    #[error("store writer for {path}: {message}")]
    Writer { path: PathBuf, message: String },
}

/// `map_err` helper: an SQLite error during `op` on `path`.
pub(crate) fn sql<'a>(
    path: &'a std::path::Path,
    op: &'static str,
) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        op,
        source,
    }
}

/// `map_err` helper: a JSON error during `op` on `path`.
pub(crate) fn json<'a>(
    path: &'a std::path::Path,
    op: &'static str,
) -> impl FnOnce(serde_json::Error) -> StoreError + 'a {
    move |source| StoreError::Json {
        path: path.to_path_buf(),
        op,
        source,
    }
}

/// A stored value this build does not understand.
pub(crate) fn bad_value(
    path: &std::path::Path,
    op: &'static str,
    column: &'static str,
    value: impl Into<String>,
) -> StoreError {
    StoreError::BadValue {
        path: path.to_path_buf(),
        op,
        column,
        value: value.into(),
    }
}
