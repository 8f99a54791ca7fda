//! `gongkai`: checks a Chinese government portal against the 政务公开 work points.
//!
//! A thin binary over the library crates: argument parsing, wiring and exit codes
//! (0 completed, 1 findings at `--fail-on` severity, 2 operational error).

mod attachments;
mod cli;
mod cmd;
mod config;
mod health;
mod progress;
mod store_bridge;

use clap::Parser;
use std::process::ExitCode;

/// jemalloc instead of glibc's malloc: glibc keeps a heap per worker thread and rarely hands
/// freed memory back, so the crawl's buffers stayed resident while the rules ran (issue 11);
/// jemalloc's background threads return unused pages to the system within seconds.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The allocator's figures in MB (allocated by the program, resident), for debug logs of where
/// memory goes; None when the allocator cannot tell.
pub(crate) fn heap_mb() -> Option<(f64, f64)> {
    #[cfg(not(target_env = "msvc"))]
    {
        use tikv_jemalloc_ctl::{epoch, stats};
        epoch::advance().ok()?;
        let mb = |b: usize| b as f64 / 1e6;
        Some((
            mb(stats::allocated::read().ok()?),
            mb(stats::resident::read().ok()?),
        ))
    }
    #[cfg(target_env = "msvc")]
    None
}

/// The peak of [`heap_mb`] over a step, sampled every 20 ms by a thread that runs only when
/// debug logging is on (`RUST_LOG=gongkai=debug`): where the memory of a step goes.
pub(crate) struct HeapPeak {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    sampler: Option<std::thread::JoinHandle<(f64, f64)>>,
}

impl HeapPeak {
    pub(crate) fn start() -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampler = tracing::enabled!(tracing::Level::DEBUG).then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut peak = (0.0f64, 0.0f64);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Some((a, r)) = heap_mb() {
                        peak = (peak.0.max(a), peak.1.max(r));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                peak
            })
        });
        HeapPeak { stop, sampler }
    }

    /// (allocated, resident) peaks in MB; None when not sampled.
    pub(crate) fn finish(self) -> Option<(f64, f64)> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.sampler?.join().ok()
    }
}

fn main() -> ExitCode {
    #[cfg(not(target_env = "msvc"))]
    if let Err(e) = tikv_jemalloc_ctl::background_thread::write(true) {
        tracing::debug!("jemalloc background threads: {e}");
    }
    let args = cli::Cli::parse();
    init_tracing(args.verbose);
    match cmd::run(args) {
        Ok(code) => code,
        // `gongkai findings | head -1`: the reader has all it wanted; end quietly.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the error and its causes.
            let mut msg = format!("{e}");
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(": ");
                    msg.push_str(&c);
                }
            }
            eprintln!("gongkai: error: {}", msg.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

/// True when the error comes from writing to a closed pipe (directly, or inside a JSON / CSV /
/// report writer's error).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
            || cause
                .downcast_ref::<gongkai_report::ReportError>()
                .is_some_and(|r| r.io_error_kind() == Some(BrokenPipe))
    })
}

fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn,gongkai=info",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Colour only on a terminal: a nightly run's log (cron mail, the systemd journal, a file)
    // gets plain text, not escape codes.
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::is_broken_pipe;
    use std::io::{Error, ErrorKind};

    #[test]
    fn broken_pipes_are_recognised_through_wrappers() {
        let pipe = || Error::new(ErrorKind::BrokenPipe, "Broken pipe");
        assert!(is_broken_pipe(&anyhow::Error::new(pipe())));
        let report = gongkai_report::ReportError::Json(serde_json::Error::io(pipe()));
        assert!(is_broken_pipe(
            &anyhow::Error::new(report).context("writing")
        ));
        let report = gongkai_report::ReportError::Io(pipe());
        assert!(is_broken_pipe(&anyhow::Error::new(report)));
        let other = Error::new(ErrorKind::PermissionDenied, "denied");
        assert!(!is_broken_pipe(&anyhow::Error::new(other)));
    }
}
