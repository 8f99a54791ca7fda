//! Small DOM helpers shared by the extractors: bounded, iterative text gathering, whitespace
//! collapsing that understands full-width spaces, and "page chrome" (nav / header / footer)
//! detection.
//!
//! Everything walks the tree iteratively (`traverse`), never recursively, so a hostile page with
//! absurd nesting cannot overflow the stack, and every text gatherer takes a byte budget.

use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::{ElementRef, Node};

pub type Nd<'a> = NodeRef<'a, Node>;

/// Marker inserted at element boundaries by [`marked_text`]; never appears in page text output.
pub const BOUNDARY: char = '\u{1}';

/// Tags whose text is never visible content.
pub fn is_invisible_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "title"
            | "select"
            | "option"
            | "textarea"
            | "iframe"
            | "object"
            | "svg"
    )
}

/// Block-level tags: their boundaries separate words.
pub fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "br"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "center"
            | "caption"
    )
}

/// Whitespace as pages use it: Unicode whitespace (incl. U+3000 and NBSP) plus zero-width chars.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}')
}

/// Collapses runs of whitespace into one ASCII space and trims.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if is_space(c) {
            pending = !out.is_empty();
        } else {
            if pending {
                out.push(' ');
                pending = false;
            }
            out.push(c);
        }
    }
    out
}

/// Truncates to at most `max` bytes on a char boundary.
pub fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

/// Visible text of `node`, whitespace-collapsed, block boundaries as spaces, at most `max` bytes.
pub fn text(node: Nd<'_>, max: usize) -> String {
    gather(node, max, false, &|_| false)
}

/// Like [`text`] but also skips subtrees for which `skip` returns true.
pub fn text_skipping(node: Nd<'_>, max: usize, skip: &dyn Fn(ElementRef<'_>) -> bool) -> String {
    gather(node, max, false, skip)
}

/// Visible text with [`BOUNDARY`] at every element boundary (inline ones too), whitespace
/// collapsed. Lets label parsers see `<span>发布</span><span>日期</span>` as one label while still
/// knowing where elements met.
pub fn marked_text(node: Nd<'_>, max: usize) -> String {
    gather(node, max, true, &|_| false)
}

fn gather(node: Nd<'_>, max: usize, mark: bool, skip: &dyn Fn(ElementRef<'_>) -> bool) -> String {
    let mut raw = String::new();
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => {
                if skipping.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => raw.push_str(t),
                    Node::Element(e) => {
                        let name = e.name();
                        let el = ElementRef::wrap(n);
                        if n.id() != node.id() && (is_invisible_tag(name) || el.is_some_and(skip)) {
                            skipping = Some(n.id());
                            continue;
                        }
                        if mark {
                            raw.push(BOUNDARY);
                        } else if is_block_tag(name) {
                            raw.push(' ');
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if skipping == Some(n.id()) {
                    skipping = None;
                    continue;
                }
                if skipping.is_some() {
                    continue;
                }
                if let Node::Element(e) = n.value() {
                    if mark {
                        raw.push(BOUNDARY);
                    } else if is_block_tag(e.name()) {
                        raw.push(' ');
                    }
                }
            }
        }
        if raw.len() > max.saturating_mul(2).saturating_add(1024) {
            break;
        }
    }
    let mut out = if mark {
        collapse_marked(&raw)
    } else {
        collapse(&raw)
    };
    truncate(&mut out, max);
    out
}

/// Collapses whitespace while keeping boundary markers; runs of markers become one marker and
/// spaces next to a marker are dropped.
fn collapse_marked(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    let mut marker = false;
    for c in s.chars() {
        if c == BOUNDARY {
            marker = true;
        } else if is_space(c) {
            space = true;
        } else {
            if marker {
                out.push(BOUNDARY);
            } else if space && !out.is_empty() {
                out.push(' ');
            }
            marker = false;
            space = false;
            out.push(c);
        }
    }
    out
}

/// Class and id tokens of an element, lower-cased, split on `-`, `_` and whitespace.
pub fn class_id_tokens(el: &scraper::node::Element) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        for t in s.split(|c: char| c == '-' || c == '_' || c.is_whitespace()) {
            if !t.is_empty() && out.len() < 32 {
                out.push(t.to_ascii_lowercase());
            }
        }
    };
    if let Some(id) = e_attr(el, "id") {
        push(id);
    }
    if let Some(class) = e_attr(el, "class") {
        push(class);
    }
    out
}

fn e_attr<'a>(el: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    el.attr(name).filter(|v| v.len() <= 512)
}

/// True when the element itself is page chrome: `nav` / `header` / `footer` tags or a class/id
/// token naming navigation, menus, headers, footers, banners, friend links or copyright.
pub fn is_chrome_element(el: &scraper::node::Element) -> bool {
    if matches!(el.name(), "nav" | "header" | "footer") {
        return true;
    }
    class_id_tokens(el).iter().any(|t| {
        matches!(
            t.as_str(),
            "header"
                | "footer"
                | "foot"
                | "banner"
                | "copyright"
                | "daohang"
                | "sidebar"
                | "yqlj"
                | "friendlink"
                | "friendlinks"
                | "topbar"
                | "topnav"
                | "mainnav"
                | "subnav"
                | "footnav"
                | "breadcrumb"
                | "crumb"
                | "crumbs"
        ) || t.starts_with("nav")
            || t.starts_with("menu")
    })
}

/// True when `node` or one of its (nearest 40) ancestors is page chrome.
pub fn in_chrome(node: Nd<'_>) -> bool {
    let mut cur = Some(node);
    let mut depth = 0;
    while let Some(n) = cur {
        if let Node::Element(e) = n.value() {
            if e.name() == "body" {
                return false;
            }
            if is_chrome_element(e) {
                return true;
            }
        }
        depth += 1;
        if depth > 40 {
            return false;
        }
        cur = n.parent();
    }
    false
}

/// Element name of a node, if it is an element.
pub fn tag<'a>(n: Nd<'a>) -> Option<&'a str> {
    n.value().as_element().map(|e| e.name())
}

/// Attribute value of an element node.
pub fn attr<'a>(n: Nd<'a>, name: &str) -> Option<&'a str> {
    n.value().as_element().and_then(|e| e.attr(name))
}

/// Element children of a node.
pub fn child_elements<'a>(n: Nd<'a>) -> impl Iterator<Item = Nd<'a>> {
    n.children().filter(|c| c.value().is_element())
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn text_collapses_and_separates_blocks() {
        let h = Html::parse_fragment(
            "<div>滕州市<span>人民</span>政府<p>索引号：\u{3000}\u{a0}001</p><script>var x=1</script>\
             <td>a</td></div>",
        );
        let t = text(*h.root_element(), 1000);
        assert_eq!(t, "滕州市人民政府 索引号： 001 a");
    }

    #[test]
    fn marked_text_keeps_boundaries() {
        let h = Html::parse_fragment("<li><span>发布</span><span>日期</span>： 2022-06-01</li>");
        let t = marked_text(*h.root_element(), 1000);
        assert_eq!(t, "\u{1}发布\u{1}日期\u{1}： 2022-06-01");
    }

    #[test]
    fn budget_and_deep_nesting() {
        let deep = "<div>".repeat(2_000) + "正文" + &"</div>".repeat(2_000);
        let h = Html::parse_document(&deep);
        let t = text(*h.root_element(), 10);
        assert!(t.len() <= 10);
        let mut s = "政务公开".to_string();
        truncate(&mut s, 4);
        assert_eq!(s, "政");
    }

    #[test]
    fn chrome_detection() {
        let h = Html::parse_fragment(
            "<div class=\"top-nav\"><a>首页</a></div><div class=\"list\"><a>x</a></div>",
        );
        let a: Vec<_> = h
            .root_element()
            .descendants()
            .filter(|n| tag(*n) == Some("a"))
            .collect();
        assert!(in_chrome(a[0]));
        assert!(!in_chrome(a[1]));
    }
}
