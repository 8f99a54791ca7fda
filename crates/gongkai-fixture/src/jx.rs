//! The second embedded portal, `fixtures/portal-jx/`: a county portal in the templates of the
//! 江西 province 信息公开 platform and TRS lists, which the project was not built against (see
//! `fixtures/portal-jx/PLANTED.md` for every planted problem and trap).
//!
//! `site/` is served on the portal origin: its files, `dir/` → `dir/index.html`, `dir` → 301,
//! anything else 404. `old/` is an old department subsite served on the second origin: its files
//! are real pages, and every other path answers **200** `text/html` with `old/error.html`, whose
//! template (header, navigation, footer) is the one the real pages use.

use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use include_dir::{include_dir, Dir};

use crate::portal::{content_type, Origins};
use crate::server::{cacheable, html, redirect, simple_page, with_header, Origin};

static JX: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../fixtures/portal-jx");

/// The as-of date every planted date of `fixtures/portal-jx/` is chosen against.
pub const JX_AS_OF: &str = "2025-05-20";

/// The 网站标识码 of the portal-jx site.
pub const JX_SITE_ID_CODE: &str = "3609990001";

/// Every path the portal origin answers with a file (relative to `site/`, sorted).
pub fn jx_served_paths() -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = JX.get_dir("site") {
        collect(d, &mut out);
    }
    out.iter_mut().for_each(|p| {
        *p = p.trim_start_matches("site/").to_string();
    });
    out.sort();
    out
}

fn collect(dir: &Dir<'static>, out: &mut Vec<String>) {
    for f in dir.files() {
        out.push(f.path().to_string_lossy().replace('\\', "/"));
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

/// The bytes of `root/rel` with placeholders replaced in text files; pages under `gbk/` are
/// stored as UTF-8 and served GBK-encoded, labelled gb2312 (as in the bundled portal).
fn render(root: &str, rel: &str, origins: &Origins) -> Option<(&'static str, Vec<u8>)> {
    let file = JX.get_file(format!("{root}/{rel}"))?;
    let ct = content_type(rel);
    if ct.starts_with("text/") || ct.starts_with("application/javascript") {
        let text = origins.substitute(&String::from_utf8_lossy(file.contents()));
        if ct.ends_with("gb2312") {
            let (bytes, _, _) = encoding_rs::GBK.encode(&text);
            return Some((ct, bytes.into_owned()));
        }
        return Some((ct, text.into_bytes()));
    }
    Some((ct, file.contents().to_vec()))
}

/// Answers one request to either origin of a server started with `FixtureServer::start_jx`.
/// `path` is percent-decoded.
pub(crate) fn route(
    origin: Origin,
    origins: &Origins,
    robots: Option<&str>,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let r = html(
            StatusCode::METHOD_NOT_ALLOWED,
            simple_page("405", "Method Not Allowed"),
        );
        return with_header(r, header::ALLOW, "GET, HEAD");
    }
    let root = match origin {
        Origin::Main => "site",
        Origin::Second => "old",
    };
    if path == "/robots.txt" {
        let text = match (origin, robots) {
            (Origin::Main, Some(r)) => r.to_string(),
            _ => "User-agent: *\nAllow: /\n".to_string(),
        };
        return cacheable(headers, "text/plain; charset=utf-8", text.into_bytes());
    }
    let mut rel = path.trim_start_matches('/').to_string();
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    } else if JX.get_dir(format!("{root}/{rel}")).is_some() {
        return redirect(StatusCode::MOVED_PERMANENTLY, &format!("{path}/"));
    }
    let found = (!rel.split('/').any(|seg| seg == ".."))
        .then(|| render(root, &rel, origins))
        .flatten();
    match (found, origin) {
        (Some((ct, bytes)), _) => cacheable(headers, ct, bytes),
        // The old subsite answers unknown paths with its error page and status 200.
        (None, Origin::Second) => match render(root, "error.html", origins) {
            Some((ct, bytes)) => cacheable(headers, ct, bytes),
            None => html(StatusCode::OK, simple_page("页面不存在", "页面不存在")),
        },
        (None, Origin::Main) => html(
            StatusCode::NOT_FOUND,
            simple_page("404 Not Found", "您访问的页面不存在，请检查网址是否正确。"),
        ),
    }
}
