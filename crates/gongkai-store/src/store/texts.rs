//! Page texts read on demand: a loaded [`gongkai_core::Site`] holds no texts of crawled pages
//! (about a third of a page model's bytes, 30 MB at 20,000 pages); the rules read each from the
//! store when they need it, through a read-only connection of its own.

use crate::error::{sql, StoreError};
use crate::schema::open_ro;
use gongkai_core::PageTexts;
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A row's page text, its original's for a carried row: its own column, or inside the model
/// JSON for rows written before schema version 10 (`COALESCE` evaluates `json_extract`, which
/// parses the whole model, only for those).
const TEXT_OF_ROW: &str = concat!(
    "SELECT COALESCE(",
    text_of!("fetches"),
    ", json_extract(",
    model_of!("fetches"),
    ", '$.text')) AS text FROM fetches WHERE id = ?1"
);

/// Text readers at most: the rules run on one thread per core.
const MAX_READERS: usize = 8;

/// [`PageTexts`] of one database: read-only connections, one per core, each behind a mutex
/// (the checks are `Send + Sync` and run on every core; with one connection they queued on its
/// mutex, and two rule threads were slower than one).
pub(crate) struct StoreTexts {
    conns: Vec<Mutex<Connection>>,
    path: PathBuf,
    /// Failed reads: how many, and the first one's error.
    failed: Mutex<Option<(usize, String)>>,
}

impl StoreTexts {
    /// Opens the database at `path` again, read-only.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let conns = (0..cores.clamp(1, MAX_READERS))
            .map(|_| Self::reader(path).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(StoreTexts {
            conns,
            path: path.to_path_buf(),
            failed: Mutex::new(None),
        })
    }

    /// One read-only connection for texts.
    fn reader(path: &Path) -> Result<Connection, StoreError> {
        let conn = open_ro(path)?;
        // Each text is read once per check, page after page: a page cache would only hold
        // pages never asked for again, so it is kept at 64 KiB (the b-tree's upper pages)
        // instead of the usual 16 MiB (at 1 MiB, two readers held ~6 MB more at 20,000 pages,
        // for no less time).
        conn.pragma_update(None, "cache_size", -64)
            .map_err(sql(path, "text reader cache_size"))?;
        // One read transaction for the reader's life: the texts of a run do not change while
        // its rules run, and without it every read takes and drops SQLite's file lock (two
        // fcntl calls a text, 5% of `check`'s time at 20,000 pages). The database is in WAL
        // mode, so the store's writer is not blocked by it.
        conn.execute_batch("BEGIN DEFERRED")
            .map_err(sql(path, "text reader begin"))?;
        Ok(conn)
    }

    fn read(&self, fetch_id: i64) -> Result<Option<String>, StoreError> {
        const OP: &str = "read page text";
        // A free connection if there is one, else wait for the first.
        let conn = self
            .conns
            .iter()
            .find_map(|c| match c.try_lock() {
                Ok(g) => Some(g),
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            })
            .unwrap_or_else(|| {
                self.conns[0]
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            });
        let mut stmt = conn
            // A constant: the statement cache is looked up by the SQL text, once per read.
            .prepare_cached(TEXT_OF_ROW)
            .map_err(sql(&self.path, OP))?;
        let text: Option<Option<String>> = stmt
            .query_row([fetch_id], |r| {
                super::text_ref(r, 0).map(|t| t.map(str::to_owned))
            })
            .optional()
            .map_err(sql(&self.path, OP))?;
        Ok(text.flatten())
    }
}

impl PageTexts for StoreTexts {
    fn text(&self, fetch_id: i64) -> Option<String> {
        match self.read(fetch_id) {
            Ok(t) => t,
            Err(e) => {
                let mut failed = self
                    .failed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match failed.as_mut() {
                    Some((n, _)) => {
                        *n += 1;
                        tracing::debug!(fetch_id, error = %e, "page text could not be read");
                    }
                    None => {
                        // Once: a damaged database fails every read of the same rows again.
                        tracing::warn!(fetch_id, error = %e, "page text could not be read");
                        *failed = Some((1, format!("fetch {fetch_id}: {e}")));
                    }
                }
                None
            }
        }
    }

    fn failures(&self) -> Option<(usize, String)> {
        self.failed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
