//! Hidden elements: whether a link is hidden from readers by CSS (display:none,
//! visibility:hidden, zero size with overflow hidden, font-size:0, far off-screen), on the element
//! or an ancestor, through an inline `style` or a `<style>` rule selecting it by class, id or tag.
//! Dark links (暗链) to gambling sites are planted this way.
//!
//! Menus that are hidden until hovered are not hidden: a `:hover` rule naming the element's class
//! or id, or an event handler (onmouseover / onclick …) on the element or its parent, reveals them.
//! Only the last compound selector of a rule is matched (`.nav .sub` as `.sub`), which can only
//! make an element look hidden when a wider context would not; the check that uses this is about
//! links to other sites, where that errs on the side of a finding that quotes the rule.

use crate::dom::{self, Nd};
use ego_tree::NodeId;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::collections::HashMap;

/// At most this much `<style>` text is read.
const MAX_CSS: usize = 256 * 1024;
/// At most this many ancestors are looked at.
const MAX_DEPTH: usize = 64;
/// At most this many rules are kept (a planted dark link needs one).
const MAX_RULES: usize = 4096;

/// One CSS rule reduced to its last compound selector and whether it hides.
#[derive(Debug, Clone)]
struct Rule {
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
    hover: bool,
    hides: Option<&'static str>,
}

/// The page's `<style>` rules that hide or reveal on hover, indexed by the id, class or tag of
/// their compound, and the verdicts already reached per element (links share ancestors).
#[derive(Debug, Default)]
pub struct Sheet {
    rules: Vec<Rule>,
    by_key: HashMap<String, Vec<usize>>,
    memo: RefCell<FxHashMap<NodeId, Option<String>>>,
}

impl Sheet {
    /// Reads every `<style>` element under `root` (bounded).
    pub fn from_root(root: Nd<'_>) -> Sheet {
        Sheet::from_styles(
            root.descendants()
                .filter(|n| dom::is_tag(*n, &html5ever::local_name!("style"))),
        )
    }

    /// [`Sheet::from_root`] of the page's `<style>` elements, in document order.
    pub(crate) fn from_styles<'a>(styles: impl IntoIterator<Item = Nd<'a>>) -> Sheet {
        let mut css = String::new();
        for n in styles {
            for t in n.descendants().filter_map(|c| c.value().as_text()) {
                if css.len() + t.len() > MAX_CSS {
                    break;
                }
                css.push_str(t);
                css.push('\n');
            }
        }
        Sheet::parse(&css)
    }

    /// Parses CSS text: `selectors { declarations }`, comments and at-rule wrappers ignored.
    pub fn parse(css: &str) -> Sheet {
        let css = strip_comments(css);
        let mut rules = Vec::new();
        for block in css.split('}') {
            let Some((sel, decl)) = block.rsplit_once('{') else {
                continue;
            };
            let hides = hiding(decl);
            let shows = decl.to_ascii_lowercase().contains("display") && hides.is_none();
            for s in sel.split(',') {
                let hover = s.contains(":hover") || s.contains(":focus");
                if hides.is_none() && !(hover && shows) {
                    continue;
                }
                // The compound the hover reveals is the one before `:hover` (`.nav:hover .sub`
                // reveals `.sub`; `.menu li:hover ul` reveals `ul`): keep the last compound.
                let parts: Vec<&str> = s.split_whitespace().collect();
                let Some(r) = compound(parts.last().copied().unwrap_or(""), hover, hides) else {
                    continue;
                };
                // `.nav ul { display:none }` must not hide every `ul` of the page: a bare tag
                // with a context is matched only as a hover reveal.
                if !hover && parts.len() > 1 && r.id.is_none() && r.classes.is_empty() {
                    continue;
                }
                if rules.len() < MAX_RULES {
                    rules.push(r);
                }
            }
        }
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (k, r) in rules.iter().enumerate() {
            let key = match (&r.id, r.classes.first(), &r.tag) {
                (Some(id), _, _) => format!("#{id}"),
                (None, Some(c), _) => format!(".{c}"),
                (None, None, Some(t)) => t.clone(),
                _ => continue,
            };
            by_key.entry(key).or_default().push(k);
        }
        Sheet {
            rules,
            by_key,
            memo: RefCell::default(),
        }
    }

    /// Rules that may match element `e` (by its id, classes and tag).
    fn candidates(&self, e: Nd<'_>) -> Vec<&Rule> {
        let Some(el) = e.value().as_element() else {
            return Vec::new();
        };
        let mut keys: Vec<String> = vec![el.name().to_string()];
        if let Some(id) = dom::el_attr(el, "id") {
            keys.push(format!("#{id}"));
        }
        keys.extend(
            dom::el_attr(el, "class")
                .unwrap_or("")
                .split_whitespace()
                .take(32)
                .map(|c| format!(".{c}")),
        );
        keys.iter()
            .filter_map(|k| self.by_key.get(k))
            .flatten()
            .map(|&i| &self.rules[i])
            .filter(|r| matches(r, e))
            .collect()
    }

    /// Why this element itself (not its ancestors) is hidden, unless something reveals it.
    fn own(&self, e: Nd<'_>) -> Option<String> {
        // Fast path (most pages): no hiding rules, so only an inline style can hide.
        if self.rules.is_empty() {
            let w = dom::attr(e, "style").and_then(hiding)?;
            return Some(if revealed_by_handler(e) {
                String::new()
            } else {
                format!("style=\"{w}\"")
            });
        }
        if let Some(v) = self.memo.borrow().get(&e.id()) {
            return v.clone();
        }
        let cands = self.candidates(e);
        let why = dom::attr(e, "style")
            .and_then(hiding)
            .map(|w| format!("style=\"{w}\""))
            .or_else(|| {
                cands
                    .iter()
                    .find(|r| r.hides.is_some() && !r.hover)
                    .map(|r| format!("CSS {}: {}", r.selector(), r.hides.unwrap_or("")))
            });
        let v = match why {
            Some(w) if !(cands.iter().any(|r| r.hover) || revealed_by_handler(e)) => Some(w),
            Some(_) => Some(String::new()),
            None => None,
        };
        self.memo.borrow_mut().insert(e.id(), v.clone());
        v
    }

    /// Why `n` (an element) or one of its ancestors is hidden, if it is and nothing reveals it.
    /// The nearest hiding element decides: a revealed (hover) menu is not hidden.
    pub fn hidden(&self, n: Nd<'_>) -> Option<String> {
        let mut cur = Some(n);
        let mut depth = 0;
        while let Some(e) = cur {
            if depth > MAX_DEPTH {
                break;
            }
            depth += 1;
            if e.value().is_element() {
                match self.own(e) {
                    Some(w) if w.is_empty() => return None,
                    Some(w) => return Some(w),
                    None => {}
                }
            }
            cur = e.parent();
        }
        None
    }
}

/// An event handler on the element or its parent shows it on demand (a script dropdown).
fn revealed_by_handler(e: Nd<'_>) -> bool {
    let handler = |n: Nd<'_>| {
        n.value().as_element().is_some_and(|el| {
            el.attrs().take(256).any(|(k, _)| {
                let k = k.to_ascii_lowercase();
                k == "onmouseover" || k == "onmouseenter" || k == "onclick" || k == "onfocus"
            })
        })
    };
    handler(e) || e.parent().is_some_and(handler)
}

impl Rule {
    fn selector(&self) -> String {
        let mut s = self.tag.clone().unwrap_or_default();
        if let Some(id) = &self.id {
            s.push('#');
            s.push_str(id);
        }
        for c in &self.classes {
            s.push('.');
            s.push_str(c);
        }
        s
    }
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = match rest[i + 2..].find("*/") {
            Some(j) => &rest[i + 2 + j + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Parses one compound selector (`a.x#y`, `.x:hover`, `div`); None for `*` or attribute forms.
fn compound(s: &str, hover: bool, hides: Option<&'static str>) -> Option<Rule> {
    let s = s.trim().trim_start_matches(['>', '+', '~']);
    let s = s.split(':').next().unwrap_or("");
    if s.is_empty() || s.contains(['[', '*', '(']) {
        return None;
    }
    let (mut tag, mut id, mut classes) = (None, None, Vec::new());
    let mut cur = String::new();
    let mut mode = 't';
    let mut flush = |mode: char, cur: &mut String| {
        let v = std::mem::take(cur);
        if v.is_empty() {
            return;
        }
        match mode {
            't' => tag = Some(v.to_ascii_lowercase()),
            '#' => id = Some(v),
            _ => classes.push(v),
        }
    };
    for c in s.chars() {
        if c == '.' || c == '#' {
            flush(mode, &mut cur);
            mode = c;
        } else {
            cur.push(c);
        }
    }
    flush(mode, &mut cur);
    if tag.is_none() && id.is_none() && classes.is_empty() {
        return None;
    }
    Some(Rule {
        tag,
        id,
        classes,
        hover,
        hides,
    })
}

fn matches(r: &Rule, e: Nd<'_>) -> bool {
    let Some(el) = e.value().as_element() else {
        return false;
    };
    if r.tag.as_deref().is_some_and(|t| t != el.name()) {
        return false;
    }
    if r.id
        .as_deref()
        .is_some_and(|id| dom::el_attr(el, "id") != Some(id))
    {
        return false;
    }
    let classes: Vec<&str> = dom::el_attr(el, "class")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    r.classes.iter().all(|c| classes.contains(&c.as_str()))
}

/// The hiding declaration of a declaration block, if any.
fn hiding(decl: &str) -> Option<&'static str> {
    let mut props: Vec<(String, String)> = Vec::new();
    for d in decl.split(';') {
        if let Some((k, v)) = d.split_once(':') {
            let v = v.to_ascii_lowercase().replace("!important", "");
            props.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let get = |k: &str| {
        props
            .iter()
            .rev()
            .find(|(p, _)| p == k)
            .map(|(_, v)| v.as_str())
    };
    if get("display") == Some("none") {
        return Some("display:none");
    }
    if matches!(get("visibility"), Some("hidden" | "collapse")) {
        return Some("visibility:hidden");
    }
    if get("font-size").is_some_and(is_zero) {
        return Some("font-size:0");
    }
    let tiny = |k: &str| get(k).is_some_and(|v| px(v).is_some_and(|x| x <= 1.0));
    let clipped = matches!(get("overflow"), Some("hidden"));
    if (tiny("width") && tiny("height")) || (clipped && (tiny("width") || tiny("height"))) {
        return Some("零尺寸");
    }
    let positioned = matches!(get("position"), Some("absolute" | "fixed"));
    let far = |k: &str| get(k).and_then(px).is_some_and(|x| x <= -500.0);
    if (positioned && (far("left") || far("top") || far("right")))
        || get("text-indent").and_then(px).is_some_and(|x| x <= -500.0)
    {
        return Some("移出屏幕");
    }
    None
}

fn is_zero(v: &str) -> bool {
    px(v).is_some_and(|x| x == 0.0)
}

/// A length in px (px, pt, em and bare numbers taken as they are), else None.
fn px(v: &str) -> Option<f64> {
    let v = v.trim();
    let num = v.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    num.trim().parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    /// Hidden reasons of every `a` of the document, in order.
    fn of(html: &str) -> Vec<Option<String>> {
        let doc = Html::parse_document(html);
        let root = doc.tree.root();
        let sheet = Sheet::from_root(root);
        root.descendants()
            .filter(|n| dom::is_tag(*n, &html5ever::local_name!("a")))
            .map(|n| sheet.hidden(n))
            .collect()
    }

    #[test]
    fn inline_and_ancestor_styles() {
        let h = of(
            r#"<div style="display:none"><a href="http://x.com">a</a></div>
            <p style="position:absolute; left:-9999px"><a href="http://y.com">b</a></p>
            <span style="font-size:0px"><a href="http://z.com">c</a></span>
            <div style="width:0;height:0;overflow:hidden"><a href="http://w.com">d</a></div>
            <a href="http://v.com" style="visibility: hidden !important">e</a>
            <a href="http://ok.com">visible</a>
            <div style="display:block;width:200px"><a href="http://ok2.com">visible 2</a></div>"#,
        );
        assert!(h[..5].iter().all(|x| x.is_some()), "{h:?}");
        assert!(h[5].is_none() && h[6].is_none());
    }

    #[test]
    fn style_rules_by_class_and_id() {
        let h = of(
            r#"<style>/* x */ .lk{display:none} #dl { text-indent:-9999px } .menu .sub{color:red}</style>
            <div class="box lk"><a href="http://x.com">a</a></div>
            <div id="dl"><a href="http://y.com">b</a></div>
            <div class="sub"><a href="http://z.com">c</a></div>"#,
        );
        assert!(h[0].as_deref().is_some_and(|w| w.contains(".lk")));
        assert!(h[1].is_some());
        assert!(h[2].is_none());
    }

    #[test]
    fn hover_menus_are_not_hidden() {
        let h = of(
            r#"<style>.nav ul{display:none} .nav li:hover ul{display:block} #top .drop{display:none}</style>
            <div id="top"><a href="http://www.shandong.gov.cn">省政府</a></div>
            <div class="nav"><li><a href="/a">栏目</a><ul><li><a href="/b">子栏目</a></li></ul></li></div>
            <div onmouseover="show()"><div style="display:none"><a href="http://gov.cn">友情链接</a></div></div>"#,
        );
        assert!(h.iter().all(|x| x.is_none()), "{h:?}");
    }
}
