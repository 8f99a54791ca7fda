//! `text-serious-error`: a protected term (国名, 党和国家机构, 固定政治表述, place names) misspelt.
//!
//! How: for each protected term of at least 3 characters (the pack's national list plus the
//! local ones: the params' `local_terms` and the site config's `[text] protected_terms`, with
//! its extra `confusions`), the misspellings considered are exactly: one character replaced by a
//! character of its group in the confusion table (same pinyin or similar shape:
//! 中华人民共合国, 社会注义, 攻府), one interior character doubled (terms of ≥ 4 characters:
//! 中华人民共和和国), and one interior character dropped (terms of ≥ 5 characters: 齐齐哈市).
//! Never a generic edit distance. A variant of a national term that contains a protected term
//! (of a local term: where the change falls inside a protected term, so 滕洲市人民政府 still
//! counts), that is on an `allow` list (the params' and the site config's; an entry
//! `text@URL-prefix` holds only on pages under that prefix), or whose surroundings (±len of the
//! term) contain the correct term is skipped: that keeps 山西省/陕西省, 中国共产党党员 and
//! 社会主义义务 silent. A dropped-character variant whose
//! last character begins an `ordinary_words` word that the text goes on with is an abbreviation
//! (监察委 + 会同), skipped too. Page titles and texts are scanned.
//!
//! What the rule means and why it matters, with an example, is the rule's Chinese `doc` in
//! `rules/*.toml` (`gongkai rules explain ID`); this says only how the check works.

use crate::check::{bad, Check, Emit, ParamError, RuleCx};
use crate::context::AllowEntry;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const SUMMARY: &str = "国名、机构名称、固定政治表述、地名等重要表述的错别字";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// The national list (shipped in the pack).
    pub terms: Vec<String>,
    /// The site's own: leaders' names and titles, local organs, towns.
    pub local_terms: Vec<String>,
    /// Groups of mutually confusable characters (same pinyin / similar shape), one string each.
    pub confusions: Vec<String>,
    /// Misspellings (or text around them) that are known to be right here; `text@URL-prefix`
    /// only on pages under that prefix.
    pub allow: Vec<String>,
    /// Ordinary words that a dropped-character variant's last character may begin: "监察委会同"
    /// is the abbreviation 监察委 and 会同 ("jointly with"), not 监察委员会 missing 员.
    pub ordinary_words: Vec<String>,
}

impl Params {
    fn validate(&self) -> Result<(), ParamError> {
        for (name, list) in [("terms", &self.terms), ("local_terms", &self.local_terms)] {
            if let Some((k, t)) = list
                .iter()
                .enumerate()
                .find(|(_, t)| t.trim().chars().count() < 3)
            {
                return Err(bad(
                    &format!("{name}.{k}"),
                    format!("term “{t}” is shorter than 3 characters: too many false hits"),
                ));
            }
        }
        if self.terms.is_empty() && self.local_terms.is_empty() {
            return Err(bad("terms", "at least one protected term"));
        }
        Ok(())
    }
}

/// How a variant differs from its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    Replaced { at: usize, by: char },
    Doubled { at: usize },
    Dropped { at: usize },
}

impl How {
    /// Characters of the variant (as a char range) that the change touches.
    fn span(self) -> std::ops::Range<usize> {
        match self {
            How::Replaced { at, .. } => at..at + 1,
            How::Doubled { at } => at..at + 2,
            How::Dropped { at } => at - 1..at + 1,
        }
    }
}

struct Variant {
    text: String,
    term: usize,
    how: How,
}

/// A protected term; `local` ones (the params' `local_terms`, the site config's
/// `protected_terms`) are the site's own names.
struct Term {
    text: String,
    local: bool,
}

/// The terms, their misspellings and the automaton that finds them.
struct Matcher {
    terms: Vec<String>,
    variants: Vec<Variant>,
    ac: AhoCorasick,
}

impl Matcher {
    /// `national` and `local` terms (shorter than 3 characters dropped), their variants minus the
    /// `allow`ed ones.
    fn build(
        national: &[String],
        local: &[String],
        confusions: &[String],
        allow: &[String],
    ) -> Result<Matcher, String> {
        // A term on both lists is national: its variants keep the stricter skip.
        let mut merged: BTreeMap<String, bool> = BTreeMap::new();
        for (list, is_local) in [(national, false), (local, true)] {
            for t in list.iter().map(|t| t.trim()) {
                if t.chars().count() >= 3 {
                    let e = merged.entry(t.to_string()).or_insert(is_local);
                    *e &= is_local;
                }
            }
        }
        let terms: Vec<Term> = merged
            .into_iter()
            .map(|(text, local)| Term { text, local })
            .collect();
        let variants = variants(&terms, confusions, allow);
        // A contiguous NFA: cheap to build (the pack is compiled often), fast enough to scan.
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(variants.iter().map(|v| v.text.as_str()))
            .map_err(|e| format!("cannot build the matcher: {e}"))?;
        Ok(Matcher {
            terms: terms.into_iter().map(|t| t.text).collect(),
            variants,
            ac,
        })
    }
}

pub struct TextSeriousError {
    p: Params,
    allow: Vec<AllowEntry>,
    base: Matcher,
}

impl super::Kind for TextSeriousError {
    type Params = Params;
    fn new(p: Params) -> Result<Self, ParamError> {
        p.validate()?;
        let allow: Vec<AllowEntry> = p.allow.iter().map(|a| AllowEntry::parse(a)).collect();
        let base = Matcher::build(&p.terms, &p.local_terms, &p.confusions, &everywhere(&allow))
            .map_err(|e| bad("terms", e))?;
        Ok(TextSeriousError { p, allow, base })
    }
}

/// The texts of the allow entries that hold on every page.
fn everywhere(allow: &[AllowEntry]) -> Vec<String> {
    allow
        .iter()
        .filter(|a| a.url_prefix.is_none())
        .map(|a| a.text.clone())
        .collect()
}

/// Every misspelling of every term that the table allows, minus those that are a protected term
/// themselves (for national terms: that contain one anywhere; for local terms: where the change
/// falls inside one, so 滕洲市人民政府 is still a misspelt 滕州市人民政府) and those allowed.
fn variants(terms: &[Term], confusions: &[String], allow: &[String]) -> Vec<Variant> {
    let mut conf: HashMap<char, BTreeSet<char>> = HashMap::new();
    for g in confusions {
        let cs: Vec<char> = g.chars().filter(|c| !c.is_whitespace()).collect();
        for &a in &cs {
            conf.entry(a)
                .or_default()
                .extend(cs.iter().copied().filter(|&b| b != a));
        }
    }
    let mut out: Vec<Variant> = Vec::new();
    let mut seen = BTreeSet::new();
    // Membership of protected terms in a variant, one automaton for all terms.
    let protected = AhoCorasick::new(terms.iter().map(|t| t.text.as_str())).ok();
    let legit = |text: &str, how: How, local: bool| {
        let Some(p) = protected.as_ref() else {
            return true;
        };
        if !local {
            return p.is_match(text);
        }
        let span = how.span();
        let char_at = |byte: usize| text[..byte].chars().count();
        p.find_overlapping_iter(text)
            .any(|m| char_at(m.start()) < span.end && span.start < char_at(m.end()))
    };
    for (ti, t) in terms.iter().enumerate() {
        let cs: Vec<char> = t.text.chars().collect();
        let n = cs.len();
        let mut push = |chars: Vec<char>, how: How| {
            let text: String = chars.into_iter().collect();
            if legit(&text, how, t.local)
                || allow.iter().any(|a| !a.is_empty() && a == &text)
                || !seen.insert(text.clone())
            {
                return;
            }
            out.push(Variant {
                text,
                term: ti,
                how,
            });
        };
        for at in 0..n {
            for &by in conf.get(&cs[at]).into_iter().flatten() {
                let mut v = cs.clone();
                v[at] = by;
                push(v, How::Replaced { at, by });
            }
        }
        if n >= 4 {
            for at in 1..n - 1 {
                let mut v = cs.clone();
                v.insert(at, cs[at]);
                push(v, How::Doubled { at });
            }
        }
        if n >= 5 {
            for at in 1..n - 1 {
                let mut v = cs.clone();
                v.remove(at);
                push(v, How::Dropped { at });
            }
        }
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl Check for TextSeriousError {
    fn reads_every_page(&self) -> bool {
        true
    }

    fn run(&self, cx: &mut RuleCx<'_>) {
        let ctx = cx.ctx;
        let site = &ctx.text;
        let mut allow = self.allow.clone();
        allow.extend(site.allow.iter().cloned());
        // The site's own terms and confusions need their own matcher, built per evaluation.
        let local;
        let m = if site.protected_terms.is_empty() && site.confusions.is_empty() {
            &self.base
        } else {
            let terms: Vec<String> = self
                .p
                .local_terms
                .iter()
                .chain(&site.protected_terms)
                .cloned()
                .collect();
            let conf: Vec<String> = self
                .p
                .confusions
                .iter()
                .chain(&site.confusions)
                .cloned()
                .collect();
            match Matcher::build(&self.p.terms, &terms, &conf, &everywhere(&allow)) {
                Ok(built) => {
                    local = built;
                    &local
                }
                // Only an automaton over its size limit fails: keep the pack's terms then.
                Err(_) => &self.base,
            }
        };
        let sm = cx.site;
        for &i in &sm.crawled {
            let page = sm.model(i);
            let url = sm.page(i).url.as_str();
            let allowed: Vec<&str> = allow
                .iter()
                .filter(|a| a.applies_to(url))
                .map(|a| a.text.as_str())
                .collect();
            let mut reported = BTreeSet::new();
            let page_text = sm.text(i);
            for text in [page.title.as_str(), &page_text] {
                for (vi, around) in self.hits(m, text) {
                    let v = &m.variants[vi];
                    if allowed.iter().any(|a| *a == v.text || around.contains(a))
                        || !reported.insert(v.text.clone())
                    {
                        continue;
                    }
                    self.emit(cx, i, v, &m.terms[v.term], around);
                }
            }
        }
    }
}

impl TextSeriousError {
    /// The misspellings in `text` that stand (not inside a longer misspelling, not an
    /// abbreviation, not next to the correct term), each with the text around it.
    fn hits<'t>(&self, m: &Matcher, text: &'t str) -> Vec<(usize, &'t str)> {
        let hits: Vec<(usize, usize, usize)> =
            m.ac.find_overlapping_iter(text)
                .map(|h| (h.start(), h.end(), h.pattern().as_usize()))
                .collect();
        let mut out = Vec::new();
        for &(s, e, vi) in &hits {
            // A misspelt longer term wins over the shorter term inside it.
            if hits
                .iter()
                .any(|&(s2, e2, _)| s2 <= s && e <= e2 && (e2 - s2) > (e - s))
            {
                continue;
            }
            let v = &m.variants[vi];
            let term = &m.terms[v.term];
            if matches!(v.how, How::Dropped { .. }) && self.ends_in_word(text, &v.text, e) {
                continue;
            }
            let near = &text[floor_boundary(text, s.saturating_sub(term.len()))
                ..ceil_boundary(text, e + term.len())];
            if near.contains(term.as_str()) {
                continue;
            }
            let around =
                &text[floor_boundary(text, s.saturating_sub(60))..ceil_boundary(text, e + 60)];
            out.push((vi, around));
        }
        out
    }

    /// True when the variant's last character and the text after `end` form an ordinary word.
    fn ends_in_word(&self, text: &str, variant: &str, end: usize) -> bool {
        let Some(last) = variant.chars().next_back() else {
            return false;
        };
        let after = &text[end..];
        self.p.ordinary_words.iter().any(|w| {
            let mut cs = w.chars();
            cs.next() == Some(last) && {
                let rest = cs.as_str();
                !rest.is_empty() && after.starts_with(rest)
            }
        })
    }

    fn emit(&self, cx: &mut RuleCx<'_>, i: usize, v: &Variant, term: &str, around: &str) {
        let tc: Vec<char> = term.chars().collect();
        let how = match v.how {
            How::Replaced { at, by } => format!("“{}”误为“{}”", tc[at], by),
            How::Doubled { at } => format!("“{}”重复", tc[at]),
            How::Dropped { at } => format!("漏“{}”字", tc[at]),
        };
        let msg = format!(
            "页面中“{}”疑为“{}”的错误表述（{}）：……{}……",
            v.text, term, how, around
        );
        let ev = json!({
            "found": v.text,
            "term": term,
            "how": how,
            "context": around,
        });
        let p = cx.site.page(i);
        let dept = cx.dept_page(i);
        cx.emit(
            Emit::new(&p.url, dept, msg, ev)
                .fetch(p.fetch_id)
                .subject(vec![p.url.to_string(), v.text.clone()]),
        );
    }
}

#[cfg(test)]
#[path = "text_serious_error_tests.rs"]
mod tests;
