//! Shared state of the application: options, the rule pack, the sign-in limiter, and a helper
//! that runs store work off the async runtime (rusqlite is blocking and not `Sync`).

use crate::auth::SigninLimiter;
use gongkai_rules::{OwnerRule, RulePack, SiteTerms};
use gongkai_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// How the server was started.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub db: PathBuf,
    /// Mark cookies `Secure` always (set when served over TLS, directly or behind a proxy).
    /// Without it, cookies are still `Secure` when the request says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Take the client address from the last `X-Forwarded-For` entry (only behind a proxy that
    /// sets it: anyone can send that header).
    pub trust_proxy: bool,
    /// Owners and department aliases of the site configuration (as `gongkai check` uses them),
    /// so a recheck resolves departments as the scan did.
    pub owners: Vec<OwnerRule>,
    pub aliases: Vec<(String, String)>,
    /// The site configuration's `[text]` terms and allow list, for rechecks of wording errors.
    pub text: SiteTerms,
}

/// Cloned into every handler.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) opts: ServeOptions,
    pub(crate) pack: RulePack,
    pub(crate) limiter: SigninLimiter,
    /// One recheck at a time: each re-fetch is rate-limited on its own, so running them one
    /// after another keeps the portal's load at the scan's rate however many departments click.
    pub(crate) rechecks: tokio::sync::Semaphore,
    /// Rechecks per account: 10 a minute.
    pub(crate) recheck_limit: governor::DefaultKeyedRateLimiter<i64>,
}

impl AppState {
    pub fn new(opts: ServeOptions, pack: RulePack) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                opts,
                pack,
                limiter: SigninLimiter::new(),
                rechecks: tokio::sync::Semaphore::new(1),
                recheck_limit: governor::RateLimiter::keyed(governor::Quota::per_minute(
                    std::num::NonZeroU32::new(10).expect("non-zero"),
                )),
            }),
        }
    }

    pub(crate) fn opts(&self) -> &ServeOptions {
        &self.inner.opts
    }

    pub(crate) fn pack(&self) -> &RulePack {
        &self.inner.pack
    }

    /// Runs `f` with a fresh store connection on the blocking pool.
    pub(crate) async fn db<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&Store) -> anyhow::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let path = self.inner.opts.db.clone();
        tokio::task::spawn_blocking(move || {
            let store = Store::open(&path)?;
            f(&store)
        })
        .await?
    }
}
