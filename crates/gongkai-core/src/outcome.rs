//! What happened to one fetch, as data. Every fetch ends in exactly one [`FetchOutcome`].

use serde::{Deserialize, Serialize};

/// The classified result of fetching one URL (after redirects and retries).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum FetchOutcome {
    /// 2xx (or 304 answered from the stored body) without redirects.
    Ok,
    /// 2xx reached through one or more redirects; the chain is in [`FetchRecord::redirects`].
    Redirected,
    /// 404 or 410.
    NotFound,
    /// Another 4xx, except the "blocked" ones.
    ClientError,
    /// 5xx after retries.
    ServerError,
    /// 401 / 403 / 407 / 412 / 429 / 451 or an anti-bot challenge page: the target could not be
    /// verified, which is not the same as broken.
    Blocked,
    /// No answer within the timeout.
    Timeout,
    /// The host name did not resolve.
    Dns,
    /// The TCP connection failed (refused, unreachable).
    Connect,
    /// The TLS handshake or certificate failed.
    Tls,
    /// A redirect chain came back to a URL it had visited.
    RedirectLoop,
    /// More than the redirect limit, or a redirect to a non-http(s) scheme.
    TooManyRedirects,
    /// Body larger than the cap (raw or decompressed).
    TooLarge,
    /// robots.txt disallows the URL for our user agent.
    RobotsDisallowed,
    /// Not fetched: outside the crawl scope and not a link target to check, or over a limit.
    Skipped,
    /// Transport failure not covered above (reset mid-body, protocol error).
    NetworkError,
}

impl FetchOutcome {
    /// The stable code stored in SQLite and shown in reports.
    pub fn code(self) -> &'static str {
        match self {
            FetchOutcome::Ok => "ok",
            FetchOutcome::Redirected => "redirected",
            FetchOutcome::NotFound => "not-found",
            FetchOutcome::ClientError => "client-error",
            FetchOutcome::ServerError => "server-error",
            FetchOutcome::Blocked => "blocked",
            FetchOutcome::Timeout => "timeout",
            FetchOutcome::Dns => "dns",
            FetchOutcome::Connect => "connect",
            FetchOutcome::Tls => "tls",
            FetchOutcome::RedirectLoop => "redirect-loop",
            FetchOutcome::TooManyRedirects => "too-many-redirects",
            FetchOutcome::TooLarge => "too-large",
            FetchOutcome::RobotsDisallowed => "robots-disallowed",
            FetchOutcome::Skipped => "skipped",
            FetchOutcome::NetworkError => "network-error",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|o| o.code() == code)
    }

    /// Every outcome, in declaration order.
    pub const ALL: [FetchOutcome; 16] = [
        FetchOutcome::Ok,
        FetchOutcome::Redirected,
        FetchOutcome::NotFound,
        FetchOutcome::ClientError,
        FetchOutcome::ServerError,
        FetchOutcome::Blocked,
        FetchOutcome::Timeout,
        FetchOutcome::Dns,
        FetchOutcome::Connect,
        FetchOutcome::Tls,
        FetchOutcome::RedirectLoop,
        FetchOutcome::TooManyRedirects,
        FetchOutcome::TooLarge,
        FetchOutcome::RobotsDisallowed,
        FetchOutcome::Skipped,
        FetchOutcome::NetworkError,
    ];

    /// True when the target is known to be broken (a link to it is a `link.broken` finding).
    pub fn is_broken(self) -> bool {
        matches!(
            self,
            FetchOutcome::NotFound
                | FetchOutcome::ClientError
                | FetchOutcome::ServerError
                | FetchOutcome::Timeout
                | FetchOutcome::Dns
                | FetchOutcome::Connect
                | FetchOutcome::Tls
                | FetchOutcome::RedirectLoop
                | FetchOutcome::TooManyRedirects
                | FetchOutcome::NetworkError
        )
    }
}

/// One hop of a redirect chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RedirectHop {
    /// The URL that answered with the redirect.
    pub url: String,
    /// Its HTTP status (301, 302, 303, 307, 308).
    pub status: u16,
    /// The `Location` header as sent.
    pub location: String,
}

/// How a URL was requested.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    /// GET.
    Get,
    /// HEAD (attachment checks, before a GET decides).
    Head,
    /// POST (Hanweb dataproxy lists).
    Post,
}

impl Method {
    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
        }
    }
}

/// Why a URL is being fetched.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum FetchPurpose {
    /// In scope: fetched fully and parsed for links.
    Crawl,
    /// Out of scope, or an attachment / image: only checked.
    Check,
    /// A random path that cannot exist, to learn the host's soft-404 answer.
    Soft404Probe,
}

/// The full record of one fetch, as the store persists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FetchRecord {
    /// Normalised URL that was requested (the frontier key).
    pub url: String,
    /// Method of the request as queued (when a check used another, `x-gongkai-method` says which).
    pub method: Method,
    /// Form body for POST requests (Hanweb dataproxy), urlencoded.
    pub request_body: Option<String>,
    /// Why the URL was fetched.
    pub purpose: FetchPurpose,
    /// Link depth from the start URLs.
    pub depth: u32,
    /// The classified result.
    pub outcome: FetchOutcome,
    /// Last HTTP status seen (None when no response arrived).
    pub status: Option<u16>,
    /// URL after redirects.
    pub final_url: String,
    /// The redirect chain, in order.
    pub redirects: Vec<RedirectHop>,
    /// Selected response headers (content-type, content-length, etag, last-modified, server,
    /// location, retry-after, date, cache-control, set-cookie presence ...), lower-case names.
    pub headers: Vec<(String, String)>,
    /// `Content-Type` of the final answer.
    pub content_type: Option<String>,
    /// Charset the body was decoded with (pages only).
    pub charset: Option<String>,
    /// `ETag` of the final answer (or the reused one on 304).
    pub etag: Option<String>,
    /// `Last-Modified` of the final answer (or the reused one on 304).
    pub last_modified: Option<String>,
    /// RFC 3339 UTC.
    pub fetched_at: String,
    /// Time from first request to last byte, all hops and attempts.
    pub elapsed_ms: u64,
    /// Raw bytes received (possibly truncated for checks; None for HEAD or failures).
    pub body: Option<Vec<u8>>,
    /// True when the body was cut at the cap (checks read only the first bytes).
    pub body_truncated: bool,
    /// True when the server answered 304 and the stored body was reused.
    pub not_modified: bool,
    /// Human-readable detail of a failure (English, for logs and evidence).
    pub error: Option<String>,
    /// Extracted model for crawled HTML pages.
    pub model: Option<crate::model::PageModel>,
    /// Attempts made (1 + retries).
    pub attempts: u32,
}

impl FetchOutcome {
    /// The server answered with content (directly or after redirects).
    pub fn is_ok_like(self) -> bool {
        matches!(self, FetchOutcome::Ok | FetchOutcome::Redirected)
    }
}
