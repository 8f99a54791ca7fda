//! Column pagination: every page of a column list, so that column checks see all items.
//!
//! Sources, most reliable first:
//! * TRS `createPageHTML(total, current, "index", "html")` (also the `('div_id', total, current,
//!   'index', 'html', records)` variant and variables set by `var countPage = …`): page 1 is
//!   `index.html`, page k is `index_{k-1}.html`; all pages are generated (capped at
//!   [`MAX_PAGES`]). `current` is 0-based in TRS.
//! * "共N页" / "1/N页" text with a `prefix_N.ext` link pattern in the same directory: all pages.
//! * Links reading 下一页 / 尾页 / 末页 / 上一页, numbered links inside a pager, and
//!   `index_N.html` links in the page's own directory.

use crate::dom::{self, Nd};
use crate::thread_regex::ThreadRegex;
use crate::url::resolve;
use ::url::Url;
use regex::Regex;
use scraper::Node;
use std::collections::HashSet;

/// At most this many pagination URLs per page.
pub const MAX_PAGES: u32 = 2000;

static CREATE_PAGE: ThreadRegex =
    ThreadRegex::new(|| Regex::new(r"createPageHTML\s*\(([^()]{0,400})\)").expect("static regex"));
static TOTAL_TEXT: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"共\s*(\d{1,5})\s*页|(\d{1,5})\s*/\s*(\d{1,5})\s*页|第\s*(\d{1,5})\s*页")
        .expect("static regex")
});
static NUMBERED_FILE: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"^([A-Za-z]+)_(\d{1,5})\.(s?html?|jsp|php|aspx?)$").expect("static regex")
});

/// File-name stems that number list pages (`index_2.html`); article stems such as `post_12` or
/// `t20220601_12` are not among them.
const LIST_STEMS: [&str; 9] = [
    "index", "list", "default", "more", "page", "pages", "lmlist", "newslist", "listpage",
];

const NEXT_WORDS: [&str; 12] = [
    "下一页",
    "下页",
    "尾页",
    "末页",
    "最后一页",
    "上一页",
    "上页",
    "后一页",
    "前一页",
    "next",
    "last",
    "prev",
];

/// What the page says about its pagination.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pagination {
    /// Absolute URLs of the other pages of this column (the current page excluded).
    pub urls: Vec<String>,
    pub total_pages: Option<u32>,
    pub current_page: Option<u32>,
}

impl Pagination {
    pub fn found(&self) -> bool {
        !self.urls.is_empty() || self.total_pages.is_some_and(|t| t > 1)
    }
}

/// Reads pagination from the page's inline scripts, pager links and "共N页" text.
pub fn extract(root: Nd<'_>, page: &Url, base: &Url, scripts: &[String]) -> Pagination {
    let anchors: Vec<Nd<'_>> = root
        .descendants()
        .filter(|n| dom::is_tag(*n, &html5ever::local_name!("a")))
        .collect();
    extract_among(root, &anchors, page, base, scripts)
}

/// [`extract`] knowing the page's `<a>` elements (in document order).
pub(crate) fn extract_among(
    root: Nd<'_>,
    anchors: &[Nd<'_>],
    page: &Url,
    base: &Url,
    scripts: &[String],
) -> Pagination {
    let mut p = Pagination::default();
    let mut seen: HashSet<String> = HashSet::new();
    let current = crate::url::normalize(page);
    seen.insert(current.to_string());
    let mut push = |p: &mut Pagination, u: Url| {
        if p.urls.len() < MAX_PAGES as usize && seen.insert(u.to_string()) {
            p.urls.push(u.to_string());
        }
    };

    let script_pager = scripts
        .iter()
        .find_map(|s| create_page_html(s))
        .or_else(|| scripts.iter().find_map(|s| count_page_pager(s)));
    if let Some((total, cur0, prefix, suffix)) = script_pager {
        p.total_pages = Some(total);
        p.current_page = Some(
            cur0.saturating_add(1)
                .min(p.total_pages.unwrap_or(u32::MAX).max(1)),
        );
        for u in numbered_pages(base, &prefix, &suffix, total) {
            push(&mut p, u);
        }
        return p;
    }

    // Pager links.
    let mut pattern: Option<(String, String)> = None;
    let mut pager_text = String::new();
    let dir = page_dir(page);
    for &a in anchors {
        let Some(href) = dom::attr(a, "href") else {
            continue;
        };
        // The resolved URL is looked at in place: only a pager link's is copied.
        let pager_url = crate::url::resolve_with(base, href, |r| {
            let u = r
                .as_ref()
                .ok()
                .filter(|u| u.host_str() == page.host_str())?;
            let text = dom::text(a, 64);
            let lower = dom::lowercase(&text);
            // Whether the link sits in a pager (an ancestor walk) is asked only when it matters.
            let mut pager = None;
            let mut pager_link = || *pager.get_or_insert_with(|| in_pager(a));
            let numbered = dir.and_then(|d| same_dir_numbered(u, page, d));
            let trimmed = lower.trim_matches(|c: char| !c.is_alphanumeric());
            let is_next = NEXT_WORDS.iter().any(|w| lower == *w || trimmed == *w);
            let is_number =
                !text.is_empty() && text.len() <= 5 && text.chars().all(|c| c.is_ascii_digit());
            let is_first = text == "首页" || text == "第一页";
            if !(is_next || numbered.is_some() || ((is_number || is_first) && pager_link())) {
                return None;
            }
            if let Some(pat) = numbered {
                pattern.get_or_insert(pat);
            }
            if pager_text.is_empty() && pager_link() {
                if let Some(parent) = a.parent() {
                    pager_text = dom::text(parent, 400);
                }
            }
            Some(u.clone())
        });
        if let Some(u) = pager_url {
            push(&mut p, u);
        }
    }

    // "共N页" in the pager; elsewhere only when pager links were found (an article may say
    // "全文共3页" without being a list).
    let total_source = if pager_text.is_empty() {
        find_total_text(root, p.urls.is_empty())
    } else {
        pager_text
    };
    if let Some((total, current)) = parse_total(&total_source) {
        p.total_pages = Some(total);
        if current.is_some() {
            p.current_page = current;
        }
        let generated = match &pattern {
            Some((prefix, ext)) => numbered_pages(base, prefix, ext, total),
            None => query_pages(&p.urls, page, total),
        };
        for u in generated {
            push(&mut p, u);
        }
    }
    if p.current_page.is_none() && p.found() {
        p.current_page = current_from_url(page);
    }
    p
}

/// Parses the first `createPageHTML(...)` call with resolvable arguments in a script:
/// (total, current 0-based, prefix, suffix).
pub fn create_page_html(script: &str) -> Option<(u32, u32, String, String)> {
    for c in CREATE_PAGE.re().captures_iter(script) {
        let args = c.get(1)?.as_str();
        let whole = c.get(0)?;
        // Skip the function's own definition.
        if script[..whole.start()].trim_end().ends_with("function") {
            continue;
        }
        let mut nums = Vec::new();
        let mut strs = Vec::new();
        for raw in args.split(',').take(8) {
            let a = raw.trim();
            if let Some(s) = unquote(a) {
                strs.push(s.to_string());
            } else if let Ok(n) = a.parse::<u32>() {
                nums.push(n);
            } else if let Some(v) = var_value(script, a) {
                if let Some(s) = unquote(&v) {
                    strs.push(s.to_string());
                } else if let Ok(n) = v.parse::<u32>() {
                    nums.push(n);
                }
            }
        }
        if nums.len() < 2 {
            continue;
        }
        let (prefix, suffix) = match strs.len() {
            0 => ("index".to_string(), "html".to_string()),
            1 => (strs[0].clone(), "html".to_string()),
            n => (strs[n - 2].clone(), strs[n - 1].clone()),
        };
        if prefix.is_empty() || !is_simple_name(&prefix) || !is_simple_name(&suffix) {
            continue;
        }
        return Some((
            nums[0].min(100_000),
            nums[1],
            prefix,
            suffix.trim_start_matches('.').to_string(),
        ));
    }
    None
}

/// A TRS list pager written by `document.write` from variables, with no `createPageHTML` call:
/// `var currentPage = 0; var countPage = 56; … document.write("<a href=\"index_" + nextPage +
/// ".html\">下一页</a>")`. Returns (total, current 0-based, prefix, suffix); the file names come
/// from the script's `"prefix_" + …` and `+ ".ext"` pieces, `index` / `html` by default.
pub fn count_page_pager(script: &str) -> Option<(u32, u32, String, String)> {
    let total: u32 = var_value(script, "countPage")
        .or_else(|| var_value(script, "pageCount"))?
        .parse()
        .ok()?;
    if !script.contains("document.write") && !script.contains("currentPage") {
        return None;
    }
    let current: u32 = var_value(script, "currentPage")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let prefix = PAGER_PREFIX
        .re()
        .captures(script)
        .and_then(|c| c.get(1))
        .map_or("index", |m| m.as_str())
        .to_string();
    let suffix = PAGER_SUFFIX
        .re()
        .captures(script)
        .and_then(|c| c.get(1))
        .map_or("html", |m| m.as_str())
        .to_string();
    (total >= 1).then_some((total.min(100_000), current, prefix, suffix))
}

static PAGER_PREFIX: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r#"["'/]([A-Za-z][A-Za-z0-9]{0,20})_["']\s*\+"#).expect("static regex")
});
static PAGER_SUFFIX: ThreadRegex =
    ThreadRegex::new(|| Regex::new(r#"\+\s*["']\.(s?html?|jsp|php|aspx?)"#).expect("static regex"));

fn is_simple_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn unquote(s: &str) -> Option<&str> {
    let s = s.trim();
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return Some(&s[1..s.len() - 1]);
        }
    }
    None
}

/// The value assigned to an identifier in the script (`var countPage = 12;`).
fn var_value(script: &str, ident: &str) -> Option<String> {
    if ident.is_empty()
        || !ident
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    for (i, _) in script.match_indices(ident).take(64) {
        let before = script[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.')) {
            continue;
        }
        let rest = script[i + ident.len()..].trim_start_matches([' ', '\t']);
        let Some(after_eq) = rest.strip_prefix('=') else {
            continue;
        };
        if after_eq.starts_with('=') {
            continue;
        }
        let end = after_eq
            .find([';', '\n', ',', '/'])
            .unwrap_or(after_eq.len());
        let v = after_eq[..end].trim();
        if !v.is_empty() {
            return Some(v.to_string());
        }
    }
    None
}

/// Pages 1..=total of a TRS-style numbered list: `prefix.ext`, `prefix_1.ext`, ...
fn numbered_pages(base: &Url, prefix: &str, ext: &str, total: u32) -> Vec<Url> {
    (1..=total.min(MAX_PAGES))
        .filter_map(|k| {
            let name = if k == 1 {
                format!("{prefix}.{ext}")
            } else {
                format!("{prefix}_{}.{ext}", k - 1)
            };
            resolve(base, &name).ok()
        })
        .collect()
}

/// The directory part of the page's path (before its last `/`).
fn page_dir(page: &Url) -> Option<&str> {
    page.path().rsplit_once('/').map(|(dir, _)| dir)
}

/// When `u` is `prefix_N.ext` in the page's directory `page_dir` ([`page_dir`]), its (prefix,
/// ext).
fn same_dir_numbered(u: &Url, page: &Url, page_dir: &str) -> Option<(String, String)> {
    let path = u.path();
    // The same directory: the path starts with it and has no '/' after its own.
    let file = path
        .strip_prefix(page_dir)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|file| !file.contains('/'))?;
    if u.query().is_some() {
        return None;
    }
    // NUMBERED_FILE starts with letters and an underscore: most links' file names (articles
    // such as `t20220601_123.html`) fail that before the regex runs.
    let letters = file.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || file.as_bytes().get(letters) != Some(&b'_') {
        return None;
    }
    let c = NUMBERED_FILE.re().captures(file)?;
    let stem = c.get(1)?.as_str();
    let page_file = page.path().rsplit('/').next().unwrap_or("");
    let page_stem = page_file.split(['.', '_']).next().unwrap_or("");
    let listy = LIST_STEMS.contains(&stem.to_ascii_lowercase().as_str());
    if !listy && !stem.eq_ignore_ascii_case(page_stem) {
        return None;
    }
    Some((stem.to_string(), c.get(3)?.as_str().to_string()))
}

/// Current page from a `prefix_N.ext` URL (TRS: N+1), or 1 for a plain `index.*` / directory.
fn current_from_url(page: &Url) -> Option<u32> {
    let file = page.path().rsplit('/').next().unwrap_or("");
    if file.is_empty() || file.starts_with("index.") || file.starts_with("default.") {
        return Some(1);
    }
    let n: u32 = NUMBERED_FILE
        .re()
        .captures(file)?
        .get(2)?
        .as_str()
        .parse()
        .ok()?;
    Some(n + 1)
}

/// The link sits in a pager: a small ancestor (4 levels, at most 300 characters of text) named
/// like one, so a `page-wrapper` around the whole page does not count.
fn in_pager(a: Nd<'_>) -> bool {
    a.ancestors().take(4).any(|n| match n.value() {
        Node::Element(e) => {
            dom::any_class_id_token(e, |t| {
                t.starts_with("pag") || t.contains("fenye") || t == "fy" || t == "turnpage"
            }) && dom::text(n, 1400).chars().count() <= 300
        }
        _ => false,
    })
}

/// The text around the first short text run saying "共N页"; with `in_pager_only`, only runs
/// inside a pager-named element count.
fn find_total_text(root: Nd<'_>, in_pager_only: bool) -> String {
    for n in root.descendants() {
        if let Node::Text(t) = n.value() {
            if t.len() <= 200 && t.contains('页') && TOTAL_TEXT.re().is_match(t) {
                if in_pager_only && !in_pager(n) {
                    continue;
                }
                let parent = n.parent().unwrap_or(n);
                return dom::text(parent, 400);
            }
        }
    }
    String::new()
}

/// Query parameters that carry a page number (`?page=3`, `?pageIndex=3`, `?p=3`).
fn is_page_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    (n.contains("page") && !n.contains("size") && !n.contains("count") && !n.contains("total"))
        || matches!(n.as_str(), "p" | "pn" | "cp" | "curpage")
}

/// All pages 1..=total of a list paged by a query parameter, when a pager link shows which
/// one (same path as the page, a page-number parameter with a numeric value).
fn query_pages(urls: &[String], page: &Url, total: u32) -> Vec<Url> {
    let template = urls
        .iter()
        .filter_map(|u| Url::parse(u).ok())
        .find_map(|u| {
            if u.path() != page.path() {
                return None;
            }
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .take(32)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let idx = pairs.iter().position(|(k, v)| {
                is_page_param(k)
                    && !v.is_empty()
                    && v.len() <= 5
                    && v.chars().all(|c| c.is_ascii_digit())
            })?;
            Some((u, pairs, idx))
        });
    let Some((u, pairs, idx)) = template else {
        return Vec::new();
    };
    // Without the parameter the page itself is page 1; `?page=1` would only fetch it again.
    let first = if page.query_pairs().any(|(k, _)| k == pairs[idx].0.as_str()) {
        1
    } else {
        2
    };
    (first..=total.min(MAX_PAGES))
        .map(|k| {
            let mut next = u.clone();
            let mut ser = next.query_pairs_mut();
            ser.clear();
            for (i, (key, v)) in pairs.iter().enumerate() {
                if i == idx {
                    ser.append_pair(key, &k.to_string());
                } else {
                    ser.append_pair(key, v);
                }
            }
            drop(ser);
            crate::url::normalize(&next)
        })
        .collect()
}

/// (total, current) from pager text.
fn parse_total(text: &str) -> Option<(u32, Option<u32>)> {
    let mut total = None;
    let mut current = None;
    for c in TOTAL_TEXT.re().captures_iter(text) {
        if let Some(t) = c.get(1) {
            total = total.or(t.as_str().parse().ok());
        } else if let (Some(cur), Some(t)) = (c.get(2), c.get(3)) {
            current = current.or(cur.as_str().parse().ok());
            total = total.or(t.as_str().parse().ok());
        } else if let Some(cur) = c.get(4) {
            current = current.or(cur.as_str().parse().ok());
        }
    }
    let total: u32 = total?;
    (total >= 1).then_some((total.min(100_000), current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn run(html: &str, page: &str) -> Pagination {
        let d = Html::parse_document(html);
        let page = Url::parse(page).unwrap();
        let scripts: Vec<String> = d
            .tree
            .root()
            .descendants()
            .filter(|n| dom::is_tag(*n, &html5ever::local_name!("script")))
            .map(|n| {
                n.children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect()
            })
            .collect();
        extract(d.tree.root(), &page, &page, &scripts)
    }

    #[test]
    fn trs_count_page_document_write_pager() {
        let script = r#"<div class="fenye"><script type="text/javascript">
            var currentPage = 3;//所在页从0开始
            var prevPage = currentPage-1//上一页
            var nextPage = currentPage+1//下一页
            var countPage = 56//共多少页
            document.write("共"+countPage+"页&nbsp;&nbsp;");
            if (currentPage > 0) { document.write("<a href=\"index.html\">首页</a>");
              document.write("<a href=\"index_" + prevPage + ".html\">上一页</a>"); }
            if (currentPage < countPage - 1) {
              document.write("<a href=\"index_" + nextPage + ".html\">下一页</a>"); }
            </script></div>"#;
        let p = run(script, "http://www.hd.gov.cn/xxgk/tzgg/index_3.html");
        assert_eq!(p.total_pages, Some(56));
        assert_eq!(p.current_page, Some(4));
        assert_eq!(p.urls.len(), 55);
        assert_eq!(p.urls[0], "http://www.hd.gov.cn/xxgk/tzgg/index.html");
        assert_eq!(
            p.urls.last().map(String::as_str),
            Some("http://www.hd.gov.cn/xxgk/tzgg/index_55.html")
        );
        assert!(!p.urls.iter().any(|u| u.ends_with("index_3.html")));
        // Another prefix and extension, first page.
        let p = run(
            r#"<script>var currentPage = 0; var countPage = 3;
            document.write("<a href='list_" + (currentPage + 1) + ".shtml'>下一页</a>");</script>"#,
            "http://a.gov.cn/col/list.shtml",
        );
        assert_eq!(
            p.urls,
            vec![
                "http://a.gov.cn/col/list_1.shtml",
                "http://a.gov.cn/col/list_2.shtml"
            ]
        );
        // A countPage variable in unrelated script is not a pager.
        assert_eq!(
            count_page_pager("var countPage = 5; function f(){ return countPage; }"),
            None
        );
    }

    #[test]
    fn trs_create_page_html_generates_all_pages() {
        let p = run(
            r#"<div class="page"><script>createPageHTML(5, 0, "index", "html");</script></div>"#,
            "http://www.tengzhou.gov.cn/zwgk/gfxwj/index.html",
        );
        assert_eq!(p.total_pages, Some(5));
        assert_eq!(p.current_page, Some(1));
        assert_eq!(
            p.urls,
            vec![
                "http://www.tengzhou.gov.cn/zwgk/gfxwj/index_1.html",
                "http://www.tengzhou.gov.cn/zwgk/gfxwj/index_2.html",
                "http://www.tengzhou.gov.cn/zwgk/gfxwj/index_3.html",
                "http://www.tengzhou.gov.cn/zwgk/gfxwj/index_4.html",
            ]
        );
    }

    #[test]
    fn trs_variables_and_div_variant() {
        let s = "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}\n\
                 var countPage = 12;//共多少页\nvar currentPage = 2;\nvar prefixName = 'index';\nvar sufixName = 'shtml';\n\
                 createPageHTML(countPage, currentPage, prefixName, sufixName);";
        assert_eq!(
            create_page_html(s),
            Some((12, 2, "index".into(), "shtml".into()))
        );
        assert_eq!(
            create_page_html("createPageHTML('page_div',7, 1,'list','html',130);"),
            Some((7, 1, "list".into(), "html".into()))
        );
        let p = run(
            "<script>createPageHTML(3000, 1, \"index\", \"html\")</script>",
            "http://a.gov.cn/x/index_1.html",
        );
        assert_eq!(p.urls.len(), MAX_PAGES as usize - 1);
        assert_eq!(p.current_page, Some(2));
        assert!(p.urls[0].ends_with("/x/index.html"));
        assert!(create_page_html("createPageHTML(a, b, c, d)").is_none());
    }

    #[test]
    fn pager_links_and_total_text() {
        let p = run(
            r#"<div class="page">共4页　<a href="index.html">首页</a>　上一页　<a href="index_1.html">下一页</a>　<a href="index_3.html">尾页</a></div>"#,
            "http://www.tengzhou.gov.cn/zwgk/zwdt/index.html",
        );
        assert_eq!(p.total_pages, Some(4));
        assert_eq!(p.current_page, Some(1));
        assert_eq!(p.urls.len(), 3);
        assert!(p
            .urls
            .contains(&"http://www.tengzhou.gov.cn/zwgk/zwdt/index_2.html".to_string()));
    }

    #[test]
    fn numbered_pager_with_query_links() {
        let p = run(
            r#"<div class="pagination"><a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a>
               <a href="?page=2">下一页</a><span>第1/3页</span></div>"#,
            "http://www.example.gov.cn/list.jsp?page=1",
        );
        assert_eq!(p.total_pages, Some(3));
        assert_eq!(p.current_page, Some(1));
        assert_eq!(
            p.urls,
            vec![
                "http://www.example.gov.cn/list.jsp?page=2",
                "http://www.example.gov.cn/list.jsp?page=3"
            ]
        );
    }

    #[test]
    fn articles_beside_the_index_and_page_wrappers_are_not_pagination() {
        let p = run(
            &format!(
                r#"<div class="page-wrapper"><div class="nav"><a href="/index.html">首页</a></div>
               <ul><li><a href="t20220601_123.html">文章一</a></li><li><a href="post_5.html">文章二</a></li>
               <li><a href="2">2</a></li></ul>
               <p>{}</p></div>"#,
                "正文很长的一段文字，".repeat(40)
            ),
            "http://www.example.gov.cn/xwzx/index.html",
        );
        assert!(!p.found(), "{p:?}");
        let p = run(
            r#"<a href="list_2.html">2</a>"#,
            "http://www.example.gov.cn/xwzx/list.html",
        );
        assert_eq!(p.urls, vec!["http://www.example.gov.cn/xwzx/list_2.html"]);
    }

    #[test]
    fn query_paged_lists_generate_all_pages() {
        let p = run(
            r#"<div class="ewb-page"><a href="?categoryNum=002001&pageIndex=2">下一页</a> 共4页</div>"#,
            "http://ggzy.example.gov.cn/jyxx/list.aspx?categoryNum=002001&pageIndex=1",
        );
        assert_eq!(p.total_pages, Some(4));
        assert_eq!(p.urls.len(), 3, "{:?}", p.urls);
        assert!(p.urls.contains(
            &"http://ggzy.example.gov.cn/jyxx/list.aspx?categoryNum=002001&pageIndex=4".to_string()
        ));
    }

    #[test]
    fn total_text_alone_needs_a_pager() {
        let p = run(
            "<div class=\"TRS_Editor\"><p>附件：全文共3页</p></div>",
            "http://a.gov.cn/x/y.html",
        );
        assert!(!p.found());
        let p = run(
            "<div class=\"page\"><span>共3页</span><a href=\"javascript:go(2)\">下一页</a></div>",
            "http://a.gov.cn/x/",
        );
        assert_eq!(p.total_pages, Some(3));
    }

    #[test]
    fn home_link_outside_pager_is_not_pagination() {
        let p = run(
            r#"<div class="nav"><a href="/index.html">首页</a><a href="/zwgk/">1</a></div>"#,
            "http://www.example.gov.cn/zwgk/list/index.html",
        );
        assert!(!p.found());
        assert!(p.urls.is_empty());
    }
}
