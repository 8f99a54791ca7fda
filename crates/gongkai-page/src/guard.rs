//! Bounds hostile markup before it reaches the HTML parser.
//!
//! html5ever is linear on ordinary pages but quadratic on two shapes a hostile (or badly
//! generated) page can contain: very deep nesting of block or formatting elements (every new
//! tag walks the open-element stack; 20,000 nested `<div>` take about a second, 100,000 half a
//! minute) and tags with tens of thousands of distinct attributes. One linear pre-scan fixes
//! both without losing text: start tags that would open beyond [`MAX_DEPTH`] levels are dropped
//! (their content stays, one level up) and attributes past [`MAX_ATTRS`] are cut. Ordinary pages
//! come back unchanged and uncopied.

use std::borrow::Cow;

/// Deepest element nesting kept. Real portal pages stay well under 100 even with sloppy
/// unclosed `<font>` tags.
pub const MAX_DEPTH: usize = 400;
/// Most attributes kept on one tag.
pub const MAX_ATTRS: usize = 64;

/// Elements whose content is raw text: tags inside them are not tags.
const RAW_TEXT: [&str; 9] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Elements the stack does not track: void elements, and elements the parser closes implicitly
/// (an unclosed `<p>` or `<li>` does not nest).
fn untracked(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "frame"
            | "basefont"
            | "bgsound"
            | "image"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "td"
            | "th"
            | "tr"
            | "tbody"
            | "thead"
            | "tfoot"
            | "option"
            | "optgroup"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rp"
            | "rtc"
            | "html"
            | "head"
            | "body"
    )
}

/// Returns `html` with over-deep start tags removed and over-long attribute lists cut; borrowed
/// when nothing needed changing.
pub fn bound_markup(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let len = b.len();
    let mut edits: Vec<(usize, usize)> = Vec::new();
    // Tag names as written when already lower-case (most are): no allocation per tag.
    let mut stack: Vec<Cow<'_, str>> = Vec::new();
    let mut i = 0;
    while i < len {
        let Some(off) = memchr::memchr(b'<', &b[i..]) else {
            break;
        };
        let lt = i + off;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = find(b, lt + 4, b"-->").map_or(len, |p| p + 3);
            continue;
        }
        if rest.first().is_some_and(|c| *c == b'!' || *c == b'?') {
            i = find(b, lt + 1, b">").map_or(len, |p| p + 1);
            continue;
        }
        let is_end = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(is_end);
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        let mut name_end = name_start;
        while name_end < len
            && (b[name_end].is_ascii_alphanumeric() || matches!(b[name_end], b'-' | b':'))
        {
            name_end += 1;
        }
        let raw_name = &html[name_start..name_end];
        let name: Cow<'_, str> = if raw_name.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(raw_name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw_name)
        };
        let (tag_end, attr_cut) = scan_tag(b, name_end);
        if is_end {
            if !untracked(&name) {
                if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                    stack.truncate(pos);
                }
            }
            i = tag_end;
            continue;
        }
        if let Some(cut) = attr_cut {
            // Keep the closing '>' (tag_end - 1 when the tag was closed).
            let stop = if tag_end > 0 && b.get(tag_end - 1) == Some(&b'>') {
                tag_end - 1
            } else {
                tag_end
            };
            if cut < stop {
                edits.push((cut, stop));
            }
        }
        if name == "plaintext" {
            break;
        }
        if RAW_TEXT.contains(&&*name) {
            i = find_end_tag(b, tag_end, name.as_bytes()).unwrap_or(len);
            continue;
        }
        if untracked(&name) {
            i = tag_end;
            continue;
        }
        // An unclosed `<a>` is closed by the next one, but only cheaply when nothing block-level
        // opened in between (otherwise the parser really nests, so we count it as nesting).
        if (name == "a" || name == "nobr") && stack.last().is_some_and(|n| *n == name) {
            stack.pop();
        }
        if is_heading(&name) && stack.last().is_some_and(|n| is_heading(n)) {
            stack.pop();
        }
        if stack.len() >= MAX_DEPTH && name == "a" {
            // Links are what the crawl is for: an `<a>` past the limit is kept (one level, not
            // tracked; the parser closes an open `<a>` at the next one, so these do not nest).
        } else if stack.len() >= MAX_DEPTH {
            // Drop the whole start tag (any attribute cut inside it is subsumed).
            if edits.last().is_some_and(|(s, _)| *s >= lt) {
                edits.pop();
            }
            edits.push((lt, tag_end));
        } else {
            stack.push(name);
        }
        i = tag_end;
    }
    if edits.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(len);
    let mut at = 0;
    for (s, e) in edits {
        if s < at {
            continue;
        }
        out.push_str(&html[at..s]);
        at = e;
    }
    out.push_str(&html[at.min(len)..]);
    Cow::Owned(out)
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Scans a tag's attributes from `from` (just after the name) to the byte after its `>`.
/// Returns that end and, when the tag has more than [`MAX_ATTRS`] attributes, where the first
/// excess attribute starts. Quote-aware; an unterminated tag ends at the end of input.
fn scan_tag(b: &[u8], from: usize) -> (usize, Option<usize>) {
    let len = b.len();
    let mut i = from;
    let mut count = 0usize;
    let mut cut = None;
    loop {
        while i < len && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= len {
            return (len, cut);
        }
        if b[i] == b'>' {
            return (i + 1, cut);
        }
        count += 1;
        if count == MAX_ATTRS + 1 {
            cut = Some(i);
        }
        // Attribute name.
        while i < len && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        while i < len && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < len && b[i] == b'=' {
            i += 1;
            while i < len && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < len && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                i += 1;
                // Values (titles, URLs) are long: the closing quote is searched for at once.
                i = memchr::memchr(q, &b[i..]).map_or(len, |p| i + p + 1);
            } else {
                while i < len && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
            }
        }
    }
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    memchr::memmem::find(&b[from..], needle).map(|p| p + from)
}

/// Position of `</name` (ASCII case-insensitive) at or after `from`.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while i + 2 + name.len() <= b.len() {
        let off = memchr::memchr(b'<', &b[i..])?;
        let p = i + off;
        if b.get(p + 1) == Some(&b'/')
            && b.len() >= p + 2 + name.len()
            && b[p + 2..p + 2 + name.len()].eq_ignore_ascii_case(name)
        {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn ordinary_pages_untouched() {
        let html = r#"<html><body><div class="a"><p>正文<font color=red>红<b>粗</b></font><br>
            <script>var s = "<div><div><div>";</script><!-- <div> --><a href=x>链接</a></div></body></html>"#;
        assert!(matches!(bound_markup(html), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_bounded_and_text_kept() {
        let n = 50_000;
        let html = "<div>".repeat(n) + "深处的正文" + &"</div>".repeat(n);
        let t = Instant::now();
        let bounded = bound_markup(&html);
        assert!(bounded.contains("深处的正文"));
        assert_eq!(bounded.matches("<div>").count(), MAX_DEPTH);
        let doc = scraper::Html::parse_document(&bounded);
        assert!(doc.root_element().text().any(|t| t.contains("深处的正文")));
        assert!(t.elapsed().as_secs() < 20);
    }

    #[test]
    fn unclosed_anchors_are_not_deep() {
        let html = "<a href=\"/x\">链接".repeat(2000);
        assert!(matches!(bound_markup(&html), Cow::Borrowed(_)));
    }

    #[test]
    fn attribute_flood_is_cut() {
        let attrs: String = (0..10_000).map(|i| format!(" a{i}=\"v>{i}\"")).collect();
        let html = format!("<div id=keep{attrs}>文本</div>");
        let bounded = bound_markup(&html);
        assert!(bounded.len() < 2000, "{}", bounded.len());
        assert!(bounded.starts_with("<div id=keep a0="));
        assert!(bounded.ends_with(">文本</div>"));
    }

    #[test]
    fn malformed_does_not_panic() {
        for s in [
            "<",
            "</",
            "<a",
            "<a href=\"",
            "<!--",
            "<!",
            "<div =",
            "<script>",
            "<1>",
            "< div>",
            "<é>",
        ] {
            let _ = bound_markup(s);
        }
    }

    #[test]
    fn links_below_the_depth_limit_survive() {
        let mut html = String::from("<html><body>");
        html.push_str(&"<div>".repeat(10_000));
        html.push_str("<a href=\"/deep.html\">deep</a>");
        html.push_str(&"<font>".repeat(50_000));
        html.push_str("<a href=\"/deeper.html\">deeper</a><a href=\"/x.html\">x</a>");
        let out = bound_markup(&html);
        assert!(out.contains("<a href=\"/deep.html\">deep</a>"));
        assert!(out.contains("<a href=\"/deeper.html\">deeper</a>"));
        assert!(out.matches("<div>").count() <= MAX_DEPTH);
    }
}
