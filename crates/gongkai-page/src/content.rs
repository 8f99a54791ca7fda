//! What the page says on its face: `<title>`, the article heading, the breadcrumb trail, the main
//! text, and two warnings about what kind of response this really is (an anti-bot challenge, or
//! an error page served with status 200).
//!
//! Main text prefers a known article-body container (TRS `.TRS_Editor`, `#zoom`, Kaipu
//! `#UCAP-CONTENT`, Hanweb `.bt-article`, gov.cn `.pages_content` ...), falling back to the body
//! minus navigation, header and footer. The heading prefers a lone `h1`, then the ArticleTitle
//! meta, then title-like classes, always outside page chrome.

use crate::dom::{self, Nd};
use crate::thread_regex::ThreadRegex;
use regex::Regex;
use scraper::Node;

/// Main text cap (bytes).
pub const MAX_TEXT: usize = 200 * 1024;
const MAX_TITLE: usize = 1024;
const MAX_HEADING_CHARS: usize = 200;

/// Article body containers, most specific first: (is_id, name) matched case-sensitively on class
/// tokens / id.
const BODY_CONTAINERS: &[(bool, &str)] = &[
    (true, "UCAP-CONTENT"),
    (false, "TRS_Editor"),
    (false, "TRS_UEDITOR"),
    (true, "zoom"),
    (true, "Zoom"),
    (false, "zoom"),
    (true, "fontzoom"),
    (false, "bt-article"),
    (false, "pages_content"),
    (false, "article-content"),
    (false, "article_content"),
    (false, "art_con"),
    (false, "view"),
    (true, "xxgk_content"),
    (false, "wzy_content"),
    (true, "content"),
    (false, "article"),
    (false, "content"),
];

static BREADCRUMB_MARK: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"^(?:当前位置|您现在的位置|你现在的位置|您的位置|你的位置|您当前的位置|所在位置|当前所在位置|现在的位置)\s*[:：是]?\s*")
        .expect("static regex")
});

static CRUMB_SPLIT: ThreadRegex = ThreadRegex::new(|| {
    Regex::new(r"\s*(?:-+>|—+>|=+>|>>|>|＞|›|»|→|/|\\)\s*").expect("static regex")
});

/// `<title>` text, whitespace-collapsed.
pub fn title(root: Nd<'_>) -> String {
    root.descendants()
        .take(100_000)
        .find(|n| dom::is_tag(*n, &html5ever::local_name!("title")))
        .map(|t| {
            let raw: String = t
                .children()
                .filter_map(|c| c.value().as_text().map(|x| x.to_string()))
                .collect();
            let mut s = dom::collapse(&raw);
            dom::truncate(&mut s, MAX_TITLE);
            s
        })
        .unwrap_or_default()
}

/// The article body container, if the page has one with some text.
pub fn body_container(root: Nd<'_>) -> Option<Nd<'_>> {
    let mut best: Option<(usize, Nd<'_>)> = None;
    for n in root.descendants() {
        let Node::Element(e) = n.value() else {
            continue;
        };
        // Most elements carry neither. The class list is read from the attribute as scraper's
        // `classes()` reads it (split on ASCII whitespace) without interning every class.
        let (id, class) = (dom::el_attr(e, "id"), dom::el_attr(e, "class"));
        if id.is_none() && class.is_none() {
            continue;
        }
        // The first entry either attribute matches: the id and each class token are looked up
        // once (not the class list split again per entry).
        let rank_of = |is_id: bool, v: &str| {
            BODY_CONTAINERS
                .iter()
                .position(|(i, name)| *i == is_id && *name == v)
        };
        let mut rank = id.and_then(|v| rank_of(true, v));
        for c in class.into_iter().flat_map(str::split_ascii_whitespace) {
            if let Some(r) = rank_of(false, c) {
                rank = Some(rank.map_or(r, |best| best.min(r)));
            }
        }
        let Some(rank) = rank else { continue };
        if best.as_ref().is_some_and(|(r, _)| *r <= rank) {
            continue;
        }
        if dom::in_chrome(n) {
            continue;
        }
        // A container with almost no text is a wrapper or a placeholder.
        let t = dom::text(n, 64);
        if t.chars().count() < 10 && !has_media(n) {
            continue;
        }
        best = Some((rank, n));
        if rank == 0 {
            break;
        }
    }
    best.map(|(_, n)| n)
}

fn has_media(n: Nd<'_>) -> bool {
    n.descendants().take(2000).any(|d| {
        matches!(
            dom::tag(d),
            Some("img" | "a" | "iframe" | "embed" | "object" | "video")
        )
    })
}

/// Main text: the body container's text when there is one, else the body's text without
/// navigation, header and footer.
pub fn main_text(root: Nd<'_>, container: Option<Nd<'_>>) -> String {
    if let Some(c) = container {
        return dom::text(c, MAX_TEXT);
    }
    let body = root
        .descendants()
        .find(|n| dom::is_tag(*n, &html5ever::local_name!("body")))
        .unwrap_or(root);
    dom::text_skipping(body, MAX_TEXT, &|el| dom::is_chrome_element(el.value()))
}

/// Budget (bytes) of the visible body text (chrome included) the challenge test reads.
const CHALLENGE_BODY_BUDGET: usize = 64 * 1024;
/// Pages of at most this many markup bytes have their body text read to its end or to
/// [`CHALLENGE_TEXT_BYTES`] by the challenge test: the gather gives up only past about twice
/// its budget of raw text and block boundaries (2 × 64 KB + 1 KB), and a page has less of
/// those than twice its markup (a decoded text is at most 6/5 of its markup, the two
/// boundaries of an element come from a tag of 3 bytes or more).
const MAX_SHORTCUT_HTML: usize = 60 * 1024;

/// Whether the page is an anti-bot challenge: [`is_challenge`] of the first
/// [`CHALLENGE_TEXT_BYTES`] of visible body text. The body is not gathered when the article
/// container, whose text is part of it, already shows more text than a challenge page has
/// (`container_chars`: the main text's characters).
pub fn challenge(
    html: &str,
    root: Nd<'_>,
    container: Option<Nd<'_>>,
    container_chars: Option<usize>,
) -> bool {
    let body = body_of(root);
    if let (Some(c), Some(chars)) = (container, container_chars) {
        if chars > CHALLENGE_TEXT_CHARS && html.len() <= MAX_SHORTCUT_HTML && visible_in(c, body) {
            return false;
        }
    }
    let text = dom::text_prefix(body, CHALLENGE_BODY_BUDGET, CHALLENGE_TEXT_BYTES);
    is_challenge(html, &text)
}

/// Whether `node` is `body` or inside it with no invisible element (`script`, `noscript` ...)
/// on the way, itself included: all its text is then part of the body's visible text.
fn visible_in(node: Nd<'_>, body: Nd<'_>) -> bool {
    let mut cur = Some(node);
    while let Some(n) = cur {
        if n.id() == body.id() {
            return true;
        }
        if n.value()
            .as_element()
            .is_some_and(|e| dom::is_invisible_tag(e.name()))
        {
            return false;
        }
        cur = n.parent();
    }
    false
}

fn body_of(root: Nd<'_>) -> Nd<'_> {
    root.descendants()
        .find(|n| dom::is_tag(*n, &html5ever::local_name!("body")))
        .unwrap_or(root)
}

/// The article heading: a lone non-chrome `h1`; else the ArticleTitle meta; else a title-like
/// element (class/id token `title`, `bt`, `tit` ...) whose text the `<title>` contains; else the
/// first such element inside the body container.
pub fn heading(
    root: Nd<'_>,
    page_title: &str,
    article_title_meta: Option<&str>,
    container: Option<Nd<'_>>,
) -> Option<String> {
    let mut h1s = Vec::new();
    let mut titled = Vec::new();
    for n in root.descendants() {
        let Node::Element(e) = n.value() else {
            continue;
        };
        let name = e.name();
        let title_like = name == "h1"
            || dom::any_class_id_token(e, |t| {
                matches!(
                    t,
                    "title"
                        | "arttitle"
                        | "articletitle"
                        | "bt"
                        | "tit"
                        | "biaoti"
                        | "xltitle"
                        | "newstitle"
                        | "detailtitle"
                        | "contitle"
                )
            });
        if !title_like || matches!(name, "body" | "html" | "head" | "title" | "meta") {
            continue;
        }
        if dom::in_chrome(n) {
            continue;
        }
        let t = dom::text(n, MAX_HEADING_CHARS * 4);
        let chars = t.chars().count();
        if !(2..=MAX_HEADING_CHARS).contains(&chars) {
            continue;
        }
        // The site name set as a header h1 (title "文章_滕州市人民政府", h1 "滕州市人民政府").
        let is_site_name = page_title.len() > t.len()
            && page_title.ends_with(t.as_str())
            && page_title[..page_title.len() - t.len()]
                .trim_end()
                .ends_with(['_', '-', '|', '｜', '—', '–']);
        if is_site_name {
            continue;
        }
        if name == "h1" {
            h1s.push(t);
        } else if titled.len() < 50 {
            titled.push((n, t));
        }
    }
    if h1s.len() == 1 {
        return h1s.pop();
    }
    if let Some(m) = article_title_meta
        .map(dom::collapse)
        .filter(|m| !m.is_empty())
    {
        return Some(m);
    }
    if let Some(h) = h1s.iter().find(|h| page_title.contains(h.as_str())) {
        return Some(h.clone());
    }
    if let Some((_, t)) = titled
        .iter()
        .find(|(_, t)| t.chars().count() >= 4 && page_title.contains(t.as_str()))
    {
        return Some(t.clone());
    }
    if let Some(c) = container {
        // The first title-like element inside the container's parent (just above the body).
        if let Some(parent) = c.parent() {
            let found = titled.iter().find(|(n, t)| {
                t.chars().count() >= 4 && n.ancestors().take(12).any(|a| a.id() == parent.id())
            });
            if let Some((_, t)) = found {
                return Some(t.clone());
            }
        }
    }
    None
}

/// Breadcrumb trail texts, home first, from a "当前位置：首页 > … > …" element or a
/// breadcrumb-classed element.
///
/// The marker's own text node anchors the search: its parent (or, when that is a bare label
/// like `<span>当前位置：</span>`, the nearest ancestor holding links) is the breadcrumb, so a
/// big container that merely starts with the breadcrumb is never taken for it.
pub fn breadcrumb(root: Nd<'_>) -> Vec<String> {
    let mut fallback: Option<Vec<String>> = None;
    for n in root.descendants() {
        match n.value() {
            Node::Text(t) => {
                // Every marker holds 位置, which collapsing cannot make out of other text.
                if t.len() > 600 || !t.contains("位置") {
                    continue;
                }
                let lead = dom::collapse(t);
                if !BREADCRUMB_MARK.re().is_match(&lead) {
                    continue;
                }
                let Some(el) = crumb_container(n) else {
                    continue;
                };
                let t = dom::text(el, 800);
                if t.chars().count() > 200 {
                    continue;
                }
                let crumbs = split_crumbs(&BREADCRUMB_MARK.re().replace(&t, ""));
                if !crumbs.is_empty() {
                    return crumbs;
                }
            }
            Node::Element(e) => {
                if fallback.is_some() || matches!(e.name(), "body" | "html" | "head") {
                    continue;
                }
                if is_crumb_classed(n)
                    && n.descendants()
                        .take(400)
                        .any(|d| dom::is_tag(d, &html5ever::local_name!("a")))
                {
                    let t = dom::text(n, 800);
                    if t.chars().count() <= 200 {
                        let mut crumbs = split_crumbs(&BREADCRUMB_MARK.re().replace(&t, ""));
                        if crumbs.len() < 2 {
                            crumbs = item_crumbs(n);
                        }
                        if crumbs.len() >= 2 {
                            fallback = Some(crumbs);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    fallback
        .or_else(|| curr_chnl_crumbs(root))
        .unwrap_or_default()
}

/// TRS templates print the trail as `<a class="CurrChnlCls">` links joined by `->` or `>`, often
/// with no 当前位置 marker: the trail is the smallest element holding all those links.
fn curr_chnl_crumbs(root: Nd<'_>) -> Option<Vec<String>> {
    let links: Vec<Nd<'_>> = root
        .descendants()
        .filter(|n| {
            dom::is_tag(*n, &html5ever::local_name!("a"))
                && dom::attr(*n, "class").is_some_and(|c| {
                    c.split_whitespace()
                        .any(|t| t.eq_ignore_ascii_case("CurrChnlCls"))
                })
        })
        .take(30)
        .collect();
    let first = links.first()?;
    let holder = first.ancestors().take(6).find(|a| {
        links
            .iter()
            .all(|l| l.ancestors().take(8).any(|x| x.id() == a.id()))
    })?;
    let t = dom::text(holder, 800);
    if t.chars().count() > 200 {
        return None;
    }
    let crumbs = split_crumbs(&BREADCRUMB_MARK.re().replace(&t, ""));
    (!crumbs.is_empty()).then_some(crumbs)
}

/// The element holding a breadcrumb marker text node: its parent, or up to two levels higher
/// when the parent is a bare label with no link.
fn crumb_container(text: Nd<'_>) -> Option<Nd<'_>> {
    let mut el = text.parent()?;
    for _ in 0..2 {
        let has_link = el
            .descendants()
            .take(400)
            .any(|d| dom::is_tag(d, &html5ever::local_name!("a")));
        if has_link || dom::text(el, 400).chars().count() > 12 {
            return Some(el);
        }
        el = el.parent()?;
    }
    Some(el)
}

fn is_crumb_classed(n: Nd<'_>) -> bool {
    n.value().as_element().is_some_and(|e| {
        dom::any_class_id_token(e, |t| {
            t.contains("crumb")
                || t.starts_with("position")
                || t.starts_with("location")
                || t.starts_with("dqwz")
                || t.starts_with("curpos")
                || matches!(
                    t,
                    "weizhi" | "lujing" | "bread" | "currentpath" | "curposition" | "dangqian"
                )
        })
    })
}

/// Crumbs printed as list items with CSS separators (`<ol class="breadcrumb"><li>…</li>`).
fn item_crumbs(n: Nd<'_>) -> Vec<String> {
    n.descendants()
        .take(400)
        .filter(|d| dom::is_tag(*d, &html5ever::local_name!("li")))
        .map(|li| dom::text(li, 160))
        .filter(|t| !t.is_empty() && t.chars().count() <= 40)
        .take(20)
        .collect()
}

fn split_crumbs(s: &str) -> Vec<String> {
    CRUMB_SPLIT
        .re()
        .split(s)
        .map(|p| {
            dom::collapse(p)
                .trim_matches(|c: char| c == '：' || c == ':')
                .to_string()
        })
        .filter(|p| !p.is_empty() && p.chars().count() <= 40)
        .take(20)
        .collect()
}

/// Known anti-bot markers in scripts or markup (瑞数 `$_ts`, 加速乐 `__jsl_clearance`, Aliyun
/// `acw_sc__v2`, 云锁 `yunsuo_session_verify`, 网站卫士 `wzws`, 安全狗 ...).
const CHALLENGE_MARKERS: [&str; 11] = [
    "$_ts",
    "__jsl_clearance",
    "acw_sc__v2",
    "yunsuo_session_verify",
    "wzws_cid",
    "wzwschallenge",
    "safedog",
    "_guard/auto.js",
    "challenge-platform",
    "r='m'",
    "r=\"m\"",
];

/// More visible characters than this and a page is no challenge.
const CHALLENGE_TEXT_CHARS: usize = 300;
/// Bytes of visible text that surely hold more than [`CHALLENGE_TEXT_CHARS`] characters.
pub const CHALLENGE_TEXT_BYTES: usize = (CHALLENGE_TEXT_CHARS + 1) * 4;

/// True when the page looks like an anti-bot challenge: little visible text and scripts that set
/// cookies / eval, or a known wall's marker.
pub fn is_challenge(html: &str, visible_text: &str) -> bool {
    // Only whether the visible text exceeds CHALLENGE_TEXT_CHARS matters: callers may pass a
    // prefix of CHALLENGE_TEXT_BYTES or more.
    let visible = visible_text.chars().count();
    if visible > CHALLENGE_TEXT_CHARS {
        return false;
    }
    let head = &html[..floor_boundary(html, 256 * 1024)];
    let lower = head.to_ascii_lowercase();
    if CHALLENGE_MARKERS
        .iter()
        .any(|m| lower.contains(&m.to_ascii_lowercase()))
    {
        return true;
    }
    let scripted_cookie = lower.contains("document.cookie") || lower.contains("eval(");
    let reloads = lower.contains("location.reload")
        || lower.contains("location.href")
        || lower.contains("location.replace")
        || lower.contains("window.location");
    visible < 100 && lower.contains("<script") && scripted_cookie && reloads
}

fn floor_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

const ERROR_PHRASES: [&str; 16] = [
    "页面不存在",
    "页面未找到",
    "找不到该页面",
    "找不到页面",
    "页面找不到",
    "页面已删除",
    "已被删除",
    "已删除",
    "信息不存在",
    "文章不存在",
    "内容不存在",
    "无法找到该页",
    "访问的页面",
    "not found",
    "404",
    "页面已失效",
];

const ERROR_TITLE_PHRASES: [&str; 12] = [
    "404 not found",
    "404错误",
    "404页面",
    "error 404",
    "not found",
    "页面不存在",
    "页面未找到",
    "找不到页面",
    "找不到该页面",
    "错误页面",
    "出错了",
    "页面已删除",
];

/// Other text (non-space chars) beside an error phrase above which the page is real content: an
/// error page says little more than "页面不存在，返回首页".
const MAX_ERROR_OTHER_CHARS: usize = 200;
/// Main content (non-space chars) above which a page is never an error page, whatever its title.
const MAX_ERROR_PAGE_CHARS: usize = 1000;

/// True when the page looks like an error page served as a normal one, judged on its main
/// content (the article body, else the body without navigation, header and footer): a short
/// title saying so over little content, or an error phrase with under ~200 characters of other
/// text. A real page that mentions 页面不存在 among substantial content is not an error page.
pub fn looks_like_error(title: &str, main_text: &str) -> bool {
    let t = title.to_lowercase();
    let short = t.chars().count() <= 30;
    let main_chars = || main_text.chars().filter(|c| !c.is_whitespace()).count();
    if short
        && main_chars() < MAX_ERROR_PAGE_CHARS
        && (t.trim_start().starts_with("404") || ERROR_TITLE_PHRASES.iter().any(|p| t.contains(p)))
    {
        return true;
    }
    // Removing one phrase takes at most its own characters away (lower-casing never removes
    // any): text this long keeps too much other text whatever it says, so it is not lowered
    // and searched at all.
    let longest = ERROR_PHRASES
        .iter()
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
        .max()
        .unwrap_or(0);
    let enough = MAX_ERROR_OTHER_CHARS + longest;
    if main_text
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(enough)
        .count()
        >= enough
    {
        return false;
    }
    let lower = dom::lowercase(main_text);
    let Some(p) = ERROR_PHRASES.iter().find(|p| contains_phrase(&lower, p)) else {
        return false;
    };
    let other = lower.replacen(p, "", 1);
    other.chars().filter(|c| !c.is_whitespace()).count() < MAX_ERROR_OTHER_CHARS
}

/// Substring test where a numeric phrase ("404") must not be glued to other digits.
fn contains_phrase(hay: &str, phrase: &str) -> bool {
    if !phrase.starts_with(|c: char| c.is_ascii_digit()) {
        return hay.contains(phrase);
    }
    hay.match_indices(phrase).any(|(i, m)| {
        let before = hay[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit());
        let after = hay[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        !before && !after
    })
}

#[cfg(test)]
mod tests;
