//! Live counters for progress display.

use crate::outcome::{FetchPurpose, FetchRecord};
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct CrawlStats {
    pub pages: AtomicU64,
    pub checks: AtomicU64,
    pub errors: AtomicU64,
    pub bytes: AtomicU64,
    pub queued: AtomicU64,
    /// Time the crawl waited for the store to take its results (microseconds): a crawl
    /// faster than its writer (a slow disk) stops fetching for that long.
    pub store_wait_us: AtomicU64,
}

impl CrawlStats {
    pub fn record(&self, r: &FetchRecord) {
        match r.purpose {
            FetchPurpose::Crawl => self.pages.fetch_add(1, Ordering::Relaxed),
            _ => self.checks.fetch_add(1, Ordering::Relaxed),
        };
        if r.outcome.is_broken() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        if !r.not_modified {
            let n = r.body.as_ref().map_or(0, |b| b.len());
            self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    /// Adds a wait for the store.
    pub fn waited_for_store(&self, d: std::time::Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.store_wait_us.fetch_add(us, Ordering::Relaxed);
    }

    pub fn set_queued(&self, n: usize) {
        self.queued.store(n as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> (u64, u64, u64, u64, u64) {
        (
            self.pages.load(Ordering::Relaxed),
            self.checks.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
            self.queued.load(Ordering::Relaxed),
        )
    }
}
