//! Which interpretation belongs to which normative document: the four ways a crawl can see.
//!
//! 1. `doc-links-interpretation`: the document links to an interpretation page (or to any page
//!    with 解读 / 图解 / 一图读懂 / 答记者问 / 问答 in the anchor text);
//! 2. `interpretation-links-doc`: an interpretation links to the document;
//! 3. `title-quote`: an interpretation's title quotes the document's title (《…》), or its title
//!    without the 解读 wording is part of the document's title;
//! 4. `doc-number`: an interpretation's title or text carries the document's 文号 (read with
//!    gongkai-page's one 文号 parser, so bracket variants 〔〕[]【】（）﹝﹞ are equal).
//!
//! Only a page's own links count for ways 1 and 2 ([`own_link`]): not template chrome
//! (navigation, header, footer: region `chrome`, or a target linked from 30% or more of the site's
//! article pages) and not a column index (the 政策解读 column itself is no interpretation of any
//! document). Links whose region the extractor did not decide (`other`, models stored by an
//! older extractor) count unless one of those two tests rules them out.

use crate::sitemodel::SiteModel;
use crate::text::key;
use crate::LinkRef;
use gongkai_page::docnum::{find_doc_numbers, parse_doc_number, DocNumber};
use gongkai_page::{Field, LinkRegion};
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

static QUOTE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《([^《》]{2,120})》").expect("quote"));

/// A 文号 in comparable form: 机关代字〔year〕number号, whatever brackets and 第 it was written
/// with; None without an agency, a year or a number.
pub(crate) fn docnum_key(d: &DocNumber) -> Option<String> {
    let agency = key(&d.agency);
    match (d.year, d.number) {
        (Some(y), Some(n)) if agency.chars().count() >= 2 => Some(format!("{agency}〔{y}〕{n}号")),
        _ => None,
    }
}

/// True when a link of a page is the page's own (see the module doc): not chrome, not a target
/// most article pages share, not a column index.
pub(crate) fn own_link(sm: &SiteModel<'_>, l: &LinkRef<'_>) -> bool {
    if l.region == LinkRegion::Chrome {
        return false;
    }
    match l.target_url {
        Some(t) => !sm.is_template_target(t) && !sm.is_column_target(t),
        None => false,
    }
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
fn interp_core(title: &str, words: &[String]) -> String {
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
    ]
    .into_iter()
    .chain(words.iter().map(String::as_str))
    {
        if !w.is_empty() {
            k = k.replace(w, "");
        }
    }
    k
}

pub(crate) struct Interp {
    pub page: usize,
    targets: HashSet<usize>,
    quotes: Vec<String>,
    core: String,
    /// The 文号 quoted in its title and text, as [`docnum_key`]s.
    numbers: HashSet<String>,
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
    let title = sm.title(i);
    Interp {
        page: i,
        targets: sm
            .links_of(i)
            .filter(|l| own_link(sm, l))
            .filter_map(|l| l.target_url.and_then(|u| sm.lookup(u)))
            .collect(),
        quotes: quoted(&title),
        core: interp_core(&title, &sm.vocab.interpretation.title_words),
        numbers: find_doc_numbers(&format!("{title} {}", sm.text(i)))
            .iter()
            .filter_map(docnum_key)
            .collect(),
    }
}

pub(crate) fn doc_info<'s>(sm: &'s SiteModel<'_>, i: usize) -> Doc<'s> {
    let title = sm.title(i);
    let number = sm
        .field(i, Field::DocNumber)
        .and_then(parse_doc_number)
        .and_then(|d| docnum_key(&d));
    Doc {
        page: i,
        title_key: key(&title),
        own_quotes: quoted(&title),
        number,
        links: sm
            .links_of(i)
            .filter(|l| own_link(sm, l))
            .map(|l| {
                let t = l.target_url.and_then(|u| sm.lookup(u));
                let by_anchor = sm.vocab.interpretation.in_title(l.anchor);
                (t, by_anchor, l.target_url.unwrap_or_default())
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
        if interp.numbers.contains(n.as_str()) {
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
