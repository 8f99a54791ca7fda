//! Which interpretation belongs to which normative document: the four ways a crawl can see.
//!
//! 1. `doc-links-interpretation`: the document links to an interpretation page (or to any page
//!    with 解读 / 图解 / 一图读懂 / 答记者问 / 问答 in the anchor text);
//! 2. `interpretation-links-doc`: an interpretation links to the document;
//! 3. `title-quote`: an interpretation's title quotes the document's title (《…》), or its title
//!    without the 解读 wording is part of the document's title;
//! 4. `doc-number`: an interpretation's title or text carries the document's 文号 (bracket
//!    variants 〔〕[]【】（） treated as equal).

use crate::sitemodel::{SiteModel, INTERP_TITLE};
use crate::text::{compact, key};
use gongkai_page::Field;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

static QUOTE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《([^《》]{2,120})》").expect("quote"));
static YEAR_BRACKET_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\[【(（［〔{｛]\s*((?:19|20)\d{2})\s*[\]】)）］〕}｝]").expect("year bracket")
});

/// A 文号 in comparable form: folded, no spaces, year brackets as 〔〕.
pub(crate) fn docnum_key(s: &str) -> String {
    YEAR_BRACKET_RE
        .replace_all(&compact(s), "〔$1〕")
        .into_owned()
}

/// The quoted titles (《…》) of a text, as keys.
pub(crate) fn quoted(s: &str) -> Vec<String> {
    QUOTE_RE
        .captures_iter(s)
        .map(|c| key(&c[1]))
        .filter(|k| k.chars().count() >= 4)
        .collect()
}

/// An interpretation title without the interpretation wording, as a key.
fn interp_core(title: &str) -> String {
    let mut k = key(title);
    for w in [
        "政策解读",
        "的解读",
        "解读",
        "一图读懂",
        "图解",
        "答记者问",
        "一问一答",
        "问答",
        "关于",
    ] {
        k = k.replace(w, "");
    }
    k
}

pub(crate) struct Interp {
    pub page: usize,
    targets: HashSet<usize>,
    quotes: Vec<String>,
    core: String,
    hay: String,
}

pub(crate) struct Doc<'a> {
    pub page: usize,
    title_key: String,
    own_quotes: Vec<String>,
    number: Option<String>,
    /// Pages the document links to, whether the anchor reads like an interpretation, and the
    /// target URL ("" when skipped).
    links: Vec<(Option<usize>, bool, &'a str)>,
}

pub(crate) fn interp_info(sm: &SiteModel<'_>, i: usize) -> Interp {
    let m = sm.model(i);
    let title = sm.title(i);
    Interp {
        page: i,
        targets: sm
            .links_of(i)
            .filter_map(|l| l.target_url.as_deref().and_then(|u| sm.lookup(u)))
            .collect(),
        quotes: quoted(&title),
        core: interp_core(&title),
        hay: docnum_key(&format!("{title} {}", m.text)),
    }
}

pub(crate) fn doc_info<'a>(sm: &SiteModel<'a>, i: usize) -> Doc<'a> {
    let title = sm.title(i);
    let number = sm.field(i, Field::DocNumber).map(docnum_key).filter(|n| {
        n.chars().count() >= 6 && n.contains('号') && n.chars().any(|c| c.is_ascii_digit())
    });
    Doc {
        page: i,
        title_key: key(&title),
        own_quotes: quoted(&title),
        number,
        links: sm
            .links_of(i)
            .map(|l| {
                let t = l.target_url.as_deref().and_then(|u| sm.lookup(u));
                let by_anchor = INTERP_TITLE.iter().any(|w| l.anchor.contains(w));
                (t, by_anchor, l.target_url.as_deref().unwrap_or_default())
            })
            .collect(),
    }
}

/// How `interp` is tied to `doc`, if it is: (way, detail).
pub(crate) fn tie(doc: &Doc<'_>, interp: &Interp) -> Option<(&'static str, String)> {
    if let Some((_, _, u)) = doc.links.iter().find(|(t, _, _)| *t == Some(interp.page)) {
        return Some(("doc-links-interpretation", u.to_string()));
    }
    if interp.targets.contains(&doc.page) {
        return Some(("interpretation-links-doc", String::new()));
    }
    for q in &interp.quotes {
        let n = q.chars().count();
        if *q == doc.title_key
            || doc.own_quotes.contains(q)
            || (n >= 6 && doc.title_key.contains(q.as_str()))
        {
            return Some(("title-quote", q.clone()));
        }
    }
    if interp.core.chars().count() >= 8 && doc.title_key.contains(interp.core.as_str()) {
        return Some(("title-quote", interp.core.clone()));
    }
    if let Some(n) = &doc.number {
        if interp.hay.contains(n.as_str()) {
            return Some(("doc-number", n.clone()));
        }
    }
    None
}

/// A link of the document whose anchor reads like an interpretation (its target may be off-site
/// or not crawled).
pub(crate) fn anchor_link(doc: &Doc<'_>) -> Option<String> {
    doc.links
        .iter()
        .find(|(_, a, _)| *a)
        .map(|(_, _, u)| u.to_string())
}
