//! The loopback server: two origins on 127.0.0.1, the request log, and every misbehaviour.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::gen::GenSite;
use crate::hanweb;
use crate::jx;
use crate::portal::{self, Origins};

/// Which of the two origins answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The portal (`base_url()`).
    Main,
    /// The second origin (`second_origin()`): unknown paths answer 200 with an error page.
    Second,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct RequestLogEntry {
    /// When the request arrived (monotonic, for spacing/rate assertions).
    pub at: Instant,
    /// When the request arrived (wall clock).
    pub time: SystemTime,
    pub origin: Origin,
    /// Port of the origin that answered.
    pub port: u16,
    pub method: String,
    /// Path and query as requested, e.g. `/zwgk/index.html` or `/module/web/jpage/dataproxy.jsp?startrecord=1`.
    pub path: String,
    pub user_agent: Option<String>,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub cookie: Option<String>,
    /// Request body (UTF-8, lossy) when there was one (dataproxy POST forms).
    pub body: Option<String>,
    /// Status answered.
    pub status: u16,
}

/// Server settings. `FixtureOptions::default()` is what `gongkai demo` uses.
#[derive(Debug, Clone)]
pub struct FixtureOptions {
    /// Delay before answering `/slow/...` paths, in milliseconds. Default 1000.
    pub slow_ms: u64,
    /// Number of pages of the generated site under `/gen/`. Default 500.
    pub gen_pages: usize,
    /// Replaces the portal's `robots.txt` (e.g. to test `Crawl-delay`). Default None.
    pub robots_txt: Option<String>,
    /// Size of the `/huge.html` body in bytes. Default 16 MiB.
    pub huge_bytes: usize,
}

impl Default for FixtureOptions {
    fn default() -> Self {
        FixtureOptions {
            slow_ms: 1000,
            gen_pages: 500,
            robots_txt: None,
            huge_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The Last-Modified date of every static and generated file.
pub const LAST_MODIFIED: &str = "Mon, 17 Apr 2023 08:00:00 GMT";

struct Inner {
    opts: FixtureOptions,
    origins: Origins,
    gen: GenSite,
    log: Mutex<Vec<RequestLogEntry>>,
    flaky_seen: Mutex<HashSet<String>>,
    /// Portal files replaced at run time (relative path → text with placeholders).
    overrides: Mutex<std::collections::HashMap<String, String>>,
    /// Which embedded portal the origins serve.
    site: Site,
}

/// The embedded portal a [`FixtureServer`] serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    /// `fixtures/portal/` with every misbehaviour endpoint ([`FixtureServer::start`]).
    Bundled,
    /// `fixtures/portal-jx/` ([`FixtureServer::start_jx`]).
    Jx,
}

#[derive(Clone)]
struct Ctx {
    inner: Arc<Inner>,
    origin: Origin,
    port: u16,
}

/// The running fixture: the portal origin, the second origin, and a port that refuses
/// connections. Dropping it aborts the server tasks; [`FixtureServer::shutdown`] stops them
/// gracefully.
pub struct FixtureServer {
    inner: Arc<Inner>,
    main_addr: SocketAddr,
    second_addr: SocketAddr,
    dead_addr: SocketAddr,
    // Bound but never listening: connections to it are refused, and no one else can take the port.
    _dead_socket: TcpSocket,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl FixtureServer {
    /// Binds 127.0.0.1:0 for the portal and for the second origin, reserves a refusing port, and
    /// starts serving.
    pub async fn start(opts: FixtureOptions) -> std::io::Result<FixtureServer> {
        Self::start_site(opts, Site::Bundled).await
    }

    /// Like [`FixtureServer::start`], but serves the 江西-platform-style portal of
    /// `fixtures/portal-jx/` (see its `PLANTED.md`): `site/` on the portal origin (other paths
    /// 404), `old/` — an old subsite whose unknown paths answer 200 with its error page — on the
    /// second origin. The misbehaviour endpoints of the bundled portal are not served; `opts`
    /// applies only where it can (`robots_txt`).
    pub async fn start_jx(opts: FixtureOptions) -> std::io::Result<FixtureServer> {
        Self::start_site(opts, Site::Jx).await
    }

    async fn start_site(opts: FixtureOptions, site: Site) -> std::io::Result<FixtureServer> {
        let main = TcpListener::bind("127.0.0.1:0").await?;
        let second = TcpListener::bind("127.0.0.1:0").await?;
        let dead = TcpSocket::new_v4()?;
        dead.bind("127.0.0.1:0".parse().expect("literal address"))?;
        let (main_addr, second_addr, dead_addr) =
            (main.local_addr()?, second.local_addr()?, dead.local_addr()?);
        let origins = Origins {
            base: format!("http://{main_addr}"),
            second: format!("http://{second_addr}"),
            dead: format!("http://{dead_addr}"),
        };
        let inner = Arc::new(Inner {
            gen: GenSite::new(opts.gen_pages),
            opts,
            origins,
            log: Mutex::new(Vec::new()),
            flaky_seen: Mutex::new(HashSet::new()),
            overrides: Mutex::new(std::collections::HashMap::new()),
            site,
        });
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        for (listener, origin, port) in [
            (main, Origin::Main, main_addr.port()),
            (second, Origin::Second, second_addr.port()),
        ] {
            let ctx = Ctx {
                inner: inner.clone(),
                origin,
                port,
            };
            let app = Router::new().fallback(handle).with_state(ctx);
            let mut rx = shutdown_rx.clone();
            tasks.push(tokio::spawn(async move {
                let signal = async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                };
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(signal)
                    .await
                {
                    tracing::warn!("fixture server stopped: {e}");
                }
            }));
        }
        Ok(FixtureServer {
            inner,
            main_addr,
            second_addr,
            dead_addr,
            _dead_socket: dead,
            shutdown_tx,
            tasks,
        })
    }

    /// The portal, e.g. `http://127.0.0.1:41234/`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.main_addr)
    }

    /// A URL on the portal for `path` (with or without its leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.main_addr, path.trim_start_matches('/'))
    }

    /// The second origin, e.g. `http://127.0.0.1:41235/` (trailing slash, like [`Self::base_url`]).
    /// Its `/`, `/index.html`, `/landing.html` and `/robots.txt` are real; every other path
    /// answers 200 with a "页面不存在" page (soft 404).
    pub fn second_origin(&self) -> String {
        format!("http://{}/", self.second_addr)
    }

    /// An origin whose port is bound but not listening, so connections are refused.
    pub fn dead_origin(&self) -> String {
        format!("http://{}/", self.dead_addr)
    }

    pub fn main_port(&self) -> u16 {
        self.main_addr.port()
    }

    pub fn second_port(&self) -> u16 {
        self.second_addr.port()
    }

    /// The generated site served under `/gen/`.
    pub fn gen_site(&self) -> GenSite {
        self.inner.gen
    }

    /// Every request so far to either origin, in arrival order.
    pub fn requests(&self) -> Vec<RequestLogEntry> {
        self.inner
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces a portal file (path relative to the portal, e.g. `zwgk/zcjd/index.html`) with
    /// `text` until called again with `None`: lets tests change the site between two scans.
    /// Placeholders are substituted as for the bundled files; the ETag follows the content.
    pub fn set_file(&self, path: &str, text: Option<&str>) {
        let key = path.trim_start_matches('/').to_string();
        let mut o = self
            .inner
            .overrides
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match text {
            Some(t) => {
                o.insert(key, t.to_string());
            }
            None => {
                o.remove(&key);
            }
        }
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.inner
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Stops both origins: in-flight requests finish (up to 3 s), then the tasks are aborted.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(3), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn handle(
    State(ctx): State<Ctx>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let time = SystemTime::now();
    let response = match (ctx.inner.site, ctx.origin) {
        (Site::Jx, origin) => jx::route(
            origin,
            &ctx.inner.origins,
            ctx.inner.opts.robots_txt.as_deref(),
            &method,
            &decoded_path(&uri),
            &headers,
        ),
        (Site::Bundled, Origin::Main) => main_route(&ctx, &method, &uri, &headers, &body).await,
        (Site::Bundled, Origin::Second) => second_route(&ctx, &method, &uri, &headers),
    };
    let h = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let entry = RequestLogEntry {
        at,
        time,
        origin: ctx.origin,
        port: ctx.port,
        method: method.as_str().to_string(),
        path: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| uri.path().to_string()),
        user_agent: h(header::USER_AGENT),
        if_none_match: h(header::IF_NONE_MATCH),
        if_modified_since: h(header::IF_MODIFIED_SINCE),
        cookie: h(header::COOKIE),
        body: (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned()),
        status: response.status().as_u16(),
    };
    ctx.inner
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(entry);
    response
}

// ------------------------------------------------------------------------------------------------
// Response helpers

pub(crate) fn resp(status: StatusCode, content_type: &str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

pub(crate) fn with_header(mut r: Response, name: header::HeaderName, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
    r
}

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    resp(status, "text/html; charset=utf-8", body)
}

pub(crate) fn redirect(status: StatusCode, location: &str) -> Response {
    let body = format!("<html><body><a href=\"{location}\">{location}</a></body></html>");
    with_header(html(status, body), header::LOCATION, location)
}

pub(crate) fn simple_page(title: &str, text: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n\
         <body>\n<h1>{title}</h1>\n<p>{text}</p>\n<p><a href=\"/index.html\">返回首页</a></p>\n</body>\n</html>\n"
    )
}

fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        simple_page("404 页面不存在", "抱歉，您访问的页面不存在或已被删除。"),
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn last_modified() -> SystemTime {
    static LM: OnceLock<SystemTime> = OnceLock::new();
    *LM.get_or_init(|| httpdate::parse_http_date(LAST_MODIFIED).expect("valid date constant"))
}

/// Answers a cacheable 200 (ETag + Last-Modified), or 304 when the request's validators match.
/// If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2).
pub(crate) fn cacheable(req: &HeaderMap, content_type: &str, bytes: Vec<u8>) -> Response {
    let etag = format!("\"{:016x}\"", fnv1a(&bytes));
    let not_modified =
        if let Some(inm) = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
            inm.trim() == "*"
                || inm
                    .split(',')
                    .any(|t| t.trim().trim_start_matches("W/") == etag)
        } else if let Some(ims) = req
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
        {
            httpdate::parse_http_date(ims)
                .map(|t| last_modified() <= t)
                .unwrap_or(false)
        } else {
            false
        };
    let r = if not_modified {
        resp(StatusCode::NOT_MODIFIED, content_type, Body::empty())
    } else {
        resp(StatusCode::OK, content_type, bytes)
    };
    let r = with_header(r, header::ETAG, &etag);
    with_header(r, header::LAST_MODIFIED, LAST_MODIFIED)
}

pub(crate) fn decoded_path(uri: &Uri) -> String {
    percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned()
}

fn params(uri: &Uri, body: &[u8]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    out.extend(url::form_urlencoded::parse(body).into_owned());
    out
}

// ------------------------------------------------------------------------------------------------
// Main origin

async fn main_route(
    ctx: &Ctx,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let inner = &ctx.inner;
    let path = decoded_path(uri);
    let p = path.as_str();

    // Fixed endpoints.
    match p {
        "/module/web/jpage/dataproxy.jsp" => {
            return resp(
                StatusCode::OK,
                "text/xml;charset=UTF-8",
                hanweb::answer(&params(uri, body)),
            );
        }
        "/module/download/downfile.jsp" => {
            if method == Method::HEAD {
                let r = html(
                    StatusCode::METHOD_NOT_ALLOWED,
                    simple_page("405", "HEAD not supported"),
                );
                return with_header(r, header::ALLOW, "GET, POST");
            }
            let name = params(uri, &[])
                .into_iter()
                .find(|(k, _)| k == "filename")
                .map(|(_, v)| v);
            let name = name.unwrap_or_else(|| "download.pdf".into());
            let pdf = format!("%PDF-1.4\n% gongkai fixture download: {name}\n%%EOF\n");
            let r = resp(StatusCode::OK, "application/pdf", pdf);
            return with_header(
                r,
                header::CONTENT_DISPOSITION,
                &format!("attachment; filename=\"{}\"", name.replace('"', "")),
            );
        }
        "/robots.txt" if inner.opts.robots_txt.is_some() => {
            let text = inner.opts.robots_txt.clone().unwrap_or_default();
            return cacheable(headers, "text/plain; charset=utf-8", text.into_bytes());
        }
        "/redirect/chain" => return redirect(StatusCode::MOVED_PERMANENTLY, "/redirect/chain-2"),
        "/redirect/chain-2" => {
            return redirect(
                StatusCode::FOUND,
                &format!("{}/zwgk/index.html", inner.origins.base),
            )
        }
        "/redirect/loop-a" => return redirect(StatusCode::FOUND, "/redirect/loop-b"),
        "/redirect/loop-b" => return redirect(StatusCode::FOUND, "/redirect/loop-a"),
        "/redirect/offsite" => {
            return redirect(
                StatusCode::FOUND,
                &format!("{}/landing.html", inner.origins.second),
            )
        }
        "/huge.html" => return huge(inner.opts.huge_bytes),
        "/bomb.html" => return bomb(),
        _ => {}
    }

    // Behaviour families, by prefix.
    if p.starts_with("/gone/") {
        return html(
            StatusCode::GONE,
            simple_page("410 信息已删除", "该信息已被永久删除。"),
        );
    }
    if p.starts_with("/error/") {
        return html(
            StatusCode::INTERNAL_SERVER_ERROR,
            simple_page("500 服务器内部错误", "java.lang.NullPointerException"),
        );
    }
    if p.starts_with("/waf/") {
        let passed = headers
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.contains("gk_waf=ok"));
        if passed {
            return html(
                StatusCode::OK,
                simple_page("市长信箱", "欢迎使用市长信箱。"),
            );
        }
        let r = html(StatusCode::PRECONDITION_FAILED, CHALLENGE.to_string());
        return with_header(r, header::SET_COOKIE, "gk_waf_id=7f3a9c; Path=/; HttpOnly");
    }
    if p.starts_with("/busy/") {
        let r = html(
            StatusCode::TOO_MANY_REQUESTS,
            simple_page("访问过于频繁", "请稍后再试。"),
        );
        return with_header(r, header::RETRY_AFTER, "1");
    }
    if p.starts_with("/auth/") {
        let r = html(
            StatusCode::UNAUTHORIZED,
            simple_page("401 需要登录", "请使用内网账号登录。"),
        );
        return with_header(r, header::WWW_AUTHENTICATE, "Basic realm=\"OA\"");
    }
    if p.starts_with("/forbidden/") {
        return html(
            StatusCode::FORBIDDEN,
            simple_page("403 禁止访问", "您没有权限访问该页面。"),
        );
    }
    if let Some(code) = p.strip_prefix("/status/") {
        let code = code
            .trim_end_matches(".html")
            .parse::<u16>()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok());
        return match code {
            Some(c) if c.as_u16() >= 200 => html(c, simple_page(c.as_str(), "status")),
            _ => not_found(),
        };
    }
    if p.starts_with("/slow/") {
        tokio::time::sleep(Duration::from_millis(inner.opts.slow_ms)).await;
        return cacheable(
            headers,
            "text/html; charset=utf-8",
            simple_page("历史文化", "滕州历史悠久，文化灿烂。").into_bytes(),
        );
    }
    if let Some(rest) = p.strip_prefix("/flaky/") {
        let first = inner
            .flaky_seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p.to_string());
        if first && rest.starts_with("500/") {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                simple_page("500", "temporary failure"),
            );
        }
        // A page that is missing once (a 404 is not retried within a request) and back after:
        // the end-of-run recheck must not report it broken.
        if first && rest.starts_with("404/") {
            return html(StatusCode::NOT_FOUND, simple_page("404", "not here yet"));
        }
        if first && rest.starts_with("429/") {
            let r = html(
                StatusCode::TOO_MANY_REQUESTS,
                simple_page("429", "slow down"),
            );
            return with_header(r, header::RETRY_AFTER, "1");
        }
        return html(
            StatusCode::OK,
            simple_page("旅游景点", "微山湖湿地红荷风景区、墨子纪念馆、龙泉塔。"),
        );
    }
    if p.starts_with("/deep/") {
        return match crate::deep::DeepColumn::default().page(p, uri.query()) {
            Some(page) => cacheable(headers, "text/html; charset=utf-8", page.into_bytes()),
            None => not_found(),
        };
    }
    if p.starts_with("/gen/") {
        return match inner.gen.page_of(p).and_then(|i| inner.gen.page_html(i)) {
            Some(page) => cacheable(headers, "text/html; charset=utf-8", page.into_bytes()),
            None => not_found(),
        };
    }

    // Static portal files.
    if method != Method::GET && method != Method::HEAD {
        let r = html(
            StatusCode::METHOD_NOT_ALLOWED,
            simple_page("405", "Method Not Allowed"),
        );
        return with_header(r, header::ALLOW, "GET, HEAD");
    }
    let mut rel = p.trim_start_matches('/').to_string();
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    } else if portal::is_dir(&rel) && portal::is_served(&format!("{rel}/")) {
        let q = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        return redirect(StatusCode::MOVED_PERMANENTLY, &format!("{p}/{q}"));
    }
    if rel.split('/').any(|seg| seg == "..") {
        return not_found();
    }
    let replaced = inner
        .overrides
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&rel)
        .map(|t| inner.origins.substitute(t));
    if let Some(text) = replaced {
        return cacheable(headers, portal::content_type(&rel), text.into_bytes());
    }
    match portal::render(&rel, &inner.origins) {
        Some((ct, bytes)) => cacheable(headers, ct, bytes),
        None => not_found(),
    }
}

const CHALLENGE: &str = r#"<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title></title>
<script type="text/javascript">
// anti-bot challenge: compute a token, store it as a cookie and reload
(function () {
  var t = (function (s) { var h = 0; for (var i = 0; i < s.length; i++) { h = (h * 31 + s.charCodeAt(i)) | 0; } return h; })(location.pathname);
  document.cookie = "gk_waf=ok; path=/";
  document.cookie = "gk_waf_t=" + t + "; path=/";
  setTimeout(function () { location.reload(); }, 50);
})();
</script>
</head>
<body></body>
</html>
"#;

fn huge(size: usize) -> Response {
    let head = b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>huge</title></head><body>\n<!--";
    let tail = b"-->\n</body></html>\n";
    let mut body = Vec::with_capacity(size.max(head.len() + tail.len()));
    body.extend_from_slice(head);
    body.resize(size.saturating_sub(tail.len()).max(head.len()), b'x');
    body.extend_from_slice(tail);
    resp(StatusCode::OK, "text/html; charset=utf-8", body)
}

/// Decompressed size of `/bomb.html`.
pub const BOMB_DECOMPRESSED_BYTES: usize = 64 * 1024 * 1024;

fn bomb() -> Response {
    static GZ: OnceLock<Vec<u8>> = OnceLock::new();
    let gz = GZ.get_or_init(|| {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..BOMB_DECOMPRESSED_BYTES / chunk.len() {
            enc.write_all(&chunk).expect("in-memory write");
        }
        enc.finish().expect("in-memory write")
    });
    let r = resp(StatusCode::OK, "text/html; charset=utf-8", gz.clone());
    with_header(r, header::CONTENT_ENCODING, "gzip")
}

// ------------------------------------------------------------------------------------------------
// Second origin

fn second_route(ctx: &Ctx, _method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    let base = &ctx.inner.origins.base;
    match uri.path() {
        "/robots.txt" => cacheable(headers, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n".to_vec()),
        "/" | "/index.html" => cacheable(
            headers,
            "text/html; charset=utf-8",
            format!(
                "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>滕州市政务服务网</title>\n\
                 <meta name=\"SiteName\" content=\"滕州市政务服务网\">\n</head>\n<body>\n<h1>滕州市政务服务网</h1>\n\
                 <ul>\n<li><a href=\"/landing.html\">政务服务事项查询</a></li>\n<li><a href=\"{base}/index.html\">滕州市人民政府</a></li>\n</ul>\n\
                 </body>\n</html>\n"
            )
            .into_bytes(),
        ),
        "/landing.html" => cacheable(
            headers,
            "text/html; charset=utf-8",
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>政务服务事项查询_滕州市政务服务网</title>\n\
             </head>\n<body>\n<h1>政务服务事项查询</h1>\n<p>请输入事项名称进行查询。</p>\n<p><a href=\"/\">返回首页</a></p>\n</body>\n</html>\n"
                .as_bytes()
                .to_vec(),
        ),
        _ => html(
            StatusCode::OK,
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>页面不存在</title>\n</head>\n\
             <body>\n<div class=\"error\"><h1>抱歉，您访问的页面不存在或已被删除！</h1>\n<p><a href=\"/\">返回首页</a></p></div>\n</body>\n</html>\n"
                .to_string(),
        ),
    }
}
