//! [`StoreWriter`]: the batched writer. A dedicated `std::thread` owns its own connection and
//! receives [`StoreCommand`]s over a bounded `tokio::sync::mpsc` channel, so async tasks can
//! `send(..).await` without blocking the runtime and sync code can `blocking_send`.
//!
//! Batching is group commit: the thread blocks for the first command, then takes whatever else
//! is waiting (up to [`WriterConfig::max_batch_items`]) and commits it all in one
//! `BEGIN IMMEDIATE` transaction. While commands keep arriving it waits a little for the next
//! one ([`WriterConfig::linger`]): a crawl sends a record every millisecond or so, and committing
//! each on its own rewrote the same index pages into the WAL hundreds of times a second. When
//! idle (nothing within a millisecond or two) the batch commits at once; a flush or shutdown
//! commits without waiting. A crash loses at most the commands not yet committed.
//!
//! Crash consistency: a `Record` writes the fetch row, its body, its links, its discovered
//! frontier entries and flips its frontier row to `done` in the same transaction, and batches
//! commit in channel order. After `kill -9` the database holds a prefix of the commands sent:
//! every `done` frontier row has its fetch row and vice versa, and every `queued` row is still
//! to be fetched on resume.

use crate::checkpoint::Checkpointer;
use crate::error::StoreError;
use crate::schema::open_rw;
use crate::types::{FrontierEntry, WriterStats};
use crate::write::{self, SeenKeys};
use gongkai_core::FetchRecord;
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot};

/// Acknowledgement of a flush: Ok once everything sent before it is committed.
pub type FlushAck = oneshot::Sender<Result<(), String>>;

/// What the writer thread does. Every command applies to the run the writer was spawned for.
#[derive(Debug)]
pub enum StoreCommand {
    /// Add requests to the frontier (already seen ones are ignored).
    Enqueue(Vec<FrontierEntry>),
    /// Store one fetch record (fetch row, body, links when purpose is crawl, frontier row done)
    /// together with the requests discovered on it (`follow`), atomically.
    Record {
        record: Box<FetchRecord>,
        follow: Vec<FrontierEntry>,
        /// The record's database-free work, done ahead ([`StoreCommand::prepare`]); else the
        /// writer does it.
        prepared: Option<Box<write::Prepared>>,
    },
    /// URLs found but not crawled, with the reason (coverage); a URL already recorded for the run
    /// is ignored, so a resumed crawl that finds it again does not count it twice.
    Cut(Vec<gongkai_core::CutUrl>),
    /// Commit everything sent before, then answer.
    Flush(FlushAck),
    /// Commit everything sent before, then stop accepting commands (what `finish` sends).
    Shutdown,
}

impl StoreCommand {
    /// Convenience constructor for `Record`.
    pub fn record(record: FetchRecord, follow: Vec<FrontierEntry>) -> Self {
        StoreCommand::Record {
            record: Box::new(record),
            follow,
            prepared: None,
        }
    }

    /// Does a `Record`'s work that needs no database (hashing, JSON, and with `compress` the
    /// body's compression) on the calling thread, so that the writer thread only runs its SQL.
    /// Worth it on a thread beside the writer: a crawl waits for the writer when it falls
    /// behind. `compress` pays when bodies are mostly new (a first scan); on a rescan most are
    /// stored already and the writer compresses only those that are not. Other commands are
    /// left as they are.
    pub fn prepare(&mut self, compress: bool) {
        if let StoreCommand::Record {
            record, prepared, ..
        } = self
        {
            if prepared.is_none() {
                *prepared = write::Prepared::of(record, compress).map(Box::new);
            }
        }
    }

    /// Frontier entries carried (bounded separately from the command count).
    fn entries(&self) -> usize {
        match self {
            StoreCommand::Enqueue(v) => v.len(),
            StoreCommand::Record { follow, .. } => follow.len(),
            StoreCommand::Cut(v) => v.len(),
            StoreCommand::Flush(_) | StoreCommand::Shutdown => 0,
        }
    }
}

/// Tuning of the writer.
#[derive(Debug, Clone, Copy)]
pub struct WriterConfig {
    /// Commands the channel holds before senders wait (backpressure; records carry bodies).
    pub channel_capacity: usize,
    /// Upper bound of commands (records, enqueues) committed in one transaction.
    pub max_batch_items: usize,
    /// Upper bound of frontier entries committed in one transaction (a batch closes when either
    /// bound is reached).
    pub max_batch_entries: usize,
    /// Longest time a batch stays open waiting for more commands while they keep arriving
    /// (zero: commit whatever is waiting at once).
    pub linger: std::time::Duration,
    /// WAL size in pages that triggers a checkpoint on this connection (SQLite's default is
    /// 1,000). Larger means fewer checkpoints, each copying a page once however often it
    /// changed in between; the writer checkpoints what is left when it finishes.
    pub wal_autocheckpoint: u32,
    /// How often a thread beside the writer copies the committed WAL into the database
    /// ([`crate::checkpoint`]); None leaves all checkpoints to the writer.
    pub checkpoint_every: Option<std::time::Duration>,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            channel_capacity: 256,
            max_batch_items: 200,
            max_batch_entries: 20_000,
            linger: std::time::Duration::from_millis(50),
            wal_autocheckpoint: 8_000,
            checkpoint_every: Some(crate::checkpoint::CHECKPOINT_EVERY),
        }
    }
}

/// The sending side; cheap to clone, usable from async tasks and plain threads.
#[derive(Debug, Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<StoreCommand>,
    path: Arc<PathBuf>,
    failure: Arc<Mutex<Option<String>>>,
}

impl WriterHandle {
    fn closed(&self) -> StoreError {
        let message = self
            .failure
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .unwrap_or_else(|| "the writer has stopped".to_owned());
        StoreError::Writer {
            path: self.path.to_path_buf(),
            message,
        }
    }

    fn ack_error(
        &self,
        r: Result<Result<(), String>, oneshot::error::RecvError>,
    ) -> Result<(), StoreError> {
        match r {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(StoreError::Writer {
                path: self.path.to_path_buf(),
                message,
            }),
            Err(_) => Err(self.closed()),
        }
    }

    /// Sends a command, waiting (asynchronously) while the channel is full.
    pub async fn send(&self, cmd: StoreCommand) -> Result<(), StoreError> {
        self.tx.send(cmd).await.map_err(|_| self.closed())
    }

    /// Sends a command, blocking the thread while the channel is full. Do not call from inside
    /// an async runtime thread (tokio panics); use [`WriterHandle::send`] there.
    pub fn blocking_send(&self, cmd: StoreCommand) -> Result<(), StoreError> {
        self.tx.blocking_send(cmd).map_err(|_| self.closed())
    }

    /// Sends without waiting; gives the command back when the channel is full.
    pub fn try_send(&self, cmd: StoreCommand) -> Result<(), TrySendError> {
        self.tx.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(cmd) => TrySendError::Full(cmd),
            mpsc::error::TrySendError::Closed(_) => TrySendError::Closed(self.closed()),
        })
    }

    pub async fn enqueue(&self, entries: Vec<FrontierEntry>) -> Result<(), StoreError> {
        self.send(StoreCommand::Enqueue(entries)).await
    }

    pub async fn record(
        &self,
        record: FetchRecord,
        follow: Vec<FrontierEntry>,
    ) -> Result<(), StoreError> {
        self.send(StoreCommand::record(record, follow)).await
    }

    /// Waits until everything sent before is committed.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (ack, rx) = oneshot::channel();
        self.send(StoreCommand::Flush(ack)).await?;
        self.ack_error(rx.await)
    }

    pub fn blocking_enqueue(&self, entries: Vec<FrontierEntry>) -> Result<(), StoreError> {
        self.blocking_send(StoreCommand::Enqueue(entries))
    }

    pub fn blocking_record(
        &self,
        record: FetchRecord,
        follow: Vec<FrontierEntry>,
    ) -> Result<(), StoreError> {
        self.blocking_send(StoreCommand::record(record, follow))
    }

    /// Blocking [`WriterHandle::flush`] (not from inside an async runtime thread).
    pub fn blocking_flush(&self) -> Result<(), StoreError> {
        let (ack, rx) = oneshot::channel();
        self.blocking_send(StoreCommand::Flush(ack))?;
        self.ack_error(rx.blocking_recv())
    }
}

/// Why [`WriterHandle::try_send`] did not send.
#[derive(Debug)]
pub enum TrySendError {
    /// The channel is full; here is the command back.
    Full(StoreCommand),
    /// The writer has stopped.
    Closed(StoreError),
}

/// Owner of the writer thread.
pub struct StoreWriter {
    handle: WriterHandle,
    join: JoinHandle<()>,
    done: oneshot::Receiver<Result<WriterStats, StoreError>>,
}

impl StoreWriter {
    /// Opens its own connection to `path` (creating/migrating like `Store::open`), checks that
    /// `run_id` exists, and starts the writer thread with default tuning.
    pub fn spawn(path: &Path, run_id: i64) -> Result<(StoreWriter, WriterHandle), StoreError> {
        Self::spawn_with(path, run_id, WriterConfig::default())
    }

    /// [`StoreWriter::spawn`] with explicit tuning.
    pub fn spawn_with(
        path: &Path,
        run_id: i64,
        config: WriterConfig,
    ) -> Result<(StoreWriter, WriterHandle), StoreError> {
        let conn = open_rw(path)?;
        conn.pragma_update(None, "wal_autocheckpoint", config.wal_autocheckpoint.max(1))
            .map_err(crate::error::sql(path, "writer: wal_autocheckpoint"))?;
        let exists: bool = conn
            .query_row("SELECT count(*) FROM runs WHERE id = ?1", [run_id], |r| {
                r.get::<_, i64>(0).map(|n| n > 0)
            })
            .map_err(crate::error::sql(path, "writer: check run"))?;
        if !exists {
            return Err(StoreError::RunNotFound {
                path: path.to_path_buf(),
                op: "spawn writer",
                run_id,
            });
        }
        let seen = load_seen(&conn, path, run_id)?;
        let checkpointer = match config.checkpoint_every {
            Some(every) => Some(Checkpointer::start(path, every)?),
            None => None,
        };
        let (tx, rx) = mpsc::channel(config.channel_capacity.max(1));
        let handle = WriterHandle {
            tx,
            path: Arc::new(path.to_path_buf()),
            failure: Arc::new(Mutex::new(None)),
        };
        let (done_tx, done) = oneshot::channel();
        let thread_path = path.to_path_buf();
        let failure = handle.failure.clone();
        let limits = BatchLimits {
            items: config.max_batch_items.max(1),
            entries: config.max_batch_entries.max(1),
            linger: config.linger,
        };
        let join = std::thread::Builder::new()
            .name("gongkai-store-writer".into())
            .spawn(move || {
                let result = writer_loop(&conn, &thread_path, run_id, seen, rx, limits, &failure);
                // Stopped before the writer's last checkpoint, which then copies the rest.
                if let Some(c) = checkpointer {
                    c.stop();
                }
                if result.is_ok() {
                    final_checkpoint(&conn);
                }
                if let Err(e) = &result {
                    tracing::error!(error = %e, "store writer stopped");
                }
                let _ = done_tx.send(result);
            })
            .map_err(|e| StoreError::Writer {
                path: path.to_path_buf(),
                message: format!("cannot start writer thread: {e}"),
            })?;
        Ok((
            StoreWriter {
                handle: handle.clone(),
                join,
                done,
            },
            handle,
        ))
    }

    /// Another sending handle.
    pub fn handle(&self) -> WriterHandle {
        self.handle.clone()
    }

    /// Blocking enqueue (same as `handle().blocking_enqueue`); for plain threads, not for async
    /// runtime threads.
    pub fn enqueue(&self, entries: Vec<FrontierEntry>) -> Result<(), StoreError> {
        self.handle.blocking_enqueue(entries)
    }

    /// Blocking record with no discovered entries (same as `handle().blocking_record`); for
    /// plain threads, not for async runtime threads.
    pub fn record(&self, record: FetchRecord) -> Result<(), StoreError> {
        self.handle.blocking_record(record, Vec::new())
    }

    /// Blocking flush; for plain threads, not for async runtime threads.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.handle.blocking_flush()
    }

    /// Commits everything sent so far, stops the thread and returns its counters (or the error
    /// that stopped it). Blocks: call it from a plain thread or `spawn_blocking`, or use
    /// [`StoreWriter::finish_async`].
    pub fn finish(self) -> Result<WriterStats, StoreError> {
        // A send error means the thread already stopped; its result tells why.
        let _ = self.handle.tx.blocking_send(StoreCommand::Shutdown);
        self.collect(|done| done.blocking_recv().ok())
    }

    /// [`StoreWriter::finish`] for async callers.
    pub async fn finish_async(self) -> Result<WriterStats, StoreError> {
        let _ = self.handle.tx.send(StoreCommand::Shutdown).await;
        let StoreWriter { handle, join, done } = self;
        let result = done.await.ok();
        // The thread sends its result as its last act, so this join is immediate.
        Self::join_result(handle, join, result)
    }

    fn collect(
        self,
        wait: impl FnOnce(
            oneshot::Receiver<Result<WriterStats, StoreError>>,
        ) -> Option<Result<WriterStats, StoreError>>,
    ) -> Result<WriterStats, StoreError> {
        let StoreWriter { handle, join, done } = self;
        let result = wait(done);
        Self::join_result(handle, join, result)
    }

    fn join_result(
        handle: WriterHandle,
        join: JoinHandle<()>,
        result: Option<Result<WriterStats, StoreError>>,
    ) -> Result<WriterStats, StoreError> {
        let joined = join.join();
        match (result, joined) {
            (Some(r), _) => r,
            (None, Err(panic)) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "panic".to_owned());
                Err(StoreError::Writer {
                    path: handle.path.to_path_buf(),
                    message: format!("writer thread panicked: {message}"),
                })
            }
            (None, Ok(())) => Err(handle.closed()),
        }
    }
}

/// When a batch closes (see [`WriterConfig`]).
#[derive(Debug, Clone, Copy)]
struct BatchLimits {
    items: usize,
    entries: usize,
    linger: std::time::Duration,
}

/// Polls between commands while a batch lingers, and how many empty polls in a row end it.
const LINGER_POLL: std::time::Duration = std::time::Duration::from_millis(1);
const LINGER_IDLE_POLLS: u32 = 2;

/// The commands of one transaction: `first`, then whatever arrives until a bound is reached,
/// the sender goes quiet, the linger time is up, or a flush / shutdown asks for a commit now.
fn collect_batch(
    first: StoreCommand,
    rx: &mut mpsc::Receiver<StoreCommand>,
    limits: BatchLimits,
) -> Vec<StoreCommand> {
    let started = std::time::Instant::now();
    let mut entries = first.entries();
    let mut urgent = matches!(first, StoreCommand::Flush(_) | StoreCommand::Shutdown);
    let mut batch = vec![first];
    let mut idle = 0;
    while batch.len() < limits.items && entries < limits.entries {
        match rx.try_recv() {
            Ok(cmd) => {
                idle = 0;
                entries += cmd.entries();
                urgent |= matches!(cmd, StoreCommand::Flush(_) | StoreCommand::Shutdown);
                batch.push(cmd);
            }
            Err(mpsc::error::TryRecvError::Empty)
                if !urgent && idle < LINGER_IDLE_POLLS && started.elapsed() < limits.linger =>
            {
                idle += 1;
                std::thread::sleep(LINGER_POLL);
            }
            Err(_) => break,
        }
    }
    batch
}

fn writer_loop(
    conn: &Connection,
    path: &Path,
    run_id: i64,
    mut seen: SeenKeys,
    mut rx: mpsc::Receiver<StoreCommand>,
    limits: BatchLimits,
    failure: &Mutex<Option<String>>,
) -> Result<WriterStats, StoreError> {
    let mut stats = WriterStats::default();
    let mut defs = write::LinkDefs::new();
    while let Some(first) = rx.blocking_recv() {
        let mut batch = collect_batch(first, &mut rx, limits);
        let result = apply_batch(conn, path, run_id, &mut batch, &mut seen, &mut defs);
        let message = result.as_ref().err().map(|e| e.to_string());
        if let Some(m) = &message {
            // Stop accepting before anyone hears of the failure, so later sends fail too.
            if let Ok(mut f) = failure.lock() {
                *f = Some(m.clone());
            }
            rx.close();
        }
        for cmd in batch {
            match cmd {
                StoreCommand::Flush(ack) => {
                    let _ = ack.send(match &message {
                        None => Ok(()),
                        Some(m) => Err(m.clone()),
                    });
                }
                // Buffered commands are still received (and committed) after close.
                StoreCommand::Shutdown => rx.close(),
                StoreCommand::Enqueue(_) | StoreCommand::Record { .. } | StoreCommand::Cut(_) => {}
            }
        }
        match result {
            Ok(batch_stats) => stats.add(&batch_stats),
            Err(e) => {
                let message = message.unwrap_or_default();
                while let Ok(cmd) = rx.try_recv() {
                    if let StoreCommand::Flush(ack) = cmd {
                        let _ = ack.send(Err(message.clone()));
                    }
                }
                return Err(e);
            }
        }
    }
    Ok(stats)
}

/// The larger autocheckpoint leaves more in the WAL: copy it when the writer is done, while
/// nothing reads, so the rules that follow do not look every page up in a long WAL. Best effort
/// (a reader may hold part of it; SQLite checkpoints again later).
fn final_checkpoint(conn: &Connection) {
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::debug!(error = %e, "writer: final checkpoint");
    }
}

/// Request keys already in the run's frontier (resume).
fn load_seen(conn: &Connection, path: &Path, run_id: i64) -> Result<SeenKeys, StoreError> {
    let op = "writer: load frontier keys";
    let mut stmt = conn
        .prepare("SELECT request_key FROM frontier WHERE run_id = ?1")
        .map_err(crate::error::sql(path, op))?;
    let mut seen = SeenKeys::default();
    let mut rows = stmt.query([run_id]).map_err(crate::error::sql(path, op))?;
    while let Some(row) = rows.next().map_err(crate::error::sql(path, op))? {
        let key = row
            .get_ref(0)
            .and_then(|v| v.as_str().map_err(Into::into))
            .map_err(crate::error::sql(path, op))?;
        seen.insert(key);
    }
    Ok(seen)
}

/// Applies the data commands of a batch in one transaction.
fn apply_batch(
    conn: &Connection,
    path: &Path,
    run_id: i64,
    batch: &mut [StoreCommand],
    seen: &mut SeenKeys,
    defs: &mut write::LinkDefs,
) -> Result<WriterStats, StoreError> {
    let mut stats = WriterStats::default();
    let has_data = batch.iter().any(|c| {
        matches!(
            c,
            StoreCommand::Enqueue(_) | StoreCommand::Record { .. } | StoreCommand::Cut(_)
        )
    });
    if !has_data {
        return Ok(stats);
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
        .map_err(crate::error::sql(path, "writer: begin"))?;
    for cmd in batch.iter_mut() {
        match cmd {
            StoreCommand::Enqueue(entries) => {
                write::enqueue(&tx, path, run_id, entries, &mut stats, Some(seen))?;
            }
            StoreCommand::Record {
                record,
                follow,
                prepared,
            } => {
                write::enqueue(&tx, path, run_id, follow, &mut stats, Some(seen))?;
                let prepared = prepared.take().map(|p| *p);
                let caches = write::Caches {
                    seen: Some(seen),
                    defs,
                };
                write::record(&tx, path, run_id, record, prepared, &mut stats, caches)?;
            }
            StoreCommand::Cut(cut) => write::cut(&tx, path, run_id, cut)?,
            StoreCommand::Flush(_) | StoreCommand::Shutdown => {}
        }
    }
    tx.commit()
        .map_err(crate::error::sql(path, "writer: commit"))?;
    stats.transactions = 1;
    Ok(stats)
}
