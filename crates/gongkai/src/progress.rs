//! Progress display: an indicatif bar on a terminal, periodic log lines otherwise.

use gongkai_crawl::CrawlStats;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Spawns the reporter; it stops when `done` is cancelled.
pub fn spawn(
    stats: Arc<CrawlStats>,
    done: CancellationToken,
    quiet: bool,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let started = Instant::now();
        let terminal = std::io::stderr().is_terminal() && !quiet;
        let bar = terminal.then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b
        });
        let period = if terminal {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(10)
        };
        loop {
            tokio::select! {
                _ = done.cancelled() => break,
                _ = tokio::time::sleep(period) => {}
            }
            let (pages, checks, errors, bytes, queued) = stats.snapshot();
            let secs = started.elapsed().as_secs_f64().max(0.001);
            let rate = (pages + checks) as f64 / secs;
            let msg = format!(
                "pages {pages}, checks {checks}, queued {queued}, broken {errors}, {:.1} MiB, {rate:.1} req/s",
                bytes as f64 / 1048576.0
            );
            match &bar {
                Some(b) => b.set_message(msg),
                None if !quiet => tracing::info!("{msg}"),
                None => {}
            }
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
    })
}
