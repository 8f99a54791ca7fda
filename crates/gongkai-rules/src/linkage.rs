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
use std::collections::{HashMap, HashSet};
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
    /// The document's own links that can tie it to an interpretation: (the linked page, whether
    /// the anchor reads like an interpretation, the target URL ("" when skipped)) of each link
    /// to an interpretation page (way 1, [`tie`]) or whose anchor reads like one
    /// ([`anchor_link`]). Its other links can tie it to nothing, as [`interp_info`] is only asked
    /// of interpretation pages; keeping them held every link of every normative document at
    /// once (a passing 8 MB at 100,000 pages).
    links: Vec<(Option<usize>, bool, &'a str)>,
}

/// What [`tie`] compares of interpretation page `i` (one of [`SiteModel::interpretations`]:
/// a document's [`Doc::links`] keep only links that can reach one).
pub(crate) fn interp_info(sm: &SiteModel<'_>, i: usize) -> Interp {
    debug_assert!(sm.is_interpretation(i), "page {i} is no interpretation");
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
            .filter_map(|l| {
                let t = l.target_url.and_then(|u| sm.lookup(u));
                let by_anchor = sm.vocab.interpretation.in_title(l.anchor);
                let to_interpretation = t.is_some_and(|t| sm.is_interpretation(t));
                (by_anchor || to_interpretation)
                    .then(|| (t, by_anchor, l.target_url.unwrap_or_default()))
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

/// The normative documents indexed by everything [`tie`] compares, so that the documents an
/// interpretation may be tied to are found by lookups instead of a [`tie`] against every
/// document (that pairing grows with the square of the site).
pub(crate) struct DocIndex {
    /// Linked page → documents with an own link to it (way 1).
    by_link_target: HashMap<usize, Vec<u32>>,
    /// Document page → documents standing for it (way 2).
    by_page: HashMap<usize, Vec<u32>>,
    /// Title key → documents (way 3, equal titles).
    by_title: HashMap<String, Vec<u32>>,
    /// Quoted title of a document's own title → documents (way 3).
    by_own_quote: HashMap<String, Vec<u32>>,
    /// Character trigram of a title key → documents whose title holds it, ascending (way 3,
    /// a quote or core inside the title: every trigram of it is in the title).
    by_trigram: HashMap<[char; 3], Vec<u32>>,
    /// 文号 key → documents (way 4).
    by_number: HashMap<String, Vec<u32>>,
}

fn push_doc<K: std::hash::Hash + Eq>(m: &mut HashMap<K, Vec<u32>>, k: K, d: usize) {
    let v = m.entry(k).or_default();
    if v.last() != Some(&(d as u32)) {
        v.push(d as u32);
    }
}

fn trigrams(s: &str) -> impl Iterator<Item = [char; 3]> + '_ {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len().saturating_sub(2)).map(move |i| [chars[i], chars[i + 1], chars[i + 2]])
}

impl DocIndex {
    /// Indexes `docs` (positions in the slice are what [`Self::tied`] answers).
    pub fn new(docs: &[Doc<'_>]) -> Self {
        let mut ix = DocIndex {
            by_link_target: HashMap::new(),
            by_page: HashMap::new(),
            by_title: HashMap::new(),
            by_own_quote: HashMap::new(),
            by_trigram: HashMap::new(),
            by_number: HashMap::new(),
        };
        for (d, doc) in docs.iter().enumerate() {
            for t in doc.links.iter().filter_map(|(t, _, _)| *t) {
                push_doc(&mut ix.by_link_target, t, d);
            }
            push_doc(&mut ix.by_page, doc.page, d);
            push_doc(&mut ix.by_title, doc.title_key.clone(), d);
            for q in &doc.own_quotes {
                push_doc(&mut ix.by_own_quote, q.clone(), d);
            }
            for g in trigrams(&doc.title_key) {
                push_doc(&mut ix.by_trigram, g, d);
            }
            if let Some(n) = &doc.number {
                push_doc(&mut ix.by_number, n.clone(), d);
            }
        }
        ix
    }

    /// Documents whose title key may contain `s`: those holding its rarest trigram (none when
    /// some trigram is in no title).
    fn may_contain(&self, s: &str) -> &[u32] {
        let mut best: Option<&[u32]> = None;
        for g in trigrams(s) {
            let docs = self.by_trigram.get(&g).map_or(&[][..], Vec::as_slice);
            if best.is_none_or(|b| docs.len() < b.len()) {
                best = Some(docs);
            }
            if docs.is_empty() {
                break;
            }
        }
        best.unwrap_or(&[])
    }

    /// The documents (positions in `docs`, ascending) `interp` is tied to, with [`tie`]'s
    /// answer for each: the same as calling [`tie`] on every document, in order.
    pub fn tied(&self, docs: &[Doc<'_>], interp: &Interp) -> Vec<(usize, (&'static str, String))> {
        let mut cands: Vec<u32> = Vec::new();
        let mut add = |v: Option<&Vec<u32>>| cands.extend(v.into_iter().flatten());
        add(self.by_link_target.get(&interp.page));
        for &t in &interp.targets {
            add(self.by_page.get(&t));
        }
        for q in &interp.quotes {
            add(self.by_title.get(q));
            add(self.by_own_quote.get(q));
        }
        for n in &interp.numbers {
            add(self.by_number.get(n));
        }
        for q in &interp.quotes {
            if q.chars().count() >= 6 {
                cands.extend_from_slice(self.may_contain(q));
            }
        }
        if interp.core.chars().count() >= 8 {
            cands.extend_from_slice(self.may_contain(&interp.core));
        }
        cands.sort_unstable();
        cands.dedup();
        cands
            .into_iter()
            .filter_map(|d| {
                let d = d as usize;
                tie(&docs[d], interp).map(|t| (d, t))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use gongkai_page::Field;

    /// Every way of tying, and near misses, on one site: the index answers what a [`tie`]
    /// against every document answers.
    #[test]
    fn the_index_ties_what_a_tie_against_every_document_ties() {
        let vocab = crate::Vocabulary::default();
        let doc = |title: &str, number: &str| {
            with_fields(
                article(title, "各镇人民政府……"),
                &[
                    (Field::DocType, "规范性文件"),
                    (Field::DocNumber, number),
                    (Field::PublishDate, "2022-06-01"),
                ],
            )
        };
        let mut s = site(vec![
            page(ROOT, home("")),
            page(
                &u("d/1.html"),
                doc("滕州市城市管理办法", "滕政办发〔2022〕11号"),
            ),
            page(
                &u("d/2.html"),
                doc("滕州市养犬管理规定", "滕政发〔2021〕3号"),
            ),
            page(
                &u("d/3.html"),
                doc("关于《滕州市养犬管理规定》的补充通知", "滕政发〔2021〕4号"),
            ),
            page(
                &u("d/4.html"),
                doc("滕州市物业管理条例实施细则", "滕政办发〔2020〕9号"),
            ),
            page(
                &u("j/1.html"),
                article("《滕州市城市管理办法》政策解读", "解读正文"),
            ),
            page(
                &u("j/2.html"),
                article("一图读懂滕州市养犬管理规定", "解读正文"),
            ),
            page(
                &u("j/3.html"),
                article("解读：关于某事的问答", "依据滕政办发[2020]9号文件"),
            ),
            page(&u("j/4.html"), article("图解物业", "正文")),
            page(&u("j/5.html"), article("《养犬管理》解读", "正文")),
            page(&u("j/6.html"), article("答记者问", "正文")),
        ]);
        add_link(&mut s, &u("d/2.html"), &u("j/4.html"), "相关链接");
        add_link(&mut s, &u("j/6.html"), &u("d/1.html"), "原文");
        let sm = crate::sitemodel::SiteModel::build(&s, &vocab);
        let docs: Vec<_> = (1..=4).map(|d| doc_info(&sm, d)).collect();
        let ix = DocIndex::new(&docs);
        let mut tied_pairs = 0;
        for i in 5..=10 {
            let it = interp_info(&sm, i);
            let brute: Vec<_> = docs
                .iter()
                .enumerate()
                .filter_map(|(d, doc)| tie(doc, &it).map(|t| (d, t)))
                .collect();
            assert_eq!(ix.tied(&docs, &it), brute, "interpretation page {i}");
            tied_pairs += brute.len();
        }
        // Each way is exercised: title quote, title core, 文号, both link directions.
        assert!(tied_pairs >= 5, "{tied_pairs}");
    }
}
