//! Hostile servers: the slow, broken, misconfigured and guarded answers a nightly scan of a
//! government portal meets, on 127.0.0.1, for the crawler's robustness tests.
//!
//! A [`HostileServer`] is a small HTTP/1.1 server written directly on tokio's `TcpListener`, so it
//! can misbehave below HTTP: stall in the middle of the headers, trickle a body that never ends,
//! reset the connection mid-body, answer with something that is not HTTP. Every connection
//! answers one request and closes (`Connection: close`). Optionally it speaks TLS with a freshly
//! generated self-signed certificate ([`HostileOptions::tls`]), or is a host under a 429 storm
//! ([`HostileOptions::storm_retry_after`]). Every request is recorded ([`HostileServer::requests`]):
//! arrival time, method, target, all headers, the status answered and when the answer was
//! complete, so tests can assert politeness (rate, Retry-After) as well as outcomes.
//!
//! Each test starts its own servers (port 0) and points the crawler at one case's index page, so
//! a scan sees only that case. Behaviours that hold a connection open stop by themselves after
//! [`MAX_HOLD`] and when the server is dropped.
//!
//! # URL map
//! | path | answer |
//! |---|---|
//! | `/`, `/index.html` | the list of case index pages below |
//! | `/robots.txt` | 200 `Allow: /` (also on a storm host) |
//! | `/landing.html` | a page linking to `/landing-next.html` (the target of an off-site redirect) |
//! | `/peer/index.html` | links to the peer's `/` and `/t/ok.html` (e.g. a TLS peer) |
//! | **transport** `/t/index.html` | links to every `/t/…` case |
//! | `/t/ok.html` | an ordinary page (control) |
//! | `/t/slowloris` | the status line, then one header byte every [`SLOWLORIS_INTERVAL`]: the headers never finish |
//! | `/t/silent` | the request is read, nothing is ever answered |
//! | `/t/trickle` | 200, chunked, one tiny chunk every [`TRICKLE_INTERVAL`]: the body never ends |
//! | `/t/endless` | 200, chunked, 64 KiB chunks as fast as the client reads: the body never ends |
//! | `/t/reset` | `Content-Length: 200000`, half of it, then an RST (`SO_LINGER` 0) |
//! | `/t/eof` | `Content-Length: 200000`, half of it, then a clean close (FIN) |
//! | `/t/bomb` | 200 `Content-Encoding: gzip`, about 1 MiB on the wire, [`BOMB_BYTES`] decompressed |
//! | `/t/not-http` | an SSH banner instead of an HTTP answer, then close |
//! | `/t/header-flood` | 200 with [`FLOOD_HEADERS`] header lines |
//! | **redirects** `/r/index.html` | links to every `/r/…` case |
//! | `/r/ftp`, `/r/javascript`, `/r/file` | 302 to `ftp://…`, `javascript:…`, `file:///etc/passwd` |
//! | `/r/offsite` | 302 to the peer's `/landing.html` (an out-of-scope host; needs [`HostileOptions::peer`]) |
//! | `/r/loop-a` ⇄ `/r/loop-b` | 302 loop; `/r/self` redirects to itself |
//! | `/r/chain/{n}` | 302 to `/r/chain/{n+1}`, forever |
//! | `/r/no-location` | 302 without a `Location` header |
//! | **links** `/links/index.html` | [`MANY_LINKS`] links to `/links/p/{i}.html` |
//! | **traps** `/cal/index.html` | links to the two calendars |
//! | `/cal?date=YYYY-MM-DD` | a day with previous/next-day links, for ever (query-string calendar) |
//! | `/day/YYYY-MM-DD.html` | the same with dates in the path |
//! | `/sess/{index,list,detail,about}.jsp` | links to the four pages, each with a fresh `;jsessionid=…` on every render |
//! | `/sid/{index,list,detail,about}.do` | the same with a fresh `?sid=…` |
//! | **markup** `/bad/index.html` | links to every `/bad/…` page |
//! | `/bad/unclosed.html` | unclosed tags, an unterminated attribute and comment |
//! | `/bad/garbage.html` | 200 KB of binary garbage (NUL, 0xFF, stray `<`) inside the body |
//! | `/bad/deep.html` | [`DEEP_NESTING`] nested `<div>`s |
//! | `/bad/fonts.html` | 50,000 unclosed `<font>` tags |
//! | `/bad/attr.html` | an attribute value of [`HUGE_ATTR_BYTES`] |
//! | `/bad/many-attrs.html` | one tag with 50,000 attributes |
//! | `/bad/after-{case}.html` | each page above links to its own after-page: reaching it proves the page was parsed to the end |
//! | **charsets** `/cs/index.html` | links to every `/cs/…` page |
//! | `/cs/gbk-only.html` | labelled gb2312 (header and meta), GBK bytes: the title is [`GBK_ONLY_TITLE`] (镕 堃 喆 are not in GB2312) |
//! | `/cs/gbk-only-meta.html` | the same labelled by the meta tag only |
//! | `/cs/bad-utf8.html`, `/cs/bad-gbk.html` | bytes invalid in the declared charset, in the title and the body |
//! | **429 storm** `/fast/index.html` | links to `/fast/{i}.html` (1..=[`FAST_PAGES`]) and the peer's `/p/{i}.html` (1..=[`STORM_PEER_PAGES`]) |
//! | `/fast/attach.html` | links to the peer's `/files/report.pdf` and `/img/logo.png` (checked with HEAD first) |
//! | anything else | 404 |
//!
//! With [`HostileOptions::storm_retry_after`] every path but `/robots.txt` answers 429 with that
//! `Retry-After`.

mod pages;
mod wire;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

pub use pages::{GBK_ONLY_TITLE, MANY_LINKS};
pub use wire::{gzip_bomb, BOMB_BYTES, FLOOD_HEADERS, SLOWLORIS_INTERVAL, TRICKLE_INTERVAL};

/// Nesting depth of `/bad/deep.html`.
pub const DEEP_NESTING: usize = 10_000;
/// Size of the attribute value in `/bad/attr.html`.
pub const HUGE_ATTR_BYTES: usize = 5 * 1024 * 1024;
/// Pages under `/fast/` linked from `/fast/index.html`.
pub const FAST_PAGES: usize = 30;
/// Peer pages `/p/{i}.html` linked from `/fast/index.html` when a peer is set.
pub const STORM_PEER_PAGES: usize = 3;
/// Longest time any behaviour holds a connection open (slowloris, trickle, endless, silent).
pub const MAX_HOLD: Duration = Duration::from_secs(60);
/// How long the server waits for a request head before giving up on a connection.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head read.
const MAX_HEAD: usize = 64 * 1024;

/// How a [`HostileServer`] behaves as a whole.
#[derive(Debug, Clone, Default)]
pub struct HostileOptions {
    /// Origin of another server (e.g. `http://127.0.0.1:41234`, no trailing slash needed) that
    /// `/r/offsite` redirects to and `/fast/*.html` link to.
    pub peer: Option<String>,
    /// A host under a 429 storm: every path except `/robots.txt` answers 429 with
    /// `Retry-After: <this many seconds>`.
    pub storm_retry_after: Option<u64>,
    /// Speak TLS with a self-signed certificate for `localhost` and `127.0.0.1`.
    pub tls: bool,
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct HostileRequest {
    /// When the request head had been read (monotonic, for rate and back-off assertions).
    pub at: Instant,
    /// The same moment on the wall clock.
    pub time: SystemTime,
    pub method: String,
    /// The request target as sent: path and query, e.g. `/cal?date=2023-04-20`.
    pub path: String,
    /// Every request header, names lower-cased, in order (values cut at 1 KiB).
    pub headers: Vec<(String, String)>,
    /// Status sent in the answer's status line (None: none was sent, e.g. `/t/silent`).
    pub status: Option<u16>,
    /// When the answer was complete or the server gave up on the connection.
    pub done: Option<Instant>,
}

impl HostileRequest {
    /// The first value of a request header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
}

pub(crate) struct Shared {
    pub(crate) opts: HostileOptions,
    /// This server's origin, e.g. `http://127.0.0.1:41234`.
    pub(crate) origin: String,
    log: Mutex<Vec<HostileRequest>>,
    connections: AtomicUsize,
    tls_failures: AtomicUsize,
    /// Renders so far (seeds the session ids).
    pub(crate) renders: AtomicU64,
    pub(crate) stop: watch::Receiver<bool>,
}

impl Shared {
    pub(crate) fn peer(&self) -> Option<String> {
        self.opts
            .peer
            .as_deref()
            .map(|p| p.trim_end_matches('/').to_string())
    }

    fn push(&self, entry: HostileRequest) -> usize {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(entry);
        log.len() - 1
    }

    fn finish(&self, idx: usize, status: Option<u16>) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = log.get_mut(idx) {
            e.status = status;
            e.done = Some(Instant::now());
        }
    }
}

/// A running hostile server on 127.0.0.1. Dropping it stops the accept loop and every
/// connection it still holds.
pub struct HostileServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    cert_der: Option<Vec<u8>>,
    stop: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

impl HostileServer {
    /// Binds 127.0.0.1:0 and starts serving (call inside a tokio runtime).
    pub async fn start(opts: HostileOptions) -> std::io::Result<HostileServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (acceptor, cert_der) = if opts.tls {
            let (acceptor, der) = self_signed_acceptor().map_err(std::io::Error::other)?;
            (Some(acceptor), Some(der))
        } else {
            (None, None)
        };
        let scheme = if opts.tls { "https" } else { "http" };
        let (stop_tx, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            opts,
            origin: format!("{scheme}://{addr}"),
            log: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            tls_failures: AtomicUsize::new(0),
            renders: AtomicU64::new(0),
            stop: stop_rx,
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone(), acceptor));
        Ok(HostileServer {
            addr,
            shared,
            cert_der,
            stop: stop_tx,
            accept,
        })
    }

    /// The origin without a trailing slash, e.g. `http://127.0.0.1:41234`.
    pub fn origin(&self) -> String {
        self.shared.origin.clone()
    }

    /// A URL on this server for `path` (with or without its leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.shared.origin, path.trim_start_matches('/'))
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request read so far, in arrival order.
    pub fn requests(&self) -> Vec<HostileRequest> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Requests whose target starts with `prefix`.
    pub fn requests_to(&self, prefix: &str) -> Vec<HostileRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix))
            .collect()
    }

    /// TCP connections accepted so far (a TLS client that rejects the certificate connects but
    /// never sends a request).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// TLS handshakes that failed (the client refused the certificate, or spoke plain HTTP).
    pub fn tls_handshake_failures(&self) -> usize {
        self.shared.tls_failures.load(Ordering::Relaxed)
    }

    /// The DER of the self-signed certificate, for a client that chooses to trust it.
    pub fn cert_der(&self) -> Option<&[u8]> {
        self.cert_der.as_deref()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.accept.abort();
    }
}

fn self_signed_acceptor() -> Result<(TlsAcceptor, Vec<u8>), String> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .map_err(|e| format!("certificate: {e}"))?;
    let cert: CertificateDer<'static> = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .map_err(|e| format!("tls config: {e}"))?;
    Ok((TlsAcceptor::from(Arc::new(config)), cert.to_vec()))
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, acceptor: Option<TlsAcceptor>) {
    let mut stop = shared.stop.clone();
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            a = listener.accept() => a,
        };
        let Ok((tcp, _)) = accepted else {
            // EMFILE and friends: back off a little instead of spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        shared.connections.fetch_add(1, Ordering::Relaxed);
        let shared = shared.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let _ = tcp.set_nodelay(true);
            match acceptor {
                None => connection(shared, tcp).await,
                Some(acceptor) => {
                    match tokio::time::timeout(HEAD_TIMEOUT, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => connection(shared, tls).await,
                        _ => {
                            shared.tls_failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        });
    }
}

/// A connection the behaviours can write to and, for an abortive close, reach the socket of.
pub(crate) trait Wire: AsyncRead + AsyncWrite + Unpin + Send {
    fn tcp(&self) -> &TcpStream;
}

impl Wire for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Wire for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

/// A parsed request head.
pub(crate) struct Head {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
}

async fn connection<S: Wire>(shared: Arc<Shared>, mut io: S) {
    let Ok(Some((head, rest))) = tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut io))
        .await
        .map_err(|_| ())
        .and_then(|r| r.map_err(|_| ()))
    else {
        return;
    };
    // Drain a request body (bounded), so closing never resets a client still sending.
    let body_len = head
        .headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut left = body_len.saturating_sub(rest.len());
    let mut tmp = [0u8; 8192];
    while left > 0 {
        match tokio::time::timeout(HEAD_TIMEOUT, io.read(&mut tmp)).await {
            Ok(Ok(n)) if n > 0 => left = left.saturating_sub(n),
            _ => break,
        }
    }
    let idx = shared.push(HostileRequest {
        at: Instant::now(),
        time: SystemTime::now(),
        method: head.method.clone(),
        path: head.target.clone(),
        headers: head.headers.clone(),
        status: None,
        done: None,
    });
    let action = route(&shared, &head);
    let status = wire::perform(&shared, &mut io, &head, action).await;
    shared.finish(idx, status);
}

/// Reads a request head (up to the blank line); the bytes after it are returned unread.
async fn read_head<S: AsyncRead + Unpin>(io: &mut S) -> std::io::Result<Option<(Head, Vec<u8>)>> {
    let mut buf = Vec::with_capacity(2048);
    let mut tmp = [0u8; 4096];
    let end = loop {
        if let Some(pos) = find(&buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = io.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("/").to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().chars().take(1024).collect(),
            )
        })
        .collect();
    Ok(Some((
        Head {
            method,
            target,
            headers,
        },
        buf[end + 4..].to_vec(),
    )))
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What to do with a request.
pub(crate) enum Action {
    Reply(Reply),
    Slowloris,
    Silent,
    Trickle,
    Endless,
    Reset,
    Eof,
    Bomb,
    NotHttp,
    HeaderFlood,
}

/// An ordinary answer with a body (sent with Content-Length, or without a body for HEAD).
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub(crate) fn html(body: String) -> Reply {
        Reply::new(200, "text/html; charset=utf-8", body)
    }

    pub(crate) fn with(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

fn route(shared: &Shared, head: &Head) -> Action {
    let target = head.target.as_str();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    if path == "/robots.txt" {
        return Action::Reply(Reply::new(
            200,
            "text/plain; charset=utf-8",
            "User-agent: *\nAllow: /\n",
        ));
    }
    if let Some(secs) = shared.opts.storm_retry_after {
        return Action::Reply(
            Reply::new(
                429,
                "text/html; charset=utf-8",
                pages::simple("访问过于频繁", "您的访问过于频繁，请稍后再试。"),
            )
            .with("Retry-After", &secs.to_string()),
        );
    }
    match path {
        "/t/slowloris" => return Action::Slowloris,
        "/t/silent" => return Action::Silent,
        "/t/trickle" => return Action::Trickle,
        "/t/endless" => return Action::Endless,
        "/t/reset" => return Action::Reset,
        "/t/eof" => return Action::Eof,
        "/t/bomb" => return Action::Bomb,
        "/t/not-http" => return Action::NotHttp,
        "/t/header-flood" => return Action::HeaderFlood,
        _ => {}
    }
    match pages::page(shared, path, query) {
        Some(reply) => Action::Reply(reply),
        None => Action::Reply(Reply::new(
            404,
            "text/html; charset=utf-8",
            pages::simple("404 页面不存在", "抱歉，您访问的页面不存在。"),
        )),
    }
}

#[cfg(test)]
mod tests;
