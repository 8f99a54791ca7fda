//! [`Store`]: the connection handle, opening, and the helpers the area modules below share.

/// SQL: the ids of run `?1`'s fetch rows, for `id IN run_rows!()`. Filtering on `run_id` itself
/// walks the rows through the `(run_id, url)` index, in URL order, one table lookup each; the
/// id list comes from that index alone and is then read in id order, which is the order the
/// rows were written: a run's wide rows read about twice as fast (0.10 → 0.05 s for the 30,000
/// rows of a 20,000-page run, and the end of a scan reads them several times).
macro_rules! run_rows {
    () => {
        "(SELECT id FROM fetches WHERE run_id = ?1)"
    };
}

pub(crate) mod attachments;
/// The page model of a `fetches` row named `$t` in SQL: its own, or for a row an incremental
/// night carried forward (`carried_from`), its original's, which carried rows share instead of
/// copying. A literal, so it can be `concat!`ed into constant column lists.
macro_rules! model_of {
    ($t:literal) => {
        concat!(
            "COALESCE(",
            $t,
            ".model, (SELECT o.model FROM fetches o WHERE o.id = ",
            $t,
            ".carried_from))"
        )
    };
}

/// Column `$col` of the `fetches` row whose model [`model_of!`] takes for the row named `$t` in
/// SQL: the row's own when it has a model, else its original's (NULL for neither).
macro_rules! of_model_row {
    ($t:literal, $col:literal) => {
        concat!(
            "CASE WHEN ",
            $t,
            ".model IS NOT NULL THEN ",
            $t,
            ".",
            $col,
            " ELSE (SELECT o.",
            $col,
            " FROM fetches o WHERE o.id = ",
            $t,
            ".carried_from) END"
        )
    };
}

/// The separately stored page text (schema version 10) of a `fetches` row named `$t` in SQL,
/// taken from the same row as [`model_of!`]'s model: NULL when that model's JSON holds its text
/// itself (rows written before version 10) or there is no model.
macro_rules! text_of {
    ($t:literal) => {
        of_model_row!($t, "text")
    };
}

/// Whether a `fetches` row named `$t` keeps its links apart from its model JSON (schema version
/// 11), taken from the same row as [`model_of!`]'s model.
macro_rules! links_apart_of {
    ($t:literal) => {
        of_model_row!($t, "links_apart")
    };
}

/// The fetch whose stored links (`page_links`) are a `fetches` row's links when its model keeps them apart:
/// the row whose model [`model_of!`] takes (a carried row's original, unless a re-extraction gave
/// the carried row a model of its own, whose links `carry_forward` copies with it).
macro_rules! link_source_of {
    ($t:literal) => {
        concat!(
            "CASE WHEN ",
            $t,
            ".model IS NOT NULL THEN ",
            $t,
            ".id ELSE COALESCE(",
            $t,
            ".carried_from, ",
            $t,
            ".id) END"
        )
    };
}

mod fetches;
mod findings;
mod frontier;
pub(crate) mod links;
pub(crate) mod nights;
mod runs;
mod seals;
pub(crate) mod serve;
mod site;
mod texts;
pub use attachments::{AttachmentText, PendingAttachment};

pub use nights::{Carried, PriorListItem, PriorRow};
pub use runs::RunTally;
pub use seals::{ManifestRow, NewSeal, Tree};

use crate::error::{sql, StoreError};
use crate::schema::{open_ro, open_rw};
use gongkai_core::PageModel;
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};

/// A handle on one gongkai database. Not `Sync`: one per thread (open another for another
/// thread; WAL lets readers run beside the writer).
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

fn clamp_u32(n: i64) -> u32 {
    n.clamp(0, i64::from(u32::MAX)) as u32
}

/// A TEXT column, borrowed, with its UTF-8 checked by simdutf8: most stored texts are
/// Chinese, where the standard check runs a byte at a time (a third of the time the rules
/// spent reading page texts). NULL is None; any other type fails as `Row::get` fails.
pub(crate) fn text_ref<'r>(
    r: &'r rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<Option<&'r str>> {
    match r.get_ref(i)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        rusqlite::types::ValueRef::Text(b) => match simdutf8::basic::from_utf8(b) {
            Ok(s) => Ok(Some(s)),
            // The standard check again, for its error (where the bad byte is).
            Err(_) => std::str::from_utf8(b)
                .map(Some)
                .map_err(rusqlite::Error::Utf8Error),
        },
        _ => r.get::<_, Option<String>>(i).map(|_| None),
    }
}

/// Parses a stored page model, with its separately stored text (see [`text_of!`]). A model
/// written by an older extractor that no longer parses is treated as missing (and logged):
/// `check` re-extracts it from the stored body.
fn parse_model(fetch_id: i64, json: Option<&str>, text: Option<String>) -> Option<PageModel> {
    let json = json?;
    match crate::model_json::decode(json, text) {
        Ok(m) => Some(m),
        Err(e) => {
            tracing::warn!(fetch_id, error = %e, "stored page model does not parse; ignoring it");
            None
        }
    }
}

impl Store {
    /// Opens the database at `path` for reading and writing, creating it (and its directory)
    /// when missing and migrating it to [`crate::SCHEMA_VERSION`]. Refuses (without touching
    /// the file) a database whose schema is newer than this build knows.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            conn: open_rw(path)?,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing, migrated database read-only (reports, readers while a scan writes).
    pub fn open_readonly(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            conn: open_ro(path)?,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for ad-hoc read queries (reports).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Keeps this connection's page cache at 1 MiB instead of 16: for a second connection that
    /// passes over a run's rows once while the first loads them (a full cache would only hold
    /// rows never read again, on top of the load's peak).
    pub fn small_cache(&self) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "cache_size", -1024)
            .map_err(sql(&self.path, "small cache"))
    }

    fn tx(&self, op: &'static str) -> Result<rusqlite::Transaction<'_>, StoreError> {
        rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(sql(&self.path, op))
    }

    fn commit(&self, tx: rusqlite::Transaction<'_>, op: &'static str) -> Result<(), StoreError> {
        tx.commit().map_err(sql(&self.path, op))
    }

    fn expect_run(&self, changed: usize, run_id: i64, op: &'static str) -> Result<(), StoreError> {
        if changed == 0 {
            return Err(StoreError::RunNotFound {
                path: self.path.clone(),
                op,
                run_id,
            });
        }
        Ok(())
    }
}
