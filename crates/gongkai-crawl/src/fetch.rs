//! One HTTP exchange at a time: redirects followed by hand (so the chain is recorded and loops
//! are caught), bodies read up to a cap, transport failures classified.

use crate::config::CrawlConfig;
use crate::outcome::{FetchOutcome, Method, RedirectHop};
use std::time::Duration;
use url::Url;

/// A response as far as it was read.
#[derive(Debug)]
pub struct Exchange {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub truncated: bool,
}

/// A failure before or while reading a response.
#[derive(Debug, Clone)]
pub struct NetFailure {
    pub outcome: FetchOutcome,
    pub detail: String,
    /// Worth retrying (timeouts, resets).
    pub transient: bool,
}

/// Bytes read from a response whose Content-Type is not text.
pub const BINARY_CAP: usize = 64 * 1024;

/// Text, HTML, XML or JSON: worth reading (and storing) in full up to the cap.
pub fn is_textual(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("text/") || ct.contains("html") || ct.contains("xml") || ct.contains("json")
}

/// Response headers worth keeping as evidence.
const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "location",
    "retry-after",
    "server",
    "date",
    "cache-control",
    "x-powered-by",
];

pub fn build_client(cfg: &CrawlConfig) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(cfg.user_agent.clone())
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(cfg.connect_timeout)
        .timeout(cfg.timeout)
        .pool_max_idle_per_host(cfg.per_host_concurrency.max(1))
        .gzip(true)
        .brotli(true)
        .deflate(true)
        .build()
}

/// Conditional-request validators from an earlier scan.
#[derive(Debug, Clone, Default)]
pub struct Conditional {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Sends one request and reads at most `cap` body bytes (decompressed). Redirect bodies are not read.
pub async fn exchange(
    client: &reqwest::Client,
    method: Method,
    url: &Url,
    form: Option<&str>,
    cond: Option<&Conditional>,
    cap: usize,
) -> Result<Exchange, NetFailure> {
    exchange_with(client, method, url, form, cond, cap, false).await
}

/// [`exchange`], or with `full` an attachment read whole: binary bodies are not cut at
/// [`BINARY_CAP`], and a body whose Content-Length exceeds `cap` is not read at all (marked
/// truncated), so an oversized file costs one request and no transfer.
pub async fn exchange_with(
    client: &reqwest::Client,
    method: Method,
    url: &Url,
    form: Option<&str>,
    cond: Option<&Conditional>,
    cap: usize,
    full: bool,
) -> Result<Exchange, NetFailure> {
    let m = match method {
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Post => reqwest::Method::POST,
    };
    let mut req = client
        .request(m, url.clone())
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .header("Accept-Language", "zh-CN,zh;q=0.9");
    if let Some(body) = form {
        req = req
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.to_string());
    }
    if let Some(c) = cond {
        if let Some(etag) = &c.etag {
            req = req.header("If-None-Match", etag);
        }
        if let Some(lm) = &c.last_modified {
            req = req.header("If-Modified-Since", lm);
        }
    }
    let mut resp = req.send().await.map_err(classify_error)?;
    let status = resp.status().as_u16();
    let headers = kept_headers(resp.headers());
    let mut body = Vec::new();
    let mut truncated = false;
    let is_redirect = (300..400).contains(&status) && status != 304;
    // An attachment served where a page was expected (download.jsp?id=...): its first bytes say
    // all a link check needs, and the crawler never parses it.
    let cap = match header(&headers, "content-type") {
        Some(ct) if !is_textual(ct) && !full => cap.min(BINARY_CAP),
        _ => cap,
    };
    if method != Method::Head && !is_redirect {
        if let Some(len) = resp.content_length() {
            if len as usize > cap {
                truncated = true;
            }
        }
        while !(full && truncated) {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let room = cap.saturating_sub(body.len());
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(classify_error(e)),
            }
        }
    }
    Ok(Exchange {
        status,
        headers,
        body,
        truncated,
    })
}

fn kept_headers(map: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in KEPT_HEADERS {
        if let Some(v) = map.get(*name) {
            let v = String::from_utf8_lossy(v.as_bytes());
            out.push((name.to_string(), v.chars().take(512).collect()));
        }
    }
    if map.contains_key("set-cookie") {
        out.push(("set-cookie".to_string(), "(present)".to_string()));
    }
    out
}

/// Maps a reqwest error to an outcome by walking its source chain.
pub fn classify_error(e: reqwest::Error) -> NetFailure {
    let mut chain = e.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = src {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        src = s.source();
    }
    let lower = chain.to_lowercase();
    let (outcome, transient) = if e.is_timeout() || lower.contains("timed out") {
        (FetchOutcome::Timeout, true)
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
        || lower.contains("no address associated")
    {
        (FetchOutcome::Dns, false)
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("ssl")
    {
        (FetchOutcome::Tls, false)
    } else if e.is_connect() || lower.contains("connection refused") {
        (FetchOutcome::Connect, false)
    } else if e.is_decode() && lower.contains("size") {
        (FetchOutcome::TooLarge, false)
    } else {
        // resets mid-body, protocol errors, broken chunked encoding
        (FetchOutcome::NetworkError, true)
    };
    NetFailure {
        outcome,
        detail: chain.chars().take(500).collect(),
        transient,
    }
}

/// Reads `Retry-After` (seconds or HTTP date).
pub fn retry_after(headers: &[(String, String)]) -> Option<Duration> {
    let v = header(headers, "retry-after")?.trim().to_string();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(&v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Resolves a Location header against the current URL; None for non-http(s) targets.
pub fn redirect_target(current: &Url, location: &str) -> Option<Url> {
    let mut next = current.join(location.trim()).ok()?;
    if next.scheme() != "http" && next.scheme() != "https" {
        return None;
    }
    next.set_fragment(None);
    Some(next)
}

/// Status → outcome for a final (non-redirect) answer.
pub fn classify_status(status: u16, redirected: bool) -> FetchOutcome {
    match status {
        200..=299 | 304 if redirected => FetchOutcome::Redirected,
        200..=299 | 304 => FetchOutcome::Ok,
        401 | 403 | 407 | 412 | 429 | 451 => FetchOutcome::Blocked,
        404 | 410 => FetchOutcome::NotFound,
        400..=499 => FetchOutcome::ClientError,
        500..=599 => FetchOutcome::ServerError,
        // 1xx or odd codes: the server answered, but not with content
        _ => FetchOutcome::ClientError,
    }
}

/// A redirect hop record.
pub fn hop(url: &Url, status: u16, location: &str) -> RedirectHop {
    RedirectHop {
        url: url.to_string(),
        status,
        location: location.chars().take(2048).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_classify() {
        assert_eq!(classify_status(200, false), FetchOutcome::Ok);
        assert_eq!(classify_status(200, true), FetchOutcome::Redirected);
        assert_eq!(classify_status(404, false), FetchOutcome::NotFound);
        assert_eq!(classify_status(410, false), FetchOutcome::NotFound);
        assert_eq!(classify_status(400, false), FetchOutcome::ClientError);
        for s in [401, 403, 407, 412, 429, 451] {
            assert_eq!(classify_status(s, false), FetchOutcome::Blocked, "{s}");
        }
        assert_eq!(classify_status(503, false), FetchOutcome::ServerError);
    }

    #[test]
    fn retry_after_forms() {
        let h = vec![("retry-after".to_string(), "3".to_string())];
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        let h = vec![(
            "retry-after".to_string(),
            "Wed, 21 Oct 2015 07:28:00 GMT".to_string(),
        )];
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }

    #[test]
    fn redirects_to_other_schemes_are_refused() {
        let base = Url::parse("http://a.gov.cn/x/").unwrap();
        assert!(redirect_target(&base, "ftp://a.gov.cn/f").is_none());
        assert!(redirect_target(&base, "javascript:alert(1)").is_none());
        assert_eq!(
            redirect_target(&base, "../y#frag").unwrap().as_str(),
            "http://a.gov.cn/y"
        );
    }
}
