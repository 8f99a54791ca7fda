//! Per-host politeness state: an even-spacing rate limiter (governor, burst 1), a concurrency
//! cap, a back-off deadline set by Retry-After, and the host's robots.txt.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use crate::frontier::FrontierEntry;

/// What is known of a host's robots.txt.
pub enum RobotsState {
    /// Not fetched yet.
    Unknown,
    /// A fetch is in flight.
    Fetching,
    /// Rules to apply (None = everything allowed: 4xx or empty robots.txt).
    Ready(Option<texting_robots::Robot>),
    /// robots.txt answered 5xx (or 429): RFC 9309 says assume complete disallow.
    DisallowAll,
}

/// A queued request with the earliest time it may be sent (retries wait).
pub struct Queued {
    pub entry: FrontierEntry,
    pub attempt: u32,
    pub not_before: Option<Instant>,
}

pub struct Host {
    /// "scheme://host:port"
    pub origin: String,
    pub limiter: Option<Arc<DefaultDirectRateLimiter>>,
    pub inflight: usize,
    pub blocked_until: Option<Instant>,
    pub queue: VecDeque<Queued>,
    pub robots: RobotsState,
    /// True once the soft-404 probe was queued.
    pub probed: bool,
}

impl Host {
    pub fn new(origin: String, rate: Option<f64>) -> Self {
        Host {
            origin,
            limiter: rate.and_then(limiter_for),
            inflight: 0,
            blocked_until: None,
            queue: VecDeque::new(),
            robots: RobotsState::Unknown,
            probed: false,
        }
    }

    /// Slows the host down to robots.txt's Crawl-delay when that is slower than the rate.
    pub fn apply_crawl_delay(&mut self, delay_secs: f32, rate: Option<f64>) {
        if !(delay_secs.is_finite() && delay_secs > 0.0) {
            return;
        }
        // A crawl-delay beyond a minute would stall a nightly scan; cap it.
        let delay = f64::from(delay_secs).min(60.0);
        let current_period = rate.map(|r| 1.0 / r).unwrap_or(0.0);
        if delay > current_period {
            self.limiter = limiter_for(1.0 / delay);
        }
    }

    /// Takes one request slot now, or tells how long to wait.
    pub fn try_acquire(&self) -> Result<(), Duration> {
        match &self.limiter {
            None => Ok(()),
            Some(l) => l
                .check()
                .map_err(|nu| nu.wait_time_from(DefaultClock::default().now())),
        }
    }
}

fn limiter_for(rate: f64) -> Option<Arc<DefaultDirectRateLimiter>> {
    if !(rate.is_finite() && rate > 0.0) {
        return None;
    }
    // Burst 1: requests are spaced evenly at 1/rate, so any one-second window sees at most `rate`.
    let quota = Quota::with_period(Duration::from_secs_f64(1.0 / rate))?;
    Some(Arc::new(RateLimiter::direct(quota)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_spaces_requests_evenly() {
        let h = Host::new("http://a:80".into(), Some(2.0));
        assert!(h.try_acquire().is_ok());
        let wait = h.try_acquire().unwrap_err();
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500));
    }

    #[test]
    fn crawl_delay_only_slows_down() {
        let mut h = Host::new("http://a:80".into(), Some(2.0));
        h.apply_crawl_delay(0.1, Some(2.0));
        assert!(h.try_acquire().is_ok());
        assert!(h.try_acquire().unwrap_err() <= Duration::from_millis(500));
        let mut h = Host::new("http://a:80".into(), Some(2.0));
        h.apply_crawl_delay(3.0, Some(2.0));
        assert!(h.try_acquire().is_ok());
        assert!(h.try_acquire().unwrap_err() > Duration::from_secs(2));
    }
}
