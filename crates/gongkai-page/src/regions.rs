//! Where on a page a link sits ([`LinkRegion`]): the article's own content, a block of the
//! article headed 相关解读 / 政策解读 / 相关文件 / 相关链接 / 附件, template chrome (navigation,
//! header, footer, breadcrumb, sidebars), or undecided.
//!
//! The distinction matters because every page of a 信息公开 template links to columns such as
//! 政策解读: only a document's own links say anything about the document.

use crate::dom::{self, Nd};
use crate::labels::normalize_label;
use crate::model::LinkRegion;
use ego_tree::NodeId;
use rustc_hash::FxHashMap;
use scraper::Node;
use std::cell::RefCell;

/// Ancestors looked at above a link.
const MAX_DEPTH: usize = 40;
/// Ancestors of a link that may be its related block.
const RELATED_DEPTH: usize = 6;
/// Longest heading text (chars) of a related block.
const MAX_HEADING_CHARS: usize = 12;

/// Headings of blocks that belong to the article.
const RELATED_HEADINGS: [&str; 14] = [
    "相关解读",
    "政策解读",
    "相关文件",
    "相关链接",
    "附件",
    "相关附件",
    "附件下载",
    "解读材料",
    "文件解读",
    "图文解读",
    "图解",
    "原文链接",
    "相关政策",
    "关联文件",
];

/// Class / id tokens of such blocks.
const RELATED_TOKENS: [&str; 11] = [
    "xgjd",
    "xgwj",
    "xglj",
    "xgfj",
    "related",
    "relation",
    "relevant",
    "fujian",
    "attach",
    "attachment",
    "attachments",
];

/// Whether `n` is the `body` or `html` element (names compared as atoms: this runs for the
/// ancestors of every link).
fn is_body_or_html(n: Nd<'_>) -> bool {
    use html5ever::local_name;
    n.value()
        .as_element()
        .is_some_and(|e| e.name.local == local_name!("body") || e.name.local == local_name!("html"))
}

/// Decides regions for the links of one page, given its article body container.
pub struct Regions<'a> {
    container: Option<NodeId>,
    /// Ancestors of the container: layout columns (`div.left` holding the article), never chrome.
    around: Vec<NodeId>,
    /// The part of the page that holds the article: the container's grandparent (or parent,
    /// when that is the body already). Related blocks must be inside it.
    article: Option<Nd<'a>>,
    /// [`is_chrome`] and [`is_related_block`] per element: links share most of their ancestors.
    chrome_memo: RefCell<FxHashMap<NodeId, bool>>,
    related_memo: RefCell<FxHashMap<NodeId, bool>>,
    /// [`Chain`] per element: the links under one element share its chain.
    chain_memo: RefCell<FxHashMap<NodeId, Chain>>,
}

/// What [`Regions::of`] asks of a link's ancestors, for the chain from an element up to (not
/// including) the body: its length and whether the container, a chrome element outside the
/// container's ancestors, or the article part is on it.
#[derive(Clone, Copy, Default)]
struct Chain {
    len: usize,
    container: bool,
    chrome: bool,
    article: bool,
}

impl<'a> Regions<'a> {
    pub fn new(container: Option<Nd<'a>>) -> Self {
        let article = container.map(|c| {
            let mut a = c;
            for _ in 0..2 {
                match a.parent() {
                    Some(p) if !matches!(dom::tag(p), Some("body" | "html") | None) => a = p,
                    _ => break,
                }
            }
            a
        });
        Regions {
            container: container.map(|c| c.id()),
            around: container
                .map(|c| c.ancestors().take(MAX_DEPTH).map(|a| a.id()).collect())
                .unwrap_or_default(),
            article,
            chrome_memo: RefCell::default(),
            related_memo: RefCell::default(),
            chain_memo: RefCell::default(),
        }
    }

    fn chrome(&self, n: Nd<'_>) -> bool {
        *self
            .chrome_memo
            .borrow_mut()
            .entry(n.id())
            .or_insert_with(|| is_chrome(n))
    }

    fn related(&self, n: Nd<'_>) -> bool {
        *self
            .related_memo
            .borrow_mut()
            .entry(n.id())
            .or_insert_with(|| is_related_block(n))
    }

    /// The [`Chain`] from `x` up: worked out once per element, from the nearest ancestor already
    /// known (iteratively: nesting may be deep).
    fn chain(&self, x: Nd<'_>) -> Chain {
        let mut todo: Vec<Nd<'_>> = Vec::new();
        let mut cur = Some(x);
        let mut known = Chain::default();
        while let Some(e) = cur {
            if is_body_or_html(e) {
                break;
            }
            if let Some(c) = self.chain_memo.borrow().get(&e.id()) {
                known = *c;
                break;
            }
            todo.push(e);
            cur = e.parent();
        }
        for e in todo.into_iter().rev() {
            let id = e.id();
            known = Chain {
                len: known.len + 1,
                container: known.container || self.container == Some(id),
                chrome: known.chrome || (!self.around.contains(&id) && self.chrome(e)),
                article: known.article || self.article.is_some_and(|a| a.id() == id),
            };
            self.chain_memo.borrow_mut().insert(id, known);
        }
        known
    }

    /// The region of the link element `n`.
    pub fn of(&self, n: Nd<'_>) -> LinkRegion {
        // Within MAX_DEPTH of the body the ancestors looked at are the whole chain, which is
        // known from the link's parent; deeper links walk their nearest MAX_DEPTH ancestors.
        let chain = n.parent().map(|p| self.chain(p)).unwrap_or_default();
        if chain.len > MAX_DEPTH {
            return self.of_deep(n);
        }
        if self.container.is_some_and(|c| n.id() == c) || chain.container {
            return LinkRegion::Content;
        }
        if chain.chrome {
            return LinkRegion::Chrome;
        }
        let related = n
            .ancestors()
            .take_while(|a| !is_body_or_html(*a))
            .take(RELATED_DEPTH)
            .any(|a| self.related(a));
        if related && (self.article.is_none() || chain.article) {
            return LinkRegion::Related;
        }
        LinkRegion::Other
    }

    /// [`Regions::of`] for a link nested deeper than MAX_DEPTH below the body.
    fn of_deep(&self, n: Nd<'_>) -> LinkRegion {
        let ancestors: Vec<Nd<'_>> = n
            .ancestors()
            .take(MAX_DEPTH)
            .take_while(|a| !is_body_or_html(*a))
            .collect();
        if let Some(c) = self.container {
            if n.id() == c || ancestors.iter().any(|a| a.id() == c) {
                return LinkRegion::Content;
            }
        }
        if ancestors
            .iter()
            .any(|a| !self.around.contains(&a.id()) && self.chrome(*a))
        {
            return LinkRegion::Chrome;
        }
        let related = ancestors
            .iter()
            .take(RELATED_DEPTH)
            .any(|a| self.related(*a));
        if related {
            let belongs = match self.article {
                Some(art) => ancestors.iter().any(|a| a.id() == art.id()),
                None => true,
            };
            if belongs {
                return LinkRegion::Related;
            }
        }
        LinkRegion::Other
    }
}

/// Template chrome: [`dom::is_chrome_element`], `aside`, ARIA navigation roles, breadcrumbs and
/// class/id tokens naming menus, sidebars, headers and top bars.
fn is_chrome(n: Nd<'_>) -> bool {
    let Node::Element(e) = n.value() else {
        return false;
    };
    if dom::is_chrome_element(e) || e.name() == "aside" {
        return true;
    }
    if dom::el_attr(e, "role").is_some_and(|r| {
        matches!(
            r.to_ascii_lowercase().as_str(),
            "navigation" | "banner" | "contentinfo" | "menubar" | "menu"
        )
    }) {
        return true;
    }
    dom::any_class_id_token(e, |t| {
        t.contains("nav")
            || t.contains("menu")
            || t.contains("crumb")
            || t.starts_with("head")
            || t.starts_with("top")
            || t.starts_with("side")
            || t.starts_with("left")
            || t.starts_with("foot")
            || matches!(
                t,
                "position" | "location" | "dqwz" | "curpos" | "weizhi" | "lujing" | "currchnlcls"
            )
    })
}

/// A block headed by a related-material heading, or classed like one.
fn is_related_block(n: Nd<'_>) -> bool {
    let Node::Element(e) = n.value() else {
        return false;
    };
    if dom::any_class_id_token(e, |t| RELATED_TOKENS.contains(&t)) {
        return true;
    }
    // Leading text of its own ("<p>相关解读：<a>…</a></p>").
    let lead = n
        .children()
        .find(|c| !c.value().as_text().is_some_and(|t| t.trim().is_empty()));
    if let Some(t) = lead.and_then(|c| c.value().as_text().map(|t| t.to_string())) {
        if t.chars().count() <= 40 && is_related_heading(&t) {
            return true;
        }
    }
    // Its first child element, or the element just before it, is the heading.
    let first = dom::child_elements(n).next();
    let prev = n.prev_siblings().find(|s| s.value().is_element());
    [first, prev]
        .into_iter()
        .flatten()
        .filter(|h| {
            !dom::is_tag(*h, &html5ever::local_name!("a")) && h.descendants().take(8).count() < 8
        })
        .any(|h| is_related_heading(&dom::text(h, 64)))
}

fn is_related_heading(text: &str) -> bool {
    let t = normalize_label(text);
    t.chars().count() <= MAX_HEADING_CHARS && RELATED_HEADINGS.iter().any(|h| t.starts_with(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LinkRegion::*;
    use scraper::Html;

    fn regions(html: &str) -> Vec<(String, LinkRegion)> {
        let d = Html::parse_document(html);
        let root = d.tree.root();
        let container = crate::content::body_container(root);
        let r = Regions::new(container);
        root.descendants()
            .filter(|n| dom::is_tag(*n, &html5ever::local_name!("a")))
            .map(|a| (dom::text(a, 100), r.of(a)))
            .collect()
    }

    /// Only the nearest MAX_DEPTH ancestors count, whether a link's chain is remembered (shallow)
    /// or walked (deep); links sharing ancestors get the same answers in either order.
    #[test]
    fn ancestor_window_is_kept() {
        let nested = |depth: usize| {
            format!(
                "<body><div class=\"nav\">{}<a href=\"/x\">深</a>{}<a href=\"/y\">浅</a></div></body>",
                "<div>".repeat(depth),
                "</div>".repeat(depth)
            )
        };
        let v = regions(&nested(MAX_DEPTH - 1));
        assert_eq!(v[0].1, Chrome);
        assert_eq!(v[1].1, Chrome);
        let v = regions(&nested(MAX_DEPTH + 5));
        assert_eq!(v[0].1, Other);
        assert_eq!(v[1].1, Chrome);
    }

    #[test]
    fn template_nav_related_block_and_content() {
        let v = regions(
            r#"<body><div class="header"><a href="/">首页</a></div>
            <ul class="topmenu"><li><a href="/zcjd/">政策解读</a></li></ul>
            <div class="position"><a href="/">首页</a> > <a href="/zwgk/">政务公开</a></div>
            <div class="main"><div class="article">
              <h1>关于印发某某办法的通知</h1>
              <div class="TRS_Editor"><p>正文内容较长的一段文字。<a href="./P1.pdf">附件1</a></p></div>
              <div class="box"><h3>相关解读：</h3><ul><li><a href="/zcjd/1.html">《某某办法》解读</a></li></ul></div>
            </div></div>
            <div class="left"><h3>政策解读</h3><ul><li><a href="/zcjd/9.html">另一份解读</a></li></ul></div>
            <div class="footer"><a href="/about">关于我们</a></div>
            <div class="misc"><a href="/x">其他</a></div></body>"#,
        );
        let got: Vec<LinkRegion> = v.iter().map(|(_, r)| *r).collect();
        assert_eq!(
            got,
            vec![Chrome, Chrome, Chrome, Chrome, Content, Related, Chrome, Chrome, Other],
            "{v:?}"
        );
    }

    #[test]
    fn layout_column_holding_the_article_is_not_chrome() {
        let v = regions(
            r#"<body><div class="main-left"><div class="TRS_Editor"><p>正文内容较长的一段文字。</p></div>
            <div class="xgjd"><a href="/zcjd/3.html">本文件的解读</a></div></div>
            <div class="main-right"><ul class="sidemenu"><li><a href="/zcjd/">政策解读</a></li></ul></div></body>"#,
        );
        assert_eq!(v[0].1, Related);
        assert_eq!(v[1].1, Chrome);
    }

    #[test]
    fn inline_related_line() {
        let v = regions(
            r#"<body><div class="art"><div class="TRS_Editor"><p>正文内容较长的一段文字。</p></div>
            <p>相关解读：<a href="/zcjd/5.html">解读文章</a></p></div></body>"#,
        );
        assert_eq!(v[0].1, Related);
    }

    #[test]
    fn related_block_away_from_the_article_is_not_the_documents() {
        let v = regions(
            r#"<body><div class="wrap"><div class="con"><div class="TRS_Editor"><p>正文内容较长的一段文字。</p></div></div></div>
            <div class="recommend"><div class="tit">政策解读</div><a href="/zcjd/2.html">别的解读</a></div></body>"#,
        );
        assert_eq!(v[0].1, Other);
    }
}
