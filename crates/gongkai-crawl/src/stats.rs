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
