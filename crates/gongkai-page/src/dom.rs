//! Small DOM helpers shared by the extractors: bounded, iterative text gathering, whitespace
//! collapsing that understands full-width spaces, and "page chrome" (nav / header / footer)
//! detection.
//!
//! Everything walks the tree iteratively (`traverse`), never recursively, so a hostile page with
//! absurd nesting cannot overflow the stack, and every text gatherer takes a byte budget.

use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::{ElementRef, Node};
use std::borrow::Cow;

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
    match c {
        ' ' | '\t'..='\r' => true,
        // ASCII and CJK ideographs (most page text) answer without a Unicode table lookup.
        '\0'..='\u{7f}' | '\u{4e00}'..='\u{9fff}' => false,
        _ => c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}'),
    }
}

/// Collapses runs of whitespace into one ASCII space and trims.
pub fn collapse(s: &str) -> String {
    let mut c = Collapser::new(false, usize::MAX);
    c.out.reserve(s.len());
    c.push_str(s);
    c.out
}

/// Like [`collapse`], keeping [`BOUNDARY`] markers as [`marked_text`] does (runs of markers
/// become one, spaces next to a marker are dropped).
pub fn collapse_marked(s: &str) -> String {
    let mut c = Collapser::new(true, usize::MAX);
    c.out.reserve(s.len());
    c.push_str(s);
    c.out
}

/// `str::to_lowercase`, by ASCII rules when every character is ASCII or uncased CJK (ideographs,
/// CJK and general punctuation), where both give the same answer much faster.
/// Borrowed when nothing changes (no ASCII capital among such characters).
pub fn lowercase(s: &str) -> Cow<'_, str> {
    if ascii_or_uncased_cjk(s.as_bytes()) {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// Whether every character of UTF-8 `b` is ASCII or in U+2000..=U+206F, U+3000..=U+303F or
/// U+4E00..=U+9FFF, told from the bytes (those ranges are `E2 80 80..=E2 81 AF`,
/// `E3 80 80..=E3 80 BF` and `E4 B8 80..=E9 BF BF`).
fn ascii_or_uncased_cjk(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let ok = match b[i] {
            0..=0x7F => {
                i += 1;
                continue;
            }
            0xE2 => match b.get(i + 1) {
                Some(0x80) => true,
                Some(0x81) => b.get(i + 2).is_some_and(|x| *x <= 0xAF),
                _ => false,
            },
            0xE3 => b.get(i + 1) == Some(&0x80),
            0xE4 => b.get(i + 1).is_some_and(|x| *x >= 0xB8),
            0xE5..=0xE9 => true,
            _ => false,
        };
        if !ok {
            return false;
        }
        i += 3;
    }
    true
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
    gather(node, max, false, None)
}

/// Like [`text`] but also skips subtrees for which `skip` returns true.
pub fn text_skipping(node: Nd<'_>, max: usize, skip: &dyn Fn(ElementRef<'_>) -> bool) -> String {
    gather(node, max, false, Some(skip))
}

/// True when [`text`] of `node` is certainly at most `max` bytes: all its text bytes plus two
/// per element (a boundary space each side) fit. Collapsing never lengthens text, so this is a
/// cheap upper bound; false means "maybe longer", not "longer".
pub fn text_surely_within(node: Nd<'_>, max: usize) -> bool {
    let mut total = 0usize;
    for n in node.descendants() {
        total += match n.value() {
            Node::Text(t) => t.len(),
            Node::Element(_) => 2,
            _ => 0,
        };
        if total > max {
            return false;
        }
    }
    true
}

/// Visible text with [`BOUNDARY`] at every element boundary (inline ones too), whitespace
/// collapsed. Lets label parsers see `<span>发布</span><span>日期</span>` as one label while still
/// knowing where elements met.
pub fn marked_text(node: Nd<'_>, max: usize) -> String {
    gather(node, max, true, None)
}

/// At least the first `prefix` bytes of [`text`]`(node, max)` (all of it when shorter): for
/// callers that only compare its length with a small bound.
pub fn text_prefix(node: Nd<'_>, max: usize, prefix: usize) -> String {
    gather_until(node, max, prefix, false, None)
}

/// Subtrees a text gatherer leaves out besides invisible ones.
type Skip<'s> = Option<&'s dyn Fn(ElementRef<'_>) -> bool>;

fn gather(node: Nd<'_>, max: usize, mark: bool, skip: Skip<'_>) -> String {
    gather_until(node, max, max, mark, skip)
}

/// Gathers text as [`text`] / [`marked_text`] do with budget `max`, stopping once `stop` bytes
/// are out (`stop <= max` gives a prefix of the full answer).
fn gather_until(node: Nd<'_>, max: usize, stop: usize, mark: bool, skip: Skip<'_>) -> String {
    let stop = stop.min(max);
    // Collapses as it goes (no raw copy of the text) and stops as soon as `max` bytes are out:
    // collapsing only ever appends, so nothing after that point could change the kept prefix.
    let mut out = Collapser::new(mark, stop);
    // Bytes the uncollapsed text would have had: the walk stops after about twice `max` of them
    // however little of it survives collapsing.
    let mut raw = 0usize;
    let raw_cap = max.saturating_mul(2).saturating_add(1024);
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => {
                if skipping.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => {
                        out.push_str(t);
                        raw += t.len();
                    }
                    Node::Element(e) => {
                        let name = e.name();
                        if n.id() != node.id()
                            && (is_invisible_tag(name)
                                || skip.is_some_and(|f| ElementRef::wrap(n).is_some_and(f)))
                        {
                            skipping = Some(n.id());
                            continue;
                        }
                        raw += out.boundary(is_block_tag(name));
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
                    raw += out.boundary(is_block_tag(e.name()));
                }
            }
        }
        if raw > raw_cap || out.out.len() >= stop {
            break;
        }
    }
    let mut out = out.out;
    truncate(&mut out, max);
    out
}

/// Incremental whitespace collapsing of everything pushed: [`collapse`], or with `mark` the same
/// keeping [`BOUNDARY`] markers (runs of markers become one, spaces next to a marker are dropped).
struct Collapser {
    out: String,
    /// Output bytes after which more input cannot change the kept prefix.
    limit: usize,
    mark: bool,
    space: bool,
    marker: bool,
}

impl Collapser {
    fn new(mark: bool, limit: usize) -> Self {
        Collapser {
            out: String::with_capacity(limit.min(256)),
            limit,
            mark,
            space: false,
            marker: false,
        }
    }

    /// An element boundary: a marker when marking, a space for block tags otherwise. Returns the
    /// bytes the uncollapsed text would have gained.
    fn boundary(&mut self, block: bool) -> usize {
        if self.mark {
            self.marker = true;
            BOUNDARY.len_utf8()
        } else if block {
            self.space = true;
            1
        } else {
            0
        }
    }

    /// Appends `s` collapsed; stops early once `limit` bytes are out (nothing after that could
    /// change the kept prefix). Runs of visible text are copied whole, not char by char, and
    /// only characters whose first UTF-8 byte may start a whitespace character are decoded.
    fn push_str(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut run: Option<usize> = None;
        let mut i = 0;
        while i < b.len() {
            // Inside a run, visible bytes (continuation bytes included: their lead byte was
            // judged already) are skipped by a table lookup each.
            if run.is_some() {
                // Eight at a time first ([`VISIBLE`] is 0: the classes OR to 0 only when all
                // eight are visible), one branch per eight bytes of a long run of CJK text.
                while let Some(w) = b.get(i..i + 8) {
                    if w.iter()
                        .fold(VISIBLE, |acc, x| acc | BYTE_CLASS[usize::from(*x)])
                        != VISIBLE
                    {
                        break;
                    }
                    i += 8;
                }
                while i < b.len() && BYTE_CLASS[usize::from(b[i])] == VISIBLE {
                    i += 1;
                }
                if i == b.len() {
                    break;
                }
            }
            let (width, sep) = match BYTE_CLASS[usize::from(b[i])] {
                ASCII_SPACE => (1, Sep::Space),
                MARKER if self.mark => (1, Sep::Marker),
                // Non-ASCII spaces (U+0085, U+00A0, U+1680, U+2000-U+205F, U+3000, U+FEFF)
                // start with one of these lead bytes; everything else is visible.
                MAYBE_SPACE => match space_width(&b[i..]) {
                    Some(w) => (w, Sep::Space),
                    // Its continuation bytes are visible: the run goes on over them.
                    None => (1, Sep::No),
                },
                _ => (1, Sep::No),
            };
            if sep == Sep::No {
                if run.is_none() {
                    if self.marker {
                        self.out.push(BOUNDARY);
                    } else if self.space && !self.out.is_empty() {
                        self.out.push(' ');
                    }
                    self.marker = false;
                    self.space = false;
                    run = Some(i);
                }
            } else {
                if let Some(start) = run.take() {
                    self.out.push_str(&s[start..i]);
                    if self.out.len() >= self.limit {
                        return;
                    }
                }
                if sep == Sep::Marker {
                    self.marker = true;
                } else {
                    self.space = true;
                }
            }
            i += width;
        }
        if let Some(start) = run {
            self.out.push_str(&s[start..]);
        }
    }
}

/// The UTF-8 width of the [`is_space`] character `b` starts with, when it starts with one whose
/// lead byte is [`MAYBE_SPACE`]: told from the bytes, without decoding. The common characters
/// sharing these lead bytes (CJK punctuation 、。「」, full-width ，：（）, quotes “”) are not
/// spaces.
fn space_width(b: &[u8]) -> Option<usize> {
    let space = match b {
        // U+0085, U+00A0
        [0xC2, 0x85 | 0xA0, ..] => return Some(2),
        // U+1680
        [0xE1, 0x9A, 0x80, ..] => true,
        // U+2000..=U+200D (spaces and zero-width characters), U+2028, U+2029, U+202F
        [0xE2, 0x80, 0x80..=0x8D | 0xA8 | 0xA9 | 0xAF, ..] => true,
        // U+205F
        [0xE2, 0x81, 0x9F, ..] => true,
        // U+3000
        [0xE3, 0x80, 0x80, ..] => true,
        // U+FEFF
        [0xEF, 0xBB, 0xBF, ..] => true,
        _ => false,
    };
    space.then_some(3)
}

/// [`BYTE_CLASS`] of a byte that never starts a separator.
const VISIBLE: u8 = 0;
/// ASCII whitespace (space, `\t`..=`\r`).
const ASCII_SPACE: u8 = 1;
/// The [`BOUNDARY`] byte (a separator only when marking).
const MARKER: u8 = 2;
/// A lead byte of a character that may be a non-ASCII space.
const MAYBE_SPACE: u8 = 3;

/// What each byte of UTF-8 text may be to [`Collapser`].
static BYTE_CLASS: [u8; 256] = {
    let mut t = [VISIBLE; 256];
    t[b' ' as usize] = ASCII_SPACE;
    let mut c = b'\t';
    while c <= b'\r' {
        t[c as usize] = ASCII_SPACE;
        c += 1;
    }
    t[0x01] = MARKER;
    t[0xC2] = MAYBE_SPACE;
    t[0xE1] = MAYBE_SPACE;
    t[0xE2] = MAYBE_SPACE;
    t[0xE3] = MAYBE_SPACE;
    t[0xEF] = MAYBE_SPACE;
    t
};

/// What a character is to [`Collapser`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    No,
    Space,
    Marker,
}

/// Whether `pred` holds for one of the element's class and id tokens: lower-cased, split on `-`,
/// `_` and whitespace, the first 32. Nothing is allocated for lower-case tokens (this runs for
/// every ancestor of every link).
pub fn any_class_id_token(el: &scraper::node::Element, mut pred: impl FnMut(&str) -> bool) -> bool {
    // Both attributes in one scan of the element's attributes (the first of each name).
    let (mut id, mut class) = (None, None);
    // Names are compared as atoms (one integer each), not as text.
    for (q, v) in el.attrs.iter() {
        let slot = if q.local == html5ever::local_name!("id") {
            &mut id
        } else if q.local == html5ever::local_name!("class") {
            &mut class
        } else {
            continue;
        };
        if slot.is_none() && q.prefix.is_none() && q.ns == html5ever::ns!() {
            *slot = Some(&**v);
        }
    }
    let mut seen = 0usize;
    let mut lower = String::new();
    for value in [id, class]
        .into_iter()
        .flatten()
        .filter(|v: &&str| v.len() <= 512)
    {
        for t in value.split(|c: char| c == '-' || c == '_' || c.is_whitespace()) {
            if t.is_empty() {
                continue;
            }
            if seen >= 32 {
                return false;
            }
            seen += 1;
            let t = if t.bytes().any(|b| b.is_ascii_uppercase()) {
                lower.clear();
                lower.push_str(t);
                lower.make_ascii_lowercase();
                lower.as_str()
            } else {
                t
            };
            if pred(t) {
                return true;
            }
        }
    }
    false
}

/// `Element::attr` without interning `name` first (scraper makes an atom of it on every call):
/// a scan of the element's few attributes, matching only un-namespaced ones as `attr` does.
pub fn el_attr<'a>(el: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    use html5ever::local_name;
    // The names asked for most are compared as atoms (one integer per attribute).
    let local = match name {
        "href" => local_name!("href"),
        "src" => local_name!("src"),
        "class" => local_name!("class"),
        "id" => local_name!("id"),
        "title" => local_name!("title"),
        "alt" => local_name!("alt"),
        "name" => local_name!("name"),
        "content" => local_name!("content"),
        "rel" => local_name!("rel"),
        "style" => local_name!("style"),
        _ => return el_attr_named(el, name),
    };
    for (q, v) in el.attrs.iter() {
        if q.local == local && q.prefix.is_none() && q.ns == html5ever::ns!() {
            return Some(&**v);
        }
    }
    None
}

/// [`el_attr`] by the name's text.
fn el_attr_named<'a>(el: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    for (q, v) in el.attrs.iter() {
        // The name is compared first: an atom's text is at hand, while telling the namespace
        // empty looks its text up too. Most attributes differ from `name` already in length.
        let local: &str = &q.local;
        if local.len() == name.len() && local == name && q.prefix.is_none() && q.ns.is_empty() {
            return Some(&**v);
        }
    }
    None
}

/// True when the element itself is page chrome: `nav` / `header` / `footer` tags or a class/id
/// token naming navigation, menus, headers, footers, banners, friend links or copyright.
pub fn is_chrome_element(el: &scraper::node::Element) -> bool {
    use html5ever::local_name;
    let name = &el.name.local;
    if *name == local_name!("nav")
        || *name == local_name!("header")
        || *name == local_name!("footer")
    {
        return true;
    }
    any_class_id_token(el, |t| {
        matches!(
            t,
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
            if e.name.local == html5ever::local_name!("body") {
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

/// Whether `n` is an element of local name `name` (as [`tag`] would say, compared as atoms).
pub fn is_tag(n: Nd<'_>, name: &html5ever::LocalName) -> bool {
    n.value()
        .as_element()
        .is_some_and(|e| e.name.local == *name)
}

/// Element name of a node, if it is an element.
pub fn tag<'a>(n: Nd<'a>) -> Option<&'a str> {
    n.value().as_element().map(|e| e.name())
}

/// Attribute value of an element node.
pub fn attr<'a>(n: Nd<'a>, name: &str) -> Option<&'a str> {
    n.value().as_element().and_then(|e| el_attr(e, name))
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

    /// The char-by-char collapse the byte-level one must equal.
    fn collapse_reference(s: &str, mark: bool) -> String {
        let mut out = String::new();
        let (mut space, mut marker) = (false, false);
        for c in s.chars() {
            if mark && c == BOUNDARY {
                marker = true;
            } else if c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}') {
                space = true;
            } else {
                if marker {
                    out.push(BOUNDARY);
                } else if space && !out.is_empty() {
                    out.push(' ');
                }
                (space, marker) = (false, false);
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn collapse_matches_the_char_by_char_reference() {
        let samples = [
            "  滕州市\u{3000}人民\u{a0}政府 ",
            "a\u{85}b\u{1680}c\u{2000}d\u{200a}e\u{2028}f\u{202f}g\u{205f}h",
            "\u{200b}零宽\u{200c}\u{200d}字符\u{feff}",
            "\u{1}发布\u{1} \u{1}日期\u{1}：\t2022-06-01\r\n",
            "é ü Ω \u{e000} \u{1f600}😀 \u{ff10}１ \u{2060}\u{2061} \u{3001}、",
            "\x0b\x0c\x1c\x1f x",
        ];
        // Every character whose lead byte may start a space, each between visible text.
        let leads: String = ('\u{80}'..='\u{7ff}')
            .chain('\u{1000}'..='\u{3fff}')
            .chain('\u{f000}'..='\u{ffff}')
            .filter(|c| {
                matches!(
                    c.to_string().as_bytes()[0],
                    0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF
                )
            })
            .flat_map(|c| [c, 'x'])
            .collect();
        for s in samples.into_iter().chain([leads.as_str()]) {
            for mark in [false, true] {
                let mut c = Collapser::new(mark, usize::MAX);
                c.push_str(s);
                assert_eq!(c.out, collapse_reference(s, mark), "{s:?} mark={mark}");
            }
        }
    }

    #[test]
    fn byte_test_of_uncased_text_matches_the_char_rule() {
        let rule = |c: char| {
            c.is_ascii()
                || matches!(c, '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}')
        };
        for c in ('\0'..='\u{ffff}').step_by(7).chain([
            '\u{206f}',
            '\u{2070}',
            '\u{303f}',
            '\u{3040}',
            '\u{4dff}',
            '\u{4e00}',
            '\u{9fff}',
            '\u{a000}',
            '\u{1f600}',
        ]) {
            let s = format!("a{c}中");
            assert_eq!(ascii_or_uncased_cjk(s.as_bytes()), rule(c), "{c:?}");
        }
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
