//! The embedded portal (`fixtures/portal/`): file lookup, content types, placeholder substitution
//! and GBK transcoding.

use include_dir::{include_dir, Dir};

static PORTAL: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../fixtures/portal");

/// Placeholder replaced at serve time by the main origin, e.g. `http://127.0.0.1:41234` (no
/// trailing slash).
pub const PH_BASE_ORIGIN: &str = "{{BASE_ORIGIN}}";
/// Placeholder replaced by the second origin (the soft-404 host).
pub const PH_SECOND_ORIGIN: &str = "{{SECOND_ORIGIN}}";
/// Placeholder replaced by an origin whose port refuses connections.
pub const PH_DEAD_ORIGIN: &str = "{{DEAD_ORIGIN}}";

/// The whole embedded portal tree, as stored in the repository (UTF-8, placeholders unreplaced).
pub fn portal_dir() -> &'static Dir<'static> {
    &PORTAL
}

/// Raw bytes of one embedded file, as stored (`path` without leading slash, e.g.
/// `zwgk/index.html`).
pub fn portal_file(path: &str) -> Option<&'static [u8]> {
    PORTAL
        .get_file(path.trim_start_matches('/'))
        .map(|f| f.contents())
}

/// Every embedded file path that the server answers (relative, `/`-separated, sorted), excluding
/// the notes (`*.md` at the top) and the server's private data (`_data/`).
pub fn served_paths() -> Vec<String> {
    let mut out = Vec::new();
    collect(&PORTAL, &mut out);
    out.retain(|p| is_served(p));
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

/// Whether a stored path is answered over HTTP.
pub(crate) fn is_served(rel: &str) -> bool {
    !(rel.starts_with("_data/") || (!rel.contains('/') && rel.ends_with(".md")))
}

/// True when `rel` (no leading slash, no trailing slash) names a directory of the portal.
pub(crate) fn is_dir(rel: &str) -> bool {
    PORTAL.get_dir(rel).is_some()
}

/// Server-private data stored under `_data/` (Hanweb dataproxy records).
pub(crate) fn data_file(rel: &str) -> Option<&'static str> {
    PORTAL
        .get_file(format!("_data/{rel}"))
        .and_then(|f| f.contents_utf8())
}

/// Content-Type for a path, by extension. Pages under `gbk/` are labelled gb2312.
pub fn content_type(rel: &str) -> &'static str {
    let ext = rel
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let gbk = rel.starts_with("gbk/");
    match ext.as_str() {
        "html" | "htm" if gbk => "text/html; charset=gb2312",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "application/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "text/xml; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn is_text(rel: &str) -> bool {
    let ct = content_type(rel);
    ct.starts_with("text/") || ct.starts_with("application/javascript")
}

/// The origins substituted into pages at serve time.
#[derive(Debug, Clone)]
pub struct Origins {
    pub base: String,
    pub second: String,
    pub dead: String,
}

impl Origins {
    pub fn substitute(&self, text: &str) -> String {
        text.replace(PH_BASE_ORIGIN, &self.base)
            .replace(PH_SECOND_ORIGIN, &self.second)
            .replace(PH_DEAD_ORIGIN, &self.dead)
    }
}

/// The bytes served for `rel`: text files get their placeholders replaced; HTML under `gbk/` is
/// then encoded as GBK (the repository keeps it as UTF-8 so it stays reviewable).
pub fn render(rel: &str, origins: &Origins) -> Option<(&'static str, Vec<u8>)> {
    if !is_served(rel) {
        return None;
    }
    let raw = portal_file(rel)?;
    let ct = content_type(rel);
    if !is_text(rel) {
        return Some((ct, raw.to_vec()));
    }
    let text = origins.substitute(&String::from_utf8_lossy(raw));
    if ct.ends_with("gb2312") {
        let (bytes, _, _) = encoding_rs::GBK.encode(&text);
        return Some((ct, bytes.into_owned()));
    }
    Some((ct, text.into_bytes()))
}
