//! [`Checkpointer`]: copies the write-ahead log into the database beside the writer thread.
//!
//! In WAL mode every committed page is written twice: into the WAL, then, at a checkpoint, into
//! the database file. SQLite checkpoints on the connection that commits, so the writer thread,
//! the one serial stage of a crawl, spent about a sixth of its time copying pages while the
//! crawl waited for it. This thread copies what is committed every [`CHECKPOINT_EVERY`] on a
//! connection of its own. Its checkpoints are PASSIVE: they never wait for, nor block, the
//! writer or a reader.
//!
//! The writer keeps its own autocheckpoint: when the WAL reaches that size, the writer's
//! checkpoint (between two of its transactions) finds little left to copy, and the WAL then
//! starts over from its beginning instead of growing.

use crate::error::{sql, StoreError};
use crate::schema::open_rw;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the committed part of the WAL is copied (a crawl commits a few megabytes of it in
/// this time).
pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// The checkpointing thread; stopped (and joined) by [`Checkpointer::stop`] or on drop.
pub(crate) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    join: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a connection to `path` and starts checkpointing every `every`.
    pub(crate) fn start(path: &Path, every: Duration) -> Result<Checkpointer, StoreError> {
        let conn = open_rw(path)?;
        // A checkpoint copies through its own buffer, not the page cache.
        conn.pragma_update(None, "cache_size", -64)
            .map_err(sql(path, "checkpointer: cache_size"))?;
        let (stop, rx) = mpsc::channel::<()>();
        let join = std::thread::Builder::new()
            .name("gongkai-checkpoint".into())
            .spawn(move || {
                let (mut passes, mut busy) = (0u64, Duration::ZERO);
                // Any message, or the writer dropping its sender, stops the loop.
                while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(every) {
                    let t = Instant::now();
                    // Best effort: a failed pass leaves the copying to the writer's checkpoint.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::debug!(error = %e, "checkpointer: pass failed");
                    }
                    passes += 1;
                    busy += t.elapsed();
                }
                tracing::debug!(passes, secs = busy.as_secs_f64(), "checkpointer stopped");
            })
            .map_err(|e| StoreError::Writer {
                path: path.to_path_buf(),
                message: format!("cannot start checkpoint thread: {e}"),
            })?;
        Ok(Checkpointer {
            stop: Some(stop),
            join: Some(join),
        })
    }

    /// Stops the thread after its current pass.
    pub(crate) fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(join) = self.join.take() {
            let _ = join.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.shut();
    }
}
