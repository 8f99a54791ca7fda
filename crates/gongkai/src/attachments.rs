//! Reading attachments after the crawl (and in its pause before the rechecks, `cmd::scan`):
//! every attachment body the crawl stored in full and whose text is not yet extracted (by this
//! extractor version) is read by `gongkai-extract` on a small pool of threads (one per core, at most four), off the async runtime, each file bounded
//! in time; results are stored by body sha256, so a rescan that got 304s extracts nothing again.

use anyhow::{Context, Result};
use gongkai_extract::{Limits, Status, EXTRACTOR_VERSION};
use gongkai_rules::TextChunk;
use gongkai_store::{AttachmentText, Store};
use std::collections::HashMap;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Results stored in one transaction (and whenever a file is slow): fewer commits, and a crash
/// loses at most this many results (read again by the next run).
const STORE_BATCH: usize = 128;

/// Longest time one file may take; a parser still busy after it is abandoned (its thread ends
/// on its own, bounded by the extraction limits) and the file counted as `timeout`.
const PER_FILE: Duration = Duration::from_secs(60);

fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
}

fn stored(sha: String, e: gongkai_extract::Extracted) -> AttachmentText {
    let reason = match e.status {
        Status::Read => None,
        Status::Unreadable(r) => Some(r.code().to_string()),
    };
    AttachmentText {
        body_sha256: sha,
        extractor_version: EXTRACTOR_VERSION,
        format: e.format.code().to_string(),
        reason,
        detail: e.detail,
        cut: e.cut,
        chunks: e
            .chunks
            .into_iter()
            .map(|c| TextChunk {
                loc: c.loc,
                text: c.text,
            })
            .collect(),
    }
}

fn timed_out(sha: String) -> AttachmentText {
    AttachmentText {
        body_sha256: sha,
        extractor_version: EXTRACTOR_VERSION,
        format: "unknown".into(),
        reason: Some("timeout".into()),
        detail: Some(format!("extraction took longer than {PER_FILE:?}")),
        cut: false,
        chunks: Vec::new(),
    }
}

/// Parsers that panic on hostile files are caught (`catch_unwind` in gongkai-extract); their
/// panic messages are logged at debug level instead of printed.
fn quiet_parser_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some("gongkai-extract") {
                tracing::debug!("attachment parser panicked (caught): {info}");
            } else {
                prev(info);
            }
        }));
    });
}

/// One file for the pool.
struct Job {
    sha: String,
    body: Vec<u8>,
    url: String,
    content_type: Option<String>,
}

type Done = (String, gongkai_extract::Extracted);

/// Starts one reader of the pool: it takes files until the job channel closes. A thread per
/// file cost more than reading most files (a run has thousands of small ones).
fn spawn_worker(
    jobs: &Arc<Mutex<mpsc::Receiver<Job>>>,
    done: &mpsc::Sender<Done>,
    limits: &Limits,
) -> Result<()> {
    let (jobs, done, limits) = (Arc::clone(jobs), done.clone(), limits.clone());
    std::thread::Builder::new()
        .name("gongkai-extract".into())
        .spawn(move || loop {
            let job = match jobs.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => return,
            };
            let Ok(job) = job else { return };
            let e =
                gongkai_extract::extract(&job.body, &job.url, job.content_type.as_deref(), &limits);
            if done.send((job.sha, e)).is_err() {
                return;
            }
        })
        .context("starting an extraction thread")?;
    Ok(())
}

/// [`extract_pending`] on a connection of its own to the database at `db`: for a thread that
/// reads beside the one holding the scan's store.
pub fn read_pending(db: &std::path::Path, run_id: i64) -> Result<usize> {
    let store =
        Store::open(db).with_context(|| format!("cannot open database {}", db.display()))?;
    extract_pending(&store, run_id)
}

/// Extracts the text of the run's attachments that have none yet; returns how many were read.
pub fn extract_pending(store: &Store, run_id: i64) -> Result<usize> {
    let pending = store
        .attachments_to_extract(run_id, EXTRACTOR_VERSION)
        .context("listing attachments to read")?;
    if pending.is_empty() {
        return Ok(0);
    }
    tracing::debug!(attachments = pending.len(), "reading attachments");
    quiet_parser_panics();
    let limits = Limits {
        // The crawl's cap already bounded the download.
        max_input: usize::MAX,
        ..Limits::default()
    };
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    // As many files in flight as there are readers, so a file starts when it is sent and its
    // clock (below) is its reading time.
    let max = workers();
    for _ in 0..max {
        spawn_worker(&job_rx, &done_tx, &limits)?;
    }
    let mut in_flight: HashMap<String, Instant> = HashMap::new();
    let total = pending.len();
    let mut queue = pending.into_iter();
    let mut done = 0usize;
    let mut results: Vec<AttachmentText> = Vec::with_capacity(STORE_BATCH);
    loop {
        if results.len() >= STORE_BATCH {
            store.put_attachment_texts(&results)?;
            results.clear();
        }
        while in_flight.len() < max {
            let Some(p) = queue.next() else { break };
            let Some(body) = store.body(&p.body_sha256)? else {
                continue;
            };
            in_flight.insert(p.body_sha256.clone(), Instant::now());
            let job = Job {
                sha: p.body_sha256,
                body,
                url: p.url,
                content_type: p.content_type,
            };
            job_tx
                .send(job)
                .map_err(|_| anyhow::anyhow!("the attachment readers have stopped"))?;
        }
        if in_flight.is_empty() {
            break;
        }
        match done_rx.recv_timeout(Duration::from_secs(1)) {
            Ok((sha, e)) => {
                if in_flight.remove(&sha).is_some() {
                    results.push(stored(sha, e));
                    done += 1;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Slow files: what is read so far is kept while waiting.
                store.put_attachment_texts(&results)?;
                results.clear();
                let late: Vec<String> = in_flight
                    .iter()
                    .filter(|(_, t)| t.elapsed() > PER_FILE)
                    .map(|(s, _)| s.clone())
                    .collect();
                for sha in late {
                    in_flight.remove(&sha);
                    tracing::warn!(sha256 = %sha, "attachment extraction timed out");
                    results.push(timed_out(sha));
                    done += 1;
                    // Its reader is abandoned (it ends on its own, bounded by the extraction
                    // limits); another takes its place.
                    spawn_worker(&job_rx, &done_tx, &limits)?;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    store.put_attachment_texts(&results)?;
    tracing::debug!(done, total, "attachments read");
    Ok(done)
}

/// One line for the scan summary: attachments read and not read, by reason.
pub fn summary_line(store: &Store, run_id: i64) -> Result<Option<String>> {
    let counts = store.attachment_counts(run_id)?;
    if counts.is_empty() {
        return Ok(None);
    }
    let read: i64 = counts
        .iter()
        .filter(|(r, _)| r.is_none())
        .map(|(_, n)| n)
        .sum();
    let not: Vec<String> = counts
        .iter()
        .filter_map(|(r, n)| r.as_deref().map(|r| format!("{} {n}", reason_label(r))))
        .collect();
    let unread: i64 = counts
        .iter()
        .filter(|(r, _)| r.is_some())
        .map(|(_, n)| n)
        .sum();
    let mut line = format!("附件：已读取 {read} 个");
    if unread > 0 {
        line.push_str(&format!("，未能读取 {unread} 个（{}）", not.join("，")));
    }
    Ok(Some(line))
}

fn reason_label(code: &str) -> &'static str {
    gongkai_extract::Reason::from_code(code)
        .map(|r| r.label())
        .unwrap_or(match code {
            "timeout" => "读取超时",
            _ => "无法读取",
        })
}
