//! Link extraction: every link-like reference on a page, in document order.
//!
//! Covers `a[href]`, `area[href]`, `img[src]`, `iframe[src]`, `frame[src]`, `embed[src]`,
//! `object[data]`, `link[href]`, `script[src]`, `source[src]`, `video[src]`, `audio[src]`.
//! The kind comes from the element and the file extension (an `a` to a `.pdf` is an attachment,
//! which is how monitoring vendors count broken links). `<base href>` is honoured. References that
//! are not fetched are kept with `url: None` and the skip reason, so rules can still count them
//! (e.g. `javascript:` links with blank anchors). `<link rel=dns-prefetch|preconnect>` hints are
//! omitted: they name hosts, not documents, and "checking" them would only raise false alarms.

use crate::dom::{self, Nd};
use crate::model::{Link, LinkKind};
use crate::url::resolve;
use ::url::Url;
use scraper::Node;

/// At most this many links per page.
pub const MAX_LINKS: usize = 20_000;
/// Anchor texts are cut to this many bytes.
const MAX_ANCHOR: usize = 512;
/// Raw attribute values are cut to this many bytes.
const MAX_RAW: usize = 4096;

const ATTACHMENT_EXT: [&str; 17] = [
    "pdf", "doc", "docx", "xls", "xlsx", "zip", "rar", "7z", "wps", "et", "ofd", "txt", "csv",
    "ppt", "pptx", "dps", "ceb",
];
const IMAGE_EXT: [&str; 9] = [
    "jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "tif",
];
const MEDIA_EXT: [&str; 12] = [
    "mp4", "mp3", "flv", "swf", "avi", "wmv", "mov", "m4a", "wav", "webm", "mkv", "m3u8",
];

/// The page's effective base URL: `<base href>` (first one, if it resolves to http(s)), else the
/// page URL.
pub fn base_url(root: Nd<'_>, page: &Url) -> Url {
    for n in root.descendants() {
        if dom::is_tag(n, &html5ever::local_name!("base")) {
            if let Some(href) = dom::attr(n, "href") {
                if let Ok(u) = resolve(page, href) {
                    return u;
                }
            }
            break;
        }
        if dom::is_tag(n, &html5ever::local_name!("body")) {
            break;
        }
    }
    page.clone()
}

/// Extracts all links under `root`, resolved against `base` (regions left undecided).
pub fn extract(root: Nd<'_>, base: &Url) -> Vec<Link> {
    extract_with_regions(root, base, None)
}

/// Extracts all links under `root`, resolved against `base`, each with its [`LinkRegion`]
/// given the article body container.
///
/// [`LinkRegion`]: crate::model::LinkRegion
pub fn extract_with_regions(root: Nd<'_>, base: &Url, container: Option<Nd<'_>>) -> Vec<Link> {
    let ix = crate::index::TagIndex::of(root);
    extract_indexed(&ix, base, container)
}

/// [`extract_with_regions`] over the page's [`TagIndex`](crate::index::TagIndex): its
/// link-bearing elements and its `<style>` sheet.
pub(crate) fn extract_indexed(
    ix: &crate::index::TagIndex<'_>,
    base: &Url,
    container: Option<Nd<'_>>,
) -> Vec<Link> {
    let regions = crate::regions::Regions::new(container);
    let in_body = |n: Nd<'_>| {
        n.ancestors()
            .any(|a| dom::is_tag(a, &html5ever::local_name!("body")))
    };
    let mut out = Vec::new();
    let sheet = crate::hidden::Sheet::from_styles(ix.styles.iter().copied());
    for &n in &ix.links {
        if out.len() >= MAX_LINKS {
            break;
        }
        let Node::Element(e) = n.value() else {
            continue;
        };
        let (attr, default_kind) = match e.name() {
            "a" | "area" => ("href", LinkKind::Page),
            "img" => ("src", LinkKind::Image),
            "iframe" | "frame" => ("src", LinkKind::Frame),
            "embed" | "source" | "video" | "audio" => ("src", LinkKind::Media),
            "object" => ("data", LinkKind::Media),
            "script" => ("src", LinkKind::Script),
            "link" => ("href", LinkKind::Page),
            _ => continue,
        };
        let Some(raw) = dom::el_attr(e, attr) else {
            continue;
        };
        let name = e.name();
        let mut kind = default_kind;
        if name == "link" {
            let rel = dom::el_attr(e, "rel").unwrap_or("").to_ascii_lowercase();
            if rel.contains("dns-prefetch") || rel.contains("preconnect") {
                continue;
            }
            if rel.contains("stylesheet") {
                kind = LinkKind::Style;
            } else if rel.contains("icon") {
                kind = LinkKind::Image;
            }
        }
        let mut raw_s = raw.to_string();
        dom::truncate(&mut raw_s, MAX_RAW);
        let (url, skip) = match resolve(base, raw) {
            Ok(u) => (Some(u), None),
            Err(r) => (None, Some(r)),
        };
        if let Some(ext_kind) = kind_by_extension(url.as_ref(), raw) {
            kind = refine(kind, ext_kind, name);
        }
        out.push(Link {
            raw: raw_s,
            url: url.map(String::from),
            kind,
            element: element_key(name, attr),
            anchor: anchor_text(n, name),
            skip,
            region: if in_body(n) {
                regions.of(n)
            } else {
                Default::default()
            },
            hidden: sheet.hidden(n),
        });
    }
    out
}

/// `name[attr]`, e.g. `a[href]`.
fn element_key(name: &str, attr: &str) -> String {
    let mut s = String::with_capacity(name.len() + attr.len() + 2);
    s.push_str(name);
    s.push('[');
    s.push_str(attr);
    s.push(']');
    s
}

/// Combines the element's kind with what the extension says.
fn refine(element_kind: LinkKind, ext_kind: LinkKind, name: &str) -> LinkKind {
    match (name, ext_kind) {
        // Pages (a, area, link) take whatever the extension says.
        ("a" | "area" | "link", k) => k,
        // Embedded media may really be a document or an image.
        (
            "embed" | "object" | "iframe" | "frame" | "source",
            LinkKind::Attachment | LinkKind::Image,
        ) => ext_kind,
        _ => element_kind,
    }
}

/// Kind implied by the file extension of the URL path (or the raw reference when unresolved).
/// Download endpoints (`downfile.jsp?filename=a.pdf`) are recognised by a query value ending in
/// an attachment extension.
pub fn kind_by_extension(url: Option<&Url>, raw: &str) -> Option<LinkKind> {
    // The raw reference, trimmed of any whitespace, still names the file type when a stray
    // full-width space at its end (kept in the URL, as browsers do) hides the extension.
    let raw_ext = || {
        extension(
            raw.trim_matches(|c: char| c.is_whitespace())
                .split(['?', '#'])
                .next()
                .unwrap_or(""),
        )
    };
    let path_ext = match url {
        Some(u) => extension(u.path()).or_else(raw_ext),
        None => raw_ext(),
    };
    if let Some(k) = path_ext.and_then(ext_kind) {
        return Some(k);
    }
    let u = url?;
    // Only a query can name the file (most links have none).
    u.query()?;
    let last = u.path().rsplit('/').next().unwrap_or("");
    if ["down", "attach", "file"]
        .iter()
        .any(|w| contains_ascii_ci(last, w))
    {
        for (_, v) in u.query_pairs().take(16) {
            if let Some(LinkKind::Attachment) = extension(&v).and_then(ext_kind) {
                return Some(LinkKind::Attachment);
            }
        }
    }
    None
}

/// Whether `hay` holds `needle` (ASCII lower case) ignoring ASCII case, as lower-casing `hay`
/// first would say, without allocating: only the places where its first letter occurs are tried.
fn contains_ascii_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), h).any(|i| {
        h.get(i..i + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
    })
}

/// The kind an extension (any ASCII case) names.
fn ext_kind(ext: &str) -> Option<LinkKind> {
    // Every listed extension is short: a longer one names none of them.
    let mut buf = [0u8; 8];
    let lower = buf.get_mut(..ext.len())?;
    lower.copy_from_slice(ext.as_bytes());
    lower.make_ascii_lowercase();
    let ext = std::str::from_utf8(lower).ok()?;
    if ATTACHMENT_EXT.contains(&ext) {
        Some(LinkKind::Attachment)
    } else if IMAGE_EXT.contains(&ext) {
        Some(LinkKind::Image)
    } else if MEDIA_EXT.contains(&ext) {
        Some(LinkKind::Media)
    } else if ext == "css" {
        Some(LinkKind::Style)
    } else if ext == "js" {
        Some(LinkKind::Script)
    } else {
        None
    }
}

/// Extension of the last path segment (any ASCII case), percent-decoding not needed for ASCII
/// exts.
fn extension(path: &str) -> Option<&str> {
    // The last '.' after the last '/', found by byte (both are ASCII).
    let b = path.as_bytes();
    let dot = memchr::memrchr2(b'.', b'/', b).filter(|&i| b[i] == b'.')?;
    let ext = &path[dot + 1..];
    if ext.is_empty() || ext.len() > 5 || !ext.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(ext)
}

/// Anchor text: element text for `a`; falls back to `title`, then the `alt` of an image inside.
/// `alt` / `title` for images and areas, `title` for frames.
fn anchor_text(n: Nd<'_>, name: &str) -> String {
    let attr_text = |key: &str| dom::attr(n, key).map(dom::collapse).unwrap_or_default();
    let mut s = match name {
        "a" => {
            let t = dom::text(n, MAX_ANCHOR);
            if !t.is_empty() {
                t
            } else {
                let title = attr_text("title");
                if !title.is_empty() {
                    title
                } else {
                    n.descendants()
                        .take(64)
                        .find(|d| dom::is_tag(*d, &html5ever::local_name!("img")))
                        .and_then(|img| dom::attr(img, "alt").or_else(|| dom::attr(img, "title")))
                        .map(dom::collapse)
                        .unwrap_or_default()
                }
            }
        }
        "img" | "area" => {
            let alt = attr_text("alt");
            if alt.is_empty() {
                attr_text("title")
            } else {
                alt
            }
        }
        "iframe" | "frame" | "embed" | "object" => attr_text("title"),
        _ => String::new(),
    };
    dom::truncate(&mut s, MAX_ANCHOR);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SkipReason;
    use scraper::Html;

    fn links(html: &str, page: &str) -> Vec<Link> {
        let doc = Html::parse_document(html);
        let page = Url::parse(page).unwrap();
        let root = doc.tree.root();
        let base = base_url(root, &page);
        extract(root, &base)
    }

    #[test]
    fn trs_article_page_links() {
        let html = r#"<html><head>
            <link rel="stylesheet" href="../../images/style.css">
            <link rel="dns-prefetch" href="//hm.baidu.com">
            <script src="/js/jquery.min.js"></script></head><body>
            <div class="TRS_Editor"><p>附件：<a href="./P020220601123456.pdf">2022年政务公开工作要点.pdf</a></p>
            <img src="W020220601.jpg" alt="现场图片"></div>
            <a href="javascript:window.close()">关闭窗口</a>
            <a href="mailto:tzzwgk@163.com">联系我们</a>
            <a href="http://www.gov.cn/"><img src="/images/gov.png" alt="中国政府网"></a>
            <iframe src="/include/footer.html" title="页脚"></iframe>
            </body></html>"#;
        let v = links(
            html,
            "http://www.tengzhou.gov.cn/zwgk/gzyd/202206/t20220601_123.html",
        );
        let kinds: Vec<_> = v.iter().map(|l| (l.element.as_str(), l.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("link[href]", LinkKind::Style),
                ("script[src]", LinkKind::Script),
                ("a[href]", LinkKind::Attachment),
                ("img[src]", LinkKind::Image),
                ("a[href]", LinkKind::Page),
                ("a[href]", LinkKind::Page),
                ("a[href]", LinkKind::Page),
                ("img[src]", LinkKind::Image),
                ("iframe[src]", LinkKind::Frame),
            ]
        );
        assert_eq!(
            v[2].url.as_deref(),
            Some("http://www.tengzhou.gov.cn/zwgk/gzyd/202206/P020220601123456.pdf")
        );
        assert_eq!(v[2].anchor, "2022年政务公开工作要点.pdf");
        assert_eq!(v[3].anchor, "现场图片");
        assert_eq!(v[4].skip, Some(SkipReason::Javascript));
        assert_eq!(v[4].url, None);
        assert_eq!(v[5].skip, Some(SkipReason::Mailto));
        assert_eq!(v[6].anchor, "中国政府网");
        assert_eq!(v[8].anchor, "页脚");
    }

    #[test]
    fn base_href_respected() {
        let html = r#"<html><head><base href="http://www.example.gov.cn/col/col12/"></head>
            <body><a href="index_2.html">下一页</a></body></html>"#;
        let v = links(html, "http://www.example.gov.cn/other/page.html");
        assert_eq!(
            v[0].url.as_deref(),
            Some("http://www.example.gov.cn/col/col12/index_2.html")
        );
    }

    #[test]
    fn hanweb_download_endpoint_is_attachment() {
        let html = r#"<a href="/module/download/downfile.jsp?classid=0&filename=2206011234.docx">附件</a>
            <embed src="/u/cms/www/202206/intro.mp4"><object data="/upload/guide.pdf"></object>
            <area href="/zwgk/" alt="政务公开">"#;
        let v = links(html, "http://www.example.gov.cn/art/2022/6/1/art_1_2.html");
        assert_eq!(v[0].kind, LinkKind::Attachment);
        assert_eq!(v[1].kind, LinkKind::Media);
        assert_eq!(v[2].kind, LinkKind::Attachment);
        assert_eq!(v[3].anchor, "政务公开");
        assert_eq!(v[3].kind, LinkKind::Page);
    }

    #[test]
    fn capped() {
        let html = "<a href=\"/a\">x</a>".repeat(MAX_LINKS + 10);
        let v = links(&html, "http://a.gov.cn/");
        assert_eq!(v.len(), MAX_LINKS);
    }
}
